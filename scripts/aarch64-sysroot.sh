#!/usr/bin/env bash
# Makes (once) and prints the path of an aarch64 sysroot: Debian's arm64 packages unpacked
# into one folder, for cross-compiling with clang-19 --target=aarch64-linux-gnu
# (cmake/toolchains/aarch64-linux-gnu.cmake) and for running aarch64 programs under
# qemu-user (QEMU_LD_PREFIX: scripts/aarch64-emulation.sh).
#
#   bash scripts/aarch64-sysroot.sh            # bookworm: build and run (Python 3.11)
#   bash scripts/aarch64-sysroot.sh trixie     # trixie: run only (Python 3.13)
#   bash scripts/aarch64-sysroot.sh --amd64-deb PACKAGE   # prints the path of the amd64
#                                              # .deb of PACKAGE at the arm64 one's version
#
# The packages come through apt-get, but with an apt configuration of its own (its own
# sources, package lists, status and download folder, APT::Architecture=arm64), so the
# machine's dpkg is not touched: no `dpkg --add-architecture`, nothing installed (Debian's
# :arm64 LLVM development packages cannot be installed beside the amd64 ones). Its
# sources are the machine's Debian ones (/etc/apt/sources.list.d/debian.sources), the
# suite replaced for trixie. `apt-get download` fetches the .deb files, `dpkg-deb -x`
# unpacks them, the merged-/usr links are made (bookworm's libc6 ships /lib) and absolute
# symbolic links are made relative, so they resolve inside the sysroot.
#
# Cached in $GORAY_AARCH64_CACHE (default ~/.cache/goray-aarch64): the package lists
# (refreshed when a day old, or with GORAY_AARCH64_REFRESH=1), the .deb files, and the
# sysroot itself, in a folder named after a hash of the exact package files (name,
# version, architecture), so a rerun with the same versions takes a second and a new
# version of any package makes a new sysroot (the older one of that suite is removed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

CACHE="${GORAY_AARCH64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goray-aarch64}"

# What each sysroot holds. Build: the C and C++ libraries and headers clang links against,
# LLVM's and Clang's static libraries and CMake packages (goray-scan; the packages whose
# files LLVM's CMake package checks exist are here too), GoogleTest, the
# headers the runtime and scanner include, Python 3.11's headers (the reference
# scripts/aarch64-python-headers.py derives the other versions' arm64 pyconfig.h from).
BOOKWORM_BUILD=(
  libc6 libc6-dev linux-libc-dev libcrypt1 libcrypt-dev gcc-12-base libgcc-s1 libgcc-12-dev
  libatomic1 libstdc++6 libstdc++-12-dev zlib1g zlib1g-dev libzstd1 libzstd-dev
  llvm-19 llvm-19-dev llvm-19-tools llvm-19-linker-tools llvm-19-runtime libllvm19
  clang-19 libclang-19-dev libclang-common-19-dev libclang-cpp19 libclang1-19
  libgtest-dev libmsgpack-cxx-dev nlohmann-json3-dev
  libpython3.11-dev libpython3.11)
# Run: an interpreter with venv and pip (ensurepip's wheels), and everything these need
# (apt-cache depends, recursively).
BOOKWORM_RUN=(python3.11 python3.11-venv libstdc++6)
TRIXIE_BUILD=()
TRIXIE_RUN=(python3.13 python3.13-venv libstdc++6)
# Packages the recursion reaches that no interpreter needs files of (package tools,
# debconf front ends, perl, certificates): left out.
NOT_NEEDED='^(perl|perl-base|perl-modules-.*|libperl.*|dpkg|tar|debconf|cdebconf|install-info|libdebian-installer4|libnewt0.52|libslang2|libtextwrap1|ca-certificates|openssl|mailcap|sensible-utils|base-files|coreutils|debianutils|util-linux|mount|login|passwd|sed|grep|bash|dash|diffutils|findutils|gzip|hostname|init-system-helpers|ncurses-base|ncurses-bin|sysvinit-utils|usrmerge|usr-is-merged)$'

usage() { echo "usage: bash scripts/aarch64-sysroot.sh [bookworm|trixie] | --amd64-deb PACKAGE"; }

suite=bookworm
amd64_deb=""
case "${1:-}" in
  ""|bookworm) ;;
  trixie) suite=trixie ;;
  --amd64-deb) [ $# -eq 2 ] || { usage >&2; exit 2; }; amd64_deb="$2" ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

for tool in apt-get apt-cache dpkg-deb flock; do
  command -v "$tool" >/dev/null || { log "error: aarch64 sysroot: $tool is missing (Debian's apt, dpkg, util-linux)"; exit 1; }
done
SYSTEM_SOURCES=/etc/apt/sources.list.d/debian.sources
if [ ! -r "$SYSTEM_SOURCES" ]; then
  log "error: aarch64 sysroot: no $SYSTEM_SOURCES to take Debian's archive from (a Debian bookworm machine's deb822 sources)"
  exit 1
fi

APT_ROOT="$CACHE/apt-$suite"
mkdir -p "$APT_ROOT"/{etc,lists/partial,cache/archives/partial} "$CACHE/debs"
exec 9> "$CACHE/.lock-$suite"
flock 9

# The machine's Debian sources, for arm64 (and amd64, for --amd64-deb), the main
# archive's suite replaced for trixie (which has no security suite of its own here).
if [ "$suite" = bookworm ]; then
  awk 'BEGIN { RS = ""; ORS = "\n\n" } { print $0 "\nArchitectures: arm64 amd64" }' \
    "$SYSTEM_SOURCES" > "$APT_ROOT/etc/debian.sources"
else
  awk 'BEGIN { RS = ""; ORS = "\n\n" } /Suites: bookworm( |$)/ {
         sub(/Suites: [^\n]*/, "Suites: trixie"); print $0 "\nArchitectures: arm64" }' \
    "$SYSTEM_SOURCES" > "$APT_ROOT/etc/debian.sources"
fi
[ -s "$APT_ROOT/etc/debian.sources" ] || { log "error: no Debian bookworm source in $SYSTEM_SOURCES"; exit 1; }
: > "$APT_ROOT/status"
APT_OPTIONS=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$APT_ROOT/etc"
  -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=/dev/null"
  -o "Dir::State::Lists=$APT_ROOT/lists" -o "Dir::State::Status=$APT_ROOT/status"
  -o "Dir::Cache=$APT_ROOT/cache" -o "APT::Architecture=arm64"
  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
stamp="$APT_ROOT/lists/.updated"
if [ "${GORAY_AARCH64_REFRESH:-0}" = 1 ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
  log "aarch64 sysroot ($suite): apt-get update of its own package lists"
  apt-get "${APT_OPTIONS[@]}" update -qq >&2
  touch "$stamp"
fi

# uris PACKAGE...: "'URI' FILE SIZE HASH" lines of the .deb files apt would download.
uris() { apt-get "${APT_OPTIONS[@]}" --print-uris download "$@" 2>/dev/null | grep "^'"; }

# fetch LINE...: downloads the files of these uris lines not yet in $CACHE/debs (each
# named NAME_VERSION_ARCH.deb, with %3a for an epoch's colon, as apt-get download names it).
fetch() {
  local missing=() line file name version arch
  for line in "$@"; do
    file="$(cut -d' ' -f2 <<< "$line")"
    [ -f "$CACHE/debs/$file" ] && continue
    IFS=_ read -r name version arch <<< "${file%.deb}"
    missing+=("$name:$arch=${version//%3a/:}")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  log "aarch64 sysroot ($suite): downloading ${#missing[@]} Debian packages"
  (cd "$CACHE/debs" && apt-get "${APT_OPTIONS[@]}" download -qq "${missing[@]}") >&2
}

if [ -n "$amd64_deb" ]; then
  version="$(apt-cache "${APT_OPTIONS[@]}" show --no-all-versions "$amd64_deb:arm64" | sed -n 's/^Version: //p')"
  [ -n "$version" ] || { log "error: no arm64 package $amd64_deb"; exit 1; }
  line="$(uris "$amd64_deb:amd64=$version")"
  [ -n "$line" ] || { log "error: no amd64 package $amd64_deb at $version (the arm64 one's)"; exit 1; }
  fetch "$line"
  echo "$CACHE/debs/$(cut -d' ' -f2 <<< "$line")"
  exit 0
fi

if [ "$suite" = bookworm ]; then build=("${BOOKWORM_BUILD[@]}"); run=("${BOOKWORM_RUN[@]}")
else build=("${TRIXIE_BUILD[@]}"); run=("${TRIXIE_RUN[@]}"); fi
# Resolving the packages' versions takes apt several seconds: its answer is kept until the
# package lists or the lists of packages above change.
inputs="$(printf '%s\n' "${build[@]}" "${run[@]}" "$NOT_NEEDED" "$(stat -c %Y "$stamp")" | sha256sum | cut -c1-16)"
if read -r last_inputs last_key 2>/dev/null < "$APT_ROOT/resolved" && [ "$last_inputs" = "$inputs" ] &&
   [ -f "$CACHE/sysroot-$suite-$last_key/.complete" ]; then
  echo "$CACHE/sysroot-$suite-$last_key"
  exit 0
fi
# The run packages' closure of real (not virtual) packages, less what no program needs.
mapfile -t closure < <(apt-cache "${APT_OPTIONS[@]}" depends --recurse --no-recommends \
    --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "${run[@]}" \
  | grep -v '^ ' | grep -v '^<' | grep -Ev "$NOT_NEEDED" | sort -u)
mapfile -t packages < <(printf '%s\n' "${build[@]}" "${closure[@]}" | sed '/^$/d' | sed 's/:arm64$//' | sort -u)
mapfile -t lines < <(uris "${packages[@]/%/:arm64}")
if [ ${#lines[@]} -ne ${#packages[@]} ]; then
  log "error: aarch64 sysroot ($suite): apt resolved ${#lines[@]} of ${#packages[@]} packages: ${packages[*]}"
  exit 1
fi
key="$(printf '%s\n' "${lines[@]}" | cut -d' ' -f2 | sort | sha256sum | cut -c1-16)"
SYSROOT="$CACHE/sysroot-$suite-$key"
if [ -f "$SYSROOT/.complete" ]; then
  echo "$inputs $key" > "$APT_ROOT/resolved"
  echo "$SYSROOT"
  exit 0
fi

fetch "${lines[@]}"
log "aarch64 sysroot ($suite): unpacking ${#lines[@]} packages into $SYSROOT"
rm -rf "$SYSROOT" "$SYSROOT.partial"
mkdir -p "$SYSROOT.partial"
for line in "${lines[@]}"; do
  dpkg-deb -x "$CACHE/debs/$(cut -d' ' -f2 <<< "$line")" "$SYSROOT.partial"
done
# Merged /usr, as an installed bookworm has it: /lib, /bin, /sbin are links into /usr.
for folder in lib bin sbin lib64; do
  if [ -d "$SYSROOT.partial/$folder" ] && [ ! -L "$SYSROOT.partial/$folder" ]; then
    mkdir -p "$SYSROOT.partial/usr/$folder"
    cp -a "$SYSROOT.partial/$folder/." "$SYSROOT.partial/usr/$folder/"
    rm -rf "${SYSROOT:?}.partial/$folder"
  fi
  [ -e "$SYSROOT.partial/$folder" ] || ln -s "usr/$folder" "$SYSROOT.partial/$folder"
done
# Absolute links (libm.so -> /lib/aarch64-linux-gnu/libm.so.6) would name the build
# machine's files: each is made relative to the sysroot.
python3 - "$SYSROOT.partial" <<'EOF'
import os, sys
root = sys.argv[1]
for folder, dirs, files in os.walk(root):
    for name in dirs + files:
        path = os.path.join(folder, name)
        if os.path.islink(path):
            target = os.readlink(path)
            if target.startswith("/"):
                os.unlink(path)
                os.symlink(os.path.relpath(root + target, folder), path)
EOF
printf '%s\n' "${lines[@]}" | cut -d' ' -f2 | sort > "$SYSROOT.partial/.packages"
touch "$SYSROOT.partial/.complete"
mv "$SYSROOT.partial" "$SYSROOT"
# Older sysroots of this suite (other package versions) go.
find "$CACHE" -maxdepth 1 -name "sysroot-$suite-*" ! -name "sysroot-$suite-$key" -exec rm -rf {} +
echo "$inputs $key" > "$APT_ROOT/resolved"
log "aarch64 sysroot ($suite): $SYSROOT ($(du -sh "$SYSROOT" | cut -f1))"
echo "$SYSROOT"
