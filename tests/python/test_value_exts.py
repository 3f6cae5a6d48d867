"""goray._value_exts through goray._codec: complex numbers, paths and durations as ext
75/76/77 to a library of protocol version 7, and the forms Go reads to any other
(docs/protocol.md §5, "Value exts")."""
from __future__ import annotations

import datetime
import os
import pathlib
import struct

import msgpack
import pytest

from goray import _arrays, _codec, _value_exts


@pytest.fixture
def exts_on(monkeypatch):
    monkeypatch.setattr(_value_exts._state, "exts", True)


@pytest.fixture
def exts_off(monkeypatch):
    monkeypatch.setattr(_value_exts._state, "exts", False)


def test_a_complex_is_ext_75_of_two_float64(exts_on):
    packed = _codec.pack(1.5 - 2j)
    assert packed == b"\xd8\x4b" + struct.pack("<dd", 1.5, -2.0)
    assert _codec.unpack(packed) == 1.5 - 2j


def test_a_float32_complex_decodes_from_eight_bytes():
    assert _codec.unpack(msgpack.packb(msgpack.ExtType(75, struct.pack("<ff", 0.5, 2.0)))) == 0.5 + 2j


def test_a_path_is_ext_76_of_its_os_bytes_and_round_trips_any_bytes(exts_on):
    path = pathlib.Path(os.fsdecode(b"/data/r\xff\xfe/x"))
    packed = _codec.pack(path)
    assert msgpack.unpackb(packed) == msgpack.ExtType(76, b"/data/r\xff\xfe/x")
    back = _codec.unpack(packed)
    assert isinstance(back, pathlib.Path) and os.fsencode(back) == b"/data/r\xff\xfe/x"


def test_any_path_like_packs_as_a_path(exts_on):
    class Where(os.PathLike):
        def __fspath__(self) -> str:
            return "/srv/w"

    assert _codec.unpack(_codec.pack([Where()])) == [pathlib.Path("/srv/w")]
    assert _codec.pack("/srv/w") == msgpack.packb("/srv/w")  # a str stays a str


def test_a_timedelta_is_ext_77_of_seconds_and_nanoseconds(exts_on):
    packed = _codec.pack(datetime.timedelta(microseconds=-1))
    assert msgpack.unpackb(packed) == msgpack.ExtType(77, struct.pack("<qI", -1, 999_999_000))
    for value in (datetime.timedelta(0), datetime.timedelta(days=-3, seconds=5, microseconds=7),
                  datetime.timedelta.max, datetime.timedelta.min):
        assert _codec.unpack(_codec.pack(value)) == value


def test_a_duration_with_nanoseconds_is_refused_not_rounded():
    data = msgpack.packb(msgpack.ExtType(77, struct.pack("<qI", 2, 1500)))
    with pytest.raises(_value_exts.DurationError, match="a duration of 2000001500 ns: a "
                       "datetime.timedelta holds microseconds"):
        _codec.unpack(data)
    assert issubclass(_value_exts.DurationError, _codec.CodecError)


def test_a_duration_beyond_timedeltas_range_is_refused():
    data = msgpack.packb(msgpack.ExtType(77, struct.pack("<qI", 2**62, 0)))
    with pytest.raises(_codec.CodecError, match="beyond datetime.timedelta's range"):
        _codec.unpack(data)


@pytest.mark.parametrize("code, body, says", [
    (75, b"abc", "3 bytes, expected 8 or 16"),
    (77, b"\0" * 11, "11 bytes, expected 12"),
    (77, struct.pack("<qI", 0, 10**9), r"expected below 10\^9"),
])
def test_malformed_exts_are_codec_errors(code, body, says):
    with pytest.raises(_codec.CodecError, match=says):
        _codec.unpack(msgpack.packb(msgpack.ExtType(code, body)))


def test_without_the_exts_each_goes_as_go_reads_it(exts_off):
    # A library before version 7, and GoRay's Go libraries.
    assert msgpack.unpackb(_codec.pack(1 + 2j)) == [1.0, 2.0]
    assert msgpack.unpackb(_codec.pack(pathlib.Path("/a/ü"))) == "/a/ü"
    assert msgpack.unpackb(_codec.pack(pathlib.Path(os.fsdecode(b"/a/\xff")))) == b"/a/\xff"
    assert msgpack.unpackb(_codec.pack(datetime.timedelta(seconds=1, microseconds=2))) == 1_000_002_000


def test_the_exts_pack_inside_containers_beside_arrays(exts_on):
    np = pytest.importorskip("numpy")
    value = {"z": 1j, "p": pathlib.Path("x"), "a": np.arange(3.0)}
    back = _codec.unpack(_codec.pack(value, arrays=_arrays.INLINE))
    assert back["z"] == 1j and back["p"] == pathlib.Path("x")
    assert back["a"].tolist() == [0.0, 1.0, 2.0]
