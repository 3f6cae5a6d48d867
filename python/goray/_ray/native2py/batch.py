"""SubmitBatch (Native2Py 33, docs/protocol.md §11, "SubmitBatch (Native2Py 33): the
records"): pipelined submissions, records back to back. Integers little-endian;
strings u32 length + UTF-8. DefineOptions records define the option sets the
submission records name; a submission that fails leaves a FailedSubmission under
its result id (the record fails, not the batch); release records release ids.

Tests: tests/python/test_submit_batch.py, tests/ray/test_streams_cpp.py
"""

from __future__ import annotations

import json
import logging
import struct
import threading
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import ray

from ... import _handlers, _stores
from ..._handlers import Handler, Reply
from ..._protocol import Code, FramingError, Native2Py, Record
from ..._stores import ActorEntry, StoredObject
from ...errors import GorayError
from ..submission import submit
from .calls import (actor_call_submission, native_task_submission,
                    python_task_submission)
from .store_entries import Entry, released, stored_object
from .failures import FailedSubmission
from ..submission.options import split_options, with_goray_env

__all__ = ["HANDLERS"]

_log = logging.getLogger("goray")


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
    return {position: stored_object(object_id) for position, object_id in pairs}


def _submit_batch(data: memoryview) -> Reply:
    objects = _stores.objects
    running = ray.is_initialized()  # after ray.shutdown(): releases only, submissions fail
    size = len(data)
    at = 0
    while at < size:
        kind = data[at]
        at += 1
        if kind == _TASK or kind == _PY_TASK:
            (result_id, options_id, _), name, pairs, block, at = _read_call(
                data, at, _TASK_HEAD, "a task record")
            try:
                if not running:
                    raise _handlers.ray_not_running(f"submitting task {name!r} through Ray")
                defined = _options(options_id)
                refs = _resolve_refs(pairs) if pairs else {}
                if kind == _TASK:
                    stored: Entry = native_task_submission(name, defined.task, options_id, block, refs)
                else:
                    stored = python_task_submission(name, defined.task, options_id, block, refs)
            except Exception as error:  # noqa: BLE001 - the record fails, not the batch
                stored = FailedSubmission(name, _handlers.error_reply(error))
            objects.put(result_id, stored)
        elif kind == _ACTOR_CALL:
            (result_id, actor_id, options_id, _), method, pairs, block, at = _read_call(
                data, at, _CALL_HEAD, "an actor call record")
            try:
                if not running:
                    raise _handlers.ray_not_running(
                        f"calling actor method {_callee(actor_id, method)!r} through Ray")
                defined = _options(options_id)
                refs = _resolve_refs(pairs) if pairs else {}
                stored = actor_call_submission(actor_id, method, defined.method, options_id,
                                               block, refs)
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
            (released_id,) = _U64.unpack_from(data, at)
            at += 8
            try:
                if kind == _RELEASE_OBJECT:
                    released(released_id, objects.pop(released_id))
                else:
                    _stores.actors.pop(released_id)
                    submit.forget_actor(released_id)
            except KeyError as error:
                _log.warning("goray: SubmitBatch released %s", str(error).strip("'\""))
        else:
            raise FramingError(f"SubmitBatch: unknown record kind {kind} at byte {at - 1}")
    return Code.SUCCESS, b""


def _callee(actor_id: int, method: str) -> str:
    """Type.method of an actor call, for a failure entry (the method alone when the
    actor id is unknown)."""
    try:
        entry: ActorEntry = _stores.actors.get(actor_id)  # type: ignore[assignment]
    except KeyError:
        return method
    return f"{entry.type_name}.{method}"


#: The commands this module serves.
HANDLERS: Dict[Native2Py, Handler] = {
    Native2Py.SUBMIT_BATCH: _submit_batch,
}
