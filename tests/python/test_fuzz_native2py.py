"""The driver's in-process Native2Py handlers (commands 0-4) under any bytes a library
could send, fuzzed with hypothesis (docs/reliability.md, "The Python driver").

Each payload is a seed of tests/fuzz/corpus/native2py/ mutated, random bytes, or a call
assembled from the protocol's parts (units, msgpack arguments, JSON options naming the
functions and classes below). Whatever it is, the driver answers a return code and bytes
and never raises; the compiled fast path's C callback answers exactly what the Python
dispatcher answers (commands 0, 1 and 3, which it serves in C); a failed call leaves no
instance open, and an instance a call opened closes again. Files in
tests/fuzz/regressions/native2py/ (inputs that once broke one of these) are replayed.

The run is deterministic (derandomized) in the suite; GORAY_FUZZ_EXAMPLES=N makes it a
random campaign of N examples per test.
"""
from __future__ import annotations

import ctypes
import json
import os
import pathlib
import struct
from typing import List, Tuple

import msgpack
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

import goray
from goray import _ffi, _handlers
from goray._protocol import Code, Native2Py, pack_units

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus" / "native2py"
REGRESSIONS = ROOT / "tests" / "fuzz" / "regressions" / "native2py"
IN_PROCESS = [int(command) for command in (
    Native2Py.EXE_PYTHON_LOCAL_TASK, Native2Py.EXE_PY_CODE, Native2Py.NEW_CLASS_INSTANCE,
    Native2Py.LOCAL_METHOD_CALL, Native2Py.CLOSE_CLASS_INSTANCE)]
SERVED_IN_C = {int(Native2Py.EXE_PYTHON_LOCAL_TASK), int(Native2Py.EXE_PY_CODE),
               int(Native2Py.LOCAL_METHOD_CALL)}
CAMPAIGN = os.environ.get("GORAY_FUZZ_EXAMPLES")
SETTINGS = settings(
    max_examples=int(CAMPAIGN or 500), deadline=None, derandomize=not CAMPAIGN,
    database=DirectoryBasedExampleDatabase(str(ROOT / "build" / "hypothesis")) if CAMPAIGN else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# What the calls may name: functions and a class of this module's own (deterministic,
# nothing slow), and names that exist nowhere.
@goray.local
def fuzz_echo(*values):
    return list(values)


@goray.local
def fuzz_fail(*values):
    raise ValueError(f"fuzz_fail with {len(values)} values")


@goray.local
def fuzz_unpackable(*values):
    return {1, 2}


@goray.local
class FuzzBox:
    def __init__(self, *values):
        self.values = list(values)

    def get(self, *values):
        return self.values + list(values)

    def fail(self, *values):
        raise RuntimeError("FuzzBox.fail")


FUNCTIONS = ["fuzz_echo", "fuzz_fail", "fuzz_unpackable", "no_such_function",
             "no.such.module.function", ""]
CLASSES = ["FuzzBox", "NoSuchClass", ""]
METHODS = ["get", "fail", "values", "__init__", "__class__", "missing", ""]
SOURCES = ["def f(*a):\n    return list(a)\n", "def f():\n    raise KeyError('k')\n",
           "def f(x):\n    return x\n", "def f():\n    return object()\n",
           "def f():\n    return 2 ** 70\n", "x = 1\n", "def a(): pass\ndef b(): pass\n",
           "def f(:\n", ""]

# ---------------------------------------------------------------------------
# Payloads.

MSGPACK_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
    | st.text(max_size=20) | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


def packed(value) -> bytes:
    try:
        return msgpack.packb(value, use_bin_type=True)
    except (OverflowError, TypeError, ValueError):
        return b"\xc0"  # nil for what msgpack cannot hold (integers past 64 bits)


ARGS_BLOCKS = st.one_of(
    st.lists(MSGPACK_VALUES, max_size=4).map(lambda values: b"".join(map(packed, values))),
    st.binary(max_size=40))  # not msgpack, truncated values, trailing bytes

JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 2**64), st.text(max_size=10),
                        st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
OPTION_VALUES = {
    "goray_task_name": st.sampled_from(FUNCTIONS + METHODS) | JSON_VALUES,
    "goray_actor_type_name": st.sampled_from(CLASSES) | JSON_VALUES,
    "goray_py_local_actor_id": st.integers(-2, 4) | JSON_VALUES,
    "func_code": st.sampled_from(SOURCES) | JSON_VALUES,
    "go_ray_arg_pos_to_object": st.just({}) | JSON_VALUES,
}
OPTIONS = st.fixed_dictionaries({}, optional=OPTION_VALUES).map(
    lambda options: json.dumps(options).encode())
# Mostly well-formed options, so that calls get past the framing to the handlers' work.
OPTION_UNITS = st.one_of(OPTIONS, OPTIONS, OPTIONS, st.binary(max_size=30),
                         st.sampled_from([b"[]", b"null", b"{", b"\"x\""]))


@st.composite
def structured(draw) -> bytes:
    """A call's two units (arguments, options), sometimes with a third or with a
    length that lies."""
    units = [draw(ARGS_BLOCKS), draw(OPTION_UNITS)]
    if draw(st.booleans()) and draw(st.booleans()):
        units.append(draw(st.binary(max_size=8)))
    payload = pack_units(*units)
    if draw(st.integers(0, 9)) == 0:  # a unit length past the end, or cut short
        cut = draw(st.integers(0, len(payload)))
        payload = payload[:cut] if draw(st.booleans()) else struct.pack("<Q", 2**63) + payload[8:]
    return payload


def seeds() -> List[Tuple[int, bytes]]:
    """The corpus: (command, payload) of each file (byte 0 the command)."""
    found = []
    for path in sorted(CORPUS.iterdir()):
        data = path.read_bytes()
        found.append((data[0], data[1:]))
    return found


@st.composite
def mutated(draw, payload: bytes) -> bytes:
    data = bytearray(payload)
    for _ in range(draw(st.integers(0, 4))):  # none: the seed as it is
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "byte"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif kind == "truncate":
            del data[at:]
        elif at < len(data):
            data[at] = draw(st.sampled_from([0x00, 0x7f, 0x80, 0xc1, 0xd9, 0xdc, 0xde, 0xff]))
    return bytes(data)


@st.composite
def requests(draw) -> Tuple[int, bytes]:
    """(command, payload): a seed's command mutated, or any in-process command."""
    source = draw(st.sampled_from(["seed", "seed", "structured", "structured", "random"]))
    if source == "seed":
        command, payload = draw(st.sampled_from(seeds()))
        return command, draw(mutated(payload))
    command = draw(st.sampled_from(IN_PROCESS))
    if source == "structured":
        return command, draw(structured())
    return command, draw(st.binary(max_size=64))


# ---------------------------------------------------------------------------
# Calling the driver.

# The protocol's callback (docs/protocol.md §1), to call goray._fastpath's by its address.
CALLBACK_TYPE = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_longlong, ctypes.c_void_p,
                                 ctypes.c_longlong, ctypes.POINTER(ctypes.c_longlong),
                                 ctypes.POINTER(ctypes.c_longlong))
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None
fast = _ffi.fastpath_module()


@pytest.fixture(scope="module", autouse=True)
def fastpath_installed():
    if fast is not None:
        _handlers.install_fastpath(fast)


def call_python(command: int, payload: bytes) -> Tuple[int, bytes]:
    code, reply = _handlers.dispatch(command, memoryview(payload))
    return int(code), bytes(reply)


def call_c(command: int, payload: bytes) -> Tuple[int, bytes]:
    """Through the C callback, as the library calls it (its reply freed as the library does)."""
    callback = CALLBACK_TYPE(fast.callback_address())
    out_len, code = ctypes.c_longlong(0), ctypes.c_longlong(1)
    buffer = ctypes.create_string_buffer(payload, len(payload)) if payload else None
    pointer = callback(command, ctypes.cast(buffer, ctypes.c_void_p) if buffer else None,
                       len(payload), ctypes.byref(out_len), ctypes.byref(code))
    try:
        return code.value, ctypes.string_at(pointer, out_len.value) if out_len.value else b""
    finally:
        if pointer:
            _libc.free(pointer)


def close_instance(instance_id: int) -> None:
    request = json.dumps({"goray_py_local_actor_id": instance_id}).encode()
    assert call_python(int(Native2Py.CLOSE_CLASS_INSTANCE), request)[0] == 0


def check(command: int, payload: bytes) -> None:
    """The properties every request keeps (module docstring)."""
    before = set(_handlers.local_instances())
    code, reply = call_c(command, payload) if fast is not None else call_python(command, payload)
    assert code in {int(c) for c in Code} and isinstance(reply, bytes)
    event(f"command {command}: code {code}")
    if code != 0:
        assert reply, "a failure with no text"
    opened = set(_handlers.local_instances()) - before
    if command == Native2Py.NEW_CLASS_INSTANCE and code == 0:
        (instance_id,) = struct.unpack("<Q", reply)
        assert opened == {instance_id}
        close_instance(instance_id)
    else:
        assert not opened, f"command {command} left instances {opened} open"
    if fast is not None and command in SERVED_IN_C:
        assert call_python(command, payload) == (code, reply), "the C callback and the dispatcher differ"
    if command == Native2Py.CLOSE_CLASS_INSTANCE and code == 0:
        # It closed one of the open instances (an id the strategies reach: 0 to 4).
        assert len(_handlers.local_instances()) == len(before) - 1


@SETTINGS
@given(requests())
def test_every_in_process_request_gets_an_answer_and_leaks_nothing(request: Tuple[int, bytes]):
    check(*request)


@SETTINGS
@given(st.sampled_from(IN_PROCESS), st.binary(max_size=16))
def test_short_payloads_of_every_in_process_command(command: int, payload: bytes):
    check(command, payload)


@SETTINGS
@given(st.sampled_from(["fuzz_echo", "fuzz_fail", "fuzz_unpackable"]), st.lists(MSGPACK_VALUES, max_size=4))
def test_well_formed_task_calls_with_any_values(name: str, values: list):
    """Calls that pass the framing: any argument values, decoded and packed back in C and
    in Python alike."""
    payload = pack_units(b"".join(map(packed, values)),
                         json.dumps({"goray_task_name": name, "go_ray_arg_pos_to_object": {}}).encode())
    check(int(Native2Py.EXE_PYTHON_LOCAL_TASK), payload)
    source = SOURCES[0] if name == "fuzz_echo" else SOURCES[1]
    payload = pack_units(b"".join(map(packed, values)),
                         json.dumps({"func_code": source, "go_ray_arg_pos_to_object": {}}).encode())
    check(int(Native2Py.EXE_PY_CODE), payload)


def test_open_instances_take_method_calls_and_close_under_fuzzed_requests():
    """With instances open, fuzzed method calls and closes reach them (ids 0 to 4)."""
    opened: List[int] = []
    new = pack_units(packed(1), json.dumps({"goray_actor_type_name": "FuzzBox",
                                            "go_ray_arg_pos_to_object": {}}).encode())
    for _ in range(3):
        code, reply = call_python(int(Native2Py.NEW_CLASS_INSTANCE), new)
        assert code == 0
        opened.append(struct.unpack("<Q", reply)[0])
    try:
        @SETTINGS
        @given(st.sampled_from(opened), st.sampled_from(METHODS), ARGS_BLOCKS)
        def method_calls(instance_id: int, method: str, args: bytes):
            payload = pack_units(args, json.dumps({"goray_py_local_actor_id": instance_id,
                                                   "goray_task_name": method,
                                                   "go_ray_arg_pos_to_object": {}}).encode())
            check(int(Native2Py.LOCAL_METHOD_CALL), payload)

        method_calls()
    finally:
        for instance_id in opened:
            if instance_id in _handlers.local_instances():
                close_instance(instance_id)


def test_the_corpus_holds_a_seed_of_every_in_process_command():
    assert {command for command, _ in seeds()} == set(IN_PROCESS)


def regression_files() -> List[pathlib.Path]:
    return sorted(REGRESSIONS.iterdir()) if REGRESSIONS.is_dir() else []


def test_regressions_replay():
    for path in regression_files():
        data = path.read_bytes()
        check(data[0], data[1:])
