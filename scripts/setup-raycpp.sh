#!/usr/bin/env bash
# Ray's own C++ API as a benchmark peer (bench/peers/raycpp): the virtualenv
# .venv-raycpp/ with ray[default] and ray-cpp 2.60.0 from PyPI, then the CMake build of
# bench/peers/raycpp against the ray-cpp wheel's headers and libray_api.so into
# build-raycpp/ (Release, -O2). Idempotent: quick when nothing changed.
# Then: .venv-raycpp/bin/python bench/peers/raycpp/run.py
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

VENV="$ROOT/.venv-raycpp"
BUILD="$ROOT/build-raycpp"
REQUIREMENTS=("ray[default]==2.60.0" "ray-cpp==2.60.0")

install_tools() {
  local missing=()
  command -v cmake >/dev/null || missing+=(cmake)
  command -v g++ >/dev/null || missing+=(g++)
  python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

build() {
  local ray_cpp generator=()
  ray_cpp="$("$VENV/bin/python" -c 'import os, ray; print(os.path.join(os.path.dirname(ray.__file__), "cpp"))')"
  command -v ninja >/dev/null && generator=(-G Ninja)
  # A build tree made with the other generator can't be reconfigured in place.
  if [ -f "$BUILD/CMakeCache.txt" ] && ! grep -q "CMAKE_GENERATOR:INTERNAL=${generator[1]:-Unix Makefiles}" "$BUILD/CMakeCache.txt"; then
    rm -rf "$BUILD"
  fi
  cmake -S "$ROOT/bench/peers/raycpp" -B "$BUILD" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DRAY_CPP_DIR="$ray_cpp" >/dev/null
  cmake --build "$BUILD"
}

timed "raycpp: tools" install_tools
timed "raycpp: virtualenv .venv-raycpp/" ensure_virtualenv "$VENV" "${REQUIREMENTS[@]}"
timed "raycpp: build build-raycpp/" build
