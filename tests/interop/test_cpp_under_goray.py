"""Direction 1: a C++ library built with this project under GoRay's own Python
driver (goray==1.2.1 from PyPI, in .venv-goray). Run with .venv-goray's Python.

The driver scenario (C++ -> C++, C++ -> Python, in-process both ways, refs as
arguments, Put/Wait/Cancel/GetActor) runs through GoRay's CLI; the Python ->
C++ calls run here through GoRay's Python API. Where GoRay's driver has a bug
that docs/protocol.md §6 names, the test shows it (test_cpp_under_ours.py
shows our driver doing better with the same library and py-defs)."""
import os

import pytest

from interop_common import (CPP_CHECKS, CPP_LIB, DEFS, GORAY_PYTHON, RAY_INIT, ROOT, assert_checks,
                            check_python_to_native_tasks, require, run_driver, set_loopback_env)

set_loopback_env()  # before Ray is imported

import goray  # noqa: E402  GoRay's package
import ray  # noqa: E402



def test_this_is_gorays_package():
    assert "site-packages" in goray.__file__ and str(ROOT / "python") not in goray.__file__
    assert hasattr(goray, "golang_local_run_task")
    import gorayffi  # noqa: F401  only GoRay has it


def test_cpp_driver_under_goray_cli(tmp_path):
    status, checks, observed, output = run_driver(
        [str(GORAY_PYTHON), "-m", "goray.cli", "--py-defs", str(DEFS), require(CPP_LIB)],
        "all", tmp_path)
    assert status == 0, output[-5000:]
    assert_checks(checks, CPP_CHECKS, output)
    # GoRay bug: a native failure is stored as a successful Ray value, so Ray never
    # retries it (retry_exceptions=True, max_retries=2): the first failure is final.
    assert observed["retry_exceptions"].startswith("error:"), observed
    assert "flaky failure 1" in observed["retry_exceptions"]
    # GoRay bug: GetActor infers the language from the Ray class name, so a named
    # actor created by plain Python code cannot be fetched.
    assert "not created by goray" in observed["plain_python_named_actor"], observed
    # GoRay bug: an in-process Python call's arguments are decoded with msgpack's
    # 100 MiB default buffer: a 101 MiB argument is dropped and the call fails.
    assert observed["big_local_arg"].startswith("error:"), observed


@pytest.fixture(scope="module")
def goray_ray():
    os.environ["INTEROP_SCENARIO"] = "none"  # the C++ driver returns at once
    code = goray.start(require(CPP_LIB), str(DEFS), namespace="interop", **RAY_INIT)
    assert code == 0
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
    yield
    ray.shutdown()


def test_python_to_cpp_in_process(goray_ray):
    assert goray.golang_local_run_task("Square", 3.0) == 9.0
    assert goray.golang_local_run_task("Divide", 17, 5) == [3, 2]
    counter = goray.golang_local_new_actor("Counter", 5)
    assert counter.Incr(1) == 6 and counter.Get() == 6
    # Python -> C++ -> Python, all in-process.
    assert goray.golang_local_run_task("CallsPy", 1) == 101


def test_python_to_cpp_tasks(goray_ray):
    check_python_to_native_tasks()


def test_python_to_cpp_actors(goray_ray):
    # GoRay's golang_actor_class(name, **options) takes Ray's "name" option only
    # through .options() (ours: either way, its first parameter is positional-only).
    with pytest.raises(TypeError):
        goray.golang_actor_class("Counter", name="py_made_counter")
    counter = goray.golang_actor_class("Counter").options(name="py_made_counter").remote(1)
    assert ray.get(counter.Incr.remote(2)) == 3
    assert ray.get(counter.Incr.remote(ray.put(4))) == 7
    again = ray.get_actor("py_made_counter")
    assert ray.get(again.Get.remote()) == 7
    ray.kill(counter)


def test_goray_bug_big_native_result_lost(goray_ray):
    # GoRay bug: a native result over 100 MiB seen by Python is decoded with
    # msgpack.Unpacker's 100 MiB default buffer and is lost (ours returns it).
    size = 101 << 20
    try:
        result = goray.golang_local_run_task("MakeBytes", size)
    except Exception as error:  # noqa: BLE001  any failure shows the bug
        result = error
    assert not (isinstance(result, bytes) and len(result) == size), type(result)


def test_gorays_driver_reads_the_structured_failure_payload(goray_ray):
    # goray's code-5 payloads carry an "Error" member beside Message and Traceback
    # (docs/protocol.md §9); GoRay's driver reads only those two and words the failure
    # as it always did.
    text = ("golang panic: goray::ArgumentError: position 0: expected double, received str "
            "(task Square)\n\n")
    with pytest.raises(RuntimeError) as info:
        goray.golang_local_run_task("Square", "two")
    assert str(info.value) == text
    with pytest.raises(RuntimeError) as info:
        goray.golang_local_run_task("Nope")
    assert str(info.value).startswith(
        "golang panic: goray::UnknownNameError: task 'Nope' not found; known tasks: ")
    # Through Ray: the same text inside the RayTaskError.
    with pytest.raises(ray.exceptions.RayTaskError) as info:
        ray.get(goray.golang_task("Square").remote("two"))
    assert text.rstrip() in str(info.value)
