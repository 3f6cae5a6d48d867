"""Objects for native callers on Ray (docs/protocol.md §3, §10, §11): GetObject 6
(with a 4th element 1, the value's large arrays lent at their data in the object
store), PutObject 7, WaitObject 8, CancelObject 9, ReleaseObject 10 and GetObjects
34 (several objects from one ray.get). A failed ray.get answers as
:func:`goray._ray.native2py.failures.failure_reply` says, an unknown id with code 4.

Tests: tests/python/test_arrays_scatter.py, tests/python/test_get_objects_lend.py
"""

from __future__ import annotations

import json
import struct
import time
from typing import Any, Dict, List, Optional, TypeGuard, cast

import ray
import ray.exceptions

from ... import _codec, _handlers, _stores
from ..._handlers import Handler, Reply
from ..._protocol import (ADDRESS_LENT, CANCEL_OBJECT_ID, GET_OBJECTS_AHEAD, GET_OBJECTS_LEND,
                          WAIT_ALL_READY, WAIT_NUM_RETURNS, WAIT_OBJECT_IDS, Code, FramingError,
                          Native2Py, pack_u64, unpack_u64)
from ..._stores import HELD_ITEM, LentBuffers, StoredObject
from ..cancellation import cancels, stream_cancels
from . import ahead as native2py_ahead
from ..streaming import generators
from ..values import objects, reads, scatter
from .store_entries import get_entry, new_object, not_an_object, release, released, unknown_id
from .failures import FailedSubmission, failure_reply

__all__ = ["HANDLERS"]


def _timeout(value: Any) -> Optional[float]:
    return None if value is None or value < 0 else value


def _get_object(data: memoryview) -> Reply:
    """GetObject (6): JSON ``[id, timeout, auto_release]``, with a 4th element 1 to
    ask for the value's large arrays lent (_lent_reply)."""
    request = json.loads(bytes(data))
    object_id, timeout, auto_release = int(request[0]), request[1], bool(request[2])
    lend = len(request) > 3 and request[3] == 1
    return _read_one(object_id, _timeout(timeout), auto_release, lend, guarded=False)


def _read_one(object_id: int, timeout: Optional[float], auto_release: bool, lend: bool,
              guarded: bool) -> Reply:
    """GetObject's answer for one id (also GetObjects' for a single id). `guarded`: a
    value that cannot be sent answers code 1 (GetObjects' entries) instead of raising."""
    try:
        stored = get_entry(object_id)
    except KeyError as error:
        return unknown_id(Code.OBJECT_REF_NOT_FOUND, error)
    if isinstance(stored, FailedSubmission):
        reply = stored.reply()
        if auto_release:
            release(object_id)
        return reply
    not_object = not_an_object(object_id, stored)
    if not_object is not None:
        return Code.FAILED, not_object.encode()
    try:
        value = _value_of(stored, timeout)
    except (ray.exceptions.GetTimeoutError, ray.exceptions.TaskCancelledError) as error:
        return failure_reply(error, f"object {object_id}", stored.label)
    except ray.exceptions.RayError as error:
        if auto_release:
            release(object_id)
        return failure_reply(error, f"object {object_id}", stored.label)
    if auto_release:
        release(object_id)
    if lend:
        return _lent_reply(object_id, value, stored.native)
    return (_guarded if guarded else _value_reply)(object_id, value, stored.native)


def _value_of(stored: StoredObject, timeout: Optional[float]) -> Any:
    """The value of a stored object as Ray gives it (a held stream item's bytes as
    they are: objects.held_value)."""
    if stored.native == HELD_ITEM:
        return objects.held_value(stored)
    return reads.get(stored.ref, timeout)


def _has_ref(entry: Any) -> TypeGuard[StoredObject]:
    """Whether an entry is an object whose value Ray has to give (not a failed
    submission, not a held stream item)."""
    return type(entry) is StoredObject and entry.native != HELD_ITEM


_NOTHING_LENT = pack_u64(0)


def _lent_reply(object_id: int, value: Any, native: int) -> Reply:
    """GetObject's reply to a lend request: ``u64 lent id`` + the value's block. A
    native block's large arrays (scattered, or top-level ext 71 of a contiguous one)
    are ext 72 lent at their data in the object store, kept alive by a new entry of
    the objects store (the lent id) until native code releases it: the reply holds
    no copy of them. Nothing to lend (no such array, refs inside, a Python value):
    lent id 0 and the reply GetObject gives without lending."""
    value = objects.from_raw_item(value, native)
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
            return Code.SUCCESS, b"".join((pack_u64(lent_id), *pieces))
    code, payload = _guarded(object_id, value, native)
    if code == Code.SUCCESS:
        return code, b"".join((_NOTHING_LENT, payload))
    return code, payload


def _value_reply(object_id: int, value: Any, native: int) -> Reply:
    """GetObject's reply for a value Ray returned (`native`: a native producer's)."""
    value = objects.from_raw_item(value, native)
    if value is None and native:  # a native producer's empty block (EMPTY_NATIVE_RESULT)
        return Code.SUCCESS, b""
    if type(value) is objects.NativeBlock:  # a native producer's bytes, verbatim
        # A view of the object store: the reply is read through the buffer protocol.
        return Code.SUCCESS, cast(bytes, value.native_data())  # refs inside registered here
    try:
        return Code.SUCCESS, _codec.pack(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise TypeError(f"object {object_id} cannot be sent to native code: "
                        f"{_codec.pack_failure(value, error)}") from None


def _guarded(object_id: int, value: Any, native: int) -> Reply:
    """As _value_reply, a value that cannot be sent being a code-1 reply."""
    try:
        return _value_reply(object_id, value, native)
    except TypeError as error:
        return Code.FAILED, _handlers.error_reply(error)


_GET_OBJECTS_HEAD = struct.Struct("<dI")
# GetObjects' flags byte: lend arrays (§10); the ids after the first are read ahead (§11).
_LEND = GET_OBJECTS_LEND
_AHEAD = GET_OBJECTS_AHEAD
_U64 = struct.Struct("<Q")
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
    flags = data[-1] if len(data) == 13 + 8 * count else 0
    lend = bool(flags & _LEND)
    if count == 1 or flags & _AHEAD:  # a runtime's single Get (and the ids it reads ahead)
        code, payload = _read_one(_U64.unpack_from(data, 12)[0], _timeout(timeout), False, lend,
                                  guarded=True)
        if code == Code.TIMEOUT or code == Code.OBJECT_REF_NOT_FOUND:
            return code, payload  # the request's own failures, as for several ids
        first = _ENTRY_HEAD.pack(code, len(payload))
        if count == 1:
            return Code.SUCCESS, b"".join((first, payload))
        ahead = native2py_ahead.ahead_entries(struct.unpack_from(f"<{count - 1}Q", data, 20))
        return Code.SUCCESS, b"".join((first, payload, ahead))
    ids = struct.unpack_from(f"<{count}Q", data, 12)
    try:
        entries = [get_entry(object_id) for object_id in ids]
    except KeyError as error:
        return unknown_id(Code.OBJECT_REF_NOT_FOUND, error)
    pending = [entry.ref for entry in entries if _has_ref(entry)]
    values: List[Any] = []
    failed = False
    wait = _timeout(timeout)
    deadline = None if wait is None else time.monotonic() + wait
    try:
        values = reads.get_many(pending, wait)
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
            code, payload = Code.FAILED, (not_an_object(object_id, entry) or "").encode()
        elif failed or entry.native == HELD_ITEM:  # read on its own (a held item: its bytes)
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
    return Code.SUCCESS, b"".join(pieces)


def _objects_timeout(count: int, error: BaseException) -> Reply:
    return Code.TIMEOUT, f"timed out waiting for {count} objects: {error}".encode()


def _entry_reply(object_id: int, stored: StoredObject, timeout: Optional[float],
                 lend: bool) -> Reply:
    """One object's GetObject reply after a ray.get of several failed (a timeout
    raises: it answers for the whole request); lent as GetObject lends with `lend`."""
    try:
        value = _value_of(stored, timeout)
    except ray.exceptions.GetTimeoutError:
        raise
    except ray.exceptions.RayError as error:
        return failure_reply(error, f"object {object_id}", stored.label)
    if lend:
        return _lent_reply(object_id, value, stored.native)
    return _guarded(object_id, value, stored.native)


def _put_object(data: memoryview) -> Reply:
    # Kept as the native bytes (GoRay returns them verbatim); Python readers decode.
    # Ray copies the view into its store before ray.put returns (once: out of band).
    return new_object(StoredObject(ray.put(objects.NativeBlock(data)), "", True))


def _wait_object(data: memoryview) -> Reply:
    """WaitObject (8); with WAIT_ALL_READY, the reply lists every ref ready once
    num_returns are (a failed submission counts as ready)."""
    request = json.loads(bytes(data))
    ids = [int(i) for i in request.pop(WAIT_OBJECT_IDS)]
    all_ready = bool(request.pop(WAIT_ALL_READY, False))
    try:
        entries = [get_entry(i) for i in ids]
    except KeyError as error:
        return unknown_id(Code.OBJECT_REF_NOT_FOUND, error)
    for object_id, entry in zip(ids, entries):
        not_object = not_an_object(object_id, entry)
        if not_object is not None:
            return Code.FAILED, not_object.encode()
    num_returns = int(request.pop(WAIT_NUM_RETURNS, 1))
    # Ready at once: a failed submission (its error), a held stream item (its value).
    failed = [i for i, entry in enumerate(entries) if not _has_ref(entry)]
    refs = [entry.ref for entry in entries if _has_ref(entry)]
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
                     if not _has_ref(entry) or id(entry.ref) in ready_set]
    if not all_ready and len(ready_indices) > num_returns:
        ready_indices = ready_indices[:num_returns]  # as ray.wait: num_returns, no more
    chosen = set(ready_indices)
    pending_indices = [i for i in range(len(entries)) if i not in chosen]
    return Code.SUCCESS, json.dumps([ready_indices, pending_indices]).encode()


def _cancel_object(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    object_id = int(request.pop(CANCEL_OBJECT_ID))
    try:
        entry: Any = get_entry(object_id)
    except KeyError as error:
        return unknown_id(Code.OBJECT_REF_NOT_FOUND, error)
    if _has_ref(entry):  # a failed submission, a held item: nothing to cancel
        cancels.cancel(entry.ref, **request)
    elif type(entry) is generators.StoredStream:  # the generator task, as ray.cancel(gen)
        stream_cancels.cancel(entry.generator, **request)
    elif type(entry) is LentBuffers:
        return Code.FAILED, entry.error(object_id).encode()
    return Code.SUCCESS, b""


def _release_object(data: memoryview) -> Reply:
    object_id = unpack_u64(data)
    try:
        entry = _stores.objects.pop(object_id)
    except KeyError as error:
        return unknown_id(Code.OBJECT_REF_NOT_FOUND, error)
    released(object_id, entry)
    return Code.SUCCESS, b""


#: The commands this module serves.
HANDLERS: Dict[Native2Py, Handler] = {
    Native2Py.GET_OBJECT: _get_object,
    Native2Py.PUT_OBJECT: _put_object,
    Native2Py.WAIT_OBJECT: _wait_object,
    Native2Py.CANCEL_OBJECT: _cancel_object,
    Native2Py.RELEASE_OBJECT: _release_object,
    Native2Py.GET_OBJECTS: _get_objects,
}
