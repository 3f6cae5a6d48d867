"""In-process calls through the test library: native failures, actors, Python
instances and code called from C++, threads and re-entry."""

import gc
import threading
import time

import pytest

import goray
import testapp_defs
from goray import _handlers, golang_local_new_actor as new_actor, golang_local_run_task as run


# ---- Native failures ---------------------------------------------------------------

def test_native_exception(lib):
    with pytest.raises(goray.NativeError) as info:
        run("Divide", 1, 0)
    error = info.value
    assert (error.task, error.type, error.message) == ("Divide", "std::domain_error",
                                                       "divide by zero")
    assert str(error).startswith("std::domain_error: divide by zero (task Divide)")
    assert error.code == 5


def test_native_exception_message_passes_through(lib):
    with pytest.raises(goray.NativeError) as info:
        run("ThrowRuntime", "bad: thing (really)")
    assert (info.value.type, info.value.message, info.value.task) == \
        ("std::runtime_error", "bad: thing (really)", "ThrowRuntime")


def test_non_std_exception(lib):
    with pytest.raises(goray.NativeError) as info:
        run("ThrowNonStd")
    error = info.value
    assert error.type == "testapp::NotAStdException"
    assert error.message == ("an exception of type testapp::NotAStdException that is not a "
                             "std::exception")


def test_unknown_task(lib):
    with pytest.raises(goray.UnknownNameError) as info:
        run("Foo", 1)
    error = info.value
    assert (error.kind, error.name) == ("task", "Foo")
    assert "Add" in error.known and "Divide" in error.known and error.known == sorted(error.known)
    assert str(error) == f"task 'Foo' not found; known tasks: {', '.join(error.known)}"


def test_unknown_actor_type(lib):
    with pytest.raises(goray.UnknownNameError) as info:
        new_actor("Nope")
    error = info.value
    assert (error.kind, error.name, error.known) == \
        ("actor type", "Nope", ["Accumulator", "Counter", "PtrCounter", "ValueCounter"])
    assert str(error) == \
        "actor type 'Nope' not found; known actor types: Accumulator, Counter, PtrCounter, ValueCounter"


def test_unknown_method(lib):
    with new_actor("Counter", 0) as counter:
        with pytest.raises(goray.UnknownNameError) as info:
            counter.Nope()
    error = info.value
    assert (error.kind, error.name, error.known) == \
        ("method", "Nope", ["Describe", "Fail", "Get", "Incr", "Label"])
    assert str(error) == "method 'Nope' not found; known methods: Describe, Fail, Get, Incr, Label"


def test_actor_argument_errors(lib):
    with pytest.raises(goray.ArgumentError) as info:
        new_actor("Counter", "x")
    assert (info.value.task, info.value.position, info.value.expected, info.value.received) \
        == ("Counter", 0, "int64_t", "str")
    with new_actor("Counter", 0) as counter:
        with pytest.raises(goray.ArgumentError) as info:
            counter.Incr(1, 2)
        assert info.value.position is None
        assert info.value.task.endswith("Incr")
        with pytest.raises(goray.ArgumentError) as info:
            counter.Incr(2**64)  # refused before sending
        assert (info.value.task, info.value.position) == ("Counter.Incr", 0)
        assert str(info.value).endswith("(task Counter.Incr)")


def test_method_exception(lib):
    with new_actor("Counter", 5) as counter:
        with pytest.raises(goray.NativeError) as info:
            counter.Fail()
        assert (info.value.type, info.value.message) == ("std::logic_error",
                                                         "counter failed at 5")
        assert info.value.task.endswith("Fail")
        assert counter.Get() == 5  # the actor survives its method's failure


# ---- Tasks of every callable kind ---------------------------------------------------

def test_callable_kinds(lib):
    assert run("Add", -2, 5) == 3
    assert run("Square", 1.5) == 2.25       # a member function of a shared instance
    assert run("Greet", "ray") == "hello ray"
    assert run("Negate", 4) == -4           # a lambda
    before = run("Touches")
    assert run("Touch") is None             # void
    assert run("Touches") == before + 1


# ---- Actors -------------------------------------------------------------------------

@pytest.mark.parametrize("actor_type", ["Counter", "ValueCounter", "PtrCounter"])
def test_actor_factories(lib, actor_type):
    alive = run("CountersAlive")
    with new_actor(actor_type, 10) as counter:
        assert run("CountersAlive") == alive + 1
        assert counter.Incr(5) == 15
        assert counter.call("Incr", 1) == 16
        assert counter.Get() == 16
        assert counter.Label("n=") == "n=16"
        assert counter.Describe() == "counter at 16"  # inherited from a public base
        assert counter.type_name == actor_type and not counter.closed
    assert counter.closed
    assert run("CountersAlive") == alive


@pytest.fixture
def close_counter(lib, monkeypatch):
    """Counts CloseActor commands (7) per instance index."""
    sent = {}
    original = type(lib).execute

    def counting(self, cmd, payload=b"", index=0):
        if cmd == 7:
            sent[index] = sent.get(index, 0) + 1
        return original(self, cmd, payload, index)

    monkeypatch.setattr(type(lib), "execute", counting)
    return sent


def test_local_actor_closed_exactly_once(lib, close_counter):
    alive = run("CountersAlive")
    counter = new_actor("Counter", 1)
    counter.close()
    counter.close()
    with pytest.raises(goray.GorayError, match="is closed: cannot call Incr"):
        counter.Incr(1)
    with counter:
        pass  # exiting `with` on a closed actor does nothing
    del counter
    gc.collect()
    assert list(close_counter.values()) == [1]
    assert run("CountersAlive") == alive


def test_local_actor_closed_by_gc(lib, close_counter):
    alive = run("CountersAlive")
    counter = new_actor("Counter", 1)
    index = counter.index
    assert run("CountersAlive") == alive + 1
    del counter
    gc.collect()
    assert close_counter == {index: 1}
    assert run("CountersAlive") == alive


def test_local_actor_closed_once_under_races(lib, close_counter):
    counter = new_actor("Counter", 0)
    barrier = threading.Barrier(8)

    def close():
        barrier.wait()
        counter.close()

    threads = [threading.Thread(target=close) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert close_counter == {counter.index: 1}


def test_native_close_twice_is_code_1(lib):
    counter = new_actor("Counter", 0)
    index = counter.index
    counter.close()
    code, text = lib.execute(7, b"", index)
    assert code == 1 and text == f"goray: actor instance {index} is already closed".encode()


def test_local_actor_shared_by_threads(lib):
    with new_actor("Counter", 0) as counter:
        def work():
            for _ in range(200):
                counter.Incr(1)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert counter.Get() == 1600


# ---- Python called from C++ in-process ----------------------------------------------

def test_python_instance_closed_exactly_once(lib):
    testapp_defs.closed_counters.clear()
    open_before = set(_handlers.local_instances())
    # incr(5), incr(10), Close, Close again (no-op), a call after Close throws in C++.
    assert run("UsePyInstance", "PyCounter", 100) == [105, 115, 1]
    gc.collect()
    assert testapp_defs.closed_counters == {100: 1}
    assert set(_handlers.local_instances()) == open_before


def test_python_instance_closed_by_raii(lib):
    testapp_defs.closed_counters.clear()
    assert run("PyInstanceScoped", "PyCounter", 200) == 201
    gc.collect()
    assert testapp_defs.closed_counters == {200: 1}


def test_python_dotted_class(lib):
    assert run("MostCommon", "abracadabra", 2) == [["a", 5], ["b", 2]]


def test_python_code(lib):
    source = "def mul(arg0, arg1):\n    return arg0 * arg1\n"
    assert run("RunPyCode", source, 6, 7) == 42
    assert run("RunPyCode", source, "ab", 2) == "abab"
    source = ("import statistics\n\nSCALE = 2\n\n"
              "def mean_scaled(xs, unused):\n    return statistics.mean(xs) * SCALE\n")
    assert run("RunPyCode", source, [1, 2, 3], None) == 4


def test_python_task_dotted(lib):
    source = "def f(a, b):\n    import goray\n    return goray.golang_local_run_task('Add', a, b)\n"
    assert run("RunPyCode", source, 2, 3) == 5


def catch(how, name, arg=None):
    return run("CatchPython", how, name, arg)


def test_python_error_parts(lib):
    type_, message, traceback, what, task = catch("task", "py_fail", "boom")
    assert (type_, message, task) == ("ValueError", "boom", "py_fail")
    assert what == "ValueError: boom (py_fail)"
    assert traceback.startswith("Traceback (most recent call last):\n")
    assert "raise ValueError(message)" in traceback and traceback.endswith("ValueError: boom")


def test_python_unknown_function(lib):
    type_, message, _, what, task = catch("task", "no_such_fn", 1)
    assert type_ == "goray.UnknownNameError"
    assert message.startswith("Python function 'no_such_fn' not found; known Python functions: ")
    assert "py_echo" in message
    assert what == f"goray.UnknownNameError: {message} (no_such_fn)"


def test_python_unknown_class_and_method(lib):
    type_, message, *_ = catch("class", "NoSuchClass", 1)
    assert type_ == "goray.UnknownNameError"
    assert message.startswith("Python class 'NoSuchClass' not found; known Python classes: ")
    assert "PyCounter" in message
    type_, message, _, _, task = catch("method", "PyCounter", 0)
    assert (type_, task) == ("goray.UnknownNameError", "PyCounter.missing")
    assert message == "method 'missing' of Python class PyCounter not found; known methods: incr"


def test_python_code_errors(lib):
    type_, message, *_ = catch("code", "x = 1\n", 1)
    assert (type_, message) == ("ValueError", "Invalid python function code: it must hold "
                                              "exactly one top-level def, found 0")
    type_, message, traceback, _, _ = catch("code", "def f(a):\n    return a / 0\n", 1)
    assert (type_, message) == ("ZeroDivisionError", "division by zero")
    assert "return a / 0" in traceback


def test_python_result_not_packable(lib):
    type_, message, *_ = catch("task", "py_unpackable")
    assert type_ == "TypeError"  # called with one argument it does not take
    source = "def f(a):\n    return {a}\n"
    type_, message, *_ = catch("code", source, 1)
    assert (type_, message) == ("TypeError", "the result of python code f cannot be sent to "
                                "native code: can not serialize 'set' object")


def test_python_error_through_a_task(lib):
    # An uncaught PythonError leaves the C++ task as a native failure.
    with pytest.raises(goray.NativeError) as info:
        run("ViaPyI64", "py_fail", 3)
    assert (info.value.type, info.value.message, info.value.task) == \
        ("ValueError", "3", "ViaPyI64")


# ---- Threads and re-entry -----------------------------------------------------------

def test_cpp_threads_call_python(lib):
    assert run("PyFromThreads", "py_thread_value", 8, 200) == 1600


def test_python_threads_call_cpp_at_once(lib):
    results = [None] * 8
    start = time.monotonic()

    def work(i):
        results[i] = run("SleepMs", 300)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    assert results == [300] * 8
    assert elapsed < 1.5, f"calls did not overlap: {elapsed:.2f}s"  # serial would be 2.4 s


def test_python_threads_through_cpp_into_python(lib):
    errors = []

    def work(t):
        try:
            for i in range(100):
                assert run("Add", t, i) == t + i
                assert run("ViaPyI64", "py_echo", t * 1000 + i) == t * 1000 + i
                assert run("Reenter", 2) == 4
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_reentrant_chain(lib):
    # C++ Reenter -> Python py_reenter -> golang_local_run_task("Reenter") -> ...
    assert run("Reenter", 1) == 2
    assert run("Reenter", 40) == 80


# ---- Raw Py2Native commands -----------------------------------------------------------

def test_init_options_and_driver(lib):
    import json

    assert lib.execute(0, b"") == (0, b'{"num_cpus": 1, "namespace": "testapp"}')
    assert lib.execute(1, b"") == (0, b"7")
    code, listing = lib.execute(2, b"")
    tasks, actors = json.loads(listing)
    assert code == 0 and tasks == sorted(tasks) and "Add" in tasks
    assert actors == ["Accumulator", "Counter", "PtrCounter", "ValueCounter"]
    assert lib.execute(3, b"Counter") == (0, b'["Describe","Fail","Get","Incr","Label"]')
    code, text = lib.execute(3, b"Nope")
    assert code == 1 and b"actor type 'Nope' not found" in text
    code, text = lib.execute(99, b"")
    assert code == 1 and b"unknown command 99" in text


def test_runtime_context_outside_ray_is_empty_and_starts_no_ray(lib):
    import sys
    assert goray.golang_local_run_task("RuntimeJobId") == ""
    assert "ray" not in sys.modules or not sys.modules["ray"].is_initialized()
