"""NumPy arrays and C++ tasks on Ray. From a Python driver: Ray puts the ndarray
in its object store, the worker hands C++ the store's memory by address (a view
parameter reads it there: zero copies in the worker) and a C++ Array result is
adopted by NumPy, then copied once into the store. From the C++ driver and between
C++ tasks: arrays travel as ext 71 inside native blocks, which Ray stores out of
band. Python readers of native blocks get ndarrays."""
import mmap
import os

import msgpack
import numpy as np
import pytest
import ray

import goray
from goray._ray import driver
from goray._ray.values.objects import NativeBlock, native_value

# 8 MiB: over Ray's limit for objects kept inline, so arrays live in the object store.
N = 1 << 20


@pytest.fixture(scope="module")
def a():
    return np.arange(N, dtype=np.float64).reshape(1024, 1024) * 0.5


def in_object_store(mapping):
    # Ray's plasma store: a file mapped from /dev/shm (or its fallback directory).
    return "plasma" in mapping


def test_a_cpp_task_reads_its_array_argument_in_the_object_store(lib, a):
    mapping = ray.get(goray.golang_task("ArrayMapping").remote(a))
    assert in_object_store(mapping), mapping
    assert in_object_store(ray.get(goray.golang_task("ArrayMapping").remote(ray.put(a))))


@pytest.mark.ray_versions
def test_array_results_come_back_as_ndarrays(lib, a):
    twice = ray.get(goray.golang_task("Twice").remote(a))
    assert type(twice) is np.ndarray and twice.dtype == np.float64 and twice.shape == (1024, 1024)
    np.testing.assert_array_equal(twice, 2 * a)
    iota = ray.get(goray.golang_task("Iota2D").remote(3, 4))
    assert iota.dtype == np.int32 and iota.shape == (3, 4)
    np.testing.assert_array_equal(iota, np.arange(12, dtype=np.int32).reshape(3, 4))
    values, total = ray.get(goray.golang_task("WithSum").remote(np.full(5, 1.5, dtype=np.float32)))
    assert values.dtype == np.float32 and values.tolist() == [1.5] * 5 and total == 7.5


def test_an_f_ordered_array_reaches_a_cpp_view_in_c_order(lib, a):
    # Sent as it is with the column-major bit (protocol version 8); the view is C order.
    fortran = np.asfortranarray(a)
    np.testing.assert_array_equal(ray.get(goray.golang_task("Twice").remote(fortran)), 2 * a)
    np.testing.assert_array_equal(ray.get(goray.golang_task("Twice").remote(ray.put(fortran))), 2 * a)
    small = np.asfortranarray(np.arange(6.0).reshape(2, 3))  # inline, inside the args block
    np.testing.assert_array_equal(ray.get(goray.golang_task("Twice").remote(small)), 2 * small)


def test_a_task_result_passed_on_as_a_ref_stays_an_array(lib, a):
    twice = goray.golang_task("Twice").remote(a)
    np.testing.assert_array_equal(ray.get(goray.golang_task("Twice").remote(twice)), 4 * a)
    assert in_object_store(ray.get(goray.golang_task("ArrayMapping").remote(twice)))


@pytest.mark.ray_versions
def test_native_actor_methods_take_and_return_arrays(lib, a):
    scaler = goray.golang_actor_class("Scaler").remote(3.0)
    np.testing.assert_array_equal(ray.get(scaler.Scale.remote(a)), 3 * a)
    assert in_object_store(ray.get(scaler.Mapping.remote(a)))
    ray.kill(scaler)


def test_a_python_made_ref_reaches_a_native_callee_by_address(lib, a):
    # What native code submits with a ref Python made (a Python value, an ndarray):
    # the worker packs it by address, so the C++ task reads the store.
    # A runtime_env of its own: a fresh worker, whose library is loaded by this call.
    import uuid
    from goray._ray.native2py import commands as native2py
    from goray._ray.submission import options
    fresh = options.with_goray_env({"runtime_env": {"env_vars": {"RAYTEST_FRESH": uuid.uuid4().hex}}})
    ref = native2py.submit_native_task("ArrayMapping", fresh, b"", (0,), [ray.put(a)])
    # (a small result travels as its block's bytes: objects.native_value reads it as the block)
    assert in_object_store(native_value(ray.get(ref)).to_python())
    ref = native2py.submit_native_task("Twice", {}, b"", (0,), [ray.put(a)])
    np.testing.assert_array_equal(native_value(ray.get(ref)).to_python(), 2 * a)


@pytest.mark.ray_versions
def test_native_code_with_arrays_on_ray(lib):
    # Put/Get, tasks by value and by ref, a task's result passed on, a C++ task
    # submitting a C++ task, a Python task in between, an actor (tests/apps/raytest.cpp).
    assert driver.run_driver(lib, ["arrays"]) == 0


def test_python_readers_of_a_native_block_get_ndarrays(lib):
    # A native block holding ext 71 (what C++ writes for native readers), decoded by
    # a Python consumer (py.<name> tasks and Python actors started by native code).
    from goray import _codec, _arrays
    block = NativeBlock(_codec.pack(np.arange(6, dtype=np.int16).reshape(2, 3), _arrays.INLINE))
    value = block.to_python()
    assert value.dtype == np.int16 and value.shape == (2, 3) and value[1, 2] == 5
    assert msgpack.unpackb(block.data, ext_hook=lambda code, data: code) == 71


def test_native_blocks_hand_their_arrays_to_cpp_by_address(lib, tmp_path):
    # A block holding ext 71 arrays among other values, in a file's memory: the
    # C++ task reads the array where the block is (the file), not in a copy.
    from goray import _codec, _arrays
    from goray._ray.worker import bodies
    arr = np.arange(N, dtype=np.float64)
    block = b"".join(_codec.pack_args("ArrayMapping", [arr], _arrays.INLINE))
    path = tmp_path / "block"
    path.write_bytes(block)
    with open(path, "rb") as file:
        memory = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(memory)
    assert native_value(bodies.run_native_task("ArrayMapping", view, ())).to_python() == str(path)
    # Values before it are framed as they are; a ref's block too.
    twice = bodies.run_native_task("Twice", view, ())
    np.testing.assert_array_equal(native_value(twice).to_python(), 2 * arr)
    pieces = bodies._by_address(memoryview(b"".join(_codec.pack_args("T", [1, "s", arr, 2.5], _arrays.INLINE))))
    assert len(pieces) == 3 and bytes(pieces[0]) == b"".join(_codec.pack_args("T", [1, "s"]))
    assert msgpack.unpackb(pieces[1], ext_hook=lambda code, data: code) == 72
    assert msgpack.unpackb(pieces[2]) == 2.5
    truncated = memoryview(b"\xc9\x00\x10\x00\x00\x47" + bytes(100))  # claims 1 MiB
    assert bodies._by_address(truncated) == [truncated]  # the callee's decoder says why
    del view, twice
    memory.close()


@pytest.mark.skipif(os.environ.get("GORAY_TEST_AT_LIMIT") != "1",
                    reason="an array of 4 GiB + 8 bytes each way through Ray: ~12 GiB of RAM "
                           "and object store at the peak; set GORAY_TEST_AT_LIMIT=1")
def test_arrays_over_msgpacks_limit_go_by_address(lib):
    # Over msgpack's ext32 limit (4 GiB - 1): only the paths that pass arrays by
    # address (Python driver -> C++ task on Ray) carry it.
    size = (1 << 29) + 1  # float64: 4 GiB + 8 bytes
    big = np.ones(size)
    big[-1] = 3.0
    ref = goray.golang_task("Twice").remote(big)
    del big  # in the object store now: ~12 GiB at the peak instead of 16
    result = ray.get(ref)
    assert result.shape == (size,) and result[0] == 2.0 and result[-1] == 6.0
