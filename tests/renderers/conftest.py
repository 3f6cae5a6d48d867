"""Fixtures of goray-gen's tests: where things are, the scanner, goray's CMake package,
and the test applications (apps/) built once per session with goray_add_app.

Environment:
  GORAY_SCAN              the goray-scan to use (else goray-gen's own search)
  GORAY_CMAKE_DIR         goray's package config (else `python -m goray --cmake-dir`'s)
  GORAY_UPDATE_GOLDEN=1   rewrite the golden files instead of comparing
  GORAY_GEN_TEST_BUILD    build the apps there (kept between runs) instead of a temp dir
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
from typing import Dict, List

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
INPUTS = ROOT / "tests" / "scanner" / "inputs"     # the scanner's own test inputs
GOLDEN = ROOT / "tests" / "golden"                    # each case's inputs and outputs
APPS = HERE / "apps"
PYTHON = sys.executable


def update_golden() -> bool:
    return bool(os.environ.get("GORAY_UPDATE_GOLDEN"))


def run(command: List[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          **kwargs)


def gen_command(*arguments: str) -> List[str]:
    """goray-gen as a user runs it (python -m goray.gen: the console script may not be
    installed in an editable checkout)."""
    return [PYTHON, "-m", "goray.gen", *arguments]


@pytest.fixture(scope="session")
def scanner() -> str:
    from goray.gen.scanner import ScanError, find_scanner

    try:
        path = find_scanner()
    except ScanError as error:
        pytest.fail(f"{error.diagnostics}\nbuild it: cmake --build build --target goray-scan",
                    pytrace=False)
    if not shutil.which(path) and not os.path.isfile(path):
        pytest.fail(f"goray-scan {path} does not exist", pytrace=False)
    os.environ.setdefault("GORAY_SCAN", path)  # for goray-gen subprocesses
    return path


@pytest.fixture(scope="session")
def cmake_dir() -> pathlib.Path:
    from goray.cmake_dir import candidates, find_cmake_dir

    found = find_cmake_dir()
    if found is None:
        pytest.fail("goray's CMake package is in none of "
                    f"{[str(c) for c in candidates()]}: configure the tree "
                    f"(cmake -S {ROOT} -B {ROOT}/build) or set GORAY_CMAKE_DIR", pytrace=False)
    return found


def build_apps(source: pathlib.Path, build: pathlib.Path, cmake_dir: pathlib.Path,
               *extra: str) -> subprocess.CompletedProcess:
    configure = run(["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
                     f"-Dgoray_DIR={cmake_dir}", *extra])
    if configure.returncode != 0:
        return configure
    return run(["cmake", "--build", str(build), "-j", "2"])


@pytest.fixture(scope="session")
def built_apps(cmake_dir, tmp_path_factory) -> Dict[str, pathlib.Path]:
    """apps/ built with goray_add_app: paths of the libraries and generated files."""
    chosen = os.environ.get("GORAY_GEN_TEST_BUILD")
    build = pathlib.Path(chosen) if chosen else tmp_path_factory.mktemp("apps-build")
    # Unoptimized (a set build type, no flags): compiles three times faster. The -O2 of
    # an unset build type is checked by test_gen_cmake.py.
    result = build_apps(APPS, build, cmake_dir, "-DCMAKE_BUILD_TYPE=None")
    if result.returncode != 0:
        pytest.fail(f"building tests/renderers/apps failed:\n{result.stdout}\n"
                    f"{result.stderr}", pytrace=False)
    return {
        "build": build,
        "typesapp": build / "libtypesapp.so",
        "typesapp_gen": build / "typesapp_goray",
        "typesapp_stubs": build,
        "onefile": build / "libonefile.so",
        "onefile_gen": build / "onefile_goray",
        "onefile_stubs": build / "stubs",
        "refsapp": build / "librefsapp.so",
        "refsapp_gen": build / "refsapp_goray",
        "defaultsapp": build / "libdefaultsapp.so",
        "defaultsapp_gen": build / "defaultsapp_goray",
        "defaultsapp_stubs": build,
    }
