"""scripts/pytest-resume.py: a pytest that Ray aborts is followed by one that runs the
tests it had not finished; the run passes only when the abort was Ray's own check."""
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pytest-resume.py"

# test_two dies of SIGABRT the first time it runs, after writing (when asked to) a log line
# as Ray's core worker writes its failed checks, under the process's id.
SUITE = """
import os
from pathlib import Path

HERE = Path(__file__).parent


def test_one():
    assert os.environ.get("FAIL_ONE") is None


def test_two():
    marker = HERE / "aborted-once"
    if not marker.exists():
        marker.write_text("")
        if os.environ.get("WRITE_CHECK"):
            log = HERE / f"python-core-driver-01000000ffff_{os.getpid()}.log"
            log.write_text("[2026-11-27 01:00:00,000 C 1 2] task_manager.cc:1329: Check failed: "
                           "it != submissible_tasks_.end() Tried to complete task that was not pending\\n")
        os.abort()


def test_three(tmp_path):  # the run's --basetemp
    assert os.environ.get("FAIL_THREE") is None
"""


def run_wrapper(tmp_path: Path, files: dict[str, str], *pytest_arguments: str,
                **env: str) -> subprocess.CompletedProcess:
    """pytest-resume.py on a suite of FILES (name: text) in tmp_path/suite, the root of its
    test ids (whatever folder holds tmp_path), looking for Ray's logs beside the suite."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    suite = tmp_path / "suite"
    suite.mkdir()
    for name, text in files.items():
        (suite / name).write_text(textwrap.dedent(text))
    command = [sys.executable, str(SCRIPT), "--abort-log", str(suite / "python-core-driver-*_{pid}.log"),
               "--", "-q", "-p", "no:cacheprovider", *pytest_arguments, str(suite)]
    return subprocess.run(command, cwd=str(tmp_path), env=dict(os.environ, **env), text=True,
                          capture_output=True, timeout=300)


def run_suite(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """The wrapper on SUITE, with a JUnit report and a temporary folder of its own."""
    return run_wrapper(tmp_path, {"test_suite.py": SUITE}, f"--junitxml={tmp_path / 'report.xml'}",
                       f"--basetemp={tmp_path / 'temp'}", **env)


def cases(report: Path) -> dict[str, str]:
    """Each test case's name and outcome in a JUnit report."""
    outcomes = {}
    for case in ElementTree.parse(report).iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        outcomes[case.get("name")] = "failed" if failed else "passed"
    return outcomes


def test_an_abort_by_rays_check_runs_the_rest_again_and_passes(tmp_path):
    result = run_suite(tmp_path, WRITE_CHECK="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "died of SIGABRT in suite/test_suite.py::test_two" in result.stderr, result.stderr
    assert "task_manager.cc:1329: Check failed" in result.stderr
    assert "Ray's own check aborted the process" in result.stderr
    # The first run wrote no report; the new one ran the aborted test and the rest only.
    assert not (tmp_path / "report.xml").exists()
    assert cases(tmp_path / "report.resumed-1.xml") == {"test_two": "passed", "test_three": "passed"}
    assert (tmp_path / "temp-resumed-1").is_dir()


def test_an_abort_without_rays_check_fails_after_the_rest_has_run(tmp_path):
    result = run_suite(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no failed check of Ray's in its logs: counted as a failure" in result.stderr
    assert cases(tmp_path / "report.resumed-1.xml") == {"test_two": "passed", "test_three": "passed"}


def test_a_failure_in_the_new_run_fails_the_run(tmp_path):
    result = run_suite(tmp_path, WRITE_CHECK="1", FAIL_THREE="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert cases(tmp_path / "report.resumed-1.xml") == {"test_two": "passed", "test_three": "failed"}


def test_a_failure_before_the_death_fails_the_run_and_is_reported_again(tmp_path):
    # Its report died with the process: it runs again for one, and counts as failed.
    result = run_suite(tmp_path, WRITE_CHECK="1", FAIL_ONE="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed before it died" in result.stderr and "test_one" in result.stderr
    assert cases(tmp_path / "report.resumed-1.xml") == {
        "test_one": "failed", "test_two": "passed", "test_three": "passed"}


def test_a_death_in_the_sessions_tear_down_runs_the_last_test_again(tmp_path):
    # Ray aborts in the session fixture's tear-down (its shutdown), which pytest runs as
    # part of the last test's: that test runs again, in a session that ends well.
    result = run_wrapper(tmp_path, {"conftest.py": """
        import os
        from pathlib import Path
        import pytest

        @pytest.fixture(scope="session", autouse=True)
        def ray_session():
            yield
            marker = Path(__file__).parent / "aborted-once"
            if not marker.exists():
                marker.write_text("")
                Path(__file__).parent.joinpath(f"python-core-driver-1_{os.getpid()}.log").write_text(
                    "core_worker.cc:12: Check failed: shutdown\\n")
                os.abort()
    """, "test_plain.py": "def test_passes():\n    pass\n"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "died of SIGABRT in suite/test_plain.py::test_passes" in result.stderr, result.stderr
    assert "1 passed" in result.stdout, result.stdout


def test_a_run_without_a_death_is_pytests_own(tmp_path):
    result = run_wrapper(tmp_path, {"test_plain.py": "def test_fails():\n    assert False\n"})
    assert result.returncode == 1 and "1 failed" in result.stdout, result.stdout + result.stderr
    assert "pytest-resume" not in result.stderr
