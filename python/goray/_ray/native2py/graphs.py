"""Graphs of actor method calls for native callers (docs/protocol.md §15, a goray
extension): GraphBuild 48 makes a ray.dag from a description (compiled with
experimental_compile, or classic), GraphExecute 49 runs it once, GraphGet 50 reads
an execution's result once (the runtime keeps it), GraphRelease 51 forgets one never
read, GraphTeardown 52 tears a graph down. Graphs and results are kept here by id,
never in the objects store: a compiled graph's result (CompiledDAGRef) can be read
only once, never waited on nor passed to a task, so it is not an object native code
could use as one.

Values cross as Python values: the graph's nodes call each actor's Python-value
methods (a C++ actor's ``m``, not ``m__``), as a Python caller's graph does, so C++
and Python actors mix freely in one graph.

Tests: tests/ray/test_graphs_cpp.py
"""

from __future__ import annotations

import itertools
import json
import logging
import struct
import threading
from typing import Any, Dict, List, Optional, Tuple

import ray
import ray.exceptions

from ... import _codec, _stores
from ..._handlers import Handler, Reply
from ..._protocol import Code, Native2Py, pack_u64, unpack_u64, unpack_units
from ..._stores import ActorEntry
from ...errors import GorayError, UnknownNameError
from ..compat import releases
from ..worker import bodies
from .failures import failure_reply

__all__ = ["HANDLERS", "live_graphs", "live_results"]

_log = logging.getLogger("goray")


class _Graph:
    """A built graph: the ray.dag output node, its compiled form (None when classic)."""

    __slots__ = ("dag", "compiled", "label")

    def __init__(self, dag: Any, compiled: Any, label: str) -> None:
        self.dag = dag
        self.compiled = compiled
        self.label = label

    def execute(self, values: List[Any]) -> Any:
        if self.compiled is not None:
            return self.compiled.execute(*values)
        return self.dag.execute(*values)


class _Result:
    """One execution not read yet: its ref (a CompiledDAGRef, an ObjectRef, or a list
    of either for several outputs) and its graph."""

    __slots__ = ("ref", "graph_id", "label")

    def __init__(self, ref: Any, graph_id: int, label: str) -> None:
        self.ref = ref
        self.graph_id = graph_id
        self.label = label


_lock = threading.Lock()
_graph_ids = itertools.count(1)
_result_ids = itertools.count(1)
_graphs: Dict[int, _Graph] = {}
_results: Dict[int, _Result] = {}
_issued_graphs = 0  # the highest graph id given out: an id at or below it that is gone was torn down


def live_graphs() -> int:
    """How many graphs native code has built and not torn down (for tests)."""
    return len(_graphs)


def live_results() -> int:
    """How many execution results native code holds unread (for tests)."""
    return len(_results)


def _graph(graph_id: int) -> _Graph:
    graph = _graphs.get(graph_id)
    if graph is not None:
        return graph
    if 0 < graph_id <= _issued_graphs:
        raise GorayError(f"graph {graph_id} was torn down: build and compile it again")
    raise GorayError(f"unknown graph id {graph_id} (never built)")


def _method(actor_id: int, name: str, node: int) -> Tuple[Any, str]:
    """(the bindable method `name` of actor `actor_id`, "Type.method"), or a GorayError
    naming the node."""
    try:
        entry: ActorEntry = _stores.actors.get(actor_id)  # type: ignore[assignment]
    except KeyError as error:
        raise GorayError(f"graph node {node}: {str(error).strip(chr(34) + chr(39))}") from None
    if not isinstance(name, str) or not name or name.startswith("_"):
        raise GorayError(f"graph node {node}: {name!r} is not a method name")
    if entry.is_native:
        native = bodies.native_methods_of(entry.handle)
        known = native[1] if native else []
        if name not in known:
            raise UnknownNameError("method", name, known,
                                   f"graph node {node}: actor {entry.type_name} has no method "
                                   f"{name!r}; its methods: {', '.join(known) or '(none)'}")
    elif getattr(entry.handle, name, None) is None:
        known = sorted(n for n in dir(entry.handle) if not n.startswith("_"))
        raise UnknownNameError("method", name, known,
                               f"graph node {node}: actor {entry.type_name} has no method "
                               f"{name!r}; its methods: {', '.join(known) or '(none)'}")
    method = getattr(entry.handle, name)
    if getattr(method, "_is_generator", False):
        raise GorayError(f"graph node {node}: {entry.type_name}.{name} is a generator; a graph "
                         "node's method returns one value")
    return method, f"{entry.type_name}.{name}"


def _build_dag(description: Dict[str, Any], constants: List[Any]) -> Tuple[Any, List[str]]:
    """(the output node, the methods' names) of a description (docs/protocol.md §15)."""
    from ray.dag import InputNode, MultiOutputNode

    nodes: List[Any] = []
    names: List[str] = []
    with InputNode() as inp:
        for index, spec in enumerate(description.get("nodes") or []):
            method, name = _method(int(spec["actor"]), spec["method"], index)
            args = [_argument(arg, inp, nodes, constants, index, position)
                    for position, arg in enumerate(spec.get("args") or [])]
            nodes.append(method.bind(*args))
            names.append(name)
        outputs = [int(i) for i in description.get("outputs") or []]
        if not outputs:
            raise GorayError("a graph needs at least one output")
        for i in outputs:
            if not 0 <= i < len(nodes):
                raise GorayError(f"graph output {i} is not a node (the graph has {len(nodes)})")
        dag = nodes[outputs[0]] if len(outputs) == 1 else MultiOutputNode([nodes[i] for i in outputs])
    return dag, [names[i] for i in outputs]


def _argument(arg: Dict[str, Any], inp: Any, nodes: List[Any], constants: List[Any],
              node: int, position: int) -> Any:
    if "node" in arg:
        k = int(arg["node"])
        if not 0 <= k < node:
            raise GorayError(f"graph node {node}, argument {position}: node {k} is not an "
                             "earlier node")
        return nodes[k]
    if "input" in arg:
        return inp if arg["input"] is None else inp[int(arg["input"])]
    if "const" in arg:
        k = int(arg["const"])
        if not 0 <= k < len(constants):
            raise GorayError(f"graph node {node}, argument {position}: constant {k} of "
                             f"{len(constants)}")
        return constants[k]
    raise GorayError(f"graph node {node}, argument {position}: {arg!r} is no node, input "
                     "or constant")


def _graph_build(data: memoryview) -> Reply:
    """GraphBuild (48): units (JSON description, constants block) -> u64 graph id,
    then the graph's label (UTF-8)."""
    global _issued_graphs
    units = unpack_units(data)
    if len(units) != 2:
        raise GorayError(f"GraphBuild: a request is 2 units (description, constants), "
                         f"got {len(units)}")
    description = json.loads(bytes(units[0]))
    if not isinstance(description, dict):
        raise GorayError("GraphBuild: the description is not a JSON object")
    constants = _codec.unpack_values(bytes(units[1]), "graph constant")
    dag, outputs = _build_dag(description, constants)
    compiled = None
    if description.get("compiled"):
        releases.require("compiled graphs")
        compiled = dag.experimental_compile(**(description.get("options") or {}))
    with _lock:
        graph_id = next(_graph_ids)
        _issued_graphs = graph_id
        kind = "compiled graph" if compiled is not None else "graph"
        label = f"{kind} {graph_id} ({', '.join(outputs)})"
        _graphs[graph_id] = _Graph(dag, compiled, label)
    return Code.SUCCESS, pack_u64(graph_id) + label.encode()


def _graph_execute(data: memoryview) -> Reply:
    """GraphExecute (49): u64 graph id, then the args block -> u64 result id."""
    if len(data) < 8:
        raise GorayError(f"GraphExecute: a request starts with an 8-byte graph id, got {len(data)} bytes")
    graph_id = unpack_u64(data[:8])
    graph = _graph(graph_id)
    # Copied: the values may be views of the request, which ends with this command.
    values = _codec.unpack_values(bytes(data[8:]), "graph input")
    ref = graph.execute(values)
    with _lock:
        result_id = next(_result_ids)
        _results[result_id] = _Result(ref, graph_id, graph.label)
    return Code.SUCCESS, pack_u64(result_id)


_GET = struct.Struct("<Qd")


def _compiled_refs(ref: Any) -> List[Any]:
    """The CompiledDAGRefs of a result (one, or one per output), [] for ObjectRefs."""
    refs = ref if isinstance(ref, list) else [ref]
    return [r for r in refs if hasattr(r, "_ray_get_called")]


def _ray_timeout(ref: Any, timeout: float) -> Optional[float]:
    """ray.get's timeout for GraphGet's (< 0: forever). For a compiled graph's result
    that is -1: None would be Ray's RAY_CGRAPH_get_timeout (10 s by default)."""
    if timeout >= 0:
        return timeout
    return -1 if _compiled_refs(ref) else None


def _graph_get(data: memoryview) -> Reply:
    """GraphGet (50): u64 result id, f64 timeout (< 0: forever) -> the value packed;
    failures as GetObject's (code 2 timeout, 5 a node's failure). The value or the
    failure settles the result: the id is forgotten (the runtime keeps the answer)."""
    if len(data) != _GET.size:
        raise GorayError(f"GraphGet: a request is 16 bytes (u64 result id, f64 timeout), got {len(data)}")
    result_id, timeout = _GET.unpack(data)
    result = _results.get(result_id)
    if result is None:
        return Code.OBJECT_REF_NOT_FOUND, f"unknown graph result id {result_id}".encode()
    if result.graph_id not in _graphs:
        raise GorayError(f"result {result_id} of {result.label}: the graph was torn down "
                         "before the result was read")
    what = f"result {result_id} of {result.label}"
    try:
        value = ray.get(result.ref, timeout=_ray_timeout(result.ref, timeout))
    except (ray.exceptions.GetTimeoutError, ray.exceptions.RayChannelTimeoutError) as error:
        # Ray marks a CompiledDAGRef read before its wait times out; it is still
        # unread, so the next GraphGet waits again.
        for ref in _compiled_refs(result.ref):
            ref._ray_get_called = False
        return Code.TIMEOUT, f"timed out waiting for {what}: {error}".encode()
    except ray.exceptions.RayError as error:
        _results.pop(result_id, None)
        return failure_reply(error, what)
    _results.pop(result_id, None)
    return Code.SUCCESS, _codec.pack(value)


def _graph_release(data: memoryview) -> Reply:
    """GraphRelease (51): u64 result id; code 4 for an unknown one."""
    result = _results.pop(unpack_u64(data), None)
    if result is None:
        return Code.OBJECT_REF_NOT_FOUND, f"unknown graph result id {unpack_u64(data)}".encode()
    return Code.SUCCESS, b""


def _graph_teardown(data: memoryview) -> Reply:
    """GraphTeardown (52): u64 graph id. Its results not read by then cannot be read
    any more (GraphGet says so, until the runtime releases them)."""
    graph_id = unpack_u64(data)
    graph = _graph(graph_id)
    with _lock:
        _graphs.pop(graph_id, None)
    if graph.compiled is not None:
        graph.compiled.teardown()
    return Code.SUCCESS, b""


#: The commands this module serves.
HANDLERS: Dict[Native2Py, Handler] = {
    Native2Py.GRAPH_BUILD: _graph_build,
    Native2Py.GRAPH_EXECUTE: _graph_execute,
    Native2Py.GRAPH_GET: _graph_get,
    Native2Py.GRAPH_RELEASE: _graph_release,
    Native2Py.GRAPH_TEARDOWN: _graph_teardown,
}
