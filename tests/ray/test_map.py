"""goray.map on Ray (docs/map.md): native loops over chunks of items, the input and output
forms, broadcast and zipped arguments, failures per item, a crash part way through a map,
actors and pools, Python callees, and the refused inputs."""
import glob
import mmap
import os
import time

import numpy as np
import pytest
import ray

import goray

from conftest import DEFS
from test_startup import run_script


def poly(x):
    """MapPoly's polynomial, in NumPy."""
    total = np.zeros_like(x, dtype=np.float64)
    for term in range(20, 0, -1):
        total = total * x + 1.0 / term
    return total


@pytest.mark.ray_versions
def test_a_numpy_array_maps_in_order_through_the_native_loop(lib):
    xs = np.linspace(-1.0, 1.0, 200_001)
    results = goray.map("MapPoly", xs)
    assert isinstance(results, np.ndarray) and results.dtype == np.float64
    np.testing.assert_allclose(results, poly(xs), rtol=1e-12)


def test_lists_generators_and_empty_inputs(lib):
    assert goray.map("MapPoly", [0.0, 1, 0.5]) == pytest.approx(list(poly(np.array([0.0, 1.0, 0.5]))))
    assert goray.map("MapWeighted", (float(i) for i in range(1000)), weight=2.0) == \
        [2.0 * i for i in range(1000)]
    assert goray.map("MapPoly", []) == []
    empty = goray.map("MapPoly", np.empty(0))
    assert isinstance(empty, np.ndarray) and empty.size == 0


def test_keywords_broadcast_and_iterables_zip(lib):
    xs = np.arange(10_000, dtype=np.float64)
    np.testing.assert_array_equal(goray.map("MapWeighted", xs, weight=0.5), xs * 0.5)
    np.testing.assert_array_equal(goray.map("MapWeighted", xs, xs), xs * xs)
    assert goray.map("MapLabel", [{"x": 0.0, "y": 0.0, "label": "a"}], prefix="p-") == ["p-a"]


def test_complex_items_map_as_complex128_columns(lib):
    zs = np.arange(5_000, dtype=np.float64) * (1 + 2j)
    results = goray.map("MapConjugate", zs, k=2.0)
    assert isinstance(results, np.ndarray) and results.dtype == np.complex128
    np.testing.assert_array_equal(results, np.conj(zs) * 2.0)
    assert goray.map("MapConjugate", [1 + 1j, 2.0], k=1.0) == [1 - 1j, 2 + 0j]


def test_a_struct_parameter_takes_a_struct_of_arrays(lib):
    x = np.array([3.0, 6.0, 0.0])
    y = np.array([4.0, 8.0, 1.0])
    norms = goray.map("MapNorm", {"x": x, "y": y, "label": ["a", "b", "c"]})
    np.testing.assert_array_equal(norms, [5.0, 10.0, 1.0])
    listed = goray.map("MapNorm", [{"x": 3.0, "y": 4.0, "label": ""}])
    assert listed == [5.0]


def test_a_struct_of_arrays_missing_a_field_or_with_another_is_refused_once(lib):
    """The columns must be the struct's fields: checked once, at the first chunk, before
    any item runs (not one failure per item), naming the columns, the struct, the task
    and the parameter's position."""
    x = np.arange(100_000, dtype=np.float64)
    fields = "expected a struct of arrays of raytest::Point (fields x, y, label)"
    with pytest.raises(goray.ArgumentError) as caught:
        goray.map("MapNorm", {"x": x, "label": ["a"] * len(x)}, errors="collect")
    error = caught.value
    assert not isinstance(error, goray.MapItemError)
    assert (error.task, error.position) == ("MapNorm", 0)
    assert str(error).startswith(f"position 0: {fields}, received columns 'x', 'label': no "
                                 "column for field 'y' (task MapNorm)")
    with pytest.raises(goray.ArgumentError) as caught:
        goray.map("MapNorm", {"x": x, "y": x, "label": ["a"] * len(x), "z": x})
    assert str(caught.value).startswith(f"position 0: {fields}, received columns 'x', 'y', "
                                        "'label', 'z': 'z' is no field of raytest::Point "
                                        "(task MapNorm)")
    # Items given one by one are each their own value: the one without a field fails alone.
    with pytest.raises(goray.MapArgumentError) as caught:
        goray.map("MapNorm", [{"x": 3.0, "y": 4.0, "label": ""}, {"x": 1.0, "label": ""}])
    assert caught.value.index == 1
    assert "received map without field .y (double, in raytest::Point)" in str(caught.value)


def test_several_results_and_none(lib):
    assert goray.map("MapPair", [1, 2]) == [[2, "1"], [4, "2"]]
    assert goray.map("MapTouch", [1, 2, 3]) is None


def test_the_iterator_forms(lib):
    xs = np.arange(5_000, dtype=np.float64)
    assert list(goray.imap("MapWeighted", xs, weight=2.0, chunk_size=700)) == list(xs * 2)
    pairs = sorted(goray.imap_unordered("MapWeighted", xs, weight=2.0, chunk_size=700))
    assert pairs == [(i, 2.0 * i) for i in range(5_000)]
    chunks = list(goray.map_chunks("MapWeighted", xs, weight=1.0, chunk_size=1_000))
    assert sorted(start for start, _ in chunks) == [0, 1_000, 2_000, 3_000, 4_000]
    for start, part in chunks:
        np.testing.assert_array_equal(part, xs[start:start + len(part)])
    ordered = [start for start, _ in goray.map_chunks("MapWeighted", xs, weight=1.0,
                                                      chunk_size=600, ordered=True)]
    assert ordered == sorted(ordered)


def test_map_refs_returns_a_ref_per_chunk(lib):
    xs = np.arange(10_000, dtype=np.float64)
    refs = goray.map_refs("MapWeighted", xs, weight=3.0, chunk_size=4_000)
    assert refs.starts == [0, 4_000, 8_000]
    np.testing.assert_array_equal(np.concatenate(ray.get(list(refs))), xs * 3.0)
    failing = goray.map_refs("MapFailEvery", list(range(1, 50)), every=7, chunk_size=10)
    with pytest.raises(goray.MapItemError) as caught:
        ray.get(failing[0])
    assert caught.value.index == 6 and caught.value.item == 7


@pytest.mark.ray_versions
def test_the_first_failed_item_is_raised_with_its_index_and_value(lib):
    with pytest.raises(goray.MapItemError) as caught:
        goray.map("MapFailEvery", list(range(1, 100)), every=30, chunk_size=10)
    error = caught.value
    assert (error.index, error.item) == (29, 30)
    assert isinstance(error.cause, goray.NativeError)
    assert "item 30 refused" in str(error) and "item 29 (30)" in str(error)


def test_collect_returns_every_failure_with_the_results(lib):
    results, failures = goray.map("MapFailEvery", np.arange(1, 100), every=30, errors="collect",
                                  chunk_size=16)
    assert [index for index, _ in failures] == [29, 59, 89]
    assert all(isinstance(error.cause, goray.NativeError) for _, error in failures)
    assert results[0] == 10 and results[29] == 0 and results[98] == 990


def _output_files():
    """This driver's map output files in /dev/shm (goray._map.shared_output)."""
    return glob.glob(f"/dev/shm/goray-map-{os.getpid()}-*")


def test_large_array_results_are_written_in_place_by_the_chunks(lib):
    """Results of 1 MiB or more: each chunk writes its part into the map's output file
    (the array map returns is its mapping), in input order; the file is gone after the map."""
    xs = np.linspace(-1.0, 1.0, 400_000)
    results = goray.map("MapPoly", xs, chunk_size=30_000)
    assert isinstance(results.base, mmap.mmap) and results.flags.writeable
    np.testing.assert_allclose(results, poly(xs), rtol=1e-12)
    assert _output_files() == []
    xs = np.arange(300_000, dtype=np.float64)
    pool = goray.ActorPool([goray.golang_actor_class("MapScaler").remote() for _ in range(2)])
    scaled = pool.map("Scale", xs, factor=3.0, chunk_size=40_000)
    assert isinstance(scaled.base, mmap.mmap)
    np.testing.assert_array_equal(scaled, xs * 3.0)
    small = goray.map("MapPoly", xs[:1_000])  # under 1 MiB: a plain array
    assert not isinstance(small.base, mmap.mmap)
    np.testing.assert_allclose(small, poly(xs[:1_000]), rtol=1e-12)


def test_failures_in_place_keep_their_index_and_the_file_goes(lib):
    items = np.arange(1, 200_001)
    results, failures = goray.map("MapFailEvery", items, every=50_000, errors="collect",
                                  chunk_size=30_000)
    assert isinstance(results.base, mmap.mmap) and results.dtype == np.int64
    assert [index for index, _ in failures] == [49_999, 99_999, 149_999, 199_999]
    ok = np.ones(len(items), dtype=bool)
    ok[[index for index, _ in failures]] = False
    np.testing.assert_array_equal(results[ok], items[ok] * 10)
    with pytest.raises(goray.MapItemError) as caught:
        goray.map("MapFailEvery", items, every=150_000, chunk_size=30_000)
    assert (caught.value.index, caught.value.item) == (149_999, 150_000)
    assert _output_files() == []


def test_without_room_for_the_output_file_results_come_back_as_before(lib, monkeypatch):
    from goray._map import shared_output
    monkeypatch.setattr(shared_output, "DIRECTORY", "/nonexistent/goray-shm")
    xs = np.linspace(-1.0, 1.0, 400_000)
    results = goray.map("MapPoly", xs, chunk_size=100_000)
    assert not isinstance(results.base, mmap.mmap)
    np.testing.assert_allclose(results, poly(xs), rtol=1e-12)


def test_a_chunk_writes_only_where_it_can(lib, tmp_path, monkeypatch):
    """A chunk's results go into the output file only on the driver's node, of the map's
    dtype and its item count, while the file is there; else they come back as they are."""
    from goray._ray.py2native import map_chunks
    monkeypatch.setattr(map_chunks, "_NODE", "node-a")
    path = tmp_path / "out"
    path.write_bytes(b"\0" * 80)
    chunk = map_chunks.Chunk(np.arange(3, dtype=np.float64), [], 5)
    header = [3, [True], False, [str(path), "node-a", 4, "<f8"]]
    written = map_chunks.delivered(chunk, header, 7)
    assert (written.results, written.written, written.started_ns) == (None, True, 7)
    np.testing.assert_array_equal(np.frombuffer(path.read_bytes(), "<f8")[4:7], [0.0, 1.0, 2.0])
    for other in ([3, [True], False, [str(path), "node-b", 4, "<f8"]],  # another node
                  [3, [True], False, [str(tmp_path / "gone"), "node-a", 4, "<f8"]],  # no file
                  [4, [True], False, [str(path), "node-a", 4, "<f8"]],  # not its count
                  [3, [True], False]):  # no output file named
        kept = map_chunks.delivered(chunk, other, 7)
        assert kept.written is False and kept.results is chunk.results
    failed = chunk._replace(failures=[(1, ValueError("no"))])
    assert map_chunks.delivered(failed, header, 7).written is False  # errors="raise"
    assert map_chunks.delivered(failed, [3, [True], True, header[3]], 7).written is True


def test_a_wrong_item_names_its_index(lib):
    with pytest.raises(goray.ArgumentError) as caught:
        goray.map("MapPoly", [1.0, 2.0, "three", 4.0])
    assert isinstance(caught.value, goray.MapArgumentError)
    assert caught.value.index == 2 and caught.value.item == "three"
    assert "expected double" in str(caught.value)


def test_a_wrong_dtype_is_refused_before_anything_runs(lib):
    with pytest.raises(goray.ArgumentError, match=r"item 2: .*int64.*2\.5"):
        goray.map("MapFailEvery", np.array([1.0, 2.0, 2.5]), every=0)
    # A conversion every item survives is made.
    assert list(goray.map("MapFailEvery", np.array([1.0, 2.0]), every=0)) == [10, 20]
    with pytest.raises(ValueError, match="different lengths"):
        goray.map("MapWeighted", [1.0, 2.0], [1.0])
    with pytest.raises(goray.ArgumentError, match="one value, not items"):
        goray.map("MapLabel", "abc", prefix="")


def test_a_shared_value_that_does_not_fit_is_refused_before_any_chunk(lib, monkeypatch):
    from goray._map import runner

    def no_chunk(*args, **kwargs):
        pytest.fail("a chunk was sent")

    monkeypatch.setattr(runner, "_submit", no_chunk)
    with pytest.raises(goray.ArgumentError) as caught:
        goray.map("MapWeighted", np.arange(3.0), weight="x")
    error = caught.value
    assert not isinstance(error, ray.exceptions.RayTaskError)  # raised here, not in a worker
    assert (error.task, error.position) == ("MapWeighted", 1)
    assert "parameter 1 (weight)" in str(error)
    assert "expected double, received str" in str(error) and "'x'" in str(error)
    with pytest.raises(goray.ArgumentError, match=r"parameter 1 \(prefix\).*received int"):
        goray.golang_task("MapLabel").map([{"x": 0.0, "y": 0.0, "label": "a"}], prefix=3)
    # A native actor's method: its number parameters' shared values (its loop needs the
    # actor's instance, so other types are checked by the first chunk).
    scaler = goray.golang_actor_class("MapScaler").remote()
    with pytest.raises(goray.ArgumentError,
                       match=r"MapScaler.Scale.*parameter 1 \(factor\).*expected a number "
                             r"\(float64\), received str"):
        goray.ActorPool([scaler]).map("Scale", np.arange(3.0), factor="x")
    monkeypatch.undo()
    assert list(scaler.Scale.map([1.0, 2.0], factor=2.0)) == [2.0, 4.0]
    # A shared ObjectRef is resolved where each chunk runs, so the driver leaves it be.
    np.testing.assert_array_equal(goray.map("MapWeighted", np.arange(3.0), weight=ray.put(2.0)),
                                  np.arange(3.0) * 2.0)
    # Values that fit still map, columns of every kind with them.
    assert goray.map("MapLabel", iter([{"x": 0.0, "y": 0.0, "label": "a"}]),
                     prefix="p-") == ["p-a"]


def test_a_generator_that_raises_fails_the_map(lib):
    def items():
        yield from range(500)
        raise RuntimeError("the input broke")

    with pytest.raises(RuntimeError, match="the input broke"):
        goray.map("MapWeighted", (float(i) for i in items()), weight=1.0, chunk_size=100)


@pytest.mark.ray_versions
@pytest.mark.parametrize("segv", [False, True], ids=["SIGKILL", "SIGSEGV"])
def test_a_crash_part_way_loses_no_item_and_doubles_none(lib, tmp_path, segv):
    # A SIGSEGV goes through goray's crash recovery (the worker files its report and
    # exits); a SIGKILL gives none. Ray runs the lost chunk again either way.
    os.chmod(tmp_path, 0o777)
    results = goray.map("MapCrashOnceAt", list(range(300)), at=123, dir=str(tmp_path),
                        segv=segv, chunk_size=25)
    assert results == [x + 1 for x in range(300)]
    assert (tmp_path / "crashed-123").exists()
    runs = {int(path.name.split("-")[1]): len(path.read_text())
            for path in tmp_path.glob("ran-*")}
    assert sorted(runs) == list(range(300))
    # Only the crashed chunk's items before the crash ran twice.
    assert {x for x, count in runs.items() if count > 1} <= set(range(100, 123))


@pytest.mark.ray_versions
def test_closing_an_iterator_cancels_what_is_in_flight(lib):
    started = time.monotonic()
    items = goray.imap("MapSlowSquare", np.arange(2_000, dtype=np.float64), chunk_size=10,
                       max_in_flight=4)
    assert next(items) == 0.0
    items.close()
    assert goray.map("MapWeighted", [1.0], weight=2.0) == [2.0]
    assert time.monotonic() - started < 30  # not the 40 s the whole input takes


# A program (a job of its own on the session's Ray) that Ctrl-C interrupts ROUNDS times
# while its map's chunks run, each time going on after catching KeyboardInterrupt, and
# waiting until the cancelled chunks have ended, which is when Ray aborts a process whose
# cancel fell between the two steps of a chunk's reply (goray/_ray/cancellation/cancels.py).
INTERRUPTED_MAPS = """
import os, signal, sys, threading, time
import numpy as np
import goray

signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C as in a terminal
goray.init(sys.argv[1], py_defs_path={defs!r}, cluster=True)
# Every worker up first, so that each interrupt comes while chunks run and end.
goray.map("MapSlowSquare", np.zeros(8), chunk_size=1, max_in_flight=8)
xs = np.arange(4_000, dtype=np.float64)  # 20 s on 4 CPUs, in chunks of 0.4 s
for round_ in range({rounds}):
    ran_finally = False
    timer = threading.Timer(0.25, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        try:
            goray.map("MapSlowSquare", xs, chunk_size=20)
            print("FINISHED", round_, flush=True)
        finally:
            ran_finally = True
    except KeyboardInterrupt:
        print("INTERRUPTED", round_, ran_finally, round(time.monotonic() - started, 2), flush=True)
    timer.join()
    time.sleep(0.6)  # the cancelled chunks end meanwhile
print("ALIVE", goray.map("MapWeighted", [1.0], weight=2.0), flush=True)
"""


# Tier 2: a script of its own interrupted several times
@pytest.mark.tier2
@pytest.mark.ray_versions
def test_ctrl_c_during_a_task_map_raises_keyboard_interrupt_every_time(tmp_path, lib):
    # Issue 53: with the chunks' cancels sent from the caller's thread, Ray 2.40 aborted
    # this process (task_manager.cc "Tried to complete task that was not pending", no
    # traceback, no finally) within its 10 rounds in 5 of 7 runs, and Ray 2.60 in 3 of 3;
    # from Ray's IO thread, in none of 6 and none of 3.
    rounds = 10
    output = run_script(tmp_path, INTERRUPTED_MAPS.format(defs=str(DEFS), rounds=rounds), join=lib)
    lines = [line.split() for line in output.splitlines()]
    interrupted = [line for line in lines if line[0] == "INTERRUPTED"]
    assert [line[1:3] for line in interrupted] == [[str(r), "True"] for r in range(rounds)], output
    # Ctrl-C ends the map promptly: Ray's wait notices it within a second, then the
    # chunks in flight are cancelled without waiting for the running ones.
    assert all(float(line[3]) < 5 for line in interrupted), output
    assert ["ALIVE", "[2.0]"] in lines, output


@pytest.mark.ray_versions
def test_an_actor_method_maps_on_that_actor(lib):
    accumulator = goray.golang_actor_class("MapAccumulator").remote(0.0)
    xs = np.ones(10_000)
    totals = accumulator.Add.map(xs, chunk_size=1_000)
    np.testing.assert_array_equal(totals, np.cumsum(xs))
    assert ray.get(accumulator.Total.remote()) == 10_000.0


def test_a_pool_spreads_chunks_over_native_actors(lib):
    scalers = [goray.golang_actor_class("MapScaler").options(max_concurrency=2).remote()
               for _ in range(2)]
    pool = goray.ActorPool(scalers)
    xs = np.arange(20_000, dtype=np.float64)
    np.testing.assert_array_equal(pool.map("Scale", xs, factor=3.0, chunk_size=1_000), xs * 3)
    assert list(pool.imap(scalers[0].Scale, [1.0, 2.0], factor=2.0)) == [2.0, 4.0]


@ray.remote
class Doubler:
    def double(self, x):
        return 2 * x


@pytest.mark.ray_versions
def test_a_pool_takes_python_actors(lib):
    pool = goray.ActorPool([Doubler.remote(), Doubler.remote()])
    assert pool.map("double", range(1_000), chunk_size=100) == [2 * x for x in range(1_000)]


def test_python_functions_map_too(lib):
    assert goray.map(lambda x: x + 1, range(100)) == list(range(1, 101))

    @ray.remote(num_cpus=1)
    def square(x):
        return x * x

    assert goray.map(square, [1, 2, 3]) == [1, 4, 9]


def test_a_generated_stub_and_golang_task_have_the_forms(lib):
    task = goray.golang_task("MapWeighted")
    np.testing.assert_array_equal(task.map(np.ones(3), weight=2.0), [2.0, 2.0, 2.0])
    from goray._stubs import Task
    stub = Task("MapWeighted", "")
    assert stub.map([1.0], weight=3.0) == [3.0]
    assert list(stub.imap([1.0], weight=3.0)) == [3.0]


def test_goray_map_from_the_cpp_driver_and_inside_a_task(lib):
    # goray::Map calls goray._map.native.map_for_native in the driver's process.
    from goray._ray import driver
    assert driver.run_driver(lib, ["map"]) == 0
    inside = ray.get(goray.golang_task("MapInsideTask").remote(1_000))
    assert inside == pytest.approx(1_000 * poly(np.array([0.5]))[0])
