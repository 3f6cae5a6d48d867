#!/usr/bin/env bash
# Builds the docs site (mkdocs.yml: strict, into build/site/), from a fresh clone too: it
# installs what it needs first, each only when missing, the pinned MkDocs packages
# (python/requirements-docs.txt) into a virtualenv of its own, .tools/docsite/, by uv, and
# the Debian packages the C++ reference reads the headers with (libclang 19, Clang's
# builtin headers, the C++ standard library's and msgpack-c's). Its arguments go to mkdocs:
#
#   bash scripts/docsite/build.sh                            # mkdocs build
#   bash scripts/docsite/build.sh serve -a 127.0.0.1:8000    # the site while you edit
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/lib.sh"

DOCSITE_DEBIAN_PACKAGES=(libclang1-19 libclang-common-19-dev g++ libmsgpack-cxx-dev python3-venv)
timed "docs site: Debian packages" ensure_debian_packages "${DOCSITE_DEBIAN_PACKAGES[@]}"
venv="$(timed "docs site: MkDocs packages" tool_virtualenv docsite "$ROOT/python/requirements-docs.txt")"
[ $# -gt 0 ] || set -- build
# (MkDocs 1.6's Material prints a notice about MkDocs 2 on every run: not a warning of ours.)
cd "$ROOT"
NO_MKDOCS_2_WARNING=1 exec "$venv/bin/mkdocs" "$@" --config-file "$ROOT/mkdocs.yml"
