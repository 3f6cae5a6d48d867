"""C++ enum values as a Python caller receives them: members of the IntEnum a generated
module defines (goray._stubs.NativeEnum), as the stubs type them.

A library describes where its results hold enums (DescribeApplication "result_enums",
written by goray-gen: gen/result_enums.py says the spec). `convert` turns those ints,
in a freshly decoded result, into:

- the member of the enum's class, when a generated module registered it in this process
  (``import geo`` defines ``geo.Kind``, registered as ``gis::Kind``); a value without an
  enumerator is a member too, named by its number (C++ lets an enum hold any value of
  its underlying type);
- else an EnumValue: an int that pickles as "the member of gis::Kind", so a Ray worker,
  which has no generated module, sends the driver, which has one, the member.

Both pickle the same way; where no class is registered they unpickle as EnumValue,
which C++ receives as the int it is.

Tests: tests/python/test_serve_values.py, tests/python/test_stubs.py,
tests/renderers/test_gen_stub_values.py
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Dict, Mapping, Optional

__all__ = ["EnumValue", "register", "member", "convert", "Converter"]

_classes: Dict[str, Any] = {}  # C++ enum name -> its registered IntEnum class
_lock = threading.Lock()


def register(cpp_name: str, cls: Any) -> None:
    """Members of `cls` stand for the values of C++ enum `cpp_name` from now on."""
    with _lock:
        _classes[cpp_name] = cls


class EnumValue(int):
    """A value of a C++ enum in a process whose generated module is not imported: an int
    (so C++ and comparisons take it as one) that unpickles as the enum's member where its
    class is registered. ``EnumValue.of("gis::Kind")`` is the subclass for that enum."""

    cpp_name = ""
    _of: Dict[str, type] = {}

    @classmethod
    def of(cls, cpp_name: str) -> type:
        """The EnumValue class of C++ enum `cpp_name` (one each: making a value is then
        int's own construction)."""
        made = cls._of.get(cpp_name)
        if made is None:
            made = cls._of.setdefault(cpp_name, type("EnumValue", (cls,), {
                "cpp_name": cpp_name, "__module__": __name__, "__qualname__": "EnumValue"}))
        return made

    def __reduce__(self) -> Any:
        return member, (self.cpp_name, int(self))

    def __repr__(self) -> str:
        return int.__repr__(self)


def member(cpp_name: str, value: int) -> Any:
    """The value `value` of C++ enum `cpp_name` here: its registered class's member, else
    an EnumValue. (What both unpickle through.)"""
    cls = _classes.get(cpp_name)
    if cls is None:
        return EnumValue.of(cpp_name)(value)
    found = cls._value2member_map_.get(value)  # (a dict lookup: Enum's call is slower)
    return found if found is not None else cls(value)


Spec = Any  # a str (an enum), a dict (list, map, items, struct) or None


class Converter:
    """Applies a library's "result_enums" to results: `for_task(name)` and
    `for_method(type, method)` give a function of a result (None: that result has no
    enum, nothing to do)."""

    def __init__(self, table: Optional[Mapping[str, Any]]) -> None:
        table = table or {}
        self._structs: Mapping[str, Mapping[str, Spec]] = table.get("structs") or {}
        self._tasks: Mapping[str, Spec] = table.get("tasks") or {}
        self._actors: Mapping[str, Mapping[str, Spec]] = table.get("actors") or {}

    def __bool__(self) -> bool:
        return bool(self._tasks or self._actors)

    def _table(self) -> Any:
        return (self._structs, self._tasks, self._actors)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Converter) and self._table() == other._table()

    def __hash__(self) -> int:
        return hash(json.dumps(self._table(), sort_keys=True))

    def tasks(self) -> "frozenset[str]":
        """The tasks whose results hold enums."""
        return frozenset(self._tasks)

    def methods(self, type_name: str) -> Dict[str, Callable[[Any], Any]]:
        """Method -> its converter, for the methods of `type_name` whose results hold enums."""
        return {method: self._bind(spec)
                for method, spec in (self._actors.get(type_name) or {}).items()}

    def for_task(self, name: str) -> Optional[Callable[[Any], Any]]:
        spec = self._tasks.get(name)
        return None if spec is None else self._bind(spec)

    def for_method(self, type_name: str, method: str) -> Optional[Callable[[Any], Any]]:
        spec = (self._actors.get(type_name) or {}).get(method)
        return None if spec is None else self._bind(spec)

    def _bind(self, spec: Spec) -> Callable[[Any], Any]:
        return _compile(spec, self._structs, {})


def convert(value: Any, spec: Spec, structs: Mapping[str, Mapping[str, Spec]]) -> Any:
    """`value` (a result just decoded, which this may change in place) with the ints
    `spec` names made enum members."""
    return _compile(spec, structs, {})(value)


def _same(value: Any) -> Any:
    return value


def _compile(spec: Spec, structs: Mapping[str, Mapping[str, Spec]],
             made: Dict[str, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """The function that converts a value of `spec` (built once per callee: a map's
    million items each cost a call or two, not a walk of the spec). `made`: the struct
    converters built so far (a struct may hold itself)."""
    if spec is None:
        return _same
    if isinstance(spec, str):
        return _enum(spec)
    if "list" in spec:
        inner = _compile(spec["list"], structs, made)
        return lambda value: [inner(element) for element in value] \
            if isinstance(value, list) else value
    if "struct" in spec:
        return _struct(spec["struct"], structs, made)
    if "map" in spec:
        key = _compile(spec["map"][0], structs, made)
        element = _compile(spec["map"][1], structs, made)
        return lambda value: {key(k): element(v) for k, v in value.items()} \
            if isinstance(value, dict) else value
    if "items" in spec:
        items = [_compile(inner, structs, made) for inner in spec["items"]]
        return lambda value: [convert_item(element) for convert_item, element
                              in zip(items, value)] + value[len(items):] \
            if isinstance(value, list) else value
    return _same


def _enum(cpp_name: str) -> Callable[[Any], Any]:
    unregistered = EnumValue.of(cpp_name)

    def enum_member(value: Any) -> Any:
        if type(value) is not int:  # (None of an optional; never a bool)
            return value
        cls = _classes.get(cpp_name)  # looked up per value: a module imported later counts
        if cls is None:
            return unregistered(value)
        found = cls._value2member_map_.get(value)
        return found if found is not None else cls(value)
    return enum_member


def _struct(name: str, structs: Mapping[str, Mapping[str, Spec]],
            made: Dict[str, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    if name in made:
        return made[name]
    fields: Dict[str, Callable[[Any], Any]] = {}

    def struct(value: Any) -> Any:
        if isinstance(value, dict):
            for key, field in fields.items():
                if key in value:
                    value[key] = field(value[key])
        return value
    made[name] = struct
    fields.update({key: _compile(inner, structs, made)
                   for key, inner in (structs.get(name) or {}).items()})
    return struct
