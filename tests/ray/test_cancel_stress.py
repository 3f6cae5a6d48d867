"""ray.cancel of C++ streams in reused workers (issue 39 §1, docs/reliability.md
"Cancelled streams"): the same few workers run whole C++ streams, streams their callers
drop, tasks that raise, a task that crashes its worker, Python generators and actor
calls, and between them C++ streams are cancelled after 0, 1, 3 or 10 items, each
time from a caller that goes on reading. Every cancelled stream must end with
TaskCancelledError (never as a normal end), and its C++ generator must be released (its
destructor runs: StreamHost counts the live ones in its process).

GORAY_CANCEL_STRESS sets the number of cancels (CI: 200; docs/testing.md runs 1000)."""
import os
import time

import pytest
import ray

import goray
from goray._ray.compat import releases

from conftest import DEFS, needs_cancel_flag
from test_startup import run_script
from test_streams import StreamHost  # (a generator task's body hosted where it is counted)

# Tier 2 (bash scripts/run-tests.sh --all): hundreds of cancels, and Rays of its own; the streams'
# tests cancel in tier 1
pytestmark = pytest.mark.tier2

CANCELS = int(os.environ.get("GORAY_CANCEL_STRESS", "200"))
POINTS = (0, 1, 3, 10)  # items read before the cancel
ITEM_MS = 5


def _cancel_after(task, read: int):
    """Starts a 1000-item stream, reads `read` items, cancels it, and reads on: what
    ended it ("cancelled", or a description of a normal end or another error)."""
    generator = task.remote(1000, ITEM_MS)
    received = 0
    for _ in range(read):
        ray.get(next(generator))
        received += 1
    ray.cancel(generator)
    try:
        for ref in generator:
            ray.get(ref)
            received += 1
    except ray.exceptions.TaskCancelledError:
        return "cancelled", received
    except Exception as error:  # noqa: BLE001 - described for the failure
        return f"{type(error).__name__}: {str(error)[:200]}", received
    return "a normal end", received


@ray.remote
def python_count(n, ms):
    for i in range(n):
        time.sleep(ms / 1000)
        yield i


def _other_work(round_number: int, crasher):
    """What the workers do between cancels: a whole stream, a dropped stream, a task
    that raises, actor calls, a Python generator; every tenth round a crash."""
    assert [ray.get(ref) for ref in goray.golang_task("CountUp").remote(5)] == list(range(5))
    dropped = goray.golang_task("SlowCount").remote(50, 2)
    ray.get(next(dropped))
    del dropped  # its caller goes: the task runs on to its end in its worker
    with pytest.raises(goray.NativeError):  # (CrashTask's "none": a C++ exception)
        ray.get(goray.golang_task("CrashTask").remote("none"))
    broken = goray.golang_task("FailAfter").remote(2)
    assert [ray.get(next(broken)) for _ in range(2)] == [0, 1]
    with pytest.raises(goray.NativeError):
        ray.get(next(broken))
    assert ray.get([crasher.Id.remote() for _ in range(10)]) == [7] * 10
    assert [ray.get(ref) for ref in python_count.remote(3, 0)] == [0, 1, 2]
    if round_number % 10 == 9:
        with pytest.raises(goray.NativeCrash):
            ray.get(goray.golang_task("CrashTask").options(max_retries=0).remote("segv"))


@needs_cancel_flag
def test_cancels_in_reused_workers_always_end_with_task_cancelled_error(lib):
    task = goray.golang_task("SlowCount")
    crasher = goray.golang_actor_class("Crasher").remote(7)
    outcomes = {}
    wrong = []
    started = time.monotonic()
    for number in range(CANCELS):
        if number % len(POINTS) == 0:
            _other_work(number // len(POINTS), crasher)
        read = POINTS[number % len(POINTS)]
        ending, received = _cancel_after(task, read)
        outcomes[ending] = outcomes.get(ending, 0) + 1
        if ending != "cancelled" or received >= 1000:
            wrong.append(f"cancel {number} after {read} items: {ending} after {received} items")
    print(f"{CANCELS} cancels in {time.monotonic() - started:.0f} s: {outcomes}")
    assert not wrong, f"{len(wrong)} of {CANCELS} cancels went wrong: " + "; ".join(wrong[:20])


@needs_cancel_flag
def test_every_cancelled_stream_releases_its_cpp_generator(lib):
    host = StreamHost.remote()
    assert ray.get(host.alive.remote()) == 0
    rounds = max(CANCELS // 10, 10)
    for number in range(rounds):
        generator = host.stream.remote("SlowCount", 1000, ITEM_MS)
        for _ in range(POINTS[number % len(POINTS)]):
            ray.get(next(generator))
        ray.cancel(generator)
        if releases.generator_raises_cancel():
            with pytest.raises(ray.exceptions.TaskCancelledError):
                for ref in generator:
                    ray.get(ref)
        else:
            try:
                for ref in generator:
                    ray.get(ref)
            except ray.exceptions.TaskCancelledError:
                pass
    deadline = time.monotonic() + 30
    while ray.get(host.alive.remote()) != 0:
        assert time.monotonic() < deadline, "cancelled C++ generators still alive"
        time.sleep(0.1)


def test_a_cancel_overtaken_by_its_task_still_ends_the_stream_cancelled(lib):
    # What the race leaves (the task ran, or was skipped, as a success after the
    # caller's ray.cancel), made deterministic: a finished stream noted as cancelled.
    from goray._ray.cancellation import stream_cancels
    generator = goray.golang_task("CountUp").remote(3)
    ray.get(generator.completed())
    stream_cancels._note_cancel(generator)
    received = []
    with pytest.raises(ray.exceptions.TaskCancelledError):
        for ref in generator:
            received.append(ray.get(ref))
    assert received == [0, 1, 2]  # the items made before stay
    with pytest.raises(StopIteration):  # once: then the end as Ray says it
        next(generator)
    # A stream not cancelled ends as ever.
    assert [ray.get(ref) for ref in goray.golang_task("CountUp").remote(2)] == [0, 1]


def test_collecting_a_cancelled_streams_refs_ends_at_its_error_item(lib):
    # list(generator) after a cancel: the refs, the last one holding the error; the
    # iteration itself ends normally (the error was carried by an item).
    generator = goray.golang_task("SlowCount").remote(1000, ITEM_MS)
    ray.get(next(generator))
    ray.cancel(generator)
    refs = []
    try:
        refs.extend(generator)
    except ray.exceptions.TaskCancelledError:  # the rare overtaken cancel: no error item
        assert all(_is_value(ref) for ref in refs)
        return
    assert refs, "the stream ended normally after its cancel"
    with pytest.raises(ray.exceptions.TaskCancelledError):
        ray.get(refs[-1])


def _is_value(ref) -> bool:
    try:
        ray.get(ref)
    except ray.exceptions.RayError:
        return False
    return True


@ray.remote(max_retries=0)
def _nap(seconds):
    import signal
    # Ray's interrupt of a running task is a KeyboardInterrupt between bytecodes: Python's
    # handler (a worker of a background job ignores SIGINT; goray's own bodies put it back
    # too), and short sleeps, which the interrupt does not cut.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return seconds


@pytest.mark.ray_versions
def test_cancels_run_on_rays_io_thread_with_rays_own_effects(lib):
    # goray/_ray/cancellation/cancels.py: off the core worker's IO thread, a cancel can fall between
    # the two steps of a task's reply and abort the process (issue 53).
    import threading
    from goray._ray.cancellation import cancels, stream_cancels
    stream_cancels.install()
    ran_on = cancels.run(threading.get_native_id)
    assert ran_on != threading.get_native_id()
    comm = f"/proc/self/task/{ran_on}/comm"
    if os.path.exists(comm):  # (Linux: Ray names the thread)
        with open(comm) as name:
            assert name.read().strip() == "worker.io"
    # ray.cancel is goray's now: Ray's own errors reach the caller ...
    with pytest.raises(TypeError, match="only supported for object refs"):
        ray.cancel("not a ref")
    # ... and a cancel does what Ray's does: a running task and a queued one both end
    # cancelled, a finished one keeps its value.
    finished = _nap.remote(0)
    assert ray.get(finished) == 0
    running = [_nap.remote(60) for _ in range(2)]
    queued = [_nap.options(num_cpus=1_000).remote(0)]  # (no node has the CPUs: never runs)
    time.sleep(0.5)
    started = time.monotonic()
    for ref in [finished, *running, *queued]:
        ray.cancel(ref)
    for ref in [*running, *queued]:
        with pytest.raises(ray.exceptions.TaskCancelledError):
            ray.get(ref, timeout=30)
    assert time.monotonic() - started < 30
    assert ray.get(finished) == 0
    # Where the caller is the IO thread itself, it runs there at once.
    assert cancels.run(lambda: cancels.run(threading.get_native_id)) == ran_on



@pytest.mark.ray_versions
def test_every_cancel_goray_makes_runs_on_rays_io_thread(lib, monkeypatch):
    # The paths of issue 53: a map's chunks, goray.stream's close() and its second cancel,
    # the C++ side's CancelObject of a ref and of a stream, and ray.cancel itself (which
    # Serve's cancels of goray's C++ clients' calls go through).
    import json
    import threading
    import numpy as np
    from goray import _handlers
    from goray._protocol import CANCEL_OBJECT_ID, Native2Py, unpack_u64
    from goray._ray.cancellation import cancels, stream_cancels
    from goray._ray.native2py import store_entries
    from goray._ray.streaming import generators
    from goray._stores import StoredObject
    stream_cancels.install()
    io_thread = cancels.run(threading.get_native_id)
    ran = []  # (what, on the IO thread)
    original = cancels.run

    def recording(function, *args, **kwargs):
        def checked(*args, **kwargs):
            ran.append((function.__name__, threading.get_native_id() == io_thread))
            return function(*args, **kwargs)
        return original(checked, *args, **kwargs)
    monkeypatch.setattr(cancels, "run", recording)

    def cancel_object(entry):
        code, payload = store_entries.new_object(entry)
        request = json.dumps({CANCEL_OBJECT_ID: unpack_u64(payload)}).encode()
        assert _handlers.dispatch(int(Native2Py.CANCEL_OBJECT), memoryview(request))[0] == 0

    items = goray.imap("MapSlowSquare", np.arange(400, dtype=np.float64), chunk_size=10)
    assert next(items) == 0.0
    items.close()  # the chunks in flight: one trip for all
    stream = goray.stream(goray.golang_task("SlowCount"), 1000, ITEM_MS)
    next(stream)
    stream.close()
    ray.cancel(_nap.remote(30))
    cancel_object(StoredObject(_nap.remote(30), "nap"))
    generator = goray.golang_task("SlowCount").remote(1000, ITEM_MS)
    cancel_object(generators.StoredStream(generator, "SlowCount", native=False))
    time.sleep(stream_cancels.RECANCEL_AFTER * 3)  # the streams' second cancels (if not ended)
    names = [name for name, _ in ran]
    assert names[:5] == ["cancel_all", "cancel", "cancel", "cancel", "cancel"], ran
    assert all(on_io_thread for _, on_io_thread in ran), ran


SHUTDOWN_SCRIPT = """
import sys
import threading
import time

import ray

import goray
from goray._ray.cancellation import stream_cancels

stream_cancels.RECANCEL_AFTER = 1.0  # (the second cancel's time comes after Ray shut down)
for how in ("ray.shutdown", "Ray's own shutdown"):
    ray.init(address="local", num_cpus=1, include_dashboard=False, _node_ip_address="127.0.0.1")
    goray.init(sys.argv[1], py_defs_path={defs!r}, cluster=True)
    generator = goray.golang_task("SlowCount").remote(1000, 20)
    assert ray.get(next(generator)) == 0
    ray.cancel(generator)
    print("WAITING", how, sum(isinstance(thread, threading.Timer) for thread in threading.enumerate()))
    if how == "ray.shutdown":
        ray.shutdown()
    else:  # (a path that does not stop the second cancels: the one due finds Ray shut down)
        ray._private.worker.shutdown()
    time.sleep(2.0)
    print("AFTER", how, ray.is_initialized())
"""


@pytest.mark.ray_versions
def test_a_second_cancel_due_after_ray_shut_down_starts_no_new_ray(tmp_path):
    # Sent after ray.shutdown, the second cancel's ray.wait started a new Ray (with a
    # dashboard) from the timer's thread, and the process died of SIGSEGV at its exit.
    output = run_script(tmp_path, SHUTDOWN_SCRIPT.format(defs=str(DEFS)))
    for how in ("ray.shutdown", "Ray's own shutdown"):
        assert f"WAITING {how} 1" in output, output  # (a second cancel was due)
        assert f"AFTER {how} False" in output, output
