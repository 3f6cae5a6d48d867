"""Generated files carry only the application's own names: the machinery of the typed C++
wrappers is the runtime's (<goray/detail/typed_call.h>) and the classes a stub module
binds are the goray package's (goray._stubs), so a fix to either ships with goray."""

from __future__ import annotations

import enum
import importlib.util
import json
import re
import sys

import pytest

import goray._stubs
from conftest import GOLDEN

CASES = sorted(path.name for path in GOLDEN.iterdir() if (path / f"{path.name}.pyi").is_file())

# A definition of the wrappers' machinery, as the generated header used to carry it.
CPP_MACHINERY = re.compile(
    r"\b(?:class|struct)\s+(?:TaskCall|ActorCall|MethodCall|StoredFor|Decayed)\b"
    r"|\bconcept\s+(?:ValueFor|RefFor|ArgFor|UnresolvedFor|OnlyOptions)\b"
    r"|\bconstexpr\s+bool\s+(?:kIsRef|kIsArray|kParamsAre|kResultIs)\b"
    r"|\bnamespace\s+goray_detail\s*\{")
PY_MACHINERY = re.compile(r"^class\s+(?:_Task|_ActorClass|_NativeEnum)\b", re.MULTILINE)


def test_there_are_cases():
    assert len(CASES) >= 10, CASES


@pytest.mark.parametrize("case", CASES)
def test_the_header_uses_the_runtimes_call_objects(case):
    header = (GOLDEN / case / f"{case}.goray.h").read_text(encoding="utf-8")
    assert not CPP_MACHINERY.search(header), CPP_MACHINERY.search(header)
    assert "#include <goray/detail/typed_call.h>" in header
    for unit in [GOLDEN / case / f"{case}.goray.cpp", *(GOLDEN / case).glob(f"{case}.*.goray.cpp")]:
        assert not CPP_MACHINERY.search(unit.read_text(encoding="utf-8")), unit


def test_wrappers_and_checks_name_goray_detail():
    header = (GOLDEN / "refs" / "refs.goray.h").read_text(encoding="utf-8")
    for name in ("ArgFor", "UnresolvedFor", "Stored", "TaskCall", "MethodCall", "ActorCall"):
        assert f"::goray::detail::{name}<" in header, name
    table = (GOLDEN / "refs" / "refs.goray.cpp").read_text(encoding="utf-8")
    assert "::goray::detail::kParamsAre<" in table and "::goray::detail::kResultIs<" in table


@pytest.mark.parametrize("case", CASES)
def test_the_stub_module_binds_gorays_classes(case, monkeypatch):
    path = GOLDEN / case / f"{case}.py"
    assert not PY_MACHINERY.search(path.read_text(encoding="utf-8"))
    spec = importlib.util.spec_from_file_location(f"golden_{case}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    idl = json.loads((GOLDEN / case / f"{case}.idl.json").read_text(encoding="utf-8"))
    bound = vars(module).values()
    assert {v._name for v in bound if isinstance(v, goray._stubs.Task)} == \
        {task["name"] for task in idl["tasks"]}
    assert {v._name for v in bound if isinstance(v, goray._stubs.ActorClass)} == \
        {actor["name"] for actor in idl["actors"]}
    enums = [v for v in bound if isinstance(v, type) and issubclass(v, enum.IntEnum) and
             v.__module__ == module.__name__]
    assert all(issubclass(v, goray._stubs.NativeEnum) for v in enums), enums
