"""Python calling native tasks and actors on Ray (Py2Native through Ray): what
goray.golang_task(name).remote and goray.golang_actor_class(type).remote submit.
Arguments travel as Python values (Ray resolves ObjectRefs) and are packed in the
worker; an actor's constructor arguments are packed here, into an args block.
Imported only when Ray is used (goray._native_remote imports it on the first .remote).

Tests: tests/python/test_ray_layer.py, tests/python/test_ray_releases.py,
tests/python/test_streams_local.py, tests/ray/test_concurrency_groups.py,
tests/ray/test_streams.py, tests/python/test_layers.py
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence, Tuple

import ray

from ... import _arrays, _codec, _ffi
from ..._protocol import Code, Py2Native, pack_units
from ...errors import GorayError, UnknownNameError, error_from_reply
from ..streaming import generators  # noqa: F401  (generators registers the generator bodies in bodies)
from ..submission import submit
from ..worker.bodies import (PYTHON_CALL, PYTHON_FIRST, native_task, python_caller_name, python_caller_task,
                             ready_library, task_names)
from ..values.objects import NativeBlock, Travelling, large_bytes
from ..streaming.value_groups import VALUES_SUFFIX, refuse_kept_name

__all__ = ["pack_call", "native_task_for_python", "check_actor_args", "native_actor_methods"]


def pack_call(task: str, args: Sequence[Any]) -> Tuple[Any, Tuple[int, ...], List[Any]]:
    """Splits Python arguments into (args block of the values, positions of the
    ObjectRefs, the ObjectRefs): Ray resolves the refs, the worker packs them.
    Refs and actor handles inside the values make the block a NativeBlock (Ray
    carries them; the worker registers them for the callee)."""
    values: List[Any] = []
    positions: List[int] = []
    refs: List[Any] = []
    for position, arg in enumerate(args):
        if isinstance(arg, ray.ObjectRef):
            positions.append(position)
            refs.append(arg)
        else:
            values.append(arg)
    met = _codec.RefsMet()  # written as indexes into its lists, which Ray carries
    block = b"".join(_codec.pack_args(task, values, _arrays.INLINE, refs_met=met))
    if met.refs or met.actors:
        return NativeBlock.stored(block, met.refs, met.actors), tuple(positions), refs
    return block, tuple(positions), refs


class _PythonCallerTask:
    """What golang_task(name).remote submits through: large bytes arguments go out of
    band (Ray writes them into its store once; the task reads them in place). Under
    the Ray task name bodies.python_caller_name(name) the body knows a Python call by
    its name; under a name the caller chose, values that could read as a native
    caller's form (none, or a first value that is not of a PYTHON_FIRST type) go
    after a PYTHON_CALL argument."""

    __slots__ = ("_remote", "_marked")

    def __init__(self, remote: Any, marked: bool) -> None:
        self._remote = remote
        self._marked = marked

    def remote(self, *args: Any) -> Any:
        if any(large_bytes(arg) for arg in args):
            args = tuple(Travelling(arg) if large_bytes(arg) else arg for arg in args)
        if self._marked and (not args or type(args[0]) not in PYTHON_FIRST):
            args = (PYTHON_CALL, *args)
        return self._remote.remote(*args)


def native_task_for_python(name: str, options: Dict[str, Any], values: bool = False) -> Any:
    """What a golang_task(name) submits through: the task's one Ray remote function
    (goray._ray.worker.bodies.native_task), prepared with `options` and, unless they name
    the task, the Ray task name of Python callers (bodies.python_caller_name); with
    `values` (goray.stream of a generator task), the name that has its body group the
    items (value_groups.VALUES_SUFFIX). A name of the caller's that ends so is refused:
    its refs would hold groups."""
    own_name = python_caller_name(name) + (VALUES_SUFFIX if values else "")
    given = options.get("name")
    if given != own_name:
        refuse_kept_name(given, VALUES_SUFFIX, "goray.stream's calls")
    cache = "native-value-stream" if values else "native-values"
    if not task_names():  # Ray 2.40: a Ray function of Python callers' own, nothing to mark
        return _PythonCallerTask(submit.prepared(python_caller_task(name), f"{cache}:{name}",
                                                 options), False)
    base = native_task(name)
    marked = given not in (None, own_name)
    if not marked:
        options = {**options, "name": own_name}
    return _PythonCallerTask(submit.prepared(base, f"{cache}:{name}", options), marked)


def check_actor_args(type_name: str, args_block: Any, has_refs: bool) -> None:
    """Checks a native actor's constructor arguments in this process, before its
    creation is submitted, so that wrong ones raise ArgumentError here rather than
    kill the actor in its worker (ActorDiedError). Skipped when refs are among the
    arguments (their values are not here yet) or inside them, and for libraries that do not know
    the command (GoRay's Go libraries answer code 1: unknown command)."""
    library = _ffi.loaded_library()
    if library is None or has_refs or type(args_block) is NativeBlock or _codec.find_ref_exts(args_block):
        return  # (inside: the library would adopt the ids, which are the caller's)
    payload = pack_units(type_name.encode("utf-8"), args_block)
    code, reply = library.execute(int(Py2Native.CHECK_ACTOR_ARGS), payload)
    if code == Code.PANIC:
        raise error_from_reply(code, reply, type_name)


def native_actor_methods(type_name: str) -> List[str]:
    """The methods of a native actor type, asked of the library (GetActorMethods)."""
    library = ready_library()
    if library is None:
        raise GorayError("no goray library loaded: call goray.init(...) first")
    code, reply = library.execute(int(Py2Native.GET_ACTOR_METHODS), type_name.encode("utf-8"))
    if code:
        raise _unknown_actor_type(type_name, reply)
    methods = json.loads(reply)
    return [str(method) for method in methods]


def _unknown_actor_type(type_name: str, reply: bytes) -> GorayError:
    text = reply.decode("utf-8", errors="replace")
    marker = "known actor types: "
    known = text.split(marker, 1)[1].split(", ") if marker in text else []
    return UnknownNameError("actor type", type_name, [k for k in known if k])
