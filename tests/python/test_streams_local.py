"""Native generators (goray::Generator<T>) iterated in-process, no Ray: a generator
task or actor method called through goray.golang_local_run_task / a LocalActor
returns a LocalStream of its items (StartTaskStream/StartMethodStream, NextStreamItem,
CloseStream); closing it early, collecting it or an error runs the C++ cleanup
(StreamsAlive counts the test generators' frames). Also the Ray bodies of
generator tasks driven by hand (the stream closes when Ray interrupts or drops them).

The test generators are in the Ray test library (tests/apps/raytest/streams.cpp), and
a process loads one library: the cases run in one child process, each reporting
"CASE <name> ok" or its traceback; each test reads its case's report."""
import os
import pathlib
import subprocess
import sys
import traceback

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RAYTEST = pathlib.Path(os.environ.get("GORAY_RAYTEST_LIB",
                                      ROOT / "build" / "tests" / "apps" / "libraytest.so"))


# ---------------------------------------------------------------------------
# The cases, run in the child process (the library is loaded there).

def _run(name, *args):
    import goray
    return goray.golang_local_run_task(name, *args)


def _alive():
    return _run("StreamsAlive")


def case_items_in_order():
    import goray
    from goray import _streams_local
    assert goray.LocalStream is _streams_local.LocalStream  # the public name
    assert "LocalStream" in goray.__all__
    stream = _run("CountUp", 5)
    assert isinstance(stream, goray.LocalStream), type(stream)
    assert list(stream) == [0, 1, 2, 3, 4]
    assert stream.closed
    assert list(stream) == []  # ended: stays ended
    assert list(_run("CountUp", 0)) == []


def case_a_string_item_that_is_not_utf8_names_the_stream_item():
    import goray
    streamer = goray.golang_local_new_actor("Streamer", b"\xff")  # each item: prefix + i
    stream = streamer.Range(2)
    with pytest.raises(goray.NotUTF8Error) as caught:
        next(stream)
    assert (caught.value.what, caught.value.task, caught.value.data) == ("stream item", "Streamer.Range", b"\xff0")
    assert str(caught.value).startswith("stream item: a std::string whose bytes are not UTF-8")
    stream.close()


def case_items_arrive_one_by_one():
    base = _alive()
    stream = _run("CountUp", 1000)
    assert _alive() == base  # the body runs on the first next()
    assert next(stream) == 0 and next(stream) == 1
    assert _alive() == base + 1
    stream.close()
    assert _alive() == base  # CloseStream destroyed the frame: its guard ran
    assert stream.closed
    with pytest.raises(StopIteration):
        next(stream)
    stream.close()  # twice: nothing


def case_collected_or_abandoned_streams_are_closed():
    import gc
    base = _alive()
    stream = _run("CountUp", 100)
    next(stream)
    assert _alive() == base + 1
    del stream
    gc.collect()
    assert _alive() == base
    for item in _run("CountUp", 100):  # a loop left early drops its iterator
        if item == 3:
            break
    gc.collect()
    assert _alive() == base
    with pytest.raises(KeyError):
        with _run("CountUp", 100) as stream:
            next(stream)
            raise KeyError("consumer failed")
    assert _alive() == base


def case_delegated_to_with_yield_from():
    base = _alive()

    def outer():
        yield from _run("CountUp", 100)

    running = outer()
    assert running.send(None) == 0 and running.send(None) == 1
    with pytest.raises(KeyError):
        running.throw(KeyError("stop"))  # reaches the stream: closed, then raised
    assert _alive() == base
    assert _run("CountUp", 3).send("ignored") == 0


def case_an_interrupt_while_an_item_is_read_stays_an_interrupt():
    # Ray cancels a task by interrupting it; the interrupt often lands while an item is
    # decoded. It must leave as KeyboardInterrupt (Ray then reports TaskCancelledError),
    # not as another error (the fast path's decode callback turned it into SystemError).
    from goray import _ffi, _streams_local
    base = _alive()
    stream = _run("CountUp", 10)

    def interrupted(view):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _streams_local.next_python_item(_ffi.get_library(), stream.stream_id, interrupted)
    stream.close()
    assert _alive() == base


def case_an_interrupt_in_next_stays_an_interrupt():
    # The same through the iterator (its per-item call is made once, the decode after
    # the Execute returns): the interrupt leaves as itself, the stream still closes.
    base = _alive()
    stream = _run("CountUp", 10)
    assert next(stream) == 0

    def interrupted(view):
        raise KeyboardInterrupt

    stream._decode = interrupted
    with pytest.raises(KeyboardInterrupt):
        next(stream)
    assert not stream.closed
    stream.close()
    assert stream.closed and _alive() == base
    with pytest.raises(StopIteration):
        next(stream)


def case_error_mid_stream():
    import goray
    base = _alive()
    stream = _run("FailAfter", 2)
    assert next(stream) == 0 and next(stream) == 1
    with pytest.raises(goray.NativeError) as failure:
        next(stream)
    assert "stream broke after 2 items" in str(failure.value)
    assert failure.value.task == "FailAfter"
    assert stream.closed
    with pytest.raises(StopIteration):
        next(stream)
    assert _alive() == base


def case_argument_errors_raise_at_the_call():
    import goray
    with pytest.raises(goray.ArgumentError) as failure:
        _run("CountUp", "three")
    assert failure.value.task == "CountUp"
    with pytest.raises(goray.GorayError):
        _run("CountUp")  # too few


def case_array_items():
    import numpy
    items = list(_run("ArrayItems", 3, 4))
    assert len(items) == 3
    for index, item in enumerate(items):
        assert isinstance(item, numpy.ndarray) and item.dtype == numpy.float64, repr(item)
        assert item.tolist() == [float(index)] * 4


def case_actor_generator_method():
    import goray
    base = _alive()
    with goray.golang_local_new_actor("Streamer", "p") as actor:
        assert list(actor.Range(3)) == ["p0", "p1", "p2"]
        stream = actor.Range(100)
        assert next(stream) == "p0"
        assert isinstance(actor.Count(), int)  # a plain method beside it
        stream.close()
        assert list(actor.call("Range", 2)) == ["p0", "p1"]
    assert _alive() == base


def case_plain_tasks_are_unchanged():
    assert _run("Square", 3.0) == 9.0


def case_ray_body_for_python_callers_closes_when_interrupted():
    # What a Ray worker runs for goray.golang_task("CountUp").remote(n): driven by
    # hand here. Ray interrupts a cancelled task (KeyboardInterrupt) or drops the
    # generator: either way the stream closes.
    from goray._ray.py2native import callees as py2native  # noqa: F401  (registers the generator bodies)
    from goray._ray.streaming import generators
    base = _alive()
    body = generators.task_body("CountUp")
    assert list(body(4)) == [0, 1, 2, 3]
    running = body(1000)
    assert next(running) == 0
    assert _alive() == base + 1
    with pytest.raises(KeyboardInterrupt):
        running.throw(KeyboardInterrupt)
    assert _alive() == base
    running = body(1000)
    next(running)
    running.close()
    assert _alive() == base


def case_ray_body_for_native_callers_yields_raw_or_native_blocks():
    import goray
    from goray import _codec
    from goray._ray.py2native import callees as py2native  # noqa: F401
    from goray._ray.streaming import generators
    from goray._ray.values.objects import OUT_OF_BAND_FROM, NativeBlock
    base = _alive()
    body = generators.task_body("CountUp")
    items = list(body(_codec.pack(3)))  # a native caller's args block (bytes first)
    # Small blocks without refs inside come as their bytes (Ray stores bytes unpickled).
    assert items == [_codec.pack(i) for i in range(3)], items
    assert all(type(item) is bytes for item in items)
    large = list(generators.task_body("ArrayItems")(_codec.pack(1) + _codec.pack(OUT_OF_BAND_FROM // 8)))
    assert [type(item) for item in large] == [NativeBlock]  # out of band: a NativeBlock
    assert large[0].to_python().size == OUT_OF_BAND_FROM // 8
    running = body(_codec.pack(1000))
    next(running)
    running.close()
    assert _alive() == base
    failing = generators.task_body("FailAfter")(_codec.pack(1))
    assert next(failing) == _codec.pack(0)
    with pytest.raises(goray.NativeError) as failure:
        next(failing)
    assert "stream broke after 1 items" in str(failure.value), repr(failure.value)


def _ahead(name, *args):
    """The stream Ray's bodies read: ahead, in batches (NextStreamItem's batch form)."""
    from goray import _ffi, _streams_local
    return _streams_local.task_stream(name, list(args), _ffi.get_library(), ahead=True)


def case_ray_bodies_read_ahead_in_batches():
    from goray import _streams_local
    base = _alive()
    stream = _ahead("CountUp", 1000)
    assert next(stream) == 0
    assert len(stream._ahead) == 0  # a stream's first batch is its first item alone
    assert next(stream) == 1
    # One call took a batch: the rest of it waits in the stream, the generator alive (all
    # AHEAD_ITEMS of it, or fewer where the time budget ran out first on a loaded machine).
    assert 1 <= len(stream._ahead) <= _streams_local.AHEAD_ITEMS - 1, len(stream._ahead)
    assert _alive() == base + 1
    assert list(stream) == list(range(2, 1000))
    assert stream.closed and _alive() == base
    # Closed mid-batch: what was read ahead is not handed out, the frame is destroyed.
    stream = _ahead("CountUp", 1000)
    next(stream)
    stream.close()
    assert list(stream) == [] and _alive() == base
    # A slow generator's first item is not held back for more: the budget ran out.
    slow = _ahead("SlowCount", 3, 30)
    assert next(slow) == 0 and len(slow._ahead) == 0
    assert list(slow) == [1, 2]


def case_next_batch_hands_out_what_was_read_ahead():
    # Ray's bodies take the read-ahead items as a list: what next() left, then a batch
    # per call, then [] at the end.
    from goray import _streams_local
    base = _alive()
    stream = _ahead("CountUp", 600)
    assert next(stream) == 0  # the first batch: one item
    assert next(stream) == 1
    first = stream.next_batch()
    assert first == list(range(2, _streams_local.AHEAD_ITEMS + 1))  # the rest of a batch
    rest = []
    while True:
        batch = stream.next_batch()
        if not batch:
            break
        assert len(batch) <= _streams_local.AHEAD_ITEMS
        rest += batch
    assert rest == list(range(_streams_local.AHEAD_ITEMS + 1, 600))
    assert stream.next_batch() == [] and stream.closed and _alive() == base


def case_next_sized_batch_gives_each_items_encoded_size():
    # A values stream's body packs items by the size the library encoded them in:
    # msgpack's 1, 2 and 3 bytes for CountUp's 0-127, 128-255 and 256 on.
    import msgpack
    from goray import _ffi, _streams_local
    stream = _streams_local.task_stream("CountUp", [300], _ffi.get_library(), ahead=True, sized=True)
    got, sizes = [], []
    while True:
        values, measured = stream.next_sized_batch()
        if not values:
            break
        assert len(values) == len(measured)
        got += values
        sizes += measured
    assert got == list(range(300))
    assert sizes == [len(msgpack.packb(value)) for value in got]
    assert stream.closed and stream.next_sized_batch() == ([], [])
    plain = _ahead("CountUp", 3)
    with pytest.raises(Exception, match="next_sized_batch needs a stream made with ahead=True, sized=True"):
        plain.next_sized_batch()
    plain.close()


def case_values_stream_body_groups_batches_and_marks_the_end():
    # goray.stream's body (Ray's caller is away here): the first batch alone, then groups
    # of what each batch brought, the last object marked; a repeated run one item each.
    from goray import _ffi, _streams_local
    from goray._ray.streaming import generators, value_groups

    def objects(repeated, name, *args, into=None):
        original = generators._repeated_run
        generators._repeated_run = lambda: repeated
        made = [] if into is None else into
        try:
            stream = _streams_local.task_stream(name, list(args), _ffi.get_library(), ahead=True,
                                                sized=True)
            made.extend(generators._python_value_groups(stream))
            return made
        finally:
            generators._repeated_run = original

    grouped = objects(False, "CountUp", 600)
    assert grouped[0] == [0, 0] and len(grouped) < 10 and grouped[-1][0] < 0
    order = value_groups.ItemOrder("CountUp")
    assert [value for group in grouped for value in order.take(group)] == list(range(600))
    assert order.ended
    assert objects(True, "CountUp", 3) in ([[0, 0], [1, 1], [-3, 2]], [[0, 0], [1, 1], [2, 2], [-4]])
    assert objects(False, "CountUp", 0) == [[-1]]
    import goray
    before = []
    with pytest.raises(goray.NativeError, match="stream broke after 3 items"):
        objects(False, "FailAfter", 3, into=before)
    assert before == [[0, 0], [1, 1, 2]]  # the items before the error first


def case_next_batch_error_after_items():
    import goray
    stream = _ahead("FailAfter", 3)
    assert stream.next_batch() == [0]  # a stream's first batch
    assert stream.next_batch() == [1, 2]  # the items before the error first
    with pytest.raises(goray.NativeError, match="stream broke after 3 items"):
        stream.next_batch()
    assert stream.next_batch() == []


def case_read_ahead_error_after_items():
    import goray
    base = _alive()
    stream = _ahead("FailAfter", 3)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]  # all before the error
    with pytest.raises(goray.NativeError) as failure:
        next(stream)
    assert "stream broke after 3 items" in str(failure.value)
    assert stream.closed and _alive() == base
    with pytest.raises(StopIteration):
        next(stream)


def case_read_ahead_falls_back_for_a_library_without_batches():
    from goray import _ffi, _streams_local
    library = _ffi.get_library()
    asked = []

    class OlderLibrary:  # answers the 20-byte form as a library from before it did
        arrays = library.arrays

        def execute_view(self, command, payload, index=0, copy_below=0):
            asked.append(len(payload))
            if len(payload) == 20:
                return 1, memoryview(b"goray: NextStreamItem expects an 8-byte stream id, "
                                     b"received 20 bytes")
            return library.execute_view(command, payload, index, copy_below)

    stream_id = _streams_local.start_stream(library, int(_streams_local._START_TASK_STREAM), 0,
                                            _streams_local.pack_call(b"CountUp", [b"\x03"]),
                                            "CountUp")
    stream = _streams_local.LocalStream(OlderLibrary(), stream_id, "CountUp", ahead=True)
    assert list(stream) == [0, 1, 2]
    assert asked[0] == 20 and set(asked[1:]) == {8}, asked  # refused once, then one by one
    # next_batch (Ray's bodies) too: one item per batch after the refusal.
    asked.clear()
    stream_id = _streams_local.start_stream(library, int(_streams_local._START_TASK_STREAM), 0,
                                            _streams_local.pack_call(b"CountUp", [b"\x02"]),
                                            "CountUp")
    stream = _streams_local.LocalStream(OlderLibrary(), stream_id, "CountUp", ahead=True)
    assert [stream.next_batch() for _ in range(3)] == [[0], [1], []]
    assert asked[0] == 20 and set(asked[1:]) == {8}, asked
    # next_sized_batch (goray.stream's body) too, each size unknown (0).
    stream_id = _streams_local.start_stream(library, int(_streams_local._START_TASK_STREAM), 0,
                                            _streams_local.pack_call(b"CountUp", [b"\x02"]),
                                            "CountUp")
    stream = _streams_local.LocalStream(OlderLibrary(), stream_id, "CountUp", ahead=True, sized=True)
    assert [stream.next_sized_batch() for _ in range(3)] == [([0], [0]), ([1], [0]), ([], [])]


def case_ray_body_asks_about_cancellation_at_most_every_interval():
    # The cancellation question between items costs more than an item read ahead: it is
    # asked after the first item, then at most every CANCEL_CHECK_EVERY seconds, and at
    # the end; once the answer is yes, the body ends: raising TaskCancelledError, or (where
    # Ray 2.54-2.59 would read a body's own as the stream's end) returning.
    import ray
    from goray._ray.py2native import callees as py2native  # noqa: F401
    from goray._ray.compat import releases
    from goray._ray.streaming import generators
    asked = []
    answer = [False]
    saved = generators.cancel_check, generators.CANCEL_CHECK_EVERY
    generators.cancel_check = lambda: (lambda: asked.append(1) or answer[0])
    try:
        generators.CANCEL_CHECK_EVERY = 3600.0
        assert list(generators.task_body("CountUp")(100)) == list(range(100))
        assert len(asked) == 2, asked  # after the first item, and at the end
        asked.clear()
        generators.CANCEL_CHECK_EVERY = 0.0
        assert list(generators.task_body("CountUp")(100)) == list(range(100))
        assert len(asked) == 101  # after every item, and at the end
        for raises in (True, False):
            releases.generator_raises_cancel.cache_clear()
            saved_release = ray.__version__
            ray.__version__ = "2.60.0" if raises else "2.55.0"
            try:
                running = generators.task_body("CountUp")(100)
                assert next(running) == 0 and next(running) == 1
                answer[0] = True
                if raises:
                    with pytest.raises(ray.exceptions.TaskCancelledError):
                        next(running)
                else:
                    assert list(running) == []  # the body ended at the next question
                answer[0] = False
            finally:
                ray.__version__ = saved_release
                releases.generator_raises_cancel.cache_clear()
    finally:
        generators.cancel_check, generators.CANCEL_CHECK_EVERY = saved


def case_ray_actor_methods_stream():
    from goray import _codec
    from goray._ray.py2native import callees as py2native  # noqa: F401
    from goray._ray.worker import bodies
    from goray._ray.streaming import generators
    from goray._ray.values.objects import NativeBlock, from_raw_item
    from goray._stores import RAW_ITEMS
    assert generators.streaming_methods("Streamer") == {"Range"}
    members = bodies._ray_members("Streamer", ["Count", "Range"])
    import inspect
    assert inspect.isgeneratorfunction(members["Range"])
    assert inspect.isgeneratorfunction(members["Range__"])
    assert not inspect.isgeneratorfunction(members["Count"])

    class Host:  # the instance state the generator methods read
        _goray_type = "Streamer"

    import goray
    actor = goray.golang_local_new_actor("Streamer", "q")
    host = Host()
    host._goray_index = actor.index
    assert list(members["Range"](host, 2)) == ["q0", "q1"]
    blocks = list(members["Range__"](host, _codec.pack(2)))
    # Small items without refs inside are their blocks' bytes (Ray stores bytes as they
    # are); readers decode them as NativeBlocks (objects.from_raw_item).
    assert blocks == [_codec.pack("q0"), _codec.pack("q1")]
    decoded = [from_raw_item(block, RAW_ITEMS) for block in blocks]
    assert all(type(block) is NativeBlock for block in decoded)
    assert [block.to_python() for block in decoded] == ["q0", "q1"]
    assert from_raw_item(blocks[0], False) is blocks[0]  # a Python producer's bytes stay bytes
    actor.close()


CASES = {name[len("case_"):]: function for name, function in sorted(globals().items())
         if name.startswith("case_")}


def _child_main() -> None:
    import goray
    os.environ["GORAY_BIN_PATH"] = str(RAYTEST)  # the Ray bodies load it from there
    goray.load_library(str(RAYTEST))
    for name, case in CASES.items():
        try:
            case()
        except BaseException:  # noqa: BLE001 - reported to the parent
            text = traceback.format_exc().replace("\n", "\n| ")
            print(f"CASE {name} failed\n| {text}", flush=True)
        else:
            print(f"CASE {name} ok", flush=True)


# ---------------------------------------------------------------------------
# The tests (parent process).

@pytest.fixture(scope="module")
def reports():
    if not RAYTEST.is_file():
        pytest.fail(f"the Ray test library {RAYTEST} is not built: run bash scripts/run-tests.sh "
                    "(or set GORAY_RAYTEST_LIB)", pytrace=False)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    env["RAY_ENABLE_AUTO_CONNECT"] = "0"  # the Ray bodies ask Ray's context: no Ray here
    result = subprocess.run([sys.executable, "-c", "import test_streams_local as t; t._child_main()"],
                            cwd=HERE, env=env, capture_output=True, text=True, timeout=300)
    found = {}
    current = None
    for line in result.stdout.splitlines():
        if line.startswith("CASE "):
            _, name, verdict = line.split(" ", 2)
            current = name
            found[name] = [verdict]
        elif line.startswith("| ") and current:
            found[current].append(line[2:])
    return found, result


@pytest.mark.parametrize("case", sorted(CASES))
def test_case(reports, case):
    found, result = reports
    assert case in found, (f"the child process did not report {case} (exit {result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    verdict, *details = found[case]
    assert verdict == "ok", "\n".join(details)


def test_num_returns_streaming_only_where_a_call_streams():
    from goray.errors import GorayError
    from goray._ray.submission.options import split_options
    assert split_options({"num_returns": "streaming", "num_cpus": 1}, streaming=True) == {"num_cpus": 1}
    with pytest.raises(GorayError, match="only for a streaming call of a generator"):
        split_options({"num_returns": "streaming"})
    with pytest.raises(GorayError, match="num_returns=2 is not supported"):
        split_options({"num_returns": 2}, streaming=True)
    assert split_options({"num_returns": 1}) == {}
