"""tests/tiers.py: a test marked `tier2` is left out when GORAY_TEST_TIER=1 (what
scripts/run-tests.sh exports without --all: the landing run), one marked `long` when
GORAY_LONG_TESTS=0 (without --long); both reported as deselected. A pytest run by hand,
with neither variable, runs every test."""
import os
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]

CONFTEST = f"""
import sys
sys.path.insert(0, {str(ROOT / "tests")!r})
import tiers


def pytest_configure(config):
    tiers.register(config)


def pytest_collection_modifyitems(config, items):
    tiers.deselect(config, items)
"""

TESTS = """
import pytest


def test_short():
    pass


@pytest.mark.long
def test_soak():
    pass


@pytest.mark.tier2
def test_release_only():
    pass


@pytest.mark.parametrize("way", ["first", pytest.param("second", marks=pytest.mark.long),
                                 pytest.param("third", marks=pytest.mark.tier2)])
def test_ways(way):
    pass
"""

TIER2_MODULE = """
import pytest

pytestmark = pytest.mark.tier2


def test_in_a_tier2_module():
    pass
"""


def run_pytest(folder: pathlib.Path, tier=None, long_tests=None):
    env = {key: value for key, value in os.environ.items()
           if key not in ("GORAY_LONG_TESTS", "GORAY_TEST_TIER")}
    if tier is not None:
        env["GORAY_TEST_TIER"] = tier
    if long_tests is not None:
        env["GORAY_LONG_TESTS"] = long_tests
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--strict-markers", "-rA", str(folder)], cwd=folder, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)


def passed(output: str):
    return {line.split("::", 1)[1] for line in output.splitlines() if line.startswith("PASSED ")}


def test_each_tier_and_the_long_runs_select_their_tests(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(TESTS))
    (tmp_path / "test_release.py").write_text(textwrap.dedent(TIER2_MODULE))
    everything = {"test_short", "test_soak", "test_release_only", "test_ways[first]",
                  "test_ways[second]", "test_ways[third]", "test_in_a_tier2_module"}
    long_ones = {"test_soak", "test_ways[second]"}
    tier2_ones = {"test_release_only", "test_ways[third]", "test_in_a_tier2_module"}

    landing = run_pytest(tmp_path, tier="1", long_tests="0")
    assert landing.returncode == 0, landing.stdout
    assert passed(landing.stdout) == everything - long_ones - tier2_ones, landing.stdout
    assert "2 passed, 5 deselected" in landing.stdout, landing.stdout

    for long_tests in ("0", ""):
        tier2 = run_pytest(tmp_path, tier="2", long_tests=long_tests)
        assert passed(tier2.stdout) == everything - long_ones, tier2.stdout

    landing_with_long = run_pytest(tmp_path, tier="1", long_tests="1")
    assert passed(landing_with_long.stdout) == everything - tier2_ones, landing_with_long.stdout

    by_hand = run_pytest(tmp_path)
    assert by_hand.returncode == 0, by_hand.stdout
    assert passed(by_hand.stdout) == everything and "deselected" not in by_hand.stdout
