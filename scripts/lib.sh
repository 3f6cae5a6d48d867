# Shared helpers for the scripts: logging and stage timing.
log() { printf '[goray] %s\n' "$*" >&2; }

# timed NAME COMMAND...: runs COMMAND and prints how long it took.
timed() {
  local name="$1"; shift
  local start=$SECONDS
  "$@"
  local status=$?
  printf '[goray] stage "%s" took %ds\n' "$name" $((SECONDS - start)) >&2
  return $status
}
