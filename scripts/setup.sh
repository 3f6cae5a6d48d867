#!/usr/bin/env bash
# Installs what goray needs on a fresh Debian bookworm machine and builds the
# tree. Idempotent and quick when everything is already there.
#   Debian packages: apt-get (only the missing ones).
#   PyPI packages:   the project-local virtualenv .venv/ (only when requirements change),
#                    installed by uv (.tools/uv/, scripts/lib.sh); goray itself by pip.
#   npm packages:    pyright in .tools/pyright/ (only when its version changes).
#   Build:           CMake + Ninja in build/ (incremental).
#
#   bash scripts/setup.sh              # everything: the tests' targets too (run-tests.sh, bench.sh)
#   bash scripts/setup.sh --examples   # only what scripts/run-example.sh runs (the README's
#                                      # first command): no tests' targets, no pyright
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

# What to build: the whole tree (about 290 targets: the runtime's and the scanner's gtest
# binaries, the tests' applications, the renderers' corpus and golden cases), or with
# --examples the CMake target goray_examples alone (examples/CMakeLists.txt: the examples,
# goray-scan, the packaged runtime and goray._fastpath, all that the install into .venv and
# the examples need). The tree is configured the same either way; a later run without
# --examples (run-tests.sh's) builds the rest.
SCOPE=all
case "${1:-}" in
  "") ;;
  --examples) SCOPE=examples ;;
  *) echo "usage: bash scripts/setup.sh [--examples]" >&2; exit 2 ;;
esac

DEBIAN_PACKAGES=(clang-19 llvm-19-dev libclang-19-dev libclang-rt-19-dev libmsgpack-cxx-dev nlohmann-json3-dev
                 libgtest-dev ninja-build cmake g++ python3-dev zlib1g-dev libzstd-dev ccache
                 libeigen3-dev)

install_debian_packages() {
  ensure_debian_packages "${DEBIAN_PACKAGES[@]}"
}

# goray is installed editable in "compat" mode: a .pth path entry (python/), which mypy
# and pyright follow; the default mode's import hook is invisible to type checkers. With
# its extras gen (Jinja2, for goray-gen) and test, whose pinned versions
# requirements-dev.txt installs first (hence --no-deps).
# Without build isolation: the version comes from goray/_version.py (dynamic metadata), and
# setuptools is already in .venv (requirements-dev.txt).
GORAY_EDITABLE=(--no-build-isolation --config-settings editable_mode=compat -e "$ROOT/python[gen,test]")

install_python_packages() {
  local venv="$ROOT/.venv" stamp="$ROOT/.venv/.goray-requirements"
  local wanted
  wanted="$({ cat "$ROOT"/python/requirements-{dev,wheel,docs}.txt "$ROOT/python/pyproject.toml"; echo "${GORAY_EDITABLE[@]}"; } | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating the virtualenv .venv/"
    python3 -m venv "$venv"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "installing PyPI packages into .venv/"
    pip_install "$venv" -r "$ROOT/python/requirements-dev.txt"
    # The distribution was called goray before it became goray-cpp (PyPI's goray is GoRay's).
    if "$venv/bin/pip" show -q goray >/dev/null 2>&1; then
      "$venv/bin/pip" uninstall -q -y --disable-pip-version-check goray
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps "${GORAY_EDITABLE[@]}"
    echo "$wanted" > "$stamp"
  fi
}

build_tree() {
  # Configured every time with the same options (quick when nothing changed), so a
  # build/ configured differently by hand is put back to what the scripts expect.
  cmake -S "$ROOT" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$TREE_OPTIMISATION" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$TREE_OPTIMISATION" \
    -DGORAY_BUILD_SCANNER=ON -DGORAY_BUILD_TESTS=ON -DGORAY_BUILD_EXAMPLES=ON \
    -DPython3_EXECUTABLE="$ROOT/.venv/bin/python" $(compile_cache_arguments) >/dev/null
  # This also (re)builds goray._fastpath into python/goray/ when its sources change.
  if [ "$SCOPE" = examples ]; then
    cmake --build "$ROOT/build" -j "$(nproc)" --target goray_examples
  elif [ "${GORAY_TEST_TIER:-1}" = 2 ]; then  # tier 2 also tests the benchmarks' scripts
    cmake --build "$ROOT/build" -j "$(nproc)" --target all goray_bench
  else
    cmake --build "$ROOT/build" -j "$(nproc)"
  fi
  # The CMake package (headers, runtime, goray-scan, lib/cmake/goray) into .venv,
  # where `python -m goray --cmake-dir` finds it.
  cmake --install "$ROOT/build" --component goray --prefix "$ROOT/.venv" >/dev/null
}

# pyright (npm), for the stubs' type-checking tests: in .tools/pyright, this version.
PYRIGHT_VERSION=1.1.414

install_pyright() {
  local prefix="$ROOT/.tools/pyright"
  local installed
  installed="$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' \
               "$prefix/node_modules/pyright/package.json" 2>/dev/null || true)"
  [ "$installed" != "$PYRIGHT_VERSION" ] || return 0
  command -v npm >/dev/null || apt_install nodejs npm
  log "installing pyright $PYRIGHT_VERSION into .tools/pyright"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "pyright@$PYRIGHT_VERSION" >/dev/null
}

# One set-up at a time per checkout: run-tests.sh's two lanes each call this script (the
# examples, the docs, the wheel...), and two CMake configures or ninjas in build/ at once
# could write the same files. The second waits, then finds nothing to do.
mkdir -p "$ROOT/build"
exec {setup_lock}> "$SETUP_LOCK"
flock "$setup_lock"

timed "set-up: Debian packages" install_debian_packages
timed "set-up: Python packages" install_python_packages
# pyright only type-checks the stubs in the gen stage's tests.
[ "$SCOPE" = examples ] || timed "set-up: pyright" install_pyright
timed "build" build_tree
