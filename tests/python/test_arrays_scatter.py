"""Arrays out of band on the driver side, without Ray running (docs/protocol.md §10,
"Arrays out of band"): scattered blocks built by hand as the runtime writes them
(compact block + table), pickled with their data out of band, handed to a native
callee as ext 72 borrowed at the data's address, read from a 43/44 reply (buffers
adopted and released), and lent by GetObject."""

import ctypes
import gc
import json
import pickle
import struct

import msgpack
import numpy as np
import pytest

from goray import _arrays, _codec, _stores
from goray._protocol import (ADDRESS_BORROWED, ADDRESS_LENT, Feature, FramingError, Py2Native,
                             pack_u64, pack_units, unpack_units)
from goray._ray.native2py import calls as native2py_calls
from goray._ray.native2py import store_entries
from goray._ray.native2py import object_commands
from goray._ray.submission import features
from goray._ray.values import objects, scatter
from goray._ray.worker import bodies
from goray._ray.values.objects import NativeBlock, Scattered

BIG = 1 << 16  # float64 elements: 512 KiB each


def inline(*values):
    return b"".join(_codec.pack_args("T", list(values), _arrays.INLINE))


def scattered_parts(block, arrays):
    """(compact block, [(offset, data)]) of an inline block holding `arrays` (each at
    least 64 KiB), as the runtime's scatter encoding leaves them out."""
    compact = bytearray()
    done = 0
    entries = []
    for arr in arrays:
        data = arr.tobytes()
        at = block.index(data, done)
        compact += block[done:at]
        entries.append((len(compact), data))
        done = at + len(data)
    compact += block[done:]
    return bytes(compact), entries


def aligned_copy(data):
    """A 64-byte aligned ndarray holding `data`, and its address."""
    memory = np.empty(len(data) + 64, dtype=np.uint8)
    start = -memory.ctypes.data % 64
    out = memory[start:start + len(data)]
    out[:] = np.frombuffer(data, dtype=np.uint8)
    return out, out.ctypes.data


def arrays_in(value):
    if isinstance(value, np.ndarray):
        return [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [arr for child in children for arr in arrays_in(child)]


def scattered(*values):
    arrays = arrays_in(list(values))
    block = inline(*values)
    compact, entries = scattered_parts(block, arrays)
    segments = scatter.split(compact, [offset for offset, _ in entries])
    datas = [memoryview(aligned_copy(data)[0]) for _, data in entries]
    return block, segments, datas


def ext72s(block):
    """The ext 72 payloads of a block, decoded: (kind, itemsize, shape, flags, address)."""
    found = []

    def hook(code, data):
        if code == 72:
            ndim, flags = data[2], data[3]
            shape = struct.unpack_from(f"<{ndim}q", data, 4)
            address, token = struct.unpack_from("<QQ", data, 4 + 8 * ndim)
            found.append((chr(data[0]), data[1], shape, flags, address, token))
        return msgpack.ExtType(code, data)

    msgpack.unpackb(bytes(block), ext_hook=hook, strict_map_key=False)
    return found


A = np.arange(BIG, dtype=np.float64)
B = np.arange(2 * BIG, dtype=np.int32).reshape(2, BIG) * 3


# ---------------------------------------------------------------------------
# The scattered form itself.

def test_the_header_before_each_data_is_found_and_joining_gives_the_inline_block():
    block, segments, datas = scattered(1, "s", A, [B, 2.5], {"k": A[:BIG // 2 + 8]})
    assert len(segments) == 4 and len(datas) == 3
    assert scatter.join(segments, datas) == block
    for segment, data in zip(segments, datas):
        at, payload = scatter.header_start(segment, len(data))
        assert segment[at] == 0xc9 and segment[payload - 1] == 71
    with pytest.raises(FramingError, match="no array header"):
        scatter.header_start(memoryview(b"\x01" * 40), 1 << 20)


def test_a_scattered_args_block_pickles_its_datas_out_of_band():
    block, segments, datas = scattered(7, A, B)
    buffers = []
    in_band = pickle.dumps(Scattered(segments, datas), protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 2 and len(in_band) < 1000
    loaded = pickle.loads(in_band, buffers=buffers)
    assert type(loaded) is Scattered and all(isinstance(d, memoryview) for d in loaded.datas)
    assert loaded.join() == block and len(loaded) == len(block)
    # Before protocol 5: the joined block.
    assert pickle.loads(pickle.dumps(Scattered(segments, datas), protocol=4)) == block


def test_a_scattered_native_block_pickles_out_of_band_and_joins_once_for_readers():
    block, segments, datas = scattered(A, B)
    native = NativeBlock.scattered(segments, datas, 2)
    buffers = []
    in_band = pickle.dumps(native, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 2 and len(in_band) < 1000
    loaded = pickle.loads(in_band, buffers=buffers)
    assert loaded.segments is not None and loaded.count == 2 and loaded.size == len(block)
    assert loaded._data is None  # nothing joined on the way
    first, second = loaded.to_python()
    np.testing.assert_array_equal(first, A)
    np.testing.assert_array_equal(second, B)
    assert loaded.data == block and loaded.data is loaded.data  # joined once, kept
    assert "2 arrays apart" in repr(NativeBlock.scattered(segments, datas, 2))


def test_a_scattered_call_payload_views_the_librarys_memory(monkeypatch):
    # Native2Py 5/13/16 with 3 units: compact block, JSON, table (offset, length, address).
    block, segments, datas = scattered(3, A)
    compact, entries = scattered_parts(block, [A])
    memory = [aligned_copy(data) for _, data in entries]
    table = b"".join(struct.pack("<QQQ", offset, len(data), address)
                     for (offset, data), (_, address) in zip(entries, memory))
    meta = json.dumps({"goray_task_name": "T"}).encode()
    args, got_meta, refs, _ = native2py_calls.call(memoryview(pack_units(compact, meta, table)))
    assert type(args) is Scattered and got_meta == {"goray_task_name": "T"} and refs == {}
    assert args.join() == block
    memory[0][0][0] ^= 0xff  # a view of the memory, not a copy
    assert args.datas[0][0] == memory[0][0][0]
    # A Python consumer decodes the joined block.
    values = native2py_calls.python_args(args, {})
    assert values[0] == 3 and values[1].shape == (BIG,)
    with pytest.raises(FramingError, match="multiple of 24"):
        native2py_calls.call(memoryview(pack_units(compact, meta, table[:-1])))
    bad = struct.pack("<QQQ", len(compact) + 1, 8, memory[0][1])
    with pytest.raises(FramingError, match="offset"):
        native2py_calls.call(memoryview(pack_units(compact, meta, bad)))


# ---------------------------------------------------------------------------
# To a native callee: ext 72 borrowed at the data's address.

def request_block(units_bytes):
    units = unpack_units(units_bytes)
    return units[1], units[2:]


def test_call_units_point_at_each_scattered_data():
    block, segments, datas = scattered(1, A, [B, "x"])
    keep = []
    args, _ = request_block(bodies._call_units("T", Scattered(segments, datas), (), (), keep))
    found = ext72s(b"\x93" + bytes(args))  # the block's 3 values, as one array to decode
    assert [(f[0], f[1], f[2], f[3]) for f in found] == [("f", 8, (BIG,), ADDRESS_BORROWED, ),
                                                         ("i", 4, (2, BIG), ADDRESS_BORROWED)]
    assert [f[4] for f in found] == [scatter.address_of(d) for d in datas]
    assert len(args) < 300  # no data copied into the request
    values = msgpack.unpackb(b"\x93" + bytes(args), ext_hook=lambda c, d: c)
    assert values == [1, 72, [72, "x"]]


def test_a_misaligned_data_stays_inline():
    block, segments, datas = scattered(A)
    memory = bytearray(len(datas[0]) + 1)
    odd = memoryview(memory)[1:]
    odd[:] = datas[0]
    assert scatter.address_of(odd) % 8
    pieces, moved = scatter.pieces(segments, [odd], ADDRESS_BORROWED)
    assert moved == 0 and b"".join(pieces) == block


def test_a_resolved_scattered_block_is_one_value_with_its_arrays_by_address():
    _, segments, datas = scattered(A, 5)
    native = NativeBlock.scattered(segments, datas, 2)
    _, refs = request_block(bodies._call_units("T", memoryview(b""), (0,), [native], []))
    position, value = struct.unpack_from("<Q", refs[0])[0], refs[0][8:]
    assert position == 0 and value[0] == 0x92  # two values: an array of them
    assert msgpack.unpackb(bytes(value), ext_hook=lambda c, d: c) == [72, 5]
    assert native._data is None


# ---------------------------------------------------------------------------
# A 43/44 reply: the results' buffers handed over and released.

@pytest.fixture
def released(monkeypatch):
    tokens = []
    monkeypatch.setattr(_arrays._state, "release", tokens.append)
    return tokens


def result_reply(count, compact, entries):
    table = b"".join(struct.pack("<QQQQ", *entry) for entry in entries)
    return memoryview(struct.pack("<II", count, len(entries)) + table + compact)


def test_an_out_of_band_result_adopts_its_buffers_until_the_block_goes(released):
    block = inline(A, 4)
    compact, entries = scattered_parts(block, [A])
    memory, address = aligned_copy(entries[0][1])
    result = bodies.result_block(result_reply(2, compact, [(entries[0][0], len(memory), address, 77)]))
    assert type(result) is NativeBlock and result.segments is not None and result.count == 2
    assert scatter.address_of(result.datas[0]) == address  # adopted in place
    buffers = []
    pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1 and released == []
    np.testing.assert_array_equal(result.to_python()[0], A)
    del result, buffers
    gc.collect()
    assert released == [77]


def test_an_out_of_band_result_without_arrays_is_the_ordinary_block(released):
    assert bodies.result_block(result_reply(0, b"", [])) is None
    # Small, no refs inside: the block's bytes (Ray stores bytes without pickling them),
    # which every reader of a native producer's ref reads as the block.
    small = bodies.result_block(result_reply(2, b"\x01\xa1x", []))
    assert type(small) is bytes and small == b"\x01\xa1x"
    assert objects.native_value(small).count == 2 and objects.native_value(small).to_python() == [1, "x"]
    large = b"\xc6" + (1 << 16).to_bytes(4, "big") + bytes(1 << 16) + b"\x07"
    result = bodies.result_block(result_reply(2, large, []))
    assert type(result) is NativeBlock and result.segments is None and result.count == 2
    assert bytes(result.data) == large
    with pytest.raises(FramingError, match="3 table entries"):
        bodies.result_block(memoryview(struct.pack("<II", 1, 3) + bytes(10)))


def test_worker_bodies_send_43_and_44_with_the_feature_on(monkeypatch, released):
    sent = []

    def execute(command, name, payload, index=0, copy_below=0):
        sent.append((command, index))
        return result_reply(1, b"\x05", [])

    monkeypatch.setattr(bodies, "_execute", execute)
    monkeypatch.setattr(features, "features", lambda library=None: 7)
    assert objects.native_value(bodies.run_native_task("T", b"", ())).to_python() == 5
    actor = bodies._NativeActorBase.__new__(bodies._NativeActorBase)
    actor._goray_type, actor._goray_index = "K", 3
    assert objects.native_value(actor._goray_call("m", b"", (), ())).to_python() == 5
    assert sent == [(int(Py2Native.RUN_TASK_OUT_OF_BAND), 0),
                    (int(Py2Native.ACTOR_METHOD_CALL_OUT_OF_BAND), 3)]
    monkeypatch.setattr(features, "features", lambda library=None: 3)
    monkeypatch.setattr(bodies, "_execute", lambda command, *a, **k: sent.append(command) or memoryview(b"\x06"))
    assert objects.native_value(bodies.run_native_task("T", b"", ())).to_python() == 6
    assert sent[-1] == int(Py2Native.RUN_TASK)


# ---------------------------------------------------------------------------
# GetObject's lend: ext 72 lent into the object store, held by a lent id.

@pytest.fixture
def lent_ids():
    before = set(_stores.objects._items)
    yield
    for key in set(_stores.objects._items) - before:
        _stores.objects._items.pop(key, None)


def test_a_scattered_value_is_lent_and_held_until_released(lent_ids):
    _, segments, datas = scattered(A, "after")
    value = NativeBlock.scattered(segments, datas, 2)
    code, reply = object_commands._lent_reply(5, value, True)
    (lent_id,) = struct.unpack_from("<Q", reply)
    assert code == 0 and lent_id in _stores.objects._items
    payload = reply[8:]
    assert len(payload) < 200
    (found,) = ext72s(b"\x92" + payload)
    assert found[:4] == ("f", 8, (BIG,), ADDRESS_LENT) and found[4] == scatter.address_of(datas[0])
    assert found[5] == 0
    entry = _stores.objects.get(lent_id)
    assert type(entry) is _stores.LentBuffers and entry.holds is value
    # Not an object: reading or using it is a clear error; ReleaseObject drops it.
    code, text = object_commands._get_object(memoryview(json.dumps([lent_id, -1, False, 1]).encode()))
    assert code == 1 and b"is no object" in text and b"object 5" in text
    with pytest.raises(Exception, match="is no object"):
        store_entries.stored_object(lent_id)
    waited = object_commands._wait_object(memoryview(json.dumps({"object_ref_local_ids": [lent_id]}).encode()))
    cancelled = object_commands._cancel_object(memoryview(json.dumps({"object_ref_local_id": lent_id}).encode()))
    assert waited[0] == cancelled[0] == 1 and b"is no object" in waited[1] + cancelled[1]
    assert object_commands._release_object(memoryview(pack_u64(lent_id))) == (0, b"")
    assert lent_id not in _stores.objects._items


def test_a_lent_id_is_never_0(monkeypatch):
    # Pipelined ids do not use the store's counter: its first id may still be free.
    monkeypatch.setattr(_stores, "objects", _stores.IdStore("object ref"))
    _, segments, datas = scattered(A)
    code, reply = object_commands._lent_reply((1 << 63) | 1, NativeBlock.scattered(segments, datas, 1), True)
    assert code == 0 and struct.unpack_from("<Q", reply)[0] == 1
    assert list(_stores.objects._items) == [1]


def test_a_contiguous_blocks_top_level_arrays_are_lent_in_place(lent_ids):
    block = bytearray(64) + inline(2, A)  # 64-byte aligned data somewhere in the store
    view = memoryview(block)[64:]
    code, reply = object_commands._lent_reply(1, NativeBlock(view), True)
    assert code == 0 and struct.unpack_from("<Q", reply)[0] in _stores.objects._items
    (found,) = ext72s(b"\x92" + reply[8:])
    start = bytes(view).index(A.tobytes())
    assert found[3] == ADDRESS_LENT and found[4] == scatter.address_of(view) + start


def test_nothing_to_lend_is_prefix_zero_and_the_usual_reply(lent_ids):
    before = len(_stores.objects)
    assert object_commands._lent_reply(1, NativeBlock(inline(1, "x")), True) == (0, pack_u64(0) + inline(1, "x"))
    assert object_commands._lent_reply(1, None, True) == (0, pack_u64(0))  # a native empty block
    assert object_commands._lent_reply(1, 42, False) == (0, pack_u64(0) + msgpack.packb(42))
    code, text = object_commands._lent_reply(1, object(), False)
    assert code == 1  # no prefix on failures
    assert len(_stores.objects) == before


# ---------------------------------------------------------------------------
# A large bytes argument from a Python caller, and the feature bit.

def test_large_bytes_go_as_a_borrowed_1d_uint8_array():
    data = bytes(range(256)) * 4096
    ext = bodies._bytes_by_address(data)
    (found,) = ext72s(ext)
    assert found == ("u", 1, (len(data),), ADDRESS_BORROWED | _arrays.BYTES_FLAG,
                     scatter.address_of(data), 0)


def test_large_top_level_bins_go_by_address_only_when_asked():
    data = bytes(range(256)) * 256  # 64 KiB: large
    block = msgpack.packb(1) + msgpack.packb(data) + msgpack.packb(b"small") + msgpack.packb("s" * BIG)
    assert scatter.by_address(block, ADDRESS_BORROWED) == [block]  # a GoRay library's reader
    pieces = scatter.by_address(block, ADDRESS_BORROWED, bins=True)
    assert len(pieces) == 3
    assert bytes(pieces[0]) == msgpack.packb(1)
    (found,) = ext72s(pieces[1])
    start = block.index(data)
    assert found == ("u", 1, (len(data),), ADDRESS_BORROWED | _arrays.BYTES_FLAG,
                     scatter.address_of(block) + start, 0)
    # A small bin, and a str (a std::string result reads as str), stay as they are.
    assert bytes(pieces[2]) == msgpack.packb(b"small") + msgpack.packb("s" * BIG)
    below = msgpack.packb(data[:-1])
    assert scatter.by_address(below, ADDRESS_BORROWED, bins=True) == [below]


def test_a_contiguous_blocks_large_bytes_are_lent_in_place(lent_ids):
    data = bytes(range(256)) * 1024
    block = msgpack.packb(data) + msgpack.packb(7)
    value = NativeBlock(memoryview(block))
    code, reply = object_commands._lent_reply(3, value, True)
    (lent_id,) = struct.unpack_from("<Q", reply)
    assert code == 0 and _stores.objects.get(lent_id).holds is value
    assert len(reply) < 100
    (found,) = ext72s(b"\x92" + reply[8:])
    assert found == ("u", 1, (len(data),), ADDRESS_LENT | _arrays.BYTES_FLAG,
                     scatter.address_of(block) + block.index(data), 0)


def test_worker_requests_point_at_large_bins_only_with_arrays_out_of_band(monkeypatch):
    data = bytes(range(256)) * 1024
    block = msgpack.packb(data)
    for arrays, bits, by_address in [(True, int(Feature.ARRAYS_OUT_OF_BAND), True),
                                     (True, 0, False), (False, 0, False)]:
        library = FakeLibrary(arrays)
        monkeypatch.setattr(bodies, "ready_library", lambda library=library: library)
        monkeypatch.setattr(features, "_features", {id(library): bits})
        payload = bodies._call_units("Sum", memoryview(block), (), (), [])
        assert (len(payload) < 1000) == by_address, (arrays, bits)


class FakeLibrary:
    def __init__(self, arrays):
        self.protocol_version = 6
        self.arrays = arrays
        self.sent = []

    def execute(self, cmd, payload=b"", index=0):
        self.sent.append(struct.unpack("<Q", payload)[0])
        return 0, payload


def test_arrays_out_of_band_is_asked_only_of_a_library_speaking_arrays(monkeypatch):
    monkeypatch.setattr(features, "_features", {})
    assert features.WANTED_FEATURES & int(Feature.ARRAYS_OUT_OF_BAND)
    with_arrays, without = FakeLibrary(True), FakeLibrary(False)
    assert features.enable_features(with_arrays) == 15
    assert features.enable_features(without) == 11  # all but arrays out of band
    assert with_arrays.sent == [15] and without.sent == [11]
