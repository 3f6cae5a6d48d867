"""C++ calling a Python async actor: RemoteCall submits without waiting, so many calls
from one C++ thread are in flight in the actor's event loop at once (AsyncBarrier
counts them: arrive() returns once all `calls` are inside)."""
import ray

import goray
from goray._ray import driver


def test_calls_from_a_cpp_task_are_in_flight_at_once(lib):
    assert ray.get(goray.golang_task("AsyncFanOut").remote(50)) == 50


def test_calls_from_cpp_on_the_driver_thread_are_in_flight_at_once(lib):
    # C++ running in the driver process, on the caller's one thread.
    assert goray.golang_local_run_task("AsyncFanOut", 50) == 50


def test_from_the_cpp_driver(lib):
    # The driver's "threaded" scenario ends with AsyncFanOut(50) from its main thread.
    assert driver.run_driver(lib, ["threaded", "50"]) == 0


def test_a_lone_call_times_out_and_counts_one_in_flight(lib, defs):
    # The barrier itself: one call alone never meets the second party.
    barrier = defs.AsyncBarrier.remote(2, 0.2)
    assert ray.get(barrier.arrive.remote()) is False
    assert ray.get(barrier.max_in_flight.remote()) == 1
    ray.kill(barrier)


def test_pauses_in_flight_and_awaited_one_by_one_both_complete(lib, defs):
    sleeper = defs.AsyncSleeper.options(name="pauses_test").remote()
    ray.get(sleeper.pause.remote(0))
    task = goray.golang_task("AsyncPauses")
    assert ray.get(task.remote("pauses_test", 20, 5, True)) == 20
    assert ray.get(task.remote("pauses_test", 5, 5, False)) == 5
    ray.kill(sleeper)
