"""The array wire formats of goray._codec / goray._arrays (docs/protocol.md
§10), without a library: ext 71 and 72 layouts, alignment, nested lists for
version-1 libraries, errors, and values without arrays packed exactly as before."""

import array
import datetime
import struct

import msgpack
import numpy as np
import pytest

import goray
from goray import _arrays, _codec


def plain_msgpack(value):
    return msgpack.packb(value, use_bin_type=True, datetime=True)


@pytest.mark.parametrize("value", [
    None, True, 0, -1, 2**64 - 1, -2**63, 1.5, "text", b"bytes", bytearray(b"ba"),
    [1, [2, [3]]], (1, "a"), {"k": [1.0, None], 7: b"x"},
    datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc),
    b"\x00" * 70000, "é" * 300,
])
def test_values_without_arrays_pack_as_before(value):
    assert _codec.pack(value) == plain_msgpack(value)
    for mode in (_arrays.INLINE, _arrays.NESTED):
        assert _codec.pack(value, mode) == plain_msgpack(value)
    assert b"".join(_codec.pack_args("t", [value, 1])) == plain_msgpack(value) + b"\x01"
    keep = []
    assert b"".join(_codec.pack_args("t", [value], _arrays.BORROWED, keep)) == plain_msgpack(value)
    assert keep == []


def ext_payload(data):
    """(ext code, payload, offset of the payload in data) of the ext at data[0]."""
    head = data[0]
    if 0xd4 <= head <= 0xd8:
        return data[1], data[2:], 2
    if head == 0xc7:
        return data[2], data[3:3 + data[1]], 3
    if head == 0xc8:
        size = int.from_bytes(data[1:3], "big")
        return data[3], data[4:4 + size], 4
    assert head == 0xc9
    size = int.from_bytes(data[1:5], "big")
    return data[5], data[6:6 + size], 6


@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 3, 4), (300, 300)])
def test_ext71_layout_and_alignment(shape):
    arr = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    data = _codec.pack(arr, _arrays.INLINE)
    code, payload, at = ext_payload(data)
    assert code == 71
    kind, itemsize, ndim, pad = payload[0], payload[1], payload[2], payload[3]
    assert (chr(kind), itemsize, ndim) == ("f", 8, len(shape))
    assert struct.unpack_from(f"<{ndim}q", payload, 4) == shape
    start = 4 + 8 * ndim + pad
    assert (at + start) % 64 == 0  # data 64-byte aligned from the start of the buffer
    assert payload[4 + 8 * ndim:start] == bytes(pad)
    assert payload[start:] == arr.tobytes()
    back = _codec.unpack(data)
    assert back.dtype == arr.dtype and back.shape == shape and (back == arr).all()
    assert not back.flags.writeable  # a view over the bytes msgpack handed the hook


def test_ext71_aligned_inside_containers_and_args_blocks():
    arr = np.arange(10, dtype=np.int32)
    block = b"".join(_codec.pack_args("t", ["prefix", {"a": [arr]}], _arrays.INLINE))
    start = block.index(arr.tobytes())
    assert start % 64 == 0
    assert _codec.unpack_values(block)[1]["a"][0].tolist() == list(range(10))


def test_ext72_points_at_the_array_itself():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    keep = []
    data = b"".join(_codec.pack_args("t", [arr], _arrays.BORROWED, keep))
    code, payload, _ = ext_payload(data)
    assert code == 72 and keep == []
    assert (chr(payload[0]), payload[1], payload[2], payload[3]) == ("f", 4, 2, 0)
    assert struct.unpack_from("<2q", payload, 4) == (2, 3)
    address, token = struct.unpack_from("<QQ", payload, 20)
    assert (address, token, len(payload)) == (arr.ctypes.data, 0, 36)


def test_ext72_non_contiguous_copied_once_into_keep(monkeypatch):
    arr = np.arange(12.0).reshape(3, 4)[:, ::2]
    calls = []
    real = np.ascontiguousarray
    monkeypatch.setattr(np, "ascontiguousarray", lambda a: calls.append(1) or real(a))
    keep = []
    data = b"".join(_codec.pack_args("t", [arr], _arrays.BORROWED, keep))
    assert len(calls) == 1 and len(keep) == 1
    address = struct.unpack_from("<Q", ext_payload(data)[1], 20)[0]
    assert address == keep[0].ctypes.data and (keep[0] == arr).all()


def test_buffers_are_1d_arrays():
    floats = array.array("d", [1.0, 2.5])
    keep = []
    data = b"".join(_codec.pack_args("t", [floats, memoryview(array.array("i", [7]))],
                                     _arrays.BORROWED, keep))
    assert data.count(b"\xc7\x1cH") == 2 and keep and keep[0].dtype == np.float64
    first = ext_payload(data)[1]
    assert struct.unpack_from("<Q", first, 12)[0] == floats.buffer_info()[0]
    back = _codec.unpack(_codec.pack(floats, _arrays.INLINE))
    assert back.dtype == np.float64 and back.tolist() == [1.0, 2.5]
    # A byte memoryview stays bin.
    assert b"".join(_codec.pack_args("t", [memoryview(b"ab")])) == plain_msgpack(b"ab")


def test_nested_mode_for_version_1_libraries():
    arr = np.arange(6, dtype=np.int16).reshape(2, 3)
    assert _codec.pack(arr, _arrays.NESTED) == plain_msgpack([[0, 1, 2], [3, 4, 5]])
    assert _codec.pack(np.array([1 + 2j]), _arrays.NESTED) == plain_msgpack([[1.0, 2.0]])
    assert _codec.pack(np.float64(3.0).reshape(()), _arrays.NESTED) == plain_msgpack(3.0)
    assert b"".join(_codec.pack_args("t", [array.array("b", [1, -1])], _arrays.NESTED)) == \
        plain_msgpack([1, -1])


def test_numpy_scalars_pack_as_python_scalars():
    assert _codec.pack([np.int32(5), np.bool_(True), np.float32(0.5)], _arrays.INLINE) == \
        plain_msgpack([5, True, 0.5])


@pytest.mark.parametrize("dtype", ["bool", "int8", "int16", "int32", "int64", "uint8",
                                   "uint16", "uint32", "uint64", "float32", "float64",
                                   "complex64", "complex128"])
def test_every_dtype_round_trips_inline(dtype):
    arr = (np.arange(6) % 2 if dtype == "bool" else np.arange(6)).astype(dtype).reshape(3, 2)
    back = _codec.unpack(_codec.pack(arr, _arrays.INLINE))
    assert back.dtype == np.dtype(dtype) and back.shape == (3, 2) and (back == arr).all()


@pytest.mark.parametrize("bad, received", [
    (np.zeros((2, 3), dtype=">f8"), "ndarray of big-endian float64 (2, 3)"),
    (np.zeros(2, dtype=object), "ndarray of object (2,)"),
    (np.zeros(2, dtype=np.float16), "ndarray of float16 (2,)"),
    (np.array(["a"]), "ndarray of str32 (1,)"),
])
def test_unsupported_arrays_are_argument_errors(bad, received):
    for mode in (_arrays.INLINE, _arrays.BORROWED, _arrays.NESTED):
        with pytest.raises(goray.ArgumentError) as info:
            _codec.pack_args("Task", [1, bad], mode, [])
        error = info.value
        assert (error.task, error.position, error.received) == ("Task", 1, received)
        assert error.expected.startswith("an array of bool, int8, int16")
        assert str(error).endswith("(task Task)")
    with pytest.raises(goray.ArgumentError) as info:
        _codec.pack_args("Task", [[0, {"k": bad}]], _arrays.INLINE)
    assert info.value.received == f"list holding {received} (at [1][\"k\"])"


def test_unpack_rejects_malformed_array_exts():
    with pytest.raises(_codec.CodecError, match="ext 71"):
        _codec.unpack(msgpack.packb(msgpack.ExtType(71, b"f\x08\x01\x00" + struct.pack("<q", 2))))
    with pytest.raises(_codec.CodecError, match="borrowed"):
        _codec.unpack(msgpack.packb(msgpack.ExtType(
            72, b"f\x08\x01\x00" + struct.pack("<qQQ", 1, 16, 0))))
    other = msgpack.ExtType(5, b"xyz")  # other ext codes still come back as ExtType
    assert _codec.unpack(msgpack.packb(other)) == other


def test_misaligned_inline_data_is_copied_aligned():
    arr = np.arange(4, dtype=np.float64)
    payload = b"f\x08\x01\x01" + struct.pack("<q", 4) + b"\x00" + arr.tobytes()  # pad 1
    back = _arrays.decode_inline(payload)
    assert back.flags.aligned and not back.flags.writeable and (back == arr).all()


@pytest.fixture
def column_major():
    """The library reads column-major arrays (Feature.COLUMN_MAJOR) for the test."""
    was = _arrays.column_major_enabled()
    _arrays.enable_column_major(True)
    yield
    _arrays.enable_column_major(was)


@pytest.fixture
def row_major_only():
    """The library reads C order only (a version-7 library) for the test."""
    was = _arrays.column_major_enabled()
    _arrays.enable_column_major(False)
    yield
    _arrays.enable_column_major(was)


def test_an_f_ordered_array_is_sent_as_it_is_with_the_column_major_bit(column_major, monkeypatch):
    arr = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    calls = []
    real = np.ascontiguousarray
    monkeypatch.setattr(np, "ascontiguousarray", lambda a: calls.append(1) or real(a))
    _, payload, at = ext_payload(_codec.pack(arr, _arrays.INLINE))
    pad = payload[3] & 0x3F
    assert payload[3] & 0x80 and (at + 4 + 16 + pad) % 64 == 0
    assert payload[4 + 16 + pad:] == arr.tobytes(order="F")  # 0 3 1 4 2 5: no transpose
    keep = []
    _, by_address, _ = ext_payload(b"".join(_codec.pack_args("t", [arr], _arrays.BORROWED, keep)))
    assert by_address[3] == 0x80 and keep == [] and calls == []
    assert struct.unpack_from("<Q", by_address, 20)[0] == arr.ctypes.data
    # 1-D and C-ordered arrays never carry the bit; a strided one is copied into C order.
    for value in (np.arange(3.0), np.arange(6.0).reshape(2, 3), np.asfortranarray(np.ones((1, 4)))):
        assert ext_payload(_codec.pack(value, _arrays.INLINE))[1][3] & 0x80 == 0
    assert ext_payload(_codec.pack(arr[:, ::2], _arrays.INLINE))[1][3] & 0x80 == 0
    assert calls == [1]


def test_without_the_feature_an_f_ordered_array_is_copied_into_c_order(row_major_only):
    arr = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    _, payload, _ = ext_payload(_codec.pack(arr, _arrays.INLINE))
    assert payload[3] & 0x80 == 0
    assert payload[-48:] == arr.tobytes(order="C")


def test_a_column_major_ext_decodes_to_an_f_ordered_view():
    fortran = np.arange(24, dtype=np.int16)  # (2, 3, 4) in Fortran order
    payload = (b"i\x02\x03" + bytes((0x80,)) + struct.pack("<3q", 2, 3, 4) + fortran.tobytes())
    back = _arrays.decode_inline(payload)
    assert back.flags.f_contiguous and not back.flags.c_contiguous and not back.flags.writeable
    assert (back == fortran.reshape((2, 3, 4), order="F")).all()
    assert back[1, 0, 0] == 1 and back[0, 1, 0] == 2 and back[0, 0, 1] == 6
    with pytest.raises(_codec.CodecError, match="reserved bit 6"):
        _arrays.decode_inline(b"i\x02\x01\x40" + struct.pack("<q", 1) + b"\x00\x00")
