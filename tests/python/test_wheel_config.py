"""The wheel's build configuration (the top-level pyproject.toml, scikit-build-core) reads
the version from version.h, names commands that exist and builds what the wheel ships.
The wheel itself is tested in tests/wheel/ (it takes minutes to build). A non-editable
install of python/ (its own pyproject.toml) holds every package of goray."""

import importlib
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

import goray

tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11 and later")

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SKBUILD = PROJECT["tool"]["scikit-build"]


def test_the_regex_provider_reads_the_headers_version():
    # What scikit-build-core's regex provider does: re.search(regex, text, MULTILINE),
    # then result.format(*groups, **named groups).
    # The standard [[tool.dynamic-metadata]] table (tool.scikit-build.metadata is
    # deprecated since scikit-build-core 1.0), holding the version's one entry.
    assert "metadata" not in SKBUILD
    (settings,) = PROJECT["tool"]["dynamic-metadata"]
    assert settings["provider"] == "scikit_build_core.metadata.regex"
    assert settings["field"] == "version"
    text = (ROOT / settings["input"]).read_text()
    match = re.search(settings["regex"], text, re.MULTILINE)
    assert match, f"{settings['regex']!r} does not match {settings['input']}"
    assert settings["result"].format(*match.groups(), **match.groupdict()) == goray.__version__
    assert PROJECT["project"]["dynamic"] == ["version"]


def test_both_projects_are_the_same_distribution():
    dev = tomllib.loads((ROOT / "python" / "pyproject.toml").read_text())
    assert PROJECT["project"]["name"] == dev["project"]["name"] == "goray-cpp"


def test_every_command_names_a_function():
    for command, target in PROJECT["project"]["scripts"].items():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), command
    assert set(PROJECT["project"]["scripts"]) == {"goray", "goray-gen", "goray-scan"}


def test_the_wheel_builds_the_package_parts_and_no_tests():
    define = SKBUILD["cmake"]["define"]
    for off in ("GORAY_BUILD_TESTS", "GORAY_BUILD_EXAMPLES", "GORAY_BUILD_BENCH"):
        assert define[off] == "OFF", off
    for on in ("GORAY_BUILD_FASTPATH", "GORAY_SCAN_STATIC_LLVM", "GORAY_SCAN_BUNDLE_RESOURCES",
               "GORAY_BUNDLE_MSGPACK"):
        assert define[on] == "ON", on
    # The fast path is installed by component only: the wheel names both.
    assert set(SKBUILD["install"]["components"]) == {"goray", "python"}
    assert SKBUILD["wheel"]["install-dir"] == "goray"
    assert SKBUILD["wheel"]["packages"] == ["python/goray"]
    assert "_fastpath_src/" in SKBUILD["wheel"]["exclude"]


def test_every_cmake_option_the_wheel_sets_exists():
    options = set()
    for path in [ROOT / "CMakeLists.txt", ROOT / "cmake" / "goray.cmake",
                 ROOT / "generator" / "scanner" / "CMakeLists.txt"]:
        options |= set(re.findall(r"^\s*option\((\w+)", path.read_text(), re.MULTILINE))
    ours = {name for name in SKBUILD["cmake"]["define"] if not name.startswith("CMAKE_")}
    assert ours <= options, ours - options


def test_the_wheel_compiles_with_the_dev_trees_flags():
    # So that ccache serves the wheel's compiles from build/'s (scripts/build-wheel.sh):
    # the Release flags the wheel sets are scripts/lib.sh's TREE_OPTIMISATION, which
    # setup.sh gives build/ as RelWithDebInfo's.
    (tree,) = re.findall(r'^TREE_OPTIMISATION="([^"]*)"$',
                         (ROOT / "scripts" / "lib.sh").read_text(), re.MULTILINE)
    defines = SKBUILD["cmake"]["define"]
    assert SKBUILD["cmake"]["build-type"] == "Release"
    assert defines["CMAKE_CXX_FLAGS_RELEASE"] == defines["CMAKE_C_FLAGS_RELEASE"] == tree
    assert "-g" in tree and SKBUILD["install"]["strip"] is True
    # One directory down, as build/ is: ccache's paths are relative to the build directory.
    assert "/" not in SKBUILD["build-dir"].strip("/")


def test_a_non_editable_install_of_python_holds_every_subpackage(tmp_path):
    # The pure-Python wheel pip builds from python/ (what `pip install python/` installs),
    # from a copy: setuptools writes build/ and *.egg-info beside the sources.
    shutil.copytree(ROOT / "python", tmp_path / "python", ignore=shutil.ignore_patterns(
        "*.so", "__pycache__", "build", "*.egg-info"))
    header = pathlib.Path("runtime", "include", "goray", "version.h")  # (its version)
    (tmp_path / header).parent.mkdir(parents=True)
    shutil.copy(ROOT / header, tmp_path / header)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(tmp_path / "dist"),
                    str(tmp_path / "python")], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("goray_cpp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packaged = {str(pathlib.PurePosixPath(name).parent) for name in names
                if name.endswith("/__init__.py")}
    source = ROOT / "python"
    packages = {str(path.parent.relative_to(source).as_posix())
                for path in (source / "goray").rglob("__init__.py")}
    assert {"goray/_map", "goray/serve", "goray/_ray", "goray/gen"} <= packages
    assert packaged == packages
    assert not [name for name in names if name.endswith((".cpp", ".h"))]
