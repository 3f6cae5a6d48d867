"""goray.map's inputs as columns (docs/map.md, "Inputs"): each positional iterable is a
column, zipped with the others; each keyword argument is one value every item shares.

A NumPy array travels as slices of itself (the native loop reads them in place), a dict
of equal-length arrays as slices of each (a struct parameter's fields, struct of arrays),
a sized sequence as lists, any other iterable is read lazily, one chunk at a time. Where
the callee's parameter is of an element type (its dtype known from the library), an
array of another dtype is converted when every item survives the conversion, and refused
with an ArgumentError naming the first item that does not, before anything runs.

Tests: tests/python/test_map_inputs.py
"""

from __future__ import annotations

import itertools
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from .. import _keywords
from .._traits import MapLoop, Params
from ..errors import ArgumentError

__all__ = ["Inputs", "Taken", "Shared"]


class Shared:
    """A positional argument every item shares (goray::Map's goray::Shared(value)): given
    by position where a keyword cannot name the parameter."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Column:
    """The placeholder of a positional iterable while keywords are resolved."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class Taken(NamedTuple):
    """One chunk's inputs: its first item's index, its item count, a value per parameter
    (a column's slice, or the shared value) and which are columns."""

    start: int
    count: int
    values: List[Any]
    columns: Tuple[bool, ...]

    def item(self, index: int) -> Any:
        """Item `index` of the chunk (0-based in it): its one column's value, or a tuple of
        every column's (for error messages)."""
        picked = [_at(value, index) for value, column in zip(self.values, self.columns)
                  if column]
        return picked[0] if len(picked) == 1 else tuple(picked)


def _at(value: Any, index: int) -> Any:
    if isinstance(value, dict):
        return {key: _at(field, index) for key, field in value.items()}
    item = value[index]
    return item.item() if hasattr(item, "item") and getattr(item, "ndim", 1) == 0 else item


def _is_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and type(value).__name__ == "ndarray"


def _dtype(code: str) -> Any:
    import numpy
    return numpy.dtype(code)


class Inputs:
    """The columns of one map. `label` names the callee in errors; `params` its
    parameters (for keywords), `loop` its native loop (for dtypes), both when known."""

    def __init__(self, label: str, params: Optional[Params], loop: Optional[MapLoop],
                 iterables: Sequence[Any], kwargs: Dict[str, Any]) -> None:
        if not any(type(iterable) is not Shared for iterable in iterables):
            raise TypeError(f"goray.map({label}): no iterable given: pass the items as the "
                            "argument after the callee (keyword arguments are values every "
                            "item shares)")
        placeholders = tuple(iterable.value if type(iterable) is Shared else _Column(index)
                             for index, iterable in enumerate(iterables))
        arguments = (tuple(_keywords.resolve(label, params, placeholders, kwargs)) if kwargs
                     else placeholders)
        if params is not None and len(arguments) > len(params):
            raise ArgumentError(label, None, f"at most {len(params)} arguments",
                                f"{len(arguments)}", message=f"{label} takes at most "
                                f"{len(params)} arguments, received {len(arguments)} columns "
                                "and shared values")
        self.label = label
        self.columns = tuple(type(argument) is _Column for argument in arguments)
        # (A shorter form, defaults left out, takes the same first parameters.)
        dtypes = (loop.columns[:len(arguments)]
                  if loop is not None and len(arguments) <= len(loop.columns) else ())
        self._native_loop = bool(dtypes)
        names = [param.name for param in params] if params else []
        self._values: List[Any] = []
        self._lazy: Dict[int, Iterator[Any]] = {}
        # Array columns of a parameter the native loop reads as msgpack values: sent as lists.
        self._as_list: set = set()
        self.arrays = False  # some column is a NumPy array (results come back as one)
        lengths: List[Tuple[int, int]] = []
        for position, argument in enumerate(arguments):
            if type(argument) is not _Column:
                self._values.append(argument)
                continue
            source = iterables[argument.index]
            dtype = dtypes[position] if dtypes else ""
            name = names[position] if position < len(names) else f"arg{position}"
            value, length = self._column(position, name, source, dtype)
            self._values.append(value)
            if length is None:
                self._lazy[position] = value
            else:
                lengths.append((position, length))
        if lengths and len({length for _, length in lengths}) > 1:
            described = ", ".join(f"argument {position} has {length:,} items"
                                  for position, length in lengths)
            raise ValueError(f"goray.map({label}): the iterables zipped have different "
                             f"lengths: {described}")
        self.total: Optional[int] = lengths[0][1] if lengths and not self._lazy else None
        self._known_length: Optional[int] = lengths[0][1] if lengths else None
        self._next = 0
        self._ended = False

    def _column(self, position: int, name: str, source: Any,
                dtype: str) -> Tuple[Any, Optional[int]]:
        """A column's source as it is sliced, and its length (None: read lazily)."""
        if _is_array(source):
            self.arrays = True
            if source.ndim == 0:
                raise ArgumentError(self.label, position, "an array of items",
                                    "a 0-d array", message=f"parameter {position} ({name}): a "
                                    "0-d array is one value, not items: pass it by keyword to "
                                    "share it with every item")
            if dtype:
                source = self._converted(position, name, source, dtype)
            elif self._native_loop and source.ndim == 1:
                self._as_list.add(position)
            return source, len(source)
        if isinstance(source, dict):
            lengths = {key: len(field) for key, field in source.items()}
            if len(set(lengths.values())) > 1:
                raise ValueError(f"goray.map({self.label}): the fields of argument {position} "
                                 f"({name}) have different lengths: {lengths}")
            if any(_is_array(field) for field in source.values()):
                self.arrays = True
            return source, next(iter(lengths.values()), 0)
        if isinstance(source, (str, bytes)):
            raise ArgumentError(self.label, position, "an iterable of items",
                                type(source).__name__, message=f"parameter {position} ({name}): "
                                f"a {type(source).__name__} is one value, not items: pass it "
                                "by keyword to share it with every item")
        if hasattr(source, "__len__") and hasattr(source, "__getitem__"):
            return source, len(source)
        try:
            return iter(source), None
        except TypeError:
            raise ArgumentError(self.label, position, "an iterable of items",
                                type(source).__name__) from None

    def _converted(self, position: int, name: str, array: Any, code: str) -> Any:
        """`array` as dtype `code`, when every item survives the conversion."""
        import numpy
        want = _dtype(code)
        if array.ndim != 1:
            raise ArgumentError(self.label, position, f"a 1-D array of {want.name}",
                                f"an array of shape {array.shape}",
                                message=f"parameter {position} ({name}) takes one {want.name} "
                                f"per item: pass a 1-D array, not one of shape {array.shape}")
        if array.dtype == want:
            return array
        try:
            with numpy.errstate(all="ignore"):
                converted = array.astype(want)
                back = converted.astype(array.dtype)
            same = (back == array) | ((back != back) & (array != array))
        except (TypeError, ValueError):
            raise ArgumentError(self.label, position, f"{want.name} items",
                                f"an array of {array.dtype}") from None
        bad = numpy.flatnonzero(~same)
        if bad.size:
            index = int(bad[0])
            value = array[index].item() if hasattr(array[index], "item") else array[index]
            raise ArgumentError(self.label, position, want.name, f"{array.dtype} {value!r}",
                                message=f"item {index}: parameter {position} ({name}) takes "
                                f"{want.name}, and the {array.dtype} item {value!r} does not "
                                f"convert to it exactly")
        return converted

    def empty(self) -> Taken:
        """A chunk of no items: each column empty (of its kind: an array of its dtype, a
        dict of empty fields, a list), each shared value as it is."""
        values = [value if not column else [] if position in self._lazy or position in
                  self._as_list else _slice(value, 0, 0)
                  for position, (value, column) in enumerate(zip(self._values, self.columns))]
        return Taken(0, 0, values, self.columns)

    @property
    def remaining(self) -> Optional[int]:
        """Items not yet taken, None when some column is read lazily."""
        return None if self.total is None else self.total - self._next

    def take(self, count: int) -> Optional[Taken]:
        """The next chunk of at most `count` items, None at the end."""
        if self._ended:
            return None
        start = self._next
        stop = start + count
        if self._known_length is not None:
            stop = min(stop, self._known_length)
        values: List[Any] = []
        taken = stop - start
        lazy_items: Dict[int, List[Any]] = {}
        for position, iterator in self._lazy.items():
            lazy_items[position] = list(itertools.islice(iterator, stop - start))
        if lazy_items:
            counts = {position: len(items) for position, items in lazy_items.items()}
            taken = min(counts.values())
            if len(set(counts.values())) > 1 or (self._known_length is not None
                                                 and taken < stop - start):
                raise ValueError(f"goray.map({self.label}): the iterables zipped have "
                                 f"different lengths: argument "
                                 f"{min(counts, key=counts.__getitem__)} ended after "
                                 f"{start + taken:,} items")
        if taken <= 0:
            self._ended = True
            return None
        for position, (value, column) in enumerate(zip(self._values, self.columns)):
            if not column:
                values.append(value)
            elif position in lazy_items:
                values.append(lazy_items[position])
            elif position in self._as_list:
                values.append(value[start:start + taken].tolist())
            else:
                values.append(_slice(value, start, start + taken))
        self._next = start + taken
        if self._known_length is not None and self._next >= self._known_length:
            self._ended = True
        return Taken(start, taken, values, self.columns)


def _slice(source: Any, start: int, stop: int) -> Any:
    if _is_array(source):
        piece = source[start:stop]
        # Rows of a many-dimensional array are items of a non-element parameter: a list of them.
        return piece if piece.ndim == 1 else list(piece)
    if isinstance(source, dict):
        return {key: _slice(field, start, stop) for key, field in source.items()}
    piece = source[start:stop]
    return piece if isinstance(piece, list) else list(piece)
