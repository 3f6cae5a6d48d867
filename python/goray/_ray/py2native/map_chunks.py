"""goray.map's chunks where they run (docs/map.md): a chunk of items through a native
task's or method's map loop in one call (Py2Native 45/46, docs/protocol.md §16), or item
by item in this process for what has none (a Go library's task, a Python function or
actor), still without a Ray call per item.

A chunk's columns (each a slice of its input) travel as one argument, a list, so that Ray
stores them as one object (each NumPy slice an out-of-band buffer of it) rather than one
per column; its shared values follow, one argument each (an ObjectRef among them is
resolved, as for any task's argument).

Every chunk body returns a Chunk: the results (a NumPy array for a result of an element
type, else a list; None for void), the failures [(index in the chunk, error)] (the
first only, unless the map collects them) and the loop's own time in nanoseconds, less
what its thread waited for a CPU (a loaded machine does not make items look dearer), which
the driver sizes the next chunks from. When the header names the driver's output file
(goray._map.shared_output) and the chunk runs on the driver's node, its results are written
there at their offset instead (`written`) and not sent back.

Tests: tests/ray/test_map.py
"""

from __future__ import annotations

import inspect
import os
import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import ray

from ... import _local, _registry, _traits
from ..._protocol import Code, Py2Native
from ...errors import GorayError, error_from_reply, map_item_error
from ..worker.bodies import _NativeActorBase, ready_library

__all__ = ["Chunk", "task_chunk", "python_chunk", "actor_chunk", "chunk_results", "Header",
           "split", "merged", "check_shared", "delivered",
           "task_chunk_function", "python_chunk_function", "chunk_results_function"]

_MAP_TASK = int(Py2Native.MAP_TASK)
_MAP_METHOD = int(Py2Native.MAP_METHOD)

#: [count, [column?...], collect] and optionally where to write the results: how many
#: items, which parameters are columns (the others hold one value every item shares),
#: whether to go on after a failure; [output file, node id, first item, dtype]
#: (goray._map.shared_output.SharedOutput.header).
Header = Sequence[Any]


class Chunk(NamedTuple):
    results: Any
    failures: List[Tuple[int, BaseException]]
    loop_ns: int
    written: bool = False  # the results are in the driver's output file, not here
    started_ns: int = 0  # time.monotonic_ns() as the chunk's body began (the bench's)


def _library() -> Any:
    library = ready_library()
    if library is None:
        raise GorayError("no goray library in this worker: GORAY_BIN_PATH is not set")
    return library


def _native(library: Any, command: int, index: int, name: str, callee: str,
            header: Header, values: Sequence[Any],
            enums: Optional[Callable[[Any], Any]]) -> Chunk:
    """One call of the library's map loop; `enums` makes a result's enums members."""
    count, columns, collect = header[0], header[1], header[2]
    reply = _local._call(library, command, index, name, "task", [[count, list(columns), collect],
                                                                  *values], callee)
    results, failures, loop_ns = reply
    if enums is not None and isinstance(results, list):  # (enums as members: goray._enums)
        results = [enums(result) for result in results]
    return Chunk(results, [(int(item), error_from_reply(int(Code.PANIC), payload.encode("utf-8"),
                                                        callee))
                           for item, payload in failures], int(loop_ns))


def split(columns_marks: Sequence[bool], values: Sequence[Any]) -> Tuple[List[Any], List[Any]]:
    """A chunk's values as they travel: (its columns, its shared values), each in order."""
    columns = [value for value, column in zip(values, columns_marks) if column]
    shared = [value for value, column in zip(values, columns_marks) if not column]
    return columns, shared


def merged(header: Header, columns: Sequence[Any], shared: Sequence[Any]) -> List[Any]:
    """A chunk's value per parameter again, from its columns and its shared values."""
    taken_columns, taken_shared = iter(columns), iter(shared)
    return [next(taken_columns) if column else next(taken_shared) for column in header[1]]


def _run_queue_ns() -> int:
    """The nanoseconds this thread has waited for a CPU (Linux's schedstat), -1 where the
    kernel does not say."""
    try:
        with open("/proc/thread-self/schedstat", "rb") as stat:
            return int(stat.read().split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _loop_ns(started: int, waited: int) -> int:
    """The loop's time since `started` (perf_counter_ns), less the thread's waits for a CPU
    since `waited` (_run_queue_ns), as the native loop measures its own."""
    elapsed = time.perf_counter_ns() - started
    now = _run_queue_ns() if waited >= 0 else -1
    return elapsed if now < waited else max(0, elapsed - (now - waited))


def _per_item(call: Callable[..., Any], header: Header, values: Sequence[Any]) -> Chunk:
    """The loop in Python, for callees without a native one: one in-process call per item."""
    count, columns, collect = header[0], header[1], header[2]
    plain = [value.tolist() if column and hasattr(value, "tolist") else value
             for value, column in zip(values, columns)]
    results: List[Any] = []
    failures: List[Tuple[int, BaseException]] = []
    waited = _run_queue_ns()
    started = time.perf_counter_ns()
    for index in range(count):
        arguments = [value[index] if column else value for value, column in zip(plain, columns)]
        try:
            results.append(call(*arguments))
        except Exception as error:  # noqa: BLE001 (reported per item, with its index)
            failures.append((index, error))
            results.append(None)
            if not collect:
                break
    return Chunk(results, failures, _loop_ns(started, waited))


def check_shared(library: Any, name: str, columns: Sequence[bool], values: Sequence[Any]) -> None:
    """Runs a native task's map loop over no items in this process: its shared values are
    decoded as a chunk decodes them (an ArgumentError when one does not fit) and no item
    runs. `values`: a value per parameter, each column empty."""
    _native(library, _MAP_TASK, 0, name, name, (0, columns, False), values, None)


def _node_id() -> str:
    """This worker's node (Ray's id, as the driver reads its own)."""
    global _NODE
    if _NODE is None:
        _NODE = ray.get_runtime_context().get_node_id()
    return _NODE


_NODE: Optional[str] = None


def _write(path: str, offset: int, results: Any) -> bool:
    """`results` (a contiguous array) into the file at byte `offset`; False when it cannot
    be (no such file: the map ended; no room: ENOSPC rather than a fault)."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        return False
    try:
        data = memoryview(results).cast("B")
        while data:
            written = os.pwrite(fd, data, offset)
            data, offset = data[written:], offset + written
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def delivered(chunk: Chunk, header: Header, started_ns: int) -> Chunk:
    """The chunk as its body returns it: its results written into the driver's output
    file when the header names one on this node and they are its items of its dtype (then
    not sent back), else carried as they are."""
    chunk = chunk._replace(started_ns=started_ns)
    out = header[3] if len(header) > 3 else None
    if out is None or chunk.results is None or (chunk.failures and not header[2]):
        return chunk
    path, node, start, code = out
    if node != _node_id():
        return chunk
    import numpy
    try:
        results = numpy.ascontiguousarray(chunk.results, dtype=numpy.dtype(code))
    except (TypeError, ValueError):
        return chunk
    if results.shape != (header[0],) or \
            not _write(path, int(start) * results.dtype.itemsize, results):
        return chunk
    return chunk._replace(results=None, written=True)


def task_chunk(name: str, header: Header, columns: Sequence[Any], *shared: Any) -> Chunk:
    """The body of a native task's chunk."""
    started = time.monotonic_ns()
    values = merged(header, columns, shared)
    library = _library()
    if _traits.task_map(library, name) is not None:
        chunk = _native(library, _MAP_TASK, 0, name, name, header, values,
                        _traits.result_enums(library).for_task(name))
    else:
        chunk = _per_item(lambda *arguments: _local.golang_local_run_task(name, *arguments),
                          header, values)
    return delivered(chunk, header, started)


def python_chunk(function: Any, header: Header, columns: Sequence[Any], *shared: Any) -> Chunk:
    """The body of a Python function's chunk: `function` itself (pickled by Ray), or the
    name of one registered with @goray.remote / @goray.local or importable (C++'s
    goray::Map names Python functions so)."""
    started = time.monotonic_ns()
    values = merged(header, columns, shared)
    if isinstance(function, str):
        ready_library()  # imports the py-defs file, which registers its functions
        function = _registry.find_function(function)
    underlying = getattr(function, "_function", None)  # a Ray remote function's own
    return delivered(_per_item(underlying if underlying is not None else function, header,
                               values), header, started)


def actor_chunk(actor: Any, method: str, header: Header, columns: Sequence[Any],
                *shared: Any) -> Chunk:
    """The body of an actor's chunk, run inside the actor through Ray's __ray_call__ (on
    any actor: a native one runs the method's map loop on its instance, a Python one its
    method item by item)."""
    started = time.monotonic_ns()
    values = merged(header, columns, shared)
    if isinstance(actor, _NativeActorBase):
        library = _library()
        callee = f"{actor._goray_type}.{method}"
        if _traits.method_map(library, actor._goray_type, method) is not None:
            return delivered(_native(library, _MAP_METHOD, actor._goray_index, method, callee,
                                     header, values, _traits.result_enums(library).for_method(
                                         actor._goray_type, method)), header, started)
        local = actor._goray_local
        return delivered(_per_item(lambda *arguments: local.call(method, *arguments), header,
                                   values), header, started)
    bound = getattr(actor, method)
    if inspect.iscoroutinefunction(bound):
        raise TypeError(f"goray.map: {type(actor).__name__}.{method} is an async method; map "
                        "takes a sync method (call an async one per item with .remote)")
    return delivered(_per_item(bound, header, values), header, started)


_remotes: Dict[Callable[..., Any], Any] = {}


def _remote(body: Callable[..., Any]) -> Any:
    """The one Ray remote function of a chunk body (made on first use)."""
    remote = _remotes.get(body)
    if remote is None:
        remote = _remotes[body] = ray.remote(body)
    return remote


def task_chunk_function() -> Any:
    """The Ray remote function of native tasks' chunks."""
    return _remote(task_chunk)


def python_chunk_function() -> Any:
    """The Ray remote function of Python functions' chunks."""
    return _remote(python_chunk)


def _item_of(columns: Sequence[Any], index: int) -> Any:
    picked = []
    for value in columns:
        if isinstance(value, dict):
            picked.append({key: field[index] for key, field in value.items()})
        else:
            item = value[index]
            picked.append(item.item() if hasattr(item, "item") and getattr(item, "ndim", 1) == 0
                          else item)
    return picked[0] if len(picked) == 1 else tuple(picked)


def chunk_results(chunk: Chunk, label: str, start: int, columns: Sequence[Any]) -> Any:
    """A chunk's results alone (goray.map_refs): its first failure raised as the item's
    MapItemError, naming the item's index in the whole input and its value."""
    if chunk.failures:
        index, cause = chunk.failures[0]
        raise map_item_error(label, start + index, _item_of(columns, index), cause)
    return chunk.results


def chunk_results_function() -> Any:
    """The Ray remote function of chunk_results."""
    return _remote(chunk_results)
