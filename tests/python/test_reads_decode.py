"""goray._ray.values.reads' decoder of one serialized object, without Ray running: what it reads
itself (a void result, RAW bytes) and what it leaves to ray.get (tests/ray/test_reads.py
reads real objects both ways)."""
from collections import namedtuple

import pytest

from goray._ray.values import reads

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


@pytest.mark.parametrize("header, body, value", [
    (b"\x04", b"\x93\x01\x02\x03", [1, 2, 3]),
    (b"\xcc\x82", b"\xda\x00\x7f" + b"a" * 127, "a" * 127),
    (b"\xcd\x01\x03", b"\xda\x01\x00" + b"b" * 256, "b" * 256),
    (b"\xce\x00\x01\x00\x05", b"\xdb\x00\x01\x00\x00" + b"c" * 65536, "c" * 65536),
])
def test_xlang_msgpack_is_read_after_each_form_of_its_length_header(header, body, value):
    padding = b"\x7f" * (9 - len(header))  # the header's unused bytes hold anything
    assert decode(RawBuffer(header + padding + body), b"XLANG") == value


@pytest.mark.parametrize("data", [
    b"\x01" + bytes(8) + b"\x01\x02",  # bytes after the msgpack part (pickle5's part)
    b"\x05" + bytes(8) + b"\x01",  # shorter than its header says
    b"\xc0" + bytes(8) + b"\x01",  # a header that is no msgpack length
    b"\x03" + bytes(8) + b"\xd4\x05\x00",  # an ext value: a Python object in disguise
    b"\x02" + bytes(8) + b"\xa1\xff",  # a str that is not UTF-8
])
def test_xlang_data_not_as_ray_lays_it_out_is_left_to_ray_get(data):
    assert decode(RawBuffer(data), b"XLANG") is reads._SLOW


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
