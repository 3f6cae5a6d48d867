"""scripts/failed-tests.py: the failed tests of a run, with the end of each failure's text,
printed last by scripts/run-tests.sh when a stage fails (CI logs are read from the tail)."""
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "failed-tests.py"

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.ray.test_cli" name="test_passes" time="2.5"/>
<testcase classname="tests.ray.test_cli" name="test_fails" time="1.5">
<failure message="assert 1 == 2">line 1
line 2
AssertionError: assert 1 == 2</failure></testcase>
<testcase classname="tests.ray.test_serve" name="test_setup" time="0.5">
<error message="fixture failed">RuntimeError: Ray did not start</error></testcase>
<testcase classname="tests.ray.test_arrays" name="test_skipped" time="0"><skipped/></testcase>
</testsuite></testsuites>
"""


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *arguments], text=True, capture_output=True)


def test_each_failure_and_error_is_named_with_the_end_of_its_text(tmp_path):
    report = tmp_path / "ray.xml"
    report.write_text(REPORT)
    result = run(str(report), "--lines", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "--- ray.xml: tests.ray.test_cli::test_fails",
        "    line 2",
        "    AssertionError: assert 1 == 2",
        "--- ray.xml: tests.ray.test_serve::test_setup (error)",
        "    RuntimeError: Ray did not start",
    ]


def test_reports_older_than_the_runs_mark_are_left_out(tmp_path):
    report = tmp_path / "ray.xml"
    report.write_text(REPORT)
    mark = tmp_path / "mark"
    mark.write_text("")
    os.utime(report, (0, 0))
    result = run(str(report), "--newer-than", str(mark))
    assert result.returncode == 0, result.stderr
    assert "no failed test" in result.stdout and "test_fails" not in result.stdout


def test_an_unreadable_report_is_named(tmp_path):
    report = tmp_path / "wheel.xml"
    report.write_text("<testsuites><testsuite>")
    result = run(str(report))
    assert "wheel.xml (unreadable)" in result.stdout
