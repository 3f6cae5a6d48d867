#!/usr/bin/env bash
# Makes (once) and prints the path of an aarch64 sysroot: Debian's arm64 packages unpacked
# into one folder, for cross-compiling with clang-19 --target=aarch64-linux-gnu
# (cmake/toolchains/aarch64-linux-gnu.cmake) and for running aarch64 programs under
# qemu-user (QEMU_LD_PREFIX: scripts/aarch64-emulation.sh).
#
#   bash scripts/aarch64-sysroot.sh            # bookworm: build and run (Python 3.11)
#   bash scripts/aarch64-sysroot.sh trixie     # trixie: run only (Python 3.13)
#   bash scripts/aarch64-sysroot.sh forky      # forky (testing): run only (Python 3.14)
#   bash scripts/aarch64-sysroot.sh --extra libfoo-dev libbar-dev   # the same, with your
#                                              # application's own dependencies
#   bash scripts/aarch64-sysroot.sh [...] --list   # the .deb files it would hold; makes nothing
#   bash scripts/aarch64-sysroot.sh --amd64-deb PACKAGE   # prints the path of the amd64
#                                              # .deb of PACKAGE at the arm64 one's version
#
# --extra PACKAGE...: Debian arm64 packages an application needs beyond goray's (the
# libraries and headers it links, as libsqlite3-dev), added with everything they depend
# on (recursively, as the run packages below). That sysroot is the plain one plus those
# packages, in a folder of its own named after the set asked for (the plain one's files
# are hard links, not copies), so goray's own builds keep using the plain one.
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
FORKY_BUILD=()
FORKY_RUN=(python3.14 python3.14-venv libstdc++6)
# Packages the recursion reaches that no interpreter needs files of (package tools,
# debconf front ends, perl, certificates): left out.
NOT_NEEDED='^(perl|perl-base|perl-modules-.*|libperl.*|dpkg|tar|debconf|cdebconf|install-info|libdebian-installer4|libnewt0.52|libslang2|libtextwrap1|ca-certificates|openssl|mailcap|sensible-utils|base-files|coreutils|debianutils|util-linux|mount|login|passwd|sed|grep|bash|dash|diffutils|findutils|gzip|hostname|init-system-helpers|ncurses-base|ncurses-bin|sysvinit-utils|usrmerge|usr-is-merged)$'

usage() {
  echo "usage: bash scripts/aarch64-sysroot.sh [bookworm|trixie|forky] [--extra PACKAGE...] [--list]"
  echo "       bash scripts/aarch64-sysroot.sh --amd64-deb PACKAGE"
}

suite=bookworm
amd64_deb=""
extras=()
list_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    bookworm|trixie|forky) suite="$1"; shift ;;
    --amd64-deb) [ $# -eq 2 ] || { usage >&2; exit 2; }; amd64_deb="$2"; shift 2 ;;
    --extra)
      shift
      [ $# -gt 0 ] && [[ "$1" != -* ]] || { echo "aarch64-sysroot.sh: --extra needs one or more package names" >&2; usage >&2; exit 2; }
      while [ $# -gt 0 ] && [[ "$1" != -* ]]; do
        # Debian's rule for a package's name (Policy 5.6.1): no paths, versions or options.
        if ! [[ "$1" =~ ^[a-z0-9][a-z0-9.+-]+$ ]]; then
          echo "aarch64-sysroot.sh: --extra '$1' is not a Debian package name (lower case letters, digits, + - .)" >&2
          exit 2
        fi
        extras+=("$1"); shift
      done ;;
    --list) list_only=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "aarch64-sysroot.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

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
# archive's suite replaced for trixie and forky (no security suite of their own here).
if [ "$suite" = bookworm ]; then
  awk 'BEGIN { RS = ""; ORS = "\n\n" } { print $0 "\nArchitectures: arm64 amd64" }' \
    "$SYSTEM_SOURCES" > "$APT_ROOT/etc/debian.sources"
else
  awk -v suite="$suite" 'BEGIN { RS = ""; ORS = "\n\n" } /Suites: bookworm( |$)/ {
         sub(/Suites: [^\n]*/, "Suites: " suite); print $0 "\nArchitectures: arm64" }' \
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

case "$suite" in
  bookworm) build=("${BOOKWORM_BUILD[@]}"); run=("${BOOKWORM_RUN[@]}") ;;
  trixie) build=("${TRIXIE_BUILD[@]}"); run=("${TRIXIE_RUN[@]}") ;;
  forky) build=("${FORKY_BUILD[@]}"); run=("${FORKY_RUN[@]}") ;;
esac

# depends_closure PACKAGE...: those packages and, recursively, what they depend on: real
# packages (not virtual ones), less NOT_NEEDED's.
depends_closure() {
  apt-cache "${APT_OPTIONS[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
      --no-breaks --no-replaces --no-enhances "$@" \
    | grep -v '^ ' | grep -v '^<' | grep -Ev "$NOT_NEEDED" | sort -u
}

# resolve_plain: the plain sysroot's packages (`packages`) and their uris lines (`lines`).
resolve_plain() {
  # The run packages' closure, with the build packages.
  mapfile -t closure < <(depends_closure "${run[@]}")
  mapfile -t packages < <(printf '%s\n' "${build[@]}" "${closure[@]}" | sed '/^$/d' | sed 's/:arm64$//' | sort -u)
  mapfile -t lines < <(uris "${packages[@]/%/:arm64}")
  if [ ${#lines[@]} -ne ${#packages[@]} ]; then
    log "error: aarch64 sysroot ($suite): apt resolved ${#lines[@]} of ${#packages[@]} packages: ${packages[*]}"
    exit 1
  fi
}

# resolve_extras PLAIN_PACKAGE...: the --extra packages with their closure, less the plain
# sysroot's packages (`extra_lines`: their uris lines).
resolve_extras() {
  local name
  for name in "${extras[@]}"; do
    if ! apt-cache "${APT_OPTIONS[@]}" show --no-all-versions "$name:arm64" >/dev/null 2>&1; then
      log "error: aarch64 sysroot ($suite): --extra $name: Debian $suite has no arm64 package of that name (apt-cache search NAME finds one)"
      exit 1
    fi
  done
  local wanted
  mapfile -t wanted < <({ printf '%s\n' "${extras[@]}"; depends_closure "${extras[@]/%/:arm64}"; } \
                         | sed '/^$/d' | sed 's/:arm64$//' | sort -u \
                         | comm -23 - <(printf '%s\n' "$@" | sort -u))
  extra_lines=()
  [ ${#wanted[@]} -gt 0 ] || return 0
  mapfile -t extra_lines < <(uris "${wanted[@]/%/:arm64}")
  if [ ${#extra_lines[@]} -ne ${#wanted[@]} ]; then
    log "error: aarch64 sysroot ($suite): apt resolved ${#extra_lines[@]} of ${#wanted[@]} packages of --extra ${extras[*]}: ${wanted[*]}"
    exit 1
  fi
}

# package_files LINE...: the .deb file names of uris lines, sorted.
package_files() { printf '%s\n' "$@" | cut -d' ' -f2 | sort; }

if [ "$list_only" -eq 1 ]; then
  resolve_plain
  extra_lines=()
  [ ${#extras[@]} -eq 0 ] || resolve_extras "${packages[@]}"
  package_files "${lines[@]}" "${extra_lines[@]}"
  exit 0
fi

# finish_tree DIR: unpacked packages made a root: merged /usr, as an installed bookworm has
# it (/lib, /bin, /sbin are links into /usr), and absolute links made relative.
finish_tree() {
  local tree="$1" folder
  for folder in lib bin sbin lib64; do
    if [ -d "$tree/$folder" ] && [ ! -L "$tree/$folder" ]; then
      mkdir -p "$tree/usr/$folder"
      cp -a "$tree/$folder/." "$tree/usr/$folder/"
      rm -rf "${tree:?}/$folder"
    fi
    [ -e "$tree/$folder" ] || ln -s "usr/$folder" "$tree/$folder"
  done
  # Absolute links (libm.so -> /lib/aarch64-linux-gnu/libm.so.6) would name the build
  # machine's files: each is made relative to the sysroot.
  python3 - "$tree" <<'EOF'
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
}

# plain_sysroot: makes (once) the plain sysroot, and sets SYSROOT to its path.
plain_sysroot() {
  # Resolving the packages' versions takes apt several seconds: its answer is kept until
  # the package lists or the lists of packages above change.
  local inputs last_inputs last_key key line
  inputs="$(printf '%s\n' "${build[@]}" "${run[@]}" "$NOT_NEEDED" "$(stat -c %Y "$stamp")" | sha256sum | cut -c1-16)"
  if read -r last_inputs last_key 2>/dev/null < "$APT_ROOT/resolved" && [ "$last_inputs" = "$inputs" ] &&
     [ -f "$CACHE/sysroot-$suite-$last_key/.complete" ]; then
    SYSROOT="$CACHE/sysroot-$suite-$last_key"
    return 0
  fi
  resolve_plain
  key="$(package_files "${lines[@]}" | sha256sum | cut -c1-16)"
  SYSROOT="$CACHE/sysroot-$suite-$key"
  if [ -f "$SYSROOT/.complete" ]; then
    echo "$inputs $key" > "$APT_ROOT/resolved"
    return 0
  fi
  fetch "${lines[@]}"
  log "aarch64 sysroot ($suite): unpacking ${#lines[@]} packages into $SYSROOT"
  rm -rf "$SYSROOT" "$SYSROOT.partial"
  mkdir -p "$SYSROOT.partial"
  for line in "${lines[@]}"; do
    dpkg-deb -x "$CACHE/debs/$(cut -d' ' -f2 <<< "$line")" "$SYSROOT.partial"
  done
  finish_tree "$SYSROOT.partial"
  package_files "${lines[@]}" > "$SYSROOT.partial/.packages"
  touch "$SYSROOT.partial/.complete"
  mv "$SYSROOT.partial" "$SYSROOT"
  # Older sysroots of this suite (other package versions, and those made from them with
  # --extra) go.
  find "$CACHE" -maxdepth 1 -name "sysroot-$suite-*" ! -name "sysroot-$suite-$key" -exec rm -rf {} +
  echo "$inputs $key" > "$APT_ROOT/resolved"
  log "aarch64 sysroot ($suite): $SYSROOT ($(du -sh "$SYSROOT" | cut -f1))"
}

plain_sysroot
if [ ${#extras[@]} -eq 0 ]; then
  echo "$SYSROOT"
  exit 0
fi

# With --extra: the plain sysroot's files linked (hard links: no copy) and the extra
# packages unpacked beside them, in a folder named after the set of packages asked for.
PLAIN="$SYSROOT"
flavour="$suite-x$(printf '%s\n' "${extras[@]}" | sort -u | sha256sum | cut -c1-8)"
inputs="$(printf '%s\n' "${extras[@]}" "$NOT_NEEDED" "$(stat -c %Y "$stamp")" "$PLAIN" | sort | sha256sum | cut -c1-16)"
if read -r last_inputs last_key 2>/dev/null < "$APT_ROOT/resolved-$flavour" && [ "$last_inputs" = "$inputs" ] &&
   [ -f "$CACHE/sysroot-$flavour-$last_key/.complete" ]; then
  echo "$CACHE/sysroot-$flavour-$last_key"
  exit 0
fi
mapfile -t plain_packages < <(cut -d_ -f1 "$PLAIN/.packages")
resolve_extras "${plain_packages[@]}"
if [ ${#extra_lines[@]} -eq 0 ]; then  # every one is in the plain sysroot already
  log "aarch64 sysroot ($suite): --extra ${extras[*]}: already in the plain sysroot"
  echo "$PLAIN"
  exit 0
fi
key="$( { basename "$PLAIN"; package_files "${extra_lines[@]}"; } | sha256sum | cut -c1-16)"
SYSROOT="$CACHE/sysroot-$flavour-$key"
if [ ! -f "$SYSROOT/.complete" ]; then
  fetch "${extra_lines[@]}"
  log "aarch64 sysroot ($suite): the plain sysroot and ${#extra_lines[@]} more packages (--extra ${extras[*]}) into $SYSROOT"
  rm -rf "$SYSROOT" "$SYSROOT.partial" "$SYSROOT.staging"
  cp -al "$PLAIN" "$SYSROOT.partial"
  # (files written below are first unlinked: a hard link's file is the plain sysroot's too)
  rm -f "$SYSROOT.partial/.complete" "$SYSROOT.partial/.packages"
  mkdir -p "$SYSROOT.staging"
  for line in "${extra_lines[@]}"; do
    dpkg-deb -x "$CACHE/debs/$(cut -d' ' -f2 <<< "$line")" "$SYSROOT.staging"
  done
  finish_tree "$SYSROOT.staging"
  cp -a --remove-destination "$SYSROOT.staging/." "$SYSROOT.partial/"
  rm -rf "$SYSROOT.staging"
  { cat "$PLAIN/.packages"; package_files "${extra_lines[@]}"; } | sort > "$SYSROOT.partial/.packages"
  printf '%s\n' "${extras[@]}" > "$SYSROOT.partial/.extra"
  touch "$SYSROOT.partial/.complete"
  mv "$SYSROOT.partial" "$SYSROOT"
  # The same set's older sysroots (other versions) go.
  find "$CACHE" -maxdepth 1 -name "sysroot-$flavour-*" ! -name "sysroot-$flavour-$key" -exec rm -rf {} +
fi
echo "$inputs $key" > "$APT_ROOT/resolved-$flavour"
echo "$SYSROOT"
