"""Py2Native RunTask and ActorMethodCall done in C by goray._fastpath: the C entry
points give exactly what the Python implementation gives (values, types, exceptions
and their attributes) and leave to it whatever they do not pack or decode exactly
like goray._codec. Error texts that reach native code do not depend on the mode."""

import collections
import datetime as dt
import enum
import os
import subprocess
import sys
import textwrap
import threading

import pytest

import goray
from goray import _ffi, _local

HERE = os.path.dirname(os.path.abspath(__file__))
fast = _ffi.fastpath_module()
needs_fast = pytest.mark.skipif(fast is None, reason="goray._fastpath not built or disabled")

UTC = dt.timezone.utc
python_run = _local._python_run_task


class IntE(enum.IntEnum):
    A = 7


class StrSub(str):
    pass


Point = collections.namedtuple("Point", "x y")


def outcome(call, *args):
    """('ok', value, type) or ('error', exception type, str, attributes)."""
    try:
        value = call(*args)
    except Exception as error:  # noqa: BLE001
        attributes = {k: v for k, v in vars(error).items() if not k.startswith("__")}
        return ("error", type(error), str(error), attributes)
    return ("ok", value, type(value))


def counted(call, *args):
    """(outcome, how): how is 'c' when the C code did the call, 'python' when it
    fell back (before anything was sent)."""
    before = fast.counters()
    result = outcome(call, *args)
    after = fast.counters()
    c = after["py2native_fast"] - before["py2native_fast"]
    python = after["py2native_fallback"] - before["py2native_fallback"]
    assert c + python == 1, (c, python)
    return result, ("c" if c else "python")


def same_as_python(task, *args, how=None):
    result, taken = counted(goray.golang_local_run_task, task, *args)
    assert result == outcome(python_run, task, *args)
    if how is not None:
        assert taken == how, result
    return result


VALUES = [None, True, False, 0, 1, -1, 127, 128, -33, 2**63 - 1, 2**63, 2**64 - 1, -(2**63),
          0.0, -0.0, 1.5, float("inf"), "", "héllo 世界 😀", "a\0b", "x" * 70000, b"", b"\x00\xff",
          bytearray(b"ba"), [], [1, [2, [3]]], (1, "t"), {}, {"k": [1, {"n": None}]},
          {1: "int key", -2: "neg"}, {"big": 2**64 - 1, "f": -0.5, "b": b"x"}]


def short(value):
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


@needs_fast
def test_values_of_every_type_through_c(lib):
    # Type by type, the compiled codec is held against goray._codec in
    # test_codec_equivalence.py; here a call packed, sent and decoded in C gives what the
    # Python implementation gives.
    result = same_as_python("EchoValue", VALUES, how="c")
    assert result[0] == "ok" and len(result[1]) == len(VALUES)


@needs_fast
def test_result_shapes(lib):
    assert same_as_python("Touch", how="c") == ("ok", None, type(None))
    assert same_as_python("Divide", 17, 5, how="c") == ("ok", [3, 2], list)
    assert same_as_python("Triple", 2, how="c") == ("ok", ["n=2", 6, None], list)
    assert same_as_python("Greet", "ray", how="c") == ("ok", "hello ray", str)


FALLBACK_ARGS = [
    ("EchoTime", dt.datetime(2024, 2, 29, 1, 2, 3, 4, tzinfo=UTC)),
    ("EchoTime", dt.datetime(2024, 1, 1)),                 # naive: ArgumentError
    ("EchoI64", IntE.A),
    ("EchoStr", StrSub("sub")),
    ("EchoMapStr", collections.OrderedDict(a=1)),
    ("EchoPair", Point("p", 2.5)),
    ("EchoBytes", memoryview(b"mv")),
    ("EchoValue", {1, 2}),                                 # not packable
    ("EchoValue", [1, {"k": object()}]),
    ("EchoStr", "\udc80"),                                 # no UTF-8
    ("Add", 2**64),                                        # beyond 64 bits
    ("Add", -(2**63) - 1),
    ("EchoValue", type("F", (float,), {})(2.5)),
]


@needs_fast
@pytest.mark.parametrize("task,value", FALLBACK_ARGS, ids=lambda v: short(v))
def test_unusual_arguments_go_the_python_way(lib, task, value):
    args = (value, 1) if task == "Add" else (value,)
    same_as_python(task, *args, how="python")


@needs_fast
def test_deep_and_self_referencing_arguments(lib):
    value = 1
    for _ in range(300):
        value = [value]
    same_as_python("EchoValue", value, how="python")
    loop = []
    loop.append(loop)
    result = same_as_python("EchoValue", loop, how="python")
    assert result[0] == "error"


@needs_fast
def test_results_the_c_decoder_leaves_to_python(lib):
    moment = dt.datetime(2024, 2, 29, 1, 2, 3, 4, tzinfo=UTC)
    before = fast.counters()["py2native_result_fallback"]
    assert same_as_python("EchoValue", [1, moment], how="python")[1] == [1, moment]
    assert same_as_python("EchoTime", moment, how="python")[1] == moment
    # Sent by C (an int), the timestamp result decoded by goray._codec.
    assert same_as_python("EchoI64", 5, how="c") == ("ok", 5, int)
    assert fast.counters()["py2native_result_fallback"] == before


@needs_fast
def test_native_errors_identical(lib):
    for task, args in [("Divide", (1, 0)), ("Add", (1, "two")), ("Add", (1, 2, 3)), ("Foo", (1,)),
                       ("Negate", ()), ("EchoVec", ([1, "x"],)), ("ThrowNonStd", ()),
                       ("EchoI8", (128,))]:
        result = same_as_python(task, *args, how="c")
        assert result[0] == "error", (task, result)


@needs_fast
def test_odd_calls_go_the_python_way(lib):
    for args, kwargs in [((), {"name": "Touches"}), ((5,), {}), ((b"Add", 1, 2), {}), ((), {})]:
        def call(*a):
            return goray.golang_local_run_task(*a, **kwargs)

        def reference(*a):
            return python_run(*a, **kwargs)

        result, how = counted(call, *args)
        assert how == "python"
        assert result == outcome(reference, *args)


@needs_fast
def test_150_mib(lib):
    big = bytes(range(256)) * (150 * 1024 * 1024 // 256)
    result, how = counted(goray.golang_local_run_task, "EchoBytes", big)
    assert how == "c" and result[0] == "ok" and result[1] == big
    del result
    result, how = counted(goray.golang_local_run_task, "MakeBytes", 150 * 1024 * 1024)
    assert how == "c" and len(result[1]) == 150 * 1024 * 1024
    del result
    assert goray.golang_local_run_task("EchoValue", [big, "tail", big]) == [big, "tail", big]


# ---- Actors -------------------------------------------------------------------------

@needs_fast
def test_actor_calls_through_c(lib):
    with goray.golang_local_new_actor("Counter", 0) as counter:
        result, how = counted(counter.Incr, 5)
        assert (result, how) == (("ok", 5, int), "c")
        result, how = counted(counter.call, "Label", "n=")
        assert (result, how) == (("ok", "n=5", str), "c")
        result, how = counted(counter.Incr, IntE.A)  # an int subclass: the Python way
        assert (result, how) == (("ok", 12, int), "python")
        # Errors: the same exceptions either way.
        c_error, how = counted(counter.Fail)
        assert how == "c" and c_error[0] == "error"
        assert c_error[1:3] == (goray.NativeError, "std::logic_error: counter failed at 12 "
                                                   "(task Counter.Fail)")
        c_error, how = counted(counter.Incr, "x")
        python_error, python_how = counted(counter.Incr, StrSub("x"))
        assert (how, python_how) == ("c", "python")
        assert c_error == python_error
        assert c_error[1] is goray.ArgumentError
        assert c_error[3]["task"] == "Counter.Incr"
        c_error, how = counted(counter.Nope)
        assert how == "c" and c_error[1] is goray.UnknownNameError
        big_error, how = counted(counter.Incr, 2**64)  # refused before sending
        assert how == "python" and big_error[1] is goray.ArgumentError
        assert big_error[2].endswith("(task Counter.Incr)")
    with pytest.raises(goray.GorayError, match="is closed"):
        counter.Incr(1)


@needs_fast
def test_actor_call_odd_arguments(lib):
    with goray.golang_local_new_actor("Counter", 0) as counter:
        assert fast.actor_call(counter.index, 5, (), "Counter") is fast.FALLBACK
        assert fast.actor_call(-1, "Get", (), "Counter") is fast.FALLBACK
        assert fast.actor_call(2**60, "Get", (), "Counter") is fast.FALLBACK
        assert fast.actor_call(counter.index, "Get", (), "Counter") == 0
        with pytest.raises(TypeError):
            fast.actor_call(counter.index, "Get", [], "Counter")


# ---- Threads and re-entry -----------------------------------------------------------

def test_threads_share_the_c_paths(lib):
    errors = []
    with goray.golang_local_new_actor("Counter", 0) as counter:
        def work(t):
            try:
                for i in range(200):
                    assert goray.golang_local_run_task("Add", t, i) == t + i
                    assert goray.golang_local_run_task("EchoValue", {"t": t, "i": [i] * (i % 7)}) \
                        == {"t": t, "i": [i] * (i % 7)}
                    counter.Incr(1)
                    assert goray.golang_local_run_task("ViaPyI64", "py_echo", i) == i
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert counter.Get() == 1600


@needs_fast
def test_reentry_is_c_all_the_way(lib):
    before = fast.counters()
    assert goray.golang_local_run_task("Reenter", 30) == 60
    after = fast.counters()
    assert after["py2native_fast"] - before["py2native_fast"] == 31       # 1 + 30 nested
    assert after["native2py_fast"] - before["native2py_fast"] == 30
    assert after["py2native_fallback"] == before["py2native_fallback"]
    assert after["native2py_fallback"] == before["native2py_fallback"]


# ---- Error texts that reach native code do not depend on the mode ---------------------

# Native code calls fpy_native_failure(kind): the same line raises a NativeError through
# the C path ("c"), the Python fallback ("python": a str subclass argument), and in a
# GORAY_NO_FASTPATH process through ctypes.
FAILURE_ARGS = {"c": "boom", "python": StrSub("boom")}


@goray.local
def fpy_native_failure(kind):
    return goray.golang_local_run_task("ThrowRuntime", FAILURE_ARGS[kind])


def catch_texts(lib_path, no_fastpath):
    code = textwrap.dedent(f"""
        import json, goray, testapp_defs, test_fastpath_py2native
        goray.load_library({str(lib_path)!r})
        out = [goray.golang_local_run_task("CatchPython", "task", "fpy_native_failure", kind)
               for kind in ("c", "python")]
        print(json.dumps(out))
    """)
    env = {k: v for k, v in os.environ.items() if k != "GORAY_NO_FASTPATH"}
    if no_fastpath:
        env["GORAY_NO_FASTPATH"] = "1"
    env["PYTHONPATH"] = HERE
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    import json
    return json.loads(result.stdout)


def test_error_texts_independent_of_the_mode(lib_path):
    ctypes_texts = catch_texts(lib_path, no_fastpath=True)
    # Through ctypes, both kinds take the same (Python) way: identical texts.
    assert ctypes_texts[0] == ctypes_texts[1]
    type_, message, traceback, what, task = ctypes_texts[0]
    assert (type_, message, task) == ("goray.NativeError",
                                      "std::runtime_error: boom (task ThrowRuntime)",
                                      "fpy_native_failure")
    assert 'return goray.golang_local_run_task("ThrowRuntime", FAILURE_ARGS[kind])' in traceback
    assert "goray/_local.py" not in traceback  # the entry points' frames are left out
    if fast is not None:
        assert catch_texts(lib_path, no_fastpath=False) == ctypes_texts
