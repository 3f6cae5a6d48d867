#!/usr/bin/env bash
# Sets up, builds, and runs every test: GoogleTest (ctest) and pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

bash "$ROOT/scripts/setup.sh"

run_ctest() { (cd "$ROOT/build" && ctest --output-on-failure -j "$(nproc)"); }
# In-process tests and Ray tests run as separate pytest processes: each loads its
# own application library (one per process) and the Ray one starts one Ray.
run_pytest() { "$ROOT/.venv/bin/python" -m pytest -q "$ROOT/tests/python"; }
run_ray_pytest() { "$ROOT/.venv/bin/python" -m pytest -q "$ROOT/tests/ray"; }

timed "tests: C++ (ctest)" run_ctest
timed "tests: Python in-process (pytest)" run_pytest
timed "tests: Ray (pytest)" run_ray_pytest
# Every command in the docs' shell blocks: run, or mapped to the test that runs it.
timed "tests: the docs' commands (pytest tests/docs)" "$ROOT/.venv/bin/python" -m pytest -q "$ROOT/tests/docs"
timed "tests: the examples (scripts/run-example.sh)" bash "$ROOT/scripts/run-example.sh"
timed "tests: interop with GoRay (scripts/test-interop.sh)" bash "$ROOT/scripts/test-interop.sh"
# Short runs of the heavy checks: compile-fail cases, fuzzing (60 s a target),
# sanitizer builds of the runtime and codec tests (docs/reliability.md).
timed "tests: reliability (scripts/test-reliability.sh)" bash "$ROOT/scripts/test-reliability.sh"
