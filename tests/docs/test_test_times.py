"""scripts/test-times.py (docs/testing.md): each test file's total time from the JUnit XML
that scripts/run-tests.sh writes, slowest first."""
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test-times.py"

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.ray.test_cli" name="test_a" time="2.5"/>
<testcase classname="tests.ray.test_cli" name="test_b" time="1.5"/>
<testcase classname="tests.ray.test_streams.TestOrder" name="test_c" time="7.0"/>
<testcase classname="tests.ray.test_arrays" name="test_d" time="0.25"/>
</testsuite></testsuites>
"""


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *arguments], text=True, capture_output=True)


def test_files_are_summed_and_listed_slowest_first(tmp_path):
    report = tmp_path / "ray.xml"
    report.write_text(REPORT)
    result = run(str(report), "--top", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "ray: 11 s in 3 files"
    assert [line.split()[-1] for line in lines[1:]] == ["test_streams", "test_cli"]
    assert lines[2].split()[0] == "4.0"


def test_no_report_says_how_to_make_one(tmp_path):
    result = run(str(tmp_path / "missing.xml"))
    assert result.returncode == 1
    assert "no such report" in result.stderr and "missing.xml" in result.stderr


def test_a_runs_summary_gives_each_stage_then_the_slowest_tests(tmp_path):
    report = tmp_path / "ray.xml"
    report.write_text(REPORT)
    gtest = tmp_path / "goray_runtime_test.codec_test.xml"
    gtest.write_text('<testsuites><testsuite name="Codec">'
                     '<testcase classname="Codec" name="RoundTrips" time="3.25"/>'
                     '</testsuite></testsuites>')
    stage_times = tmp_path / "stage-times.tsv"
    stage_times.write_text("build\t300\tpassed\nray\t500\tfailed\ncpp\t20\tpassed\n")
    result = run(str(report), str(gtest), "--run", str(stage_times), "--slowest", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("stages: 820 s in all")
    assert [line.split()[2:] for line in lines[1:4]] == [["ray", "(failed)"], ["build"], ["cpp"]]
    assert lines[4] == "the 3 slowest tests of 5:"
    assert [line.split()[-1] for line in lines[5:]] == [
        "tests.ray.test_streams.TestOrder::test_c", "Codec::RoundTrips", "tests.ray.test_cli::test_a"]
