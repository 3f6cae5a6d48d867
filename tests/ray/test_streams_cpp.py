"""C++ callers consuming streams on Ray (goray::Stream, tests/apps/raytest/
stream_consumers.cpp): a C++ task iterates a C++ generator task, a Python generator
task (stream_defs.py's py_count) and a C++ actor's generator method item by item; an
error mid-stream is the next item's Get, then the stream ends; Cancel() stops the
generator. The driver's side: Native2Py 5/16/13 with num_returns="streaming" and
NextStreamRef 36 (goray._ray.streaming.generators)."""
import pytest
import ray

import goray

from conftest import _has_task_names

#: Whether small items travel in groups here (not on Ray 2.40, which has no task names:
#: one item per object there, every value the same).
GROUPS = _has_task_names()


def run(name, *args):
    return ray.get(goray.golang_task(name).remote(*args))


@pytest.mark.ray_versions
def test_a_cpp_task_sums_a_cpp_generator(lib):
    assert run("SumStream", 10) == sum(range(10))
    assert run("SumStream", 0) == 0


def test_a_cpp_tasks_stream_items_pass_on_as_arguments_and_inside_values(lib):
    # Small items of a C++ stream are stored as their blocks' bytes; handed on (to a
    # C++ task, a Python task, inside a list), each reader still gets the value.
    total = sum(range(12))
    assert run("PassStreamItemsOn", 12) == [2 * total, total, total, total]


def test_a_consumer_holding_every_cpu_lets_its_producer_run_while_it_waits(lib):
    # The consumer task takes all 4 CPUs of the session, so its producer (py_count, 1
    # CPU) only starts once the consumer's wait tells the raylet it blocked: the wait on
    # the item's callback (goray._ray.streaming.stream_waits) gives way to Ray's own.
    consumer = goray.golang_task("SumPyStream").options(num_cpus=4)
    assert ray.get(consumer.remote(50), timeout=20) == sum(range(50))


@pytest.fixture
def group_sizes(monkeypatch):
    """The number of items behind each object the driver's NextStreamRef takes from a
    stream (more than 1: a group), for native consumers run in the driver."""
    from goray._ray.native2py import next_stream_ref
    sizes = []
    items_of = next_stream_ref._items_of

    def spy(entry, ref):
        items = items_of(entry, ref)
        sizes.append(len(items))
        return items
    monkeypatch.setattr(next_stream_ref, "_items_of", spy)
    return sizes


def test_a_streams_items_come_in_groups_handed_out_item_by_item(lib, group_sizes):
    # CountUp consumed here in the driver (golang_local_run_task), with Ray's default
    # retries and with max_retries=0: its small items travel in groups, which
    # NextStreamRef hands out one by one (the end mark holds none).
    n = 3000
    for consumer in ("SumStream", "SumStreamOnce"):
        group_sizes.clear()
        assert goray.golang_local_run_task(consumer, n) == sum(range(n))
        assert sum(group_sizes) == n, group_sizes
        # (How many items a group holds depends on how far the producer runs ahead: under
        # load a full CI run saw 634 groups for 3,000 items. Without groups there are n.)
        assert (max(group_sizes) > 1 and len(group_sizes) < n / 2) == GROUPS, group_sizes


@pytest.mark.ray_versions
def test_a_stream_ray_runs_again_after_a_crash_hands_out_each_item_once(lib, tmp_path, group_sizes):
    # CrashOnceMidStream's first run groups its items and dies after 2000 of them; Ray's
    # retry sends each item alone, from the first run's count of objects on, which is
    # behind the items already handed out: NextStreamRef skips those (value_groups.ItemOrder).
    n = 3000
    total, count = goray.golang_local_run_task("SumCrashOnceStream", str(tmp_path / "m"), n, 2000, 300)
    assert (total, count) == (sum(range(n)), n)
    if GROUPS:
        assert max(group_sizes) > 1 and 0 in group_sizes, group_sizes  # groups, then repeats skipped
    # In a C++ task (its worker's driver layer) too.
    assert run("SumCrashOnceStream", str(tmp_path / "t"), n, 2000, 300) == [sum(range(n)), n]


def test_large_items_after_a_group_come_in_groups_of_one_and_pass_on(lib, monkeypatch, group_sizes):
    # 300 one-element vectors go in groups; the 3 vectors of 20,000 doubles (160 KB,
    # NativeBlocks) after them come in groups of one, and NextStreamRef gives each a ref
    # of its own (ray.put), which the consumer reads and hands to a C++ task. Whether the
    # small items group is timing: a read-ahead batch ends once an item took longer than
    # its 200 us budget, and under load a stall can keep every small item alone (then so
    # are the large ones, each its own object: no put). So a run without a group is
    # checked as such, and another is tried until one groups.
    from goray._ray.native2py import next_stream_ref
    put = []
    real_put = next_stream_ref.ray.put
    monkeypatch.setattr(next_stream_ref.ray, "put", lambda value: put.append(value) or real_put(value))
    small, large, size = 300, 3, 20000
    for _ in range(10):
        put.clear()
        group_sizes.clear()
        read, passed = goray.golang_local_run_task("SumSmallThenLarge", small, large, size)
        assert read == sum(range(small)) + size * sum(range(small, small + large))
        assert passed == size * (small + large - 1)
        grouped = max(group_sizes) > 1
        assert len(put) == (large if grouped else 0), (put, group_sizes)
        if grouped or not GROUPS:
            break
    assert grouped == GROUPS, group_sizes


def test_items_taken_out_of_a_group_read_wait_and_pass_on(lib):
    # Held items (no ref of their own): a second Get and a Wait go to the driver, which
    # answers from the held bytes; handed on (a C++ task, a Python task, inside a
    # list), each gets a ref made for it.
    n = 400
    total = sum(range(n))
    assert run("PassGroupedItemsOn", n) == [2 * total, total, total, total, 2 * total]


# Tier 2: a leak check over many groups; the groups themselves run in tier 1
@pytest.mark.tier2
def test_grouped_items_leave_nothing_in_the_objects_store(lib, group_sizes):
    # Held items, the refs made for those handed on, and the stream: all released with
    # the C++ consumer's last copies (run in the driver, so its store is this one).
    from goray import _stores
    before = len(_stores.objects)
    for _ in range(3):
        total = sum(range(300))
        assert goray.golang_local_run_task("PassGroupedItemsOn", 300) == [2 * total, total, total, total,
                                                                           2 * total]
        assert goray.golang_local_run_task("SumStreamOnce", 2000) == sum(range(2000))
    assert (max(group_sizes) > 1) == GROUPS
    assert len(_stores.objects) == before


def test_an_error_after_a_group_then_the_end(lib, group_sizes):
    # Enough items that some travel in groups even when the consumer keeps pace (a loaded
    # machine: 50 items came one by one).
    n = 2000
    seen = goray.golang_local_run_task("StreamUntilErrorOnce", n)
    assert seen[:n] == [str(i) for i in range(n)] and len(seen) == n + 1, seen[n:]
    assert f"stream broke after {n} items" in seen[n]
    assert (max(group_sizes) > 1) == GROUPS, group_sizes


def test_a_cpp_actors_stream_is_grouped(lib, group_sizes):
    assert goray.golang_local_run_task("RangeOfActor", "x", 500) == [f"x{i}" for i in range(500)]
    assert sum(group_sizes) == 500 and (max(group_sizes) > 1) == GROUPS, group_sizes
    assert run("RangeOfActor", "y", 300) == [f"y{i}" for i in range(300)]


@pytest.mark.ray_versions
def test_a_cpp_task_sums_a_python_generator(lib):
    assert run("SumPyStream", 10) == sum(range(10))


def test_an_error_mid_stream_then_the_end(lib):
    seen = run("StreamUntilError", 3)
    assert seen[:3] == ["0", "1", "2"]
    assert len(seen) == 4, seen  # the error's item, then nothing
    assert "stream broke after 3 items" in seen[3]


@pytest.mark.ray_versions
def test_a_cpp_actor_generator_method(lib):
    assert run("RangeOfActor", "x", 3) == ["x0", "x1", "x2"]


@pytest.mark.ray_versions
def test_cancel_mid_stream_stops_the_generator(lib):
    assert run("CancelMidStream") < 998  # nowhere near the 1000 items SlowCount makes


# The driver's commands, sent here as the C++ runtime sends them.

import json  # noqa: E402
import struct  # noqa: E402

from goray import _codec, _handlers, _stores  # noqa: E402
from goray._protocol import Native2Py, pack_u64, pack_units, unpack_u64  # noqa: E402


def command(number, data):
    """What the driver answers the library (goray._handlers.dispatch)."""
    return _handlers.dispatch(int(number), memoryview(data))


def submit(number, args, **meta):
    block = b"".join(_codec.pack(arg) for arg in args)
    return command(number, pack_units(block, json.dumps(meta).encode()))


def stream_of(name, *args):
    code, reply = submit(Native2Py.EXE_REMOTE_TASK, args, goray_task_name=name,
                         num_returns="streaming")
    assert code == 0, reply
    return unpack_u64(reply)


def next_ref(stream_id, timeout=-1.0):
    return command(Native2Py.NEXT_STREAM_REF, struct.pack("<Qd", stream_id, timeout))


def get(object_id):
    return command(Native2Py.GET_OBJECT, json.dumps([object_id, -1, True]).encode())


def release(object_id):
    return command(Native2Py.RELEASE_OBJECT, pack_u64(object_id))


@pytest.mark.ray_versions
def test_next_stream_ref_gives_each_item_then_the_end(lib):
    stream_id = stream_of("CountUp", 3)
    values = []
    while True:
        code, reply = next_ref(stream_id)
        assert code == 0, reply
        if not reply:
            break
        code, value = get(unpack_u64(reply))
        assert code == 0, value
        values.append(_codec.unpack(value))
    assert values == [0, 1, 2]
    assert next_ref(stream_id) == (0, b"")  # ended: stays ended
    assert release(stream_id) == (0, b"")
    assert next_ref(stream_id)[0] == 4  # released: unknown


def test_next_stream_ref_with_the_value_flag_sends_small_values_inline(lib):
    # Flag 1: the item's id, then 01 and its value as GetObject would reply it (the ref
    # stays an object: GetObject still reads it); an error item is the id alone.
    stream_id = stream_of("FailAfter", 2)
    for expected in (0, 1):
        code, reply = command(Native2Py.NEXT_STREAM_REF, struct.pack("<QdQ", stream_id, -1.0, 1))
        assert code == 0, reply
        assert reply[8:9] == b"\x01" and _codec.unpack(reply[9:]) == expected
        object_id = unpack_u64(reply[:8])
        code, value = get(object_id)
        assert code == 0 and _codec.unpack(value) == expected
    code, reply = command(Native2Py.NEXT_STREAM_REF, struct.pack("<QdQ", stream_id, -1.0, 1))
    assert code == 0 and len(reply) == 8, reply
    code, text = get(unpack_u64(reply))
    assert code == 5 and b"stream broke after 2 items" in text
    release(stream_id)
    # A value over 64 KiB (10000 doubles) is left to GetObject.
    stream_id = stream_of("ArrayItems", 1, 10000)
    code, reply = command(Native2Py.NEXT_STREAM_REF, struct.pack("<QdQ", stream_id, -1.0, 1))
    assert code == 0 and len(reply) == 8, reply
    release(unpack_u64(reply))
    release(stream_id)
    assert command(Native2Py.NEXT_STREAM_REF, b"\0" * 20)[0] == 1  # neither 16 nor 24 bytes


def test_a_stream_id_is_not_an_object(lib):
    stream_id = stream_of("SlowCount", 1000, 20)
    try:
        code, text = get(stream_id)
        assert code == 1 and b"is a stream" in text and b"iterate it" in text
        code, text = next_ref(stream_id, 0.0)
        assert code in (0, 2), text  # nothing yet is a timeout, not an error
        code, text = submit(Native2Py.EXE_REMOTE_TASK, [], goray_task_name="Square",
                            go_ray_arg_pos_to_object={"0": {"id": stream_id, "auto_release": False}})
        assert code == 1 and b"is a stream" in text, text
    finally:
        assert command(Native2Py.CANCEL_OBJECT,
                       json.dumps({"object_ref_local_id": stream_id}).encode()) == (0, b"")
        release(stream_id)
    plain = _stores.objects.add(_stores.StoredObject(ray.put(1), "", False))
    assert next_ref(plain)[0] == 1
    release(plain)
    assert next_ref(10**12)[0] == 4


def test_streaming_calls_of_what_does_not_stream_are_refused(lib):
    code, text = submit(Native2Py.EXE_REMOTE_TASK, [2.0], goray_task_name="Square",
                        num_returns="streaming")
    assert code == 1 and b"task Square is not a generator" in text, text
    code, text = submit(Native2Py.EXE_PYTHON_REMOTE_TASK, ["x"], task_name="py_text",
                        num_returns="streaming")
    assert code == 1 and b"Python function py_text is not a generator function" in text, text


def test_plain_calls_of_generators_are_refused(lib):
    code, text = submit(Native2Py.EXE_REMOTE_TASK, [3], goray_task_name="CountUp")
    assert code == 1 and b"task CountUp is a generator" in text, text
    code, text = submit(Native2Py.EXE_PYTHON_REMOTE_TASK, [3], task_name="py_count")
    assert code == 1 and b"Python function py_count is a generator" in text, text


def stream_items(stream_id):
    values = []
    while True:
        code, reply = next_ref(stream_id)
        assert code == 0, reply
        if not reply:
            return values
        code, value = get(unpack_u64(reply))
        assert code == 0, value
        values.append(_codec.unpack(value))


def test_a_python_actors_generator_method_streams_to_native_code(lib):
    code, reply = submit(Native2Py.NEW_PYTHON_ACTOR, ["r"], goray_actor_type_name="PyRange")
    assert code == 0, reply
    actor_id = unpack_u64(reply)
    try:
        code, reply = submit(Native2Py.ACTOR_METHOD_CALL, [3], goray_py_local_actor_id=actor_id,
                             goray_task_name="items", num_returns="streaming")
        assert code == 0, reply
        stream_id = unpack_u64(reply)
        assert stream_items(stream_id) == ["r0", "r1", "r2"]
        release(stream_id)
        code, text = submit(Native2Py.ACTOR_METHOD_CALL, [], goray_py_local_actor_id=actor_id,
                            goray_task_name="plain", num_returns="streaming")
        assert code == 1 and b"method PyRange.plain is not a generator" in text, text
        code, text = submit(Native2Py.ACTOR_METHOD_CALL, [3], goray_py_local_actor_id=actor_id,
                            goray_task_name="items")
        assert code == 1 and b"method PyRange.items is a generator" in text, text
    finally:
        command(Native2Py.RELEASE_ACTOR, pack_u64(actor_id))


def test_a_streaming_option_set_fails_its_pipelined_records(lib):
    from goray._ray.native2py import batch as native2py_batch
    native2py_batch._define_options(990001, json.dumps({"num_returns": "streaming"}))
    try:
        with __import__("pytest").raises(goray.GorayError, match="only for a streaming call"):
            native2py_batch._options(990001)
    finally:
        native2py_batch._defined.pop(990001, None)


def batch(stream_id, flags=3, timeout=-1.0):
    """NextStreamRef with flag 2 (every item already produced): (code, [(id, value or
    None)], ended) from its batch reply; an end with no items is ([], True)."""
    code, reply = command(Native2Py.NEXT_STREAM_REF, struct.pack("<QdQ", stream_id, timeout, flags))
    if code or not reply:
        return code, [], not code
    assert reply[8:9] == b"\x02", reply
    count, ended = struct.unpack_from("<IB", reply, 9)
    items, at = [], 14
    for _ in range(count):
        object_id, length = struct.unpack_from("<QI", reply, at)
        at += 12
        items.append((object_id, _codec.unpack(reply[at:at + length]) if length else None))
        at += length
    assert at == len(reply) and unpack_u64(reply[:8]) == items[0][0]
    return code, items, bool(ended)


def finished(stream_id):
    """Waits for the generator task behind a stream to end (Ray's own signal; its
    items' reports may still be on their way, so callers read until the end)."""
    ray.get(_stores.objects.get(stream_id).generator.completed())


def drain(stream_id, flags=3):
    """Every batch reply's items until the end: [[(id, value or None)], ...]."""
    batches = []
    while True:
        code, items, ended = batch(stream_id, flags)
        assert code == 0, items
        if items:
            batches.append(items)
        if ended:
            return batches


def test_next_stream_ref_gives_every_ready_item_in_one_reply(lib):
    # Flag 2: the next item and every one produced after it, in order, with the end
    # once the generator finished; each is an object GetObject reads.
    stream_id = stream_of("CountUp", 5)
    finished(stream_id)
    batches = drain(stream_id)
    assert len(batches[0]) > 1  # the items produced meanwhile came in one reply
    items = [item for items in batches for item in items]
    assert [value for _, value in items] == [0, 1, 2, 3, 4]
    assert len({object_id for object_id, _ in items}) == 5
    for object_id, value in items:
        code, payload = get(object_id)
        assert code == 0 and _codec.unpack(payload) == value
    assert batch(stream_id) == (0, [], True)  # ended: stays ended
    release(stream_id)
    # Without flag 1 the items come without values.
    stream_id = stream_of("CountUp", 3)
    finished(stream_id)
    items = [item for items in drain(stream_id, flags=2) for item in items]
    assert [value for _, value in items] == [None] * 3
    assert [_codec.unpack(get(object_id)[1]) for object_id, _ in items] == [0, 1, 2]
    release(stream_id)


def test_a_batch_request_of_what_is_no_stream_or_not_ready(lib):
    assert batch(10**12)[0] == 4  # an unknown id
    plain = _stores.objects.add(_stores.StoredObject(ray.put(1), "", False))
    assert batch(plain)[0] == 1  # an object, not a stream
    release(plain)
    stream_id = stream_of("SlowCount", 1000, 20)
    try:
        code, items, _ = batch(stream_id, timeout=0.0)
        assert code in (0, 2)  # nothing yet is a timeout, not an error
    finally:
        command(Native2Py.CANCEL_OBJECT, json.dumps({"object_ref_local_id": stream_id}).encode())
        release(stream_id)


def test_a_batch_holds_the_error_item_without_a_value(lib):
    stream_id = stream_of("FailAfter", 2)
    finished(stream_id)
    items = [item for items in drain(stream_id) for item in items]
    assert [value for _, value in items] == [0, 1, None]
    code, text = get(items[2][0])
    assert code == 5 and b"stream broke after 2 items" in text
    release(stream_id)


def test_a_batch_stops_at_its_size_limits(lib, monkeypatch):
    from goray._ray.native2py import next_stream_ref
    monkeypatch.setattr(next_stream_ref, "BATCH_ITEMS", 3)
    stream_id = stream_of("CountUp", 7)
    finished(stream_id)
    batches = drain(stream_id)
    assert max(len(items) for items in batches) == 3
    assert [value for items in batches for _, value in items] == list(range(7))
    release(stream_id)
    # Values past BATCH_BYTES come without theirs (GetObject reads them).
    monkeypatch.setattr(next_stream_ref, "BATCH_BYTES", 1)
    stream_id = stream_of("CountUp", 4)
    finished(stream_id)
    batches = drain(stream_id)
    for items in batches:  # each reply: the first value (1 byte) only
        assert items[0][1] is not None and all(value is None for _, value in items[1:])
    items = [item for items in batches for item in items]
    assert [_codec.unpack(get(object_id)[1]) for object_id, _ in items] == [0, 1, 2, 3]
    release(stream_id)
