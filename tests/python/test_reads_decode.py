"""goray._ray.reads' decoder of one serialized object, without Ray running: what it reads
itself (a void result, RAW bytes) and what it leaves to ray.get (tests/ray/test_reads.py
reads real objects both ways)."""
from collections import namedtuple

import pytest

from goray._ray import reads

Serialized = namedtuple("Serialized", "data metadata tensor_transport")

pytestmark = pytest.mark.skipif(reads._DECODE is None, reason="not Ray 2.60: every read is ray.get")


class RawBuffer(bytes):
    """Ray's Buffer as the decoder uses it: the buffer protocol and to_pybytes."""

    def to_pybytes(self):
        return bytes(self)


def decode(data, metadata, transport=None):
    return reads._DECODE(Serialized(data, metadata, transport))


def test_a_void_result_is_none_whatever_the_headers_unused_bytes():
    # Ray's header: the msgpack length (1) in its first byte, the other 8 bytes unset.
    assert decode(RawBuffer(b"\x01\x1d\x9f9\x08\x7f\x00\x00@\xc0"), b"XLANG") is None


def test_raw_bytes_are_the_bytes_and_no_data_is_empty_bytes():
    assert decode(RawBuffer(b"abc"), b"RAW") == b"abc"
    assert decode(None, b"RAW") == b""


@pytest.mark.parametrize("data, metadata, transport", [
    (RawBuffer(b"\x80\x05"), b"PYTHON", None),  # pickled: Ray's deserializer
    (RawBuffer(b"x"), b"3", None),  # an error (its type's number): ray.get raises it
    (RawBuffer(b"x"), b"ACTOR_HANDLE", None),
    (RawBuffer(b"\x01" + bytes(8) + b"\xc0"), b"XLANG,RAY_DEBUG:x", None),  # a debugger mark
    (RawBuffer(b"\x01" + bytes(8) + b"\xc0"), b"XLANG", "nccl"),  # a tensor transport
    (None, b"XLANG", None),
    (RawBuffer(b"\x05"), b"XLANG", None),  # shorter than Ray's header: not ours to read
])
def test_everything_else_is_left_to_ray_get(data, metadata, transport):
    assert decode(data, metadata, transport) is reads._SLOW
