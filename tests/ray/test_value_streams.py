"""goray.stream: a native generator's items as Python values on Ray, the items the
generator already made carried together in one Ray object (goray/_ray/streaming/value_groups.py),
each item handed out once and in order, also when Ray runs the stream again after a
crash. The test generators: tests/apps/raytest/streams.cpp and crashes.cpp."""
import asyncio
import time

import numpy
import pytest
import ray

import goray
from goray._ray.streaming import value_groups
from goray._ray.worker import bodies

from conftest import needs_task_names

# In the subset of scripts/test-ray-versions.sh, every Ray release's.
pytestmark = pytest.mark.ray_versions


def test_a_generator_tasks_values_come_in_order_in_fewer_objects_than_items(lib):
    stream = goray.stream(goray.golang_task("CountUp"), 3000)
    assert isinstance(stream, goray.ItemStream) and stream.grouped == bodies.task_names()
    assert list(stream) == list(range(3000))
    if not bodies.task_names():
        return  # (Ray 2.40: one item per object, the values as above)
    # The same items through the ObjectRefGenerator underneath: groups, fewer than the items.
    groups = [ray.get(ref) for ref in goray.stream(goray.golang_task("CountUp"), 3000).generator]
    assert len(groups) < 3000
    assert [value for group in groups for value in group[1:]] == list(range(3000))
    assert groups[-1][0] < 0  # the last object carries the end mark


def test_empty_and_one_item_streams(lib):
    count_up = goray.golang_task("CountUp")
    assert list(goray.stream(count_up, 0)) == []
    assert list(goray.stream(count_up.options(max_retries=0), 1)) == [0]


def test_slow_items_each_come_as_soon_as_made(lib):
    stream = goray.stream(goray.golang_task("SlowCount"), 50, 100)
    assert next(stream) == 0  # long before the 5 s the task takes
    done, _ = ray.wait([stream.generator.completed()], timeout=0)
    assert not done
    stream.close()
    with pytest.raises(StopIteration):
        next(stream)


def test_an_actors_generator_method_with_and_without_options(lib):
    streamer = goray.golang_actor_class("Streamer").remote("p")
    assert list(goray.stream(streamer.Range, 3)) == ["p0", "p1", "p2"]
    assert list(goray.stream(streamer.Range.options(max_task_retries=1), 2)) == ["p0", "p1"]


def test_arrays_arrive_as_numpy_arrays(lib):
    items = list(goray.stream(goray.golang_task("ArrayItems"), 3, 4))
    assert [item.tolist() for item in items] == [[float(i)] * 4 for i in range(3)]
    assert all(isinstance(item, numpy.ndarray) for item in items)


def test_an_error_comes_after_the_items_before_it_then_the_stream_ends(lib):
    stream = goray.stream(goray.golang_task("FailAfter"), 3)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(goray.NativeError, match="stream broke after 3 items"):
        next(stream)
    with pytest.raises(StopIteration):
        next(stream)


def test_a_crash_mid_stream_is_retried_and_every_item_comes_once(lib, tmp_path):
    # The first run groups its items and dies after 2000 of them; Ray's retry makes one
    # item per object and Ray takes its objects from the first run's count on, which is
    # behind the items already handed out: those are skipped, none is lost or repeated.
    task = goray.golang_task("CrashOnceMidStream").options(max_retries=1)
    marker = tmp_path / "crashed"
    assert list(goray.stream(task, str(marker), 3000, 2000, 300)) == list(range(3000))
    assert marker.exists()  # the first run did crash


def test_an_actors_stream_retried_after_its_actor_restarts_has_every_item_once(lib, tmp_path):
    crasher = goray.golang_actor_class("Crasher").options(max_restarts=1, max_task_retries=1).remote(1)
    marker = tmp_path / "crashed"
    items = goray.stream(crasher.CountCrashingOnce, str(marker), 3000, 2000, 300)
    assert list(items) == list(range(3000))
    assert marker.exists()
    ray.kill(crasher)


def first_item(group):
    """The item a values stream's object starts at (a negative start marks the last)."""
    return group[0] if group[0] >= 0 else -group[0] - 1


@needs_task_names
def test_a_retried_run_makes_one_item_per_object_from_where_ray_takes_its_objects(lib, tmp_path):
    task = goray.golang_task("CrashOnceMidStream").options(max_retries=1)
    objects = [ray.get(ref) for ref in goray.stream(task, str(tmp_path / "m"), 3000, 2000, 300).generator]
    made = 0  # items in the objects before
    for index, group in enumerate(objects):
        if first_item(group) < made:
            break  # the retry's first object Ray took: it starts behind
        made += len(group) - 1
    else:
        pytest.fail("no object of the retry")
    assert any(len(group) > 2 for group in objects[:index])  # the first run grouped
    retried = objects[index:]
    if len(retried[-1]) == 1:  # the end alone: the generator ended after its last batch went
        assert retried[-1] == value_groups.end_mark(3000)
        retried = retried[:-1]
    assert [len(group) for group in retried] == [2] * len(retried)
    assert [first_item(group) for group in retried] == list(range(index, 3000))
    order = value_groups.ItemOrder("CrashOnceMidStream")
    assert [value for group in objects for value in order.take(group)] == list(range(3000))
    assert order.ended


def test_a_caller_named_call_is_one_value_per_object(lib):
    stream = goray.stream(goray.golang_task("CountUp").options(name="my counter"), 5)
    assert not stream.grouped
    assert list(stream) == [0, 1, 2, 3, 4]


def test_async_iteration(lib):
    async def collect():
        return [value async for value in goray.stream(goray.golang_task("CountUp"), 600)]
    assert asyncio.run(collect()) == list(range(600))


# (A cancel that overtook its task once let it run to its end: goray._ray.cancellation.stream_cancels
# sends it again.) Before Ray 2.54 a running task learns of a cancel only by Ray's
# interrupt of its main thread, which did nothing in a worker that inherited an ignored
# SIGINT (CI's runner starts it as a background job): this test was an expected failure
# there until goray put Python's handler back (goray/_ray/cancellation/interrupts.py,
# test_cancel_ignored_sigint.py). From 2.54 the body also reads the worker's cancel flag.
def test_close_cancels_the_generator(lib):
    with goray.stream(goray.golang_task("SlowCount"), 1000, 20) as stream:
        assert next(stream) == 0
    with pytest.raises(StopIteration):
        next(stream)
    started = time.monotonic()
    # The task ends with TaskCancelledError, or (a cancel that overtook its task, which
    # Ray then skips or runs as a success: goray._ray.cancellation.stream_cancels) as a success, but
    # soon either way: goray sends the cancel again, so it never runs its 20 s.
    try:
        ray.get(stream.generator.completed(), timeout=60)
    except ray.exceptions.TaskCancelledError:
        pass
    assert time.monotonic() - started < 15  # not its 20 s to the end


def test_what_goray_stream_refuses(lib):
    streamer = goray.golang_actor_class("Streamer").remote("p")

    @ray.remote
    class PythonActor:
        def items(self):
            yield 1
    with pytest.raises(goray.GorayError, match="task Square is not a generator"):
        goray.stream(goray.golang_task("Square"), 2.0)
    with pytest.raises(goray.GorayError, match="method Streamer.Count is not a generator"):
        goray.stream(streamer.Count)
    python_actor = PythonActor.remote()  # (kept: before Ray 2.48 a method holds it weakly)
    with pytest.raises(TypeError, match="is a method of a Python actor"):
        goray.stream(python_actor.items)
    with pytest.raises(TypeError, match="goray.stream takes a native generator task"):
        goray.stream(len, [1])
    with pytest.raises(goray.GorayError, match="ends in '/values'"):
        goray.stream(streamer.Range.options(name="x/values"), 1)
    with pytest.raises(goray.GorayError, match="ends in '/values'"):
        goray.golang_task("CountUp").options(name="GolangTask.CountUp/py/values").remote(1)
    # The worker packs the arguments for C++: a wrong one raises from the first next().
    with pytest.raises(goray.ArgumentError,
                       match=r"position 0: expected int64_t, received str \(task CountUp\)"):
        next(goray.stream(goray.golang_task("CountUp"), "three"))

@needs_task_names
def test_the_objects_of_a_values_stream_are_what_value_groups_frames(lib):
    # The body's objects read through Ray as ItemOrder reads them (the format is one module's).
    order = value_groups.ItemOrder("CountUp")
    values = []
    for ref in goray.stream(goray.golang_task("CountUp"), 700).generator:
        values += order.take(ray.get(ref))
    order.finish()
    assert values == list(range(700))
