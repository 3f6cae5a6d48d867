"""Native2Py commands 5-16 and 32 (protocol.md 3): native code using Ray through
the driver. Installed into goray._handlers by goray.init() and in workers.

Every failure of a task or actor is a real Ray failure; GetObject reports it as
code 5 with {"Message": "<type>: <message> (task <name>)", "Traceback": ...},
and timeouts, cancellation and unknown ids with codes 2, 3 and 4.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Dict, List, NamedTuple, Tuple, cast

import ray
import ray.exceptions

from . import _codec, _handlers, _ray_native, _stores
from ._options import split_options, with_goray_env
from ._protocol import Native2Py, pack_u64, unpack_u64, unpack_units
from .errors import ArgumentError, GorayError, NativeError, UnknownNameError

__all__ = ["install", "failure_reply"]

_log = logging.getLogger("goray")
Reply = Tuple[int, bytes]
_OK_EMPTY: Reply = (0, b"")


class StoredObject(NamedTuple):
    """An object ref handed to native code, with what produced it (for messages) and
    whether its value is a NativeBlock (the bytes of a native producer)."""
    ref: Any
    label: str
    native: bool = False


def _object(object_id: int) -> StoredObject:
    return _stores.objects.get(object_id)  # type: ignore[return-value]


def _call(data: memoryview) -> Tuple[memoryview, Dict[str, Any], Dict[int, StoredObject]]:
    """(args block, options JSON, {position: stored object}) of a call payload. The
    block is a view of the request (valid during the command: Ray serializes task
    arguments in .remote(), so no copy is kept beyond it). Ids
    marked auto_release are released once every position is resolved: the same ref
    may fill several positions."""
    units = unpack_units(data)
    if len(units) != 2:
        raise GorayError(f"a call payload has 2 units, this one {len(units)}")
    meta = json.loads(bytes(units[1]))
    if not isinstance(meta, dict):
        raise GorayError("the call's options are not a JSON object")
    refs: Dict[int, StoredObject] = {}
    released = set()
    try:
        for position, spec in (meta.get("go_ray_arg_pos_to_object") or {}).items():
            object_id = int(spec["id"])
            refs[int(position)] = _object(object_id)
            if spec.get("auto_release"):
                released.add(object_id)
    finally:  # an unknown id later in the list still releases the ones before it
        for object_id in released:
            _release(object_id)
    return units[0], meta, refs


def _native_refs(refs: Dict[int, StoredObject]) -> Dict[int, Any]:
    """The refs for a consumer that reads NativeBlocks (a native callee, or a Python
    task or actor constructor of ours, which decode them)."""
    return {position: stored.ref for position, stored in refs.items()}


def _python_refs(refs: Dict[int, StoredObject]) -> Dict[int, Any]:
    """The refs for a consumer that sees only Python values (any Python actor's
    methods): refs holding native bytes are converted first."""
    return {position: _ray_native.python_view(stored.ref) if stored.native else stored.ref
            for position, stored in refs.items()}


def _python_args(args_block: memoryview, refs: Dict[int, Any]) -> List[Any]:
    """Decoded values with the refs at their positions (Ray resolves top-level refs)."""
    values = _codec.unpack_values(args_block)
    total = len(values) + len(refs)
    merged: List[Any] = []
    plain = iter(values)
    for position in range(total):
        merged.append(refs[position] if position in refs else next(plain))
    return merged


def _ref_parts(refs: Dict[int, Any]) -> Tuple[Tuple[int, ...], List[Any]]:
    positions = tuple(sorted(refs))
    return positions, [refs[position] for position in positions]


def _unknown_id(code: int, error: KeyError) -> Reply:
    """The reply for an id a store does not hold (KeyError's text without its quotes)."""
    return code, str(error).strip("'\"").encode()


def _new_object(ref: Any, label: str, native: bool = False) -> Reply:
    return 0, pack_u64(_stores.objects.add(StoredObject(ref, label, native)))


def _exe_remote_task(data: memoryview) -> Reply:
    args_block, meta, refs = _call(data)
    name = meta["goray_task_name"]
    positions, ordered = _ref_parts(_native_refs(refs))
    options = with_goray_env(split_options(meta))
    ref = _ray_native.submit_native_task(name, options, args_block, positions, ordered)
    return _new_object(ref, name, native=True)


def _exe_python_remote_task(data: memoryview) -> Reply:
    args_block, meta, refs = _call(data)
    name = meta["task_name"]
    task = _ray_native.python_task(name, with_goray_env(split_options(meta)))
    return _new_object(task.remote(name, *_python_args(args_block, _native_refs(refs))), name)


def _new_actor(data: memoryview) -> Reply:
    args_block, meta, refs = _call(data)
    type_name = meta["goray_actor_type_name"]
    methods = meta.get("goray_actor_methods") or _ray_native.native_actor_methods(type_name)
    cls = _ray_native.native_actor_class(type_name, methods)
    _ray_native.check_actor_args(type_name, args_block, bool(refs))
    positions, ordered = _ref_parts(_native_refs(refs))
    handle = cls.options(**with_goray_env(split_options(meta))).remote(
        _ray_native.travelling(args_block), positions, *ordered)
    entry = _ray_native.ActorEntry(handle, type_name, True)
    return 0, pack_u64(_stores.actors.add(entry))


def _new_python_actor(data: memoryview) -> Reply:
    args_block, meta, refs = _call(data)
    name = meta["goray_actor_type_name"]
    cls = _ray_native.python_actor_class(name)
    from . import _registry
    options = {**_registry.declared_options(name), **split_options(meta)}
    handle = cls.options(**with_goray_env(options)).remote(*_python_args(args_block, _native_refs(refs)))
    entry = _ray_native.ActorEntry(handle, name, False)
    return 0, pack_u64(_stores.actors.add(entry))


def _actor_method_call(data: memoryview) -> Reply:
    args_block, meta, refs = _call(data)
    entry: _ray_native.ActorEntry = _stores.actors.get(int(meta["goray_py_local_actor_id"]))  # type: ignore[assignment]
    method = meta["goray_task_name"]
    options = split_options(meta)
    if entry.is_native:
        positions, ordered = _ref_parts(_native_refs(refs))
        remote_method = getattr(entry.handle, method + "__", None)
        if remote_method is None:
            native = _ray_native.native_methods_of(entry.handle)
            raise UnknownNameError("method", method, native[1] if native else [])
        block = _ray_native.travelling(args_block)
        args = (block, positions, *ordered) if ordered else (block,) if args_block else ()
        ref = remote_method.options(**options).remote(*args) if options else remote_method.remote(*args)
    else:
        remote_method = getattr(entry.handle, method, None)
        if remote_method is None or method.startswith("_"):
            known = sorted(name for name in dir(entry.handle) if not name.startswith("_"))
            raise UnknownNameError("method", method, known)
        values = _python_args(args_block, _python_refs(refs))
        ref = remote_method.options(**options).remote(*values) if options else remote_method.remote(*values)
    return _new_object(ref, f"{entry.type_name}.{method}", native=entry.is_native)


def failure_reply(error: BaseException, what: str, task: str = "") -> Reply:
    """The code and payload GetObject answers for a failed ray.get of `what`,
    produced by `task` (a task or Type.method name; "" for Put and unknown)."""
    if isinstance(error, ray.exceptions.GetTimeoutError):
        return 2, f"timed out waiting for {what}: {error}".encode()
    if isinstance(error, ray.exceptions.TaskCancelledError):
        return 3, f"{what} was cancelled: {error}".encode()
    if isinstance(error, ray.exceptions.RayTaskError):
        cause = getattr(error, "cause", None)
        traceback = ""
        if isinstance(cause, NativeError):
            # A Go panic has no type: its message alone, with no stray ": ".
            message = cause.summary
            task = cause.task or task
            traceback = cause.traceback
        elif isinstance(cause, (ArgumentError, UnknownNameError)):
            # Reported by the native side: its own C++ type name again.
            message = f"goray::{type(cause).__name__}: {cause}"
            if message.endswith(")") and " (task " in message:
                task = ""  # the text names the task already
        elif cause is not None:
            message = f"{_handlers.error_type_name(cause)}: {cause}"
            task = task or getattr(error, "function_name", None) or what
            traceback = str(error)
        else:
            message, task = f"ray.exceptions.RayTaskError: {error}", task or what
        if task:
            message += f" (task {task})"
        return 5, json.dumps({"Message": message, "Traceback": traceback}).encode()
    if isinstance(error, ray.exceptions.RayError):
        message = f"ray.exceptions.{type(error).__name__}: {error} (task {task or what})"
        return 5, json.dumps({"Message": message, "Traceback": ""}).encode()
    raise error


def _get_object(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    object_id, timeout, auto_release = int(request[0]), request[1], bool(request[2])
    try:
        stored = _object(object_id)
    except KeyError as error:
        return _unknown_id(4, error)
    try:
        value = ray.get(stored.ref, timeout=None if timeout is None or timeout < 0 else timeout)
    except (ray.exceptions.GetTimeoutError, ray.exceptions.TaskCancelledError) as error:
        return failure_reply(error, f"object {object_id}", stored.label)
    except ray.exceptions.RayError as error:
        if auto_release:
            _release(object_id)
        return failure_reply(error, f"object {object_id}", stored.label)
    if auto_release:
        _release(object_id)
    if type(value) is _ray_native.NativeBlock:  # a native producer's bytes, verbatim
        # A view of the object store: the reply is read through the buffer protocol.
        return 0, cast(bytes, value.data)
    try:
        return 0, _codec.pack(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise TypeError(f"object {object_id} cannot be sent to native code: "
                        f"{_codec.pack_failure(value, error)}") from None


def _release(object_id: int) -> None:
    try:
        _stores.objects.pop(object_id)
    except KeyError:
        pass


def _put_object(data: memoryview) -> Reply:
    # Kept as the native bytes (GoRay returns them verbatim); Python readers decode.
    # Ray copies the view into its store before ray.put returns (once: out of band).
    return _new_object(ray.put(_ray_native.NativeBlock(data)), "", native=True)


def _wait_object(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    ids = [int(i) for i in request.pop("object_ref_local_ids")]
    try:
        refs = [_object(i).ref for i in ids]
    except KeyError as error:
        return _unknown_id(4, error)
    num_returns = int(request.pop("num_returns", 1))
    ready, _pending = ray.wait(refs, num_returns=num_returns, **request)
    ready_set = {id(ref) for ref in ready}
    ready_indices = [i for i, ref in enumerate(refs) if id(ref) in ready_set]
    pending_indices = [i for i, ref in enumerate(refs) if id(ref) not in ready_set]
    return 0, json.dumps([ready_indices, pending_indices]).encode()


def _cancel_object(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    object_id = int(request.pop("object_ref_local_id"))
    try:
        ref = _object(object_id).ref
    except KeyError as error:
        return _unknown_id(4, error)
    ray.cancel(ref, **request)
    return _OK_EMPTY


def _release_object(data: memoryview) -> Reply:
    try:
        _stores.objects.pop(unpack_u64(data))
    except KeyError as error:
        return _unknown_id(4, error)
    return _OK_EMPTY


def _kill_actor(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    entry: _ray_native.ActorEntry = _stores.actors.get(int(request.pop("goray_py_local_actor_id")))  # type: ignore[assignment]
    ray.kill(entry.handle, **request)
    if request.get("no_restart", True):
        _await_actor_death(entry.handle)
    return _OK_EMPTY


def _await_actor_death(handle: Any, deadline_seconds: float = 30.0) -> None:
    """ray.kill only asks the GCS to end the actor; a call made before the driver
    learns of the death still runs. Kill promises that later calls fail, so probe
    the actor until this driver sees it dead (or give up after the deadline)."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            ray.get(handle.__ray_ready__.remote(), timeout=5)
        except ray.exceptions.ActorDiedError:
            return
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            pass  # unavailable for now: the death has not been published yet
        time.sleep(0.02)
    _log.warning("goray: the killed actor still answered after %.0f s", deadline_seconds)


def _get_actor(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    name = request.pop("name")
    handle = ray.get_actor(name, **request)
    type_name, is_native = _ray_native.describe_actor(handle)
    actor_id = _stores.actors.add(_ray_native.ActorEntry(handle, type_name, is_native))
    return 0, json.dumps({"py_local_id": actor_id, "actor_type_name": type_name,
                          "is_golang_actor": is_native}).encode()


def _release_actor(data: memoryview) -> Reply:
    try:
        _stores.actors.pop(unpack_u64(data))
    except KeyError as error:
        return _unknown_id(1, error)
    return _OK_EMPTY


_HANDLERS = {
    Native2Py.EXE_REMOTE_TASK: _exe_remote_task,
    Native2Py.GET_OBJECT: _get_object,
    Native2Py.PUT_OBJECT: _put_object,
    Native2Py.WAIT_OBJECT: _wait_object,
    Native2Py.CANCEL_OBJECT: _cancel_object,
    Native2Py.RELEASE_OBJECT: _release_object,
    Native2Py.NEW_ACTOR: _new_actor,
    Native2Py.NEW_PYTHON_ACTOR: _new_python_actor,
    Native2Py.ACTOR_METHOD_CALL: _actor_method_call,
    Native2Py.KILL_ACTOR: _kill_actor,
    Native2Py.GET_ACTOR: _get_actor,
    Native2Py.EXE_PYTHON_REMOTE_TASK: _exe_python_remote_task,
    Native2Py.RELEASE_ACTOR: _release_actor,
}


def _logged(command: Native2Py, handler: Any) -> Any:
    def logged(data: memoryview) -> Reply:
        reply: Reply = handler(data)
        _log.debug("native -> driver %s (%d bytes): code %d, %d bytes", command.name, len(data),
                    reply[0], len(reply[1]))
        return reply
    return logged


def install() -> None:
    """Serves the Ray commands in this process (idempotent). With GORAY_DEBUG_LOGGING
    set, each request is logged."""
    debug = _log.isEnabledFor(logging.DEBUG)
    for command, handler in _HANDLERS.items():
        _handlers.register_handler(int(command), _logged(command, handler) if debug else handler)
