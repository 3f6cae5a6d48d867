#!/usr/bin/env bash
# Sets up and builds the examples, then runs the main one (the README's first command), or
# the ones named, each on a local Ray of its own (127.0.0.1):
#   bash scripts/run-example.sh                  # the main example: rayapp
#   bash scripts/run-example.sh --all            # every example (CI's examples stage)
#   bash scripts/run-example.sh montecarlo ...   # those examples
# The examples:
#   rayapp         the README's example: a C++ driver calling C++ and Python, and back
#   python_driven  a Python program using the generated, typed stubs
#   montecarlo     C++ option pricing fanned out over Ray, analysed in Python
#   imagetiles     C++ Sobel kernels over NumPy image tiles on Ray, reassembled in NumPy
#   inprocess      C++ <-> Python in-process, no Ray
#   concurrency    C++ streaming generators and a threaded actor with concurrency groups,
#                  from a C++ driver and from Python through the generated stubs
#   raydata        a C++ task and a C++ actor as Ray Data map_batches UDFs (goray.data)
#   serving        a C++ actor type as a Ray Serve deployment (goray.serve): batching,
#                  streaming, a Python ingress, HTTP answers checked
#   mapping        many small calls: goray.map over 1,000,000 items from Python and
#                  goray::Map from a C++ driver, each chunk's loop in C++
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

EXAMPLES=(rayapp python_driven montecarlo imagetiles inprocess concurrency raydata serving mapping)
chosen=()
for argument in "$@"; do
  case "$argument" in
    --all) chosen=("${EXAMPLES[@]}") ;;
    *)
      if [[ " ${EXAMPLES[*]} " != *" $argument "* ]]; then
        echo "run-example.sh: no example named '$argument'; the examples: ${EXAMPLES[*]} (or --all)" >&2
        exit 2
      fi
      chosen+=("$argument") ;;
  esac
done
[ "${#chosen[@]}" -gt 0 ] || chosen=(rayapp)

# Only what the examples need (setup.sh --examples: not the tests' targets, which
# run-tests.sh builds).
bash "$ROOT/scripts/setup.sh" --examples
enable_compile_cache  # ccache's settings, when setup.sh has just installed it
# The examples leave most of a core idle (Ray's start-ups): the tests' targets compile
# there meanwhile, at the lowest priority, so that the README's second command finds them
# in ccache (scripts/lib.sh; GORAY_BACKGROUND_BUILD=0 turns it off).
start_background_build
trap stop_background_build EXIT
PY="$ROOT/.venv/bin/python"
BUILD="$ROOT/build/examples"
export RAY_USAGE_STATS_ENABLED=0

run_rayapp() {
  timed "example: rayapp (goray CLI)" "$ROOT/.venv/bin/goray" --py-defs app.py "$BUILD/rayapp/librayapp.so"
}
run_python_driven() {
  timed "example: python_driven" "$PY" main.py "$BUILD/rayapp/librayapp.so" "$BUILD/rayapp"
}
run_montecarlo() {
  timed "example: montecarlo" "$PY" main.py "$BUILD/montecarlo/libpricing.so" "$BUILD/montecarlo"
}
run_imagetiles() {
  timed "example: imagetiles" "$PY" main.py "$BUILD/imagetiles/libimagetiles.so" "$BUILD/imagetiles"
}
run_inprocess() {
  timed "example: inprocess" "$PY" main.py "$BUILD/inprocess/libinprocess.so"
}
run_concurrency() {
  timed "example: concurrency (goray CLI)" "$ROOT/.venv/bin/goray" --py-defs app.py \
    "$BUILD/concurrency/libconcurrency.so"
  timed "example: concurrency (stubs)" "$PY" main.py "$BUILD/concurrency/libconcurrency.so" \
    "$BUILD/concurrency"
}
run_raydata() {
  timed "example: raydata" "$PY" main.py "$BUILD/raydata/liborders.so"
}
run_serving() {
  # Its output, kept to check that Serve took its HTTP options as given (Serve warns "The new
  # HTTP config is ignored" when serve.run asks for others than serve.start's).
  local output="$BUILD/serving/main.out"
  timed "example: serving (Ray Serve)" "$PY" main.py "$BUILD/serving/libscoring.so" "$BUILD/serving" \
    2>&1 | tee "$output"
  if grep -q "HTTP config is ignored" "$output"; then
    echo "run-example.sh: examples/serving: Serve ignored the HTTP options serve.start gave it" >&2
    return 1
  fi
  # docs/serve.md shows this output (tests/docs/test_docs_samples.py lists who checks each sample).
  python3 "$ROOT/tests/doc_samples.py" docs/serve.md 'POST /model/Score' < "$output"
}
run_mapping() {
  timed "example: mapping (goray.map)" "$PY" main.py "$BUILD/mapping/libmapping.so" "$BUILD/mapping"
}

# Each run_<example> runs in its example's folder, examples/<example>.
for example in "${chosen[@]}"; do
  cd "$ROOT/examples/$example"
  "run_$example"
done
if [ "${#chosen[@]}" -lt "${#EXAMPLES[@]}" ]; then
  log "the other examples: bash scripts/run-example.sh --all (or name them: ${EXAMPLES[*]})"
fi
