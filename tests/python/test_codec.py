"""The driver's msgpack (docs/protocol.md §5), without a library."""

import datetime as dt
import math
import struct

import msgpack
import pytest

import goray
from goray import _codec


def test_pack_options():
    assert _codec.pack(b"\x00") == b"\xc4\x01\x00"  # bin, not raw str
    assert _codec.pack("é") == b"\xa2\xc3\xa9"
    assert _codec.pack((1, 2)) == _codec.pack([1, 2])
    assert _codec.unpack(_codec.pack({1: "a"})) == {1: "a"}  # int keys allowed


def test_datetime_aware_round_trip():
    moment = dt.datetime(2024, 2, 29, 12, 30, 1, 123456, tzinfo=dt.timezone.utc)
    data = _codec.pack(moment)
    assert data[:2] in (b"\xd7\xff", b"\xc7\x0c")  # timestamp ext -1
    assert _codec.unpack(data) == moment
    other_zone = moment.astimezone(dt.timezone(dt.timedelta(hours=5)))
    back = _codec.unpack(_codec.pack(other_zone))
    assert back == moment and back.tzinfo == dt.timezone.utc


def test_datetime_before_epoch():
    moment = dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc)
    assert _codec.unpack(_codec.pack(moment)) == moment


def test_naive_datetime_refused():
    with pytest.raises(goray.ArgumentError) as info:
        _codec.pack_args("Echo", [dt.datetime(2024, 1, 1)])
    assert info.value.position == 0
    assert info.value.expected == "a timezone-aware datetime"
    assert info.value.received == "datetime"


def test_floats_bit_exact():
    values = [math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.7976931348623157e308]
    back = _codec.unpack_values(b"".join(_codec.pack(v) for v in values))
    for sent, got in zip(values, back):
        assert struct.pack("<d", sent) == struct.pack("<d", got)


def test_pack_args_block():
    block = b"".join(_codec.pack_args("T", (1, "a", None)))
    assert block == b"\x01\xa1a\xc0"
    assert _codec.pack_args("T", ()) == []
    assert _codec.unpack_values(block) == [1, "a", None]
    assert _codec.unpack_values(b"") == []


@pytest.mark.parametrize("value,position", [(2**64, 1), (-(2**63) - 1, 1)])
def test_pack_args_overflow(value, position):
    with pytest.raises(goray.ArgumentError) as info:
        _codec.pack_args("Add", (1, value))
    error = info.value
    assert isinstance(error, TypeError)
    assert (error.task, error.position) == ("Add", position)
    assert error.expected == "an integer in [-2**63, 2**64)"
    assert error.received == f"int {value}"
    assert str(error) == (f"position 1: expected an integer in [-2**63, 2**64), "
                          f"received int {value} (task Add)")


def test_pack_args_extremes_fit():
    assert _codec.unpack_values(b"".join(_codec.pack_args("T", (2**64 - 1, -(2**63))))) == \
        [2**64 - 1, -(2**63)]


def test_pack_args_nested_culprit():
    with pytest.raises(goray.ArgumentError) as info:
        _codec.pack_args("T", (1, 2, [1, {"k": object()}]))
    assert info.value.position == 2
    assert info.value.received == 'list holding object (at [1]["k"])'
    assert info.value.expected == "a msgpack-serializable value"


@pytest.mark.parametrize("value, received", [
    ({"counts": {"a": 1, "b": 2**70}}, 'dict holding int 1180591620717411303424 (at ["counts"]["b"])'),
    ([1, [2, 2**64]], "list holding int 18446744073709551616 (at [1][1])"),
    ({"k": {3: -2**64}}, 'dict holding int -18446744073709551616 (at ["k"][3])'),
    ({2**64: 1}, "dict holding int 18446744073709551616 (at [key 18446744073709551616])"),
])
def test_pack_args_nested_overflow_names_its_path(value, received):
    # The path is written as the C++ codec writes it for an out-of-range value.
    with pytest.raises(goray.ArgumentError) as info:
        _codec.pack_args("T", (1, value))
    assert (info.value.position, info.value.received) == (1, received)
    assert info.value.expected == "an integer in [-2**63, 2**64)"


def test_pack_failure_names_the_path():
    value = {"counts": {"b": 2**70}}
    with pytest.raises(OverflowError) as info:
        _codec.pack(value)
    assert _codec.pack_failure(value, info.value) == (
        'Integer value out of range: int 1180591620717411303424 (at ["counts"]["b"])')


def test_unpack_result_block():
    assert _codec.unpack_result_block(b"") is None
    assert _codec.unpack_result_block(b"\x05") == 5
    assert _codec.unpack_result_block(b"\x05\x06") == [5, 6]
    assert _codec.unpack_result_block(b"\xc0") is None


def test_unpack_one_rejects_extra_and_garbage():
    with pytest.raises(_codec.CodecError):
        _codec.unpack(b"\x01\x02")
    with pytest.raises(_codec.CodecError):
        _codec.unpack(b"\xc1")
    with pytest.raises(_codec.CodecError):
        _codec.unpack_values(b"\x01\xda\x00")  # truncated second value


def test_values_over_100_mib_never_lost():
    big = b"\xab" * (150 * 1024 * 1024)
    block = b"".join(_codec.pack_args("T", (1, big, "after", big)))
    values = _codec.unpack_values(memoryview(block))
    assert len(values) == 4
    assert values[0] == 1 and values[2] == "after"
    assert values[1] == big and values[3] == big
    # The reference failure this guards against:
    unpacker = msgpack.Unpacker(raw=False)
    with pytest.raises(msgpack.BufferFull):
        unpacker.feed(block)
