"""Each native task has one Ray function (GolangTask.<name>, goray._ray.bodies.native_task)
that native and Python callers submit through; its body tells their call forms apart.
And a Ray worker serves native code's Ray commands from the first one on (the
handlers are installed then, not when the worker loads the library)."""
import uuid

import msgpack
import ray

import goray
from goray._ray import bodies, native2py
from goray._ray.objects import NativeBlock, native_value, to_python
from goray._ray.options import with_goray_env


def test_native_and_python_callers_of_a_task_share_its_ray_function(lib):
    python = goray.golang_task("Square").remote(3.0)
    native = native2py.submit_native_task("Square", {}, msgpack.packb(4.0), (), [])
    with_ref = native2py.submit_native_task("Square", {}, b"", (0,), [ray.put(5.0)])
    assert ray.get(python) == 9.0
    assert [to_python(native_value(value)) for value in ray.get([native, with_ref])] == [16.0, 25.0]
    made = [key for key in bodies._native_tasks if key[0] == "Square"]
    assert made == [("Square", False)]  # (name, python_only): one function, no /py twin
    assert bodies.native_task("Square")._function.__name__ == "GolangTask.Square"


def test_python_values_that_look_like_a_block_stay_values(lib):
    # Small bytes first, an empty call, None first: Python values, not an args block
    # (the body knows a Python caller's call by its Ray task name).
    assert ray.get(goray.golang_task("EchoBytes").remote(b"abc")) == b"abc"
    assert ray.get(goray.golang_task("EchoBytes").remote(bytearray(b"xy"))) == b"xy"
    assert ray.get(goray.golang_task("Noop").remote()) is None
    assert ray.get(goray.golang_task("EchoBytes").remote(ray.put(b"by ref"))) == b"by ref"
    where = ray.get(goray.golang_task("Where").remote())
    assert type(where) is dict and where["pid"]


def test_native_callers_empty_and_bytes_blocks_stay_native(lib):
    empty = ray.get(native2py.submit_native_task("Where", {}, b"", (), []))
    block = ray.get(native2py.submit_native_task("EchoBytes", {}, msgpack.packb(b"abc"), (), []))
    # Small results travel as their blocks' bytes: the block of a bytes value, not the value.
    assert type(empty) is bytes and block == msgpack.packb(b"abc")
    assert type(native_value(empty)) is NativeBlock
    assert type(to_python(native_value(empty))) is dict and to_python(native_value(block)) == b"abc"


def test_a_task_name_the_caller_chooses_keeps_the_call_forms_apart(lib):
    named = goray.golang_task("Where").options(name="python-named")
    assert type(ray.get(named.remote())) is dict
    assert ray.get(goray.golang_task("EchoBytes").options(name="python-named").remote(b"ab")) == b"ab"
    native = ray.get(native2py.submit_native_task("Where", {"name": "native-named"}, b"", (), []))
    assert type(to_python(native_value(native))) is dict


def test_a_worker_serves_native_code_s_ray_commands_from_the_first_one(lib):
    @ray.remote
    def nested_from_a_worker():
        # Native code in a plain Python task submits a task through Ray (command 5):
        # nothing installed the Ray handlers in this worker before.
        from goray import _handlers
        from goray._protocol import Native2Py
        before = _handlers._handlers[int(Native2Py.EXE_REMOTE_TASK)].__qualname__
        value = goray.golang_local_run_task("NestedSquare", 6.0)
        after = _handlers._handlers[int(Native2Py.EXE_REMOTE_TASK)].__name__
        return value, before, after

    fresh = with_goray_env({"runtime_env": {"env_vars": {"RAYTEST_FRESH": uuid.uuid4().hex}}})
    value, before, after = ray.get(nested_from_a_worker.options(**fresh).remote())  # a new worker
    assert before == "_needs_ray.<locals>.handler"
    assert (value, after) == (36.0, "_exe_remote_task")
