"""goray._fastpath is built from its sources in python/goray/_fastpath_src/ (one part
per .h/.cpp pair), and goray requires it: where it is missing or was built from other
sources, `import goray` still works (the generator and the CLI need no library) and the
first in-process use raises an ImportError that says how to rebuild it (the source
folder must never be importable as goray._fastpath)."""

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


def without_the_extension(tmp_path, lib_path, extra=""):
    """Runs the calls that need the extension with a copy of the package that lacks it
    (plus `extra`, written first): each one's ImportError text, one per line."""
    shutil.copytree(PYTHON_DIR / "goray", tmp_path / "goray",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    if extra:
        (tmp_path / "goray" / "_fastpath.py").write_text(extra)
    code = (
        "import goray, goray.gen, testapp_defs\n"
        f"assert goray.__file__.startswith({str(tmp_path)!r}), goray.__file__\n"
        f"for attempt in (lambda: goray.load_library({str(lib_path)!r}),\n"
        "                lambda: goray.golang_local_run_task('Add', 1, 2),\n"
        "                lambda: goray._codec.find_ref_exts(b'')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except ImportError as error:\n"
        "        print(error)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GORAY_NO_FASTPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(HERE)])
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and len(set(lines)) == 1, lines
    assert "bash scripts/setup.sh" in lines[0] and "goray-cpp wheel" in lines[0]
    return lines[0]


def test_without_the_extension_the_first_call_says_how_to_rebuild_it(lib_path, tmp_path):
    # The package without its compiled module (a tree whose build did not run).
    text = without_the_extension(tmp_path, lib_path)
    assert text.startswith("goray: its compiled extension goray._fastpath (required) does not load")


def test_a_module_built_from_other_sources_is_refused(lib_path, tmp_path):
    # A goray._fastpath whose INTERFACE is not goray._protocol_numbers.FAST_PATH_INTERFACE (an older
    # build left in the tree, say).
    text = without_the_extension(tmp_path, lib_path, extra="INTERFACE = 0\n")
    assert "_fastpath.py has interface 0, this goray needs 3 (it was built from other sources)" in text
