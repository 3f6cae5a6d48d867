#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang-19, ASan and UBSan in
# build-fuzz/, replays the regression inputs (tests/fuzz/regressions/<target>/),
# then fuzzes each target for SECONDS (default 60) from its seed corpus
# (tests/fuzz/corpus/<target>/; new inputs go to build-fuzz/work/<target>/, not the tree).
#   bash scripts/fuzz.sh            # 60 s per target
#   bash scripts/fuzz.sh 600        # 10 min per target
#   FUZZ_TARGETS=codec_fuzz bash scripts/fuzz.sh 30
# A crash leaves its input in build-fuzz/crashes/; once fixed, copy it to
# tests/fuzz/regressions/<target>/ so every later run replays it.
# GORAY_FUZZ_TREE=asan (CI's short runs, scripts/test-reliability.sh) builds the targets in
# the ASan+UBSan tree instead, build-asan/ at -O0 (its runs, crashes and logs under
# build-asan/fuzz/), whose runtime scripts/sanitize.sh then reuses: on a fresh machine the
# runtime is compiled once for both, not a second time at -O1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
SECONDS_PER_TARGET="${1:-60}"
TARGETS="${FUZZ_TARGETS:-execute_fuzz codec_fuzz stream_fuzz}"
JOBS="${GORAY_JOBS:-2}"
case "${GORAY_FUZZ_TREE:-fuzz}" in
  fuzz) BUILD="$ROOT/build-fuzz" BIN="$ROOT/build-fuzz" RUN=() ;;
  # That tree's sanitizer runtime is a shared object, which libFuzzer's link puts after
  # libstdc++ in the targets' list of libraries: preloaded, it comes first, as ASan wants.
  asan) BUILD="$ASAN_TREE/fuzz" BIN="$ASAN_TREE/tests/fuzz"
        RUN=(env "LD_PRELOAD=$(asan_runtime)") ;;
  *) log "GORAY_FUZZ_TREE: fuzz (the default) or asan, not '$GORAY_FUZZ_TREE'"; exit 2 ;;
esac

build() {
  if [ "$BIN" != "$BUILD" ]; then
    configure_sanitizer_tree "$ASAN_TREE" "$ASAN_TREE_FLAGS"
    # shellcheck disable=SC2086  # a list of target names
    cmake --build "$ASAN_TREE" -j "$JOBS" --target $TARGETS
    return
  fi
  # -O1 with line tables: fuzzing wants speed (-O0 runs fewer inputs a second), and
  # full debug info (-g) would only slow the compile.
  configure_clang "$ROOT/tests/fuzz" "$BUILD" "-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  cmake --build "$BUILD" -j "$JOBS"
}

replay() {
  local target
  for target in $TARGETS; do
    local dir="$ROOT/tests/fuzz/regressions/${target%_fuzz}"
    local inputs=()
    [ -d "$dir" ] && mapfile -t inputs < <(find "$dir" -type f ! -name '*.md' | sort)
    if [ ${#inputs[@]} -gt 0 ]; then
      log "$target: replaying ${#inputs[@]} regression inputs"
      # The same limits as fuzzing: an input that once hung must not hang again.
      "${RUN[@]}" "$BIN/$target" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 "${inputs[@]}" 2>&1 | tail -n 2
    fi
  done
}

fuzz_one() {
  local target="$1" name="${1%_fuzz}"
  local work="$BUILD/work/$name" crashes="$BUILD/crashes"
  mkdir -p "$work" "$crashes"
  # -rss_limit_mb/-malloc_limit_mb: a forged size that allocates gigabytes is a finding.
  "${RUN[@]}" "$BIN/$target" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
    -artifact_prefix="$crashes/$name-" "$work" "$ROOT/tests/fuzz/corpus/$name" \
    >"$BUILD/$name.log" 2>&1 || { tail -n 60 "$BUILD/$name.log"; return 1; }
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$BUILD/$name.log" |
    sed "s/^/[goray] $target: /" >&2
}

timed "fuzz: build" build
timed "fuzz: regression inputs" replay
for target in $TARGETS; do
  timed "fuzz: $target (${SECONDS_PER_TARGET}s)" fuzz_one "$target"
done
