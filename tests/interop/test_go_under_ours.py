"""Direction 2: a Go library built with GoRay v1.2.1 (go/main.go, `go build
-buildmode=c-shared`) under OUR Python driver. Run with .venv's Python.

The Go driver (Go -> Go, Go -> Python, in-process both ways, refs as arguments,
Put/Wait/Cancel/GetActor, and the cases where GoRay's own driver fails) runs
through our CLI; the Python -> Go calls run here through goray.init."""
import os

import pytest

from interop_common import (DEFS, GO_LIB, OURS_PYTHON, RAY_INIT, ROOT, assert_checks, require,
                            check_python_to_native_tasks, run_driver, set_loopback_env)

set_loopback_env()  # before Ray is imported

import goray  # noqa: E402  ours
import ray  # noqa: E402

GO_CHECKS = ["go_task", "go_task_multi", "nested_go_task", "put_ref_arg", "go_ref_arg", "py_task",
             "py_ref_arg", "py_actor", "get_actor_py", "go_actor", "get_actor_go", "actor_ref_arg",
             "kill", "wait", "get_timeout", "cancel_call", "cancel", "failure", "local_py_task",
             "local_py_instance", "local_py_close", "py_code", "local_py_calls_go",
             # where GoRay's own driver fails (docs/protocol.md §6): ours passes
             "retry_exceptions", "plain_python_named_actor", "big_local_arg",
             # native results read by native code: the producer's bytes (no values: an
             # empty block); a ref twice in one call; a Go panic's message
             "no_values", "no_values_method", "no_values_get0", "native_bytes", "native_bytes_put",
             "same_ref_twice", "panic_message",
             # a Python failure reaches a Go library as text (docs/protocol.md §9)
             "python_failure_text"]


def test_this_is_our_package():
    assert goray.__file__.startswith(str(ROOT / "python"))


def test_go_driver_under_our_cli(tmp_path):
    status, checks, _, output = run_driver(
        [str(OURS_PYTHON), "-m", "goray", "--py-defs", str(DEFS), require(GO_LIB)], "all", tmp_path)
    assert_checks(checks, GO_CHECKS, output)
    assert status == 0, output[-5000:]


@pytest.fixture(scope="module")
def our_ray():
    os.environ["INTEROP_SCENARIO"] = "none"
    goray.init(require(GO_LIB), str(DEFS), namespace="interop", **RAY_INIT)
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
    yield
    ray.shutdown()


def test_go_driver_through_goray_start(our_ray):
    # goray.start runs the Go driver in this process (here: it returns at once).
    assert goray.start(require(GO_LIB), str(DEFS)) == 0


def test_python_to_go_in_process(our_ray):
    assert goray.golang_local_run_task("Square", 3.0) == 9.0
    assert goray.golang_local_run_task("Divide", 17, 5) == [3, 2]
    counter = goray.golang_local_new_actor("Counter", 5)
    assert counter.Incr(1) == 6 and counter.Get() == 6
    # Python -> Go -> Python, all in-process.
    assert goray.golang_local_run_task("CallsPy", 1) == 101
    # A Go panic is an error naming its message.
    with pytest.raises(goray.NativeError, match="boom"):
        goray.golang_local_run_task("Fail", "boom")


def test_python_to_go_tasks(our_ray):
    check_python_to_native_tasks()
    assert ray.get(goray.golang_task("Point").remote(1.0, 2.0)) == {"x": 1.0, "y": 2.0}


def test_python_to_go_actors(our_ray):
    counter = goray.golang_actor_class("Counter", name="py_made_go_counter").remote(1)
    assert ray.get(counter.Incr.remote(2)) == 3
    assert ray.get(counter.Incr.remote(ray.put(4))) == 7
    assert ray.get(ray.get_actor("py_made_go_counter").Get.remote()) == 7
    ray.kill(counter)


def test_big_go_result_reaches_python(our_ray):
    # GoRay's driver loses a native result over 100 MiB (test_cpp_under_goray.py); ours keeps it.
    size = 101 << 20
    assert len(goray.golang_local_run_task("MakeBytes", size)) == size
    assert ray.get(goray.golang_task("Size").remote(b"\1" * size)) == size


def test_goray_local_on_a_class_works_as_in_goray():
    # GoRay's @goray.local also registers a class for NewPyLocalInstance; so does ours.
    class LocalOnly:
        pass

    assert goray.local(LocalOnly) is LocalOnly