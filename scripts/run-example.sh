#!/usr/bin/env bash
# Sets up, builds, and runs the main example.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

bash "$ROOT/scripts/setup.sh"
cd "$ROOT/examples/inprocess"
timed "example: in-process" "$ROOT/.venv/bin/python" main.py "$ROOT/build/examples/inprocess/libinprocess.so"
