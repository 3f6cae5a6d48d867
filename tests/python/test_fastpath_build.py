"""goray._fastpath is built from its sources in python/goray/_fastpath_src/ (one part
per .h/.cpp pair), and goray works without it: a tree where the extension was not built
falls back to ctypes (the source folder must never be importable as goray._fastpath)."""

import importlib.machinery
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
PYTHON_DIR = HERE.parents[1] / "python"
SOURCES = PYTHON_DIR / "goray" / "_fastpath_src"


def test_the_extension_is_built_from_every_source_file():
    # CMake's goray_fastpath target (python/goray/_fastpath_src/CMakeLists.txt) lists them.
    text = (SOURCES / "CMakeLists.txt").read_text()
    listed = re.search(r"set\(GORAY_FASTPATH_SOURCES\s([^)]*)\)", text)
    assert listed, "no set(GORAY_FASTPATH_SOURCES ...) in _fastpath_src/CMakeLists.txt"
    on_disk = sorted(path.name for path in SOURCES.glob("*.cpp"))
    assert "module.cpp" in on_disk
    assert sorted(listed.group(1).split()) == on_disk


def test_setuptools_builds_no_extension():
    # The editable package is pure Python: the dev build's CMake writes the module.
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11 and later")
    project = tomllib.loads((PYTHON_DIR / "pyproject.toml").read_text())
    assert "ext-modules" not in project["tool"]["setuptools"]


def test_each_source_has_its_header_but_module_cpp():
    # Each part is a .h/.cpp pair (some headers stand alone: buffer.h, common.h, ...);
    # module.cpp, the method table, is the one source without a header.
    headers = {path.stem for path in SOURCES.glob("*.h")}
    sources = {path.stem for path in SOURCES.glob("*.cpp")}
    assert sources - headers == {"module"}


def test_the_built_module_is_the_extension():
    spec = importlib.util.find_spec("goray._fastpath")
    if spec is None:
        pytest.skip("goray._fastpath is not built")
    assert spec.origin is not None
    assert spec.origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), spec.origin


def test_ctypes_when_the_extension_is_not_built(lib_path, tmp_path):
    # The package as an install without a C++ compiler leaves it: no extension module.
    shutil.copytree(PYTHON_DIR / "goray", tmp_path / "goray",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    code = (
        "import goray, testapp_defs\n"
        f"assert goray.__file__.startswith({str(tmp_path)!r}), goray.__file__\n"
        "assert goray._ffi.fastpath_module() is None\n"
        f"lib = goray.load_library({str(lib_path)!r})\n"
        "assert not lib.uses_fastpath\n"
        "assert goray.golang_local_run_task('Add', 1, 2) == 3\n"
        "assert goray.golang_local_run_task('ViaPyI64', 'py_echo', 5) == 5\n"
        "print('done')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GORAY_NO_FASTPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(HERE)])
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")


def test_a_module_built_from_other_sources_is_not_used(lib_path, tmp_path):
    # A goray._fastpath whose INTERFACE is not goray._codec.FASTPATH_INTERFACE (an older
    # build left in the tree, say): one warning, and the Python implementation serves.
    shutil.copytree(PYTHON_DIR / "goray", tmp_path / "goray",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    (tmp_path / "goray" / "_fastpath.py").write_text("INTERFACE = 0\n")
    code = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import goray, testapp_defs\n"
        "    lib = goray.load_library(" + repr(str(lib_path)) + ")\n"
        "print(len(caught), caught[0].category.__name__, caught[0].message)\n"
        "assert goray._ffi.fastpath_module() is None and not lib.uses_fastpath\n"
        "assert goray.golang_local_run_task is goray._local._python_run_task\n"
        "assert goray.golang_local_run_task('Add', 1, 2) == 3\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GORAY_NO_FASTPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(HERE)])
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("1 RuntimeWarning goray: ")
    assert "_fastpath.py has interface 0, this goray needs 1: it is not used" in result.stdout
