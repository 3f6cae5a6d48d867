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
    """A value of C++ enum `cpp_name` in a process whose generated module is not imported:
    an int (so C++ and comparisons take it as one) that unpickles as the enum's member
    where its class is registered."""

    cpp_name: str

    def __new__(cls, cpp_name: str, value: int) -> "EnumValue":
        made = super().__new__(cls, value)
        made.cpp_name = cpp_name
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
        return EnumValue(cpp_name, value)
    return cls(value)


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
        return lambda value: convert(value, spec, self._structs)


def convert(value: Any, spec: Spec, structs: Mapping[str, Mapping[str, Spec]]) -> Any:
    """`value` (a result just decoded, which this changes in place) with the ints `spec`
    names made enum members."""
    if value is None or spec is None:
        return value
    if isinstance(spec, str):
        return member(spec, value) if type(value) is int else value
    if "list" in spec:
        if isinstance(value, list):
            inner = spec["list"]
            for index, element in enumerate(value):
                value[index] = convert(element, inner, structs)
        return value
    if "struct" in spec:
        fields = structs.get(spec["struct"]) or {}
        if isinstance(value, dict):
            for key, inner in fields.items():
                if key in value:
                    value[key] = convert(value[key], inner, structs)
        return value
    if "map" in spec:
        key_spec, value_spec = spec["map"]
        if not isinstance(value, dict):
            return value
        if key_spec is None:
            for key in value:
                value[key] = convert(value[key], value_spec, structs)
            return value
        return {convert(key, key_spec, structs): convert(element, value_spec, structs)
                for key, element in value.items()}
    if "items" in spec:
        if isinstance(value, list):
            for index, inner in enumerate(spec["items"][:len(value)]):
                value[index] = convert(value[index], inner, structs)
        return value
    return value
