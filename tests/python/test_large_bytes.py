"""Large bytes in-process: the request is built with one copy of a large argument
(no packer copy, no intermediate bytes) and the reply is decoded in place, before
FreeMemory (no copy of the whole reply)."""

import os

import msgpack
import pytest

import goray
from goray import _codec, _protocol

BIG = 1 << 20


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_large_bytes_arguments_are_pieces_of_their_own(kind):
    data = kind(os.urandom(BIG))
    pieces = _codec.pack_args("t", [1, data, "x"])
    assert pieces[2] is data  # not copied before the one join
    joined = b"".join(pieces)
    assert joined == b"\x01" + msgpack.packb(bytes(data), use_bin_type=True) + b"\xa1x"
    assert _protocol.pack_call(b"Name", pieces) == _protocol.pack_units(b"Name", joined)


def test_reply_is_decoded_from_a_view_released_before_free(lib):
    data = os.urandom(BIG)
    seen = []

    def decode(view):
        seen.append(view)
        return _codec.unpack_result_block(view)

    payload = _protocol.pack_call(b"EchoBytes", _codec.pack_args("EchoBytes", [data]))
    code, value = lib.execute_decoded(4, payload, 0, decode)
    assert (code, value) == (0, data)
    (view,) = seen
    assert isinstance(view, memoryview)
    with pytest.raises(ValueError):  # released: nothing can read the freed reply
        view[0]


@pytest.mark.parametrize("raised", [KeyboardInterrupt, ValueError])
def test_an_error_of_the_decode_leaves_as_itself(lib, raised):
    # The fast path releases the view while the decode's exception is pending: that
    # exception must come out, not a SystemError (Ray's cancel is a KeyboardInterrupt).
    def decode(view):
        raise raised("from decode")

    payload = _protocol.pack_call(b"EchoBytes", _codec.pack_args("EchoBytes", [b"x"]))
    with pytest.raises(raised, match="from decode"):
        lib.execute_decoded(4, payload, 0, decode)


def test_large_bytes_echo(lib):
    data = os.urandom(8 * BIG)
    assert goray.golang_local_run_task("EchoBytes", data) == data
    assert goray.golang_local_run_task("EchoBytes", bytearray(data)) == data
    assert goray.golang_local_run_task("EchoBytes", memoryview(data)) == data
