#!/usr/bin/env bash
# Builds the goray-cpp wheel (the top-level pyproject.toml, scikit-build-core) into dist/
# (or $GORAY_WHEEL_DIST) and prints its absolute path as the last line of stdout.
#   Build isolation on: the wheel builds from build-system.requires alone.
#   Incremental: CMake's build directory build-wheel/<wheel tag>/ is reused, so a
#   second run with nothing changed only repackages.
# Needs the tree's Debian packages (scripts/setup.sh) and .venv's pip.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

DIST="${GORAY_WHEEL_DIST:-$ROOT/dist}"
mkdir -p "$DIST"
DIST="$(cd "$DIST" && pwd)"
PYTHON="$ROOT/.venv/bin/python"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

build() {
  # pip's output goes to stderr: stdout's last line is the wheel's path.
  (cd "$ROOT" && "$PYTHON" -m pip wheel --no-deps --disable-pip-version-check -w "$DIST" .) >&2
}
marker="$(mktemp)"
trap 'rm -f "$marker"' EXIT
timed "wheel" build

# The wheel this run wrote (pip rewrites a file of the same name): newer than the marker.
wheel="$(find "$DIST" -maxdepth 1 -name 'goray_cpp-*.whl' -newer "$marker" | sort | tail -1)"
if [ -z "$wheel" ]; then
  log "error: pip wheel left no new goray_cpp-*.whl in $DIST"
  exit 1
fi
log "wheel: $(du -h "$wheel" | cut -f1)"
echo "$wheel"
