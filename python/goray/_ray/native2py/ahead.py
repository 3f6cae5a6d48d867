"""Reading ahead for single Gets (GetObjects 34 with flag 2, docs/protocol.md §11): a
runtime with EnableFeatures bit 8 names, after the id its program asked for, live refs
made after it; the driver answers each of those whose value is already in this process
and small, as GetObject would (never lent), and the runtime keeps it for that ref's
first Get. A program that Gets its refs one by one then makes one trip per batch of
them instead of one per ref.

Tests: tests/ray/test_submit_batch_ray.py
"""

from __future__ import annotations

import struct
from typing import Any, List, Optional, Sequence

import ray.exceptions

from ... import _codec, _stores
from ..._protocol import Buffer, Code
from ..._stores import HELD_ITEM, StoredObject
from ..values import objects, reads

__all__ = ["AHEAD_UP_TO", "AHEAD_BYTES", "value_form", "ahead_entries"]

#: The largest value sent ahead, and the most bytes of them in one answer.
AHEAD_UP_TO = 64 * 1024
AHEAD_BYTES = 1024 * 1024

_ENTRY_HEAD = struct.Struct("<IQ")
_NOT_SENT = _ENTRY_HEAD.pack(int(Code.TIMEOUT), 0)  # left for the ref's own Get
_PLAIN = (int, float, bool, str, bytes, type(None))


def value_form(value: Any, native: int, up_to: int) -> Optional[Buffer]:
    """What GetObject replies for `value` (read from a ref whose entry says `native`),
    when it is at most `up_to` bytes and holds no refs or actor handles (their ids would
    be registered for a value the program may never read); None otherwise."""
    value = objects.from_raw_item(value, native)
    if value is None and native:  # a native producer's empty block (a void result)
        return b""
    if type(value) is objects.NativeBlock:
        if value.refs or value.actors or value.size > up_to:
            return None
        return value.data
    if type(value) not in _PLAIN or (type(value) in (str, bytes) and len(value) > up_to):
        return None
    return _codec.pack(value)


def ahead_entries(ids: Sequence[int]) -> bytes:
    """GetObjects' entries for the ids read ahead: code 0 and GetObject's reply for
    each one sent, code 2 and nothing for each left to its own Get (unknown, not an
    object, an error, too large, holding refs, not ready). They are read in order and
    the first one not ready ends the reading (results mostly come in the order they
    were asked for, and the next Get names the rest again), so a Get whose later refs
    are still running pays one look, not one per ref."""
    pieces: List[Buffer] = []
    budget = AHEAD_BYTES
    for done, object_id in enumerate(ids):
        form = None
        try:
            entry = _stores.objects.get(object_id)
        except KeyError:  # released meanwhile, or never the driver's (a lost submission)
            entry = None
        if type(entry) is StoredObject and entry.native != HELD_ITEM:
            try:
                form = value_form(reads.get(entry.ref, 0), entry.native, min(AHEAD_UP_TO, budget))
            except ray.exceptions.GetTimeoutError:  # not ready: nor, likely, those after it
                pieces += [_NOT_SENT] * (len(ids) - done)
                break
            except ray.exceptions.RayError:  # an error: left to its own Get
                form = None
        if form is None:
            pieces.append(_NOT_SENT)
            continue
        budget -= len(form)
        pieces += (_ENTRY_HEAD.pack(int(Code.SUCCESS), len(form)), form)
    return b"".join(pieces)
