"""String and binary columns in-process, Python <-> C++ (tests/apps/testapp.cpp's Col*
tasks, docs/types.md "String and binary columns"): every Arrow layout in, a pyarrow array
out, no copy of the caller's memory (addresses), nulls, empty strings, bytes that are not
UTF-8, values over 64 KiB, 0 rows, sliced arrays, a ChunkedArray, the standard types read
from a column, C++ -> Python -> C++, and the errors (goray._arrow, the fast path's arrow.cpp,
the runtime's runtime/src/codec/column_codec.cpp)."""

import gc

import pytest

import goray
from goray import _arrays, _arrow

pa = pytest.importorskip("pyarrow")

run = goray.golang_local_run_task

ROWS = ["ab", None, "", "d\u00e9", "x" * (70 * 1024)]
UPPER = ["AB", None, "", "D\u00e9", "X" * (70 * 1024)]


@pytest.fixture(autouse=True)
def columns_library(lib):
    if not _arrow.enabled():
        pytest.fail(f"{lib.path} did not turn on columns (EnableFeatures bit 64)", pytrace=False)
    return lib


LAYOUTS = {
    "string": lambda rows: pa.array(rows, pa.string()),
    "large_string": lambda rows: pa.array(rows, pa.large_string()),
    "string_view": lambda rows: pa.array(rows, pa.string_view()),
    "dictionary": lambda rows: pa.array(rows, pa.string()).dictionary_encode(),
    "chunked": lambda rows: pa.chunked_array([pa.array(rows[:2], pa.string()), pa.array([], pa.string()),
                                              pa.array(rows[2:], pa.string())]),
    "sliced": lambda rows: pa.array(["skip", "me", *rows, "tail"], pa.string()).slice(2, len(rows)),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_string_layout_reaches_cpp_and_a_pyarrow_array_comes_back(layout):
    column = LAYOUTS[layout](ROWS)
    result = run("ColUpper", column)
    assert isinstance(result, pa.StringArray)
    assert result.to_pylist() == UPPER
    assert result.null_count == 1


def test_zero_rows_and_all_nulls():
    assert run("ColUpper", pa.array([], pa.string())).to_pylist() == []
    assert run("ColUpper", pa.array([None, None], pa.string())).to_pylist() == [None, None]
    assert run("ColLengths", pa.array([], pa.binary())).tolist() == []


def test_the_callers_memory_is_read_in_place():
    column = pa.array(["abc", "de"], pa.string())
    data = column.buffers()[2]
    assert run("ColDataAddress", column) == data.address
    sliced = column.slice(1, 1)  # the same buffers: an offset, no copy
    assert run("ColDataAddress", sliced) == data.address
    assert run("ColChunks", pa.chunked_array([column, column])) == 2


def test_binary_columns_keep_bytes_that_are_not_utf8():
    column = pa.array([b"\x00\xff", None, b"", b"\xfe" * 70000], pa.binary())
    assert run("ColLengths", column).tolist() == [2, -1, 0, 70000]
    echoed = run("ColEcho", column)
    assert isinstance(echoed, pa.BinaryArray)
    assert echoed.to_pylist() == column.to_pylist()
    assert run("ColLengths", pa.array([b"ab"], pa.large_binary())).tolist() == [2]
    assert run("ColLengths", pa.array([b"abc"], pa.binary_view())).tolist() == [3]
    assert run("ColLengths", pa.array(["str"], pa.string())).tolist() == [3]  # strings are bytes too
    made = run("ColBytes", 100000)
    assert made.to_pylist() == [b"\x00\xff\xfe", None, b"", b"b" * 100000]


def test_a_result_is_the_builders_memory_freed_with_the_array():
    gc.collect()
    adopted, released = _arrays.stats()
    result = run("ColBytes", 10)
    assert _arrays.stats() == (adopted + 1, released + 1)  # the token: released at once
    assert result.buffers()[2].size >= 13
    del result
    gc.collect()


def test_a_list_of_strs_is_a_column_too_and_list_results_stay_lists():
    assert run("ColUpper", ["a", None]).to_pylist() == ["A", None]
    assert run("ColStrings", ["a", None, ""]) == ["a", None, ""]  # list[str]: as before
    assert run("ColStrings", pa.array(["a", None, ""])) == ["a", None, ""]  # rows copied


def test_vectors_of_string_views_read_a_column_in_place():
    assert run("ColViewsTotal", pa.array(["abc", "", "de"])) == 5
    assert run("ColViewsTotal", ["abc", "de"]) == 5
    assert run("ColNulls", pa.array(["a", None, None])) == 2
    with pytest.raises(goray.ArgumentError) as error:
        run("ColViewsTotal", pa.array(["a", None]))
    assert str(error.value) == (
        "position 0: expected std::vector<std::string_view>, received Arrow column by address (ext 79) "
        "holding a null at row 1 (take std::vector<std::optional<std::string_view>> or a column) "
        "(task ColViewsTotal)")


def test_cpp_hands_a_column_to_python_and_reads_the_answer():
    assert run("ColViaPython", "py_column_upper", pa.array(["ab", None, "c"])).to_pylist() == ["AB", None, "C"]


def test_wrong_inputs_name_the_task_position_and_both_types():
    with pytest.raises(goray.ArgumentError) as error:
        run("ColUpper", pa.array([1, 2, 3], pa.int64()))
    assert str(error.value) == "position 0: expected goray::StringColumn, received ndarray of int64 (3,) (task ColUpper)"
    assert error.value.position == 0
    with pytest.raises(goray.ArgumentError) as error:
        run("ColUpper", pa.array([b"\xff"], pa.binary()))
    assert str(error.value) == ("position 0: expected goray::StringColumn, received Arrow binary array of 1 rows "
                                "(task ColUpper)")
    with pytest.raises(goray.ArgumentError) as error:  # neither a column nor an array: Python says so
        run("ColUpper", pa.array([[1]]))
    assert str(error.value).startswith("position 0: expected an array NumPy can read through DLPack, "
                                       "received pyarrow.lib.ListArray (DLPack): ")
    with pytest.raises(goray.ArgumentError) as error:
        run("ColUpper", 5)
    assert str(error.value) == "position 0: expected goray::StringColumn, received int 5 (task ColUpper)"


def test_a_string_builder_refuses_bytes_that_are_not_utf8():
    with pytest.raises(goray.NativeError) as error:
        run("ColBadUtf8")
    assert "row 0 is not valid UTF-8 (byte 0): put bytes in a goray::BinaryColumnBuilder" in str(error.value)


def test_columns_pack_inline_for_bytes_that_are_stored():
    from goray import _codec

    column = pa.array(["a", None, "bc"]).slice(1)
    packed = _codec.pack(column)  # ext 78: what travels through Ray
    assert packed[0] in (0xc7, 0xc8, 0xc9) and 78 in packed[:6]
    back = _codec.unpack(packed)
    assert isinstance(back, pa.StringArray)
    assert back.to_pylist() == [None, "bc"]
    dictionary = _codec.unpack(_codec.pack(pa.array(["x", "y", "x"]).dictionary_encode()))
    assert dictionary.to_pylist() == ["x", "y", "x"]  # decoded once, in C++
    binary = _codec.unpack(_codec.pack(pa.array([b"\xff"], pa.binary())))
    assert isinstance(binary, pa.BinaryArray) and binary.to_pylist() == [b"\xff"]


def test_a_library_that_reads_no_columns_is_sent_none(monkeypatch):
    # A GoRay library, or a goray one before EnableFeatures bit 64: the driver refuses to
    # send a column rather than an ext the library cannot read.
    monkeypatch.setattr(_arrow._state, "enabled", False)
    with pytest.raises(goray.ArgumentError) as error:
        run("ColUpper", pa.array(["a"]))
    assert str(error.value) == (
        "position 0: expected a value this library reads (it reads no Arrow columns: a goray library "
        "with EnableFeatures bit 64 does; pass a list), received pyarrow.lib.StringArray of 1 rows "
        "(task ColUpper)")
    assert run("ColUpper", ["a"]).to_pylist() == ["A"]  # a list still reaches it
