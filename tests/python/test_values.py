"""Every value type of docs/protocol.md §5 through the test library, both ways:
Python -> C++ -> Python (Echo*) and C++ -> Python -> C++ (ViaPy*, CheckRoundTrips)."""

import datetime as dt
import math
import struct

import pytest

import goray
from goray import golang_local_run_task as run

UTC = dt.timezone.utc
MOMENT = dt.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC)
BIG = 150 * 1024 * 1024

RECORD = {"name": "rec", "inner": {"x": -5, "tag": "in"}, "color": 2, "score": 2.5,
          "items": [{"x": 1, "tag": "a"}, {"x": 2, "tag": ""}]}

# (type suffix, value sent, value expected back)
CASES = [
    ("I8", -128, -128), ("I8", 127, 127),
    ("I16", -(2**15), -(2**15)), ("I16", 2**15 - 1, 2**15 - 1),
    ("I32", -(2**31), -(2**31)), ("I32", 2**31 - 1, 2**31 - 1),
    ("I64", -(2**63), -(2**63)), ("I64", 2**63 - 1, 2**63 - 1), ("I64", 0, 0),
    ("U8", 0, 0), ("U8", 255, 255), ("U16", 2**16 - 1, 2**16 - 1),
    ("U32", 2**32 - 1, 2**32 - 1), ("U64", 2**64 - 1, 2**64 - 1), ("U64", 0, 0),
    ("F32", 1.5, 1.5), ("F32", 0.1, struct.unpack("<f", struct.pack("<f", 0.1))[0]),
    ("F64", 0.1, 0.1), ("F64", 2, 2.0), ("F64", 1e308, 1e308),
    ("Bool", True, True), ("Bool", False, False),
    ("Str", "héllo 世界 😀", "héllo 世界 😀"), ("Str", "a\0b", "a\0b"), ("Str", "", ""),
    ("Bytes", b"\x00\xff\n", b"\x00\xff\n"), ("Bytes", b"", b""),
    ("U8Bytes", b"\x01\x00\x02", b"\x01\x00\x02"),
    ("Vec", [1, -2, 3], [1, -2, 3]), ("Vec", [], []),
    ("Array", [7, 8, 9], [7, 8, 9]), ("List", ["a", "", "b"], ["a", "", "b"]),
    ("Set", [3, 1, 2, 1], [1, 2, 3]), ("Set", [], []),
    ("Pair", ["pi", 3.14], ["pi", 3.14]), ("Pair", ("e", 2), ["e", 2.0]),
    ("MapStr", {"a": 1, "b": -2}, {"a": 1, "b": -2}), ("MapStr", {}, {}),
    ("MapInt", {-1: "m", 5: "f"}, {-1: "m", 5: "f"}),
    ("UnorderedMap", {"xs": [1.5, 2.0], "": []}, {"xs": [1.5, 2.0], "": []}),
    ("Optional", None, None), ("Optional", 4, 4),
    ("Enum", -7, -7), ("Enum", 2, 2),
    ("Time", MOMENT, MOMENT),
    ("Time", dt.datetime(1969, 12, 31, 23, 59, 58, 500000, tzinfo=UTC),
     dt.datetime(1969, 12, 31, 23, 59, 58, 500000, tzinfo=UTC)),
    ("Time", MOMENT.astimezone(dt.timezone(dt.timedelta(hours=-3))), MOMENT),
    ("Value", None, None),
    ("Value", {"xs": [1, 2.5, "three", b"\x00", None, True], 7: {"n": -(2**63)},
               "big": 2**64 - 1, "t": MOMENT},
     {"xs": [1, 2.5, "three", b"\x00", None, True], 7: {"n": -(2**63)},
      "big": 2**64 - 1, "t": MOMENT}),
    ("Record", RECORD, RECORD),
    ("Record", {"name": "only", "inner": {"x": 0, "tag": ""}, "color": 1, "items": []},
     # a std::optional field (score) may be left out
     {"name": "only", "inner": {"x": 0, "tag": ""}, "color": 1, "score": None, "items": []}),
    ("Nested", [{"k": [1, None, 3]}, {}], [{"k": [1, None, 3]}, {}]),
    ("Nested", [], []),
]


def ids(case):
    return f"{case[0]}-{case[1]!r}"[:40]


@pytest.mark.parametrize("suffix,value,expected", CASES, ids=[ids(c) for c in CASES])
def test_python_to_cpp_to_python(lib, suffix, value, expected):
    back = run(f"Echo{suffix}", value)
    assert back == expected
    assert type(back) is type(expected)


@pytest.mark.parametrize("suffix,value,expected", CASES, ids=[ids(c) for c in CASES])
def test_cpp_to_python_to_cpp(lib, suffix, value, expected):
    back = run(f"ViaPy{suffix}", "py_echo", value)
    assert back == expected
    assert type(back) is type(expected)


def test_cpp_made_values_round_trip(lib):
    # Extremes, NaN/Inf/-0.0 bit-exact, unicode, NUL, empty and nested containers,
    # enums, time points, a struct and a goray::Value, all made in C++.
    assert run("CheckRoundTrips", "py_echo") == []


SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324]


@pytest.mark.parametrize("value", SPECIAL_FLOATS, ids=repr)
def test_special_doubles_bit_exact(lib, value):
    for back in (run("EchoF64", value), run("ViaPyF64", "py_echo", value)):
        assert struct.pack("<d", back) == struct.pack("<d", value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -0.0], ids=repr)
def test_special_floats_bit_exact(lib, value):
    for back in (run("EchoF32", value), run("ViaPyF32", "py_echo", value)):
        assert struct.pack("<f", back) == struct.pack("<f", value)


def test_value_keeps_float32(lib):
    # A float32 inside a goray::Value stays float32 (msgpack float32 decodes to float).
    assert run("EchoValue", [0.5, -0.0])[1] == 0.0


WIDTHS = [("I8", -(2**7), 2**7 - 1, "int8_t"), ("I16", -(2**15), 2**15 - 1, "int16_t"),
          ("I32", -(2**31), 2**31 - 1, "int32_t"), ("I64", -(2**63), 2**63 - 1, "int64_t"),
          ("U8", 0, 2**8 - 1, "uint8_t"), ("U16", 0, 2**16 - 1, "uint16_t"),
          ("U32", 0, 2**32 - 1, "uint32_t"), ("U64", 0, 2**64 - 1, "uint64_t")]


@pytest.mark.parametrize("suffix,low,high,cpp_type", WIDTHS, ids=[w[0] for w in WIDTHS])
def test_integer_overflow_python_to_cpp(lib, suffix, low, high, cpp_type):
    for bad in (low - 1, high + 1):
        if not -(2**63) <= bad < 2**64:
            continue  # refused by Python before sending: see below
        with pytest.raises(goray.ArgumentError) as info:
            run(f"Echo{suffix}", bad)
        error = info.value
        assert (error.task, error.position, error.expected, error.received) == \
            (f"Echo{suffix}", 0, cpp_type, f"int {bad}")
        assert str(error) == \
            f"position 0: expected {cpp_type}, received int {bad} (task Echo{suffix})"


@pytest.mark.parametrize("bad", [2**64, -(2**63) - 1, 2**100])
def test_integer_beyond_64_bits_refused_before_sending(lib, bad):
    touches = run("Touches")
    with pytest.raises(goray.ArgumentError) as info:
        run("Add", 1, bad)
    error = info.value
    assert (error.task, error.position) == ("Add", 1)
    assert error.expected == "an integer in [-2**63, 2**64)"
    assert error.received.startswith("int ")
    with pytest.raises(goray.ArgumentError):
        goray.golang_local_new_actor("Counter", bad)
    assert run("Touches") == touches


@pytest.mark.parametrize("suffix,low,high,cpp_type", WIDTHS, ids=[w[0] for w in WIDTHS])
def test_integer_overflow_python_result_to_cpp(lib, suffix, low, high, cpp_type):
    # Python returns high + 1 to a C++ Get<T>: a goray::ResultTypeError in C++.
    if high + 1 >= 2**64:  # Python cannot even pack it: a TypeError reaches C++
        with pytest.raises(goray.NativeError) as info:
            run(f"ViaPy{suffix}", "py_plus_one", high)
        assert (info.value.type, info.value.message, info.value.task) == (
            "TypeError", "the result of py_plus_one cannot be sent to native code: "
            "Integer value out of range", "ViaPyU64")
        return
    with pytest.raises(goray.NativeError) as info:
        run(f"ViaPy{suffix}", "py_plus_one", high)
    error = info.value
    assert error.type == "goray::ResultTypeError"
    assert error.message == f"expected {cpp_type}, received int {high + 1}"
    assert error.task == f"ViaPy{suffix}"


def test_bytes_over_100_mib_python_to_cpp(lib):
    big = bytes(range(256)) * (BIG // 256)
    assert run("EchoBytes", big) == big
    assert run("ViaPyBytes", "py_echo", big) == big


def test_bytes_over_100_mib_cpp_to_python(lib):
    made = run("MakeBytes", BIG)
    assert len(made) == BIG
    assert made[:4] == bytes([3, 10, 17, 24]) and made[-1] == (7 * (BIG - 1) + 3) % 256
    assert run("BigViaPython", "py_echo", BIG) is True


def test_several_large_values_in_one_block(lib):
    big = b"\x07" * (110 * 1024 * 1024)
    assert run("EchoValue", [big, "tail", big]) == [big, "tail", big]


def test_results_shapes(lib):
    assert run("Touch") is None                      # void: no value
    assert run("Add", 2, 3) == 5                     # one value
    assert run("Divide", 17, 5) == [3, 2]            # std::tuple: a list
    assert run("Triple", 2) == ["n=2", 6, None]
    assert run("PyPair", "py_pair") == [42, "answer"]  # Get<A, B> on a Python tuple
