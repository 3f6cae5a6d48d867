"""The typed forms of goray.map a stub class offers (.map, .map_chunks, ...): what
model_python builds them from.

goray.map returns a NumPy array when some input column is one (or a struct of arrays
holding one) and the callee's result is a number or a bool, else a list (None for a
callee that returns nothing). A column's type therefore picks the overload:

- ``arrays``: the first column a NumPy array (or a mapping of them): the array;
- ``lists``: every column a sequence or an iterator (a mapping of sequences for a
  struct): a list;
- ``mixed``: anything else, where a later column (or a struct's mapping mixing arrays and
  lists) decides: the array or the list.

The three never overlap unsafely (a type checker picks the first that fits, and each
later one's answer includes the earlier ones'), so a user's call gets the precise type
when its columns say, and an honest union when only a later column does. A callee
whose result is no number gets one overload: a list, whatever the columns.

Tests: tests/renderers/test_gen_user_typing.py
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from .model_python_types import union

__all__ = ["MapColumn", "MapOverload", "map_params", "map_overloads", "map_record", "FAILURES"]

#: What errors="collect" returns beside the results.
FAILURES = "_list[_tuple[_int, _goray.MapItemError]]"


@dataclass
class MapColumn:
    """One parameter's column: its name, its items' type, and the NumPy forms it takes
    (None: it takes none)."""

    name: str
    item: str                       # what an item may be (the parameter's accepted type)
    array: Optional[str] = None     # a NumPy array of its items (a number or bool)
    struct: bool = False            # a struct: also a mapping of field columns
    default: bool = False           # a later column (" = ...": a keyword names a shared value)

    def listed(self) -> str:
        spelled = f"_Sequence[{self.item}] | _MapIterator[{self.item}]"
        return spelled + (" | _Mapping[_str, _Sequence[_Any]]" if self.struct else "")

    def arrays(self) -> Optional[str]:
        if self.array is not None:
            return self.array
        return "_Mapping[_str, _npt.NDArray[_Any]]" if self.struct else None

    def full(self) -> str:
        if self.array is not None:
            return f"{self.listed()} | {self.array}"
        if self.struct:
            return f"_Sequence[{self.item}] | _MapIterator[{self.item}] | _Mapping[_str, _Any]"
        return self.listed()


@dataclass
class MapOverload:
    """One overload of the map forms: the columns after self (", x: ..., /"), what .map
    returns for them, and the results errors="collect" returns beside the failures (None,
    NaN or 0 where an item failed)."""

    params: str
    result: str
    collected: str

    @property
    def collect(self) -> str:
        """What .map returns with errors="collect"."""
        return f"_tuple[{self.collected}, {FAILURES}]"


def _params(columns: List[MapColumn], spelled: List[str]) -> str:
    return "".join(f", {column.name}: {text}{' = ...' if column.default else ''}"
                   for column, text in zip(columns, spelled)) + ", /"


def map_params(columns: List[MapColumn]) -> str:
    """Every form's columns, each taking all it may (.imap, .map_refs, ...)."""
    return _params(columns, [c.full() for c in columns])


def map_overloads(columns: List[MapColumn], item: str, void: bool,
                  array_result: Optional[str]) -> List[MapOverload]:
    """.map's overloads (the module docstring says which and why); `array_result` the
    NumPy array of results (None: the results are never one)."""
    full = map_params(columns)
    if void:
        return [MapOverload(full, "None", "None")]
    listed = f"_list[{item}]"
    listed_collect = f"_list[{_or_none(item)}]"
    can_be_array = array_result is not None and any(c.arrays() for c in columns)
    if not can_be_array:
        return [MapOverload(full, listed, listed_collect)]
    assert array_result is not None
    overloads = []
    first = columns[0].arrays()
    if first is not None:
        overloads.append(MapOverload(
            _params(columns, [first] + [c.full() for c in columns[1:]]), array_result,
            array_result))
    overloads.append(MapOverload(_params(columns, [c.listed() for c in columns]), listed,
                                 listed_collect))
    # (Else the two above cover every call: but a struct's mapping may mix arrays and lists.)
    if any(c.arrays() for c in columns[1:]) or columns[0].struct:
        overloads.append(MapOverload(full, f"{array_result} | {listed}",
                                     f"{array_result} | {listed_collect}"))
    return overloads


def map_record(item: str, void: bool, array_result: Optional[str],
               columns: List[MapColumn]) -> str:
    """The type of the stub class's ``__goray_map__``, which goray.map, goray.imap and
    goray.ActorPool's forms read a callee's result types from (goray/_map/types.py)."""
    if void:
        return "_goray_map_types.MapVoid"
    if array_result is not None and any(c.arrays() for c in columns):
        return f"_goray_map_types.MapArrays[{item}, {array_result}]"
    return f"_goray_map_types.MapList[{item}]"


def _or_none(item: str) -> str:
    return union(item, "None")

