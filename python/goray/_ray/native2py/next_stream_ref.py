"""NextStreamRef (Native2Py 36, docs/protocol.md §13): a native caller's stream
(a StoredStream in the objects store) gives its next item's ref as a new object id;
with flag 1 the item's value comes inline when it is already here and small, and
with flag 2 (a goray extension of 36) every item the generator produced after it
comes in the same reply, so a consumer that fell behind catches up in one trip.
Ray's ObjectRefGenerator is read with its own _next_sync, and asked whether more is
there through its core worker's stream (_ready_after). A native producer's grouped
stream (value_groups.NativeFrames) is read object by object: a group's small items are
handed out one by one, each a HELD_ITEM entry, each item once and in order also when Ray
ran the generator again (value_groups.ItemOrder); the items not handed out yet wait in
the stream's entry.

Tests: tests/ray/test_streams_cpp.py
"""

from __future__ import annotations

import struct
from typing import Any, Dict, List, Optional, Tuple

import ray.exceptions

from ... import _handlers, _stores
from ..._handlers import Handler, Reply
from ..._protocol import (NEXT_STREAM_REF_ALL_READY, NEXT_STREAM_REF_WITH_VALUE, STREAM_BATCH,
                          STREAM_ITEM, Buffer, Code, Native2Py, pack_u64)
from ..._stores import HELD_ITEM, RAW_ITEMS
from ...errors import GorayError
from ..streaming import stream_waits
from ..values import reads
from .ahead import value_form
from ..streaming.generators import StoredStream

__all__ = ["HANDLERS", "WITH_VALUE", "ALL_READY", "INLINE_UP_TO", "BATCH_ITEMS", "BATCH_BYTES",
           "next_stream_ref"]

_NEXT = struct.Struct("<Qd")
_NEXT_FLAGS = struct.Struct("<QdQ")

#: NextStreamRef's flag asking for the item's value in the reply when it is ready.
WITH_VALUE = NEXT_STREAM_REF_WITH_VALUE
#: NextStreamRef's flag asking for every item already produced after the next one
#: (the batch form of the reply).
ALL_READY = NEXT_STREAM_REF_ALL_READY
#: The largest value sent inline (a larger one is read with GetObject, as before).
INLINE_UP_TO = 64 * 1024
#: A batch reply stops at this many items, or once its inline values reach
#: BATCH_BYTES; the rest wait for the next request.
BATCH_ITEMS = 1024
BATCH_BYTES = 1024 * 1024

_INLINE_TAG = bytes((STREAM_ITEM,))
_BATCH_TAG = bytes((STREAM_BATCH,))
_BATCH_HEAD = struct.Struct("<IB")  # item count, ended
_ENTRY_HEAD = struct.Struct("<QI")  # object id, inline value length (0: none)


def _item_native(entry: StoredStream) -> int:
    """StoredObject.native of the stream's items: a native producer's may be bytes."""
    return RAW_ITEMS if entry.native else False


def _inline_form(value: Any, native: int) -> Optional[Buffer]:
    """A value already read as GetObject would reply it, when it is small and holds
    no refs or actor handles; None otherwise (and for an empty one: length 0 says
    "none" in a batch): the caller asks GetObject."""
    form = value_form(value, native, INLINE_UP_TO)
    return form if form else None


def _inline_value(ref: Any, native: int) -> Optional[Buffer]:
    """The item's inline form when its value is already in this process."""
    try:
        value = reads.get(ref, 0)
    except Exception:  # noqa: BLE001 - not ready, or the item is an error: GetObject says
        return None
    return _inline_form(value, native)


class _Read:
    """A native producer's item whose value was read to see whether it is a group."""

    __slots__ = ("ref", "value")

    def __init__(self, ref: Any, value: Any) -> None:
        self.ref = ref
        self.value = value


#: What NextStreamRef hands out for one item: a ref, a _Read, or a held item's bytes.
_Item = Any


def _items_of(entry: StoredStream, ref: Any) -> List[_Item]:
    """The items behind one of the generator's refs to hand out: in a grouped stream,
    a group's items not handed out before (small ones as their bytes: held items;
    others, which came in a group after the stream's first group, as a ref made here)
    or the item sent alone as itself (a _Read, its value read), or none (an item handed
    out before, the end mark); else the ref itself."""
    order = entry.order
    if order is None:
        return [ref]
    index = entry.objects_read
    entry.objects_read += 1
    try:
        # Waited for: a group is normally here already (Ray sends it inline with its
        # report), but never given out as one item (under a smaller inline limit it is
        # in Ray's store, maybe on another node).
        value = reads.get(ref, None)
    except ray.exceptions.RayError:  # the item is an error, the stream's last: as it is
        order.ended = True
        return [ref]
    if type(value) is list:  # a group: a NativeBlock in it gets a ref of its own here
        return [item if type(item) is bytes else _Read(ray.put(item), item)
                for item in order.take(value)]
    return [_Read(ref, value)] if order.take_alone(index) else []


def _next_items(entry: StoredStream, stream_id: int, timeout: float) -> Optional[Reply]:
    """Items into entry.held until there is one (the generator's next objects, waited
    for up to `timeout` each); None then, else the reply that ends the request: the end
    of the stream, a timeout, or a grouped stream's lost items. Holds entry.lock."""
    order = entry.order
    while not entry.held:
        if order is not None and order.failure is not None:
            return _lost(GorayError(order.failure))
        if order is not None and order.ended:
            return Code.SUCCESS, b""
        try:
            ref = stream_waits.next_item(entry.generator, timeout)
        except StopIteration:
            return _ended(entry)
        if ref.is_nil():
            return Code.TIMEOUT, (f"timed out after {timeout:g} s waiting for the next item of "
                                  f"stream {stream_id} ({entry.label})").encode()
        try:
            entry.held.extend(_items_of(entry, ref))
        except GorayError as lost:
            return _lost(lost)
    return None


def _lost(error: GorayError) -> Reply:
    """A grouped stream's lost items (value_groups.ItemOrder), as the structured failure
    the runtime throws (goray::PythonError of goray.errors.GorayError)."""
    return Code.FAILED, _handlers.error_reply(error)


def _ended(entry: StoredStream) -> Reply:
    """What NextStreamRef answers at the end of Ray's stream: the end, or the items a
    grouped stream lost (value_groups.ItemOrder.finish)."""
    if entry.order is not None:
        try:
            entry.order.finish()
        except GorayError as lost:
            return _lost(lost)
    return Code.SUCCESS, b""


def _stored(entry: StoredStream, item: _Item, native: int) -> _stores.StoredObject:
    if type(item) is bytes:
        return _stores.StoredObject(item, entry.label, HELD_ITEM)
    return _stores.StoredObject(item.ref if type(item) is _Read else item, entry.label, native)


def _inline_of(item: _Item, native: int) -> Optional[Buffer]:
    """An item's inline form (see _inline_form)."""
    if type(item) is bytes:
        return _inline_form(item, HELD_ITEM)
    if type(item) is _Read:
        return _inline_form(item.value, native)
    return _inline_value(item, native)


def _inline_values(refs: List[Any], native: int) -> List[Optional[Buffer]]:
    """The inline forms of several items: one ray.get when every value is here,
    else item by item (an error item, or one not ready, has none)."""
    try:
        values = reads.get_many(refs, 0)
    except Exception:  # noqa: BLE001 - one is an error or not ready: each on its own
        return [_inline_value(ref, native) for ref in refs]
    return [_inline_form(value, native) for value in values]


def _parse(data: memoryview) -> Tuple[int, float, int]:
    if len(data) == _NEXT.size:
        stream_id, timeout = _NEXT.unpack_from(data)
        return stream_id, timeout, 0
    if len(data) == _NEXT_FLAGS.size:
        return _NEXT_FLAGS.unpack_from(data)  # type: ignore[return-value]
    raise ValueError(f"NextStreamRef: a request is 16 bytes (u64 stream id, f64 timeout) "
                     f"or 24 (and u64 flags), got {len(data)}")


def _ready_after(entry: StoredStream) -> Tuple[List[_Item], bool]:
    """The items already produced (up to BATCH_ITEMS - 1: held ones first, then taken
    from the generator), and whether the stream ended after them. Holds entry.lock.

    Each produced item is read with one call (stream_waits.produced_reader, which
    gives a nil ref when the next item is not there yet, where Ray's next_ready makes
    a ray.wait that costs over 100 us); the end of the stream goes through Ray's own
    _next_sync. A Ray whose internals differ gets one item per reply."""
    read = stream_waits.produced_reader(entry.generator)
    if read is None:
        return [], False
    held = entry.held
    items: List[_Item] = []
    while held and len(items) < BATCH_ITEMS - 1:
        items.append(held.popleft())
    order = entry.order
    while len(items) < BATCH_ITEMS - 1 and not held:
        if order is not None and order.ended:
            return items, True
        try:
            ref = read()
        except StopIteration:
            # A grouped stream that lost items says so to the next request, after these.
            return items, _ended(entry)[0] == Code.SUCCESS
        if ref.is_nil():
            return items, False  # the next item is not produced yet
        try:
            _add_items(entry, ref, items)
        except GorayError:  # items lost (order.failure): the next request says which
            return items, False
    return items, False


def _add_items(entry: StoredStream, ref: Any, items: List[_Item]) -> None:
    """The items behind `ref` appended to `items` up to BATCH_ITEMS - 1, the rest held."""
    more = _items_of(entry, ref)
    room = BATCH_ITEMS - 1 - len(items)
    items += more[:room]
    entry.held.extend(more[room:])


def _batch_reply(entry: StoredStream, items: List[_Item], ended: bool, with_value: bool) -> bytes:
    """`id0, 02, u32 count, u8 ended`, then per item `u64 id, u32 value length (0:
    none), value`. Items past BATCH_BYTES of values go in without theirs."""
    native = _item_native(entry)
    values: List[Optional[Buffer]]
    if not with_value:
        values = [None] * len(items)
    elif entry.grouped:
        values = [_inline_of(item, native) for item in items]
    else:  # refs only, read with one ray.get
        values = _inline_values(items, native)
    objects = _stores.objects
    pieces: List[Buffer] = []
    budget = BATCH_BYTES
    first = 0
    for item, value in zip(items, values):
        object_id = objects.add(_stored(entry, item, native))
        if not first:
            first = object_id
        if value is not None and len(value) <= budget:
            budget -= len(value)
            pieces += (_ENTRY_HEAD.pack(object_id, len(value)), value)
        else:
            pieces.append(_ENTRY_HEAD.pack(object_id, 0))
    head = (pack_u64(first), _BATCH_TAG, _BATCH_HEAD.pack(len(items), int(ended)))
    return b"".join((*head, *pieces))


def next_stream_ref(data: memoryview) -> Reply:
    """NextStreamRef (Native2Py 36): `u64 stream id, f64 timeout (< 0: forever)` and
    optionally `u64 flags` -> the next item's new object id (8 bytes), with the
    item's value after a tag byte 01 when the flags asked for it (WITH_VALUE) and it
    could be inlined; with ALL_READY, the batch form (tag 02) holding that item and
    every one produced after it; nothing at the end of the stream. Code 2 on timeout,
    4 for an unknown id, 1 for an id that is no stream."""
    try:
        stream_id, timeout, flags = _parse(data)
    except ValueError as error:
        return Code.FAILED, str(error).encode()
    try:
        entry = _stores.objects.get(stream_id)
    except KeyError as error:
        return Code.OBJECT_REF_NOT_FOUND, str(error).strip("'\"").encode()
    if type(entry) is not StoredStream:
        return Code.FAILED, f"object {stream_id} is not a stream (NextStreamRef iterates streams)".encode()
    with entry.lock:
        stopped = _next_items(entry, stream_id, timeout)
        if stopped is not None:
            return stopped
        item = entry.held.popleft()
        if flags & ALL_READY:
            more, ended = _ready_after(entry)
            return Code.SUCCESS, _batch_reply(entry, [item, *more], ended, bool(flags & WITH_VALUE))
        native = _item_native(entry)
        reply = pack_u64(_stores.objects.add(_stored(entry, item, native)))  # ids in stream order
    if flags & WITH_VALUE:
        value = _inline_of(item, native)
        if value is not None:
            return Code.SUCCESS, b"".join((reply, _INLINE_TAG, value))
    return Code.SUCCESS, reply


#: The commands this module serves.
HANDLERS: Dict[Native2Py, Handler] = {
    Native2Py.NEXT_STREAM_REF: next_stream_ref,
}
