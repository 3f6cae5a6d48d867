"""Framing and numbers of the GoRay protocol (docs/protocol.md §1-3): no library."""

import struct

import pytest

from goray import _protocol as p


def test_command_numbers():
    # 32: CheckActorArgs; 33-36: arrays (protocol version 2); 37: EnableFeatures (version 3);
    # 38-42: DescribeApplication and the stream commands (version 5); 43-44: results out of
    # band (version 6); 45-46: map chunks (a goray extension, §16)
    assert [int(c) for c in p.Py2Native] == list(range(8)) + list(range(32, 47))
    # 32: ReleaseActor; 33-35: SubmitBatch, GetObjects, DescribeActor (version 3);
    # 36: NextStreamRef (version 5); 48-52: graphs (a goray extension, §15)
    assert [int(c) for c in p.Native2Py] == list(range(17)) + [32, 33, 34, 35, 36] + list(range(48, 53))
    assert p.STREAMS_VERSION == 5 and (p.STREAM_ITEM, p.STREAM_END) == (1, 0)
    assert [int(f) for f in p.Feature] == [1, 2, 4, 8, 16, 32]
    assert p.COLUMN_MAJOR_VERSION == 8
    assert (p.ADDRESS_BORROWED, p.ADDRESS_OWNED, p.ADDRESS_LENT) == (0, 1, 2)
    assert p.OUT_OF_BAND_VERSION == 6
    assert [int(r) for r in p.Record] == [1, 2, 3, 4, 5, 6]
    assert p.Native2Py.EXE_PYTHON_REMOTE_TASK == 16
    assert [int(c) for c in p.Code] == list(range(7))
    assert p.Code.PANIC == 5
    assert p.Code.CRASHED == 6  # a goray extension, only after GorayRecoverCrashes (§14)


def test_request_word():
    assert p.request_word(4) == 4
    assert p.request_word(6, 1) == 6 | 1 << 10
    assert p.request_word(7, 12345) == 7 + 12345 * 1024
    # The largest index fills the upper 54 bits; the word travels as a signed long long.
    word = p.request_word(6, p.MAX_INDEX)
    assert word < 0 and (word + (1 << 64)) & 0x3FF == 6
    with pytest.raises(ValueError):
        p.request_word(1024)
    with pytest.raises(ValueError):
        p.request_word(6, p.MAX_INDEX + 1)


def test_units_round_trip():
    message = p.pack_units(b"Add", b"\x01\x02", b"")
    assert message == (struct.pack("<Q", 3) + b"Add" + struct.pack("<Q", 2) + b"\x01\x02"
                       + struct.pack("<Q", 0))
    assert [bytes(u) for u in p.unpack_units(message)] == [b"Add", b"\x01\x02", b""]
    assert p.unpack_units(b"") == []


def test_units_are_views():
    message = p.pack_units(b"x" * 1000)
    (unit,) = p.unpack_units(message)
    assert isinstance(unit, memoryview) and unit.obj is message


@pytest.mark.parametrize("bad", [b"\x01", struct.pack("<Q", 5) + b"abc",
                                 p.pack_units(b"ok") + b"\x00\x00"])
def test_truncated_units(bad):
    with pytest.raises(p.FramingError):
        p.unpack_units(bad)


def test_ids():
    assert p.pack_u64(1) == b"\x01" + b"\x00" * 7
    assert p.unpack_u64(p.pack_u64(2**64 - 1)) == 2**64 - 1
    with pytest.raises(p.FramingError):
        p.unpack_u64(b"\x01\x00")
