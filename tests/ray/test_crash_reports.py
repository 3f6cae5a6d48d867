"""Native crash reports on Ray (docs/errors.md "Native crashes", docs/reliability.md "Native
crashes"): a C++ task or actor method that dies of a signal fails in the caller's
ray.get as goray.NativeCrash, still Ray's WorkerCrashedError / ActorDiedError /
ActorUnavailableError (a restartable actor's, with and without task retries), with the
worker's report (signal, task, the user's function and source line); Ray's retries still
happen; two actors crashing each give their caller their own report, an actor whose
constructor crashed gives every caller the constructor's; the C++ driver's
WorkerDiedError / ActorDiedError carry the report too. Crashing code:
tests/apps/raytest/crashes.cpp; the reports' Python side: goray._ray.worker.crashes. (Every
signal, in-process: tests/python/test_crash_reports.py; in-process calls in Ray's workers:
tests/ray/test_data_crashes.py.)"""
import pathlib
import pickle
import time

import pytest
import ray

import goray
from doc_samples import assert_sample
from goray._ray import driver

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "apps" / "raytest" / "crashes.cpp"

#: What errors.md's sample names of its own application (a task Parse, its functions and
#: lines), and what differs per run.
SAMPLE_MASKS = [(r"pid \d+, thread \d+", "pid N, thread N"), (r"in task \w+", "in task T"),
                (r"#(\d+)  \S+ at \S+:\d+$", r"#\1  F at FILE:LINE"), (r"\(\d+ more frames", "(N more frames")]

# kind -> (signal name, the function that crashes, its "crash line" marker)
KINDS = {
    "segv": ("SIGSEGV", "CrashSegv", "segv"),
    "bus": ("SIGBUS", "CrashBus", "bus"),
    "fpe": ("SIGFPE", "CrashFpe", "fpe"),
    "ill": ("SIGILL", "CrashIll", "ill"),
    "abort": ("SIGABRT", "CrashAbort", "abort"),
    "terminate": ("SIGABRT", "ThrowFromNoexcept", "terminate"),
    "thread": ("SIGSEGV", "CrashSegv", "segv"),
}


def crash_line(marker: str) -> int:
    for number, line in enumerate(SOURCE.read_text().splitlines(), start=1):
        if line.rstrip().endswith(f"// crash line: {marker}"):
            return number
    raise AssertionError(f"no '// crash line: {marker}' in {SOURCE}")


def check_crash(error: goray.NativeCrash, kind: str) -> None:
    name, function, marker = KINDS[kind]
    assert error.signal == name, error.report
    assert function in error.frames[0], error.report
    assert f"crashes.cpp:{crash_line(marker)}" in error.frames[0], error.report
    assert error.report in str(error)


@pytest.mark.ray_versions
def test_each_signal_in_a_task_reaches_the_caller_with_its_report(lib):
    task = goray.golang_task("CrashTask").options(max_retries=0)
    refs = {kind: task.remote(kind) for kind in KINDS}
    for kind, ref in refs.items():
        with pytest.raises(goray.NativeCrash) as caught:
            ray.get(ref)
        error = caught.value
        assert isinstance(error, ray.exceptions.WorkerCrashedError)  # Ray's except clauses
        assert "The worker died unexpectedly" in str(error)
        assert error.task_id == ref.task_id().hex()
        check_crash(error, kind)
        where = "on a thread running no goray call" if kind == "thread" else "in task CrashTask"
        assert where in error.report, error.report
        if kind == "segv":  # errors.md's sample: Ray's message, then the report
            assert_sample("docs/errors.md", "The worker died", str(error), SAMPLE_MASKS)
    assert ray.get(goray.golang_task("Square").remote(3.0)) == 9.0


def test_retries_still_happen_and_the_last_crash_is_reported(lib, tmp_path):
    assert ray.get(goray.golang_task("CrashOnce").options(max_retries=1).remote(str(tmp_path / "m"))) == 42
    with pytest.raises(ray.exceptions.WorkerCrashedError) as caught:  # crashes twice
        ray.get(goray.golang_task("CrashTask").options(max_retries=1).remote("abort"))
    assert isinstance(caught.value, goray.NativeCrash)
    check_crash(caught.value, "abort")


def test_two_actors_crash_and_each_caller_gets_its_own_report(lib):
    crasher = goray.golang_actor_class("Crasher")
    first, second = crasher.remote(1), crasher.remote(2)
    assert ray.get([first.Id.remote(), second.Id.remote()]) == [1, 2]
    refs = [first.Crash.remote("segv"), second.Crash.remote("fpe")]
    errors = []
    for ref in refs:
        with pytest.raises(goray.NativeCrash) as caught:
            ray.get(ref)
        errors.append(caught.value)
    for error, kind in zip(errors, ("segv", "fpe")):
        assert isinstance(error, ray.exceptions.ActorDiedError)
        assert "in method Crasher.Crash" in error.report
        check_crash(error, kind)
    assert errors[0].task_id != errors[1].task_id
    # A later call to the dead actor is Ray's error alone: it crashed nothing itself.
    with pytest.raises(ray.exceptions.RayActorError) as later:
        ray.get(first.Id.remote())
    assert not isinstance(later.value, goray.NativeCrash)


def wait_for_restart(handle, expected: int) -> None:
    """Calls `handle.Id` until the restarted instance answers `expected` (calls made while
    Ray restarts it fail with ActorUnavailableError)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            assert ray.get(handle.Id.remote()) == expected
            return
        except ray.exceptions.ActorUnavailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.ray_versions
@pytest.mark.parametrize("task_retries", [0, 1])
def test_a_restartable_actors_crash_reaches_the_caller_with_its_report(lib, task_retries):
    # Ray restarts the actor (max_restarts), so its error for the call is not
    # ActorDiedError but ActorUnavailableError, its sibling under RayActorError: the caller
    # still gets goray.NativeCrash, as that class, with the report. With a task retry the
    # method runs again on the restarted instance and crashes again: the last attempt's report.
    crasher = goray.golang_actor_class("Crasher").options(
        max_restarts=4, max_task_retries=task_retries).remote(5)
    assert ray.get(crasher.Id.remote()) == 5
    with pytest.raises(goray.NativeCrash) as caught:
        ray.get(crasher.Crash.remote("segv"))
    error = caught.value
    assert isinstance(error, ray.exceptions.RayActorError)
    if isinstance(error, ray.exceptions.ActorUnavailableError):
        assert type(error).__name__ == "NativeActorUnavailableCrash"
    else:  # (Ray's choice when the restart already failed)
        assert isinstance(error, ray.exceptions.ActorDiedError), type(error).__mro__
    assert "in method Crasher.Crash" in error.report
    check_crash(error, "segv")
    wait_for_restart(crasher, 5)  # the actor came back, built again from its arguments
    # The report is the same through pickling (Ray ships errors between processes).
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and again.report == error.report


@pytest.mark.ray_versions
def test_the_other_calls_in_flight_get_rays_error_alone(lib):
    # Calls queued behind the crashing one on a restartable actor without task retries
    # fail with Ray's error, without a report: they crashed nothing themselves.
    crasher = goray.golang_actor_class("Crasher").options(max_restarts=2).remote(6)
    assert ray.get(crasher.Id.remote()) == 6
    crashing, queued = crasher.Crash.remote("abort"), crasher.Id.remote()
    with pytest.raises(goray.NativeCrash):
        ray.get(crashing)
    try:
        assert ray.get(queued) == 6  # (only if Ray had not sent it before the crash)
    except ray.exceptions.RayActorError as error:
        assert not isinstance(error, goray.NativeCrash)
    wait_for_restart(crasher, 6)


@pytest.mark.ray_versions
def test_a_crashing_method_called_without_retries_keeps_the_actors_restarts(lib):
    # docs/errors.md "Retries": max_task_retries=0 on the one call that may crash
    # deterministically, so it does not run again on every restarted instance.
    crasher = goray.golang_actor_class("Crasher").options(
        max_restarts=1, max_task_retries=3).remote(7)
    with pytest.raises(goray.NativeCrash):
        ray.get(crasher.Crash.options(max_task_retries=0).remote("segv"))
    wait_for_restart(crasher, 7)  # one restart used of one


@pytest.mark.ray_versions
def test_a_crash_in_an_actors_constructor_reaches_its_callers(lib):
    broken = goray.golang_actor_class("Crasher").remote(-1)  # the constructor crashes
    for _ in range(2):  # every call: the constructor's report
        with pytest.raises(goray.NativeCrash) as caught:
            ray.get(broken.Id.remote())
        assert isinstance(caught.value, ray.exceptions.ActorDiedError)
        assert "in the constructor of actor Crasher" in caught.value.report
        check_crash(caught.value, "segv")


@pytest.mark.ray_versions
def test_the_cpp_driver_sees_the_report_in_its_errors(lib):
    assert driver.run_driver(lib, ["crash_reports"]) == 0


@pytest.mark.ray_versions
def test_a_crash_between_a_streams_items_reaches_the_consumer_after_its_items(lib):
    # A C++ generator dies between its third and fourth item, its items 10 ms apart (more
    # than the worker's read-ahead budget, so each was handed to Ray on its own): the
    # consumer reads the three items, then the next one is the crash, report attached
    # (the item's ref belongs to the generator's task, whose report the worker filed).
    crash_mid_stream = goray.golang_task("CrashMidStream").options(max_retries=0)
    received = []
    with pytest.raises(goray.NativeCrash) as caught:
        for ref in crash_mid_stream.remote(3, "abort", 10):
            received.append(ray.get(ref))
    assert received == [0, 1, 2]
    assert isinstance(caught.value, ray.exceptions.WorkerCrashedError)
    check_crash(caught.value, "abort")
    assert "in stream of CrashMidStream" in caught.value.report, caught.value.report
    # With no time between them, the items made in the same read-ahead batch as the
    # crash die with the process (streams.md, "Items, errors and cancellation"): a prefix arrives,
    # then the same crash.
    received = []
    with pytest.raises(goray.NativeCrash) as caught:
        for ref in crash_mid_stream.remote(3, "abort", 0):
            received.append(ray.get(ref))
    assert received == [0, 1, 2][:len(received)]
    check_crash(caught.value, "abort")
