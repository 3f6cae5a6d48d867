#!/usr/bin/env bash
# Builds an optimized (Release) tree in build-release/ and runs the benchmarks.
#   bash scripts/bench.sh            # all benchmarks
#   bash scripts/bench.sh local      # in-process call latency only
#   bash scripts/bench.sh remote     # remote task/actor throughput only
#   bash scripts/bench.sh scan       # scanner time vs clang -fsyntax-only
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

bash "$ROOT/scripts/setup.sh"
if [ ! -f "$ROOT/build-release/build.ninja" ]; then
  cmake -S "$ROOT" -B "$ROOT/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGORAY_BUILD_TESTS=OFF -DGORAY_BUILD_EXAMPLES=OFF -DGORAY_BUILD_SCANNER=OFF >/dev/null
fi
cmake --build "$ROOT/build-release" -j "$(nproc)"

what="${1:-all}"
if [ "$what" = all ] || [ "$what" = local ]; then
  timed "bench: local calls" "$ROOT/.venv/bin/python" "$ROOT/bench/local_calls.py" \
    "$ROOT/build-release/bench/libbench_local.so"
fi
if [ "$what" = all ] || [ "$what" = scan ]; then
  timed "bench: scanner" "$ROOT/.venv/bin/python" "$ROOT/bench/scan_bench.py"
fi
if [ "$what" = all ] || [ "$what" = remote ]; then
  timed "bench: remote calls" "$ROOT/.venv/bin/python" "$ROOT/bench/remote_calls.py" \
    "$ROOT/build-release/bench/libbench_remote.so"
fi
