#!/usr/bin/env bash
# Builds an optimized (Release) tree in build-release/ and runs the benchmarks.
#   bash scripts/bench.sh            # local, scan and remote
#   bash scripts/bench.sh --ray 2.40.0 remote   # any of them under another Ray release,
#                                    # from its virtualenv .venv-ray-2.40.0/ (scripts/lib.sh)
#   bash scripts/bench.sh local      # in-process call latency only: vs the raw C ABI floor,
#                                    # and vs nanobind on the same C++ functions (~2 min)
#   bash scripts/bench.sh remote     # remote task/actor throughput only
#   bash scripts/bench.sh scan       # scanner time vs clang -fsyntax-only
#   bash scripts/bench.sh arrays [bench/arrays.py options]
#                                    # 2 * a over NumPy arrays: C++ tasks vs plain Ray
#                                    # with NumPy, and in-process views vs a memcpy (~5 min)
#                                    # and 2 * m as Eigen matrices vs ArrayView (bench/eigen.py)
#   bash scripts/bench.sh concurrency [bench/concurrency.py options]
#                                    # a threaded C++ actor's Spin at max_concurrency 2 vs 1,
#                                    # C++ -> Python async actor calls in flight vs one by one
#   bash scripts/bench.sh streaming [bench/streaming.py options]
#                                    # C++ generator tasks streamed to Python (first item,
#                                    # items/s) and to a C++ consumer vs plain-Python generators
#   bash scripts/bench.sh graphs [bench/compiled_graphs.py options]
#                                    # round trips through a C++ vs a Python actor method,
#                                    # classic and in a compiled graph, and from the C++ driver
#   bash scripts/bench.sh local-pythons [bench/local_pythons.py options]
#                                    # the local calls under CPython 3.10 to 3.13, each with
#                                    # its own fast path (built in build-fastpath-py3.X)
#   bash scripts/bench.sh serve [bench/serve.py options]
#                                    # a C++ Serve deployment (goray.serve) vs a Python one
#                                    # of the same logic: handle, HTTP, p99, batch (~3 min)
#   bash scripts/bench.sh map [bench/map.py options]
#                                    # goray.map over 2,000,000 floats (a ~0.25 µs C++ task)
#                                    # vs Ray's C++ API, a Ray Pool and the native loop; then
#                                    # cheap items: vs NumPy over Ray, own chunks vs fixed
#                                    # sizes, the C++ driver's goray::Map; the driver's
#                                    # CPU per item and time to start (~5 min);
#                                    # --cores N: N CPUs vs the native loop on N threads;
#                                    # with --cost: the scaling table instead
#   bash scripts/bench.sh edit-loop [bench/edit_build_loop.py options]
#                                    # a user's edit-build loop: cmake --build after a task's
#                                    # body is edited, Unix Makefiles and Ninja (~5 min)
#   bash scripts/bench.sh data [bench/data_strings.py options]
#                                    # string columns: a ~2M-row Parquet pipeline through Ray
#                                    # Data, and 100k rows in-process, vs nanobind (~6 min;
#                                    # --rows 200000 for a quick run)
#   bash scripts/bench.sh peers [bench/peers.py options]
#                                    # ours vs GoRay vs plain Python vs Ray's C++ API:
#                                    # writes bench/report.md and bench/peers.png (~30 min)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/upstream.sh"
MATPLOTLIB="matplotlib==3.9.2"

PYTHON="$ROOT/.venv/bin/python"
if [ "${1:-}" = --ray ]; then
  [ -n "${2:-}" ] || { echo "bench.sh: --ray needs a release (2.40.0, say)" >&2; exit 2; }
  ray_release="$2"
  shift 2
fi

bash "$ROOT/scripts/setup.sh"
enable_compile_cache  # ccache's settings, when setup.sh has just installed it
[ -z "${ray_release:-}" ] || PYTHON="$(ray_venv "$ray_release")/bin/python"
# No scanner in build-release/: its goray_add_app applications (bench/bench_map.cpp) use
# the goray-scan setup.sh built in build/.
GORAY_SCAN_BUILT="$ROOT/build/bin/goray-scan"
if [ ! -f "$ROOT/build-release/build.ninja" ]; then
  # No fast path: the benchmarks import the one build/ writes into python/goray/.
  cmake -S "$ROOT" -B "$ROOT/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGORAY_BUILD_TESTS=OFF -DGORAY_BUILD_EXAMPLES=OFF -DGORAY_BUILD_SCANNER=OFF \
    -DGORAY_BUILD_FASTPATH=OFF -DGORAY_SCAN="$GORAY_SCAN_BUILT" >/dev/null
elif [ -x "$GORAY_SCAN_BUILT" ] &&
     grep -q '^GORAY_SCAN:FILEPATH=.*NOTFOUND' "$ROOT/build-release/CMakeCache.txt"; then
  cmake -S "$ROOT" -B "$ROOT/build-release" -DGORAY_SCAN="$GORAY_SCAN_BUILT" >/dev/null
fi
cmake --build "$ROOT/build-release" -j "$(nproc)" --target all goray_bench

what="${1:-all}"
if [ "$what" = all ] || [ "$what" = local ]; then
  timed "bench: local calls" "$PYTHON" "$ROOT/bench/local_calls.py" \
    "$ROOT/build-release/bench/libbench_local.so"
  # goray_add_app's bench_local_peer and its nanobind twin (bench/local_peer/CMakeLists.txt).
  timed "bench: local calls vs nanobind" "$PYTHON" "$ROOT/bench/local_peer.py" \
    "$ROOT/build-release/bench/local_peer"
fi
if [ "$what" = local-pythons ]; then  # not in "all": a few minutes, and four Pythons
  timed "bench: local calls per Python" "$PYTHON" "$ROOT/bench/local_pythons.py" \
    --library "$ROOT/build-release/bench/libbench_local.so" "${@:2}"
fi
if [ "$what" = all ] || [ "$what" = scan ]; then
  timed "bench: scanner" "$PYTHON" "$ROOT/bench/scan_bench.py"
fi
if [ "$what" = all ] || [ "$what" = remote ]; then
  timed "bench: remote calls" "$PYTHON" "$ROOT/bench/remote_calls.py" \
    "$ROOT/build-release/bench/libbench_remote.so" "${@:2}"
fi
if [ "$what" = arrays ]; then  # not in "all": 64 and 256 MiB arrays, several minutes
  timed "bench: arrays" "$PYTHON" "$ROOT/bench/arrays.py" \
    "$ROOT/build-release/bench/libbench_arrays.so" "${@:2}"
  if [ -f "$ROOT/build-release/bench/libbench_eigen.so" ]; then  # Eigen installed
    timed "bench: Eigen matrices" "$PYTHON" "$ROOT/bench/eigen.py" \
      "$ROOT/build-release/bench/libbench_eigen.so"
  fi
fi
if [ "$what" = concurrency ]; then  # not in "all": raytest's actors (build/, by setup.sh)
  timed "bench: concurrency" "$PYTHON" "$ROOT/bench/concurrency.py" \
    "$ROOT/build/tests/apps/libraytest.so" "${@:2}"
fi
if [ "$what" = streaming ]; then  # not in "all": raytest's generators (build/, by setup.sh)
  timed "bench: streaming" "$PYTHON" "$ROOT/bench/streaming.py" \
    "$ROOT/build/tests/apps/libraytest.so" "${@:2}"
fi
if [ "$what" = graphs ]; then  # not in "all": raytest's GraphStage (build/, by setup.sh)
  timed "bench: compiled graphs" "$PYTHON" "$ROOT/bench/compiled_graphs.py" \
    "$ROOT/build/tests/apps/libraytest.so" "${@:2}"
fi
if [ "$what" = serve ]; then  # not in "all": Ray Serve, a C++ and a Python deployment (~3 min)
  timed "bench: serve" "$PYTHON" "$ROOT/bench/serve.py" "$ROOT/build-release/bench/libbench_serve.so" "${@:2}"
fi
if [ "$what" = map ]; then  # not in "all": goray.map vs Ray's C++ API, a Pool, NumPy (~4 min)
  # Ray's C++ API: when it cannot be set up, vs_raycpp says n/a and the rest still runs.
  timed "bench: Ray's C++ API" bash "$ROOT/scripts/setup-raycpp.sh" ||
    log "Ray's C++ API could not be set up (see above): vs_raycpp will be n/a"
  timed "bench: map" "$PYTHON" "$ROOT/bench/map.py" "$ROOT/build-release/bench/libbench_map.so" "${@:2}"
fi
if [ "$what" = data ]; then  # not in "all": Ray Data over Parquet, three systems (~6 min)
  timed "bench: string columns" "$PYTHON" "$ROOT/bench/data_strings.py" \
    "$ROOT/build-release/bench/strings_peer/libbench_strings.so" \
    --peer-dir "$ROOT/build-release/bench/strings_peer" "${@:2}"
fi
if [ "$what" = edit-loop ]; then  # not in "all": builds the application 6 times (~5 min)
  timed "bench: edit-build loop" "$PYTHON" "$ROOT/bench/edit_build_loop.py" "${@:2}"
fi
if [ "$what" = peers ]; then  # not in "all": it takes about 30 minutes
  timed "bench: GoRay's virtualenv" setup_goray_venv
  timed "bench: the Go app (GoRay)" build_go_app "$ROOT/bench/peers/go" "$ROOT/build-release/bench/libpeers_go.so"
  # Ray's C++ API: when it cannot be set up, the report says so and the rest still runs.
  timed "bench: Ray's C++ API" bash "$ROOT/scripts/setup-raycpp.sh" ||
    log "Ray's C++ API could not be set up (see above); the report marks it unavailable"
  "$ROOT/.venv/bin/python" -c "import matplotlib" 2>/dev/null ||
    "$ROOT/.venv/bin/pip" install -q --disable-pip-version-check "$MATPLOTLIB"
  timed "bench: peers" "$ROOT/.venv/bin/python" "$ROOT/bench/peers.py" "${@:2}"
fi
