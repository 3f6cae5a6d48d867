#!/usr/bin/env bash
# The short reliability checks for CI (docs/reliability.md), each stage timed:
#   1. compile-fail tests of the C++ API (tests/fuzz/compile_fail/run.sh)
#   2. fuzzing: the three libFuzzer targets, 10 s each (60 s when GORAY_LONG_TESTS is set and
#      not 0, as run-tests.sh --long sets it), after replaying the regression inputs (a smoke run within
#      CI's budget, built in the ASan+UBSan tree of step 3; longer runs, in a tree of their
#      own at -O1: bash scripts/fuzz.sh 600)
#   3. sanitizers: the runtime and codec tests (tests/cpp) under ASan+UBSan and under TSan
# No soak (bench/soak.py) here. Needs clang-19 and libclang-rt-19-dev (scripts/setup.sh
# installs them) and the .venv; installs nothing itself.
#   bash scripts/test-reliability.sh [FUZZ_SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
if long_runs_wanted; then FUZZ_SECONDS="${1:-60}"; else FUZZ_SECONDS="${1:-10}"; fi
start=$SECONDS

timed "reliability: compile-fail tests" bash "$ROOT/tests/fuzz/compile_fail/run.sh"
# In the ASan+UBSan tree, which the sanitizers' run then reuses (scripts/fuzz.sh).
GORAY_FUZZ_TREE=asan timed "reliability: fuzzing (${FUZZ_SECONDS}s per target)" \
  bash "$ROOT/scripts/fuzz.sh" "$FUZZ_SECONDS"
timed "reliability: sanitizers (ASan+UBSan, TSan; tests/cpp)" bash "$ROOT/scripts/sanitize.sh" short
log "reliability checks took $((SECONDS - start))s"
