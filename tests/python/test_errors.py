"""Native failure replies mapped onto goray's exceptions, without a library."""

import json
import pickle

import pytest

import goray
from goray.errors import error_from_reply, native_error, split_native_message


def panic(message, traceback=""):
    return json.dumps({"Message": message, "Traceback": traceback}).encode()


def test_hierarchy():
    assert issubclass(goray.NativeError, goray.GorayError)
    assert issubclass(goray.UnknownNameError, goray.GorayError)
    assert issubclass(goray.ArgumentError, goray.GorayError)
    assert issubclass(goray.ArgumentError, TypeError)
    assert issubclass(goray.GorayError, Exception)


def test_argument_error_position():
    error = error_from_reply(
        5, panic("goray::ArgumentError: position 1: expected int64_t, received str (task Add)"))
    assert type(error) is goray.ArgumentError
    assert (error.task, error.position, error.expected, error.received) == \
        ("Add", 1, "int64_t", "str")
    assert str(error) == "position 1: expected int64_t, received str (task Add)"
    assert error.code == 5


def test_argument_error_nested_received():
    error = error_from_reply(5, panic(
        "goray::ArgumentError: position 0: expected std::vector<int8_t>, received array "
        "(at [3]: expected int8_t, received int 300) (task EchoVecI8)"))
    assert type(error) is goray.ArgumentError
    assert error.task == "EchoVecI8" and error.position == 0
    assert error.expected == "std::vector<int8_t>"
    assert error.received == "array (at [3]: expected int8_t, received int 300)"


def test_argument_error_arity():
    error = error_from_reply(
        5, panic("goray::ArgumentError: expected 2 arguments, received 3 (task Add)"))
    assert type(error) is goray.ArgumentError
    assert error.position is None
    assert (error.task, error.expected, error.received) == ("Add", "2 arguments", "3 arguments")
    assert str(error) == "expected 2 arguments, received 3 (task Add)"


@pytest.mark.parametrize("kind,known_text,known", [
    ("task", "Add, Divide", ["Add", "Divide"]),
    ("actor type", "Counter", ["Counter"]),
    ("method", "(none)", []),
])
def test_unknown_name(kind, known_text, known):
    plural = {"task": "tasks", "actor type": "actor types", "method": "methods"}[kind]
    message = f"unknown {kind} 'Foo'; known {plural}: {known_text}"
    error = error_from_reply(5, panic(f"goray::UnknownNameError: {message} (task Foo)"))
    assert type(error) is goray.UnknownNameError
    assert (error.kind, error.name, error.known) == (kind, "Foo", known)
    assert str(error) == message


def test_native_error():
    error = error_from_reply(
        5, panic("std::domain_error: divide by zero (task Divide)", "#0 Divide\n#1 main"))
    assert type(error) is goray.NativeError
    assert (error.task, error.type, error.message, error.traceback) == \
        ("Divide", "std::domain_error", "divide by zero", "#0 Divide\n#1 main")
    assert str(error) == "std::domain_error: divide by zero (task Divide)\n\n#0 Divide\n#1 main"


def test_native_error_lenient_payloads():
    # Text wrapping the JSON (as a GetObject payload may be).
    wrapped = b"ray task failed: " + panic("std::runtime_error: x (task T)")
    error = error_from_reply(5, wrapped)
    assert (error.type, error.message, error.task) == ("std::runtime_error", "x", "T")
    # Plain text: the whole text is the message; the callee names the task.
    error = error_from_reply(5, b"something broke", "Mine")
    assert type(error) is goray.NativeError
    assert (error.type, error.message, error.task) == ("", "something broke", "Mine")


def test_split_native_message():
    assert split_native_message("a::b: m: n (task T.M)") == ("a::b", "m: n", "T.M")
    assert split_native_message("x (task a) b") == ("", "x (task a) b", "")
    assert split_native_message("T: multi\nline (task Z)") == ("T", "multi\nline", "Z")


@pytest.mark.parametrize("code", [1, 2, 3, 4])
def test_other_codes(code):
    error = error_from_reply(code, b"actor instance 3 is closed")
    assert type(error) is goray.GorayError
    assert str(error) == "actor instance 3 is closed"
    assert error.code == code


def test_errors_pickle():
    for error in [goray.NativeError("T", "std::x", "m", "tb"),
                  goray.UnknownNameError("task", "Foo", ["A"]),
                  goray.ArgumentError("Add", 1, "int64_t", "str")]:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert vars(back) == vars(error)


def test_unknown_name_message():
    assert str(goray.UnknownNameError("Python class", "Foo", [])) == \
        "unknown Python class 'Foo'; known Python classes: (none)"
    assert native_error("goray::UnknownNameError: garbled").type == "goray::UnknownNameError"


def test_native_error_is_a_runtime_error_as_in_goray():
    error = goray.NativeError("Fail", "std::runtime_error", "boom")
    assert isinstance(error, RuntimeError) and isinstance(error, goray.GorayError)
    with pytest.raises(RuntimeError, match="boom"):
        raise error
    assert pickle.loads(pickle.dumps(error)).message == "boom"


def test_a_native_failure_without_a_type_has_no_stray_colon(lib):
    # Go panics have no type; a C++ goray::Error may have none either.
    with pytest.raises(goray.NativeError) as info:
        goray.golang_local_run_task("FailUntyped")
    assert str(info.value) == "untyped failure (task FailUntyped)"
    assert (info.value.type, info.value.message) == ("", "untyped failure")
    assert goray.golang_local_run_task("UntypedWhat") == "m (task t)"
