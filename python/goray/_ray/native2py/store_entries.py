"""The objects store's entries by the ids native code holds (docs/protocol.md §2):
a stored object, a stream, lent memory, or a pipelined submission that failed.
Reading an id as an object (an argument, a ref waited on), releasing one, and the
replies for a new id and for an id the store does not hold.

Tests: tests/python/test_arrays_scatter.py, tests/ray/test_cancel_stress.py
"""

from __future__ import annotations

import logging
from typing import Any, Optional, Union

from ... import _stores
from ..._handlers import Reply
from ..._protocol import Code, pack_u64
from ..._stores import LentBuffers, StoredObject
from ...errors import GorayError
from ..streaming import generators
from ..values import objects
from .failures import FailedSubmission

__all__ = ["Entry", "get_entry", "stored_object", "not_an_object", "new_object", "unknown_id",
           "release", "released"]

_log = logging.getLogger("goray")

Entry = Union[StoredObject, FailedSubmission]


def get_entry(object_id: int) -> Entry:
    """The entry of an id (KeyError for an id the store does not hold)."""
    return _stores.objects.get(object_id)  # type: ignore[return-value]


def stored_object(object_id: int) -> StoredObject:
    """The stored object of an id used as an argument or waited on (a native
    stream's item with a ref that holds its NativeBlock: objects.escaped); a failed
    submission's id raises its error (what used it fails the same way)."""
    stored = _stores.objects.get(object_id)
    not_object = not_an_object(object_id, stored)
    if not_object is not None:
        raise GorayError(not_object)
    if type(stored) is FailedSubmission:
        stored.read = True
        first = stored.text.decode("utf-8", errors="replace").split("\n", 1)[0]
        raise GorayError(f"object {object_id} is the result of a submission of {stored.label} "
                         f"that failed: {first}")
    return objects.escaped(object_id, stored)  # type: ignore[arg-type]


def not_an_object(object_id: int, entry: Any) -> Optional[str]:
    """Why an entry of the objects store cannot be read or used as an object (a
    stream, lent memory), or None."""
    if type(entry) is generators.StoredStream:
        return generators.stream_error(object_id)
    if type(entry) is LentBuffers:
        return entry.error(object_id)
    return None


def new_object(stored: Union[StoredObject, "generators.StoredStream"]) -> Reply:
    """The reply naming a new entry: its id."""
    return Code.SUCCESS, pack_u64(_stores.objects.add(stored))


def unknown_id(code: Code, error: KeyError) -> Reply:
    """The reply for an id a store does not hold (KeyError's text without its quotes)."""
    return code, str(error).strip("'\"").encode()


def release(object_id: int) -> None:
    """Forgets an id (an auto-released argument, a value read once); an unknown id is
    ignored."""
    try:
        entry = _stores.objects.pop(object_id)
    except KeyError:
        return
    released(object_id, entry)


def released(object_id: int, entry: Any) -> None:
    """A failed submission released before anything read it is logged, not lost."""
    if type(entry) is FailedSubmission and not entry.read:
        first = entry.text.decode("utf-8", errors="replace").split("\n", 1)[0]
        _log.warning("goray: the submission of %s (object %d) failed and its result was "
                     "released unread: %s", entry.label, object_id, first)
