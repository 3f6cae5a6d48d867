"""goray's version is written once, in runtime/include/goray/version.h: the Python
package, its installed metadata, the CMake package and `goray --version` all read it."""

import importlib.metadata
import pathlib
import re
import subprocess
import sys

import pytest

import goray
from goray import _version

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEADER = ROOT / "runtime" / "include" / "goray" / "version.h"
CONFIG_VERSION = ROOT / "build" / "goray-config" / "gorayConfigVersion.cmake"


def _header_version() -> str:
    text = HEADER.read_text()
    parts = [re.search(rf"^#define GORAY_VERSION_{name} +([0-9]+)$", text, re.MULTILINE)
             for name in ("MAJOR", "MINOR", "PATCH")]
    assert all(parts), f"{HEADER} lacks a GORAY_VERSION_MAJOR/MINOR/PATCH line"
    return ".".join(part.group(1) for part in parts)  # type: ignore[union-attr]


def test_the_header_writes_the_version_once():
    # GORAY_VERSION_STRING is derived from the three numbers, not a second literal.
    text = HEADER.read_text()
    assert not re.search(r'"[0-9]+\.[0-9]+\.[0-9]+"', text), text


def test_the_package_version_is_the_headers():
    assert goray.__version__ == _header_version()


def test_the_installed_metadata_is_the_headers():
    assert importlib.metadata.version("goray-cpp") == _header_version()


@pytest.mark.skipif(not CONFIG_VERSION.is_file(), reason="needs the built tree (build/)")
def test_the_cmake_package_version_is_the_headers():
    match = re.search(r'set\(PACKAGE_VERSION "([^"]+)"\)', CONFIG_VERSION.read_text())
    assert match, CONFIG_VERSION.read_text()
    assert match.group(1) == _header_version()


def test_the_header_string_is_stringized_from_the_numbers(tmp_path):
    # What C++ sees as GORAY_VERSION_STRING: preprocess a use of it.
    source = tmp_path / "v.cpp"
    source.write_text('#include "goray/version.h"\nconst char* v = GORAY_VERSION_STRING;\n')
    result = subprocess.run(["c++", "-E", "-P", "-I", str(HEADER.parents[1]), str(source)],
                            capture_output=True, text=True, check=True)
    (line,) = [line for line in result.stdout.splitlines() if "const char* v" in line]
    # Adjacent literals are one string: join them.
    assert "".join(re.findall(r'"([^"]*)"', line)) == _header_version(), line


def test_the_goray_command_prints_the_version():
    result = subprocess.run([sys.executable, "-m", "goray", "--version"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"goray-cpp {_header_version()} "
                             f"(protocol {_version.PROTOCOL_VERSION})\n")


def test_a_header_without_a_number_is_a_clear_error(tmp_path):
    header = tmp_path / "version.h"
    header.write_text("#define GORAY_VERSION_MAJOR 1\n#define GORAY_VERSION_MINOR 2\n")
    with pytest.raises(ValueError, match="GORAY_VERSION_PATCH"):
        _version.read_header(header)


def test_a_package_copied_without_the_header_still_imports(tmp_path):
    # Ray's py_modules may ship python/goray on its own: no version.h beside it.
    import shutil
    shutil.copytree(ROOT / "python" / "goray", tmp_path / "goray",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__", "_fastpath_src"))
    # Without site-packages (-S): no goray-cpp metadata either. _version imports nothing
    # of goray's, so it loads on its own.
    code = ("import importlib.util as u, sys\n"
            "spec = u.spec_from_file_location('v', sys.argv[1])\n"
            "v = u.module_from_spec(spec); spec.loader.exec_module(v)\n"
            "print(v.__version__, v.PROTOCOL_VERSION)\n")
    result = subprocess.run([sys.executable, "-S", "-c", code,
                             str(tmp_path / "goray" / "_version.py")],
                            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0.0.0+unknown", "None"]


@pytest.mark.skipif(not (ROOT / "build" / "bin" / "goray-scan").is_file(),
                    reason="needs the built scanner (build/bin/goray-scan)")
def test_the_scanner_reports_the_headers_version():
    scan_h = (ROOT / "generator" / "scanner" / "include" / "goray" / "scan" / "scan.h").read_text()
    assert not re.search(r'kGeneratorVersion = "', scan_h), "a second version literal"
    result = subprocess.run([str(ROOT / "build" / "bin" / "goray-scan"), "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith(f"goray-scan {_header_version()} "), result.stdout
