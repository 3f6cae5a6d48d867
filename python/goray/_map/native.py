"""goray::Map's Python side (runtime/include/goray/map.h): C++ calls map_for_native in
this process (an in-process call by dotted name), which runs goray.map and answers what
the C++ side decodes: the results, or with `collect` [results with None for each failed
item, [[index, error text]...]]."""

from __future__ import annotations

import json
from typing import Any, List, Sequence

from .api import map as _map
from .inputs import Shared

__all__ = ["map_for_native"]


def map_for_native(kind: str, name: str, options: str, columns: Sequence[bool],
                   *values: Any) -> Any:
    """`kind` "task" (a native task by name) or "python" (a Python function by name)."""
    chosen = json.loads(options)
    inputs = [value if column else Shared(value) for value, column in zip(values, columns)]
    if kind == "task":
        callee: Any = name
    elif kind == "python":
        from . import targets
        callee = targets.python_target(name)
    else:
        raise ValueError(f"goray::Map: unknown kind {kind!r}")
    collect = bool(chosen.get("collect"))
    answer = _map(callee, *inputs, chunk_size=chosen.get("chunk_size") or None,
                  max_in_flight=chosen.get("max_in_flight") or None,
                  errors="collect" if collect else "raise", progress=False)
    if not collect:
        return answer
    results, failures = answer
    listed: List[Any] = results.tolist() if hasattr(results, "tolist") else list(results)
    for index, _ in failures:
        listed[index] = None
    return [listed, [[index, str(error)] for index, error in failures]]
