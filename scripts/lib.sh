# Shared helpers for the scripts: logging, stage timing, Debian and PyPI packages.
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

# apt_install PACKAGE...: apt-get install, through sudo when not root.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ensure_virtualenv DIR REQUIREMENT...: DIR as a virtualenv holding these PyPI
# requirements; pip runs only when the list differs from the last install's.
ensure_virtualenv() {
  local venv="$1"; shift
  local stamp="$venv/.pip-requirements" wanted="$*"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating the virtualenv $venv"
    python3 -m venv "$venv"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "installing $* into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "$@"
    echo "$wanted" > "$stamp"
  fi
}

# configure_clang SOURCE DIR CMAKE-ARGUMENT...: configures DIR, once, as a RelWithDebInfo
# Ninja build with clang-19 (the sanitizer and fuzzer builds need its runtimes).
configure_clang() {
  local source="$1" dir="$2"; shift 2
  [ -f "$dir/build.ninja" ] && return 0
  cmake -S "$source" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 "$@" >/dev/null
}
