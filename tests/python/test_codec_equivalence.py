"""The compiled codec (goray._fastpath: pack.cpp, unpack.cpp, arrays.cpp, ref_exts.cpp)
against the Python one (goray._codec), over every type that crosses (docs/types.md,
docs/protocol.md §5): each value the compiled packer takes, it writes byte for byte as
goray._codec does, inline (ext 71) and as an in-process call's argument (ext 72 by
address); each block the compiled decoder takes, it reads into the same objects, type
for type; for anything else it answers None and the Python codec decides. The paths
that use the two (calls served in C or handed to Python) are tested in
test_fastpath_py2native.py and test_fastpath_native2py.py."""

import array
import collections
import datetime as dt
import enum
import math
import struct
import sys

import msgpack
import numpy as np
import pytest

from goray import _arrays, _codec, _ffi

fast = _ffi.fastpath_module()
pytestmark = pytest.mark.usefixtures("lib")  # a library that speaks arrays: ext 71/72 on


def nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


# ---- What both codecs take ------------------------------------------------------------

# msgpack's every width: fixint, uint8/16/32/64, negative fixint, int8/16/32/64.
INTS = [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1,
        -1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63)]
FLOATS = [0.0, -0.0, 1.5, 2.0, -2.0, 0.1, 1e308, 5e-324, math.inf, -math.inf, math.nan]
# fixstr, str8, str16, str32 at their edges; UTF-8 of 2 and 4 bytes; a NUL inside.
STRS = ["", "a", "héllo 世界 😀", "a\0b", "a" * 31, "a" * 32, "a" * 255, "a" * 256,
        "a" * 65535, "a" * 65536]
BINS = [b"", b"\x00\xff", b"x" * 255, b"x" * 256, b"x" * 65535, b"x" * 65536, bytearray(b"ba")]
SEQUENCES = [[], (), [1] * 15, [1] * 16, [1] * 65535, [1] * 65536, (1, "t"),
             ["a", [None, [True, [2.5]]]]]
MAPS = [{}, {str(i): i for i in range(15)}, {str(i): i for i in range(16)},
        {str(i): i for i in range(65536)}, {"a": {"b": {"c": []}}}, {"k": [1, {"n": None}]},
        {2: "int", -1.5: "float", None: "nil", True: "bool", b"k": "bytes"}]
NESTED = [nested(150), [{"rows": [[1, 2.5, "x", b"y", None]] * 3, "meta": {"n": 3}}]]
ARRAYS = [np.ones(3, dtype=name) for name in _arrays.DTYPE_NAMES.values()] + [
    np.array(True), np.arange(6.0).reshape(2, 3), np.zeros(0, dtype=np.int8),
    np.zeros((0, 3)), np.arange(24, dtype=np.int16).reshape(2, 3, 4),
    np.arange(1 << 20, dtype=np.float64),
    {"name": "x", "values": [np.arange(300, dtype=np.uint16), np.ones(3, dtype=np.complex64)]}]
LARGE = [b"\xab" * (101 << 20), "s" * (1 << 20)]  # over msgpack-python's default 100 MiB
VALUES = [None, True, False, *INTS, *FLOATS, *STRS, *BINS, *SEQUENCES, *MAPS, *NESTED,
          *ARRAYS, *LARGE]


def short(value):
    text = repr(value) if not isinstance(value, np.ndarray) else \
        f"ndarray {value.dtype} {value.shape}"
    return text if len(text) < 40 else text[:37] + "..."


def same(a, b):
    """a and b alike, type for type: floats by their bits, arrays by dtype, shape,
    writeability and bytes, dicts in order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(same(k1, k2) and same(v1, v2)
                                        for (k1, v1), (k2, v2) in zip(a.items(), b.items()))
    if isinstance(a, np.ndarray):
        return (a.dtype == b.dtype and a.shape == b.shape
                and a.flags.writeable == b.flags.writeable and a.tobytes() == b.tobytes())
    return a == b


def by_address(value):
    """goray._codec's bytes of `value` as an in-process call's argument (arrays by address)."""
    keep = []
    return b"".join(_codec.pack_args("T", [value], _arrays.BORROWED, keep))


@pytest.mark.parametrize("value", VALUES, ids=short)
def test_both_codecs_write_and_read_every_type_alike(value):
    packed = _codec.pack(value, _arrays.INLINE)
    assert fast.pack(value) == packed  # inline: ext 71, as stored values and replies go
    assert fast.pack(value, True) == by_address(value)  # an in-process call's argument
    block = packed + msgpack.packb("after")  # a block of two values, read whole
    compiled, python = fast.unpack_values(block), _codec.unpack_values(block)
    assert compiled is not None and same(compiled, python)


# Forms goray._codec never writes but other writers may (msgpack-c, Go's msgpack): wider
# ints than needed, float32, str8/array16/map16 for short ones, duplicate keys.
WIRE_FORMS = {
    "int64_for_1": b"\xd3" + struct.pack(">q", 1),
    "uint64_for_5": b"\xcf" + struct.pack(">Q", 5),
    "int16_for_-1": b"\xd1\xff\xff",
    "float32": b"\xca" + struct.pack(">f", 0.1),
    "float32_nan": b"\xca\x7f\xc0\x00\x01",
    "str8_of_1": b"\xd9\x01a",
    "bin32_of_1": b"\xc6\x00\x00\x00\x01z",
    "array16_of_1": b"\xdc\x00\x01\x01",
    "map16_of_1": b"\xde\x00\x01\xa1a\x01",
    "duplicate_keys": b"\x82\xa1a\x01\xa1a\x02",  # the last wins
    "nil_key": b"\x81\xc0\x01",
}


@pytest.mark.parametrize("name", sorted(WIRE_FORMS))
def test_both_codecs_read_other_writers_forms_alike(name):
    data = WIRE_FORMS[name]
    compiled, python = fast.unpack_values(data), _codec.unpack_values(data)
    assert compiled is not None and same(compiled, python)


def test_both_codecs_intern_map_keys():
    key = sys.intern("".join(["equivalence_", "unusual_key"]))  # made at run time, interned
    data = msgpack.packb({key: 1}) + msgpack.packb([{key: 2}])
    for values in (fast.unpack_values(data), _codec.unpack_values(data)):
        assert next(iter(values[0])) is key and next(iter(values[1][0])) is key


# ---- What the compiled codec leaves to the Python one ---------------------------------

class IntE(enum.IntEnum):
    A = 7


class StrSub(str):
    pass


class FakeRef:
    pass


class RefHooks:
    """An ObjectRef's ext 73 as goray._ray.values.nested writes it (an id), without Ray."""

    def kind(self, value):
        return 73 if isinstance(value, FakeRef) else 0

    def to_native_many(self, pieces, refs, actors):
        return pieces


LEFT_TO_PYTHON = [
    dt.datetime(2024, 2, 29, 1, 2, 3, 4, tzinfo=dt.timezone.utc),  # timestamp ext -1
    IntE.A, StrSub("sub"), collections.OrderedDict(a=1), collections.namedtuple("P", "x")(1),
    type("F", (float,), {})(2.5), memoryview(b"mv"), "\udc80", 2**64, -(2**63) - 1, {1, 2},
    nested(300), [1, {"k": object()}],
    np.float64(1.5), np.int32(5), np.arange(4.0)[::2], array.array("d", [1.0]),
    [FakeRef()], {"ref": FakeRef()},  # refs and handles (ext 73/74) inside values
]


@pytest.mark.parametrize("value", LEFT_TO_PYTHON, ids=short)
def test_the_compiled_packer_leaves_other_types_to_the_codec(value, monkeypatch):
    monkeypatch.setattr(_codec, "ref_hooks", RefHooks())
    assert fast.pack(value) is None and fast.pack(value, True) is None


LEFT_BLOCKS = {
    "timestamp": b"\xd6\xff\x00\x00\x00\x01",
    "timestamp_in_list": b"\x92\x01\xd6\xff\x00\x00\x00\x01",
    "ext_5": b"\xd4\x05\x01",
    "ext_73_ref": msgpack.packb([1, msgpack.ExtType(73, bytes(8))]),
    "ext_74_handle": msgpack.packb({"h": msgpack.ExtType(74, bytes(8))}),
    "ext_72_owned": msgpack.packb(msgpack.ExtType(72, b"f\x08\x01\x01" + bytes(24))),
    "invalid_utf8": b"\xa1\xff",
    "list_key": b"\x81\x91\x01\x02",
    "too_deep": b"\x91" * 300 + b"\x01",
    "truncated": b"\x92\x01",
    "huge_count": b"\xdd\xff\xff\xff\xff",
}


@pytest.mark.parametrize("name", sorted(LEFT_BLOCKS))
def test_the_compiled_decoder_leaves_other_blocks_to_the_codec(name):
    assert fast.unpack_values(LEFT_BLOCKS[name]) is None


def test_the_refs_are_found_in_blocks_of_every_type():
    # Ext 73/74 among values of every type (look-alike bytes in strs and bins too).
    refs = [msgpack.ExtType(73, i.to_bytes(8, "little")) for i in range(3)]
    plain = [None, True, False, *INTS, *FLOATS, *STRS, *BINS, *SEQUENCES, *NESTED]
    block = b"".join(_codec.pack(v, _arrays.INLINE) for v in plain) + msgpack.packb(
        [refs[0], "\xd7I", b"\xd7J" + bytes(8), {"h": msgpack.ExtType(74, bytes(8))}, refs[1:]],
        use_bin_type=True)
    found = fast.find_ref_exts(block)
    assert [code for _, code in found] == [73, 74, 73, 73]
    assert all(block[at - 2:at] == bytes((0xd7, code)) for at, code in found)
    assert [block[at:at + 8] for at, _ in found] == [refs[0].data, bytes(8), refs[1].data,
                                                      refs[2].data]
