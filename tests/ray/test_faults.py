"""Faults injected under C++ tasks and actors on Ray (docs/reliability.md): worker and actor
processes SIGKILLed mid-call (the way the OOM killer or an operator would, not
through goray), from Python and from the C++ driver (tests/apps/raytest.cpp,
scenarios task_faults and actor_faults).

Tasks and methods that must be killed mid-run (HeldTask, Counter.WaitFor) write
their pid to a file and wait for a release file, so each kill lands while the call
runs, without timing guesses. Node failures: test_cluster.py."""
import os
import signal
import time

import pytest
import ray

import goray
from goray._ray import driver


def wait_for_file(path) -> None:
    """Polls for a file the C++ code writes; gives up after 5 minutes so that a
    broken test ends (a liveness bound, not a timing assertion)."""
    for _ in range(3000):
        if os.path.exists(path):
            return
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {path}")


def pid_in(path) -> int:
    wait_for_file(path)
    with open(path) as text:
        return int(text.read().split()[0])


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def touch(path) -> None:
    open(path, "w").close()


def square_still_works() -> None:
    assert ray.get(goray.golang_task("Square").remote(3.0)) == 9.0


# ---------------------------------------------------------------------------
# Tasks

def test_task_killed_mid_run_is_retried_with_the_right_result(lib, tmp_path):
    ref = goray.golang_task("HeldTask").options(max_retries=1).remote(str(tmp_path), 3)
    first = pid_in(tmp_path / "started-3-1")
    kill(first)
    touch(tmp_path / "release")
    place = ray.get(ref)
    assert (place["value"], place["attempt"]) == ("9", "2")
    assert place["pid"] != str(first)


def test_task_killed_without_retries_fails_with_worker_crashed(lib, tmp_path):
    ref = goray.golang_task("HeldTask").options(max_retries=0).remote(str(tmp_path), 1)
    kill(pid_in(tmp_path / "started-1-1"))
    touch(tmp_path / "release")
    with pytest.raises(ray.exceptions.WorkerCrashedError):
        ray.get(ref)
    square_still_works()


def test_task_retries_exhausted_is_a_clear_error_and_the_driver_survives(lib, tmp_path):
    marker = tmp_path / "runs"
    with pytest.raises(ray.exceptions.WorkerCrashedError, match="The worker died unexpectedly"):
        ray.get(goray.golang_task("CrashyTask").options(max_retries=2).remote(str(marker), 1000))
    assert marker.read_text() == "3"  # the first run and 2 retries
    square_still_works()


# ---------------------------------------------------------------------------
# Actors: restarted per max_restarts, state rebuilt by the constructor.

def test_actor_killed_restarts_and_retries_calls_with_max_task_retries(lib, tmp_path):
    counter = goray.golang_actor_class("Counter").options(max_restarts=1, max_task_retries=1).remote(10)
    assert ray.get(counter.Incr.remote(5)) == 15
    first = ray.get(counter.Pid.remote())
    in_flight = counter.WaitFor.remote(str(tmp_path / "r1"))
    assert pid_in(tmp_path / "r1.started") == first
    kill(first)
    meanwhile = counter.Get.remote()  # sent while the actor is dead or restarting
    touch(tmp_path / "r1")
    # Both calls are retried on the restarted actor, built again by Counter(10).
    assert ray.get(in_flight) == 10
    assert ray.get(meanwhile) == 10
    second = ray.get(counter.Pid.remote())
    assert second != first
    assert ray.get(counter.Incr.remote(1)) == 11

    kill(second)  # the one restart is used: the actor is dead for good
    seen = []  # ActorUnavailableError until Ray has seen the death, then ActorDiedError
    while not seen or (seen[-1] != "ActorDiedError" and len(seen) < 100):
        with pytest.raises(ray.exceptions.RayActorError) as caught:
            ray.get(counter.Incr.remote(1))
        seen.append(type(caught.value).__name__)
        if seen[-1] != "ActorDiedError":
            time.sleep(0.1)
    assert seen[-1] == "ActorDiedError", seen
    with pytest.raises(ray.exceptions.ActorDiedError):
        ray.get(counter.Get.remote())
    square_still_works()


def test_actor_killed_without_task_retries_loses_the_call_then_restarts(lib, tmp_path):
    counter = goray.golang_actor_class("Counter").options(max_restarts=1).remote(7)
    assert ray.get(counter.Incr.remote(3)) == 10
    lost = counter.WaitFor.remote(str(tmp_path / "o1"))
    kill(pid_in(tmp_path / "o1.started"))
    touch(tmp_path / "o1")
    with pytest.raises(ray.exceptions.RayActorError):  # ActorDiedError or ActorUnavailableError
        ray.get(lost)
    # At most once: calls made while it restarts may fail the same way; once it is
    # back, they reach the new instance (7 again, from the constructor).
    after, unavailable = None, 0
    for _ in range(600):
        try:
            after = ray.get(counter.Incr.remote(1))
            break
        except ray.exceptions.RayActorError:
            unavailable += 1
            time.sleep(0.1)
    assert after == 8, f"{unavailable} calls failed while it restarted"
    ray.kill(counter)


# ---------------------------------------------------------------------------
# The same faults seen by the C++ driver (goray::WorkerDiedError, goray::ActorDiedError).

def test_cpp_driver_task_faults(lib, tmp_path):
    assert driver.run_driver(lib, ["task_faults", str(tmp_path)]) == 0


def test_cpp_driver_actor_faults(lib, tmp_path):
    assert driver.run_driver(lib, ["actor_faults", str(tmp_path)]) == 0
