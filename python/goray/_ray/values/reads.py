"""ray.get for the driver's native readers (GetObject, GetObjects, NextStreamRef's
inline values), with the values Ray stores without pickle read below its public API.

Ray's ``ray.get`` of a ready object costs about 14 us in a driver, of which its
core worker's read is under 2: the rest is the Python layer that turns the stored
bytes back into a value. Native readers mostly read values that layer does nothing
for: a void result (msgpack nil), a native stream's small item (Ray's RAW bytes), a
Python producer's plain value (msgpack, "XLANG"). Those are decoded here as Ray's
deserializer decodes them (its layout's length header read here, then msgpack's own
reader with Ray's options: a tenth of the cost of Ray's splitter and loads, which wrap
the same reader in Python-level calls); every other object
(pickled, an error, an actor handle, a tensor, a debugger mark) is read by ray.get,
which then only deserializes it, so its errors and their forms stay Ray's own.

The core worker's read is called as this Ray's Worker.get_objects calls it
(goray._ray.compat.internals: 2.40 passes the current task's id too), and what it returns is
read by position, (data, metadata) or, from 2.48, (data, metadata, tensor transport).
Where this Ray's call is not one goray knows, under Ray Client, or with
GORAY_RAY_INTERNALS=0, every read is ray.get.

Tests: tests/python/test_reads_decode.py, tests/ray/test_reads.py
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, List, Optional

import msgpack  # type: ignore[import-untyped]
import ray

from ..compat import internals

__all__ = ["get", "get_many", "fast_reads"]

_XLANG = b"XLANG"
_RAW = b"RAW"
_HEADER = 9  # Ray's kMessagePackOffset: the msgpack part's length, as msgpack
#: The header's length forms past a positive fixint (its unused bytes are not set).
_LENGTH_FORMS: Dict[int, struct.Struct] = {
    0xCC: struct.Struct(">B"), 0xCD: struct.Struct(">H"), 0xCE: struct.Struct(">I"),
    0xCF: struct.Struct(">Q"),
}


def _msgpack_length(view: memoryview) -> int:
    """The length in the header of Ray's layout (header, msgpack, pickle5's part);
    -1 when it is not one msgpack unsigned int."""
    first = view[0]
    if first < 0x80:
        return first
    form = _LENGTH_FORMS.get(first)
    return form.unpack_from(view, 1)[0] if form is not None else -1


def _no_python_objects(code: int, data: bytes) -> Any:
    """XLANG data holds no ext values (Ray's python objects are ext entries of PYTHON
    data): one here means the object is not what its metadata says, which ray.get then
    reports as Ray does."""
    raise LookupError(code)


def _load() -> Optional[Callable[..., Any]]:
    """The decoder of one serialized object for the fast path, or None."""
    if internals.get_objects_order() is None:
        return None
    global _client_mode
    _client_mode = internals.client_mode()
    unpackb = msgpack.unpackb

    def decode(serialized: Any) -> Any:
        # (data, metadata) before 2.48, (data, metadata, tensor transport) since.
        if len(serialized) > 2 and serialized[2] is not None:
            return _SLOW
        data, metadata = serialized[0], serialized[1]
        if data is None:
            return b"" if metadata == _RAW else _SLOW  # as Ray reads an empty RAW object
        if metadata == _XLANG:
            view = memoryview(data)
            # Only the msgpack part: XLANG data has no pickle5 part after it.
            if len(view) <= _HEADER or _HEADER + _msgpack_length(view) != len(view):
                return _SLOW
            try:
                return unpackb(view[_HEADER:], raw=False, strict_map_key=False,
                               ext_hook=_no_python_objects)
            except Exception:  # noqa: BLE001 - ray.get raises Ray's DeserializationError
                return _SLOW
        if metadata == _RAW:
            return data.to_pybytes()
        return _SLOW
    return decode


_SLOW = object()  # decode's "ray.get reads this one"
_client_mode: Callable[[], bool] = lambda: True
_DECODE = _load()


def fast_reads() -> bool:
    """True when reads take the fast path (read at each call, so tests can switch it)."""
    return _DECODE is not None and internals.speed_paths_on() and not _client_mode()


def get_many(refs: List[Any], timeout: Optional[float]) -> List[Any]:
    """ray.get(refs, timeout=timeout): the same values, the same errors."""
    if not refs or not fast_reads():
        return ray.get(refs, timeout=timeout)
    return _read(refs, timeout)


def get(ref: Any, timeout: Optional[float]) -> Any:
    """ray.get(ref, timeout=timeout)."""
    if not fast_reads():
        return ray.get(ref, timeout=timeout)
    return _read([ref], timeout)[0]


#: What the core worker's read raises when a ref is not ready within its timeout.
_NOT_READY = "Get timed out: some object(s) not ready."


def _all_here(core_worker: Any, refs: List[Any]) -> bool:
    """Whether every ref's object is in this process or its node's store (0.25 us
    each, asked of the core worker; True when it cannot be asked)."""
    exists = internals.object_exists(core_worker)
    return exists is None or all(exists(ref) for ref in refs)


def _get_objects(worker: Any, refs: List[Any], timeout_ms: int) -> List[Any]:
    """core_worker.get_objects of `refs`, with the arguments in this Ray's order."""
    order = _ORDER
    assert order is not None  # (reads take this path only when it is known)
    if order == _REFS_TIMEOUT:
        return worker.core_worker.get_objects(refs, timeout_ms)
    values = {"refs": refs, "timeout_ms": timeout_ms, "task_id": worker.current_task_id}
    return worker.core_worker.get_objects(*(values[key] for key in order))


_REFS_TIMEOUT = ("refs", "timeout_ms")
_ORDER = internals.get_objects_order()


def _read(refs: List[Any], timeout: Optional[float]) -> List[Any]:
    assert _DECODE is not None
    worker = internals.global_worker()
    worker.check_connected()
    core_worker: Any = worker.core_worker
    timeout_ms = int(timeout * 1000) if timeout is not None and timeout != -1 else -1
    if timeout_ms == 0 and not _all_here(core_worker, refs):
        # Ray's read at timeout 0 costs 90 us to say so (a driver reading ahead asks it
        # of results mostly still running); its error, as it raises it.
        raise ray.exceptions.GetTimeoutError(_NOT_READY)
    # Waits as ray.get waits (GetTimeoutError, with Ray's text, when it runs out).
    serialized = _get_objects(worker, refs, timeout_ms)
    values = [_DECODE(one) for one in serialized]
    if _SLOW in values:
        slow = [index for index, value in enumerate(values) if value is _SLOW]
        # Ready now: ray.get only deserializes them. It raises the first error among
        # them, which is the first of the whole list, as ray.get of it would: errors
        # are never XLANG or RAW.
        for index, value in zip(slow, ray.get([refs[index] for index in slow])):
            values[index] = value
    return values
