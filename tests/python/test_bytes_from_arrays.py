"""Bytes-like C++ parameters (std::string, std::vector<std::byte>, std::vector<uint8_t>)
take a 1-D uint8 or int8 ndarray in-process (tests/apps/testapp.cpp's echoes): the form a
large Python bytes argument may take on Ray (a uint8 array by address in the object
store). Other dtypes and shapes are ArgumentErrors naming both sides. A goray::Value
parameter copies an array by address (a 1-D uint8 one as bytes)."""

import numpy as np
import pytest

import goray

run = goray.golang_local_run_task

DATA = b"hello\x00\xff"


@pytest.fixture(autouse=True)
def arrays_library(lib):
    if not lib.arrays:
        pytest.fail(f"{lib.path} does not speak arrays", pytrace=False)
    return lib


@pytest.mark.parametrize("task", ["EchoBytes", "EchoU8Bytes"])
def test_byte_vectors_take_a_uint8_or_int8_vector(task):
    assert run(task, np.frombuffer(DATA, dtype=np.uint8)) == DATA
    assert run(task, np.frombuffer(DATA, dtype=np.int8)) == DATA
    assert run(task, np.zeros(0, dtype=np.uint8)) == b""


def test_string_takes_a_uint8_vector():
    assert run("EchoStr", np.frombuffer(b"h\xc3\xa9llo", dtype=np.uint8)) == "h\u00e9llo"


def test_a_large_uint8_vector_is_copied_whole():
    data = np.resize(np.arange(251, dtype=np.uint8), 3 << 20)
    assert run("EchoBytes", data) == data.tobytes()


def test_other_shapes_and_dtypes_name_expected_and_received():
    with pytest.raises(goray.ArgumentError) as info:
        run("EchoBytes", np.zeros((2, 2), dtype=np.uint8))
    assert (info.value.task, info.value.position) == ("EchoBytes", 0)
    assert str(info.value) == ("position 0: expected std::vector<std::byte>, received ndarray "
                               "of uint8 (2, 2) (task EchoBytes)")
    with pytest.raises(goray.ArgumentError, match=r"expected std::string, received ndarray of "
                                                  r"float64 \(3,\) \(task EchoStr\)"):
        run("EchoStr", np.zeros(3))
    with pytest.raises(goray.ArgumentError, match=r"expected std::vector<uint8_t>, received "
                                                  r"ndarray of uint16 \(3,\) \(task EchoU8Bytes\)"):
        run("EchoU8Bytes", np.zeros(3, dtype=np.uint16))


def test_a_value_parameter_copies_an_array_by_address():
    # In-process ndarrays go by address: a goray::Value keeps a copy (a 1-D uint8 array
    # as bytes, as a large bytes argument on Ray arrives), never the borrowed address.
    assert run("EchoValue", np.frombuffer(DATA, dtype=np.uint8)) == DATA
    grid = np.arange(6.0).reshape(2, 3)
    back = run("EchoValue", grid)
    assert isinstance(back, np.ndarray) and back.dtype == np.float64
    assert back.tolist() == grid.tolist()
    assert run("EchoValue", b"abc") == b"abc"
