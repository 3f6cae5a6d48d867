#!/usr/bin/env bash
# Lets this x86-64 machine run aarch64 Linux programs, under qemu-user: installs
# qemu-user-static (Debian's), mounts binfmt_misc when it is not mounted, and registers
# qemu-aarch64 with it from Debian's own rule (/usr/lib/binfmt.d/qemu-aarch64.conf; its
# F flag opens the emulator once, at registration, so it works in any mount namespace).
# The kernel then starts every aarch64 ELF file through the emulator. The programs find
# their loader and libraries in a sysroot through QEMU_LD_PREFIX (scripts/aarch64-sysroot.sh),
# which qemu-user looks in first for every absolute path the program opens.
#
#   bash scripts/aarch64-emulation.sh SYSROOT   # sets up, then runs SYSROOT's sh... check
#
# Needs root (apt-get, mount, the binfmt_misc register file), as the other scripts' apt-get.
# Idempotent: a second run finds everything in place and only checks it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

[ $# -eq 1 ] || { echo "usage: bash scripts/aarch64-emulation.sh SYSROOT" >&2; exit 2; }
SYSROOT="$1"

RULE=/usr/lib/binfmt.d/qemu-aarch64.conf
BINFMT=/proc/sys/fs/binfmt_misc
[ -f "$RULE" ] || apt_install qemu-user-static
[ -f "$RULE" ] || { log "error: qemu-user-static installed no $RULE"; exit 1; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ! -f "$BINFMT/register" ]; then
  log "mounting binfmt_misc on $BINFMT"
  $sudo mount -t binfmt_misc binfmt_misc "$BINFMT"
fi
if [ ! -f "$BINFMT/qemu-aarch64" ]; then
  log "registering qemu-aarch64 with binfmt_misc ($RULE)"
  grep -v '^#' "$RULE" | $sudo tee "$BINFMT/register" >/dev/null
fi
if ! grep -qx enabled "$BINFMT/qemu-aarch64" || [ "$(cat "$BINFMT/status")" != enabled ]; then
  log "error: binfmt_misc's qemu-aarch64 rule is not enabled: $(tr '\n' ' ' < "$BINFMT/qemu-aarch64")"
  exit 1
fi
# The check: an aarch64 program of the sysroot runs, and says it is one.
machine="$(QEMU_LD_PREFIX="$SYSROOT" "$SYSROOT/usr/bin/python3.11" -c 'import platform; print(platform.machine())')"
if [ "$machine" != aarch64 ]; then
  log "error: the sysroot's aarch64 python3.11 says its machine is '$machine', not aarch64"
  exit 1
fi
