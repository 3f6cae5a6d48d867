"""Native2Py commands 5-16 and 32-36 (docs/protocol.md §3, §10, §11, §12): native
code using Ray through the driver (with arrays out of band, §10: scattered calls
and GetObject's lend). Installed into goray._handlers by goray.init() in
the driver, and by the first Ray command a process receives (goray._handlers serves
it then), e.g. in a Ray worker; the loaded library is then asked for protocol
version 3's features (goray._ray.features).

Every failure of a task or actor is a real Ray failure; GetObject reports it as
code 5 with {"Message": "<type>: <message> (task <name>)", "Traceback": ...},
and timeouts, cancellation and unknown ids with codes 2, 3 and 4. A pipelined
submission (SubmitBatch) that fails leaves a failure entry under its result id:
GetObject(s) answer it with code 1 and the text the synchronous command would
have answered.
"""

from __future__ import annotations

import json
import logging
import struct
import threading
import time
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union, cast

import ray
import ray.exceptions

from .. import _codec, _ffi, _handlers, _registry, _stores
from .._protocol import (ADDRESS_LENT, ACTOR_IS_NATIVE, ACTOR_LOCAL_ID, ACTOR_NAME, ACTOR_TYPE_NAME,
                         ARG_AUTO_RELEASE, ARG_OBJECT_ID, CANCEL_OBJECT_ID, META_ACTOR_METHODS,
                         META_ACTOR_TYPE_NAME, META_ARG_POS_TO_OBJECT, META_LOCAL_ACTOR_ID,
                         META_PY_TASK_NAME, META_TASK_NAME, PYTHON_TASK_PREFIX,
                         WAIT_ALL_READY, WAIT_NUM_RETURNS, WAIT_OBJECT_IDS, Buffer, FramingError,
                         Native2Py, Record, pack_u64, unpack_u64, unpack_units)
from ..errors import (ArgumentError, GorayError, NativeError, UnknownNameError, error_fields,
                      failure_payload)
from .._stores import ActorEntry, LentBuffers, StoredObject, describe_actor
from .._traits import checked_actor_options
from . import bodies, features, nested, objects, py2native, scatter, streams, submit
from .options import split_options, with_goray_env

__all__ = ["install", "failure_reply", "FailedSubmission", "submit_native_task", "python_task"]

_log = logging.getLogger("goray")
Reply = Tuple[int, bytes]
_OK_EMPTY: Reply = (0, b"")


class FailedSubmission:
    """What a pipelined submission that failed leaves under its result id: the
    callee and the code-1 text its synchronous command would have answered.
    GetObject(s) answer it; Wait counts it ready; releasing it unread logs it."""

    __slots__ = ("label", "text", "read")

    def __init__(self, label: str, text: bytes) -> None:
        self.label = label
        self.text = text
        self.read = False

    def reply(self) -> Reply:
        self.read = True
        return 1, self.text


Entry = Union[StoredObject, FailedSubmission]


def _entry(object_id: int) -> Entry:
    return _stores.objects.get(object_id)  # type: ignore[return-value]


def _object(object_id: int) -> StoredObject:
    """The stored object of an id used as an argument or waited on; a failed
    submission's id raises its error (what used it fails the same way)."""
    stored = _stores.objects.get(object_id)
    not_object = _not_an_object(object_id, stored)
    if not_object is not None:
        raise GorayError(not_object)
    if type(stored) is FailedSubmission:
        stored.read = True
        first = stored.text.decode("utf-8", errors="replace").split("\n", 1)[0]
        raise GorayError(f"object {object_id} is the result of a submission of {stored.label} "
                         f"that failed: {first}")
    return stored  # type: ignore[return-value]


def _not_an_object(object_id: int, entry: Any) -> Optional[str]:
    """Why an entry of the objects store cannot be read or used as an object (a
    stream, lent memory), or None."""
    if type(entry) is streams.StoredStream:
        return streams.stream_error(object_id)
    if type(entry) is LentBuffers:
        return entry.error(object_id)
    return None


_metas: Dict[bytes, Dict[str, Any]] = {}

#: An args block: a view of the request, or a scattered block (large arrays apart).
Block = Union[memoryview, objects.Scattered]


def _call(data: memoryview) -> Tuple[Block, Dict[str, Any], Dict[int, StoredObject], Optional[bytes]]:
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
        if len(_metas) >= _SYNC_OPTIONS_LIMIT:
            _metas.clear()
        _metas[key] = meta  # type: ignore[index]
        return block, meta, {}, key
    key = None
    refs: Dict[int, StoredObject] = {}
    released = set()
    try:
        for position, spec in (meta.get(META_ARG_POS_TO_OBJECT) or {}).items():
            object_id = int(spec[ARG_OBJECT_ID])
            refs[int(position)] = _object(object_id)
            if spec.get(ARG_AUTO_RELEASE):
                released.add(object_id)
    finally:  # an unknown id later in the list still releases the ones before it
        for object_id in released:
            _release(object_id)
    return block, meta, refs, key


def _native_refs(refs: Dict[int, StoredObject]) -> Dict[int, Any]:
    """The refs for a consumer that reads NativeBlocks (a native callee, or a Python
    task or actor constructor of ours, which decode them)."""
    return {position: stored.ref for position, stored in refs.items()}


def _python_refs(refs: Dict[int, StoredObject]) -> Dict[int, Any]:
    """The refs for a consumer that sees only Python values (any Python actor's
    methods): refs holding native bytes are converted first."""
    return {position: nested.python_view(stored.ref) if stored.native else stored.ref
            for position, stored in refs.items()}


def _python_args(args_block: Block, refs: Dict[int, Any]) -> List[Any]:
    """Decoded values with the refs at their positions (Ray resolves top-level refs).
    A scattered block is joined first (one copy: the values' arrays are views of it)."""
    values = _codec.unpack_values(objects.contiguous(args_block))
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


def _new_object(stored: Union[StoredObject, "streams.StoredStream"]) -> Reply:
    return 0, pack_u64(_stores.objects.add(stored))


# Ray submissions for native callers: a native task (one Ray function per task),
# a Python task (found by name in the worker).

def submit_native_task(name: str, options: Dict[str, Any], args_block: Any,
                       positions: Tuple[int, ...], refs: Sequence[Any], key: Any = None) -> Any:
    """Submits native task `name` (its one Ray function, goray._ray.bodies.native_task);
    returns its ray.ObjectRef. `key` names the option set for the submitter cache
    (default: the options' JSON)."""
    block = objects.travelling(args_block)
    kind = f"native:{name}"
    submitter = submit.cached(kind, key) if key is not None else None
    if submitter is None:
        base = bodies.native_task(name)
        if base._is_generator:  # its items need a stream (num_returns="streaming")
            raise streams.refuse_generator("task", name)
        submitter = submit.prepared(base, kind, options, key)
    if refs:
        return submitter.remote(block, positions, *refs)
    return submitter.remote(block) if args_block else submitter.remote()


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
    if streams.is_generator_function(function):
        raise streams.refuse_generator("Python function", name)
    merged = {"name": PYTHON_TASK_PREFIX + getattr(function, "__name__", name),
              **_registry.declared_options(name), **options}
    return submit.prepared(bodies.python_task_base, kind, merged, key)


# Submissions: one function per kind, used by the synchronous commands (5, 13, 16)
# and by SubmitBatch's records alike. `key` names the option set for the submitter
# caches (None: the options' JSON).

def _submit_native_task(name: str, options: Dict[str, Any], key: Any, args_block: Block,
                        refs: Dict[int, StoredObject]) -> StoredObject:
    positions, ordered = _ref_parts(_native_refs(refs))
    ref = submit_native_task(name, options, args_block, positions, ordered, key)
    return StoredObject(ref, name, True)


def _submit_python_task(name: str, options: Dict[str, Any], key: Any, args_block: Block,
                        refs: Dict[int, StoredObject]) -> StoredObject:
    task = python_task(name, options, key)
    return StoredObject(task.remote(name, *_python_args(args_block, _native_refs(refs))), name)


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
        raise (streams.refuse_generator("method", f"{entry.type_name}.{method}") if not stream
               else streams.not_a_generator("method", f"{entry.type_name}.{method}"))
    return submit.actor_method(actor_id, entry.handle, attribute, options, key)


def _submit_actor_call(actor_id: int, method: str, options: Dict[str, Any], key: Any,
                       args_block: Block, refs: Dict[int, StoredObject]) -> StoredObject:
    entry: ActorEntry = _stores.actors.get(actor_id)  # type: ignore[assignment]
    submitter = _method_of(actor_id, entry, method, options, key)
    if entry.is_native:
        positions, ordered = _ref_parts(_native_refs(refs))
        block = objects.travelling(args_block)
        args = (block, positions, *ordered) if ordered else (block,) if args_block else ()
        ref = submitter.remote(*args)
    else:
        ref = submitter.remote(*_python_args(args_block, _python_refs(refs)))
    return StoredObject(ref, f"{entry.type_name}.{method}", entry.is_native)


class _SyncOptions(NamedTuple):
    """The options of a synchronous call's JSON, worked out once per distinct JSON
    without refs (call sites repeat theirs): for tasks (with goray's environment) and
    for actor methods; `key` names them for the submitter caches."""
    task: Dict[str, Any]
    method: Dict[str, Any]
    key: Any


_sync_options: Dict[bytes, _SyncOptions] = {}
_SYNC_OPTIONS_LIMIT = 4096


def _options_of(meta: Dict[str, Any], key: Optional[bytes]) -> _SyncOptions:
    """The options of a call's JSON; cached by its bytes when `key` is given."""
    if key is not None:
        known = _sync_options.get(key)
        if known is not None:
            return known
    method = split_options(meta)
    options = _SyncOptions(with_goray_env(method), method, key)
    if key is not None:
        if len(_sync_options) >= _SYNC_OPTIONS_LIMIT:
            _sync_options.clear()
        _sync_options[key] = options
    return options


def _exe_remote_task(data: memoryview) -> Reply:
    args_block, meta, refs, key = _call(data)
    if meta.get(streams.NUM_RETURNS) == streams.STREAMING:
        positions, ordered = _ref_parts(_native_refs(refs))
        return _new_object(streams.submit_task(meta[META_TASK_NAME],
                                               with_goray_env(_stream_options(meta)),
                                               args_block, positions, ordered))
    options = _options_of(meta, key)
    return _new_object(_submit_native_task(meta[META_TASK_NAME], options.task, options.key,
                                           args_block, refs))


def _exe_python_remote_task(data: memoryview) -> Reply:
    args_block, meta, refs, key = _call(data)
    if meta.get(streams.NUM_RETURNS) == streams.STREAMING:
        return _new_object(streams.submit_python(meta[META_PY_TASK_NAME],
                                                 with_goray_env(_stream_options(meta)),
                                                 _python_args(args_block, _native_refs(refs))))
    options = _options_of(meta, key)
    return _new_object(_submit_python_task(meta[META_PY_TASK_NAME], options.task, options.key,
                                           args_block, refs))


def _new_actor(data: memoryview) -> Reply:
    args_block, meta, refs, _ = _call(data)
    type_name = meta[META_ACTOR_TYPE_NAME]
    methods = meta.get(META_ACTOR_METHODS) or py2native.native_actor_methods(type_name)
    groups, options = checked_actor_options(bodies.ready_library(), type_name, split_options(meta))
    cls = bodies.native_actor_class(type_name, methods, groups)
    contiguous = objects.contiguous(args_block)
    py2native.check_actor_args(type_name, contiguous, bool(refs))
    positions, ordered = _ref_parts(_native_refs(refs))
    handle = cls.options(**with_goray_env(options)).remote(
        objects.travelling(contiguous), positions, *ordered)
    entry = ActorEntry(handle, type_name, True)
    return 0, pack_u64(_stores.actors.add(entry))


def _new_python_actor(data: memoryview) -> Reply:
    args_block, meta, refs, _ = _call(data)
    name = meta[META_ACTOR_TYPE_NAME]
    cls = bodies.python_actor_class(name)
    options = {**_registry.declared_options(name), **split_options(meta)}
    handle = cls.options(**with_goray_env(options)).remote(*_python_args(args_block, _native_refs(refs)))
    entry = ActorEntry(handle, name, False)
    return 0, pack_u64(_stores.actors.add(entry))


def _stream_options(meta: Dict[str, Any]) -> Dict[str, Any]:
    """The Ray options of a streaming submission (num_returns="streaming" is taken:
    Ray streams a generator by default)."""
    return split_options(meta, streaming=True)


def _actor_method_call(data: memoryview) -> Reply:
    args_block, meta, refs, key = _call(data)
    if meta.get(streams.NUM_RETURNS) == streams.STREAMING:
        actor_id, method = int(meta[META_LOCAL_ACTOR_ID]), meta[META_TASK_NAME]
        entry: ActorEntry = _stores.actors.get(actor_id)  # type: ignore[assignment]
        submitter = _method_of(actor_id, entry, method, _stream_options(meta), None, stream=True)
        if entry.is_native:
            positions, ordered = _ref_parts(_native_refs(refs))
            block = objects.travelling(args_block)
            args = (block, positions, *ordered) if ordered else (block,) if args_block else ()
        else:
            args = tuple(_python_args(args_block, _python_refs(refs)))
        return _new_object(streams.StoredStream(submitter.remote(*args),
                                                f"{entry.type_name}.{method}", entry.is_native))
    options = _options_of(meta, key)
    return _new_object(_submit_actor_call(int(meta[META_LOCAL_ACTOR_ID]), meta[META_TASK_NAME],
                                          options.method, options.key, args_block, refs))


def failure_reply(error: BaseException, what: str, task: str = "") -> Reply:
    """The code and payload GetObject answers for a failed ray.get of `what`,
    produced by `task` (a task or Type.method name; "" for Put and unknown)."""
    if isinstance(error, ray.exceptions.GetTimeoutError):
        return 2, f"timed out waiting for {what}: {error}".encode()
    if isinstance(error, ray.exceptions.TaskCancelledError):
        return 3, f"{what} was cancelled: {error}".encode()
    # Code 5 in the native side's own form (docs/protocol.md §9): GoRay's Message and
    # Traceback, and the structured member the C++ runtime reads.
    if isinstance(error, ray.exceptions.RayTaskError):
        cause = getattr(error, "cause", None)
        if isinstance(cause, NativeError):
            # A Go panic has no type: its message alone, with no stray ": ".
            return 5, failure_payload(cause.type, cause.message, cause.task or task,
                                      cause.traceback)
        if isinstance(cause, (ArgumentError, UnknownNameError)):
            # Reported by the native side: its own C++ type name again.
            return 5, failure_payload(f"goray::{type(cause).__name__}", cause.message,
                                      getattr(cause, "task", "") or task, "",
                                      **error_fields(cause))
        if cause is not None:
            return 5, failure_payload(_handlers.error_type_name(cause), str(cause),
                                      task or getattr(error, "function_name", None) or what,
                                      str(error))
        return 5, failure_payload("ray.exceptions.RayTaskError", str(error), task or what)
    if isinstance(error, ray.exceptions.RayError):
        return 5, failure_payload(f"ray.exceptions.{type(error).__name__}", str(error),
                                  task or what)
    raise error


def _timeout(value: Any) -> Optional[float]:
    return None if value is None or value < 0 else value


def _get_object(data: memoryview) -> Reply:
    """GetObject (6): JSON ``[id, timeout, auto_release]``, with a 4th element 1 to
    ask for the value's large arrays lent (_lent_reply)."""
    request = json.loads(bytes(data))
    object_id, timeout, auto_release = int(request[0]), request[1], bool(request[2])
    lend = len(request) > 3 and request[3] == 1
    try:
        stored = _entry(object_id)
    except KeyError as error:
        return _unknown_id(4, error)
    if isinstance(stored, FailedSubmission):
        reply = stored.reply()
        if auto_release:
            _release(object_id)
        return reply
    not_object = _not_an_object(object_id, stored)
    if not_object is not None:
        return 1, not_object.encode()
    try:
        value = ray.get(stored.ref, timeout=_timeout(timeout))
    except (ray.exceptions.GetTimeoutError, ray.exceptions.TaskCancelledError) as error:
        return failure_reply(error, f"object {object_id}", stored.label)
    except ray.exceptions.RayError as error:
        if auto_release:
            _release(object_id)
        return failure_reply(error, f"object {object_id}", stored.label)
    if auto_release:
        _release(object_id)
    if lend:
        return _lent_reply(object_id, value, stored.native)
    return _value_reply(object_id, value, stored.native)


_NOTHING_LENT = pack_u64(0)


def _lent_reply(object_id: int, value: Any, native: bool) -> Reply:
    """GetObject's reply to a lend request: ``u64 lent id`` + the value's block. A
    native block's large arrays (scattered, or top-level ext 71 of a contiguous one)
    are ext 72 lent at their data in the object store, kept alive by a new entry of
    the objects store (the lent id) until native code releases it: the reply holds
    no copy of them. Nothing to lend (no such array, refs inside, a Python value):
    lent id 0 and the reply GetObject gives without lending."""
    if type(value) is objects.NativeBlock and not value.refs and not value.actors:
        if value.segments is not None:
            pieces, lent = scatter.pieces(value.segments, value.datas, ADDRESS_LENT)
        else:
            pieces = scatter.by_address(value.data, ADDRESS_LENT, bins=True)
            lent = len(pieces) > 1
        if lent:
            held = LentBuffers(value, object_id)
            lent_id = _stores.objects.add(held)
            if lent_id == 0:  # 0 says "nothing lent" (pipelined ids leave the store's first one free)
                lent_id = _stores.objects.add(held)
                _stores.objects.pop(0)
            return 0, b"".join((pack_u64(lent_id), *pieces))
    code, payload = _guarded(object_id, value, native)
    return (code, b"".join((_NOTHING_LENT, payload))) if code == 0 else (code, payload)


def _value_reply(object_id: int, value: Any, native: bool) -> Reply:
    """GetObject's reply for a value Ray returned (`native`: a native producer's)."""
    if value is None and native:  # a native producer's empty block (EMPTY_NATIVE_RESULT)
        return _OK_EMPTY
    if type(value) is objects.NativeBlock:  # a native producer's bytes, verbatim
        # A view of the object store: the reply is read through the buffer protocol.
        return 0, cast(bytes, value.native_data())  # refs inside registered here
    try:
        return 0, _codec.pack(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise TypeError(f"object {object_id} cannot be sent to native code: "
                        f"{_codec.pack_failure(value, error)}") from None


_GET_OBJECTS_HEAD = struct.Struct("<dI")
_ENTRY_HEAD = struct.Struct("<IQ")


def _get_objects(data: memoryview) -> Reply:
    """GetObjects (34): `f64 timeout, u32 count, count x u64 id [, u8 flags]` -> per id
    `u32 code, u64 len, bytes`, each what GetObject answers for it, from one ray.get.
    Flags bit 0 asks to lend (docs/protocol.md §10): each code-0 entry is then what
    GetObject answers a lend request (_lent_reply: its own lent id first)."""
    if len(data) < _GET_OBJECTS_HEAD.size:
        raise FramingError(f"GetObjects: a payload of {len(data)} bytes, the header alone is 12")
    timeout, count = _GET_OBJECTS_HEAD.unpack_from(data)
    if len(data) not in (12 + 8 * count, 13 + 8 * count):
        raise FramingError(f"GetObjects: {count} ids need {12 + 8 * count} bytes, got "
                           f"{len(data)} (one more: the flags byte)")
    lend = len(data) == 13 + 8 * count and bool(data[-1] & 1)
    ids = struct.unpack_from(f"<{count}Q", data, 12)
    try:
        entries = [_entry(object_id) for object_id in ids]
    except KeyError as error:
        return _unknown_id(4, error)
    pending = [entry.ref for entry in entries if type(entry) is StoredObject]
    values: List[Any] = []
    failed = False
    wait = _timeout(timeout)
    deadline = None if wait is None else time.monotonic() + wait
    try:
        values = ray.get(pending, timeout=wait)
    except ray.exceptions.GetTimeoutError as error:
        return _objects_timeout(len(pending), error)
    except ray.exceptions.RayError:
        failed = True  # Ray stops at a failure: each one is read on its own below
    pieces: List[Any] = []
    next_value = iter(values)
    for object_id, entry in zip(ids, entries):
        if isinstance(entry, FailedSubmission):
            code, payload = entry.reply()
        elif type(entry) is not StoredObject:
            code, payload = 1, (_not_an_object(object_id, entry) or "").encode()
        elif failed:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                code, payload = _entry_reply(object_id, entry, left, lend)
            except ray.exceptions.GetTimeoutError as error:
                return _objects_timeout(len(pending), error)
        elif lend:
            code, payload = _lent_reply(object_id, next(next_value), entry.native)
        else:
            code, payload = _guarded(object_id, next(next_value), entry.native)
        pieces += (_ENTRY_HEAD.pack(code, len(payload)), payload)
    return 0, b"".join(pieces)


def _objects_timeout(count: int, error: BaseException) -> Reply:
    return 2, f"timed out waiting for {count} objects: {error}".encode()


def _entry_reply(object_id: int, stored: StoredObject, timeout: Optional[float],
                 lend: bool) -> Reply:
    """One object's GetObject reply after a ray.get of several failed (a timeout
    raises: it answers for the whole request); lent as GetObject lends with `lend`."""
    try:
        value = ray.get(stored.ref, timeout=timeout)
    except ray.exceptions.GetTimeoutError:
        raise
    except ray.exceptions.RayError as error:
        return failure_reply(error, f"object {object_id}", stored.label)
    if lend:
        return _lent_reply(object_id, value, stored.native)
    return _guarded(object_id, value, stored.native)


def _guarded(object_id: int, value: Any, native: bool) -> Reply:
    try:
        return _value_reply(object_id, value, native)
    except TypeError as error:
        return 1, _handlers.error_reply(error)


def _release(object_id: int) -> None:
    try:
        entry = _stores.objects.pop(object_id)
    except KeyError:
        return
    _released(object_id, entry)


def _released(object_id: int, entry: Any) -> None:
    """A failed submission released before anything read it is logged, not lost."""
    if type(entry) is FailedSubmission and not entry.read:
        first = entry.text.decode("utf-8", errors="replace").split("\n", 1)[0]
        _log.warning("goray: the submission of %s (object %d) failed and its result was "
                     "released unread: %s", entry.label, object_id, first)


def _put_object(data: memoryview) -> Reply:
    # Kept as the native bytes (GoRay returns them verbatim); Python readers decode.
    # Ray copies the view into its store before ray.put returns (once: out of band).
    return _new_object(StoredObject(ray.put(objects.NativeBlock(data)), "", True))


def _wait_object(data: memoryview) -> Reply:
    """WaitObject (8); with WAIT_ALL_READY, the reply lists every ref ready once
    num_returns are (a failed submission counts as ready)."""
    request = json.loads(bytes(data))
    ids = [int(i) for i in request.pop(WAIT_OBJECT_IDS)]
    all_ready = bool(request.pop(WAIT_ALL_READY, False))
    try:
        entries = [_entry(i) for i in ids]
    except KeyError as error:
        return _unknown_id(4, error)
    for object_id, entry in zip(ids, entries):
        not_object = _not_an_object(object_id, entry)
        if not_object is not None:
            return 1, not_object.encode()
    num_returns = int(request.pop(WAIT_NUM_RETURNS, 1))
    failed = [i for i, entry in enumerate(entries) if type(entry) is FailedSubmission]
    refs = [entry.ref for entry in entries if type(entry) is StoredObject]
    needed = num_returns - len(failed)
    ready: List[Any] = []
    if needed > 0:
        ready, rest = ray.wait(refs, num_returns=needed, **request)
    else:
        rest = refs
    if all_ready and rest:
        request["timeout"] = 0
        more, _ = ray.wait(rest, num_returns=len(rest), **request)
        ready += more
    ready_set = {id(ref) for ref in ready}
    ready_indices = [i for i, entry in enumerate(entries)
                     if isinstance(entry, FailedSubmission) or id(entry.ref) in ready_set]
    if not all_ready and len(ready_indices) > num_returns:
        ready_indices = ready_indices[:num_returns]  # as ray.wait: num_returns, no more
    chosen = set(ready_indices)
    pending_indices = [i for i in range(len(entries)) if i not in chosen]
    return 0, json.dumps([ready_indices, pending_indices]).encode()


def _cancel_object(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    object_id = int(request.pop(CANCEL_OBJECT_ID))
    try:
        entry: Any = _entry(object_id)
    except KeyError as error:
        return _unknown_id(4, error)
    if type(entry) is StoredObject:  # a failed submission has nothing to cancel
        ray.cancel(entry.ref, **request)
    elif type(entry) is streams.StoredStream:  # the generator task, as ray.cancel(gen)
        ray.cancel(entry.generator, **request)
    elif type(entry) is LentBuffers:
        return 1, entry.error(object_id).encode()
    return _OK_EMPTY


def _release_object(data: memoryview) -> Reply:
    object_id = unpack_u64(data)
    try:
        entry = _stores.objects.pop(object_id)
    except KeyError as error:
        return _unknown_id(4, error)
    _released(object_id, entry)
    return _OK_EMPTY


def _kill_actor(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    entry: ActorEntry = _stores.actors.get(int(request.pop(META_LOCAL_ACTOR_ID)))  # type: ignore[assignment]
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
    name = request.pop(ACTOR_NAME)
    handle = ray.get_actor(name, **request)
    type_name, is_native = describe_actor(handle)
    actor_id = _stores.actors.add(ActorEntry(handle, type_name, is_native))
    return 0, json.dumps({ACTOR_LOCAL_ID: actor_id, ACTOR_TYPE_NAME: type_name,
                          ACTOR_IS_NATIVE: is_native}).encode()


def _describe_actor(data: memoryview) -> Reply:
    """DescribeActor (35): what GetActor says of an actor id, for a handle decoded
    from a value."""
    try:
        entry: ActorEntry = _stores.actors.get(unpack_u64(data))  # type: ignore[assignment]
    except KeyError as error:
        return _unknown_id(1, error)
    return 0, json.dumps({ACTOR_TYPE_NAME: entry.type_name,
                          ACTOR_IS_NATIVE: entry.is_native}).encode()


def _release_actor(data: memoryview) -> Reply:
    actor_id = unpack_u64(data)
    try:
        _stores.actors.pop(actor_id)
    except KeyError as error:
        return _unknown_id(1, error)
    submit.forget_actor(actor_id)
    return _OK_EMPTY


# ---------------------------------------------------------------------------
# SubmitBatch (33): records back to back (docs/protocol.md §11, "SubmitBatch
# (Native2Py 33): the records"). Integers little-endian; strings u32 length + UTF-8.

class _Options(NamedTuple):
    """A defined option set: for tasks (with goray's environment), for actor methods;
    or the error its definition raised (every record using it fails with it)."""
    task: Dict[str, Any]
    method: Dict[str, Any]
    error: Optional[BaseException]
    text: str = ""


_options_lock = threading.Lock()
_defined: Dict[int, _Options] = {}

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_TASK_HEAD = struct.Struct("<QII")  # result_id, options_id, name length
_CALL_HEAD = struct.Struct("<QQII")  # result_id, actor_id, options_id, method length
_REF = struct.Struct("<IQ")
_DEFINE_HEAD = struct.Struct("<II")  # options_id, JSON length
# Record kinds as plain ints (compared once per record).
_DEFINE, _TASK, _PY_TASK, _ACTOR_CALL, _RELEASE_OBJECT, _RELEASE_ACTOR = (
    int(Record.DEFINE_OPTIONS), int(Record.TASK), int(Record.PY_TASK), int(Record.ACTOR_CALL),
    int(Record.RELEASE_OBJECT), int(Record.RELEASE_ACTOR))


def _define_options(options_id: int, text: str) -> None:
    try:
        meta = json.loads(text)
        if not isinstance(meta, dict):
            raise GorayError(f"options {options_id} are not a JSON object: {text[:200]!r}")
        method = split_options(meta)
        defined = _Options(with_goray_env(method), method, None, text)
    except Exception as error:  # noqa: BLE001 - reported by each record using it
        defined = _Options({}, {}, error, text)
    with _options_lock:
        before = _defined.get(options_id)
        _defined[options_id] = defined
    if before is not None and before.text != text:
        submit.forget_options(options_id)  # an id defined again means other options


def _options(options_id: int) -> _Options:
    defined = _defined.get(options_id)
    if defined is None:
        if options_id:
            raise GorayError(f"options {options_id} were never defined (a DefineOptions record "
                             "comes before the first record using them)")
        defined = _defined[0] = _Options(with_goray_env({}), {}, None)
    if defined.error is not None:
        raise defined.error
    return defined


def _short(what: str, at: int, need: int, size: int) -> FramingError:
    return FramingError(f"SubmitBatch: {what} at byte {at} needs {need} bytes, {max(0, size - at)} left")


def _read_call(data: memoryview, at: int, head: struct.Struct, what: str) -> Tuple[
        Tuple[int, ...], str, List[Tuple[int, int]], memoryview, int]:
    """A submission record after its kind byte: (head fields, callee name, [(position,
    object id)], args block, where the next record starts)."""
    size = len(data)
    end = at + head.size
    if end > size:
        raise _short(what, at, head.size, size)
    fields = head.unpack_from(data, at)
    name_end = end + fields[-1]
    if name_end + 4 > size:
        raise _short(f"the callee name of {what}", end, fields[-1] + 4, size)
    name = str(data[end:name_end], "utf-8")
    (count,) = _U32.unpack_from(data, name_end)
    at = name_end + 4
    pairs: List[Tuple[int, int]] = []
    if count:
        if at + 12 * count > size:
            raise _short(f"the {count} refs of {what}", at, 12 * count, size)
        pairs = [_REF.unpack_from(data, at + 12 * i) for i in range(count)]
        at += 12 * count
    if at + 8 > size:
        raise _short(f"the block length of {what}", at, 8, size)
    (length,) = _U64.unpack_from(data, at)
    at += 8
    if at + length > size:
        raise _short(f"the args block of {what}", at, length, size)
    return fields, name, pairs, data[at:at + length], at + length


def _resolve_refs(pairs: List[Tuple[int, int]]) -> Dict[int, StoredObject]:
    return {position: _object(object_id) for position, object_id in pairs}


def _submit_batch(data: memoryview) -> Reply:
    objects = _stores.objects
    size = len(data)
    at = 0
    while at < size:
        kind = data[at]
        at += 1
        if kind == _TASK or kind == _PY_TASK:
            (result_id, options_id, _), name, pairs, block, at = _read_call(
                data, at, _TASK_HEAD, "a task record")
            try:
                defined = _options(options_id)
                refs = _resolve_refs(pairs) if pairs else {}
                if kind == _TASK:
                    stored: Entry = _submit_native_task(name, defined.task, options_id, block, refs)
                else:
                    stored = _submit_python_task(name, defined.task, options_id, block, refs)
            except Exception as error:  # noqa: BLE001 - the record fails, not the batch
                stored = FailedSubmission(name, _handlers.error_reply(error))
            objects.put(result_id, stored)
        elif kind == _ACTOR_CALL:
            (result_id, actor_id, options_id, _), method, pairs, block, at = _read_call(
                data, at, _CALL_HEAD, "an actor call record")
            try:
                defined = _options(options_id)
                refs = _resolve_refs(pairs) if pairs else {}
                stored = _submit_actor_call(actor_id, method, defined.method, options_id, block, refs)
            except Exception as error:  # noqa: BLE001
                stored = FailedSubmission(_callee(actor_id, method), _handlers.error_reply(error))
            objects.put(result_id, stored)
        elif kind == _DEFINE:
            if at + 8 > size:
                raise _short("a DefineOptions record", at, 8, size)
            options_id, length = _DEFINE_HEAD.unpack_from(data, at)
            if at + 8 + length > size:
                raise _short("the options JSON", at + 8, length, size)
            _define_options(options_id, str(data[at + 8:at + 8 + length], "utf-8"))
            at += 8 + length
        elif kind == _RELEASE_OBJECT or kind == _RELEASE_ACTOR:
            if at + 8 > size:
                raise _short("a release record", at, 8, size)
            (released,) = _U64.unpack_from(data, at)
            at += 8
            try:
                if kind == _RELEASE_OBJECT:
                    _released(released, objects.pop(released))
                else:
                    _stores.actors.pop(released)
                    submit.forget_actor(released)
            except KeyError as error:
                _log.warning("goray: SubmitBatch released %s", str(error).strip("'\""))
        else:
            raise FramingError(f"SubmitBatch: unknown record kind {kind} at byte {at - 1}")
    return _OK_EMPTY


def _callee(actor_id: int, method: str) -> str:
    """Type.method of an actor call, for a failure entry (the method alone when the
    actor id is unknown)."""
    try:
        entry: ActorEntry = _stores.actors.get(actor_id)  # type: ignore[assignment]
    except KeyError:
        return method
    return f"{entry.type_name}.{method}"


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
    Native2Py.SUBMIT_BATCH: _submit_batch,
    Native2Py.GET_OBJECTS: _get_objects,
    Native2Py.DESCRIBE_ACTOR: _describe_actor,
    Native2Py.NEXT_STREAM_REF: streams.next_stream_ref,
}


def _logged(command: Native2Py, handler: Any) -> Any:
    def logged(data: memoryview) -> Reply:
        reply: Reply = handler(data)
        _log.debug("native -> driver %s (%d bytes): code %d, %d bytes", command.name, len(data),
                    reply[0], len(reply[1]))
        return reply
    return logged


def install() -> None:
    """Serves the Ray commands in this process (idempotent), then turns the loaded
    library's version-3 features on (EnableFeatures, once). With GORAY_DEBUG_LOGGING
    set, each request is logged."""
    debug = _log.isEnabledFor(logging.DEBUG)
    for command, handler in _HANDLERS.items():
        _handlers.register_handler(int(command), _logged(command, handler) if debug else handler)
    library = _ffi.loaded_library()
    if library is not None:
        features.enable_features(library)
