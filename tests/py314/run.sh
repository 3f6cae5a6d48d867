#!/usr/bin/env bash
# The py314 stage (bash scripts/run-tests.sh py314; docs/maintainers/wheels.md, "How CPython
# 3.14 is tested"): goray-cpp on a real CPython 3.14 (Debian forky's, 3.14.2 or later) with Ray
# 2.60, which this bookworm machine cannot run natively.
#
#   bash tests/py314/run.sh          # CI's part
#   bash tests/py314/run.sh --long   # also the long runs (tests marked long: streaming
#                                    # generators, a threaded actor, goray.map, Ray Serve,
#                                    # the stubs under mypy --strict)
#
# 1. The cp314 wheel: the one the wheel stage built in this run ($GORAY_RUN_WHEELS, which
#    run-tests.sh sets), else scripts/build-wheel.sh --python 3.14 (the host's compiler and
#    glibc, forky's 3.14 headers) into a folder of this stage's own.
# 2. The environment: scripts/py314-env.sh (made once and cached; needs root).
# 3. Inside it (py314-env.sh --run, the checkout and the work folder bound at their own
#    paths): tests/py314/inside.sh makes a virtualenv of forky's python3.14, pip installs
#    the wheel with Ray 2.60 (pytest and NumPy; with --long also Ray Serve and mypy), and
#    runs pytest tests/py314, which builds tests/py314/project by forky's g++ and CMake.
#
# Its work folder: $GORAY_PY314_WORK, else /tmp/goray-py314-<hash of the checkout>
# (emptied at each start but for the virtualenv, which is kept and updated).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/lib.sh"

long=0
case "${1:-}" in
  "") ;;
  --long) long=1 ;;
  *) echo "usage: bash tests/py314/run.sh [--long]" >&2; exit 2 ;;
esac
if long_runs_wanted; then long=1; fi

checkout_id="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
WORK="${GORAY_PY314_WORK:-${TMPDIR:-/tmp}/goray-py314-$checkout_id}"
mkdir -p "$WORK"
find "$WORK" -mindepth 1 -maxdepth 1 ! -name venv -exec rm -rf {} +

ENV_ROOT="$(timed "py314: the CPython 3.14 environment" bash "$ROOT/scripts/py314-env.sh")"
# The cp314 wheel the wheel stage built in this run (run-tests.sh --all: $GORAY_RUN_WHEELS
# lists them), else one built here.
built=("${GORAY_RUN_WHEELS:-/nonexistent}"/goray_cpp-*-cp314-cp314-*.whl)
if [ -n "${GORAY_RUN_WHEELS:-}" ] && [ -f "${built[0]}" ]; then
  wheel="$(readlink -f "${built[0]}")"
  log "py314: the wheel stage's $(basename "$wheel")"
else
  wheel="$(GORAY_WHEEL_DIST="$WORK/dist" timed "py314: the cp314 wheel" \
             bash "$ROOT/scripts/build-wheel.sh" --python 3.14 | tail -1)"
fi
[[ "$wheel" == *-cp314-cp314-manylinux_2_34_x86_64.whl ]] || {
  log "error: build-wheel.sh --python 3.14 printed '$wheel', not a cp314 manylinux_2_34 wheel"
  exit 1; }
log "py314: $(basename "$wheel") in $(cat "$(dirname "$ENV_ROOT")/python-version" 2>/dev/null || echo '?')'s environment"
status=0
bash "$ROOT/scripts/py314-env.sh" --run --bind "$ROOT" --bind "$WORK" -- \
  env GORAY_LONG_TESTS="$long" bash "$ROOT/tests/py314/inside.sh" "$WORK" "$wheel" || status=$?
# Its JUnit report where run-tests.sh's summary reads them.
mkdir -p "$ROOT/build/pytest" && cp -f "$WORK/py314.xml" "$ROOT/build/pytest/py314.xml" 2>/dev/null || true
exit "$status"
