"""goray.serve's pieces that need neither Ray nor Serve: a request's JSON as a call's
arguments, results as JSON, the path's method, errors' statuses; the serve extra."""
import asyncio
import datetime
import enum
import inspect
import json
import pathlib
import sys
import threading
import tomllib

import numpy
import pytest

from goray.errors import ArgumentError, GorayError, NativeError, UnknownNameError
from goray.serve import Batch
from goray.serve._deployment import _batched, _type_name
from goray.serve._http import error_body, method_name
from goray.serve._replica import ReplicaSpec, _element_error, replica_class
from goray.serve._values import (RequestError, call_arguments, json_bytes, query_arguments,
                                 raw_array, to_json)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_a_json_object_is_the_parameters_by_name_an_array_by_position():
    assert call_arguments(b'{"x": 1, "ys": [1, 2]}', "T.M") == ([], {"x": 1, "ys": [1, 2]})
    assert call_arguments(b"[1, [2, 3]]", "T.M") == ([1, [2, 3]], {})
    assert call_arguments(b"  ", "T.M") == ([], {})
    with pytest.raises(RequestError, match="T.M: the request body is not JSON") as bad:
        call_arguments(b"{x", "T.M")
    assert bad.value.status == 400
    with pytest.raises(RequestError, match="must be a JSON object .* not str"):
        call_arguments(b'"text"', "T.M")
    with pytest.raises(RequestError, match="not JSON"):
        call_arguments(b"\xff\xfe", "T.M")


def test_a_body_is_read_as_json_whatever_its_declared_type():
    # curl -d declares a form; other clients text/plain or nothing: JSON is read all the same.
    for declared in ("application/json", "", "text/plain", "application/x-www-form-urlencoded",
                     "application/problem+json", "application/xml"):
        assert call_arguments(b'{"x": 1}', "T.M", declared) == ([], {"x": 1}), declared
    # Not JSON: 400 when it said JSON (or nothing), 415 when it said a type goray does not read.
    for declared, status in (("application/json", 400), ("", 400), ("application/ld+json", 400),
                             ("application/x-www-form-urlencoded", 415), ("text/plain", 415),
                             ("application/xml", 415)):
        with pytest.raises(RequestError) as refused:
            call_arguments(b"x=1&y=2", "T.M", declared)
        assert refused.value.status == status, declared
    with pytest.raises(RequestError, match=r"T\.M: the request body, of type 'text/plain', is not "
                                           r"JSON: goray reads the arguments as JSON"):
        call_arguments(b"a=1", "T.M", "text/plain")
    assert call_arguments(b"", "T.M", "application/x-www-form-urlencoded") == ([], {})


def test_a_raw_body_is_an_array_of_its_declared_dtype():
    body = numpy.arange(4, dtype="int32").tobytes()
    assert raw_array(body, "int32", "T.M").tolist() == [0, 1, 2, 3]
    with pytest.raises(RequestError, match="needs its dtype in the X-Goray-Dtype header"):
        raw_array(body, None, "T.M")
    with pytest.raises(RequestError, match="unknown dtype 'complex64'"):
        raw_array(body, "complex64", "T.M")
    with pytest.raises(RequestError, match="15 bytes is not a whole number of float64"):
        raw_array(b"x" * 15, "float64", "T.M")


def test_query_values_are_json_where_they_parse():
    assert query_arguments([("n", "5"), ("flag", "true"), ("name", "abc"), ("xs", "[1,2]")]) == \
        {"n": 5, "flag": True, "name": "abc", "xs": [1, 2]}


def test_json_nested_too_deeply_is_the_clients_400_in_the_body_and_in_the_query():
    deep = "[" * 3000 + "]" * 3000
    with pytest.raises(RequestError) as refused:
        call_arguments(deep.encode(), "T.M")
    assert refused.value.status == 400
    assert refused.value.message.startswith("T.M: the request body nests JSON arrays and objects "
                                            "deeper than goray reads")
    with pytest.raises(RequestError) as refused:
        query_arguments([("ok", "1"), ("deep", '{"k": ' + deep + "}")], "T.M")
    assert (refused.value.status, refused.value.parameter) == (400, "deep")
    assert "T.M: query parameter 'deep' nests JSON" in refused.value.message
    assert error_body(refused.value, "T")[1]["parameter"] == "deep"
    # Not so deep: read as ever (the callee's types decide).
    assert call_arguments(b"[" * 50 + b"]" * 50, "T.M")[0] == json.loads("[" * 50 + "]" * 50)


def test_an_integer_of_more_digits_than_python_reads_is_a_400_naming_where_it_is():
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    if not limit:
        pytest.skip("this Python reads integers of any length (no sys.get_int_max_str_digits)")
    long = "7" * (limit + 1)
    with pytest.raises(RequestError) as refused:
        call_arguments(f'{{"ok": [1], "xs": [0, {{"v": [2, -{long}]}}]}}'.encode(), "T.M")
    error = refused.value
    assert (error.status, error.parameter, error.position, error.path) == (400, "xs", None, "[1].v[1]")
    assert error.message == (f"T.M: field 'xs' at [1].v[1] is an integer of {limit + 1} digits, "
                             f"more than any C++ number takes (goray reads JSON integers of up "
                             f"to {limit} digits)")
    assert "set_int_max_str_digits" not in error.message  # (Python's advice is the server's)
    assert error_body(error, "T") == (400, {"error": "BadRequest", "message": error.message,
                                            "parameter": "xs", "path": "[1].v[1]"})
    with pytest.raises(RequestError) as refused:  # by position: the HTTP layer names it
        call_arguments(f"[1, [{long}]]".encode(), "T.M")
    assert (refused.value.parameter, refused.value.position, refused.value.path) == (None, 1, "[0]")
    assert error_body(refused.value, "T")[1]["position"] == 1
    with pytest.raises(RequestError, match=r"T\.M: the request body is an integer of"):
        call_arguments(long.encode(), "T.M")
    with pytest.raises(RequestError) as refused:
        query_arguments([("n", "3"), ("big", f"[1, {long}]")], "T.M")
    assert (refused.value.status, refused.value.parameter, refused.value.path) == (400, "big", "[1]")
    assert "T.M: query parameter 'big' at [1] is an integer of" in refused.value.message
    # The limit's own length still reads (and the callee's types then refuse it).
    assert call_arguments(f'{{"n": {"7" * limit}}}'.encode(), "T.M")[1]["n"] == int("7" * limit)


def test_results_as_json():
    class Color(enum.IntEnum):
        RED = 2
    value = {"a": numpy.array([1.5, 2.5]), "b": b"\x00\x01", "c": numpy.int64(3),
             "d": datetime.datetime(2026, 1, 2, 3, 4, 5), 7: (Color.RED, None, True)}
    assert json.loads(json_bytes(value)) == {"a": [1.5, 2.5], "b": "AAE=", "c": 3,
                                             "d": "2026-01-02T03:04:05", "7": [2, None, True]}
    assert json_bytes(float("nan")) == b"NaN"
    # An enum key (a generated IntEnum's member, or goray._enums' int) is its number, on
    # every Python (3.10's IntEnum str() is "Color.RED").
    from goray._enums import EnumValue
    assert json.loads(json_bytes({Color.RED: 1, EnumValue.of("geo::Kind")(4): True})) == \
        {"2": 1, "4": True}
    with pytest.raises(TypeError, match="a result of type object has no JSON form"):
        to_json(object())


def test_the_method_is_what_follows_the_route_prefix():
    assert method_name("/model/Score", "/model") == "Score"
    assert method_name("/model/", "/model") == ""
    assert method_name("/Score", "") == "Score"
    assert method_name("/model/a/b", "/model") == "a/b"


def test_each_error_answers_with_its_status_and_what_it_says():
    assert error_body(RequestError(413, "too big"), "T") == \
        (413, {"error": "BadRequest", "message": "too big"})
    status, body = error_body(ArgumentError("T.M", 1, "int", "str"), "T")
    assert status == 400 and body == {"error": "ArgumentError", "position": 1, "expected": "int",
                                      "received": "str",
                                      "message": "position 1: expected int, received str (task T.M)"}
    assert error_body(UnknownNameError("method", "X", ["A"]), "T")[0] == 404
    status, body = error_body(NativeError("T.M", "std::domain_error", "zero"), "T")
    assert status == 500 and (body["type"], body["message"], body["task"]) == \
        ("std::domain_error", "zero", "T.M")
    assert error_body(GorayError("odd"), "T") == (500, {"error": "GorayError", "message": "odd"})
    assert error_body(KeyError("k"), "T") == (500, {"error": "KeyError",
                                                    "message": "T: KeyError: 'k'"})


def test_a_batch_elements_own_argument_error_is_said_of_the_element():
    # The native decoder's text for a batch of one element (a vector goray made of it).
    error = _element_error(ArgumentError("T.Many", 0, "std::vector<std::vector<int64_t>>",
                                         "array (at [0][2]: expected int64_t, received str)",
                                         path="[0][2]"), "T.Many")
    assert (error.position, error.expected, error.received, error.path) == (0, "int64_t", "str", "[2]")
    assert str(error) == ("position 0: expected int64_t, received str (at [2]), as one element "
                          "of the batch (task T.Many)")
    error = _element_error(ArgumentError("T.Many", 0, "std::vector<geo::Point>",
                                         "array (at [0]: expected geo::Point, received nil)",
                                         path="[0]"), "T.Many")
    assert (error.expected, error.received, error.path) == ("geo::Point", "nil", "")
    # goray's packer's text (a Python value C++ cannot take).
    error = _element_error(ArgumentError("T.Many", 0, "an integer in [-2**63, 2**64)",
                                         "list holding int of 90 bits (at [0][1])"), "T.Many")
    assert (error.received, error.path) == ("int of 90 bits", "[1]")
    other = ArgumentError("T.Many", None, "1 argument", "2 arguments")
    assert _element_error(other, "T.Many") is other


class _Native:
    """A native instance's stand-in: records the thread each call ran on; a call of
    "Compose" counts as one that called a deployment (goray::serve::Handle)."""

    def __init__(self):
        self.threads = []

    def call(self, name, *args):
        from goray.serve import _replica
        self.threads.append(threading.get_ident())
        if name == "Compose":
            _replica.calls_out += 1
        return sum(args)


def _bare_replica(native):
    """A replica of type "T" around `native`, without a library (its __init__ skipped)."""
    replica = object.__new__(replica_class(ReplicaSpec("T")))
    replica._native, replica._lock, replica._typical, replica._crash = \
        native, threading.Lock(), {}, None
    return replica


def test_a_typically_short_call_runs_on_the_event_loop_others_in_the_thread_pool():
    """A handle's call (and HTTP's) of a method that typically takes under 0.5 ms is made
    on the replica's event loop, as a Python deployment's code runs: no thread hop, and
    no GIL to win back from the loop's threads after the native call. Its first call runs
    in the pool (and is timed), as does a call while the instance is busy, and every call
    of a method that once called a deployment (Serve refuses a blocking wait on the loop)."""
    native = _Native()
    replica = _bare_replica(native)
    score, compose = replica._plain("Score"), replica._plain("Compose")
    assert inspect.iscoroutinefunction(score) and score.__name__ == "Score"

    async def calls():
        loop = threading.get_ident()
        assert [await score(1, 2) for _ in range(3)] == [3, 3, 3]
        replica._lock.acquire()  # another call holds the instance: this one waits in the pool
        waiting = asyncio.ensure_future(score(4))
        await asyncio.sleep(0.05)
        replica._lock.release()
        assert await waiting == 4
        for _ in range(3):
            assert await compose(5) == 5
        return loop

    loop = asyncio.run(calls())
    on_loop = [thread == loop for thread in native.threads]
    assert on_loop == [False, True, True, False, False, False, False], on_loop
    assert replica._typical["Compose"] == float("inf")


def test_deployment_arguments_are_checked():
    assert _type_name("Scorer") == "Scorer"
    with pytest.raises(GorayError, match="takes a C\\+\\+ actor type"):
        _type_name(3)
    with pytest.raises(GorayError, match="'not a name' is not a C\\+\\+ actor type's name"):
        _type_name("not a name")
    assert _batched({"M": True, "N": {"max_batch_size": 4}}) == \
        (("M", Batch()), ("N", Batch(max_batch_size=4)))
    with pytest.raises(GorayError, match="batch\\['M'\\]: .*unexpected keyword argument 'size'"):
        _batched({"M": {"size": 4}})
    with pytest.raises(GorayError, match="batch_wait_timeout_s must be a number of 0 or more"):
        Batch(batch_wait_timeout_s=-1)


def test_one_replica_class_per_spec_named_after_the_type():
    spec = ReplicaSpec("Scorer", (("M", Batch()),))
    made = replica_class(spec)
    assert made is replica_class(ReplicaSpec("Scorer", (("M", Batch()),)))
    assert made.__name__ == "Scorer" and made._spec is spec
    assert replica_class(ReplicaSpec("Scorer")) is not made


def test_the_hooks_default_to_the_cpp_names_when_the_class_has_them():
    methods = frozenset({"Reconfigure", "Score"})
    spec = ReplicaSpec("T")
    assert spec.hook("reconfigure", methods) == "Reconfigure"
    assert spec.hook("check_health", methods) is None
    assert ReplicaSpec("T", hooks=(("reconfigure", ""),)).hook("reconfigure", methods) is None
    with pytest.raises(UnknownNameError, match="T has no method 'Ping' for Serve's check_health"):
        ReplicaSpec("T", hooks=(("check_health", "Ping"),)).hook("check_health", methods)


def test_the_wheel_declares_the_serve_and_data_extras():
    for path in (ROOT / "pyproject.toml", ROOT / "python" / "pyproject.toml"):
        extras = tomllib.loads(path.read_text())["project"]["optional-dependencies"]
        assert extras["serve"] == ["ray[serve]"], path
        # Ray Data imports typing_extensions undeclared; nothing else brings it on 3.14 (tests/py314)
        assert extras["data"] == ["ray[data]", "typing_extensions"], path
