"""goray._stubs: the task, actor type and enum base every generated NAME.py binds."""

from __future__ import annotations

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


class Color(NativeEnum):
    kRed = 1
    kBlue = 255


def test_a_native_enum_member_pickles_as_its_plain_int() -> None:
    """A Ray worker cannot import the stub module that defines the enum: it gets the int."""
    loaded = pickle.loads(pickle.dumps(Color.kBlue))
    assert loaded == 255 and type(loaded) is int
    assert pickle.loads(pickle.dumps([Color.kRed, {"c": Color.kRed}])) == [1, {"c": 1}]
    assert Color.kRed == 1 and isinstance(Color.kRed, int)


def test_importing_it_imports_no_ray() -> None:
    code = "import goray._stubs, sys; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
