"""GetObjects (Native2Py 34) lends as GetObject does, without Ray running (docs/protocol.md
§10, "Arrays out of band"; §11 GetObjects): with the request's flags byte 1 each code-0
entry starts with its own lent id (a LentBuffers entry of the objects store holding the
value) and its large arrays are ext 72 lent in place; without it, the entries are
today's bytes."""

import struct

import msgpack
import numpy as np
import pytest
import ray

from goray import _arrays, _codec, _stores
from goray._protocol import ADDRESS_LENT, FramingError, pack_u64
from goray._ray.native2py import failures as native2py_failures, object_commands
from goray._ray.values import scatter
from goray._ray.values.objects import NativeBlock
from goray._stores import LentBuffers, StoredObject

BIG = 1 << 16  # float64 elements: 512 KiB, over the out-of-band size
A = np.arange(BIG, dtype=np.float64)
B = np.arange(BIG, dtype=np.float64) * 3

FIRST, SECOND, PYTHON, FAILED = 101, 102, 103, 104


def inline(*values):
    return b"".join(_codec.pack_args("T", list(values), _arrays.INLINE))


def aligned(data):
    """A 64-byte aligned memoryview holding `data` (as the object store's buffers are)."""
    memory = np.empty(len(data) + 64, dtype=np.uint8)
    start = -memory.ctypes.data % 64
    out = memory[start:start + len(data)]
    out[:] = np.frombuffer(data, dtype=np.uint8)
    return memoryview(out)


def scattered_block(arr, after):
    """A native result stored scattered: `arr` then `after`, arr's data apart."""
    block = inline(arr, after)
    at = block.index(arr.tobytes())
    compact = block[:at] + block[at + arr.nbytes:]
    segments = scatter.split(compact, [at])
    return block, NativeBlock.scattered(segments, [aligned(arr.tobytes())], 2)


def contiguous_block(*values):
    """A native result read back as one contiguous buffer whose array data is aligned."""
    block = inline(*values)
    view = aligned(bytes(64) + block)[64:]
    return block, NativeBlock(view)


def ext72s(payload):
    """(flags, address) of each ext 72 in a block."""
    found = []

    def hook(code, data):
        if code == 72:
            ndim, flags = data[2], data[3]
            address, _token = struct.unpack_from("<QQ", data, 4 + 8 * ndim)
            found.append((flags, address))
        return msgpack.ExtType(code, data)

    unpacker = msgpack.Unpacker(ext_hook=hook, strict_map_key=False)
    unpacker.feed(bytes(payload))
    list(unpacker)
    return found


def entries_of(reply):
    entries, at = [], 0
    while at < len(reply):
        code, length = struct.unpack_from("<IQ", reply, at)
        at += 12
        entries.append((code, bytes(reply[at:at + length])))
        at += length
    return entries


def request(ids, flags=None):
    payload = struct.pack("<dI", -1.0, len(ids)) + struct.pack(f"<{len(ids)}Q", *ids)
    return memoryview(payload if flags is None else payload + bytes([flags]))


@pytest.fixture
def stored(monkeypatch):
    """Four ids in a fresh objects store: a scattered native result, a contiguous one,
    a Python value and a failed submission; ray.get answers from `values`."""
    monkeypatch.setattr(_stores, "objects", _stores.IdStore("object ref"))
    first_block, first = scattered_block(A, "after")
    second_block, second = contiguous_block(7, B)
    values = {"first": first, "second": second, "python": 42}
    _stores.objects.put(FIRST, StoredObject("first", "Twice", True))
    _stores.objects.put(SECOND, StoredObject("second", "Twice", True))
    _stores.objects.put(PYTHON, StoredObject("python", "py", False))
    _stores.objects.put(FAILED, native2py_failures.FailedSubmission("Bad", b"goray.GorayError: no"))
    gets = []

    def fake_get(refs, timeout=None):
        gets.append(refs)
        if isinstance(refs, list):
            return [values[ref] for ref in refs]
        return values[refs]

    monkeypatch.setattr(ray, "get", fake_get)

    monkeypatch.setenv("GORAY_RAY_INTERNALS", "0")  # reads.get_many takes ray.get, faked
    return {"first": (first_block, first), "second": (second_block, second), "gets": gets}


def test_with_the_flag_each_code0_entry_starts_with_its_own_lent_id(stored):
    code, reply = object_commands._get_objects(request([FIRST, SECOND, PYTHON, FAILED], flags=1))
    assert code == 0
    (c1, e1), (c2, e2), (c3, e3), (c4, e4) = entries_of(reply)
    assert (c1, c2, c3) == (0, 0, 0)
    lent1, lent2 = struct.unpack_from("<Q", e1)[0], struct.unpack_from("<Q", e2)[0]
    assert 0 not in (lent1, lent2) and lent1 != lent2
    # Each lent id is an entry of its own, holding its value (the object store's buffers).
    held1, held2 = _stores.objects.get(lent1), _stores.objects.get(lent2)
    assert type(held1) is LentBuffers and held1.holds is stored["first"][1] and held1.source == FIRST
    assert type(held2) is LentBuffers and held2.holds is stored["second"][1] and held2.source == SECOND
    # The arrays are not in the reply: ext 72 lent at their data in the store.
    assert len(e1) < 200 and len(e2) < 200
    assert ext72s(e1[8:]) == [(ADDRESS_LENT, scatter.address_of(stored["first"][1].datas[0]))]
    second_view = stored["second"][1].data
    start = bytes(second_view).index(B.tobytes())
    assert ext72s(e2[8:]) == [(ADDRESS_LENT, scatter.address_of(second_view) + start)]
    # Nothing to lend: lent id 0, then the usual bytes; a failure has no prefix.
    assert e3 == pack_u64(0) + msgpack.packb(42)
    assert (c4, e4) == (1, b"goray.GorayError: no")
    # Releasing one entry's lent id leaves the other's.
    assert object_commands._release_object(memoryview(pack_u64(lent1))) == (0, b"")
    assert lent1 not in _stores.objects._items and lent2 in _stores.objects._items
    assert len(stored["gets"]) == 1  # one ray.get of the three real refs


def test_without_the_flag_the_entries_are_todays_bytes(stored):
    before = len(_stores.objects)
    code, reply = object_commands._get_objects(request([FIRST, SECOND, PYTHON, FAILED]))
    assert code == 0
    assert entries_of(reply) == [
        (0, stored["first"][0]),  # the scattered value joined: the arrays inline
        (0, stored["second"][0]),
        (0, msgpack.packb(42)),
        (1, b"goray.GorayError: no"),
    ]
    code, reply = object_commands._get_objects(request([FIRST], flags=0))  # flags 0: the same
    assert entries_of(reply) == [(0, stored["first"][0])]
    assert len(_stores.objects) == before  # nothing lent


@pytest.fixture
def batch_fails(stored, monkeypatch):
    """ray.get of a list fails (Ray stops at a failure); one ref at a time answers."""
    def failing_get(refs, timeout=None):
        if isinstance(refs, list):
            raise ray.exceptions.RaySystemError("boom")
        return {"first": stored["first"][1], "python": 42}[refs]

    monkeypatch.setattr(ray, "get", failing_get)

    monkeypatch.setenv("GORAY_RAY_INTERNALS", "0")  # reads.get_many takes ray.get, faked
    return stored


def test_entries_read_one_by_one_after_a_failure_still_lend(batch_fails):
    # Each entry is read on its own, and lent as in a batch that did not fail.
    stored = batch_fails
    code, reply = object_commands._get_objects(request([FIRST, PYTHON], flags=1))
    assert code == 0
    (c1, e1), (c2, e2) = entries_of(reply)
    assert (c1, c2) == (0, 0)
    lent = struct.unpack_from("<Q", e1)[0]
    held = _stores.objects.get(lent)
    assert type(held) is LentBuffers and held.holds is stored["first"][1] and held.source == FIRST
    assert ext72s(e1[8:]) == [(ADDRESS_LENT, scatter.address_of(stored["first"][1].datas[0]))]
    assert e2 == pack_u64(0) + msgpack.packb(42)  # a Python value: nothing to lend


def test_without_the_flag_entries_read_after_a_failure_are_todays_bytes(batch_fails):
    stored, before = batch_fails, len(_stores.objects)
    code, reply = object_commands._get_objects(request([FIRST, PYTHON]))
    assert code == 0
    assert entries_of(reply) == [(0, stored["first"][0]), (0, msgpack.packb(42))]
    assert len(_stores.objects) == before


def test_the_flags_byte_is_one_byte_at_most(stored):
    with pytest.raises(FramingError, match=r"1 ids need 20 bytes, got 22 \(one more: the flags byte\)"):
        object_commands._get_objects(memoryview(bytes(request([FIRST], flags=1)) + b"\0"))
