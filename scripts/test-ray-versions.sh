#!/usr/bin/env bash
# Runs goray's Ray-release subset on each Ray release named, and prints a table:
#
#   bash scripts/test-ray-versions.sh                    # the matrix: 2.40.0 ... 2.60.0
#   bash scripts/test-ray-versions.sh 2.40.0 2.53.0      # any releases of PyPI's
#   bash scripts/test-ray-versions.sh --oldest           # the first of the matrix (CI)
#
# For each release: a virtualenv .venv-ray-<release>/ with ray[default,serve]==<release> and
# python/requirements-ray-versions.txt, installed by uv from PyPI (kept, so a second run is
# quick; .venv/ itself when it holds that release), and goray from this checkout (a path
# entry to python/, as .venv's editable install: its compiled fast path is the one build/
# made for this CPython, which every venv here shares). Then pytest runs the tests marked
# ray_versions in tests/ray (tasks, actors, named actors, arrays, streams, crash reports,
# the C++ driver both ways, compiled graphs, Ray Data UDFs, the internal paths against the
# public ones: docs/testing.md) and tests/python/test_ray_releases.py, against the
# libraries build/ holds; then the generated stubs under mypy --strict and pyright strict
# against that release's Ray (tests/renderers/test_gen_user_typing.py, run by .venv's
# pytest, which has the checkers, with GORAY_TYPING_PYTHON naming the release's Python). The table gives each release's verdict, its test counts, and
# the goray features that release lacks (emulated or refused, from `goray --doctor`).
# Exit status 1 when any release failed. The CI stage ray-oldest runs the first release.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

# Kept equal to goray._ray.compat.releases.MATRIX (tests/python/test_ray_releases.py checks).
DEFAULT_RELEASES=(2.40.0 2.46.0 2.50.0 2.55.0 2.60.0)

releases=("$@")
[ ${#releases[@]} -gt 0 ] || releases=("${DEFAULT_RELEASES[@]}")
[ "${releases[*]}" != --oldest ] || releases=("${DEFAULT_RELEASES[0]}")
for release in "${releases[@]}"; do
  if ! [[ "$release" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "test-ray-versions.sh: '$release' is not a Ray release (X.Y.Z)" >&2
    exit 2
  fi
done

[ "${GORAY_SKIP_SETUP:-0}" = 1 ] || bash "$ROOT/scripts/setup.sh"

RESULTS="$ROOT/build/ray-versions"
mkdir -p "$RESULTS" "$ROOT/build/pytest"  # (pytest makes only the last folder of --basetemp)

# run_release RELEASE: the subset under RELEASE, as two pytest processes (tests/ray and
# tests/python each have a conftest of their own), then the stubs' typing under its Ray;
# writes $RESULTS/RELEASE.{ray,python,typing}.xml and RELEASE.doctor.json.
run_release() {
  local release="$1" venv status=0
  venv="$(ray_venv "$release")"
  "$venv/bin/python" -m goray --doctor --json > "$RESULTS/$release.doctor.json" || true
  local part
  for part in ray python; do
    local paths=(tests/ray)
    [ "$part" = ray ] || paths=(tests/python/test_ray_releases.py)
    (cd "$ROOT" && RAY_USAGE_STATS_ENABLED=0 "$venv/bin/python" -m pytest -q -p no:cacheprovider \
       --durations=5 --timeout=900 --basetemp="$ROOT/build/pytest/ray-$release-$part" \
       --junitxml="$RESULTS/$release.$part.xml" -m ray_versions "${paths[@]}") || status=1
  done
  (cd "$ROOT" && GORAY_TYPING_PYTHON="$venv/bin/python" "$ROOT/.venv/bin/python" -m pytest -q \
     -p no:cacheprovider --basetemp="$ROOT/build/pytest/ray-$release-typing" \
     --junitxml="$RESULTS/$release.typing.xml" tests/renderers/test_gen_user_typing.py) || status=1
  return "$status"
}

failed=0
for release in "${releases[@]}"; do
  timed "Ray $release" run_release "$release" || failed=1
done

# The table: release, verdict, counts, and the features the release lacks.
"$ROOT/.venv/bin/python" - "$RESULTS" "${releases[@]}" <<'EOF'
import json, pathlib, sys
import xml.etree.ElementTree as ElementTree

results, releases = pathlib.Path(sys.argv[1]), sys.argv[2:]
print(f"\n{'Ray':<8} {'result':<7} {'passed':>6} {'failed':>6} {'skipped':>7}  goray features this Ray lacks")
for release in releases:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    reports = [results / f"{release}.{part}.xml" for part in ("ray", "python", "typing")]
    for report in reports:
        if report.exists():
            suite = ElementTree.parse(report).getroot()
            suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
            for key in counts:
                counts[key] += int(suite.get(key, 0))
    bad = counts["failures"] + counts["errors"]
    passed = counts["tests"] - bad - counts["skipped"]
    verdict = "pass" if all(r.exists() for r in reports) and bad == 0 and passed > 0 else "FAIL"
    try:
        facts = json.loads((results / f"{release}.doctor.json").read_text())
        lacking = [f"{f['feature']} ({'refused' if f['without'].startswith('refused') else 'emulated'})"
                   for f in facts.get("features", []) if not f["available"]]
    except (OSError, ValueError):
        lacking = ["(goray --doctor did not answer)"]
    print(f"{release:<8} {verdict:<7} {passed:>6} {bad:>6} {counts['skipped']:>7}  "
          + ("; ".join(lacking) or "none"))
EOF
exit "$failed"
