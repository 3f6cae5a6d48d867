"""Generated code compiled and run: apps/ built with goray_add_app (by the tree's build,
build/tests/renderers/apps), every task called in-process (golang_local_run_task and the
typed stub module), values of every type of docs/protocol.md §5 checked on the way back;
the library exports only the C ABI; the stubs delegate to goray's Ray API lazily. And
goray_add_app's incremental build from a user's side: a copy of one application, built
with find_package(goray) in tmp_path."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys

import pytest

from conftest import APPS, PYTHON, build_apps, run


def roundtrip(which: str, library, stubs) -> dict:
    result = run([PYTHON, str(APPS / "roundtrip.py"), which, str(library), str(stubs)])
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def idl_names(path) -> tuple:
    idl = json.loads(path.read_text())
    return {t["name"] for t in idl["tasks"]}, {a["name"] for a in idl["actors"]}


def test_every_task_and_actor_of_typesapp_round_trips(built_apps):
    report = roundtrip("typesapp", built_apps["typesapp"], built_apps["typesapp_stubs"])
    assert report["failures"] == []
    # Every call typed (goray::Value crosses packed).
    assert report["detours"] == []
    tasks, actors = idl_names(built_apps["typesapp_gen"] / "typesapp.idl.json")
    assert set(report["called"]) == tasks | actors, "a task or actor was not called"


def test_the_one_file_application_works_with_no_generated_include(built_apps):
    source = (APPS / "onefile" / "app.cpp").read_text()
    assert ".goray.h" not in source
    report = roundtrip("onefile", built_apps["onefile"], built_apps["onefile_stubs"])
    assert report["failures"] == []
    # Its struct is declared in the .cpp file alone: it crosses packed, the call typed.
    assert report["detours"] == []
    tasks, actors = idl_names(built_apps["onefile_gen"] / "onefile.idl.json")
    assert set(report["called"]) == tasks | actors


def test_the_stub_module_through_ray(built_apps, ray_env):
    """rayapp.Task.remote / .options / actors / handles on a real Ray (the session's, from
    a process of its own: this one must not start Ray)."""
    result = run([PYTHON, str(APPS / "ray_stubs.py"), str(built_apps["typesapp"]),
                  str(built_apps["typesapp_stubs"])], timeout=300, env=ray_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1])["failures"] == []


@pytest.mark.parametrize("library", ["typesapp", "onefile"])
def test_only_the_c_abi_is_exported(built_apps, library):
    result = run(["nm", "-D", "--defined-only", str(built_apps[library])])
    assert result.returncode == 0, result.stderr
    symbols = sorted(line.split()[-1] for line in result.stdout.splitlines() if line.strip())
    assert symbols == ["Execute", "FreeMemory", "GorayProtocolVersion", "GorayRecoverCrashes",
                       "GoraySetCrashReport", "GorayTypedEntries", "RegisterCallback"]


def test_stubs_are_written_to_stubs_dir_and_generated_code_to_the_binary_dir(built_apps):
    assert (built_apps["onefile_stubs"] / "onefile.py").is_file()
    assert (built_apps["onefile_stubs"] / "onefile.pyi").is_file()
    assert (built_apps["onefile_stubs"] / "_onefile_types.pyi").is_file()  # its companion
    assert not (built_apps["onefile_gen"] / "onefile.py").exists()
    for name in ["typesapp.idl.json", "typesapp.goray.h", "typesapp.goray.cpp"]:
        assert (built_apps["typesapp_gen"] / name).is_file()


def test_importing_a_stub_module_imports_no_ray(built_apps):
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import typesapp; "
            "print('ray' in sys.modules, typesapp.shapes_Point(x=1.0), typesapp.Color.kBlue == -300)")
    result = run([PYTHON, "-c", code, str(built_apps["typesapp_stubs"])])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(None, 1) == ["False", "{'x': 1.0} True\n"]


def test_stub_attributes_delegate_to_golang_task_and_golang_actor_class(built_apps,
                                                                        monkeypatch):
    """`.remote`/`.options` reach goray.golang_task / golang_actor_class, created on first
    use (a fake stands in for Ray here; tests/ray runs the real thing)."""
    import goray

    sys.path.insert(0, str(built_apps["typesapp_stubs"]))
    try:
        import typesapp
    finally:
        sys.path.pop(0)
    calls = []

    class Fake:
        def __init__(self, kind, name, options):
            calls.append((kind, name, options))
            self.kind, self.name = kind, name

        def options(self, **options):  # "name" is a Ray option too
            return Fake(self.kind, self.name, options)

        def remote(self, *args):
            return (self.kind, self.name, args)

    monkeypatch.setattr(goray, "golang_task", lambda name, /, **o: Fake("task", name, o))
    monkeypatch.setattr(goray, "golang_actor_class",
                        lambda name, /, **o: Fake("actor", name, o))
    assert typesapp.F64.remote(2.0) == ("task", "F64", (2.0,))
    assert typesapp.F64.remote(3.0) == ("task", "F64", (3.0,))
    assert typesapp.F64.options(num_cpus=2).remote(1.0) == ("task", "F64", (1.0,))
    assert typesapp.Counter.remote(1) == ("actor", "Counter", (1,))
    assert typesapp.Accumulator.options(name="a").remote(1.0, "x") == \
        ("actor", "Accumulator", (1.0, "x"))
    # One golang_task/golang_actor_class per name, made on first use; options derive.
    assert calls == [("task", "F64", {}), ("task", "F64", {"num_cpus": 2}),
                     ("actor", "Counter", {}), ("actor", "Accumulator", {}),
                     ("actor", "Accumulator", {"name": "a"})]
    assert "Quotient and remainder." in typesapp.Divide.__doc__
    assert "Quotient and remainder." in typesapp.local.Divide.__doc__
    sys.modules.pop("typesapp", None)


USER_PROJECT = """\
cmake_minimum_required(VERSION 3.25)
project(onefile_user LANGUAGES CXX)
find_package(goray CONFIG REQUIRED)
goray_add_app(onefile SOURCES app.cpp)
"""


@pytest.fixture(scope="module")
def user_app(cmake_dir, tmp_path_factory) -> pathlib.Path:
    """apps/onefile copied into a project of its own (source/), configured and built as a
    user does (build/): the tests below change it, never the tree's sources or build."""
    work = tmp_path_factory.mktemp("onefile-user")
    shutil.copytree(APPS / "onefile", work / "source")
    (work / "source" / "CMakeLists.txt").write_text(USER_PROJECT)
    result = build_apps(work / "source", work / "build", cmake_dir, "-DCMAKE_BUILD_TYPE=None")
    assert result.returncode == 0, result.stdout + result.stderr
    return work


def test_a_second_build_does_nothing(user_app):
    result = run(["cmake", "--build", str(user_app / "build")])
    assert result.returncode == 0, result.stderr
    assert "no work to do" in result.stdout


def test_a_changed_source_regenerates_and_unchanged_outputs_keep_their_mtime(user_app):
    """A scanned source newer than the outputs reruns goray-gen; outputs that come out the
    same keep their mtime (Ninja restats them), so what includes them is not rebuilt on
    their account."""
    build = user_app / "build"
    header = build / "onefile_goray" / "onefile.goray.h"
    before = header.stat().st_mtime_ns
    os.utime(user_app / "source" / "app.cpp")  # now: newer than every output
    regen = run(["ninja", "-C", str(build), "onefile_goray/onefile.stamp"])
    assert regen.returncode == 0, regen.stdout + regen.stderr
    assert "goray-gen: scanning the sources of onefile" in regen.stdout
    assert header.stat().st_mtime_ns == before
    again = run(["ninja", "-C", str(build), "onefile_goray/onefile.stamp"])
    assert "no work to do" in again.stdout
