"""Every sample of a program's output in README.md and docs/*.md is checked against what
the program prints (issue 70 §4; how a page marks a sample: docs/testing.md, "Samples
of output"; the samples and the comparison: tests/doc_samples.py).

Each sample must match exactly one rule of SAMPLES, by its page and the start of its
first line:

- CHECKED: a test in this file runs the program (or the goray code that prints it) and
  compares its output with the sample;
- COVERED: a test or stage that needs what this stage has not (Ray, the wheel, the
  examples) compares it, calling tests/doc_samples.py's assert_sample (or its command
  line) on it; test_covered_samples_are_compared checks that call is still there.

A new sample with no rule fails test_every_sample_has_a_rule.
"""
from __future__ import annotations

import platform
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import REPO, VENV

sys.path.insert(0, str(REPO / "tests"))
from doc_samples import Sample, all_samples, assert_sample, mismatch, sample  # noqa: E402

BUILD = REPO / "build"
PYTHON = str(VENV / "bin" / "python")


@dataclass(frozen=True)
class Rule:
    file: str
    first: str  # the start of the sample's first line
    kind: str  # CHECKED or COVERED
    by: str  # CHECKED: the test here; COVERED: "path::needle", the needle the call to the comparison
    reason: str = ""


CHECKED, COVERED = "checked", "covered"

SAMPLES = [
    Rule("docs/install.md", "goray-cpp ", CHECKED, "test_the_doctors_sample"),
    Rule("docs/install.md", "UntestedRayWarning: ", CHECKED, "test_the_newer_ray_warnings_sample"),
    Rule("docs/install.md", "ERROR: Cannot install goray-cpp", COVERED,
         "tests/wheel/test_install.py::assert_sample(\"docs/install.md\", \"ERROR: Cannot install",
         "pip against PyPI with the wheel: the wheel stage runs it"),
    Rule("docs/protocol.md", "goray: native crash: ", CHECKED, "test_the_crash_reports_samples"),
    Rule("docs/errors.md", "The worker died unexpectedly", COVERED,
         "tests/ray/test_crash_reports.py::assert_sample(\"docs/errors.md\", \"The worker died",
         "a task's crash on Ray, as its caller's ray.get raises it: the ray stage"),
    Rule("docs/map.md", "goray.MapItemError: ", CHECKED, "test_the_map_item_errors_sample"),
    Rule("docs/map.md", "goray.ArgumentError: item 2:", CHECKED, "test_the_map_argument_errors_samples"),
    Rule("docs/map.md", "goray.ArgumentError: goray.map(", CHECKED, "test_the_map_argument_errors_samples"),
    Rule("docs/types.md", "goray.ArgumentError: position 0: expected Eigen", COVERED,
         "tests/renderers/test_gen_eigen_app.py::assert_sample(\"docs/types.md\"",
         "the Eigen application, built where Eigen is installed: the renderers stage"),
    Rule("docs/testing.md", "Ray      result", CHECKED, "test_the_ray_releases_tables_sample"),
    Rule("docs/serve.md", "POST /model/Score", COVERED,
         "scripts/run-example.sh::tests/doc_samples.py\" docs/serve.md 'POST /model/Score'",
         "examples/serving on its own Ray: the examples stage compares its output"),
    Rule("docs/serve.md", "1.75", COVERED,
         "tests/ray/test_serve.py::assert_sample(\"docs/serve.md\", \"1.75\"",
         "curl against examples/serving's model on Ray: the ray stage"),
]


def rules_for(found: Sample) -> List[Rule]:
    return [rule for rule in SAMPLES if rule.file == found.file and found.first.startswith(rule.first)]


def test_every_sample_has_a_rule():
    samples = all_samples()
    assert len(samples) >= len(SAMPLES), "the docs' samples were not found"
    unmatched = [str(s) for s in samples if not rules_for(s)]
    ambiguous = [str(s) for s in samples if len(rules_for(s)) > 1]
    assert not unmatched, ("samples of output no test compares (add a rule to "
                           "tests/docs/test_docs_samples.py, or fence a listing that is not "
                           "a program's output without a label):\n" + "\n".join(unmatched))
    assert not ambiguous, "samples matched by several rules:\n" + "\n".join(ambiguous)


def test_every_rule_matches_a_sample():
    samples = all_samples()
    unused = [f"{r.file}: {r.first}" for r in SAMPLES if not any(r in rules_for(s) for s in samples)]
    assert not unused, "rules for samples no longer in the docs:\n" + "\n".join(unused)


def test_checked_samples_have_their_test_and_covered_ones_their_comparison():
    for rule in SAMPLES:
        if rule.kind == CHECKED:
            assert callable(globals().get(rule.by)), rule
            continue
        assert rule.kind == COVERED and rule.reason, rule
        path, _, needle = rule.by.partition("::")
        assert needle and needle in (REPO / path).read_text(encoding="utf-8"), rule


def test_the_comparison_finds_drift():
    text = "goray-cpp   0.1.0 (protocol 6)\nPython      CPython 3.11.7\n...\nFeatures\n  no  a: ..."
    output = "x\ngoray-cpp   0.1.0 (protocol 8)\nPython      CPython 3.12.1\nmore\nFeatures\n  no  a: b c\n"
    assert "protocol 6" in (mismatch(text, output) or "")
    masks = [(r"CPython \S+", "CPython X"), (r"protocol \d", "protocol N")]
    assert mismatch(text, output, masks) is None
    assert mismatch(text.replace("  no  a: ...", "  no  b: ..."), output, masks) is not None
    # Each output line may offer alternatives; "..." may stand for no line at all.
    assert mismatch("a\n...\nb", [["x", "a"], "b"]) is None
    assert mismatch("a\n  ...\nb", ["a", "c", "d", "b"]) is None
    assert mismatch("a\nb", ["a", "c", "b"]) is not None


# ---- the checks -----------------------------------------------------------------------------

def run_python(code: str, env: Dict[str, str] = None, check: bool = True) -> subprocess.CompletedProcess:
    import os
    environment = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", **(env or {})}
    done = subprocess.run([PYTHON, "-c", code], text=True, capture_output=True, timeout=300,
                          env=environment)
    if check:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def library(name: str) -> Path:
    found = sorted(BUILD.rglob(f"lib{name}.so"))
    if not found:
        pytest.skip(f"lib{name}.so is not built (cmake --build build)")
    return found[0]


def test_the_doctors_sample():
    """install.md's `python -m goray --doctor`, run as written. The sample shows Ray 2.40,
    whose internal paths and features differ from this Ray's: each of those lines may be
    either state's (the doctor's own text for it); this machine's Python and Ray release
    are masked. goray's version and protocol are not."""
    done = subprocess.run([PYTHON, "-m", "goray", "--doctor"], text=True, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    from goray import doctor
    facts = doctor.report()
    flipped = {**facts,
               "paths": [{**path, "taken": not path["taken"]} for path in facts["paths"]],
               "features": [{**f, "available": not f["available"]} for f in facts["features"]]}
    printed = done.stdout.rstrip("\n").split("\n")
    assert printed == doctor._lines(facts), "the doctor's lines are not _lines(report())"
    output = [{line, other} for line, other in zip(printed, doctor._lines(flipped))]
    masks = [(r"^Python      .*", "Python      (this machine)"),
             (r"^(Ray         )\d+\.\d+\.\d+: tested", r"\1(a tested release): tested")]
    assert_sample("docs/install.md", "goray-cpp ", output, masks)


def test_the_newer_ray_warnings_sample():
    from goray._ray.compat import releases
    releases.check_release.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        releases.check_release("2.61.0")
    releases.check_release.cache_clear()
    assert len(caught) == 1
    assert_sample("docs/install.md", "UntestedRayWarning: ",
                  f"{caught[0].category.__name__}: {caught[0].message}")


#: A crash report's parts that differ between runs and machines: the process, and where
#: the sources were built; how many frames were left out depends on the Python.
REPORT_MASKS = [(r"pid \d+, thread \d+", "pid N, thread N"),
                (r" at (?:\S*/)?([^/\s]+:\d+)$", r" at .../\1"),
                (r"\(\d+ more frames", "(N more frames")]


def test_the_crash_reports_samples():
    """protocol.md's report: raytest's CrashTask("segv") called in-process, the report
    its handler writes to stderr."""
    raytest = library("raytest")
    done = run_python(f"import goray\ngoray.load_library({str(raytest)!r})\n"
                      "goray.golang_local_run_task('CrashTask', 'segv')\n", check=False)
    assert done.returncode != 0, done.stdout
    assert_sample("docs/protocol.md", "goray: native crash: ", done.stderr, REPORT_MASKS)


def test_the_map_item_errors_sample():
    """map.md's MapItemError: examples/mapping's LogScore at 0.0, the failure its C++
    exception is, as goray.map's item 1."""
    mapping = library("mapping")
    done = run_python(f"import goray\ngoray.load_library({str(mapping)!r})\n"
                      "try:\n    goray.golang_local_run_task('LogScore', 0.0)\n"
                      "except goray.NativeError as cause:\n"
                      "    print(f'goray.MapItemError: {goray.MapItemError(\"LogScore\", 1, 0.0, cause)}')\n")
    assert_sample("docs/map.md", "goray.MapItemError: ", done.stdout)


#: goray.map's checks before anything is sent, run without Ray (its check that Ray runs
#: is left out): what the driver prints for a map that never starts.
MAP_WITHOUT_RAY = ("import goray, numpy\ngoray.load_library({library!r})\n"
                   "from goray._map import targets\ntargets._require_ray = lambda name: None\n"
                   "try:\n    {call}\nexcept goray.ArgumentError as error:\n"
                   "    print(f'goray.ArgumentError: {{error}}')\n")


@pytest.mark.parametrize("first, call", [
    ("goray.ArgumentError: item 2:", "goray.map('Score', numpy.array([1, 2, 2**53 + 1]), weight=1.0)"),
    ("goray.ArgumentError: goray.map(", "goray.map('Score', numpy.arange(3.0), weight='x')"),
])
def test_the_map_argument_errors_samples(first: str, call: str):
    """map.md's column that does not convert exactly and shared value that does not fit:
    examples/mapping's Score.map, refused in the driver before anything is sent."""
    done = run_python(MAP_WITHOUT_RAY.format(library=str(library("mapping")), call=call))
    assert_sample("docs/map.md", first, done.stdout, wrapped=True)


def test_the_ray_releases_tables_sample(tmp_path: Path):
    """testing.md's table: scripts/test-ray-versions.sh's own code that prints it, given
    the run's counts the sample shows and each release's features as the doctor reports
    them (a feature is there from its first release on)."""
    import json
    from goray._ray.compat import releases
    script = (REPO / "scripts" / "test-ray-versions.sh").read_text(encoding="utf-8")
    code = re.search(r"<<'EOF'\n(.*?)\nEOF\n", script, re.S).group(1)
    found = sample("docs/testing.md", "Ray      result")
    rows = [line.split() for line in found.text.split("\n")[1:]]
    names = []
    for release, _verdict, passed, failed, skipped, *_ in rows:
        tests = int(passed) + int(failed) + int(skipped)
        (tmp_path / f"{release}.ray.xml").write_text(
            f'<testsuite tests="{tests}" failures="{failed}" errors="0" skipped="{skipped}"/>')
        for part in ("python", "typing"):
            (tmp_path / f"{release}.{part}.xml").write_text('<testsuite tests="0"/>')
        version = tuple(int(x) for x in release.split("."))
        features = [{"feature": f.name, "available": version >= tuple(int(x) for x in f.first.split(".")),
                     "without": f.without} for f in releases.FEATURES]
        (tmp_path / f"{release}.doctor.json").write_text(json.dumps({"features": features}))
        names.append(release)
    done = subprocess.run([PYTHON, "-", str(tmp_path), *names], input=code, text=True,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert_sample("docs/testing.md", "Ray      result", done.stdout)
