#!/usr/bin/env bash
# Run by tests/py314/run.sh inside the CPython 3.14 environment (scripts/py314-env.sh):
#   inside.sh WORK WHEEL
# WORK/venv: a virtualenv of forky's python3.14 (kept between runs), where pip installs
# WHEEL with its `data` extra and Ray 2.60 (pip reads the wheel's own requirements: Ray
# 2.58 or later on 3.14), pyarrow and pandas at python/requirements-dev.txt's versions (the
# string columns, Ray Data), pytest and NumPy; with GORAY_LONG_TESTS=1 also Ray Serve and
# mypy. Then pytest tests/py314 in that virtualenv.
set -euo pipefail
WORK="$1" WHEEL="$2"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$WORK/venv"
RAY=2.60.0
MYPY=mypy==2.4.1  # python/requirements-dev.txt's
# Ray Data's extra dependencies at the versions the 3.11 tests pin.
pinned() { grep -oE "^$1==[^ ]+" "$ROOT/python/requirements-dev.txt"; }
PYARROW="$(pinned pyarrow)" PANDAS="$(pinned pandas)"

say() { echo "[goray] py314: $*" >&2; }
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  rm -rf "$VENV"
  python3.14 -m venv "$VENV"
fi
requirements=("ray[data]==$RAY" "$PYARROW" "$PANDAS" numpy pytest)
[ "${GORAY_LONG_TESTS:-0}" != 1 ] || requirements+=("ray[serve]==$RAY" "$MYPY")
# pip's own retries, and two more tries of the whole install: a fresh machine downloads
# Ray's cp314 wheel (about 70 MB) and pyarrow's (about 45 MB) here, and the index or a
# mirror may fail a moment.
pip_install() {
  local attempt
  for attempt in 1 2 3; do
    if "$VENV/bin/python" -m pip install --disable-pip-version-check -q --retries 5 \
         --timeout 60 "$@"; then
      return 0
    fi
    say "pip install failed (try $attempt of 3)"
    sleep $((attempt * 10))
  done
  return 1
}
start=$SECONDS
# The wheel's requirements as pip resolves them on 3.14, then the wheel itself again (its
# version may be the installed one's, from an earlier build).
pip_install "$WHEEL[data]" "${requirements[@]}"
pip_install --force-reinstall --no-deps "$WHEEL"
say "pip installed $(basename "$WHEEL") with Ray $RAY and $PYARROW in $((SECONDS - start))s"
cd "$ROOT"
exec env RAY_USAGE_STATS_ENABLED=0 "$VENV/bin/python" -m pytest -q --durations=10 \
  -p no:cacheprovider --basetemp="$WORK/pytest" --junitxml="$WORK/py314.xml" "$ROOT/tests/py314"
