"""Py2Native RunTask and ActorMethodCall in-process, through goray._fastpath (the codec
route): the arguments packed in C, or by goray._codec when the C packer leaves one
(timestamps, subclasses, ints beyond 64 bits, values it refuses: the ArgumentError then
names the task, position, expected and received), the units framed and sent in C, the
reply decoded in C or by goray._codec; the counters say which way each part went. Error
texts that reach native code do not depend on the way."""

import collections
import datetime as dt
import enum
import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

import goray
from goray import _codec, _ffi, _local
from goray._protocol import Py2Native
from goray.errors import error_from_reply

HERE = os.path.dirname(os.path.abspath(__file__))
fast = _ffi.fastpath_module()
UTC = dt.timezone.utc
MOMENT = dt.datetime(2024, 2, 29, 1, 2, 3, 4, tzinfo=UTC)


class IntE(enum.IntEnum):
    A = 7


class StrSub(str):
    pass


Point = collections.namedtuple("Point", "x y")


def outcome(call, *args, **kwargs):
    """('ok', value, type) or ('error', exception type, str, attributes)."""
    try:
        value = call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001
        attributes = {k: v for k, v in vars(error).items() if not k.startswith("__")}
        return ("error", type(error), str(error), attributes)
    return ("ok", value, type(value))


def counted(call, *args, **kwargs):
    """(outcome, how): how is 'c' when the C packer packed the arguments, 'codec' when
    goray._codec did (the call is sent by the C code either way)."""
    before = fast.counters()
    result = outcome(call, *args, **kwargs)
    after = fast.counters()
    c = after["py2native_fast"] - before["py2native_fast"]
    codec = after["py2native_codec_args"] - before["py2native_codec_args"]
    assert c + codec == 1, (c, codec)
    return result, ("c" if c else "codec")


def by_codec(task, *args):
    """The call with goray._codec packing and decoding all of it, sent by Execute: what a
    call the C code hands over must give."""
    library = _ffi.get_library()
    payload, keep = _local._pack_call(task, args, task)
    command = Py2Native.RUN_TASK_FOR_PYTHON if library.arrays else Py2Native.RUN_TASK
    code, value = library.execute_decoded(int(command), payload, 0,
                                          lambda reply: _codec.unpack_result_block(reply, task))
    del keep
    if code:
        raise error_from_reply(code, value, task)
    return value


def run_counted(task, *args, how):
    result, taken = counted(goray.golang_local_run_task, task, *args)
    assert taken == how, result
    assert result == outcome(by_codec, task, *args)
    return result


VALUES = [None, True, False, 0, 1, -1, 127, 128, -33, 2**63 - 1, 2**63, 2**64 - 1, -(2**63),
          0.0, -0.0, 1.5, float("inf"), "", "héllo 世界 😀", "a\0b", "x" * 70000, b"", b"\x00\xff",
          bytearray(b"ba"), [], [1, [2, [3]]], (1, "t"), {}, {"k": [1, {"n": None}]},
          {1: "int key", -2: "neg"}, {"big": 2**64 - 1, "f": -0.5, "b": b"x"}]


def short(value):
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


def test_values_of_every_type_through_c(lib):
    # Type by type, the compiled codec is held against goray._codec in
    # test_codec_equivalence.py; here a call packed, sent and decoded in C.
    result = run_counted("EchoValue", VALUES, how="c")
    assert result[0] == "ok" and result[1] == _codec.unpack(_codec.pack(VALUES))


def test_result_shapes(lib):
    assert run_counted("Touch", how="c") == ("ok", None, type(None))
    assert run_counted("Divide", 17, 5, how="c") == ("ok", [3, 2], list)
    assert run_counted("Triple", 2, how="c") == ("ok", ["n=2", 6, None], list)
    assert run_counted("Greet", "ray", how="c") == ("ok", "hello ray", str)


# (task, argument, what the caller gets: a value, or the ArgumentError's (expected, received)).
CODEC_ARGS = [
    ("EchoTime", MOMENT, MOMENT),
    ("EchoTime", dt.datetime(2024, 1, 1), ("a timezone-aware datetime", "datetime")),
    ("EchoI64", IntE.A, 7),
    ("EchoStr", StrSub("sub"), "sub"),
    ("EchoMapStr", collections.OrderedDict(a=1), {"a": 1}),
    ("EchoPair", Point("p", 2.5), ["p", 2.5]),
    ("EchoBytes", memoryview(b"mv"), b"mv"),
    ("EchoValue", {1, 2}, ("a msgpack-serializable value", "set")),
    ("EchoValue", [1, {"k": object()}],
     ("a msgpack-serializable value", 'list holding object (at [1]["k"])')),
    ("EchoStr", "\udc80", ("a msgpack-serializable value", "str")),  # no UTF-8
    ("Add", 2**64, ("an integer in [-2**63, 2**64)", "int 18446744073709551616")),
    ("Add", -(2**63) - 1, ("an integer in [-2**63, 2**64)", "int -9223372036854775809")),
    ("EchoValue", type("F", (float,), {})(2.5), 2.5),
    ("EchoValue", [1, MOMENT], [1, MOMENT]),
]


@pytest.mark.parametrize("task,value,expected", CODEC_ARGS, ids=lambda v: short(v))
def test_unusual_arguments_are_packed_by_the_python_codec(lib, task, value, expected):
    args = (value, 1) if task == "Add" else (value,)
    result = run_counted(task, *args, how="codec")
    if isinstance(expected, tuple):
        assert result[:2] == ("error", goray.ArgumentError), result
        attributes = result[3]
        assert (attributes["task"], attributes["position"]) == (task, 0)
        assert (attributes["expected"], attributes["received"]) == expected
        assert result[2] == f"position 0: expected {expected[0]}, received {expected[1]} (task {task})"
    else:
        assert result[0] == "ok" and result[1] == expected and type(result[1]) is type(expected)


def test_deep_and_self_referencing_arguments(lib):
    value = 1
    for _ in range(300):
        value = [value]
    assert run_counted("EchoValue", value, how="codec")[:2] == ("ok", value)
    loop = []
    loop.append(loop)
    result = run_counted("EchoValue", loop, how="codec")
    assert result[:3] == ("error", goray.ArgumentError, "position 0: expected a msgpack-serializable "
                          "value, received list (task EchoValue)")


def test_results_the_c_decoder_leaves_to_the_python_codec(lib):
    before = fast.counters()["py2native_codec_result"]
    assert run_counted("EchoTime", MOMENT, how="codec")[1] == MOMENT
    assert fast.counters()["py2native_codec_result"] == before + 1  # a timestamp result
    assert run_counted("EchoI64", 5, how="c") == ("ok", 5, int)
    assert fast.counters()["py2native_codec_result"] == before + 1


def test_native_errors(lib):
    for task, args, kind, text in [
            ("Divide", (1, 0), goray.NativeError, "std::domain_error: divide by zero (task Divide)"),
            ("Add", (1, "two"), goray.ArgumentError,
             "position 1: expected int64_t, received str (task Add)"),
            ("Add", (1, 2, 3), goray.ArgumentError, "expected 2 arguments, received 3 (task Add)"),
            ("Foo", (1,), goray.UnknownNameError, "task 'Foo' not found; known tasks: Add, "),
            ("Negate", (), goray.ArgumentError, "expected 1 argument, received 0 (task Negate)"),
            ("EchoVec", ([1, "x"],), goray.ArgumentError, "position 0: expected "
             "std::vector<int64_t>, received array (at [1]: expected int64_t, received str)"),
            ("ThrowNonStd", (), goray.NativeError, "testapp::NotAStdException: "),
            ("EchoI8", (128,), goray.ArgumentError, "position 0: expected int8_t, received int 128")]:
        result = run_counted(task, *args, how="c")
        assert result[:2] == ("error", kind) and result[2].startswith(text), (task, result)


def test_odd_calls(lib):
    missing = "golang_local_run_task() missing 1 required positional argument: 'name'"
    for args, kwargs, text in [((), {"name": "Touches"}, missing), ((), {}, missing),
                               ((5,), {}, "the task name must be a str, got int"),
                               ((b"Add", 1, 2), {}, "the task name must be a str, got bytes")]:
        result = outcome(goray.golang_local_run_task, *args, **kwargs)
        assert result == ("error", TypeError, text, {})


def test_keywords_are_resolved_before_the_call(lib):
    # testapp's registration names no parameters: any keyword is an ArgumentError.
    result = outcome(goray.golang_local_run_task, "Add", a=1, b=2)
    assert result[:2] == ("error", goray.ArgumentError)
    assert result[2].startswith("keyword argument 'a': the library does not name Add's parameters")


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

def test_actor_calls(lib):
    with goray.golang_local_new_actor("Counter", 0) as counter:
        assert counted(counter.Incr, 5) == (("ok", 5, int), "c")
        assert counted(counter.call, "Label", "n=") == (("ok", "n=5", str), "c")
        assert counted(counter.Incr, IntE.A) == (("ok", 12, int), "codec")  # an int subclass
        error, how = counted(counter.Fail)
        assert how == "c" and error[1:3] == (goray.NativeError, "std::logic_error: counter failed "
                                                                "at 12 (task Counter.Fail)")
        c_error, how = counted(counter.Incr, "x")
        codec_error, codec_how = counted(counter.Incr, StrSub("x"))
        assert (how, codec_how) == ("c", "codec")
        assert c_error == codec_error
        assert c_error[1] is goray.ArgumentError and c_error[3]["task"] == "Counter.Incr"
        error, how = counted(counter.Nope)
        assert how == "c" and error[1] is goray.UnknownNameError
        error, how = counted(counter.Incr, 2**64)  # refused by goray._codec, before sending
        assert how == "codec" and error[1] is goray.ArgumentError
        assert error[2] == ("position 0: expected an integer in [-2**63, 2**64), received "
                            "int 18446744073709551616 (task Counter.Incr)")
    with pytest.raises(goray.GorayError, match="is closed"):
        counter.Incr(1)


def test_actor_call_odd_arguments(lib):
    with goray.golang_local_new_actor("Counter", 0) as counter:
        with pytest.raises(TypeError, match="the method name must be a str, got int"):
            fast.actor_call(counter.index, 5, (), "Counter")
        for index in (-1, 2**60, "1"):
            with pytest.raises(ValueError, match="is not a native instance index"):
                fast.actor_call(index, "Get", (), "Counter")
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


def test_reentry_is_c_all_the_way(lib):
    before = fast.counters()
    assert goray.golang_local_run_task("Reenter", 30) == 60
    after = fast.counters()
    assert after["py2native_fast"] - before["py2native_fast"] == 31       # 1 + 30 nested
    assert after["native2py_fast"] - before["native2py_fast"] == 30
    assert after["py2native_codec_args"] == before["py2native_codec_args"]
    assert after["native2py_fallback"] == before["native2py_fallback"]


# ---- Error texts that reach native code do not depend on the way ----------------------

# Native code calls fpy_native_failure(kind): the same line raises a NativeError with the
# arguments packed in C ("c") and by goray._codec ("codec": a str subclass argument).
FAILURE_ARGS = {"c": "boom", "codec": StrSub("boom")}


@goray.local
def fpy_native_failure(kind):
    return goray.golang_local_run_task("ThrowRuntime", FAILURE_ARGS[kind])


def test_error_texts_independent_of_the_way(lib_path):
    code = textwrap.dedent(f"""
        import json, goray, testapp_defs, test_fastpath_py2native
        goray.load_library({str(lib_path)!r})
        out = [goray.golang_local_run_task("CatchPython", "task", "fpy_native_failure", kind)
               for kind in ("c", "codec")]
        print(json.dumps(out))
    """)
    env = dict(os.environ, PYTHONPATH=HERE)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    texts = json.loads(result.stdout)
    assert texts[0] == texts[1]
    type_, message, traceback, what, task = texts[0]
    assert (type_, message, task) == ("goray.NativeError",
                                      "std::runtime_error: boom (task ThrowRuntime)",
                                      "fpy_native_failure")
    assert 'return goray.golang_local_run_task("ThrowRuntime", FAILURE_ARGS[kind])' in traceback
    assert "goray/_local.py" not in traceback  # the entry points' frames are left out
