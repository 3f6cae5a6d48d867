# Shared helpers for the scripts: logging, stage timing, Debian and PyPI packages.
log() { printf '[goray] %s\n' "$*" >&2; }

# Python writes the bytecode of the modules it imports (its default) in every process the
# scripts start, even where the environment says not to (PYTHONDONTWRITEBYTECODE, set on
# some CI images): uv installs no bytecode, so every process of every Ray (its dashboard,
# agents, monitors and workers) would compile Ray's modules again. Measured here: `import
# ray` 2.1 s of CPU against 0.5 s, a Ray start with 8 tasks 24 s against 10 s.
unset PYTHONDONTWRITEBYTECODE

# Ray starts its workers at nice 15 (its worker_niceness), so that a node's daemons stay
# responsive. Here they share 2 cores with compiles at nice 0 (CI's other lane, the gen
# and wheel stages' builds), which left them about 3% of a core: Ray 2.40's stream tests
# took 305 s under three busy loops, against 56 s with the workers at nice 0, and a
# worker's start took 18 s (docs/testing.md, "Ray's workers at nice 0"). Every Ray the
# scripts start (ray.init, ray start, its workers) reads RAY_worker_niceness.
export RAY_worker_niceness="${RAY_worker_niceness:-0}"

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
  # ccache may be among them: a script that sourced this file before it was installed
  # exports its settings now, before it compiles anything (enable_compile_cache, below).
  enable_compile_cache
}

# ensure_debian_packages PACKAGE...: apt_install of those dpkg does not list as installed.
ensure_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# uv (PyPI) installs the PyPI packages of the project's virtualenvs: from its cache it
# links them in seconds, where pip unpacks Ray alone for a minute. It lives in its own
# small virtualenv, .tools/uv/; GORAY_UV=pip makes the scripts use pip instead.
UV_VERSION=0.13.9

# uv_path: prints the uv to use (installing it once), or nothing when GORAY_UV=pip.
uv_path() {
  [ "${GORAY_UV:-uv}" != pip ] || return 0
  local prefix="$ROOT/.tools/uv"
  if [ "$("$prefix/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    log "installing uv $UV_VERSION into .tools/uv"
    python3 -m venv "$prefix" >&2
    "$prefix/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION" >&2
  fi
  echo "$prefix/bin/uv"
}

# pip_install VENV ARGUMENT...: `pip install ARGUMENT...` into VENV, done by uv when there.
pip_install() {
  local venv="$1"; shift
  local uv
  uv="$(uv_path)"
  if [ -n "$uv" ]; then
    "$uv" pip install -q --python "$venv/bin/python" "$@"
  else
    "$venv/bin/pip" install -q --disable-pip-version-check "$@"
  fi
}

# ensure_virtualenv DIR REQUIREMENT...: DIR as a virtualenv holding these PyPI
# requirements; installs only when the list differs from the last install's.
ensure_virtualenv() {
  local venv="$1"; shift
  local stamp="$venv/.pip-requirements" wanted="$*"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating the virtualenv $venv"
    python3 -m venv "$venv"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "installing $* into $venv"
    pip_install "$venv" "$@"
    echo "$wanted" > "$stamp"
  fi
}

# tool_virtualenv NAME REQUIREMENTS_FILE: prints .tools/NAME, a virtualenv holding the
# requirements of that file (its lines but comments and blank ones: pinned versions),
# made or updated only when they changed. A script's own tools, so that it runs from a
# fresh clone without .venv (scripts/setup.sh, which builds the whole tree).
tool_virtualenv() {
  local venv="$ROOT/.tools/$1" requirements
  [ -r "$2" ] || { log "error: no requirements file $2"; return 1; }
  mapfile -t requirements < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$2" | grep -v '^$')
  ensure_virtualenv "$venv" "${requirements[@]}" >&2
  echo "$venv"
}

# Every compile of every tree (build/, the sanitizer, fuzzer and wheel builds, and the
# CMake projects tests configure) goes through ccache, when installed (setup.sh installs
# it). CMake reads these variables when it first configures a tree. Paths under the
# checkout are hashed relative to it, so a fresh clone elsewhere reuses the cache.
# Called when this file is sourced, again by apt_install (on a fresh machine ccache comes
# with setup.sh's Debian packages, after the sourcing), and by the scripts that compile
# after running setup.sh in a child process (run-tests.sh, bench.sh): without it the
# README's first command compiled without CCACHE_BASEDIR, so a clone elsewhere (CI's)
# hit the cache on 27 of 443 units (issue 39).
enable_compile_cache() {
  command -v ccache >/dev/null || return 0
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true
  # A fresh clone's files and goray-gen's outputs are newer than ccache's direct mode
  # trusts by default; their contents are hashed all the same.
  export CCACHE_SLOPPINESS=include_file_mtime,include_file_ctime,pch_defines,time_macros
  : "${CCACHE_MAXSIZE:=10G}"; export CCACHE_MAXSIZE
}
enable_compile_cache

# start_background_build: builds the rest of build/ (the tests' targets, the costliest
# first) in the background, one compile at a time at the lowest priority, while the caller runs
# something that leaves a core idle; stop_background_build ends it. What it finished stays
# in build/ and in ccache, where a clone elsewhere finds it: on a fresh machine the README's
# first command, whose examples keep about 1.2 of 2 cores busy for two minutes, leaves CI
# that many fewer compiles. Only with ccache, and only when no other build holds build/.
BACKGROUND_BUILD_PID=""
# The lock setup.sh holds while it configures or builds build/ (one ninja per tree).
SETUP_LOCK="$ROOT/build/.setup.lock"
start_background_build() {
  [ "${GORAY_BACKGROUND_BUILD:-1}" != 0 ] && command -v ccache >/dev/null || return 0
  [ -f "$ROOT/build/build.ninja" ] && [ "$(nproc)" -ge 2 ] || return 0
  local log="$ROOT/build/background-build.log"
  # setsid: its own process group, so that stopping it stops the compiler too. SCHED_IDLE
  # (chrt --idle) and nice 19: it runs on what the examples leave, and yields at once.
  setsid chrt --idle 0 nice -n 19 flock -n "$SETUP_LOCK" bash -c '
    cmake --build "$1" -j 1 --target goray_runtime_test raytest testapp goray_scanner_test;
      cmake --build "$1" -j 1' background-build "$ROOT/build" > "$log" 2>&1 < /dev/null &
  BACKGROUND_BUILD_PID=$!
}
stop_background_build() {
  [ -n "$BACKGROUND_BUILD_PID" ] || return 0
  kill -TERM -- "-$BACKGROUND_BUILD_PID" 2>/dev/null || true
  wait "$BACKGROUND_BUILD_PID" 2>/dev/null || true
  BACKGROUND_BUILD_PID=""
}

# long_runs_wanted: whether GORAY_LONG_TESTS asks for the long runs (set, and neither empty
# nor 0), as run-tests.sh --long sets it; tests/long_runs.py reads it the same way.
long_runs_wanted() {
  case "${GORAY_LONG_TESTS:-0}" in 0|"") return 1 ;; *) return 0 ;; esac
}

# compile_cache_arguments: the -D options that put ccache in front of the compilers of a
# tree configured before (the environment only counts at a tree's first configure).
compile_cache_arguments() {
  command -v ccache >/dev/null || return 0
  echo "-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
}

# The trees' optimisation: -O2 with line tables only (-g1, what goray_add_app gives a user
# by default), not full debug info. Line tables are what crash reports and sanitizers
# print file:line from; -g cost a third of each unit's compile (12.9 s against 8.9 s for
# tests/cpp/stream_test.cpp), which a fresh machine pays for every unit. For a debugger,
# configure a tree of your own with -DCMAKE_BUILD_TYPE=Debug.
TREE_OPTIMISATION="-O2 -g1 -DNDEBUG"

# configure_clang SOURCE DIR OPTIMISATION CMAKE-ARGUMENT...: configures DIR as a Ninja
# build with clang-19 (the sanitizer and fuzzer builds need its runtimes), RelWithDebInfo
# compiling C and C++ with OPTIMISATION: once, and again when the arguments change (a flag
# changed in a script reaches a tree configured before).
configure_clang() {
  local source="$1" dir="$2" optimisation="$3"; shift 3
  local stamp="$dir/goray-configure-arguments" wanted
  wanted="$(printf '%s\n' "$optimisation" "$@")"
  [ -f "$dir/build.ninja" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return 0
  cmake -S "$source" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$optimisation" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$optimisation" \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 "$@" >/dev/null
  printf '%s' "$wanted" > "$stamp"
}

# configure_sanitizer_tree DIR FLAGS: the sanitizer trees of scripts/sanitize.sh (the
# whole project with clang-19), FLAGS the -fsanitize ones.
# -O0 with line tables: a sanitizer finds the same faults unoptimised, and a fresh machine
# compiles the 64 units of each tree in a third of the time (tests/cpp/stream_test.cpp:
# ASan+UBSan 4.8 s at -O0 against 17.4 s at -O2 -g, TSan 4.0 s against 8.9 s); the tests
# run slower, which at this size costs seconds (docs/reliability.md).
# -shared-libsan: one sanitizer runtime (a shared object) for the test executables and
# for libtestapp.so, which the ASan pytest run loads into Python. No fast path: only the
# tree's own build/ writes goray._fastpath into python/goray/.
# The ASan+UBSan tree is ASAN_TREE_FLAGS in build-asan/ for sanitize.sh and for CI's
# fuzzing (scripts/fuzz.sh with GORAY_FUZZ_TREE=asan): one definition, so that neither
# reconfigures the tree the other built. libFuzzer's coverage (-fsanitize=fuzzer-no-link)
# is compiled into the runtime and the fuzz targets only (tests/fuzz/CMakeLists.txt), what
# fuzzing measures; the test files without it compile in two thirds of the time
# (tests/cpp/codec_test.cpp 9.8 s of CPU against 14.4 s), and every link has it.
ASAN_TREE="$ROOT/build-asan"
ASAN_TREE_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# asan_runtime: clang-19's shared ASan runtime (the trees' -shared-libsan links it; what a
# process that did not link it first preloads).
asan_runtime() { clang++-19 -print-file-name=libclang_rt.asan-x86_64.so; }
# configure_sanitizer_tree DIR FLAGS: the TSan tree (FLAGS with -fsanitize=thread) leaves
# out tests/cpp's files that start no thread (GORAY_TESTS_THREADED_ONLY,
# tests/cpp/CMakeLists.txt); the ASan tree (ASAN_TREE) also builds the fuzz targets.
configure_sanitizer_tree() {
  local dir="$1" flags="$2" clang_rt link_flags
  clang_rt="$(dirname "$(asan_runtime)")"
  link_flags="$flags"
  [ "$dir" != "$ASAN_TREE" ] || link_flags="$flags -fsanitize=fuzzer-no-link"
  configure_clang "$ROOT" "$dir" "-O0 -gline-tables-only -DNDEBUG" \
    -DGORAY_BUILD_SCANNER=OFF -DGORAY_BUILD_EXAMPLES=OFF -DGORAY_BUILD_FASTPATH=OFF \
    -DGORAY_BUILD_FUZZERS="$([ "$dir" = "$ASAN_TREE" ] && echo ON || echo OFF)" \
    -DGORAY_TESTS_THREADED_ONLY="$(case "$flags" in *thread*) echo ON ;; *) echo OFF ;; esac)" \
    -DPython3_EXECUTABLE="$ROOT/.venv/bin/python" \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer -shared-libsan" \
    -DCMAKE_EXE_LINKER_FLAGS="$link_flags -shared-libsan -Wl,-rpath,$clang_rt" \
    -DCMAKE_SHARED_LINKER_FLAGS="$link_flags -shared-libsan -Wl,-rpath,$clang_rt"
}

# ray_venv RELEASE: prints the virtualenv that runs goray under Ray RELEASE, made or
# updated first: .venv/ when it holds that release, else .venv-ray-RELEASE/ with
# ray[default,serve]==RELEASE and python/requirements-ray-versions.txt (by uv), and goray from
# this checkout (a path entry to python/, as .venv's editable install: its compiled fast
# path is the one build/ made for this CPython). scripts/test-ray-versions.sh and
# scripts/bench.sh --ray use it.
ray_venv() {
  local release="$1" venv="$ROOT/.venv-ray-$1"
  local requirements="$ROOT/python/requirements-ray-versions.txt"
  if [ "$("$ROOT/.venv/bin/python" -c 'import ray; print(ray.__version__)' 2>/dev/null)" = "$release" ]; then
    echo "$ROOT/.venv"
    return
  fi
  local stamp="$venv/.goray-ray-versions" wanted site
  local ray="ray[default,serve]==$release"  # (serve: the Serve tests marked ray_versions)
  wanted="$ray $(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "installing Ray $release into $venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
    pip_install "$venv" "$ray" -r "$requirements" >&2
    echo "$wanted" > "$stamp"
  fi
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  echo "$ROOT/python" > "$site/goray_checkout.pth"
  echo "$venv"
}
