"""A native result holding a std::string whose bytes are not UTF-8 (goray._not_utf8,
goray.errors.NotUTF8Error; docs/types.md, "Strings and bytes"): the error names the task,
the result's position among several, the element, the bytes, and the way out, on the
codec route in-process (tests/apps/testapp.cpp's echo tasks; the typed route:
tests/renderers/test_gen_typed_entries.py; through Ray: tests/ray/test_python_to_cpp.py).
The same bytes as bytes are fine."""
import pickle

import msgpack
import pytest

import goray
from goray import _not_utf8


def not_utf8(call) -> goray.NotUTF8Error:
    with pytest.raises(goray.NotUTF8Error) as caught:
        call()
    return caught.value


def test_a_string_result_names_the_task_the_byte_and_the_way_out(lib):
    error = not_utf8(lambda: goray.golang_local_run_task("EchoStr", b"ab\xffcd"))
    assert (error.task, error.what, error.position, error.path) == ("EchoStr", "result", None, "")
    assert (error.data, error.offset) == (b"ab\xffcd", 2)
    assert str(error) == (
        "result: a std::string whose bytes are not UTF-8 (byte 0xff at offset 2 of b'ab\\xffcd'), "
        "which Python cannot read as str: return bytes (std::vector<std::byte>) or a binary "
        "column for bytes that may not be text (task EchoStr)")
    assert isinstance(error, ValueError)  # (what the codec's error was)
    # The same bytes as bytes, and text that is UTF-8, are fine.
    assert goray.golang_local_run_task("EchoBytes", b"ab\xffcd") == b"ab\xffcd"
    assert goray.golang_local_run_task("EchoStr", "é") == "é"


def test_an_element_is_named_by_its_path(lib):
    assert not_utf8(lambda: goray.golang_local_run_task("EchoList", [b"ok", b"x\xfe"])).path == "[1]"
    assert not_utf8(lambda: goray.golang_local_run_task("EchoPair", (b"\xc3(", 1.5))).path == "[0]"
    key = not_utf8(lambda: goray.golang_local_run_task("EchoMapStr", {b"k\xff": 1}))
    assert key.path == "[key b'k\\xff']" and key.data == b"k\xff"
    nested = not_utf8(lambda: goray.golang_local_run_task("EchoNested", [{}, {b"\x80": [1]}]))
    assert nested.path == "[1][key b'\\x80']"


@goray.local
def int_and_bytes():
    return 7, b"\xffx"


def test_one_of_several_results_is_named_by_its_position(lib):
    # PyPair returns (int64_t, std::string): the string is result 1.
    error = not_utf8(lambda: goray.golang_local_run_task("PyPair", "int_and_bytes"))
    assert (error.position, error.path, error.data) == (1, "", b"\xffx")
    assert str(error).startswith("result 1: a std::string whose bytes are not UTF-8 (byte 0xff at offset 0")


def test_the_error_keeps_its_parts_through_pickling():
    error = goray.NotUTF8Error("result", 1, "[2]", b"a\xff", 1, "Split")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and (again.task, again.path, again.offset) == ("Split", "[2]", 1)


def test_the_block_is_searched_only_after_a_failure():
    # in_block finds the first such string (keys before values), or nothing to say.
    block = msgpack.packb({"a": "fine", "b": ["x", b"\xff"]}) .replace(b"\xc4\x01\xff", b"\xa1\xff")
    error = _not_utf8.in_block(block, "result", "T")
    assert error is not None and (error.path, error.data) == ('["b"][1]', b"\xff")
    assert _not_utf8.in_block(msgpack.packb(["all", "text"])) is None
    assert _not_utf8.in_block(b"\xc1") is None  # not msgpack at all: the caller's error stands
    several = msgpack.packb(1) + b"\xa1\xff"
    assert _not_utf8.in_block(several).position == 1
