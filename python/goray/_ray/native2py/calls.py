"""Native callers' calls on Ray: ExeRemoteTask 5, ActorMethodCall 13 and
ExePythonRemoteTask 16 (docs/protocol.md §3; with ``"num_returns": "streaming"``,
§13), and what they share with actor creation and SubmitBatch: reading a call
payload (its args block, scattered with arrays out of band (§10), its options
JSON and the ids of its ref arguments), the values for Python callees, and one
submission function per kind of callee, with the caches of a call site's options.

Tests: tests/python/test_arrays_scatter.py, tests/python/test_submit_batch.py,
tests/python/test_cli_failure.py
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

from ... import _codec, _registry, _stores
from ..._handlers import Handler, Reply
from ..._protocol import (ARG_AUTO_RELEASE, ARG_OBJECT_ID, META_ARG_POS_TO_OBJECT,
                          META_LOCAL_ACTOR_ID, META_PY_TASK_NAME, META_TASK_NAME, PYTHON_TASK_PREFIX,
                          Native2Py, unpack_units)
from ..._stores import ActorEntry, StoredObject
from ...errors import GorayError, UnknownNameError
from ..streaming import generators
from ..submission import submit
from ..values import nested, objects, scatter
from ..worker import bodies
from .store_entries import new_object, release, stored_object
from ..submission.options import split_options, with_goray_env

__all__ = ["Block", "HANDLERS", "call", "native_refs", "python_callee_refs", "python_refs",
           "python_args",
           "submit_native_task", "python_task", "native_task_submission",
           "python_task_submission", "actor_call_submission"]

#: An args block: a view of the request, or a scattered block (large arrays apart).
Block = Union[memoryview, objects.Scattered]

# The options JSON of calls without ref arguments, parsed once per distinct JSON.
_metas: Dict[bytes, Dict[str, Any]] = {}
_CACHE_LIMIT = 4096


def call(data: memoryview) -> Tuple[Block, Dict[str, Any], Dict[int, StoredObject], Optional[bytes]]:
    """(args block, options JSON, {position: stored object}, the JSON's bytes when it
    names no refs (a key for caches), else None) of a call payload. The block is a
    view of the request (valid during the command: Ray serializes task arguments at
    submission, so no copy is kept beyond it); a payload of 3 units gives a
    Scattered block, its datas views of the library's memory (the table's
    addresses, valid during the command too). Ids marked auto_release are released
    once every position is resolved: the same ref may fill several positions."""
    units = unpack_units(data)
    if len(units) == 3:
        block: Block = objects.Scattered(*scatter.library_views(units[0], units[2]))
    elif len(units) == 2:
        block = units[0]
    else:
        raise GorayError(f"a call payload has 2 units (3 with a scattered block), this one "
                         f"{len(units)}")
    key: Optional[bytes] = bytes(units[1])
    meta = _metas.get(key)  # type: ignore[arg-type]
    if meta is not None:
        return block, meta, {}, key
    meta = json.loads(key)  # type: ignore[arg-type]
    if not isinstance(meta, dict):
        raise GorayError("the call's options are not a JSON object")
    if not meta.get(META_ARG_POS_TO_OBJECT):
        if len(_metas) >= _CACHE_LIMIT:
            _metas.clear()
        _metas[key] = meta  # type: ignore[index]
        return block, meta, {}, key
    key = None
    refs: Dict[int, StoredObject] = {}
    released = set()
    try:
        for position, spec in (meta.get(META_ARG_POS_TO_OBJECT) or {}).items():
            object_id = int(spec[ARG_OBJECT_ID])
            refs[int(position)] = stored_object(object_id)
            if spec.get(ARG_AUTO_RELEASE):
                released.add(object_id)
    finally:  # an unknown id later in the list still releases the ones before it
        for object_id in released:
            release(object_id)
    return block, meta, refs, key


def native_refs(refs: Dict[int, StoredObject]) -> Tuple[Tuple[int, ...], List[Any]]:
    """(positions, refs) for a native callee: the positions in order, each marked when
    its ref's value is a native producer's (objects.marked_position: it may have
    travelled as the block's bytes), and the refs in that order."""
    positions = sorted(refs)
    return (tuple(objects.marked_position(position, refs[position].native) for position in positions),
            [refs[position].ref for position in positions])


def python_callee_refs(args_block: Block, refs: Dict[int, StoredObject]) -> Tuple[List[Any], List[int]]:
    """(arguments, marked positions) for a Python task or actor constructor of ours: the
    values with the refs at their positions, and the positions of native producers'
    refs, whose values the callee reads as blocks (bodies.python_callee_args)."""
    plain = {position: stored.ref for position, stored in refs.items()}
    marked = sorted(position for position, stored in refs.items() if stored.native)
    return python_args(args_block, plain), marked


def python_refs(refs: Dict[int, StoredObject]) -> Dict[int, Any]:
    """The refs for a consumer that sees only Python values (any Python actor's
    methods): refs holding native bytes are converted first."""
    return {position: nested.python_view(stored.ref) if stored.native else stored.ref
            for position, stored in refs.items()}


def python_args(args_block: Block, refs: Dict[int, Any]) -> List[Any]:
    """Decoded values with the refs at their positions (Ray resolves top-level refs).
    A scattered block is joined first (one copy: the values' arrays are views of it)."""
    values = _codec.unpack_values(objects.contiguous(args_block))
    total = len(values) + len(refs)
    merged: List[Any] = []
    plain = iter(values)
    for position in range(total):
        merged.append(refs[position] if position in refs else next(plain))
    return merged


# Ray submissions for native callers: a native task (one Ray function per task),
# a Python task (found by name in the worker).

def submit_native_task(name: str, options: Dict[str, Any], args_block: Any,
                       positions: Tuple[int, ...], refs: Sequence[Any], key: Any = None) -> Any:
    """Submits native task `name` (its one Ray function, goray._ray.worker.bodies.native_task);
    returns its ray.ObjectRef. `key` names the option set for the submitter cache
    (default: the options' JSON)."""
    kind = f"native:{name}"
    submitter = submit.cached(kind, key) if key is not None else None
    if submitter is None:
        base = bodies.native_task(name)
        if base._is_generator:  # its items need a stream (num_returns="streaming")
            raise generators.refuse_generator("task", name)
        submitter = submit.prepared(base, kind, options, key)
    if not args_block and not refs:  # no arguments: the empty request is made in the worker
        return submitter.remote()
    block = objects.travelling(args_block)
    if refs:
        return submitter.remote(block, positions, *refs)
    return submitter.remote(block)



def python_task(name: str, options: Dict[str, Any], key: Any = None) -> Any:
    """The submitter for Python task `name`, with the options of its @goray.remote
    declaration under the caller's. `key` names the caller's option set (default:
    the merged options' JSON)."""
    kind = f"python:{name}"
    if key is not None:
        submitter = submit.cached(kind, key)
        if submitter is not None:
            return submitter
    function = _registry.find_function(name)  # fails early, in the caller, for unknown names
    if generators.is_generator_function(function):
        raise generators.refuse_generator("Python function", name)
    merged = {"name": PYTHON_TASK_PREFIX + getattr(function, "__name__", name),
              **_registry.declared_options(name), **options}
    return submit.prepared(bodies.python_task_base, kind, merged, key)


# Submissions: one function per kind, used by the synchronous commands (5, 13, 16)
# and by SubmitBatch's records alike. `key` names the option set for the submitter
# caches (None: the options' JSON).

def native_task_submission(name: str, options: Dict[str, Any], key: Any, args_block: Block,
                           refs: Dict[int, StoredObject]) -> StoredObject:
    positions, ordered = native_refs(refs) if refs else ((), [])
    ref = submit_native_task(name, options, args_block, positions, ordered, key)
    return StoredObject(ref, name, True)


def python_task_submission(name: str, options: Dict[str, Any], key: Any, args_block: Block,
                           refs: Dict[int, StoredObject]) -> StoredObject:
    task = python_task(name, options, key)
    values, marked = python_callee_refs(args_block, refs)
    return StoredObject(task.remote([name, marked] if marked else name, *values), name)


def _method_of(actor_id: int, entry: "ActorEntry", method: str, options: Dict[str, Any],
               key: Any, stream: bool = False) -> Any:
    """The submitter of an actor's method; UnknownNameError for a method it lacks,
    GorayError for a generator method called without `stream` or the reverse."""
    attribute = method + "__" if entry.is_native else method
    if key is not None:
        submitter = submit.cached_actor_method(actor_id, attribute, key)
        if submitter is not None:
            return submitter
    if entry.is_native:
        if getattr(entry.handle, attribute, None) is None:
            native = bodies.native_methods_of(entry.handle)
            raise UnknownNameError("method", method, native[1] if native else [])
    elif getattr(entry.handle, method, None) is None or method.startswith("_"):
        known = sorted(name for name in dir(entry.handle) if not name.startswith("_"))
        raise UnknownNameError("method", method, known)
    if getattr(getattr(entry.handle, attribute), "_is_generator", False) != stream:
        raise (generators.refuse_generator("method", f"{entry.type_name}.{method}") if not stream
               else generators.not_a_generator("method", f"{entry.type_name}.{method}"))
    return submit.actor_method(actor_id, entry.handle, attribute, options, key)


def actor_call_submission(actor_id: int, method: str, options: Dict[str, Any], key: Any,
                          args_block: Block, refs: Dict[int, StoredObject]) -> StoredObject:
    entry: ActorEntry = _stores.actors.get(actor_id)  # type: ignore[assignment]
    submitter = _method_of(actor_id, entry, method, options, key)
    if entry.is_native:
        block = objects.travelling(args_block)
        if refs:
            positions, ordered = native_refs(refs)
            ref = submitter.remote(block, positions, *ordered)
        else:
            ref = submitter.remote(block) if args_block else submitter.remote()
    else:
        ref = submitter.remote(*python_args(args_block, python_refs(refs)))
    return StoredObject(ref, f"{entry.type_name}.{method}", entry.is_native)


class _SyncOptions(NamedTuple):
    """The options of a synchronous call's JSON, worked out once per distinct JSON
    without refs (call sites repeat theirs): for tasks (with goray's environment) and
    for actor methods; `key` names them for the submitter caches."""
    task: Dict[str, Any]
    method: Dict[str, Any]
    key: Any


_sync_options: Dict[bytes, _SyncOptions] = {}


def _options_of(meta: Dict[str, Any], key: Optional[bytes]) -> _SyncOptions:
    """The options of a call's JSON; cached by its bytes when `key` is given."""
    if key is not None:
        known = _sync_options.get(key)
        if known is not None:
            return known
    method = split_options(meta)
    options = _SyncOptions(with_goray_env(method), method, key)
    if key is not None:
        if len(_sync_options) >= _CACHE_LIMIT:
            _sync_options.clear()
        _sync_options[key] = options
    return options


def _stream_options(meta: Dict[str, Any]) -> Dict[str, Any]:
    """The Ray options of a streaming submission (num_returns="streaming" is taken:
    Ray streams a generator by default)."""
    return split_options(meta, streaming=True)


def _exe_remote_task(data: memoryview) -> Reply:
    args_block, meta, refs, key = call(data)
    if meta.get(generators.NUM_RETURNS) == generators.STREAMING:
        positions, ordered = native_refs(refs)
        return new_object(generators.submit_task(meta[META_TASK_NAME],
                                              with_goray_env(_stream_options(meta)),
                                              args_block, positions, ordered))
    options = _options_of(meta, key)
    return new_object(native_task_submission(meta[META_TASK_NAME], options.task, options.key,
                                             args_block, refs))


def _exe_python_remote_task(data: memoryview) -> Reply:
    args_block, meta, refs, key = call(data)
    if meta.get(generators.NUM_RETURNS) == generators.STREAMING:
        values, marked = python_callee_refs(args_block, refs)
        return new_object(generators.submit_python(meta[META_PY_TASK_NAME],
                                                with_goray_env(_stream_options(meta)),
                                                values, marked))
    options = _options_of(meta, key)
    return new_object(python_task_submission(meta[META_PY_TASK_NAME], options.task, options.key,
                                             args_block, refs))


def _actor_method_call(data: memoryview) -> Reply:
    args_block, meta, refs, key = call(data)
    if meta.get(generators.NUM_RETURNS) == generators.STREAMING:
        actor_id, method = int(meta[META_LOCAL_ACTOR_ID]), meta[META_TASK_NAME]
        entry: ActorEntry = _stores.actors.get(actor_id)  # type: ignore[assignment]
        plain = grouped = _stream_options(meta)
        if entry.is_native:
            grouped = generators.grouped_options(f"{entry.type_name}.{method}", plain)
        submitter = _method_of(actor_id, entry, method, grouped, None, stream=True)
        if entry.is_native:
            positions, ordered = native_refs(refs)
            block = objects.travelling(args_block)
            args = (block, positions, *ordered) if ordered else (block,) if args_block else ()
        else:
            args = tuple(python_args(args_block, python_refs(refs)))
        return new_object(generators.StoredStream(submitter.remote(*args), f"{entry.type_name}.{method}",
                                               entry.is_native, grouped is not plain))
    options = _options_of(meta, key)
    return new_object(actor_call_submission(int(meta[META_LOCAL_ACTOR_ID]), meta[META_TASK_NAME],
                                            options.method, options.key, args_block, refs))


#: The commands this module serves.
HANDLERS: Dict[Native2Py, Handler] = {
    Native2Py.EXE_REMOTE_TASK: _exe_remote_task,
    Native2Py.ACTOR_METHOD_CALL: _actor_method_call,
    Native2Py.EXE_PYTHON_REMOTE_TASK: _exe_python_remote_task,
}
