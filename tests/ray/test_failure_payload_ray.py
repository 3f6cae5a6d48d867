"""Failures as structure through Ray (docs/protocol.md §9): a remote native failure keeps
its fields on the Python caller's exception, and GetObject hands native callers the
structured member beside GoRay's Message and Traceback."""
import json

import pytest
import ray

import goray
from goray._ray.native2py.commands import failure_reply


def test_a_remote_argument_error_keeps_its_fields(lib):
    with pytest.raises(goray.ArgumentError) as info:
        ray.get(goray.golang_task("Square").remote("two"))
    error = info.value
    assert isinstance(error, ray.exceptions.RayTaskError)
    assert (error.task, error.position, error.expected, error.received) == \
        ("Square", 0, "double", "str")
    assert error.message == "position 0: expected double, received str"


def test_a_remote_wrong_count_has_no_position(lib):
    with pytest.raises(goray.ArgumentError) as info:
        ray.get(goray.golang_task("Square").remote(1.0, 2.0))
    error = info.value
    assert (error.task, error.position, error.expected, error.received) == \
        ("Square", None, "1 argument", "2 arguments")


def test_a_remote_unknown_name_keeps_the_known_ones(lib):
    with pytest.raises(goray.UnknownNameError) as info:
        ray.get(goray.golang_task("Nope").remote())
    error = info.value
    assert (error.kind, error.name) == ("task", "Nope")
    assert "Square" in error.known and "Nope" not in error.known


def member(error, task=""):
    code, payload = failure_reply(error, "object 3", task)
    assert code == 5
    return json.loads(payload)


def test_get_object_hands_a_native_caller_the_member():
    cause = goray.ArgumentError("Square", 0, "double", "str")
    payload = member(ray.exceptions.RayTaskError("Square", "", cause))
    assert payload["Error"] == {"type": "goray::ArgumentError", "task": "Square", "position": 0,
                                "expected": "double", "received": "str",
                                "message": "position 0: expected double, received str"}
    assert payload["Message"] == \
        "goray::ArgumentError: position 0: expected double, received str (task Square)"
    unknown = member(ray.exceptions.RayTaskError(
        "Nope", "", goray.UnknownNameError("task", "Nope", ["Add"])), "Nope")["Error"]
    assert (unknown["kind"], unknown["name"], unknown["known"], unknown["task"]) == \
        ("task", "Nope", ["Add"], "Nope")


def test_python_and_ray_failures_carry_their_type():
    python = member(ray.exceptions.RayTaskError("py_fail", "tb", ValueError("bad")), "py_fail")
    assert python["Error"] == {"type": "ValueError", "message": "bad", "task": "py_fail"}
    assert python["Message"] == "ValueError: bad (task py_fail)"
    crashed = member(ray.exceptions.WorkerCrashedError(), "Crash")["Error"]
    assert crashed["type"] == "ray.exceptions.WorkerCrashedError" and crashed["task"] == "Crash"
