#!/usr/bin/env bash
# The mixed soak on a local Ray (127.0.0.1; docs/reliability.md "Mixed soak on Ray"): for
# DURATION, C++ tasks, actors, streams, arrays, native crashes and cancels, every result
# checked (bench/soak_mix.py, on build/tests/apps/libraytest.so); then the calls made, the
# errors by kind (the expected ones apart) and the RSS of every process (driver, GCS,
# raylet, each goray worker) at the start and the end. Exit status 1 on any unexpected
# error or lost result.
#
#   bash scripts/soak.sh 30m                 # DURATION: Ns, Nm or Nh (a bare N is seconds)
#   bash scripts/soak.sh 2m --cpus 2         # options after it go to bench/soak_mix.py
#   bash scripts/soak.sh -n 30m              # prints the seconds and runs nothing
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

usage() {
  echo "usage: bash scripts/soak.sh [-n] DURATION [bench/soak_mix.py options]"
  echo "  DURATION: Ns, Nm or Nh (30m: half an hour; a bare N is seconds)"
}

dry_run=0
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  -n|--dry-run) dry_run=1; shift ;;
esac
[ $# -ge 1 ] || { usage >&2; exit 2; }
duration="$1"; shift
if [[ "$duration" =~ ^([0-9]+)([smh]?)$ ]]; then
  case "${BASH_REMATCH[2]}" in
    ""|s) seconds=$((10#${BASH_REMATCH[1]})) ;;
    m) seconds=$((10#${BASH_REMATCH[1]} * 60)) ;;
    h) seconds=$((10#${BASH_REMATCH[1]} * 3600)) ;;
  esac
else
  echo "soak.sh: '$duration' is not a duration (Ns, Nm or Nh)" >&2
  usage >&2
  exit 2
fi
[ "$seconds" -gt 0 ] || { echo "soak.sh: the duration must be more than 0" >&2; exit 2; }
if [ "$dry_run" -eq 1 ]; then
  echo "$seconds"
  exit 0
fi

bash "$ROOT/scripts/setup.sh"  # the whole tree: libraytest.so is a tests' target

# Ray's sockets and logs in a folder of this checkout's soak (short: socket paths must fit
# in 107 bytes), emptied first, removed when the soak passed.
checkout_id="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
export RAY_TMPDIR="${TMPDIR:-/tmp}/gr-soak-$checkout_id"
rm -rf "$RAY_TMPDIR" && mkdir -p "$RAY_TMPDIR"
export RAY_USAGE_STATS_ENABLED=0

# The whole output into build/soak.log; on the terminal, without Ray's notices of the
# workers the soak crashes and kills on purpose (a long line each, hundreds in 30 minutes;
# the report counts those crashes).
LOG="$ROOT/build/soak.log"
set +e
timed "soak ($duration)" "$ROOT/.venv/bin/python" "$ROOT/bench/soak_mix.py" --seconds "$seconds" "$@" 2>&1 |
  tee "$LOG" |
  grep --line-buffered -v -E '\(raylet\).*(A worker died or was killed|retries remaining, so the task will be retried)'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 0 ]; then
  rm -rf "$RAY_TMPDIR"
  log "the whole output: $LOG"
else
  log "soak failed (exit status $status); the whole output: $LOG; Ray's logs kept in $RAY_TMPDIR"
fi
exit "$status"
