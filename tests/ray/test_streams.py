"""Native generators (goray::Generator<T>) streamed to Python callers on Ray: a
generator task's or method's .remote() is a ray.ObjectRefGenerator whose items are
Python values, each available as it is produced; an error mid-stream arrives as the
next item, then the stream ends; ray.cancel stops the C++ generator (its cleanup
runs). Also native callers' items (NativeBlocks) passed on to C++ tasks, and the
options a streaming call accepts. The test generators: tests/apps/raytest/streams.cpp."""
import types

import numpy
import pytest
import ray

import goray
from goray import _codec, _stores
from goray._ray.streaming import generators, value_groups
from goray._ray.values import objects
from goray._ray.worker import bodies
from goray._ray.values.objects import NativeBlock, to_python
from ref_table import wait_until

from conftest import needs_cancel_flag, needs_task_names

# In the subset of scripts/test-ray-versions.sh, every Ray release's.
pytestmark = pytest.mark.ray_versions


def items(generator):
    return [ray.get(ref) for ref in generator]


def test_count_up_streams_its_items_in_order(lib):
    generator = goray.golang_task("CountUp").remote(5)
    assert isinstance(generator, ray.ObjectRefGenerator)
    assert items(generator) == [0, 1, 2, 3, 4]
    assert items(goray.golang_task("CountUp").remote(0)) == []


def test_the_first_item_is_there_while_the_task_still_runs(lib):
    # 50 items, 100 ms apart: the first is read long before the task ends.
    generator = goray.golang_task("SlowCount").remote(50, 100)
    first = next(generator)
    assert ray.get(first) == 0
    done, _ = ray.wait([generator.completed()], timeout=0)
    assert not done  # the generator task is still running
    ray.cancel(generator)


def _handed_off(tmp_path, items, per_step, first_ms):
    """HandOff's items as this consumer gets them, making the file each later step
    waits for once it has the step before: an item held back in the worker until that
    wait ends would never come, and HandOff gives up after 30 s with the item -1."""
    received = []
    for ref in goray.golang_task("HandOff").remote(str(tmp_path), items, per_step, first_ms, 30000):
        received.append(ray.get(ref))
        if received[-1] >= 0 and len(received) % per_step == 0:
            (tmp_path / str(len(received) // per_step)).touch()
    return received


def test_an_item_made_before_a_wait_is_not_held_back_by_it(lib, tmp_path):
    # A stream's first batch in the worker is its first item alone: item 0 comes while
    # the generator waits for the consumer to have it. (Only the first: after quick
    # items, nothing tells the worker that the next one will take long.)
    assert _handed_off(tmp_path, 2, 1, 0) == [0, 1]


def test_items_made_at_once_are_not_held_back_by_the_work_before_the_next_ones(lib, tmp_path):
    # Pairs made at once, after 50 ms of work before the first: once an item has been
    # that slow, the worker's batch starts no further item after its first (the second
    # of each pair comes while the generator waits for the consumer to have it).
    assert _handed_off(tmp_path, 8, 2, 50) == list(range(8))


def test_an_error_mid_stream_is_the_next_item_then_the_stream_ends(lib):
    generator = goray.golang_task("FailAfter").remote(2)
    assert ray.get(next(generator)) == 0
    assert ray.get(next(generator)) == 1
    with pytest.raises(goray.NativeError) as failure:
        ray.get(next(generator))
    assert "stream broke after 2 items" in str(failure.value)
    with pytest.raises(StopIteration):
        next(generator)


# (A cancel that overtook its task once ended the stream as finished: goray._ray.
# stream_cancels; test_cancel_stress.py cancels many times in reused workers.)
def test_cancel_mid_stream_raises_task_cancelled_error(lib):
    # Several times: Ray's interrupt lands wherever the worker is (in C++ or in Python
    # between items), and each time the stream must end with TaskCancelledError.
    # 300 items of 20 ms: 6 s, far longer than a cancel takes to land, and what each
    # round waits where the worker runs on (before Ray 2.54, a worker whose SIGINT was
    # ignored, until goray/_ray/cancellation/interrupts.py: docs/reliability.md "Cancelled streams").
    endings = []
    for _ in range(5):
        generator = goray.golang_task("SlowCount").remote(300, 20)
        assert ray.get(next(generator)) == 0
        ray.cancel(generator)
        received = 1
        try:
            for ref in generator:
                ray.get(ref)
                received += 1
        except ray.exceptions.TaskCancelledError:
            pass
        else:
            endings.append(f"{received} items, then {_task_outcome(generator)}")
        assert received < 300
    # What a normal end looked like, so that the next failure says more than the last.
    assert not endings, (f"{len(endings)} of 5 cancelled C++ streams ended normally: "
                         + "; ".join(endings))


def _task_outcome(generator):
    """How Ray's owner saw the generator's task end (its own return object)."""
    try:
        ray.get(generator._generator_ref, timeout=10)
    except Exception as error:  # noqa: BLE001 - described, not raised
        return f"the task's result raised {type(error).__name__}"
    return "the task's result was a success (its worker returned normally)"


@ray.remote(max_concurrency=2)
class StreamHost:
    """Runs the Ray body of a generator task as its own generator method, so the
    C++ frames live in this actor's process, where StreamsAlive counts them."""

    def stream(self, name, *args):
        from goray._ray.py2native import callees as py2native  # noqa: F401  (the generator bodies)
        from goray._ray.streaming import generators
        yield from generators.task_body(name)(*args)

    def alive(self):
        bodies.ready_library()
        return goray.golang_local_run_task("StreamsAlive")


@needs_cancel_flag
def test_cancel_runs_the_cpp_cleanup_in_the_worker(lib):
    host = StreamHost.remote()
    try:
        base = ray.get(host.alive.remote())
        generator = host.stream.remote("SlowCount", 1000, 20)
        assert ray.get(next(generator)) == 0
        assert ray.get(host.alive.remote()) == base + 1
        ray.cancel(generator)
        with pytest.raises(ray.exceptions.TaskCancelledError):
            for ref in generator:
                ray.get(ref)
        # The body saw the flag between items and closed the stream (CloseStream).
        wait_until(lambda: ray.get(host.alive.remote()) == base,
                   "the cancelled generator's frame destroyed in the actor's process")
    finally:
        ray.kill(host)


@ray.remote
def _cancel_check_in_a_task():
    from goray._ray.streaming import generators
    check = generators.cancel_check()
    return check is not generators._never, check()


@ray.remote
class _AsyncHost:
    async def check(self):
        from goray._ray.streaming import generators
        return generators.cancel_check() is generators._never


def test_cancel_check_reads_the_workers_flag(lib):
    from conftest import _has_cancel_flag
    from goray._ray.streaming import generators
    # In a task: the core worker's flag (not cancelled; before Ray 2.54, which has none,
    # nothing to ask); in the driver and an async actor (where Ray has no flag to read)
    # never cancelled, as the public call says.
    assert ray.get(_cancel_check_in_a_task.remote()) == (_has_cancel_flag(), False)
    assert generators.cancel_check()() is False
    host = _AsyncHost.remote()
    try:
        assert ray.get(host.check.remote()) is True
    finally:
        ray.kill(host)


def test_actor_generator_method_streams(lib):
    streamer = goray.golang_actor_class("Streamer").remote("p")
    try:
        generator = streamer.Range.remote(3)
        assert isinstance(generator, ray.ObjectRefGenerator)
        assert items(generator) == ["p0", "p1", "p2"]
        assert isinstance(ray.get(streamer.Count.remote()), int)
    finally:
        ray.kill(streamer)


def test_array_items_are_numpy_arrays(lib):
    received = items(goray.golang_task("ArrayItems").remote(3, 4))
    assert len(received) == 3
    for index, item in enumerate(received):
        assert isinstance(item, numpy.ndarray) and item.dtype == numpy.float64
        assert item.tolist() == [float(index)] * 4


def _flattened(values):
    """A native caller's stream values with each group (a list) as its items."""
    return [item for value in values for item in (value if type(value) is list else [value])]


@needs_task_names
def test_native_callers_items_are_raw_blocks_grouped_when_read_ahead_together(lib):
    # A native caller's form (an args block first, the Ray task name native callers
    # use): a small item is its block's bytes, which Ray stores without pickling, and
    # items the generator made together travel as one object, a [start, item, ...] group
    # (value_groups.NativeFrames), under the Ray task name generators.grouped_options gives.
    expected = [_codec.pack(i) for i in range(600)]
    plain = bodies.native_task("CountUp").options(name="GolangTask.CountUp")
    assert [ray.get(ref) for ref in plain.remote(_codec.pack(600))] == expected
    options = generators.grouped_options("GolangTask.CountUp", {"max_retries": 2})
    assert options == {"max_retries": 2, "name": "GolangTask.CountUp" + generators.GROUPED_SUFFIX}
    native = bodies.native_task("CountUp").options(**options)
    values = [ray.get(ref) for ref in native.remote(_codec.pack(600))]
    assert values[0] == expected[0]  # a stream's first batch is its first item: alone
    groups = [value for value in values if type(value) is list]
    assert len(values) < 600 and groups[-1] == [-601]  # grouped, then the end mark
    for group in groups[:-1]:  # a read-ahead batch of one item (a loaded machine) is a group of one
        assert len(group) >= 2 and sum(map(len, group[1:])) <= value_groups.GROUP_BYTES
    assert any(len(group) >= 3 for group in groups)
    order = value_groups.ItemOrder("stream of CountUp")
    handed = [item for index, value in enumerate(values)
              for item in (order.take(value) if type(value) is list
                           else [value] if order.take_alone(index) else [])]
    assert handed == expected and order.ended


@needs_task_names
def test_grouped_options_name_the_call_unless_the_caller_did():
    assert generators.grouped_options("Streamer.Range", {}) == {"name": "Streamer.Range/grouped"}
    assert generators.grouped_options("Streamer.Range", {"name": "mine"}) == {"name": "mine"}
    for given in ("x/grouped", "Streamer.Range/grouped"):
        with pytest.raises(goray.GorayError, match="ends in '/grouped', which goray keeps"):
            generators.grouped_options("Streamer.Range", {"name": given})


def test_native_callers_item_refs_pass_on_to_a_cpp_task(lib):
    # Where native code hands a stream item's ref on (here as an argument), the objects
    # store gives a ref holding the NativeBlock instead, as every native producer's ref
    # does: for an item with a ref of its own (RAW_ITEMS, its value the block's bytes)
    # and for one NextStreamRef took out of a group (HELD_ITEM, the bytes themselves).
    raw = [_stores.objects.add(_stores.StoredObject(ray.put(_codec.pack(i)), "CountUp",
                                                    _stores.RAW_ITEMS)) for i in range(2)]
    held = [_stores.objects.add(_stores.StoredObject(_codec.pack(i), "CountUp", _stores.HELD_ITEM))
            for i in range(2, 4)]
    ids = raw + held
    try:
        moved = [objects.escaped(i, _stores.objects.get(i)) for i in ids]
        assert all(type(ray.get(entry.ref)) is NativeBlock and entry.native is True for entry in moved)
        assert all(_stores.objects.get(i) == entry for i, entry in zip(ids, moved))
        assert objects.escaped(ids[0], moved[0]) is moved[0]  # once: then an ordinary entry
        assert objects.escaped(ids[2], moved[2]) is moved[2]
        square = bodies.native_task("Square").options(name="GolangTask.Square")
        squares = [square.remote(b"", (0,), entry.ref) for entry in moved]  # resolved at 0
        # (each result a small block: its bytes, objects.native_result)
        assert [to_python(objects.native_value(block)) for block in ray.get(squares)] == [0.0, 1.0, 4.0, 9.0]
    finally:
        for i in ids:
            _stores.objects.pop(i)


def test_a_native_callers_large_item_stays_a_native_block(lib):
    # From OUT_OF_BAND_FROM bytes a block stays a NativeBlock (its data out of band).
    native = bodies.native_task("ArrayItems").options(name="GolangTask.ArrayItems")
    size = objects.OUT_OF_BAND_FROM // 8 + 16
    refs = list(native.remote(_codec.pack(2) + _codec.pack(size)))
    assert [type(ray.get(ref)) for ref in refs] == [NativeBlock, NativeBlock]


def test_streaming_option_only_for_generators(lib):
    assert items(goray.golang_task("CountUp", num_returns="streaming").remote(2)) == [0, 1]
    with pytest.raises(goray.GorayError, match="task Square is not a generator"):
        goray.golang_task("Square").options(num_returns="streaming").remote(2.0)
    with pytest.raises(goray.GorayError, match="num_returns=2 is not supported"):
        goray.golang_task("Square", num_returns=2).remote(2.0)
