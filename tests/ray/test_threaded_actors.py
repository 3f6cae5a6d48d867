"""Threaded C++ actors: a ThreadSafe() actor type created with max_concurrency > 1 runs
its methods on several Ray threads at once (the GIL released while C++ runs), from
Python and from C++; a type that is not thread-safe is refused the option."""
import pytest
import ray

import goray
from goray._ray import driver

REFUSAL = ("actor type Serial is not thread-safe: max_concurrency=4 would run its methods on 4 "
           "threads at once; mark the class GORAY_THREADSAFE (or registry ThreadSafe()) if its "
           "methods may run concurrently")


def _meet(handle, parties=2, timeout_s=5.0):
    """Two Rendezvous(parties) calls in flight at once: did each see the other?"""
    return ray.get([handle.Rendezvous.remote(parties, timeout_s) for _ in range(2)])


def test_max_concurrency_2_runs_two_calls_at_once_from_python(lib):
    spinner = goray.golang_actor_class("Spinner").options(max_concurrency=2).remote()
    assert _meet(spinner) == [True, True]
    ray.kill(spinner)


def test_max_concurrency_1_runs_calls_one_after_the_other(lib):
    spinner = goray.golang_actor_class("Spinner").options(max_concurrency=1).remote()
    assert _meet(spinner, timeout_s=0.5) == [False, False]
    default = goray.golang_actor_class("Spinner").remote()
    assert _meet(default, timeout_s=0.5) == [False, False]
    ray.kill(spinner)
    ray.kill(default)


def test_native_callers_calls_run_at_once_too(lib):
    # The m__ form (native callers' encoded arguments, execute_view) also releases
    # the GIL: C++ creates the actor and calls it from a task.
    assert ray.get(goray.golang_task("SpinnerMeets").remote(2)) is True
    assert ray.get(goray.golang_task("SpinnerMeets").remote(1)) is False


def test_not_thread_safe_type_is_refused_from_python(lib):
    serial = goray.golang_actor_class("Serial")
    with pytest.raises(goray.GorayError) as info:
        serial.options(max_concurrency=4).remote()
    assert str(info.value) == REFUSAL
    with pytest.raises(goray.GorayError, match=r"actor type Serial is not thread-safe: "
                                               r"concurrency_groups=\{'io': 2\}"):
        serial.options(concurrency_groups={"io": 2}).remote()
    plain = serial.options(max_concurrency=1).remote()
    assert ray.get([plain.Incr.remote() for _ in range(3)]) == [1, 2, 3]
    ray.kill(plain)


def test_not_thread_safe_type_is_refused_from_cpp(lib):
    refused = ray.get(goray.golang_task("SerialRefusal").remote("max_concurrency"))
    assert refused.startswith("PythonError: ") and REFUSAL in refused
    refused = ray.get(goray.golang_task("SerialRefusal").remote("concurrency_groups"))
    assert "actor type Serial is not thread-safe: concurrency_groups=" in refused
    assert ray.get(goray.golang_task("SerialRefusal").remote("num_cpus")) == "created"


def test_threaded_methods_call_back_into_python_and_ray_at_once(lib):
    # Four calls meet, then each calls a @goray.local function in its worker, a Python
    # task and a C++ task, 10 times, on four Ray threads at once.
    parties, rounds, x = 4, 10, 3
    spinner = goray.golang_actor_class("Spinner").options(max_concurrency=parties).remote()
    results = ray.get([spinner.CallBack.remote(x, parties, 10.0, rounds) for _ in range(parties)])
    assert results == [rounds * 3 * x * x] * parties
    ray.kill(spinner)


def test_cpu_bound_calls_run_in_parallel(lib):
    # Behaviour, not timing: both Spin calls return the same value from two threads.
    spinner = goray.golang_actor_class("Spinner").options(max_concurrency=2).remote()
    first, second = ray.get([spinner.Spin.remote(100_000) for _ in range(2)])
    assert first == second
    ray.kill(spinner)


def test_from_the_cpp_driver(lib):
    # Spinner with Option("max_concurrency", 2) and 1, the refusal as goray::PythonError,
    # Grouped's io group, AsyncFanOut(20) from the driver's thread.
    assert driver.run_driver(lib, ["threaded", "20"]) == 0


def test_in_process_calls_from_two_python_threads_run_at_once(lib):
    # The GIL is released around Execute in this process too (LocalActor's fast path).
    import threading
    spinner = goray.golang_local_new_actor("Spinner")
    results = []
    threads = [threading.Thread(target=lambda: results.append(spinner.Rendezvous(2, 5.0)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True, True]
    spinner.close()
