"""Large values between Python and C++ (docs/reliability.md): round trips through Ray in both
directions, checked byte for byte, and values over the limit (msgpack's 32-bit
lengths: 4294967295 bytes or elements per str, bin, array or map), which must fail
with an error naming the call, the argument, the size and the limit.

Round-trip size: GORAY_TEST_LARGE_BYTES (default 256 MiB, a few seconds; the
reliability figures use 1073741824). GORAY_TEST_AT_LIMIT=1 adds 4 GiB - 1 each way
in-process (peak RSS ~12 GiB). The limit tests cost no memory: the values
over the limit are 4 GiB + 1 of untouched address space (an anonymous mmap), which
every check refuses before reading a byte."""
import mmap
import os
import re
import time

import pytest
import ray

import goray
from goray import golang_local_run_task
from goray._ray import driver

SIZE = int(os.environ.get("GORAY_TEST_LARGE_BYTES", str(256 << 20)))
OVER = (1 << 32) + 1
LIMIT_TEXT = "msgpack's limit of 4294967295 (2^32 - 1)"


def pattern(size: int) -> bytes:
    """Random bytes repeating every 1 MiB + 7: a shifted, truncated or mixed-up
    copy does not compare equal."""
    block = os.urandom((1 << 20) + 7)
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture(scope="module")
def data():
    return pattern(SIZE)


@pytest.fixture(scope="module")
def huge():
    space = mmap.mmap(-1, OVER)  # address space only: nothing is ever written or read
    yield memoryview(space)


def test_python_bytes_through_a_cpp_task_and_back(lib, defs, data):
    start = time.perf_counter()
    back = ray.get(goray.golang_task("EchoBytes").remote(data))
    seconds = time.perf_counter() - start
    assert len(back) == SIZE
    assert back == data
    del back
    start = time.perf_counter()  # the same through a Python task: Ray's own cost
    assert ray.get(defs.py_identity.remote(data)) == data
    print(f"\n{SIZE} bytes Python -> C++ task -> Python: {seconds:.1f}s "
          f"(Python -> Python task -> Python: {time.perf_counter() - start:.1f}s)")


def test_cpp_driver_bytes_through_a_python_task_and_back(lib, capfd):
    assert driver.run_driver(lib, ["large", str(SIZE)]) == 0
    out = capfd.readouterr().out
    assert re.search(rf"LARGE_ROUND_TRIP bytes={SIZE} ", out)
    with capfd.disabled():
        print("\n" + out.strip())


@pytest.mark.skipif(os.environ.get("GORAY_TEST_AT_LIMIT") != "1",
                    reason="4 GiB - 1 each way, peak RSS ~12 GiB: set GORAY_TEST_AT_LIMIT=1")
def test_values_at_the_limit_in_process(lib):
    limit = (1 << 32) - 1
    block = bytes((i * 7 + 3) & 255 for i in range(256))  # MakeBytes's and CheckBytes's pattern
    data = block * (limit // 256) + block[:limit % 256]
    start = time.perf_counter()
    assert golang_local_run_task("CheckBytes", data) == limit  # every byte checked in C++
    into_cpp = time.perf_counter() - start
    del data
    start = time.perf_counter()
    made = golang_local_run_task("MakeBytes", limit)
    from_cpp = time.perf_counter() - start
    chunk = block * ((64 << 20) // 256)
    assert len(made) == limit
    assert all(made[at:at + len(chunk)] == chunk[:limit - at] for at in range(0, limit, len(chunk)))
    print(f"\n{limit} bytes in process: Python -> C++ {into_cpp:.1f}s, C++ -> Python {from_cpp:.1f}s")


def test_python_argument_over_the_limit_in_process(lib, huge):
    with pytest.raises(goray.ArgumentError) as caught:
        golang_local_run_task("CheckBytes", huge)
    assert caught.value.position == 0
    assert str(caught.value) == (f"position 0: expected a value within {LIMIT_TEXT}, "
                                 f"received memoryview of {OVER} bytes (task CheckBytes)")
    with pytest.raises(goray.ArgumentError, match=f"received list holding memoryview of {OVER} bytes"):
        golang_local_run_task("SumDoubles", [1.0, huge])


def test_python_argument_over_the_limit_is_refused_before_ray_ships_it(lib, huge):
    with pytest.raises(goray.ArgumentError) as caught:
        goray.golang_task("EchoBytes").remote(huge)
    assert str(caught.value) == (f"position 0: expected a value within {LIMIT_TEXT}, "
                                 f"received memoryview of {OVER} bytes (task EchoBytes)")
    with pytest.raises(goray.ArgumentError, match=f"position 0: .* memoryview of {OVER} bytes"):
        goray.golang_actor_class("Counter").remote(huge)
    assert ray.get(goray.golang_task("Square").remote(2.0)) == 4.0


def test_cpp_result_over_the_limit_fails_the_task(lib):
    expected = f"goray: the result: a string of {OVER} bytes is over {LIMIT_TEXT}"
    with pytest.raises(goray.NativeError) as caught:
        ray.get(goray.golang_task("HugeView").remote())
    assert (caught.value.type, caught.value.message, caught.value.task) == \
        ("std::length_error", expected, "HugeView")
    with pytest.raises(goray.NativeError, match=re.escape(expected)):
        golang_local_run_task("HugeView")


def test_cpp_driver_values_over_the_limit(lib):
    # RemoteCall, RemoteCallPyTask, LocalCallPyTask, Put, an actor method, a task
    # result, and a Python result on its way to C++ (tests/apps/raytest.cpp).
    assert driver.run_driver(lib, ["limits"]) == 0


def test_workers_back_large_mallocs_with_huge_pages(lib, monkeypatch):
    # glibc's malloc in goray's workers uses transparent huge pages for large blocks
    # (fresh 64 MiB results fill 3-4 times faster); the job's runtime_env carries it.
    from goray._ray.submission import options

    @ray.remote
    def tunables():
        return os.environ.get("GLIBC_TUNABLES")

    assert ray.get(tunables.remote()) == "glibc.malloc.hugetlb=1"
    merged = options.merge_goray_env({"runtime_env": {"env_vars": {"GLIBC_TUNABLES": "mine"}}})
    assert merged["runtime_env"]["env_vars"]["GLIBC_TUNABLES"] == "mine"  # the caller's wins
    monkeypatch.setenv("GORAY_MALLOC_HUGEPAGES", "0")
    assert "GLIBC_TUNABLES" not in options.merge_goray_env({})["runtime_env"]["env_vars"]
    monkeypatch.setenv("GORAY_MALLOC_HUGEPAGES", "1")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")  # the workers inherit it
    assert "GLIBC_TUNABLES" not in options.merge_goray_env({})["runtime_env"]["env_vars"]
