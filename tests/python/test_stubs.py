"""goray._stubs: the task, actor type and enum base every generated NAME.py binds."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import Any

import pytest

import goray
from goray._stubs import ActorClass, NativeEnum, Task


class Recorder:
    """What goray.golang_task / golang_actor_class return, recording its uses."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name

    def remote(self, *args: Any) -> Any:
        return (self.kind, self.name, "remote", args)

    def options(self, **options: Any) -> Any:
        return (self.kind, self.name, "options", options)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []

    def task(name: str) -> Recorder:
        made.append(f"task {name}")
        return Recorder("task", name)

    def actor_class(name: str) -> Recorder:
        made.append(f"actor {name}")
        return Recorder("actor", name)

    monkeypatch.setattr(goray, "golang_task", task)
    monkeypatch.setattr(goray, "golang_actor_class", actor_class)
    return made


def test_a_task_reaches_goray_on_first_use_only_and_once(made: list[str]) -> None:
    square = Task("Square", "The square of x.")
    assert made == []  # binding it (importing a stub module) reaches nothing
    assert square.remote(2.0) == ("task", "Square", "remote", (2.0,))
    assert square.options(num_cpus=2) == ("task", "Square", "options", {"num_cpus": 2})
    assert made == ["task Square"]
    assert square.__doc__ == "The square of x."
    assert repr(square) == "<goray native task Square>"
    assert Task("Cube", "").__doc__ == "The native task Cube."


def test_an_actor_class_reaches_goray_on_first_use_only_and_once(made: list[str]) -> None:
    counter = ActorClass("Counter", "")
    assert made == []
    assert counter.options(name="c") == ("actor", "Counter", "options", {"name": "c"})
    assert counter.remote(1) == ("actor", "Counter", "remote", (1,))
    assert made == ["actor Counter"]
    assert counter.__doc__ == "The native actor type Counter."
    assert repr(counter) == "<goray native actor type Counter>"


def test_an_actor_class_keeps_what_its_cpp_class_declares_for_reading(made: list[str]) -> None:
    """declared_options (GORAY_ACTOR_OPTIONS) is read, never applied here: the driver takes
    the options from the library, and .options() is still goray's, not an attribute."""
    ledger = ActorClass("Ledger", "", declared_options={"max_restarts": 3})
    assert ledger.declared_options == {"max_restarts": 3}
    assert ActorClass("Plain", "").declared_options == {}
    assert ledger.options(max_restarts=0) == ("actor", "Ledger", "options", {"max_restarts": 0})
    assert made == ["actor Ledger"]


class Color(NativeEnum):
    kRed = 1
    kBlue = 255


class Shade(NativeEnum, cpp="paint::Shade"):
    kLight = 0
    kDark = 2


def test_a_native_enum_member_without_a_cpp_name_pickles_as_its_plain_int() -> None:
    loaded = pickle.loads(pickle.dumps(Color.kBlue))
    assert loaded == 255 and type(loaded) is int
    assert pickle.loads(pickle.dumps([Color.kRed, {"c": Color.kRed}])) == [1, {"c": 1}]
    assert Color.kRed == 1 and isinstance(Color.kRed, int)


def test_a_registered_enum_pickles_as_its_member_and_where_unknown_as_an_int() -> None:
    """A generated module's enum names its C++ enum: here (registered) it unpickles as
    the member; in a Ray worker, which cannot import the module, as an int that C++ takes
    and that unpickles as the member again where the module is imported."""
    assert pickle.loads(pickle.dumps(Shade.kDark)) is Shade.kDark
    code = ("import pickle, sys\n"
            "value = pickle.loads(sys.stdin.buffer.read())\n"
            "print(type(value).__name__, value == 2, isinstance(value, int))\n"
            "sys.stdout.flush(); sys.stdout.buffer.write(pickle.dumps(value))\n")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(Shade.kDark),
                         capture_output=True, check=True)
    line, _, back = out.stdout.partition(b"\n")
    assert line == b"EnumValue True True", out.stderr
    assert pickle.loads(back) is Shade.kDark


def test_a_value_without_an_enumerator_is_a_member_named_by_its_number() -> None:
    """C++ lets an enum hold any value of its underlying type."""
    odd = Shade(7)
    assert isinstance(odd, Shade) and odd == 7 and odd.name == "7"
    with pytest.raises(ValueError):
        Shade("7")


def test_results_enums_become_members_where_the_spec_says() -> None:
    from goray import _enums

    converter = _enums.Converter({
        "structs": {"paint::Swatch": {"shade": "paint::Shade",
                                      "mix": {"map": ["paint::Shade", {"list": "paint::Shade"}]}}},
        "tasks": {"Pick": "paint::Shade", "Swatches": {"list": {"struct": "paint::Swatch"}},
                  "Both": {"items": [None, "paint::Shade"]}, "Plain": "other::Unknown"},
        "actors": {"Palette": {"Last": "paint::Shade"}}})
    assert converter.tasks() == {"Pick", "Swatches", "Both", "Plain"}
    assert converter.for_task("Square") is None and converter.for_method("Palette", "X") is None
    pick = converter.for_task("Pick")
    assert pick is not None and pick(2) is Shade.kDark and pick(None) is None
    swatches = converter.for_task("Swatches")
    assert swatches is not None
    [swatch] = swatches([{"shade": 0, "name": "s", "mix": {2: [0, 7]}}])
    assert swatch["shade"] is Shade.kLight and swatch["name"] == "s"
    [(key, values)] = swatch["mix"].items()
    assert key is Shade.kDark and values[0] is Shade.kLight and isinstance(values[1], Shade)
    both = converter.for_task("Both")
    assert both is not None and both(["x", 2]) == ["x", Shade.kDark] and both(["x", 2])[1] is Shade.kDark
    plain = converter.for_task("Plain")  # no class registered for it here: an int that says
    assert plain is not None and type(plain(3)).__name__ == "EnumValue" and plain(3) == 3
    last = converter.methods("Palette")["Last"]
    assert last(0) is Shade.kLight and converter.methods("Nope") == {}


def test_importing_it_imports_no_ray() -> None:
    code = "import goray._stubs, sys; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


GENERATED = '''# demo.py: the native tasks and actor types of the goray application "demo".
# DO NOT EDIT: generated by goray-gen 0.1.0 (IDL 4, goray-scan 0.1.0) from:
#   demo.cpp
from goray._stubs import ActorClass as _ActorClass, Task as _Task
Square = _Task("Square", "")
Counter = _ActorClass("Counter", "")
'''


def test_goray_init_puts_the_generated_modules_folders_on_its_workers_path(tmp_path, monkeypatch) -> None:
    """A generated module's folder, noted when it is imported, and the library's own
    (goray_add_app's NAME.py beside libNAME.so) go on the PYTHONPATH a local Ray's
    workers inherit; a plain .py beside a library is not goray-gen's."""
    from goray import _process_setup
    from goray._ray import driver
    monkeypatch.setattr(_process_setup, "_generated_folders", {})
    imported = tmp_path / "gen"
    imported.mkdir()
    (imported / "demo.py").write_text(GENERATED)
    monkeypatch.syspath_prepend(str(imported))
    monkeypatch.delitem(sys.modules, "demo", raising=False)
    import demo  # noqa: F401  (its Task and ActorClass note its folder)
    beside = tmp_path / "build"
    beside.mkdir()
    (beside / "librayapp.so").write_bytes(b"")
    (beside / "rayapp.py").write_text(GENERATED.replace("demo", "rayapp"))
    assert _process_setup.generated_module_folders(str(beside / "librayapp.so")) == [str(imported), str(beside)]
    (beside / "rayapp.py").write_text("# a module of the user's\n")
    assert _process_setup.generated_module_folders(str(beside / "librayapp.so")) == [str(imported)]
    monkeypatch.setenv("PYTHONPATH", f"/elsewhere:{imported}")
    driver._generated_modules_on_workers_path(str(beside / "librayapp.so"))
    assert os.environ["PYTHONPATH"] == f"/elsewhere:{imported}"  # once
    (beside / "rayapp.py").write_text(GENERATED.replace("demo", "rayapp"))
    driver._generated_modules_on_workers_path(str(beside / "librayapp.so"))
    assert os.environ["PYTHONPATH"] == f"/elsewhere:{imported}:{beside}"
