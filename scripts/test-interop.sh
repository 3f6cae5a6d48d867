#!/usr/bin/env bash
# Interop tests with GoRay v1.2.1 (docs/interop.md), both directions:
#   1. a C++ library built with this project under GoRay's own Python driver
#      (goray[ray]==1.2.1 from PyPI, in the virtualenv .venv-goray/);
#   2. a Go library built with GoRay (github.com/ray4go/go-ray/ray@v1.2.1,
#      tests/interop/go) under our driver (.venv/).
# Assumes scripts/setup.sh ran (.venv/, the goray CMake package, Debian packages)
# and Go is installed. Idempotent: the virtualenv, the C++ build and the Go build
# (build-interop/) are reused and quick when nothing changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

BUILD="$ROOT/build-interop"
source "$ROOT/scripts/upstream.sh"

build_cpp() {
  # The installed goray CMake package (GORAY_CMAKE_DIR overrides, as for users).
  local goray_dir
  goray_dir="$("$ROOT/.venv/bin/python" -m goray --cmake-dir)"
  cmake -S "$ROOT/tests/interop/cpp" -B "$BUILD/cpp" -G Ninja -Dgoray_DIR="$goray_dir" >/dev/null
  cmake --build "$BUILD/cpp"
}

build_go() {
  build_go_app "$ROOT/tests/interop/go" "$BUILD/go/libgoapp.so"
}

# Each direction is its own pytest process: one goray package and one library per process.
# Their JUnit reports go where run-tests.sh's summary reads them (build/pytest/).
REPORTS="$ROOT/build/pytest"
test_cpp_under_goray() {
  mkdir -p "$REPORTS"
  (cd "$ROOT" && "$GORAY_VENV/bin/python" -m pytest -q -p no:cacheprovider \
    --junitxml="$REPORTS/interop-under-goray.xml" tests/interop/test_cpp_under_goray.py)
}
test_under_ours() {
  mkdir -p "$REPORTS"
  (cd "$ROOT" && "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider \
    --junitxml="$REPORTS/interop-under-ours.xml" \
    tests/interop/test_cpp_under_ours.py tests/interop/test_go_under_ours.py)
}

timed "interop: GoRay's virtualenv" setup_goray_venv
timed "interop: build the C++ app" build_cpp
timed "interop: build the Go app" build_go
timed "interop: C++ under GoRay's driver" test_cpp_under_goray
timed "interop: C++ and Go under our driver" test_under_ours
