"""The source distribution (`python -m build --sdist`, scikit-build-core's build_sdist): what
`pip install goray_cpp-<v>.tar.gz` or a build from a checkout compiles. It must hold every
file the CMake build reads and none of the tree's build output. Building the sdist compiles
nothing; the last test only configures the unpacked tree (docs/install.md, "Installing from
source")."""
from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path, PurePosixPath
from typing import Dict, Tuple

import pytest

from conftest import REPO, clean_environment, run
from test_doc_figures import SDIST_FIGURES, assert_within_tolerance

# Tier 2 (bash scripts/run-tests.sh --all): the source distribution
pytestmark = pytest.mark.tier2

# The parts of the tree the wheel's CMake build reads: every tracked file under them ships.
BUILD_INPUTS = ("CMakeLists.txt", "pyproject.toml", "cmake", "runtime", "generator",
                "templates", "python/goray")
# Build output and local state that must stay out (first path component, or any component).
LEFT_OUT_TOP = re.compile(r"^(build|build-.+|dist|\.venv.*|\.git|\.tools|python/build)$")
LEFT_OUT_ANYWHERE = re.compile(r"^(__pycache__|\.pytest_cache|\.mypy_cache|.+\.egg-info)$")
LEFT_OUT_SUFFIXES = (".so", ".whl", ".pyc", ".a", ".o")
# Test data stays small: no file over this (the largest tracked one is ~75 KiB).
LARGEST_FILE = 512 * 1024


@pytest.fixture(scope="module")
def sdist_build(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, str]:
    """The sdist, built with build isolation (build-system.requires only) into tmp, and
    what the build printed."""
    out = tmp_path_factory.mktemp("sdist")
    result = run([sys.executable, "-m", "build", "--sdist", "--outdir", out, REPO],
                 env=clean_environment(), timeout=600)
    built = sorted(out.glob("goray_cpp-*.tar.gz"))
    assert len(built) == 1, built
    return built[0], result.stdout + result.stderr


@pytest.fixture(scope="module")
def sdist(sdist_build: Tuple[Path, str]) -> Path:
    return sdist_build[0]


def test_the_sdist_builds_without_warnings(sdist_build: Tuple[Path, str]):
    # scikit-build-core 1.0 deprecated tool.scikit-build.metadata ([[tool.dynamic-metadata]]).
    warnings = [line for line in sdist_build[1].splitlines()
                if "warning" in line.lower() or "deprecat" in line.lower()]
    assert not warnings, "\n".join(warnings)


def members(sdist: Path) -> Dict[str, tarfile.TarInfo]:
    """The sdist's files, keyed by their path below its top directory."""
    with tarfile.open(sdist) as archive:
        entries = archive.getmembers()
    top = {PurePosixPath(entry.name).parts[0] for entry in entries}
    assert top == {sdist.name.removesuffix(".tar.gz")}, top
    return {str(PurePosixPath(*PurePosixPath(entry.name).parts[1:])): entry
            for entry in entries if entry.isfile()}


def header_version() -> str:
    text = (REPO / "runtime/include/goray/version.h").read_text()
    parts = [re.search(rf"(?m)^#define GORAY_VERSION_{part} (\d+)", text).group(1)
             for part in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


def test_sdist_holds_every_file_the_cmake_build_reads(sdist: Path):
    files = members(sdist)
    tracked = subprocess.run(["git", "-C", REPO, "ls-files", "--", *BUILD_INPUTS],
                             capture_output=True, text=True, check=True).stdout.split()
    assert tracked, "git ls-files found none of the build's inputs"
    missing = [path for path in tracked if path not in files]
    assert not missing, f"{sdist.name} lacks {missing}"
    for needed in ("python/goray/_fastpath_src/CMakeLists.txt", "runtime/include/goray/version.h",
                   "generator/scanner/CMakeLists.txt", "templates/goray.h.j2",
                   "cmake/gorayConfig.cmake.in", "README.md",
                   "docs/install.md"):
        assert needed in files, f"{sdist.name} lacks {needed}"
    # The version of the sdist's metadata is version.h's (the regex provider).
    with tarfile.open(sdist) as archive:
        top = sdist.name.removesuffix(".tar.gz")
        info = archive.extractfile(f"{top}/PKG-INFO").read().decode()
    assert re.search(r"(?m)^Name: goray-cpp$", info), info[:300]
    assert re.search(rf"(?m)^Version: {re.escape(header_version())}$", info), info[:300]
    assert sdist.name == f"goray_cpp-{header_version()}.tar.gz"


def test_sdist_leaves_out_build_output_and_large_files(sdist: Path):
    files = members(sdist)
    unwanted = [path for path in files
                if LEFT_OUT_TOP.match(PurePosixPath(path).parts[0])
                or LEFT_OUT_TOP.match("/".join(PurePosixPath(path).parts[:2]))
                or any(LEFT_OUT_ANYWHERE.match(part) for part in PurePosixPath(path).parts)
                or path.endswith(LEFT_OUT_SUFFIXES)]
    assert not unwanted, f"{sdist.name} ships build output or local state: {unwanted}"
    large = {path: entry.size for path, entry in files.items() if entry.size > LARGEST_FILE}
    assert not large, f"{sdist.name} ships large files: {large}"
    print(f"\nsdist {sdist.name}: {sdist.stat().st_size / 2**20:.2f} MiB, {len(files)} files")
    assert sdist.stat().st_size < 8 * 2**20, sdist.stat().st_size


def test_install_md_states_the_sdists_size(sdist: Path):
    # docs/install.md's figures of the source distribution, within 10% (test_doc_figures.py).
    measured = {"sdist_bytes": sdist.stat().st_size,
                "sdist_unpacked_bytes": sum(entry.size for entry in members(sdist).values())}
    for figure in SDIST_FIGURES:
        assert_within_tolerance(figure, measured[figure.measure])


def test_the_unpacked_sdist_configures_with_the_wheels_options(sdist: Path, tmp_path: Path):
    """CMake configures the unpacked sdist as the wheel's build does (pyproject.toml's
    defines, Release); nothing is compiled."""
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    source = tmp_path / "src" / sdist.name.removesuffix(".tar.gz")
    settings = tomllib.loads((source / "pyproject.toml").read_text())["tool"]["scikit-build"]
    defines = settings["cmake"]["define"]
    assert {defines[name] for name in
            ("GORAY_BUILD_TESTS", "GORAY_BUILD_EXAMPLES", "GORAY_BUILD_BENCH")} == {"OFF"}
    result = run(["cmake", "-S", source, "-B", tmp_path / "build", "-G", "Ninja",
                  "-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}",
                  *[f"-D{name}={value}" for name, value in defines.items()]],
                 env=clean_environment(), timeout=600)
    cache = (tmp_path / "build" / "CMakeCache.txt").read_text()
    assert re.search(rf"(?m)^CMAKE_PROJECT_VERSION:STATIC={re.escape(header_version())}$",
                     cache), result.stdout[-2000:]
    # The source tree is the unpacked sdist, not the checkout.
    assert re.search(rf"(?m)^goray_SOURCE_DIR:STATIC={re.escape(str(source))}$", cache)
