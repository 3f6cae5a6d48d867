"""Shared fixtures: the test application library (tests/apps/testapp.cpp) and its
Python definitions. Tests that need no library never load it."""

import os
import pathlib
import sys

import pytest

import testapp_defs  # noqa: F401 - registers the functions the C++ side calls

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import tiers  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_LIB = ROOT / "build" / "tests" / "apps" / "libtestapp.so"


def test_library_path() -> pathlib.Path:
    return pathlib.Path(os.environ.get("GORAY_TEST_LIB", DEFAULT_LIB))


test_library_path.__test__ = False  # a helper, not a test


@pytest.fixture(scope="session")
def lib_path():
    path = test_library_path()
    if not path.is_file():
        pytest.fail(
            f"the test library {path} does not exist: build it with\n"
            f"  cmake -S {ROOT} -B {ROOT}/build -G Ninja && "
            f"cmake --build {ROOT}/build --target testapp\n"
            "or point GORAY_TEST_LIB at it", pytrace=False)
    return path


@pytest.fixture(scope="session")
def lib(lib_path):
    import goray

    return goray.load_library(str(lib_path))


def pytest_configure(config):
    tiers.register(config)
    config.addinivalue_line(
        "markers", "ray_versions: in the subset scripts/test-ray-versions.sh runs on each Ray "
                   "release (docs/testing.md)")


def pytest_collection_modifyitems(config, items):
    tiers.deselect(config, items)
