"""goray::Map's Python side (runtime/include/goray/map.h): C++ calls map_for_native in
this process (an in-process call by dotted name), which runs goray.map and answers what
the C++ side decodes: the results, or with `collect` [results with None for each failed
item, [[index, error text]...]].

Columns of numbers come as the address of the C++ caller's memory ([address, items,
dtype]), read in place as NumPy arrays; with `out` (the same form, the vector goray::Map
returns) results of that dtype are written there as chunks finish and the answer is None.
The caller waits for the call, so its memory outlives every use of it here (Ray copies each
chunk's slice into its store as the chunk is submitted).

Tests: tests/ray/test_map.py
"""

from __future__ import annotations

import json
from typing import Any, List, Optional, Sequence

from .api import gather_into
from .inputs import Shared

__all__ = ["map_for_native"]


class _Memory:
    """NumPy's view of [address, items, dtype] (numpy.asarray of it)."""

    def __init__(self, described: Sequence[Any], writable: bool) -> None:
        import numpy
        address, count, code = described
        dtype = numpy.dtype(code)
        self.__array_interface__ = {"version": 3, "shape": (int(count),),
                                    "typestr": dtype.str,
                                    "data": (int(address) if count else 0, not writable)}


def _array(described: Sequence[Any], writable: bool = False) -> Any:
    import numpy
    if not isinstance(described, (list, tuple)) or len(described) != 3:
        raise ValueError(f"goray::Map: an addressed column is [address, items, dtype], "
                         f"got {described!r}")
    return numpy.asarray(_Memory(described, writable))


def map_for_native(kind: str, name: str, options: str, columns: Sequence[bool],
                   addressed: Sequence[bool], out: Optional[Sequence[Any]],
                   *values: Any) -> Any:
    """`kind` "task" (a native task by name) or "python" (a Python function by name)."""
    chosen = json.loads(options)
    values = tuple(_array(value) if by_address else value
                   for value, by_address in zip(values, addressed))
    inputs = [value if column else Shared(value) for value, column in zip(values, columns)]
    if kind == "task":
        callee: Any = name
    elif kind == "python":
        from . import targets
        callee = targets.python_target(name)
    else:
        raise ValueError(f"goray::Map: unknown kind {kind!r}")
    collect = bool(chosen.get("collect"))
    into = _array(out, writable=True) if out is not None else None
    answer = gather_into(callee, inputs, chunk_size=chosen.get("chunk_size") or None,
                         max_in_flight=chosen.get("max_in_flight") or None, collect=collect,
                         into=into)
    if not collect:
        return None if into is not None and answer is into else answer
    results, failures = answer
    listed: List[Any] = results.tolist() if hasattr(results, "tolist") else list(results)
    for index, _ in failures:
        listed[index] = None
    return [listed, [[index, str(error)] for index, error in failures]]
