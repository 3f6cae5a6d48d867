#!/usr/bin/env bash
# Compile-fail tests of the C++ API (docs/reliability.md): each case of cases.cpp must fail to
# compile with its message; case 0 must compile. Usage: bash run.sh [CXX]
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CXX="${1:-${CXX:-clang++-19}}"
PARSE_FLAGS=(-std=c++20 -DMSGPACK_NO_BOOST -I "$ROOT/runtime/include")
FLAGS=("${PARSE_FLAGS[@]}" -fsyntax-only)
EXPECT=(
  ""                                                                   # 0: compiles
  "options (goray::Option) must come after the call's arguments"      # 1
  "in-process calls take no goray::Option"                             # 2
  "ObjectRef arguments are not allowed in in-process calls"            # 3
  "Get needs at least one type"                                        # 4
  "goray::Option: use bool, a number, a string"                        # 5
  "cannot decode into a non-owning string; use std::string"            # 6
  "options (goray::Option) must come after the call's arguments"      # 7
  "a task parameter cannot be a pointer"                               # 8
  "a task parameter cannot be a non-const reference"                   # 9
  "a generator's parameter cannot be std::span, goray::ArrayView or std::string_view"  # 10
  "a generator's parameter cannot be std::span, goray::ArrayView or std::string_view"  # 11
  "Generator<T> yields values: T is an object type"                    # 12
)
# <goray/goray.h> precompiled once: its parse is most of each case's check (clang-19: 3 s of
# a case's 3.5 s), so the 13 cases take seconds, not a minute. When it cannot be
# precompiled, the cases parse it themselves (and case 0 shows what is wrong with it).
PCH_DIR="$(mktemp -d)"
trap 'rm -rf "$PCH_DIR"' EXIT
printf '#include <goray/goray.h>\n' > "$PCH_DIR/goray_pch.h"
if "$CXX" --version 2>/dev/null | grep -q clang; then
  PCH="$PCH_DIR/goray_pch.h.pch"; USE_PCH=(-include-pch "$PCH")
else
  PCH="$PCH_DIR/goray_pch.h.gch"; USE_PCH=(-include "$PCH_DIR/goray_pch.h" -Winvalid-pch)
fi
if ! "$CXX" "${PARSE_FLAGS[@]}" -x c++-header "$PCH_DIR/goray_pch.h" -o "$PCH" >/dev/null 2>&1; then
  USE_PCH=()
fi
failures=0
for case in "${!EXPECT[@]}"; do
  output="$("$CXX" "${FLAGS[@]}" "${USE_PCH[@]}" -DCASE="$case" "$HERE/cases.cpp" 2>&1)"
  status=$?
  if [ "$case" -eq 0 ]; then
    if [ $status -ne 0 ]; then echo "FAIL case 0 (the control) does not compile:"; echo "$output" | head -20; failures=$((failures + 1)); fi
  elif [ $status -eq 0 ]; then
    echo "FAIL case $case compiled; expected: ${EXPECT[$case]}"; failures=$((failures + 1))
  elif ! grep -qF -- "${EXPECT[$case]}" <<<"$output"; then
    echo "FAIL case $case failed without the message '${EXPECT[$case]}':"; echo "$output" | grep -m5 error
    failures=$((failures + 1))
  else
    echo "ok   case $case: ${EXPECT[$case]}"
  fi
done
[ $failures -eq 0 ] && echo "compile-fail: all ${#EXPECT[@]} cases as expected" || echo "compile-fail: $failures failures"
exit $((failures > 0))
