"""scripts/check-include-layers.py keeps the C++ trees' layers (scripts/include-layers.ini):
the tree as it is passes, its built objects too, and a planted include cycle, an include
going up a layer, a file no layer lists, a circle of functions between object files and a
circle between module folders each fail, naming the files."""

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-include-layers.py"


def check(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True,
                          timeout=60)


def plant(tmp_path: pathlib.Path, files: dict[str, str], layers: list[str],
          modules: str = "", extra: str = "") -> list[str]:
    """A tree of `files` under tmp_path/src with `layers` (and `modules`, the groups' lines);
    the arguments that check it."""
    for name, text in files.items():
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    config = tmp_path / "layers.ini"
    config.write_text("[tree:planted]\nfolders = src\ninclude_dirs = src\nobjects = objects\n" + extra
                      + (f"modules =\n    {modules}\n" if modules else "") + "layers =\n"
                      + "".join(f"    {layer}\n" for layer in layers))
    return ["--config", str(config), "--root", str(tmp_path), "--build", str(tmp_path / "build")]


def test_the_tree_keeps_its_layers():
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "runtime (" in result.stdout and "scanner (" in result.stdout


def test_the_built_objects_keep_their_layers():
    # The cpp stage's --objects reads both trees' objects (scripts/include-layers.ini names
    # their folders): no function defined above its callers, no circle of definitions.
    config = (ROOT / "scripts" / "include-layers.ini").read_text()
    assert "objects = runtime/CMakeFiles/goray_runtime.dir\n" in config
    assert "objects = generator/scanner/CMakeFiles/goray_scanner.dir\n" in config
    if not (ROOT / "build" / "runtime" / "CMakeFiles" / "goray_runtime.dir").is_dir():
        pytest.skip("the runtime is not built")
    result = check("--objects")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "runtime: no object files" not in result.stderr


def test_a_planted_include_cycle_fails(tmp_path):
    arguments = plant(tmp_path, {
        "top.h": '#include "middle.h"\n',
        "middle.h": '#pragma once\n#include "low.h"\n',
        "low.h": "#pragma once\n",
        "low.cpp": '#include "low.h"\n#include "top.h"\n',  # low's definitions need top
    }, ["top", "middle", "low"])
    result = check(*arguments)
    assert result.returncode == 1
    assert "planted: cycle between modules low, middle, top:" in result.stdout
    assert 'src/low.cpp:2 includes "top.h"' in result.stdout


def test_module_folders_are_read_and_a_group_may_name_a_folder(tmp_path):
    # runtime/src's layout: one folder per module, private headers included by their path
    # under src/ ("crash/report.h"); "crash: crash/*" makes the folder one module.
    files = {
        "calls/entry.cpp": '#include "crash/report.h"\n#include "codec/number.h"\n',
        "crash/report.h": '#pragma once\n#include "writer.h"\n',
        "crash/writer.h": "#pragma once\n",
        "codec/number.h": "#pragma once\n",
    }
    arguments = plant(tmp_path, files, ["entry", "crash", "number"], modules="crash: crash/*")
    result = check(*arguments)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "planted (4 files)" in result.stdout
    files["codec/number.h"] = '#pragma once\n#include "crash/writer.h"\n'  # up into crash/
    result = check(*plant(tmp_path, files, ["entry", "crash", "number"], modules="crash: crash/*"))
    assert result.returncode == 1
    assert 'src/codec/number.h:2 includes "crash/writer.h": number (layer 3) depends on crash ' \
        '(layer 2, above it)' in result.stdout


def test_an_include_up_a_layer_fails(tmp_path):
    arguments = plant(tmp_path, {"top.h": "#pragma once\n", "low.cpp": '#include "top.h"\n'},
                      ["top", "low"])
    result = check(*arguments)
    assert result.returncode == 1
    assert 'src/low.cpp:1 includes "top.h": low (layer 2) depends on top (layer 1, above it)' \
        in result.stdout


def test_a_module_no_layer_lists_fails(tmp_path):
    arguments = plant(tmp_path, {"top.h": "", "stray.cpp": '#include "top.h"\n'}, ["top"])
    result = check(*arguments)
    assert result.returncode == 1
    assert "planted: module stray (" in result.stdout and "is in no layer" in result.stdout


@pytest.mark.skipif(shutil.which("c++") is None or shutil.which("nm") is None,
                    reason="needs a C++ compiler and nm")
def test_a_circle_of_definitions_between_objects_fails(tmp_path):
    # What no include line shows: a helper lower code calls, defined in a file above it.
    arguments = plant(tmp_path, {
        "entry.cpp": "int Helper() { return 1; }\nint Lower();\nint Entry() { return Lower(); }\n",
        "lower.cpp": "int Helper();\nint Lower() { return Helper(); }\n",
    }, ["entry", "lower"])
    objects = tmp_path / "build" / "objects"
    objects.mkdir(parents=True)
    for name in ("entry", "lower"):  # in module folders, as CMake writes runtime/src's
        (objects / "src" / name).mkdir(parents=True)
        subprocess.run(["c++", "-c", str(tmp_path / "src" / f"{name}.cpp"), "-o",
                        str(objects / "src" / name / f"{name}.cpp.o")], check=True, timeout=60)
    assert check(*arguments).returncode == 0  # includes alone do not see it
    result = check(*arguments, "--objects")
    assert result.returncode == 1
    assert "planted: cycle between modules entry, lower:" in result.stdout
    assert "lower's object uses Helper(), defined in entry's: lower (layer 2) depends on entry" \
        in result.stdout
    # --objects-of names the objects of a tree whose layers file does not.
    config = pathlib.Path(arguments[1])
    config.write_text(config.read_text().replace("objects = objects\n", ""))
    assert check(*arguments, "--objects").returncode == 0
    assert check(*arguments, "--objects", "--objects-of", "planted=objects").returncode == 1


def test_the_runtime_folders_are_checked_as_modules():
    assert "folder_modules = runtime/src\n" in (ROOT / "scripts" / "include-layers.ini").read_text()


def test_a_circle_between_module_folders_fails(tmp_path):
    # Each file keeps its layer, yet calls/ and refs/ need each other's private files.
    files = {
        "calls/entry.cpp": '#include "refs/ref.h"\n',
        "calls/queue.h": "#pragma once\n",
        "refs/ref.h": '#pragma once\n#include "calls/queue.h"\n',
    }
    assert check(*plant(tmp_path, files, ["entry", "ref", "queue"])).returncode == 0
    result = check(*plant(tmp_path, files, ["entry", "ref", "queue"], extra="folder_modules = src\n"))
    assert result.returncode == 1
    assert "planted: cycle between folders calls, refs:" in result.stdout
    assert 'src/refs/ref.h:2 includes "calls/queue.h"' in result.stdout
    del files["calls/queue.h"]  # the queue moves into refs/: no circle left
    files["refs/queue.h"] = "#pragma once\n"
    files["refs/ref.h"] = '#pragma once\n#include "refs/queue.h"\n'
    shutil.rmtree(tmp_path / "src")
    result = check(*plant(tmp_path, files, ["entry", "ref", "queue"], extra="folder_modules = src\n"))
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(shutil.which("c++") is None or shutil.which("nm") is None,
                    reason="needs a C++ compiler and nm")
def test_a_circle_of_definitions_between_module_folders_fails(tmp_path):
    # calls/'s entry uses refs/'s Lower, which uses calls/'s Helper: file layers hold.
    files = {
        "calls/entry.cpp": "int Lower();\nint Entry() { return Lower(); }\n",
        "calls/helper.cpp": "int Helper() { return 1; }\n",
        "refs/lower.cpp": "int Helper();\nint Lower() { return Helper(); }\n",
    }
    arguments = plant(tmp_path, files, ["entry", "lower", "helper"], extra="folder_modules = src\n")
    objects = tmp_path / "build" / "objects"
    for name in files:
        (objects / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["c++", "-c", str(tmp_path / "src" / name), "-o",
                        str(objects / "src" / f"{name}.o")], check=True, timeout=60)
    assert check(*arguments).returncode == 0  # no include line shows it
    result = check(*arguments, "--objects")
    assert result.returncode == 1
    assert "planted: cycle between folders calls, refs:" in result.stdout
    assert "refs's object uses Helper(), defined in calls's" in result.stdout


def test_the_cpp_stage_checks_the_layers_first():
    script = (ROOT / "scripts" / "run-tests.sh").read_text()
    assert ('python3 "$ROOT/scripts/check-include-layers.py" --objects --build "$ROOT/build" &&\n'
            '    "$ROOT/build/tests/cpp/goray_runtime_test"') in script
