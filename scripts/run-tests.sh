#!/usr/bin/env bash
# Sets up and builds the tree once, then runs the test stages named on the command line
# (all of them, in this order, when none is named: what CI runs).
#
#   cpp          GoogleTest of the runtime and codec (ctest, without the scanner's tests)
#   python       the layers of python/goray (lint-imports, .importlinter), then the Python
#                driver in-process (pytest tests/python)
#   ray          the driver on a loopback Ray (pytest tests/ray)
#   gen          goray-scan (its gtest binary) and goray-gen's renderers (pytest tests/renderers)
#   docs         every command in the docs' shell blocks (pytest tests/docs)
#   examples     the examples, built and run (scripts/run-example.sh)
#   wheel        the pip wheel: built (scripts/build-wheel.sh), installed into a throwaway
#                venv, the README's application built and run with it (pytest tests/wheel)
#   interop      with GoRay's driver and libraries (scripts/test-interop.sh)
#   reliability  compile-fail cases, fuzzing, sanitizer builds (scripts/test-reliability.sh)
#
# Every named stage runs even when an earlier one fails; the exit status is 1 if any
# failed, 2 for an unknown stage name. -n (--dry-run) prints the stages it would run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

STAGES=(cpp python ray gen docs examples wheel interop reliability)

usage() {
  echo "usage: bash scripts/run-tests.sh [-n|--dry-run] [STAGE...]"
  echo "  stages: ${STAGES[*]} (none: all of them, in this order)"
}

is_stage() {
  local stage
  for stage in "${STAGES[@]}"; do [ "$stage" = "$1" ] && return 0; done
  return 1
}

chosen=()
dry_run=0
for argument in "$@"; do
  case "$argument" in
    -h|--help) usage; exit 0 ;;
    -n|--dry-run) dry_run=1; continue ;;
  esac
  if ! is_stage "$argument"; then
    echo "run-tests.sh: unknown stage '$argument'" >&2
    usage >&2
    exit 2
  fi
  chosen+=("$argument")
done
[ ${#chosen[@]} -gt 0 ] || chosen=("${STAGES[@]}")
if [ "$dry_run" -eq 1 ]; then
  printf '%s\n' "${chosen[@]}"
  exit 0
fi

# pytest's temporary folders are under build/pytest/<stage>/ (emptied at each start), not
# /tmp: the CMake projects the tests build there then have the same paths relative to the
# checkout in every run and every clone, so ccache (scripts/lib.sh) finds their compiles.
# Each stage's slowest tests are listed after its summary (--durations), and every test's
# time is in build/pytest/<stage>.xml (JUnit XML) for a closer look.
PYTEST=("$ROOT/.venv/bin/python" -m pytest -q --durations=15)
pytest_in() {
  local stage="$1"; shift
  mkdir -p "$ROOT/build/pytest"  # pytest makes only the last folder of --basetemp
  "${PYTEST[@]}" --basetemp="$ROOT/build/pytest/$stage" --junitxml="$ROOT/build/pytest/$stage.xml" "$@"
}
ctest_in_build() { (cd "$ROOT/build" && ctest --output-on-failure -j "$(nproc)" "$@"); }

# One function per stage. Each process of in-process and Ray tests loads its own
# application library (one per process), and the Ray one starts one Ray: separate pytests.
stage_cpp() { ctest_in_build -LE scanner; }
# The package's import layers (lint-imports, the contracts in .importlinter), then pytest:
# both run, and the stage fails if either fails.
stage_python() {
  local status=0
  "$ROOT/.venv/bin/lint-imports" --config "$ROOT/.importlinter" --no-logo --no-cache || status=1
  pytest_in python "$ROOT/tests/python" || status=1
  return "$status"
}
stage_ray() { pytest_in ray "$ROOT/tests/ray"; }
# The scanner's tests (ctest label "scanner") in one process: one ctest process per test
# would parse the standard headers again at each start, several times slower.
stage_gen() {
  "$ROOT/build/tests/scanner/goray_scanner_test" --gtest_brief=1 &&
    pytest_in gen "$ROOT/tests/renderers"
}
stage_docs() { pytest_in docs "$ROOT/tests/docs"; }
stage_examples() { bash "$ROOT/scripts/run-example.sh"; }
# The wheel's tests hide the checkout from some of their commands (test_install.py mounts
# over it), so their temporary folders are outside it: in a folder named after the
# checkout, which is ccache's base for their compiles (build-wheel.sh sets its own).
stage_wheel() {
  local base
  base="${TMPDIR:-/tmp}/goray-tests-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
  mkdir -p "$base"
  CCACHE_BASEDIR="$base" "${PYTEST[@]}" --basetemp="$base/wheel" \
    --junitxml="$ROOT/build/pytest/wheel.xml" "$ROOT/tests/wheel"
}
stage_interop() { bash "$ROOT/scripts/test-interop.sh"; }
stage_reliability() { bash "$ROOT/scripts/test-reliability.sh"; }

bash "$ROOT/scripts/setup.sh"

failed=()
for stage in "${chosen[@]}"; do
  timed "tests: $stage" "stage_$stage" || failed+=("$stage")
done
if [ ${#failed[@]} -gt 0 ]; then
  log "failed stages: ${failed[*]}"
  exit 1
fi
log "passed stages: ${chosen[*]}"
