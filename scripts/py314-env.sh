#!/usr/bin/env bash
# Makes (once) and prints the root of a Debian forky (testing) environment with CPython
# 3.14, for what needs a 3.14 interpreter on this bookworm machine, which has none (pyenv
# stops at 3.13, PyPI hosts no Linux CPython, and Debian's python3.14 needs glibc 2.38 or
# later where bookworm has 2.36): the cp314 wheels' builds (scripts/build-wheel.sh) and the
# py314 test stage (tests/py314, docs/maintainers/wheels.md "How CPython 3.14 is tested").
#
#   bash scripts/py314-env.sh                 # makes it when missing; prints its root
#   bash scripts/py314-env.sh --host-python   # prints an interpreter this host runs (below)
#   bash scripts/py314-env.sh --run [--bind DIR]... -- COMMAND...
#                                             # runs COMMAND inside it, as root, in this
#                                             # directory when it is bound (else in /)
#
# Made by debootstrap (Debian's, installed here when missing) with --variant=minbase and
# PACKAGES: CPython 3.14 with venv and its headers (the C API the fast path and an
# application's typed entries compile against), and a C++ compiler and CMake (an
# application's build inside it: forky's own g++). Needs root.
#
# --run: COMMAND in a mount namespace of its own (unshare -m), chrooted into the root, with
# /proc, /sys, /dev (and /dev/shm) mounted, an environment of its own (none of the
# host's variables: its compiler launchers, Ray's folders; `env NAME=VALUE COMMAND` passes
# one), the host's resolv.conf and the certificate
# bundle the host's pip is told to trust (PIP_CERT, else /etc/ssl/certs/ca-certificates.crt)
# handed in (pip inside reaches PyPI as the host's does), pip's cache kept outside
# ($CACHE/pip, shared by every environment made), and each --bind DIR mounted at the same
# path inside. Mounts end with the command: nothing is left mounted on the host.
#
# --host-python: forky's python3.14 run on this host by forky's own loader and libraries
# (ld.so --library-path, which its children do not inherit: the compilers and CMake it
# starts are the host's, with the host's glibc), through a wrapper in the root's /usr/bin
# that sets argv[0] (ld.so --argv0), so that the interpreter finds its standard library
# and sys.executable runs again. What it prints is the python of a virtualenv of that
# interpreter ($ENV_DIR/host-venv) with forky's own pip (Debian's ensurepip would take
# the host's older pip wheel). The cp314 wheels are built with it: compiled by the host's
# compiler against the host's glibc, so their floor stays manylinux_2_34.
#
# Cached in $GORAY_PY314_CACHE (default ~/.cache/goray-py314), in a folder named after a
# hash of its inputs (the suite, the mirror, PACKAGES, debootstrap's version): a rerun
# finds it in a second; GORAY_PY314_REFRESH=1 makes it again (forky's newest packages).
# An older environment goes when a new one is made.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

CACHE="${GORAY_PY314_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goray-py314}"
SUITE=forky
# forky is testing now; bookworm's debootstrap knows it by sid's script.
SCRIPT=sid
MIRROR="${GORAY_PY314_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=(python3.14 python3.14-venv libpython3.14-dev g++ cmake make)
# 3.14.0 and 3.14.1 crash Ray's async actors (python/cpython#141944, fixed in 3.14.2).
MINIMUM=3.14.2

usage() {
  echo "usage: bash scripts/py314-env.sh [--host-python | --run [--bind DIR]... -- COMMAND...]"
}

mode=root
binds=()
command_line=()
while [ $# -gt 0 ]; do
  case "$1" in
    --host-python) mode=host-python; shift ;;
    --run)
      mode=run; shift
      while [ $# -gt 0 ] && [ "$1" != -- ]; do
        case "$1" in
          --bind) [ $# -ge 2 ] || { usage >&2; exit 2; }; binds+=("$2"); shift 2 ;;
          *) echo "py314-env.sh: --run takes --bind DIR, then -- COMMAND: '$1'" >&2; usage >&2; exit 2 ;;
        esac
      done
      [ $# -ge 2 ] || { echo "py314-env.sh: --run needs -- COMMAND..." >&2; usage >&2; exit 2; }
      shift; command_line=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "py314-env.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  log "error: py314-env.sh needs root (debootstrap, chroot and mounts)"
  exit 1
fi
ensure_debian_packages debootstrap

key="$(printf '%s\n' "$SUITE" "$SCRIPT" "$MIRROR" "${PACKAGES[@]}" "$MINIMUM" \
         "$(dpkg-query -W -f='${Version}' debootstrap)" | sha256sum | cut -c1-16)"
ENV_DIR="$CACHE/env-$key"
ENV_ROOT="$ENV_DIR/root"

# make_environment: debootstrap into ENV_DIR.partial, checked, then moved into place.
make_environment() {
  local partial="$ENV_DIR.partial" version
  local include attempt
  include="$(IFS=,; echo "${PACKAGES[*]}")"
  # A mirror's passing failure (a timeout, a file mid-update) gets two more tries.
  for attempt in 1 2 3; do
    rm -rf "$partial" && mkdir -p "$partial"
    log "CPython 3.14 environment: debootstrap $SUITE (${PACKAGES[*]}) into $ENV_DIR (try $attempt)"
    if debootstrap --variant=minbase --include="$include" "$SUITE" "$partial/root" "$MIRROR" \
         "/usr/share/debootstrap/scripts/$SCRIPT" > "$partial/debootstrap.log" 2>&1; then
      break
    fi
    tail -20 "$partial/debootstrap.log" >&2
    if [ "$attempt" -eq 3 ]; then
      log "error: debootstrap of Debian $SUITE from $MIRROR failed three times (its log: $partial/debootstrap.log)"
      exit 1
    fi
    sleep $((attempt * 10))
  done
  rm -rf "$partial/root/var/cache/apt/archives/"*.deb
  version="$(chroot "$partial/root" python3.14 -c 'import platform; print(platform.python_version())')"
  if [ "$(printf '%s\n' "$MINIMUM" "$version" | sort -V | head -1)" != "$MINIMUM" ]; then
    log "error: Debian $SUITE's python3.14 is $version; goray's tests need $MINIMUM or later (3.14.0 and 3.14.1 crash Ray's async actors)"
    exit 1
  fi
  # The host-runnable interpreter: forky's loader and libraries, argv[0] this wrapper, so
  # that the interpreter's prefix is the root's /usr and sys.executable is the wrapper.
  cat > "$partial/root/usr/bin/python3.14-host" <<EOF
#!/bin/sh
# forky's python3.14 on the host, through forky's own loader (scripts/py314-env.sh).
exec "$ENV_ROOT/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
  --library-path "$ENV_ROOT/usr/lib/x86_64-linux-gnu" --argv0 "\$0" \\
  "$ENV_ROOT/usr/bin/python3.14" "\$@"
EOF
  chmod +x "$partial/root/usr/bin/python3.14-host"
  echo "$version" > "$partial/python-version"
  printf '%s\n' "${PACKAGES[@]}" > "$partial/packages"
  mv "$partial" "$ENV_DIR"
  find "$CACHE" -maxdepth 1 -name 'env-*' ! -name "env-$key" -exec rm -rf {} +
  log "CPython 3.14 environment: Python $version, $(chroot "$ENV_ROOT" ldd --version | head -1 | awk '{print "glibc " $NF}'), $(du -sh "$ENV_DIR" | cut -f1)"
}

mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"
flock 9
if [ "${GORAY_PY314_REFRESH:-0}" = 1 ]; then rm -rf "$ENV_DIR"; fi
[ -f "$ENV_DIR/python-version" ] || timed "CPython 3.14 environment" make_environment
# The host interpreter's virtualenv, with forky's pip wheel (offline).
if [ "$mode" = host-python ] && [ ! -f "$ENV_DIR/host-venv/.made" ]; then
  rm -rf "$ENV_DIR/host-venv"
  "$ENV_ROOT/usr/bin/python3.14-host" -m venv --without-pip "$ENV_DIR/host-venv"
  pip_wheel="$(ls "$ENV_ROOT"/usr/share/python-wheels/pip-*.whl)"
  "$ENV_DIR/host-venv/bin/python" "$pip_wheel/pip" install -q --no-index --disable-pip-version-check "$pip_wheel" >&2
  : > "$ENV_DIR/host-venv/.made"
fi
flock -u 9

case "$mode" in
  root) echo "$ENV_ROOT"; exit 0 ;;
  host-python) echo "$ENV_DIR/host-venv/bin/python"; exit 0 ;;
esac

# --run: the mounts, in a mount namespace of this command's own.
certificates="${PIP_CERT:-$(python3 -m pip config get global.cert 2>/dev/null || true)}"
[ -n "$certificates" ] || certificates=/etc/ssl/certs/ca-certificates.crt
mkdir -p "$CACHE/pip"
for dir in "${binds[@]}"; do
  [ -d "$dir" ] || { log "error: py314-env.sh --bind $dir: not a directory"; exit 2; }
done
exec unshare --mount --propagation private -- bash -euo pipefail -c '
  root="$1" certificates="$2" pip_cache="$3" workdir="$4"; shift 4
  mount --rbind /dev "$root/dev"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  touch "$root/etc/goray-host-certificates.crt"
  mount --bind "$certificates" "$root/etc/goray-host-certificates.crt"
  mkdir -p "$root/root/.cache/pip"
  mount --bind "$pip_cache" "$root/root/.cache/pip"
  while [ "$1" != -- ]; do
    mkdir -p "$root$1"
    mount --bind "$1" "$root$1"
    shift
  done
  shift
  directory=/
  [ ! -d "$root$workdir" ] || directory="$workdir"
  exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PIP_CERT=/etc/goray-host-certificates.crt SSL_CERT_FILE=/etc/goray-host-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/goray-host-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    /bin/sh -c '"'"'cd "$0" && exec "$@"'"'"' "$directory" "$@"
' py314-run "$ENV_ROOT" "$certificates" "$CACHE/pip" "$PWD" "${binds[@]}" -- "${command_line[@]}"
