"""Native2Py handlers (commands 0-4) driven with hand-built requests: no library."""

import gc
import json
import struct

import pytest

import goray
from goray import _codec, _handlers
from goray._protocol import pack_units


@pytest.fixture(autouse=True)
def gorays_text_replies(monkeypatch):
    """Code-1 replies as GoRay's text, whichever library the session loaded: these tests
    read the texts (test_errors.py covers the structured form a goray library reads)."""
    monkeypatch.setattr(_handlers, "_reads_structured_failures", lambda: False)


def call_payload(args, **meta):
    meta.setdefault("go_ray_arg_pos_to_object", {})
    return pack_units(b"".join(_codec.pack(a) for a in args), json.dumps(meta).encode())


def run(cmd, payload):
    code, reply = _handlers.dispatch(cmd, memoryview(payload))
    return code, bytes(reply)


def ok(cmd, payload):
    code, reply = run(cmd, payload)
    assert code == 0, reply.decode()
    return reply


def failure(cmd, payload):
    code, reply = run(cmd, payload)
    assert code == 1
    return reply.decode()


@goray.local
def hd_add(a, b):
    return a + b


@goray.local
def hd_none():
    return None


@goray.local
def hd_tuple():
    return (1, "x")


@goray.local
def hd_fail(message):
    raise ValueError(message)


@goray.local
def hd_set():
    return {1}


class HdError(Exception):
    pass


@goray.local
def hd_custom_fail():
    raise HdError("custom")


closes = []


@goray.remote
class HdCounter:
    def __init__(self, start):
        self.n = start

    def incr(self, by=1):
        self.n += by
        return self.n

    def __del__(self):
        closes.append(self.n)


def test_local_task():
    assert _codec.unpack(ok(0, call_payload([2, 3], goray_task_name="hd_add"))) == 5
    assert ok(0, call_payload([], goray_task_name="hd_none")) == b"\xc0"
    assert _codec.unpack(ok(0, call_payload([], goray_task_name="hd_tuple"))) == [1, "x"]


def test_dotted_task():
    reply = ok(0, call_payload([[0.1] * 10], goray_task_name="math.fsum"))
    assert _codec.unpack(reply) == 1.0
    reply = ok(0, call_payload(["a", "b"], goray_task_name="os.path.join"))
    assert _codec.unpack(reply) == "a/b"


def test_error_text_format():
    text = failure(0, call_payload(["boom"], goray_task_name="hd_fail"))
    head, _, traceback = text.partition("\n\n")
    assert head == "ValueError: boom"
    assert traceback.startswith("Traceback (most recent call last):\n")
    assert 'raise ValueError(message)' in traceback
    assert traceback.endswith("ValueError: boom")
    assert "goray/_handlers.py" not in traceback  # the driver's own frames are left out


def test_error_type_names():
    text = failure(0, call_payload([], goray_task_name="hd_custom_fail"))
    assert text.startswith(f"{HdError.__module__}.HdError: custom\n\n")
    text = failure(0, call_payload([], goray_task_name="hd_missing"))
    assert text.startswith("goray.UnknownNameError: Python function 'hd_missing' not found; "
                           "known Python functions: ")
    assert "hd_add" in text.partition("\n\n")[0]


def test_error_text_without_traceback():
    assert _handlers.error_text(KeyError("k")) == b"KeyError: 'k'"
    assert _handlers.error_text(goray.ArgumentError("T", 0, "a", "b")) == \
        b"goray.ArgumentError: position 0: expected a, received b (task T)"


def test_error_text_survives_broken_str():
    class Broken(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert _handlers.error_text(Broken()).endswith(b"Broken: <Broken whose str() failed>")


def test_unpackable_result():
    text = failure(0, call_payload([], goray_task_name="hd_set"))
    assert text.startswith("TypeError: the result of hd_set cannot be sent to native code")


def test_object_refs_refused():
    payload = call_payload([1], goray_task_name="hd_add",
                           go_ray_arg_pos_to_object={"1": {"id": 0, "auto_release": True}})
    text = failure(0, payload)
    assert text.startswith("goray.GorayError: ObjectRef arguments are not allowed in "
                           "in-process calls (ObjectRef at argument position 1)")


def test_meta_cache_reuses_parse():
    payload = call_payload([1, 2], goray_task_name="hd_add")
    ok(0, payload)
    key = json.dumps({"goray_task_name": "hd_add", "go_ray_arg_pos_to_object": {}}).encode()
    assert key in _handlers._meta_cache


def test_py_code():
    source = "import math\n\ndef hyp(a, b):\n    return math.hypot(a, b)\n"
    assert _codec.unpack(ok(1, call_payload([3, 4], func_code=source))) == 5.0
    assert _codec.unpack(ok(1, call_payload([6, 8], func_code=source))) == 10.0
    # GoRay binds the arguments as globals arg0.. too.
    source = "def f(*_):\n    return arg0 + arg1\n"
    assert _codec.unpack(ok(1, call_payload([1, 2], func_code=source))) == 3


def test_py_code_fresh_namespace():
    source = "counter = []\n\ndef f():\n    counter.append(1)\n    return len(counter)\n"
    assert _codec.unpack(ok(1, call_payload([], func_code=source))) == 1
    assert _codec.unpack(ok(1, call_payload([], func_code=source))) == 1


@pytest.mark.parametrize("source,found", [("x = 1\n", 0),
                                          ("def a(): pass\ndef b(): pass\n", 2)])
def test_py_code_needs_one_def(source, found):
    text = failure(1, call_payload([], func_code=source))
    assert text.startswith(f"ValueError: Invalid python function code: it must hold exactly one "
                           f"top-level def, found {found}")


def test_py_code_that_does_not_parse_says_so_as_goray_does():
    # GoRay's TestCallPythonCodeErrors looks for "Invalid python function code".
    text = failure(1, call_payload([], func_code="def bad_function(\n    return 1\n"))
    assert text.startswith("SyntaxError: Invalid python function code: "), text


def test_py_code_traceback_shows_source():
    source = "def f():\n    return 1 / 0\n"
    text = failure(1, call_payload([], func_code=source))
    assert text.startswith("ZeroDivisionError: division by zero\n\nTraceback")
    assert "return 1 / 0" in text


def test_instances_lifecycle():
    closes.clear()
    reply = ok(2, call_payload([10], goray_actor_type_name="HdCounter"))
    assert len(reply) == 8
    (instance_id,) = struct.unpack("<Q", reply)
    call = call_payload([5], goray_py_local_actor_id=instance_id, goray_task_name="incr")
    assert _codec.unpack(ok(3, call)) == 15
    assert _codec.unpack(ok(3, call)) == 20
    text = failure(3, call_payload([], goray_py_local_actor_id=instance_id,
                                   goray_task_name="nope"))
    assert text.startswith("goray.UnknownNameError: method 'nope' of Python class "
                           "HdCounter not found; known methods: incr")
    close = json.dumps({"goray_py_local_actor_id": instance_id}).encode()
    assert ok(4, close) == b""
    gc.collect()
    assert closes == [20]
    assert failure(4, close).startswith(
        f"goray.GorayError: Python local instance {instance_id} is not open")
    assert failure(3, call).startswith(
        f"goray.GorayError: Python local instance {instance_id} is not open")
    assert instance_id not in _handlers.local_instances()


def test_instance_ids_increase():
    first = struct.unpack("<Q", ok(2, call_payload([0], goray_actor_type_name="HdCounter")))[0]
    second = struct.unpack("<Q", ok(2, call_payload([0], goray_actor_type_name="HdCounter")))[0]
    assert second == first + 1
    for i in (first, second):
        ok(4, json.dumps({"goray_py_local_actor_id": i}).encode())


def test_dotted_class():
    (instance_id,) = struct.unpack(
        "<Q", ok(2, call_payload(["abca"], goray_actor_type_name="collections.Counter")))
    call = call_payload([1], goray_py_local_actor_id=instance_id, goray_task_name="most_common")
    assert _codec.unpack(ok(3, call)) == [["a", 2]]
    ok(4, json.dumps({"goray_py_local_actor_id": instance_id}).encode())


def test_unknown_class():
    text = failure(2, call_payload([], goray_actor_type_name="NoSuchClass"))
    assert text.startswith("goray.UnknownNameError: Python class 'NoSuchClass' not found; "
                           "known Python classes: ")
    assert "HdCounter" in text


def test_unknown_and_ray_commands():
    assert run(17, b"") == (1, b"unknown command 17")
    assert run(1023, b"") == (1, b"unknown command 1023")
    code, text = run(5, b"")
    assert code == 1
    assert text.startswith(b"goray.GorayError: calling native task through Ray (RemoteCall) needs Ray")


def test_ray_commands_without_ray_say_what_was_called_in_user_terms():
    # No protocol internals: what was called, that Ray is needed, and how to start it.
    code, text = run(16, call_payload([7], task_name="py_square"))
    assert code == 1
    message = text.decode().split("\n")[0]
    assert message == (
        "goray.GorayError: calling Python task 'py_square' through Ray (RemoteCallPyTask) needs "
        "Ray, which is not running in this process (never started, or ended by ray.shutdown()): "
        "run the program with the goray command (goray [--py-defs FILE] LIBRARY), or call "
        "goray.init(library, ...) before calling native code")
    assert "command 16" not in text.decode() and "EXE_PYTHON" not in text.decode()
    assert run(11, call_payload([], goray_actor_type_name="Counter"))[1].startswith(
        b"goray.GorayError: creating native actor 'Counter' (NewActor) needs Ray")
    assert run(15, b'{"name": "store"}')[1].startswith(
        b"goray.GorayError: looking up named actor 'store' (GetActor) needs Ray")
    assert run(6, b"[0, -1, false]")[1].startswith(
        b"goray.GorayError: getting an ObjectRef's value (Get) needs Ray")


def test_malformed_payloads():
    assert failure(0, b"\x01").startswith("goray._protocol.FramingError: truncated unit")
    assert failure(0, pack_units(b"")).startswith(
        "goray._protocol.FramingError: a call payload is two units")
    text = failure(0, pack_units(b"\xc1", b'{"goray_task_name": "hd_none"}'))
    assert text.startswith("goray._codec.CodecError: invalid msgpack")
    assert failure(0, call_payload([])).startswith(
        "goray._protocol.FramingError: ExePythonLocalTask: the call's options lack "
        "'goray_task_name'")
