"""tests/long_runs.py: the tests marked `long` are left out when GORAY_LONG_TESTS=0 (what
scripts/run-tests.sh exports without --long, so CI leaves them out), reported as
deselected, and run otherwise (a pytest run by hand runs every test)."""
import os
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]

CONFTEST = f"""
import sys
sys.path.insert(0, {str(ROOT / "tests")!r})
import long_runs


def pytest_configure(config):
    long_runs.register(config)


def pytest_collection_modifyitems(config, items):
    long_runs.deselect(config, items)
"""

TESTS = """
import pytest


def test_short():
    pass


@pytest.mark.long
def test_soak():
    pass


@pytest.mark.parametrize("way", ["first", pytest.param("second", marks=pytest.mark.long)])
def test_ways(way):
    pass
"""


def run_pytest(folder: pathlib.Path, long_tests):
    env = {key: value for key, value in os.environ.items() if key != "GORAY_LONG_TESTS"}
    if long_tests is not None:
        env["GORAY_LONG_TESTS"] = long_tests
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--strict-markers", "-rA", str(folder)], cwd=folder, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)


def test_long_runs_are_deselected_only_when_gorays_scripts_say_so(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(TESTS))

    for long_tests in ("0", ""):
        left_out = run_pytest(tmp_path, long_tests)
        assert left_out.returncode == 0, left_out.stdout
        assert "2 passed, 2 deselected" in left_out.stdout, left_out.stdout
        assert "test_soak" not in left_out.stdout and "test_ways[second]" not in left_out.stdout

    for long_tests in ("1", None):
        everything = run_pytest(tmp_path, long_tests)
        assert everything.returncode == 0, everything.stdout
        assert "4 passed" in everything.stdout and "deselected" not in everything.stdout
        assert "PASSED test_sample.py::test_soak" in everything.stdout
