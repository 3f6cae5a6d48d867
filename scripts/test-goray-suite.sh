#!/usr/bin/env bash
# GoRay v1.2.1's OWN integration suite (tests/ of github.com/ray4go/go-ray at the tag
# ray/v1.2.1: 306 Go test cases, one of which, TestPyCallGo, runs the suite's Python tests)
# under OUR Python driver, as a GoRay program would be run with our `goray` command instead
# of GoRay's (docs/testing.md, "GoRay's own test suite").
#
#   bash scripts/test-goray-suite.sh              # the whole suite under our driver (.venv/)
#   bash scripts/test-goray-suite.sh 'Actor'      # only the cases whose name matches a regexp
#   bash scripts/test-goray-suite.sh --upstream   # under GoRay's own driver (.venv-goray/), to compare
#
# What it does, as GoRay's run.sh and CI do (bash run.sh tests local --py-defs
# tests/cases/registry.py), with these differences:
#   - the suite comes from a git mirror of go-ray (GORAY_GO_RAY_GIT, default
#     ../.mirror/ray4go+go-ray/repo beside the checkout), extracted into
#     build-goray-suite/go-ray/tests/; its go.mod's `replace ... => ../ray` is dropped so
#     that GoRay's module github.com/ray4go/go-ray/ray@v1.2.1 comes from the Go module proxy;
#   - the library is built as run.sh builds it (go build -buildmode=c-shared
#     -gcflags="all=-l -N": the suite mocks os.Exit with mockey, which needs inlining off)
#     but without run.sh's coverage instrumentation, and with Go 1.21 as GoRay's CI
#     (GOTOOLCHAIN=go1.21.13, fetched once by the go command from the module proxy):
#     the suite's mockey v1.2.14 does not link with Go 1.26 (runtime.duffcopy is gone);
#   - Ray gets 4 logical CPUs (RAY_OVERRIDE_RESOURCES, GORAY_SUITE_CPUS), as GitHub's
#     4-vCPU runners that ran GoRay's CI: the suite never kills its actors (each holds
#     0.01 CPU, about 40 by then) and TestDivide then asks for num_cpus=2, which never
#     schedules on this 2-core machine's 2 CPUs; Ray keeps up to 8 idle workers
#     (RAY_num_workers_soft_limit, GORAY_SUITE_IDLE_WORKERS; by default as many as CPUs):
#     TestPyCallGo's five concurrent 1-second tasks must end within 3 s, which on 2 cores
#     leaves no time to start a fifth worker (with 8 CPUs instead, the suite's first Wait
#     tests time out while 8 workers start at once);
#   - the run is stopped after GORAY_SUITE_TIMEOUT seconds (default 1800; the suite sets
#     no Go test timeout), then the Ray processes of this run are stopped by their pids.
# It prints one line per test case, the failures' assertion output, and last
#   goray suite: passed=N failed=M total=T
# and exits 1 if any case failed or did not run. The full output is in
# build-goray-suite/suite-ours.log (suite-upstream.log with --upstream).
#
# Idempotent: the extracted suite and the library are reused while the tag's commit, the
# toolchain and this script's build recipe are unchanged (Go's caches make a rebuild quick
# anyway). Assumes scripts/setup.sh ran (.venv/) and Go is installed (scripts/upstream.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/upstream.sh"

TAG="ray/v1.2.1"
TAG_COMMIT="ec970f3d71bc968c16946346834f9498f6f98578"
GO_RAY_GIT="${GORAY_GO_RAY_GIT:-$(dirname "$ROOT")/.mirror/ray4go+go-ray/repo}"
GO_TOOLCHAIN="${GORAY_SUITE_GO_TOOLCHAIN:-go1.21.13}"
CPUS="${GORAY_SUITE_CPUS:-4}"
IDLE_WORKERS="${GORAY_SUITE_IDLE_WORKERS:-8}"
LIMIT="${GORAY_SUITE_TIMEOUT:-1800}"
GO_FLAGS=(-buildmode=c-shared "-gcflags=all=-l -N")
RECIPE_VERSION=1  # bump when the extraction or the build below changes

BUILD="$ROOT/build-goray-suite"
SRC="$BUILD/go-ray"
LIB="$BUILD/libgoraysuite.so"
# Ray's sockets and logs for this checkout's runs: short (socket paths fit in 107 bytes)
# and unique, so the processes of a run are found by it.
RAY_DIR="${TMPDIR:-/tmp}/grs-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"

driver=ours
pattern=""
for argument in "$@"; do
  case "$argument" in
    --upstream) driver=upstream ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) log "unknown option $argument (see --help)"; exit 2 ;;
    *) pattern="$argument" ;;
  esac
done

extract_suite() {
  if ! git -C "$GO_RAY_GIT" rev-parse --git-dir >/dev/null 2>&1; then
    log "no git repository of go-ray at $GO_RAY_GIT"
    log "make one (GitHub access needed once): git clone --mirror https://github.com/ray4go/go-ray.git $GO_RAY_GIT"
    log "or point GORAY_GO_RAY_GIT at any clone of go-ray that has the tag $TAG"
    return 1
  fi
  local commit
  if ! commit="$(git -C "$GO_RAY_GIT" rev-parse --verify -q "$TAG^{commit}")"; then
    log "$GO_RAY_GIT has no tag $TAG: fetch it (git -C $GO_RAY_GIT fetch --tags)"
    return 1
  fi
  if [ "$commit" != "$TAG_COMMIT" ]; then
    log "$TAG is $commit in $GO_RAY_GIT, expected $TAG_COMMIT (GoRay v1.2.1)"
    return 1
  fi
  local stamp="$commit recipe $RECIPE_VERSION"
  [ "$(cat "$SRC/.extracted" 2>/dev/null)" = "$stamp" ] && return 0
  log "extracting $TAG's tests/ into $SRC"
  rm -rf "$SRC"
  mkdir -p "$SRC"
  git -C "$GO_RAY_GIT" archive "$commit" tests | tar -x -C "$SRC"
  # GoRay's module from the Go module proxy, not the repository's ../ray.
  local go
  go="$(find_go)"
  (cd "$SRC/tests" && "$go" mod edit -dropreplace=github.com/ray4go/go-ray/ray \
    -require=github.com/ray4go/go-ray/ray@v1.2.1)
  echo "$stamp" > "$SRC/.extracted"
}

build_suite() {
  local stamp
  stamp="$(cat "$SRC/.extracted") $GO_TOOLCHAIN ${GO_FLAGS[*]}"
  if [ -f "$LIB" ] && [ "$(cat "$BUILD/.built" 2>/dev/null)" = "$stamp" ]; then
    log "the suite's library is up to date: $LIB"
    return 0
  fi
  local go
  go="$(find_go)"
  rm -f "$BUILD/.built"
  (cd "$SRC/tests" && GOTOOLCHAIN="$GO_TOOLCHAIN" GOFLAGS=-mod=mod \
    "$go" build "${GO_FLAGS[@]}" -o "$LIB" .)
  echo "$stamp" > "$BUILD/.built"
}

# The pids of the processes of this script's Ray (their command lines name RAY_DIR).
ray_pids() {
  local cmdline pid
  for cmdline in /proc/[0-9]*/cmdline; do
    pid="${cmdline#/proc/}"; pid="${pid%/cmdline}"
    if { tr '\0' ' ' < "$cmdline"; } 2>/dev/null | grep -qF -- "$RAY_DIR/"; then
      echo "$pid"
    fi
  done
}

# Stops what is left of this run's Ray (the drivers shut theirs down; a killed one may not).
stop_leftovers() {
  local pids
  pids="$(ray_pids)"
  [ -n "$pids" ] || return 0
  log "stopping the processes this run's Ray left: $(echo $pids)"
  # shellcheck disable=SC2086  # a list of pids
  kill -TERM $pids 2>/dev/null || true
  sleep 5
  pids="$(ray_pids)"
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

run_suite() {
  local command
  if [ "$driver" = upstream ]; then
    setup_goray_venv
    # GoRay's CLI, as its run.sh runs it; from the extracted tree, which has no goray/
    # folder to shadow the installed package.
    command=("$GORAY_VENV/bin/python" -m goray.cli "$LIB" --py-defs tests/cases/registry.py)
  else
    [ -x "$ROOT/.venv/bin/goray" ] || { log "no .venv/bin/goray: run bash scripts/setup.sh"; return 1; }
    command=("$ROOT/.venv/bin/goray" --py-defs tests/cases/registry.py "$LIB")
  fi
  stop_leftovers
  rm -rf "$RAY_DIR" && mkdir -p "$RAY_DIR"
  log "running the suite under $DRIVER_NAME (log: $LOG, at most ${LIMIT}s)"
  # From the extracted go-ray folder, as run.sh runs it from go-ray's root. On loopback,
  # no usage stats, a new Ray of its own (RAY_ADDRESS=local: GoRay's CLI calls ray.init()
  # without an address); GoRay's Go library catches SIGINT itself, so the time limit sends
  # SIGTERM, which ends the Python driver and the Ray it started.
  local status=0 pid
  (cd "$SRC" && exec env -u GORAY_BIN_PATH -u GORAY_PY_MUDULE_PATH \
    RAY_TMPDIR="$RAY_DIR" RAY_ADDRESS=local RAY_USAGE_STATS_ENABLED=0 \
    RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 RAY_RUNTIME_ENV_IGNORE_GITIGNORE=1 \
    RAY_OVERRIDE_RESOURCES="{\"CPU\": $CPUS}" RAY_num_workers_soft_limit="$IDLE_WORKERS" \
    TEST_PATTEN="$pattern" \
    timeout -s TERM -k 30 "$LIMIT" "${command[@]}") > "$LOG" 2>&1 &
  pid=$!
  # shellcheck disable=SC2064  # the pid is known now
  trap "kill -TERM $pid 2>/dev/null; stop_leftovers; exit 130" INT TERM
  wait "$pid" || status=$?
  trap - INT TERM
  [ "$status" -ne 124 ] || log "the suite ran out of time (${LIMIT}s): stopped"
  stop_leftovers
  log "the driver exited with status $status"
}

# Per-test results from the Go test output (`go test -v`'s lines), the failures' output,
# and the summary line. The total is the suite's own count ("N test cases found"); a case
# that did not run (the driver died or ran out of time) counts as failed.
report() {
  python3 - "$LOG" <<'EOF'
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
text = re.sub(r"\x1b\[[0-9;]*m", "", text)
lines = text.splitlines()
found = re.search(r"^(\d+) test cases found$", text, re.MULTILINE)
total = int(found.group(1)) if found else 0
result = re.compile(r"^--- (PASS|FAIL|SKIP): (.*) \((\d+\.\d+)s\)$")
results, started, block, blocks = [], [], None, []
for line in lines:
    if line.startswith("=== RUN   "):
        started.append(line[len("=== RUN   "):])
        block = []
        continue
    match = result.match(line)
    if match:
        results.append(match.groups())
        if match.group(1) == "FAIL":
            blocks.append((match.group(2), block or []))
        block = None
        continue
    if block is not None:
        block.append(line)
for outcome, name, seconds in results:
    print(f"{outcome} {name} ({seconds}s)")
unfinished = started[len(results):]
for name in unfinished:
    print(f"NOT FINISHED {name}")
# A skipped case is not a failure (GoRay's own count: Passed = found - failed).
passed = sum(1 for outcome, _, _ in results if outcome in ("PASS", "SKIP"))
summary = re.search(r"^Passed: (\d+), Failed: (\d+)$", text, re.MULTILINE)
if summary and int(summary.group(1)) != passed:
    print(f"(the suite's own count says {summary.group(1)} passed, the result lines {passed})")
if not found:
    print("the suite did not start: no 'N test cases found' line (see the log)")
for name, output in blocks:
    # testify's assertion output (Error Trace / Error / Messages), not the Ray log lines.
    detail = [l for l in output if l.startswith(("    ", "\t"))] or output
    print(f"\n--- {name}:")
    for l in detail[:40]:
        print("  " + l.rstrip()[:300])
    if len(detail) > 40:
        print(f"  ... {len(detail) - 40} more lines in the log")
failed = max(total - passed, 0) if total else 1
print(f"goray suite: passed={passed} failed={failed} total={total}")
sys.exit(1 if failed else 0)
EOF
}

mkdir -p "$BUILD"
LOG="$BUILD/suite-$driver.log"
if [ "$driver" = ours ]; then DRIVER_NAME="our driver (.venv/)"; else DRIVER_NAME="GoRay's driver (.venv-goray/)"; fi
timed "goray suite: extract $TAG" extract_suite
timed "goray suite: build the Go library ($GO_TOOLCHAIN)" build_suite
timed "goray suite: run under $DRIVER_NAME" run_suite
report
