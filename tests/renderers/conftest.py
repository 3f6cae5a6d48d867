"""Fixtures of goray-gen's tests: where things are, the scanner, goray's CMake package,
and what the tree's build made for them.

Everything these tests compile is built once by goray's own build, not here
(tests/renderers/CMakeLists.txt): the applications (apps/, results_app/),
the corpus's accepted cases and the golden cases, generated and compiled, under
build/tests/renderers/. `built()` fails a test whose targets are missing or out of date
(build the tree first: cmake --build build). Only the tests of goray_add_app from a
user's side configure CMake projects of their own: `user_apps_build` (apps/ configured
with find_package(goray), its code generated, nothing compiled: built_apps["build"]),
test_gen_compile_run.py's copy of one application in tmp_path, test_gen_cmake.py's.

Environment:
  GORAY_SCAN              the goray-scan to use (else goray-gen's own search)
  GORAY_CMAKE_DIR         goray's package config (else `python -m goray --cmake-dir`'s)
  GORAY_UPDATE_GOLDEN=1   rewrite the golden files instead of comparing
  GORAY_GEN_TEST_BUILD    the goray build tree (Ninja) whose tests/renderers/ outputs to
                          test (default: build/)

The scripts that call stubs on Ray join one Ray of the session (`ray_env`, shared_ray.py).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from typing import Callable, Dict, Iterator, List, Sequence, Set

import pytest

from shared_ray import ADDRESS_ENV, SharedRay, ray_environment

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import tiers  # noqa: E402
import ray_leftovers  # noqa: E402
import shared_caches  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
INPUTS = ROOT / "tests" / "scanner" / "inputs"     # the scanner's own test inputs
GOLDEN = ROOT / "tests" / "golden"                    # each case's inputs and outputs
APPS = HERE / "apps"
PYTHON = sys.executable
BUILD_TREE = pathlib.Path(os.environ.get("GORAY_GEN_TEST_BUILD") or ROOT / "build")
BUILT = BUILD_TREE / "tests" / "renderers"          # what the build made for these tests


def mypy_cache_args(settings: str = "default") -> List[str]:
    """mypy's cache shared by the mypy runs of the same settings, in this session and in
    every clone's (shared_caches.py): the first run reads Ray's, NumPy's and the standard
    library's types, the others reuse them. mypy checks each cached module against its
    source's hash, so stubs of the same module name with other contents never stand in
    for each other."""
    return shared_caches.mypy_cache_args(f"renderers-{settings}")


def stub_files(name: str) -> List[str]:
    """A stub module's files as goray-gen writes them: NAME.py, NAME.pyi and the .pyi's
    private companion _NAME_types.pyi (its classes, which NAME.pyi imports)."""
    return [f"{name}.py", f"{name}.pyi", f"_{name}_types.pyi"]


def copy_stubs(source: pathlib.Path, name: str, destination: pathlib.Path,
               module: str = "") -> None:
    """Copies the stub module `name` from `source` into `destination`, as `module` when
    given ("types" would shadow the standard library's module: tests import it as
    types_); the companion keeps its name, which the .pyi imports."""
    for file_name in stub_files(name):
        renamed = file_name
        if module and not file_name.startswith("_"):
            renamed = module + file_name[len(name):]
        shutil.copy(source / file_name, destination / renamed)


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
def ray_env(tmp_path_factory) -> Iterator[Dict[str, str]]:
    """The environment for a script that calls stubs on Ray: it joins the session's Ray
    ($GORAY_TEST_RAY_ADDRESS), started at first use and stopped at the session's end."""
    head = SharedRay(tmp_path_factory.mktemp("shared-ray") / "ray-start.log")
    try:
        yield {**ray_environment(), ADDRESS_ENV: head.address}
    finally:
        head.stop()


@pytest.fixture(scope="session")
def cmake_dir() -> pathlib.Path:
    from goray.cmake_dir import candidates, find_cmake_dir

    found = find_cmake_dir()
    if found is None:
        pytest.fail("goray's CMake package is in none of "
                    f"{[str(c) for c in candidates()]}: configure the tree "
                    f"(cmake -S {ROOT} -B {ROOT}/build) or set GORAY_CMAKE_DIR", pytrace=False)
    return found


_UP_TO_DATE: Set[str] = set()


def built(*targets: str) -> pathlib.Path:
    """BUILT (build/tests/renderers), once these targets of the build tree are there and
    up to date; else the test fails, saying to build the tree. Checked once per target
    and session, by `ninja -n` through a manifest that includes build.ninja: on
    build.ninja itself a dry run always reports that CMake must run again (the tree's
    CONFIGURE_DEPENDS globs are checked only by running), so a change that needs CMake
    again goes unseen; any other change to what the targets are made of is seen."""
    wanted = [target for target in targets if target not in _UP_TO_DATE]
    if not wanted:
        return BUILT
    if not (BUILD_TREE / "build.ninja").is_file():
        pytest.fail(f"{BUILD_TREE} is not a configured Ninja build of goray: run "
                    f"bash scripts/setup.sh (or set GORAY_GEN_TEST_BUILD to one)", pytrace=False)
    with tempfile.TemporaryDirectory() as scratch:
        manifest = pathlib.Path(scratch) / "check.ninja"
        escaped = str(BUILD_TREE / "build.ninja").replace("$", "$$").replace(" ", "$ ")
        manifest.write_text(f"include {escaped}\n")
        dry = run(["ninja", "-C", str(BUILD_TREE), "-f", str(manifest), "-n", *wanted])
    if dry.returncode != 0 or "ninja: no work to do." not in dry.stdout:
        pytest.fail(f"{BUILD_TREE} has not built {' '.join(wanted)}, or not since they "
                    f"changed: build the tree first (cmake --build {BUILD_TREE} -j2)\n"
                    f"{dry.stdout[-2000:]}{dry.stderr[-2000:]}", pytrace=False)
    _UP_TO_DATE.update(wanted)
    return BUILT


def build_apps(source: pathlib.Path, build: pathlib.Path, cmake_dir: pathlib.Path,
               *extra: str, targets: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """Configures `source` with find_package(goray), as a user does, and builds it (only
    `targets`, when given)."""
    configure = run(["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
                     f"-Dgoray_DIR={cmake_dir}", *extra])
    if configure.returncode != 0:
        return configure
    chosen = ["--target", *targets] if targets else []
    return run(["cmake", "--build", str(build), "-j", "2", *chosen])


APP_TARGETS = ["typesapp", "onefile", "unlisted", "defaultsapp", "refsapp", "restartsapp"]


def user_apps_build(cmake_dir: pathlib.Path, build: pathlib.Path) -> pathlib.Path:
    """apps/ configured as a user does (find_package(goray), unoptimized) in `build`, each
    application's code generated, nothing compiled: for the tests of goray_add_app
    itself (its build.ninja, its generation)."""
    stamps = [f"{target}_goray/{target}.stamp" for target in APP_TARGETS]
    result = build_apps(APPS, build, cmake_dir, "-DCMAKE_BUILD_TYPE=None", targets=stamps)
    if result.returncode != 0:
        pytest.fail(f"configuring tests/renderers/apps failed:\n{result.stdout}\n"
                    f"{result.stderr}", pytrace=False)
    return build


class AppPaths(dict):
    """built_apps: paths in the tree's build; "build" alone is apps/ configured by a
    user (user_apps_build, in a directory of its own: test_gen_cmake.py reads its
    build.ninja and runs ninja there), made on first use."""

    def __init__(self, paths: Dict[str, pathlib.Path],
                 user_build: Callable[[], pathlib.Path]) -> None:
        super().__init__(paths)
        self._user_build = user_build

    def __missing__(self, key: str) -> pathlib.Path:
        if key != "build":
            raise KeyError(key)
        self["build"] = self._user_build()
        return self["build"]


@pytest.fixture(scope="session")
def built_apps(cmake_dir, tmp_path_factory) -> Dict[str, pathlib.Path]:
    """apps/ built with goray_add_app by the tree (build/tests/renderers/apps): paths of
    the libraries, generated files and stubs."""
    apps = built(*APP_TARGETS) / "apps"
    return AppPaths({
        "typesapp": apps / "libtypesapp.so",
        "typesapp_gen": apps / "typesapp_goray",
        "typesapp_stubs": apps,
        "onefile": apps / "libonefile.so",
        "onefile_gen": apps / "onefile_goray",
        "onefile_stubs": apps / "stubs",
        "unlisted_gen": apps / "unlisted_goray",
        "refsapp": apps / "librefsapp.so",
        "refsapp_gen": apps / "refsapp_goray",
        "refsapp_stubs": apps,
        "defaultsapp": apps / "libdefaultsapp.so",
        "defaultsapp_gen": apps / "defaultsapp_goray",
        "defaultsapp_stubs": apps,
        "restartsapp": apps / "librestartsapp.so",
        "restartsapp_gen": apps / "restartsapp_goray",
        "restartsapp_stubs": apps,
    }, lambda: user_apps_build(cmake_dir, tmp_path_factory.mktemp("apps-user-build")))


def pytest_configure(config):
    tiers.register(config)
    ray_leftovers.note_session_start()


def pytest_sessionfinish(session):
    ray_leftovers.clean_up_after_session()


def pytest_collection_modifyitems(config, items):
    tiers.deselect(config, items)
