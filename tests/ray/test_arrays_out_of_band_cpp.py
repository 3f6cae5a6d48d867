"""Arrays out of band on Ray from C++ (docs/refs.md, "Arrays on Ray"): the driver's
C++ code (tests/apps/raytest/arrays_out_of_band.cpp, run in this process) sends large
arrays as scattered calls, workers hand their array results over (43/44), and Get of
an ArrayView reads the object store itself (GetObject lends it; a batch Get, GetObjects
with its flags byte, lends each result on its own)."""
import json
import struct

import numpy as np
import pytest
import ray

import goray
from goray import _handlers
from goray._protocol import Feature, Native2Py
from goray._ray.submission import features
from goray._ray.values import scatter

ROWS = 1024  # 1024 x 1024 doubles: 8 MiB, over Ray's limit for objects kept inline


@pytest.fixture(scope="module")
def out_of_band(lib):
    if not features.features() & int(Feature.ARRAYS_OUT_OF_BAND):
        pytest.fail("the raytest library did not turn arrays out of band on (EnableFeatures bit 4)")
    return lib


def mapping_of(address):
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            begin, end = (int(bound, 16) for bound in fields[0].split("-"))
            if begin <= address < end:
                return fields[5].strip() if len(fields) > 5 else "[anonymous]"
    return ""


@pytest.fixture
def scattered_calls(monkeypatch):
    """The table sizes of the scattered calls this process's driver receives."""
    tables = []
    real = scatter.library_views

    def spy(compact, table):
        tables.append(len(table))
        return real(compact, table)

    monkeypatch.setattr(scatter, "library_views", spy)
    return tables


def test_large_arrays_round_trip_from_the_cpp_driver(out_of_band, scattered_calls):
    # Tasks by value and by ref, a tuple of two arrays, an actor method (its worker keeps
    # no handed-over buffer), a task stream and an actor stream, Python tasks (one a
    # generator) receiving a scattered argument.
    assert goray.golang_local_run_task("OobRoundTrips", ROWS) == []
    # Twice, TwoScales, the actor's Scale, the three streams and the Python tasks got
    # `a` scattered: one table entry (24 bytes) each.
    assert len(scattered_calls) >= 9 and set(scattered_calls) == {24}, scattered_calls


@pytest.mark.parametrize("put", [False, True], ids=["task result", "Put"])
def test_a_view_of_a_result_reads_the_object_store_until_it_goes(out_of_band, put):
    # A task's result (stored scattered) or a Put value (an ordinary block whose
    # top-level array GetObject lends in place).
    address, right, during, after = goray.golang_local_run_task("OobView", ROWS, put)
    assert right
    assert "plasma" in mapping_of(address), mapping_of(address)
    assert during == after + 1  # the lent entry, released with the view


def test_small_arrays_stay_inline(out_of_band):
    # 2 x 1024 doubles per row block is 16 KiB: under the out-of-band size, nothing lent.
    address, right, during, after = goray.golang_local_run_task("OobView", 2, False)
    assert right and during == after


def test_a_large_bytes_argument_from_python_goes_by_address(out_of_band):
    data = bytes(range(256)) * (4 << 12)  # 4 MiB
    assert ray.get(goray.golang_task("ByteSum").remote(data)) == [len(data), sum(range(256)) * (4 << 12)]


@pytest.fixture
def lends(monkeypatch):
    """(lent id, answer size) of each single Get's lend request this process's driver
    answers: GetObject's, or GetObjects' of one id (a pipelined runtime's single Get),
    whose one entry is what GetObject would answer."""
    seen = []
    real_one = _handlers._handlers[int(Native2Py.GET_OBJECT)]
    real_batch = _handlers._handlers[int(Native2Py.GET_OBJECTS)]

    def one(data):
        code, reply = real_one(data)
        if code == 0 and json.loads(bytes(data))[3:] == [1]:
            seen.append((int.from_bytes(bytes(reply[:8]), "little"), len(reply)))
        return code, reply

    def batch(data):
        code, reply = real_batch(data)
        count = int.from_bytes(bytes(data[8:12]), "little")
        single = count == 1 or data[-1] & 2  # one id, or one Get reading others ahead
        if code == 0 and len(data) == 13 + 8 * count and data[-1] & 1 and single:  # asking to lend
            entry_code, size = struct.unpack_from("<IQ", reply)
            if entry_code == 0:
                seen.append((int.from_bytes(bytes(reply[12:20]), "little"), size))
        return code, reply

    monkeypatch.setitem(_handlers._handlers, int(Native2Py.GET_OBJECT), one)
    monkeypatch.setitem(_handlers._handlers, int(Native2Py.GET_OBJECTS), batch)
    return seen


def test_large_bytes_between_cpp_callers_and_tasks_go_by_address(out_of_band, lends):
    assert goray.golang_local_run_task("OobBytesRoundTrips", 4) == []
    # Each Get of the 4 MiB result (a byte vector, a Value, a string) was lent: a small
    # reply naming a lent id, the bytes read from the object store.
    big = [size for lent_id, size in lends if lent_id != 0]
    assert len(big) >= 3 and max(big) < 1024, lends


def test_python_readers_of_handed_over_results(out_of_band):
    # A C++ actor's scattered result read by Python, and passed on to a C++ task.
    scaler = goray.golang_actor_class("OobScaler").remote(2.0)
    a = np.arange(ROWS * 1024, dtype=np.float64).reshape(ROWS, 1024)
    from goray._ray.native2py import commands as native2py
    ref = native2py.submit_native_task("TwoScales", {}, b"", (0,), [ray.put(a)])
    block = ray.get(ref)
    assert block.segments is not None and len(block.datas) == 2  # stored scattered
    two, size, three = block.to_python()
    np.testing.assert_array_equal(two, 2 * a)
    np.testing.assert_array_equal(three, 3 * a)
    assert size == a.size
    np.testing.assert_array_equal(ray.get(scaler.Scale.remote(a)), 2 * a)
    assert ray.get(scaler.Handoffs.remote()) == 0
    ray.kill(scaler)


@pytest.fixture
def batch_requests(monkeypatch):
    """The trailing flags byte of each GetObjects request of several ids (None: no flags
    byte); one id, or several with flag 2 (reading ahead), is a single Get (the lends
    fixture)."""
    seen = []
    real = _handlers._handlers[int(Native2Py.GET_OBJECTS)]

    def spy(data):
        count = int.from_bytes(bytes(data[8:12]), "little")
        flags = data[-1] if len(data) == 13 + 8 * count else None
        if count > 1 and not (flags or 0) & 2:  # (flag 2: a single Get reading ahead)
            seen.append(flags)
        return real(data)

    monkeypatch.setitem(_handlers._handlers, int(Native2Py.GET_OBJECTS), spy)
    return seen


def test_a_batch_get_of_views_reads_the_object_store_until_each_goes(out_of_band, batch_requests):
    first, second, right, before, during, one_left, after = goray.golang_local_run_task(
        "OobBatchView", ROWS)
    assert right
    assert first != second
    assert "plasma" in mapping_of(first), mapping_of(first)
    assert "plasma" in mapping_of(second), mapping_of(second)
    assert during == before + 2  # one lent entry per result
    assert one_left == before + 1  # released with its own view
    assert after == before
    assert batch_requests == [1]  # one GetObjects, asking to lend
