#!/usr/bin/env bash
# Builds the C++ tests (tests/cpp) with sanitizers (clang-19) and runs them with ctest:
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer)
#   build-tsan/  ThreadSanitizer
# and, in full mode, the in-process pytest suite (tests/python) against an ASan+UBSan
# build of the test library, with the ASan runtime LD_PRELOADed into the venv's Python.
#   bash scripts/sanitize.sh          # full: ASan, TSan, pytest under ASan
#   bash scripts/sanitize.sh short    # CI: ASan and TSan ctest of the runtime and codec tests
#   SANITIZERS="asan" bash scripts/sanitize.sh
# Suppressions, each explained, are in tests/fuzz/sanitizer-suppressions/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
MODE="${1:-full}"
SANITIZERS="${SANITIZERS:-asan tsan}"
JOBS="${GORAY_JOBS:-2}"
SUPP="$ROOT/tests/fuzz/sanitizer-suppressions"

# The runtime and codec tests: every tests/cpp/*_test.cpp, in one executable.
CPP_TESTS=(goray_runtime_test)

run_ctest() {  # run_ctest DIR
  # Only the executables built here (tests of targets not built are *_NOT_BUILT); the
  # package's stripped runtime is not built here, and its check is the main tree's, as is
  # the check of the test files' names (the same sources; tests/cpp/check_test_symbols.py).
  (cd "$1" && ctest --output-on-failure -j "$JOBS" \
     -E '_NOT_BUILT|^PackagedRuntime[.]|^RuntimeTestBinary[.]NoNameDefinedByTwoTestFiles$')
}

asan() {
  local dir="$ASAN_TREE"
  configure_sanitizer_tree "$dir" "$ASAN_TREE_FLAGS"
  local targets=("${CPP_TESTS[@]}")
  [ "$MODE" = full ] && targets+=(testapp)
  cmake --build "$dir" -j "$JOBS" --target "${targets[@]}"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
  timed "sanitize: ASan+UBSan ctest" run_ctest "$dir"
  if [ "$MODE" = full ]; then
    # CPython itself is not instrumented and leaks by design at exit: leaks off here. A
    # small quarantine (ASan's default keeps 256 MiB of freed memory) lets the soak tests'
    # resident-memory checks see the process's own growth.
    ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:quarantine_size_mb=16" \
      LD_PRELOAD="$(asan_runtime)" \
      GORAY_TEST_LIB="$dir/tests/apps/libtestapp.so" \
      timed "sanitize: pytest (tests/python) under ASan+UBSan" \
      "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/python"
  fi
}

tsan() {
  local dir="$ROOT/build-tsan"
  configure_sanitizer_tree "$dir" "-fsanitize=thread"
  cmake --build "$dir" -j "$JOBS" --target "${CPP_TESTS[@]}"
  export TSAN_OPTIONS="suppressions=$SUPP/tsan.supp:halt_on_error=1:second_deadlock_stack=1"
  timed "sanitize: TSan ctest" run_ctest "$dir"
}

for sanitizer in $SANITIZERS; do
  case "$sanitizer" in
    asan) timed "sanitize: ASan+UBSan (build and run)" asan ;;
    tsan) timed "sanitize: TSan (build and run)" tsan ;;
    *) log "unknown sanitizer $sanitizer"; exit 2 ;;
  esac
done
