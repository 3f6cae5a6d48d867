"""Framing of the GoRay protocol (docs/protocol.md §1-3): no library. Its numbers are
rendered from one table: tests/renderers/test_gen_protocol_numbers.py checks them."""

import struct

import pytest

from goray import _protocol as p


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
