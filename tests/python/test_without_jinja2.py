"""The goray package (what Ray workers import) needs no Jinja2: that is goray-gen's, an
extra (pip install 'goray-cpp[gen]'). In a fresh interpreter where importing jinja2 fails,
every module of goray but goray.gen imports and an application runs in-process; Ray
workers are checked by tests/ray/test_without_jinja2_ray.py."""

import json
import pathlib
import subprocess
import sys

import pytest

from conftest import test_library_path

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Imports every goray module outside goray.gen, calls the test library's Add in-process,
# and prints what got imported.
CODE = r"""
import importlib, json, pkgutil, sys
sys.modules["jinja2"] = None  # `import jinja2` raises ImportError from here on
import goray
names = []
for package, modules in ((goray, pkgutil.iter_modules),  # (goray._ray's folders too)
                         (importlib.import_module("goray._ray"), pkgutil.walk_packages)):
    for module in modules(package.__path__, package.__name__ + "."):
        if module.name not in ("goray.gen", "goray.__main__"):
            importlib.import_module(module.name)
            names.append(module.name)
goray.load_library(sys.argv[1])
result = goray.golang_local_run_task("Add", 2, 3)
print(json.dumps({"modules": names, "result": result,
                  "gen": sorted(n for n in sys.modules if n.startswith("goray.gen"))}))
"""


def test_goray_imports_and_runs_without_jinja2():
    result = subprocess.run([sys.executable, "-c", CODE, str(test_library_path())],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert "goray._ray.worker.bodies" in report["modules"] and "goray.driver_cli" in report["modules"]
    assert report["result"] == 5
    assert report["gen"] == []


def test_cmake_dir_needs_no_goray_gen():
    """python -m goray --cmake-dir is the runtime package's (goray.cmake_dir)."""
    code = ("import runpy, sys; sys.modules['jinja2'] = None; sys.modules['goray.gen'] = None;"
            "sys.argv = ['goray', '--cmake-dir']; runpy.run_module('goray', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert (pathlib.Path(result.stdout.strip()) / "gorayConfig.cmake").is_file()


def test_jinja2_is_the_gen_extra_and_setup_installs_it():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11 and later")
    project = tomllib.loads((ROOT / "python" / "pyproject.toml").read_text())["project"]
    assert not any(dep.lower().startswith("jinja2") for dep in project["dependencies"])
    assert any(dep.startswith("Jinja2") for dep in project["optional-dependencies"]["gen"])
    # setup.sh installs goray with the extra; requirements-dev.txt pins its version.
    assert 'python[gen,test]"' in (ROOT / "scripts" / "setup.sh").read_text()
    pins = (ROOT / "python" / "requirements-dev.txt").read_text().splitlines()
    assert any(line.startswith("Jinja2==") for line in pins)
