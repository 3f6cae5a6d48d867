"""What goray.map's forms (api) read a callee's result types from, for type checkers only.

A generated stub class of a task or method declares ``__goray_map__`` (never set at run
time) as one of these records, and api's overloads match it through the protocols below:

    MapArrays[float, NDArray[float64]]   a number or bool result: a NumPy array of them
                                         when an input column is one, else list[float]
    MapList[Point]                       any other result: list[Point], whatever the input
    MapVoid                              no result: None

Nothing here runs a map, and nothing imports Ray or NumPy.

Tests: tests/renderers/test_gen_user_typing.py
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

__all__ = ["MapVoid", "MapList", "MapArrays", "MapsVoid", "MapsList", "MapsArrays"]

_X = TypeVar("_X", covariant=True)
_A = TypeVar("_A", covariant=True)


class MapVoid:
    """A callee that returns nothing: map returns None."""


class MapList(Generic[_X]):
    """A callee whose results, _X each, come back as a list whatever the input."""


class MapArrays(Generic[_X, _A]):
    """A callee whose result is a number or a bool: a NumPy array _A of the results when
    an input column is a NumPy array (or a struct's columns hold one), else a list of _X."""


class MapsVoid(Protocol):
    @property
    def __goray_map__(self) -> MapVoid: ...


class MapsList(Protocol[_X]):
    @property
    def __goray_map__(self) -> MapList[_X]: ...


class MapsArrays(Protocol[_X, _A]):
    @property
    def __goray_map__(self) -> MapArrays[_X, _A]: ...
