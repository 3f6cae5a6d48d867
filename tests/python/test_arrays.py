"""NumPy arrays in-process, Python <-> C++ (tests/apps/testapp.cpp, protocol
version 2): zero copies shown by addresses, adopted buffers released, every dtype
and shape, errors, structs, tuples, actors, C++ -> Python -> C++."""

import array
import gc
import os

import numpy as np
import pytest

import goray
from goray import _arrays

run = goray.golang_local_run_task

DTYPES = {"Bool": "bool", "I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64",
          "U8": "uint8", "U16": "uint16", "U32": "uint32", "U64": "uint64",
          "F32": "float32", "F64": "float64", "C64": "complex64", "C128": "complex128"}
SHAPES = [(), (0,), (5,), (2, 3), (2, 3, 4), (0, 3)]


@pytest.fixture(autouse=True)
def arrays_library(lib):
    if not lib.arrays:
        pytest.fail(f"{lib.path} does not speak arrays (protocol version "
                    f"{lib.protocol_version}, GORAY_NO_ARRAYS={os.environ.get('GORAY_NO_ARRAYS')!r})",
                    pytrace=False)
    return lib


def sample(dtype, shape):
    count = int(np.prod(shape))
    values = np.arange(count)
    if dtype == "bool":
        values = values % 2
    elif dtype.startswith("complex"):
        values = values + 1j * values
    return values.astype(dtype).reshape(shape)


def test_view_argument_reaches_cpp_without_a_copy():
    arr = np.arange(12.0).reshape(3, 4)
    assert run("ViewAddress", arr) == arr.ctypes.data
    flat = np.arange(5.0)
    assert run("SpanAddress", flat) == flat.ctypes.data
    assert run("ViewShape", arr) == [3, 4]


def test_result_is_adopted_without_a_copy():
    result, address = run("MakeArray", [2, 3])
    assert result.ctypes.data == address
    assert result.flags.writeable and result.flags.c_contiguous
    assert result.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    result[0, 0] = 42.0  # the adopted buffer is ours to write
    assert result[0, 0] == 42.0


def test_adopted_buffer_is_released_when_the_array_and_its_views_die():
    gc.collect()
    assert run("TrackedAlive") == 0
    adopted, released = _arrays.stats()
    arr = run("MakeTracked", 1000)
    assert arr.tolist() == [1.5] * 1000 and run("TrackedAlive") == 1
    view = arr[10:20]
    del arr
    gc.collect()
    assert run("TrackedAlive") == 1  # the view still holds the buffer
    assert view.sum() == 15.0
    del view
    gc.collect()
    assert run("TrackedAlive") == 0
    assert _arrays.stats() == (adopted + 1, released + 1)


def test_an_array_outliving_its_modules_globals_at_exit_goes_quietly(monkeypatch):
    # At exit CPython 3.13 may clear goray._arrays' globals (`sys` is None) before the last
    # adopted array goes: its release must print nothing ("Exception ignored in
    # _Adopted.__del__") and still release while the process runs.
    arr = run("MakeTracked", 10)
    assert run("TrackedAlive") == 1
    unraisable = []
    monkeypatch.setattr("sys.unraisablehook", unraisable.append)
    monkeypatch.setattr(_arrays, "sys", None)
    del arr
    gc.collect()
    assert unraisable == []
    assert run("TrackedAlive") == 0


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_soak_rss_stays_flat():
    big = np.ones(1 << 17)  # 1 MiB
    for _ in range(20):  # warm up the allocators
        run("EchoArrF64", big).sum()
        run("MakeTracked", 1 << 17).sum()
    before = rss_bytes()
    for _ in range(300):  # 600 MiB through the boundary
        assert run("EchoArrF64", big)[-1] == 1.0
        assert run("MakeTracked", 1 << 17)[0] == 1.5
    gc.collect()
    assert run("TrackedAlive") == 0
    assert rss_bytes() - before < 64 << 20


@pytest.mark.parametrize("suffix", list(DTYPES))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_dtype_and_shape_round_trips(suffix, shape):
    arr = sample(DTYPES[suffix], shape)
    back = run(f"EchoArr{suffix}", arr)
    assert isinstance(back, np.ndarray)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    assert (back == arr).all()


def test_non_contiguous_input_is_copied_once(monkeypatch):
    arr = np.arange(24.0).reshape(4, 6)[:, ::2]
    calls = []
    real = np.ascontiguousarray
    monkeypatch.setattr(np, "ascontiguousarray", lambda a: calls.append(1) or real(a))
    assert run("ViewShape", arr) == [4, 3]
    assert (run("ViewToArray", arr) == arr * 2).all()
    assert len(calls) == 2  # one copy per call
    assert run("ViewAddress", arr) != arr.ctypes.data


def test_an_f_ordered_array_crosses_as_it_is_and_cpp_reads_c_order(monkeypatch):
    # A version-8 library turned on column-major arrays at load (EnableFeatures bit 32).
    assert _arrays.column_major_enabled()
    arr = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    calls = []
    real = np.ascontiguousarray
    monkeypatch.setattr(np, "ascontiguousarray", lambda a: calls.append(1) or real(a))
    assert run("ViewShape", arr) == [3, 4]
    assert (run("ViewToArray", arr) == arr * 2).all()  # the view is C order, transposed once
    assert calls == []  # sent as it is
    for suffix in ("Bool", "I16", "F32", "C128"):
        cube = np.asfortranarray(sample(DTYPES[suffix], (2, 3, 4)))
        back = run(f"EchoArr{suffix}", cube)
        assert back.shape == cube.shape and (back == cube).all()


def test_buffer_protocol_inputs_are_1d_arrays():
    floats = array.array("d", [1.0, 2.0, 3.5])
    assert run("SpanAddress", floats) == floats.buffer_info()[0]
    assert run("ArrayTotal", floats) == 6.5
    assert run("ArrayTotal", memoryview(floats)) == 6.5
    ints = array.array("i", [1, 2])
    assert run("EchoArrI32", ints).tolist() == [1, 2]


def test_wrong_dtype_names_task_position_expected_and_received():
    with pytest.raises(goray.ArgumentError) as info:
        run("ArrayTotal", np.zeros((2, 3), dtype=np.int32))
    error = info.value
    assert (error.task, error.position) == ("ArrayTotal", 0)
    assert str(error) == ("position 0: expected goray::Array<double>, received ndarray of "
                          "int32 (2, 3) (task ArrayTotal)")
    with pytest.raises(goray.ArgumentError, match=r"expected std::span<const double>, "
                       r"received ndarray of float64 \(2, 3\)"):
        run("SpanAddress", np.zeros((2, 3)))


def test_unsupported_dtype_is_refused_before_the_call():
    with pytest.raises(goray.ArgumentError) as info:
        run("ArrayTotal", np.zeros(3, dtype=">f8"))
    assert (info.value.task, info.value.position) == ("ArrayTotal", 0)
    assert info.value.received == "ndarray of big-endian float64 (3,)"


def test_vector_parameter_takes_an_ndarray():
    assert run("VectorTotal", np.arange(5.0)) == 10.0
    assert run("VectorTotal", [1.0, 2.0]) == 3.0


def test_tuple_results_and_struct_fields():
    result, address = run("MakeArray", [4])
    assert isinstance(result, np.ndarray) and isinstance(address, int)
    grid = run("EchoGrid", {"name": "g", "values": np.arange(3.0)})
    assert grid["name"] == "g" and grid["values"].tolist() == [0.0, 1.0, 2.0]
    assert grid["values"].dtype == np.float64


def test_actor_methods_take_and_return_arrays_once_per_call():
    with goray.golang_local_new_actor("Accumulator", 3) as acc:
        acc.Add(np.ones(3))
        acc.Add(array.array("d", [1.0, 2.0, 3.0]))
        total = acc.Total()
        assert isinstance(total, np.ndarray) and total.flags.writeable
        # Each Add ran exactly once (the fast path hands array calls to the Python path
        # before anything is sent).
        assert total.tolist() == [2.0, 3.0, 4.0]
        with pytest.raises(goray.ArgumentError, match=r"received ndarray of int64 \(3,\) "
                                                      r"\(task Accumulator.Add\)"):
            acc.Add(np.ones(3, dtype=np.int64))


def test_cpp_to_python_to_cpp_with_arrays():
    import testapp_defs

    testapp_defs.seen_arrays.clear()
    back = run("ArrayViaPython", "py_array_double", np.arange(4.0))
    assert back.tolist() == [0.0, 2.0, 4.0, 6.0]
    (seen,) = testapp_defs.seen_arrays
    assert isinstance(seen, np.ndarray) and seen.dtype == np.float64
    assert not seen.flags.writeable  # an inline array: a read-only view (docs/interop.md)


def test_fast_path_sends_contiguous_arrays_and_leaves_the_rest_to_the_python_codec(lib):
    fast = lib.fastpath
    before = fast.counters()
    assert run("Add", 1, 2) == 3
    arr = np.arange(3.0)
    first = run("CountArrayCalls", arr)  # C-contiguous ndarray: sent by the fast path
    assert run("ViewAddress", arr) == arr.ctypes.data
    after = fast.counters()
    assert after["py2native_fast"] == before["py2native_fast"] + 3
    assert after["py2native_codec_args"] == before["py2native_codec_args"]
    # What the C packer does not pack (a buffer, a non-contiguous array, a big-endian one)
    # goray._codec packs, before anything is sent: each call runs once.
    assert run("CountArrayCalls", array.array("d", [1.0])) == first + 1
    assert run("CountArrayCalls", np.arange(6.0)[::2]) == first + 2
    with pytest.raises(goray.ArgumentError):
        run("CountArrayCalls", np.arange(2.0).astype(">f8"))
    assert run("CountArrayCalls", [1.0]) == first + 3
    again = fast.counters()
    assert again["py2native_codec_args"] == after["py2native_codec_args"] + 3


def test_arrays_over_4_gib_go_by_address_and_are_refused_inline():
    # np.zeros is calloc: untouched pages cost no memory, so this runs everywhere.
    huge = np.zeros((1 << 29) + 8)  # 4 GiB + 64 bytes of float64
    assert huge.nbytes > (1 << 32)
    assert run("ViewAddress", huge) == huge.ctypes.data  # ext 72 has no size limit
    assert run("ViewShape", huge) == [(1 << 29) + 8]
    with pytest.raises(_arrays.BadArray, match=r"under 4 GiB .* of 4294967360 bytes"):
        _arrays.inline_ext(huge, huge, 0)


def test_fast_path_serves_native_calls_with_inline_arrays(lib):
    fast = lib.fastpath
    before = fast.counters()
    back = run("ArrayViaPython", "py_array_double", np.arange(3.0))
    after = fast.counters()
    assert back.tolist() == [0.0, 2.0, 4.0]
    # The ext 71 argument decoded and the ndarray result packed in C.
    assert after["native2py_fast"] == before["native2py_fast"] + 1
    assert after["native2py_fallback"] == before["native2py_fallback"]
    assert after["native2py_result_fallback"] == before["native2py_result_fallback"]


def test_concurrent_array_calls_from_threads():
    import threading

    errors = []

    def work(seed):
        try:
            arr = np.full(1000, float(seed))
            for _ in range(200):
                assert run("ViewAddress", arr) == arr.ctypes.data
                assert run("EchoArrF64", arr)[-1] == seed
                assert run("MakeTracked", 100).sum() == 150.0
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    gc.collect()
    assert run("TrackedAlive") == 0
