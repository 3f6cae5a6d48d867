#!/usr/bin/env bash
# Sets up, builds, and runs every test: GoogleTest (ctest) and pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

bash "$ROOT/scripts/setup.sh"

run_ctest() { (cd "$ROOT/build" && ctest --output-on-failure -j "$(nproc)"); }
run_pytest() { "$ROOT/.venv/bin/python" -m pytest -q "$ROOT/tests/python"; }

timed "tests: C++ (ctest)" run_ctest
timed "tests: Python (pytest)" run_pytest
