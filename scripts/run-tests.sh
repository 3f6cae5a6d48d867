#!/usr/bin/env bash
# Sets up and builds the tree once, then runs test stages in one of two tiers
# (docs/testing.md, "Two tiers"):
#
#   bash scripts/run-tests.sh              tier 1, the landing run (CI: .ci/run): the
#                                          stages of LANDING, each without its tests
#                                          marked tier2
#   bash scripts/run-tests.sh --all        tier 2, everything: every stage, every test
#   bash scripts/run-tests.sh cpp python   the stages named, in that order (tier 1's
#                                          part of each; with --all, the whole of each)
#
# The stages:
#   cpp          the C++ trees' include layers (scripts/check-include-layers.py), then
#                the runtime's GoogleTest binary once, in a shuffled order
#   python       the layers of python/goray (lint-imports, .importlinter), then the Python
#                driver in-process (pytest tests/python)
#   ray          the driver on a loopback Ray (pytest tests/ray)
#   gen          goray-scan (its gtest binary) and goray-gen's renderers (pytest tests/renderers)
#   docs         every command in the docs' shell blocks (pytest tests/docs), the docs site
#                built in strict mode with its API references, the docs' sizes checked
#   examples     the main example (tier 2: every example, scripts/run-example.sh --all)
#   wheel        the cp311 wheel (tier 2: every CPython's), installed into a throwaway
#                venv, the README's application built and run with it (pytest tests/wheel)
#   ray-oldest   (tier 2) the Ray-release subset on the oldest supported Ray
#                (scripts/test-ray-versions.sh --oldest)
#   interop      (tier 2) with GoRay's driver and libraries (scripts/test-interop.sh)
#   reliability  (tier 2) compile-fail cases, fuzzing, sanitizer builds
#                (scripts/test-reliability.sh)
#   aarch64      (tier 2) the aarch64 wheel, cross-compiled and run under qemu-user
#                (pytest tests/aarch64)
#   py314        (tier 2) the cp314 wheel in a Debian forky environment with CPython 3.14
#                (tests/py314/run.sh)
#
# Every named stage runs even when an earlier one fails; the exit status is 1 if any
# failed, 2 for an unknown stage name. -n (--dry-run) prints the stages it would run (and,
# on stderr, the tier and whether the long runs are in).
#
# --long (or GORAY_LONG_TESTS=1) also runs the long runs (tests marked `long`: a covered
# path again on another path or at a scale, docs/testing.md "Long runs") and fuzzes 60 s
# per target instead of 10 s.
#
# With no stage named and two or more cores, two lanes run the stages side by side, each
# taking the next stage of its tier's queue (below) when its last one ends; --serial (or
# GORAY_TEST_SERIAL=1) runs every stage one after the other instead. Each stage's time,
# then the slowest tests of the run (scripts/test-times.py), are printed at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/lanes.sh"

STAGES=(cpp python ray gen docs examples wheel ray-oldest interop reliability aarch64 py314)
# Tier 1, the landing run: what a change most often breaks (docs/testing.md, "Two tiers").
LANDING=(cpp python ray gen docs examples wheel)

# The Ray stages keep about one of two cores busy (their processes wait on Ray's start-up
# and on each other), so two lanes fill the machine. Each lane takes the next stage of its
# tier's queue, longest first, when its last one ends (measured: docs/testing.md).
LANDING_QUEUE=(ray gen wheel docs python examples cpp)
QUEUE=(ray wheel aarch64 gen reliability interop py314 ray-oldest examples docs python cpp)
# Never side by side: examples and interop both run CMake and ninja in build/.
APART=("examples interop")
# Side by side only when nothing else is left to run: their Rays slowed each other
# (examples 225 s against 122 s, ray 1034 s against 941 s).
PREFER_APART=("examples ray")
# py314 installs the cp314 wheel the wheel stage built (each wheel is built once a run).
AFTER=("py314 wheel")

usage() {
  echo "usage: bash scripts/run-tests.sh [-n|--dry-run] [--all] [--serial] [--long] [STAGE...]"
  echo "  stages: ${STAGES[*]}"
  echo "  none named: tier 1's (${LANDING[*]}); --all: tier 2, every stage and test"
}

is_stage() {
  local stage
  for stage in "${STAGES[@]}"; do [ "$stage" = "$1" ] && return 0; done
  return 1
}

chosen=()
dry_run=0
serial="${GORAY_TEST_SERIAL:-0}"
long_runs=0
! long_runs_wanted || long_runs=1
tier=1
for argument in "$@"; do
  case "$argument" in
    -h|--help) usage; exit 0 ;;
    -n|--dry-run) dry_run=1; continue ;;
    --all) tier=2; continue ;;
    --serial) serial=1; continue ;;
    --long) long_runs=1; continue ;;
  esac
  if ! is_stage "$argument"; then
    echo "run-tests.sh: unknown stage '$argument'" >&2
    usage >&2
    exit 2
  fi
  chosen+=("$argument")
done
lanes=0
if [ ${#chosen[@]} -eq 0 ]; then
  if [ "$tier" -eq 2 ]; then
    chosen=("${STAGES[@]}")
  else
    chosen=("${LANDING[@]}") QUEUE=("${LANDING_QUEUE[@]}")
  fi
  [ "$serial" = 1 ] || [ "$(nproc)" -lt 2 ] || lanes=1
fi
# A full run writes about 8 GB (build trees, the wheel's venvs, Ray's logs): say so at
# the start, rather than as a compiler's "No space left on device" half an hour later.
NEEDED_GB="${GORAY_TEST_NEEDED_GB:-8}"
check_free_space() {
  local folder free_gb
  for folder in "$ROOT" "${TMPDIR:-/tmp}"; do
    free_gb=$(( $(df -Pk "$folder" | awk 'NR == 2 { print $4 }') / 1024 / 1024 ))
    if [ "$free_gb" -lt "$NEEDED_GB" ]; then
      log "warning: $free_gb GB free under $folder; a full test run needs about $NEEDED_GB GB"
    fi
  done
}
[ "${#chosen[@]}" -lt "${#LANDING[@]}" ] || check_free_space

# Read by the pytest stages' conftests (tests/tiers.py), the examples and wheel stages and
# the reliability stage.
export GORAY_TEST_TIER="$tier" GORAY_LONG_TESTS="$long_runs"

if [ "$dry_run" -eq 1 ]; then
  if [ "$tier" -eq 2 ]; then echo "tier 2: every test" >&2; else
    echo "tier 1: the landing run (--all runs tier 2)" >&2; fi
  if [ "$long_runs" -eq 1 ]; then echo "long runs: included" >&2; else
    echo "long runs: left out (--long runs them)" >&2; fi
  if [ "$lanes" -eq 1 ]; then
    echo "two lanes, each taking the next of: ${QUEUE[*]}"
  else
    printf '%s\n' "${chosen[@]}"
  fi
  exit 0
fi

# pytest's temporary folders are under build/pytest/<stage>/ (emptied at each start), not
# /tmp: the CMake projects the tests build there then have the same paths relative to the
# checkout in every run and every clone, so ccache (scripts/lib.sh) finds their compiles.
# Each stage's slowest tests are listed after its summary (--durations), and every test's
# time is in build/pytest/<stage>.xml (JUnit XML) for a closer look.
# A stage's pytest runs through scripts/pytest-resume.py: when Ray aborts pytest's own
# process (a failed check inside Ray's core worker, seen now and then on Ray 2.60 after a
# cancel), the tests it had not finished run in a new pytest, and the stage passes only
# if they pass and Ray's log shows its own check (docs/testing.md, "When Ray aborts").
# --timeout: a test that hangs (a Ray that never answers) fails after 15 minutes, naming
# itself, instead of holding CI until its own limit (pytest-timeout, requirements-dev.txt).
PYTEST_OPTIONS=(-q --durations=15 --timeout=900)
PYTEST=("$ROOT/.venv/bin/python" -m pytest "${PYTEST_OPTIONS[@]}")
pytest_in() {
  local stage="$1"; shift
  mkdir -p "$ROOT/build/pytest"  # pytest makes only the last folder of --basetemp
  "$ROOT/.venv/bin/python" "$ROOT/scripts/pytest-resume.py" \
    --abort-log "$RAY_TMPDIR/**/python-core-driver-*_{pid}.log" -- "${PYTEST_OPTIONS[@]}" \
    --basetemp="$ROOT/build/pytest/$stage" --junitxml="$ROOT/build/pytest/$stage.xml" "$@"
}
ctest_in_build() { (cd "$ROOT/build" && ctest --output-on-failure -j "$(nproc)" "$@"); }

# One function per stage, in STAGES' order. Each process of in-process and Ray tests
# loads its own application library (one per process), and the Ray one starts one Ray:
# separate pytests.
# cpp: first the C++ trees' include layers (scripts/include-layers.ini), as lint-imports
# checks Python's, and for the runtime and the scanner also the functions each built
# object uses from another (--objects: a circle of definitions fails as an include circle
# does); then the runtime's tests, once, in one process in a shuffled order (a test that
# leans on another's leftovers, or on running first, fails there; the sanitizer trees run
# them again in tier 2), and the checks of the binary and the packaged runtime (ctest's
# label cpp_checks).
stage_cpp() {
  rm -rf "$ROOT/build/pytest/cpp" && mkdir -p "$ROOT/build/pytest/cpp"
  python3 "$ROOT/scripts/check-include-layers.py" --objects --build "$ROOT/build" &&
    "$ROOT/build/tests/cpp/goray_runtime_test" --gtest_brief=1 --gtest_shuffle \
      --gtest_output="xml:$ROOT/build/pytest/cpp/" &&
    ctest_in_build -L cpp_checks
}
# The package's import layers (lint-imports, the contracts in .importlinter), then pytest:
# both run, and the stage fails if either fails.
stage_python() {
  local status=0
  "$ROOT/.venv/bin/lint-imports" --config "$ROOT/.importlinter" --no-logo --no-cache || status=1
  pytest_in python "$ROOT/tests/python" || status=1
  return "$status"
}
stage_ray() { pytest_in ray "$ROOT/tests/ray"; }
# The scanner's tests (ctest label "scanner") in one process: one ctest process per test
# would parse the standard headers again at each start, several times slower.
stage_gen() {
  "$ROOT/build/tests/scanner/goray_scanner_test" --gtest_brief=1 \
      --gtest_output="xml:$ROOT/build/pytest/gen-scanner.xml" &&
    pytest_in gen "$ROOT/tests/renderers"
}
# Also the check that every size near the wheel's words in docs/ is computed or listed
# (tests/wheel/test_doc_figures.py): it needs no wheel, and a doc edit should fail here,
# in the stage run after doc edits, not only in the wheel's.
stage_docs() {
  local status=0
  pytest_in docs "$ROOT/tests/docs" || status=1
  pytest_in docs-sizes "$ROOT/tests/wheel/test_doc_figures.py" \
    -k test_every_size_of_the_wheel_in_the_docs_is_checked || status=1
  return "$status"
}
# Tier 1: the main example (the README's first command); tier 2: every example.
# (The tree is built: no background build beside them.)
stage_examples() {
  if [ "$GORAY_TEST_TIER" = 2 ]; then GORAY_BACKGROUND_BUILD=0 bash "$ROOT/scripts/run-example.sh" --all
  else GORAY_BACKGROUND_BUILD=0 bash "$ROOT/scripts/run-example.sh"; fi
}
# The wheel's tests hide the checkout from some of their commands (test_install.py mounts
# over it), so their temporary folders are outside it, in the checkout's scratch folder
# (below), which is ccache's base for their compiles (build-wheel.sh sets its own). The
# wheels it builds (tier 1: cp311; tier 2: every CPython's) go to $GORAY_RUN_WHEELS, where
# the py314 stage finds the cp314 one.
stage_wheel() {
  mkdir -p "$SCRATCH"
  CCACHE_BASEDIR="$SCRATCH" "${PYTEST[@]}" --basetemp="$SCRATCH/wheel" \
    --junitxml="$ROOT/build/pytest/wheel.xml" "$ROOT/tests/wheel"
}
# The stages of tier 2 alone run whole, named or not (GORAY_TEST_TIER=2).
stage_ray-oldest() {
  GORAY_TEST_TIER=2 GORAY_SKIP_SETUP=1 bash "$ROOT/scripts/test-ray-versions.sh" --oldest
}
stage_interop() { GORAY_TEST_TIER=2 bash "$ROOT/scripts/test-interop.sh"; }
stage_reliability() { GORAY_TEST_TIER=2 bash "$ROOT/scripts/test-reliability.sh"; }
stage_aarch64() { GORAY_TEST_TIER=2 pytest_in aarch64 "$ROOT/tests/aarch64"; }
stage_py314() { GORAY_TEST_TIER=2 bash "$ROOT/tests/py314/run.sh"; }

# Folders outside the checkout, named after it so that every clone has its own and a run
# replaces what the last run in the same place left: the wheel's tests' (above) and Ray's
# (RAY_TMPDIR: every Ray the tests start, and its session logs). Both are removed when
# every stage passes and kept for a look when one fails. Short: Ray's socket paths must
# fit in 107 bytes.
checkout_id="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
SCRATCH="${TMPDIR:-/tmp}/goray-tests-$checkout_id"
export RAY_TMPDIR="${TMPDIR:-/tmp}/gr-$checkout_id"
rm -rf "$RAY_TMPDIR" && mkdir -p "$RAY_TMPDIR"

# The reports written after this file are this run's (scripts/failed-tests.py,
# scripts/test-times.py); each stage's time goes to STAGE_TIMES (lanes.sh's run_stage).
RUN_MARK="$ROOT/build/pytest/.run-started"
export STAGE_TIMES="$ROOT/build/pytest/stage-times.tsv"
mkdir -p "$ROOT/build/pytest" && : > "$RUN_MARK" && : > "$STAGE_TIMES"
# This run's wheels (the wheel stage's), where the py314 stage finds the cp314 one.
export GORAY_RUN_WHEELS="$ROOT/build/pytest/wheels"
rm -rf "$GORAY_RUN_WHEELS"

build_start=$SECONDS
if ! timed "set-up and build" bash "$ROOT/scripts/setup.sh"; then
  log "the set-up or the build failed: no stage can run"
  exit 1
fi
printf 'build\t%d\tpassed\n' $((SECONDS - build_start)) >> "$STAGE_TIMES"
# ccache's settings, when setup.sh (a child) has just installed it: the CMake projects the
# stages' tests configure (gen, docs, wheel) inherit this process's environment.
enable_compile_cache

failed=()
run_stages() {
  local stage
  for stage in "$@"; do
    run_stage "$stage"
  done
}

# run_lanes: the first lane's output goes to build/pytest/lane-1.log, printed when it
# ends (its stages' lines would interleave with the other lane's); the second lane prints
# as it goes. A lane's failed stages come back through its file.
run_lanes() {
  local log="$ROOT/build/pytest/lane-1.log" failures="$ROOT/build/pytest/lane-1.failed"
  queue_init "$ROOT/build/pytest/queue" "${QUEUE[@]}"
  : > "$failures"
  log "two lanes take the stages in turn (${QUEUE[*]}); lane 1's output: $log"
  # Job control puts the lane in a process group of its own with SIGINT's default
  # disposition (a script's background jobs otherwise ignore it); Ctrl-C or a TERM to
  # this script stops the lane's group too.
  set -m
  ( failed=(); run_lane 1; printf '%s\n' "${failed[@]}" > "$failures" ) > "$log" 2>&1 &
  local lane_pid=$!
  set +m
  # shellcheck disable=SC2064  # the pid is known now
  trap "kill -TERM -- -$lane_pid 2>/dev/null; exit 130" INT TERM
  run_lane 2
  wait "$lane_pid" || true
  trap - INT TERM
  log "lane 1's output:"
  cat "$log" >&2
  local stage
  while read -r stage; do [ -z "$stage" ] || failed+=("$stage"); done < "$failures"
}

if [ "$lanes" -eq 1 ]; then
  run_lanes
else
  run_stages "${chosen[@]}"
fi
# The folders that the dashboards of this run's Rays left in the temporary directory
# (tests/ray_leftovers.py says why; the stages' pytest sessions remove theirs, this the rest).
"$ROOT/.venv/bin/python" "$ROOT/tests/ray_leftovers.py" "$RUN_MARK" || true
# Where the time went: each stage's, then the run's slowest tests.
"$ROOT/.venv/bin/python" "$ROOT/scripts/test-times.py" --run "$STAGE_TIMES" \
  --newer-than "$RUN_MARK" --slowest 10 >&2 || true
if [ ${#failed[@]} -gt 0 ]; then
  log "the failed tests (from the stages' JUnit reports):"
  "$ROOT/.venv/bin/python" "$ROOT/scripts/failed-tests.py" --newer-than "$RUN_MARK" >&2 || true
  log "failed stages: ${failed[*]}"
  log "kept for a look: $SCRATCH (the wheel's tests), $RAY_TMPDIR (Ray's logs)"
  df -h "$ROOT" "${TMPDIR:-/tmp}" >&2
  exit 1
fi
rm -rf "$SCRATCH" "$RAY_TMPDIR"
log "passed stages: ${chosen[*]}"
