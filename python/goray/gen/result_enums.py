"""Where the results of an application's tasks and methods hold enum values, for
DescribeApplication's "result_enums" (docs/protocol.md §13): a Python caller receives
each such int as a member of the generated IntEnum (goray._enums), as the stubs type it.

A spec says where in one value the enums are (JSON; null where none is):

    "geo::Color"              the value is that enum
    {"list": S}               each element is S (vectors, sets, arrays, ...)
    {"map": [K, V]}           each key is K, each value V
    {"items": [S0, S1, ...]}  element i is Si (a pair; a result of several values)
    {"struct": "geo::Shape"}  the struct's fields, as "structs" below gives them

An optional is its value's spec (None stays None), a generator its items'. A variant is the
spec of its alternative holding enums: each spec converts only values of its own Python
type (an enum ints, a list spec lists, a map or struct spec dicts) and a variant's
alternatives are of different kinds, so the spec leaves the others' values as they are
(when several alternatives hold enums, the first's applies). The table:
{"structs": {struct: {field: S}}, "tasks": {task: S}, "actors": {type: {method: S}}},
each holding only what has enums; None when no result holds one.

Tests: tests/renderers/test_gen_stub_values.py
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Set

from .model_shared import Type, type_name

__all__ = ["result_enums"]

Spec = Any  # str | dict | None

_LISTS = ("vector", "array", "list", "deque", "set", "unordered_set")


def _structs_holding_enums(structs: Mapping[str, Mapping[str, Any]]) -> Set[str]:
    holding: Set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, struct in structs.items():
            if name not in holding and any(_spec(f["type"], holding) is not None
                                           for f in struct["fields"]):
                holding.add(name)
                changed = True
    return holding


def _spec(type_: Type, holding: Set[str]) -> Spec:
    kind = type_["kind"]
    if kind == "enum":
        return type_name(type_["ref"])
    if kind == "struct":
        return {"struct": type_name(type_["ref"])} if type_["ref"] in holding else None
    if kind in _LISTS:
        inner = _spec(type_["element"], holding)
        return None if inner is None else {"list": inner}
    if kind in ("map", "unordered_map"):
        key, value = _spec(type_["key"], holding), _spec(type_["value"], holding)
        return None if key is None and value is None else {"map": [key, value]}
    if kind in ("optional", "generator"):
        return _spec(type_["element"], holding)
    if kind == "variant":
        specs = [spec for alternative in type_["alternatives"]
                 if (spec := _spec(alternative, holding)) is not None]
        return specs[0] if specs else None
    if kind in ("pair", "tuple"):
        items = [_spec(element, holding) for element in type_["elements"]]
        if kind == "tuple" and len(items) == 1:  # one result value: the value itself
            return items[0]
        return None if all(item is None for item in items) else {"items": items}
    return None  # numbers, strings, arrays, refs, handles, goray::Value


def result_enums(idl: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The table of the module docstring, or None when no result holds an enum."""
    structs = {struct["name"]: struct for struct in idl["structs"]}
    holding = _structs_holding_enums(structs)
    tasks = {task["name"]: spec for task in idl["tasks"]
             if (spec := _spec(task["result"], holding)) is not None}
    actors: Dict[str, Dict[str, Spec]] = {}
    for actor in idl["actors"]:
        methods = {method["name"]: spec for method in actor["methods"]
                   if (spec := _spec(method["result"], holding)) is not None}
        if methods:
            actors[actor["name"]] = methods
    if not tasks and not actors:
        return None
    used: Dict[str, Dict[str, Spec]] = {}
    for name in sorted(holding):
        used[type_name(name)] = {f["name"]: spec for f in structs[name]["fields"]
                                 if (spec := _spec(f["type"], holding)) is not None}
    return {"structs": used, "tasks": tasks, "actors": actors}
