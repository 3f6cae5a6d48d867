# Sourced by test-interop.sh and bench.sh: GoRay v1.2.1, the upstream project.
#   setup_goray_venv  .venv-goray/ with GoRay's Python driver and our Ray version
#   find_go           prints the go binary
# Needs ROOT set and scripts/lib.sh sourced.

GORAY_VENV="$ROOT/.venv-goray"
# GoRay's Python package and the Ray this project uses (goray 1.2.1 pins no Ray version).
GORAY_REQUIREMENTS=("goray[ray]==1.2.1" "ray==2.60.0" "pytest")

setup_goray_venv() {
  ensure_virtualenv "$GORAY_VENV" "${GORAY_REQUIREMENTS[@]}"
}

find_go() {
  if command -v go >/dev/null; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    echo /usr/local/go/bin/go
  else
    log "Go is not installed (needed to build GoRay applications)"
    return 1
  fi
}

# build_go_app SOURCE_DIR OUTPUT.so: a GoRay application as a C shared library. The
# module comes from the Go module proxy (go.sum pins it); Go's build cache makes a
# rebuild with nothing changed quick.
build_go_app() {
  local go
  go="$(find_go)"
  mkdir -p "$(dirname "$2")"
  (cd "$1" && GOFLAGS=-mod=mod "$go" build -buildmode=c-shared -o "$2" .)
}
