"""Native failure replies mapped onto goray's exceptions, without a library."""

import json
import pickle

import pytest

import goray
from goray.errors import error_from_reply, failure_payload


def panic(message, traceback="", error=None):
    payload = {"Message": message, "Traceback": traceback}
    if error is not None:
        payload["Error"] = error
    return json.dumps(payload).encode()


def test_hierarchy():
    assert issubclass(goray.NativeError, goray.GorayError)
    assert issubclass(goray.UnknownNameError, goray.GorayError)
    assert issubclass(goray.ArgumentError, goray.GorayError)
    assert issubclass(goray.ArgumentError, TypeError)
    assert issubclass(goray.GorayError, Exception)


# The Message says something else on purpose: only the structured member counts.
UNRELATED = "x: y (task z)"


def test_argument_error_position():
    error = error_from_reply(5, panic(UNRELATED, error={
        "type": "goray::ArgumentError", "task": "Add", "position": 1,
        "expected": "int64_t", "received": "str",
        "message": "position 1: expected int64_t, received str"}))
    assert type(error) is goray.ArgumentError
    assert (error.task, error.position, error.expected, error.received) == \
        ("Add", 1, "int64_t", "str")
    assert str(error) == "position 1: expected int64_t, received str (task Add)"
    assert error.code == 5


def test_argument_error_nested_received():
    # Text a regex split at the wrong ", received" before: the member needs no split.
    received = "array (at [3]: expected int8_t, received int 300)"
    error = error_from_reply(5, panic(UNRELATED, error={
        "type": "goray::ArgumentError", "task": "EchoVecI8", "position": 0,
        "expected": "std::vector<int8_t>", "received": received,
        "message": f"position 0: expected std::vector<int8_t>, received {received}"}))
    assert type(error) is goray.ArgumentError
    assert (error.task, error.position, error.expected, error.received) == \
        ("EchoVecI8", 0, "std::vector<int8_t>", received)


@pytest.mark.parametrize("expected,message", [
    ("2 arguments", "expected 2 arguments, received 3"),
    # A range (defaults) was no ArgumentError for the regexes: now it is one.
    ("1 to 2 arguments", "expected 1 to 2 arguments, received 3"),
])
def test_argument_error_count(expected, message):
    error = error_from_reply(5, panic(UNRELATED, error={
        "type": "goray::ArgumentError", "task": "Add", "position": None,
        "expected": expected, "received": "3 arguments", "message": message}))
    assert type(error) is goray.ArgumentError
    assert error.position is None
    assert (error.task, error.expected, error.received) == ("Add", expected, "3 arguments")
    assert str(error) == f"{message} (task Add)"


@pytest.mark.parametrize("kind,known", [
    ("task", ["Add", "Divide"]),
    ("actor type", ["Counter"]),
    ("method", []),
    # A name with "', known" in it broke the regex; the list is a list.
    ("task", ["a, b", "c'; known tasks: d"]),
])
def test_unknown_name(kind, known):
    message = f"unknown {kind} 'Foo'; known ...: ..."
    error = error_from_reply(5, panic(UNRELATED, error={
        "type": "goray::UnknownNameError", "task": "Foo", "kind": kind, "name": "Foo",
        "known": known, "message": message}))
    assert type(error) is goray.UnknownNameError
    assert (error.kind, error.name, error.known) == (kind, "Foo", known)
    assert str(error) == message


def test_native_error():
    error = error_from_reply(5, panic(UNRELATED, "#0 Divide\n#1 main", error={
        "type": "std::domain_error", "task": "Divide", "message": "divide: by zero"}))
    assert type(error) is goray.NativeError
    assert (error.task, error.type, error.message, error.traceback) == \
        ("Divide", "std::domain_error", "divide: by zero", "#0 Divide\n#1 main")
    assert str(error) == "std::domain_error: divide: by zero (task Divide)\n\n#0 Divide\n#1 main"


def test_a_failure_for_one_row_names_the_row():
    # goray::ForEachRow's exception: the member's "row" (docs/protocol.md §9).
    payload = json.dumps({"Message": "row 5 failed: std::invalid_argument: bad (task Price)",
                          "Traceback": "", "Error": {"type": "std::invalid_argument",
                                                     "message": "bad", "task": "Price", "row": 5}})
    error = error_from_reply(5, payload.encode())
    assert isinstance(error, goray.NativeError) and error.row == 5
    assert str(error) == "row 5 failed: std::invalid_argument: bad (task Price)"
    assert pickle.loads(pickle.dumps(error)).row == 5
    # Handed on (a C++ caller's Get of the task's failure): the row again, in both members.
    again = json.loads(failure_payload(error.type, error.message, error.task, "",
                                       **goray.errors.error_fields(error)))
    assert again["Error"]["row"] == 5 and again["Message"] == str(error)
    plain = error_from_reply(5, json.dumps({"Message": "m", "Traceback": "", "Error": {
        "type": "std::invalid_argument", "message": "bad", "task": "Price", "row": True}}).encode())
    assert plain.row is None and str(plain) == "std::invalid_argument: bad (task Price)"


def test_a_member_without_a_task_names_the_callee():
    error = error_from_reply(5, panic("", error={"type": "T", "message": "m", "task": ""}),
                             "Mine")
    assert (error.type, error.message, error.task) == ("T", "m", "Mine")


def test_payloads_without_the_member_are_untyped():
    # GoRay's two members only (a Go panic): the Message is the text, not split at ": ".
    error = error_from_reply(5, panic("runtime error: index out of range", "goroutine 1"), "Fail")
    assert type(error) is goray.NativeError
    assert (error.type, error.message, error.task, error.traceback) == \
        ("", "runtime error: index out of range", "Fail", "goroutine 1")
    # Read as GoRay reads a Go panic (its TestPyCallGo looks for "golang panic").
    assert error.go_panic and str(error) == \
        "golang panic: runtime error: index out of range (task Fail)\n\ngoroutine 1"
    # Text wrapping the JSON (as a GetObject payload may be).
    error = error_from_reply(5, b"ray task failed: " + panic("boom", error={
        "type": "std::runtime_error", "message": "x", "task": "T"}))
    assert (error.type, error.message, error.task) == ("std::runtime_error", "x", "T")
    # Plain text: the whole text is the message; the callee names the task.
    error = error_from_reply(5, b"something broke", "Mine")
    assert type(error) is goray.NativeError
    assert (error.type, error.message, error.task) == ("", "something broke", "Mine")


def test_failure_payload_round_trips_every_error():
    for error in [goray.ArgumentError("Add", 1, "int64_t", "str"),
                  goray.ArgumentError("Add", None, "2 arguments", "3 arguments",
                                      message="expected 2 arguments, received 3"),
                  goray.UnknownNameError("task", "Foo", ["A", "B"]),
                  goray.NativeError("Divide", "std::domain_error", "divide by zero", "tb")]:
        type_ = error.type if isinstance(error, goray.NativeError) else \
            f"goray::{type(error).__name__}"
        fields = goray.errors.error_fields(error)
        payload = failure_payload(type_, error.message, getattr(error, "task", ""),
                                  getattr(error, "traceback", ""), **fields)
        back = error_from_reply(5, payload)
        assert type(back) is type(error) and vars(back) == {**vars(error), "code": 5}
        # GoRay's reader (gorayffi.funccall) reads only these two.
        message = json.loads(payload)["Message"]
        assert message.startswith(f"{type_}: {error.message}")


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
        "Python class 'Foo' not found; known Python classes: (none)"


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


def test_code_1_replies_are_structure_for_goray_libraries(lib, monkeypatch):
    from goray import _ffi, _handlers
    try:
        raise goray.ArgumentError("f", 0, "int", "str")
    except goray.ArgumentError as raised:
        error = raised
    assert lib.protocol_version >= 4
    reply = json.loads(_handlers.error_reply(error))
    assert reply["Error"] == {"type": "goray.ArgumentError", "task": "f", "position": 0,
                              "expected": "int", "received": "str",
                              "message": "position 0: expected int, received str (task f)"}
    assert reply["Message"] == "goray.ArgumentError: position 0: expected int, received str (task f)"
    assert reply["Traceback"].startswith("Traceback (most recent call last):")
    assert json.loads(_handlers.error_reply(ValueError("\ud800")))["Error"]["message"] == "?"
    # GoRay's libraries (no GorayProtocolVersion, or below 4) get GoRay's text.
    monkeypatch.setattr(_ffi, "loaded_library", lambda: None)
    assert _handlers.error_reply(error) == _handlers.error_text(error)
    assert _handlers.error_reply(error).startswith(b"goray.ArgumentError: position 0: ")


def test_a_subclass_whose_init_differs_pickles_with_every_part():
    # Ray's RayTaskError(NativeError) is made per error with __init__(self, cause); Ray
    # before 2.50 pickles it itself in compiled graphs, so goray's errors unpickle
    # without their __init__.
    import pickle

    import ray.cloudpickle  # what Ray pickles errors with (a class made at run time by value)

    from goray.errors import ArgumentError, NativeError, UnknownNameError

    for base, parts in ((NativeError, ("Task", "std::invalid_argument", "bad", "#0 f")),
                        (ArgumentError, ("Task", 1, "int64_t", "str")),
                        (UnknownNameError, ("task", "Nope", ["A", "B"]))):
        class Dual(base):  # noqa: B903 - the shape of Ray's dual class
            def __init__(self, cause):
                self.cause = cause
        error = Dual.__new__(Dual)
        base.__init__(error, *parts)
        error.cause = base(*parts)
        back = pickle.loads(ray.cloudpickle.dumps(error))
        assert type(back).__name__ == "Dual" and isinstance(back, base) and str(back) == str(error) and back.args == error.args
        assert str(back.cause) == str(error.cause)
