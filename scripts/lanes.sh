# Two lanes sharing one queue of stages (sourced by run-tests.sh): each lane takes the
# next stage it may run when its last one ends, so the lanes stay even whichever stages
# are long on this machine. The queue is a folder: the stages not yet taken (waiting, in
# order), one file per stage running (running/STAGE), and the lock that every change to
# them holds. The caller defines stage_NAME for each stage, a failed array (run_stage adds
# the stages that fail), and three lists of pairs "A B":
# APART (never side by side), PREFER_APART (side by side only when nothing else is left) and
# AFTER (A starts only once B, when B is in the run, has ended: A uses what B built).

# queue_init DIR STAGE...: a new queue in DIR holding the stages, in that order.
queue_init() {
  QUEUE_DIR="$1"; shift
  rm -rf "$QUEUE_DIR"
  mkdir -p "$QUEUE_DIR/running"
  printf '%s\n' "$@" > "$QUEUE_DIR/waiting"
}

pair_in() {  # pair_in "A B" LIST...: whether A and B (either order) are one of LIST's pairs
  local pair="$1" listed; shift
  for listed in "$@"; do
    [ "$listed" = "$pair" ] || [ "$listed" = "${pair#* } ${pair% *}" ] && return 0
  done
  return 1
}

# waits_for_another STAGE WAITING...: whether an AFTER pair makes STAGE wait for a stage
# still waiting or running.
waits_for_another() {
  local stage="$1" pair; shift
  for pair in ${AFTER[@]+"${AFTER[@]}"}; do
    [ "${pair% *}" = "$stage" ] || continue
    [ -e "$QUEUE_DIR/running/${pair#* }" ] && return 0
    printf '%s\n' "$@" | grep -qx -- "${pair#* }" && return 0
  done
  return 1
}

# take_stage: prints the next stage this lane may run and marks it running, "wait" when
# every stage left must wait for the other lane's, or nothing when none is left.
take_stage() {
  local lock candidate other chosen="" fallback="" blocked waiting=()
  exec {lock}>"$QUEUE_DIR/lock"
  flock "$lock"
  mapfile -t waiting < "$QUEUE_DIR/waiting"
  for candidate in "${waiting[@]}"; do
    blocked=0
    if waits_for_another "$candidate" "${waiting[@]}"; then continue; fi
    for other in "$QUEUE_DIR"/running/*; do
      [ -e "$other" ] || continue
      if pair_in "$candidate ${other##*/}" "${APART[@]}"; then blocked=2; break; fi
      if pair_in "$candidate ${other##*/}" "${PREFER_APART[@]}"; then blocked=1; fi
    done
    if [ "$blocked" -eq 0 ]; then chosen="$candidate"; break; fi
    if [ "$blocked" -eq 1 ] && [ -z "$fallback" ]; then fallback="$candidate"; fi
  done
  [ -n "$chosen" ] || chosen="$fallback"
  if [ -n "$chosen" ]; then
    printf '%s\n' "${waiting[@]}" | grep -vx -- "$chosen" > "$QUEUE_DIR/waiting" || true
    : > "$QUEUE_DIR/running/$chosen"
    echo "$chosen"
  elif [ ${#waiting[@]} -gt 0 ]; then
    echo wait
  fi
  flock -u "$lock"
  exec {lock}>&-
}

# run_stage STAGE: runs stage_STAGE, timed; a failure is added to the caller's failed
# array. Its time is added to $STAGE_TIMES (a line "STAGE SECONDS passed|failed") when set.
run_stage() {
  local start=$SECONDS status=0
  timed "tests: $1" "stage_$1" || status=$?
  if [ -n "${STAGE_TIMES:-}" ]; then
    printf '%s\t%d\t%s\n' "$1" $((SECONDS - start)) \
      "$([ "$status" -eq 0 ] && echo passed || echo failed)" >> "$STAGE_TIMES"
  fi
  [ "$status" -eq 0 ] || failed+=("$1")
}

# run_lane NUMBER: runs stages from the queue until none is left.
run_lane() {
  local lane="$1" stage
  while true; do
    stage="$(take_stage)"
    case "$stage" in
      "") return 0 ;;
      wait) sleep 1; continue ;;
    esac
    log "lane $lane takes $stage"
    run_stage "$stage"
    rm -f "$QUEUE_DIR/running/$stage"
  done
}
