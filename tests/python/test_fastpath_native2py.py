"""Native2Py commands 0, 1 and 3 served in C by goray._fastpath: for every payload the
C callback replies exactly what the Python dispatcher replies (code and bytes, error
texts included), and the counters show which calls the C code served and which it
handed to the dispatcher. The callback is called directly, through its address: no
library needed."""

import collections
import ctypes
import datetime as dt
import enum
import gc
import json
import math
import struct
import threading

import msgpack
import pytest

import goray
from goray import _codec, _ffi, _handlers, _registry
from goray._protocol import pack_units


@pytest.fixture(autouse=True)
def gorays_text_replies(monkeypatch):
    """Code-1 replies as GoRay's text, whichever library the session loaded: these tests
    read the texts (test_errors.py covers the structured form a goray library reads)."""
    monkeypatch.setattr(_handlers, "_reads_structured_failures", lambda: False)


fast = _ffi.fastpath_module()

# The protocol's callback (docs/protocol.md §1), to call goray._fastpath's by its address.
CALLBACK_TYPE = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_longlong, ctypes.c_void_p,
                                 ctypes.c_longlong, ctypes.POINTER(ctypes.c_longlong),
                                 ctypes.POINTER(ctypes.c_longlong))
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None


@pytest.fixture(scope="module", autouse=True)
def installed():
    _handlers.install_fastpath(fast)
    yield


def c_callback():
    return CALLBACK_TYPE(fast.callback_address())


def call_c(cmd, payload):
    """The C callback's reply: (code, bytes)."""
    callback = c_callback()
    out_len = ctypes.c_longlong(0)
    code = ctypes.c_longlong(1)
    buffer = ctypes.create_string_buffer(payload, len(payload)) if payload else None
    pointer = callback(cmd, ctypes.cast(buffer, ctypes.c_void_p) if buffer else None,
                       len(payload), ctypes.byref(out_len), ctypes.byref(code))
    try:
        data = ctypes.string_at(pointer, out_len.value) if out_len.value else b""
    finally:
        if pointer:
            _libc.free(pointer)
    return code.value, data


def call_py(cmd, payload):
    code, reply = _handlers.dispatch(cmd, memoryview(payload))
    return code, bytes(reply)


def served(cmd, payload):
    """(reply, how): how is 'c' when the C code served the call, 'dispatch' when it
    handed it to the Python dispatcher."""
    before = fast.counters()
    reply = call_c(cmd, payload)
    after = fast.counters()
    c = after["native2py_fast"] - before["native2py_fast"] + \
        after["native2py_code"] - before["native2py_code"]
    fell = after["native2py_fallback"] - before["native2py_fallback"]
    assert c + fell == 1
    return reply, ("c" if c else "dispatch")


def same(cmd, payload, how=None):
    """The C callback and the dispatcher reply the same; returns the reply."""
    reply, taken = served(cmd, payload)
    assert reply == call_py(cmd, payload)
    if how is not None:
        assert taken == how, reply
    return reply


def payload(args_block, **meta):
    meta.setdefault("go_ray_arg_pos_to_object", {})
    return pack_units(args_block, json.dumps(meta, sort_keys=True).encode())


def task(name, *args):
    return payload(b"".join(msgpack.packb(a, use_bin_type=True) for a in args),
                   goray_task_name=name)


# ---- Python functions the tests call ------------------------------------------------

@goray.local
def fpn_echo(*values):
    return values[0] if len(values) == 1 else list(values)


@goray.local
def fpn_echo1(value):
    return value


@goray.local
def fpn_return(kind):
    return RESULTS[kind]


@goray.local
def fpn_fail(message):
    raise ValueError(message)


@goray.local
def fpn_none():
    return None


class Sub(str):
    pass


class IntE(enum.IntEnum):
    A = 7


Point = collections.namedtuple("Point", "x y")


def nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


RESULTS = {
    "datetime": dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc),
    "naive": dt.datetime(2024, 1, 2),
    "set": {1, 2},
    "big": 2**64,
    "small": -(2**63) - 1,
    "intenum": IntE.A,
    "strsub": Sub("x"),
    "ordered": collections.OrderedDict(a=1),
    "namedtuple": Point(1, 2),
    "memoryview": memoryview(b"ab"),
    "surrogate": "\udc80",
    "deep": nested(300),
    "deep_ok": nested(150),
    "object": object(),
    "nested_set": [1, {"k": {1}}],
    "float_sub": type("F", (float,), {})(1.5),
}


# ---- Values both ways ---------------------------------------------------------------

INTS = [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1,
        -1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63)]
FLOATS = [0.0, -0.0, 1.5, 2.0, -2.0, 1e308, 5e-324, math.inf, -math.inf, math.nan, 0.1]
STRS = ["", "a", "é😀\x00", "a" * 31, "a" * 32, "a" * 255, "a" * 256, "a" * 65535,
        "a" * 65536]
BINS = [b"", b"\x00\xff", b"x" * 255, b"x" * 256, b"x" * 65536]
CONTAINERS = [[], [1] * 15, [1] * 16, [1] * 65536, ["a", [None, [True, [2.5]]]], {},
              {str(i): i for i in range(16)}, {"a": {"b": {"c": []}}},
              {1: "int", -1.5: "float", None: "nil", True: "bool", b"k": "bytes"},
              nested(150)]
VALUES = [None, True, False, *INTS, *FLOATS, *STRS, *BINS, *CONTAINERS]


def test_values_of_every_type_in_one_call():
    # Type by type, the compiled codec is held against goray._codec in
    # test_codec_equivalence.py; here the C callback and the dispatcher reply alike.
    code, reply = same(0, task("fpn_echo", *VALUES), how="c")
    assert code == 0 and len(_codec.unpack(reply)) == len(VALUES)


# ---- What the C code leaves to the dispatcher (same reply either way) ----------------

FALLBACK_ARGS = {
    "timestamp": b"\xd6\xff\x00\x00\x00\x01",
    "timestamp96": msgpack.packb(msgpack.Timestamp(-1, 5), datetime=False),
    "ext": b"\xd4\x05\x01",
    "invalid_utf8": b"\xa1\xff",
    "surrogate_utf8": b"\xa3\xed\xa0\x80",
    "list_key": b"\x81\x91\x01\x02",
    "map_key": b"\x81\x81\x01\x02\x03",
    "never_used": b"\xc1",
    "truncated": b"\x92\x01",
    "truncated_str": b"\xda\x00\x10ab",
    "deep": b"\x91" * 300 + b"\x01",
    "too_deep": b"\x91" * 1100 + b"\x01",
    "huge_count": b"\xdd\xff\xff\xff\xff",
    "huge_map": b"\xdf\xff\xff\xff\xff",
    "timestamp_in_list": b"\x92\x01\xd6\xff\x00\x00\x00\x01",
}


@pytest.mark.parametrize("name", sorted(FALLBACK_ARGS))
def test_unusual_arguments_go_to_dispatch(name):
    code, reply = same(0, payload(FALLBACK_ARGS[name], goray_task_name="fpn_echo"),
                       how="dispatch")
    if name.startswith("timestamp") or name in ("ext", "deep"):
        assert code == 0
    else:  # "truncated" included: a partial last value is an error, never a lost argument
        assert code == 1


@pytest.mark.parametrize("kind", sorted(RESULTS))
def test_unusual_results_packed_by_python(kind):
    before = fast.counters()["native2py_result_fallback"]
    code, reply = same(0, task("fpn_return", kind), how="c")
    if kind != "deep_ok":
        assert fast.counters()["native2py_result_fallback"] == before + 1
    if kind in ("datetime", "intenum", "strsub", "ordered", "namedtuple", "memoryview",
                "deep_ok", "float_sub", "deep"):
        assert code == 0, reply
    else:
        assert code == 1
        assert reply.startswith(b"TypeError: the result of fpn_return cannot be sent to native "
                                b"code: "), reply


def test_self_referencing_result():
    loop = []
    loop.append(loop)
    RESULTS["loop"] = loop
    try:
        code, reply = same(0, task("fpn_return", "loop"), how="c")
        assert code == 1
    finally:
        del RESULTS["loop"]


# ---- Errors -------------------------------------------------------------------------

def test_user_exception_text_identical():
    code, reply = same(0, task("fpn_fail", "boom"), how="c")
    assert code == 1
    head, _, traceback = reply.decode().partition("\n\n")
    assert head == "ValueError: boom"
    assert "raise ValueError(message)" in traceback
    assert "goray/_handlers.py" not in traceback and "goray/_fastpath" not in traceback


def test_wrong_argument_count_goes_to_dispatch():
    # Raised before the function's frame runs: the dispatcher's text names its frame.
    code, reply = same(0, task("fpn_fail"), how="dispatch")
    assert reply.startswith(b"TypeError: fpn_fail() missing 1 required positional argument")
    assert b"_exe_python_local_task" in reply
    same(0, task("fpn_none", 1, 2), how="dispatch")


def test_unknown_function():
    code, reply = same(0, task("fpn_no_such_function", 1), how="dispatch")
    assert reply.startswith(b"goray.UnknownNameError: Python function "
                            b"'fpn_no_such_function'")


def test_dotted_names():
    # A Python function imported by name: served by the dispatcher first (the import),
    # in C once the registry holds it.
    assert same(0, task("os.path.join", "a", "b"))[1] == _codec.pack("a/b")
    assert same(0, task("os.path.join", "a", "b"), how="c")[1] == _codec.pack("a/b")
    # A builtin: always the dispatcher (its errors carry the handler's frame there).
    same(0, task("math.fsum", [0.1] * 10), how="dispatch")
    same(0, task("math.fsum", "x"), how="dispatch")


@pytest.mark.parametrize("meta", [
    {"goray_task_name": "fpn_echo1", "go_ray_arg_pos_to_object": {"0": {"id": 1, "auto_release": True}}},
    {"go_ray_arg_pos_to_object": {}},
    {"goray_task_name": 5, "go_ray_arg_pos_to_object": {}},
    {"goray_task_name": None},
    {"goray_task_name": "fpn_echo1", "num_cpus": 1, "go_ray_arg_pos_to_object": {}},
], ids=["object_ref", "no_name", "int_name", "null_name", "extra_option"])
def test_meta_variants(meta):
    data = pack_units(msgpack.packb(1), json.dumps(meta).encode())
    reply, how = served(0, data)
    assert reply == call_py(0, data)
    assert how == ("c" if meta.get("goray_task_name") == "fpn_echo1" and
                   not meta.get("go_ray_arg_pos_to_object") else "dispatch")


@pytest.mark.parametrize("data", [
    b"", b"\x01", pack_units(b"\x01"), pack_units(b"\x01", b"{"), pack_units(b"\x01", b"[1]"),
    pack_units(b"\x01", b'{"goray_task_name": "fpn_echo1"}')[:-1],
    pack_units(b"\x01", b'{"goray_task_name": "fpn_echo1"}', b"extra unit"),
    b"\xff" * 8 + b"x",
], ids=["empty", "short", "one_unit", "bad_json", "json_list", "truncated", "three_units",
        "huge_length"])
def test_framing_variants(data):
    assert call_c(0, data) == call_py(0, data)


def test_replaced_handler_gets_every_call(monkeypatch):
    def mine(data):
        return 0, b"mine"

    assert same(0, task("fpn_echo1", 1), how="c")[1] == b"\x01"
    monkeypatch.setitem(_handlers._handlers, 0, mine)
    assert served(0, task("fpn_echo1", 1)) == ((0, b"mine"), "dispatch")
    monkeypatch.undo()
    assert same(0, task("fpn_echo1", 1), how="c")[1] == b"\x01"
    _handlers.register_handler(3, mine)
    try:
        assert call_c(3, payload(b"", goray_py_local_actor_id=0, goray_task_name="x")) == \
            (0, b"mine")
    finally:
        _handlers.register_handler(3, _handlers._local_method_call)


# ---- Registry changes between calls (the cache never serves a stale target) --------

def test_registration_changes_between_calls():
    def first(x):
        return ("first", x)

    def second(x):
        return ("second", x)

    first.__name__ = second.__name__ = "fpn_changing"
    goray.local(first)
    assert _codec.unpack(same(0, task("fpn_changing", 1), how="c")[1]) == ["first", 1]
    with pytest.warns(RuntimeWarning):
        goray.local(second)  # the last registration wins
    assert _codec.unpack(same(0, task("fpn_changing", 2), how="c")[1]) == ["second", 2]
    # Direct changes of the table are seen too.
    functions = _registry.function_tables().functions
    functions["fpn_changing"] = first
    assert _codec.unpack(same(0, task("fpn_changing", 3), how="c")[1]) == ["first", 3]
    del functions["fpn_changing"]
    code, reply = same(0, task("fpn_changing", 4), how="dispatch")
    assert reply.startswith(b"goray.UnknownNameError: Python function 'fpn_changing' not found")
    functions["fpn_changing"] = lambda x: ("lambda", x)
    assert _codec.unpack(same(0, task("fpn_changing", 5), how="c")[1]) == ["lambda", 5]
    functions["fpn_changing"] = abs  # a builtin: the dispatcher
    assert _codec.unpack(same(0, task("fpn_changing", -5), how="dispatch")[1]) == 5
    del functions["fpn_changing"]


def test_function_tables_are_the_tables_find_function_reads():
    # The fast path reads the registry through _registry.function_tables() only: the
    # live dicts (the same ones on every call), the imported one keyed by imported_key.
    tables = _registry.function_tables()
    assert tables.functions is _registry.function_tables().functions
    assert tables.imported is _registry.function_tables().imported

    def fpn_tables_probe(x):
        return ("probe", x)

    goray.local(fpn_tables_probe)
    try:
        assert tables.functions["fpn_tables_probe"] is fpn_tables_probe
        assert _codec.unpack(same(0, task("fpn_tables_probe", 1), how="c")[1]) == ["probe", 1]
    finally:
        del tables.functions["fpn_tables_probe"]
    import os.path
    assert _registry.find_function("os.path.basename") is os.path.basename
    assert tables.imported[_registry.imported_key("os.path.basename")] is os.path.basename
    assert same(0, task("os.path.basename", "a/b"), how="c")[1] == _codec.pack("b")


def test_many_distinct_options_and_cache_limit():
    for i in range(50):
        data = payload(msgpack.packb(i), goray_task_name="fpn_echo1", x=i)
        assert same(0, data, how="c") == (0, msgpack.packb(i))
    assert fast.cache_info()["0"] >= 50
    fast.cache_clear()
    assert fast.cache_info()["0"] == 0
    assert same(0, task("fpn_echo1", 1), how="c") == (0, b"\x01")


# ---- LocalMethodCall (3) ---------------------------------------------------------

@goray.remote
class FpnCounter:
    kind = "counter"

    def __init__(self, start=0):
        self.n = start

    def incr(self, by=1):
        self.n += by
        return self.n

    def fail(self):
        raise KeyError("nope")

    @property
    def prop(self):
        return lambda: "from property"

    @staticmethod
    def static(x):
        return ("static", x)

    @classmethod
    def klass(cls, x):
        return (cls.__name__, x)

    def __dunder__(self):
        return "dunder"


class FpnDynamic:
    def __getattr__(self, name):
        return lambda *a: ("dynamic", name, list(a))


def new_instance(cls_name, *args):
    code, reply = call_py(2, payload(b"".join(msgpack.packb(a) for a in args),
                                     goray_actor_type_name=cls_name))
    assert code == 0, reply
    return struct.unpack("<Q", reply)[0]


def close_instance(instance_id):
    call_py(4, json.dumps({"goray_py_local_actor_id": instance_id}).encode())


def method(instance_id, name, *args):
    return payload(b"".join(msgpack.packb(a) for a in args), goray_py_local_actor_id=instance_id,
                   goray_task_name=name)


def test_method_calls_in_c():
    instance_id = new_instance("FpnCounter", 10)
    try:
        # The C path and the dispatcher alternate on one instance: the state is shared.
        assert served(3, method(instance_id, "incr", 5)) == ((0, b"\x0f"), "c")
        assert call_py(3, method(instance_id, "incr", 5)) == (0, b"\x14")
        assert served(3, method(instance_id, "incr")) == ((0, b"\x15"), "c")
        code, reply = same(3, method(instance_id, "fail"), how="c")
        assert reply.startswith(b"KeyError: 'nope'\n\nTraceback")
        # Errors and unusual attributes: the dispatcher.
        for name in ("nope", "__dunder__", "prop", "static", "klass", "kind", "__init__"):
            reply, how = served(3, method(instance_id, name, 1))
            assert how == "dispatch", name
        # Wrong argument count: the dispatcher's text.
        code, reply = same(3, method(instance_id, "incr", 1, 2), how="dispatch")
        assert reply.startswith(b"TypeError: FpnCounter.incr() takes from 1 to 2 positional")
    finally:
        close_instance(instance_id)
    code, reply = same(3, method(instance_id, "incr", 1), how="dispatch")
    assert reply.startswith(f"goray.GorayError: Python local instance {instance_id} is not "
                            "open".encode())


def test_shadowing_instance_attribute():
    instance_id = new_instance("FpnCounter", 0)
    try:
        instance = _handlers.local_instances()[instance_id]
        instance.incr = lambda by=1: "shadowed"
        assert same(3, method(instance_id, "incr", 1), how="dispatch") == \
            (0, _codec.pack("shadowed"))
        del instance.incr
        assert served(3, method(instance_id, "incr", 1)) == ((0, b"\x01"), "c")
        assert call_py(3, method(instance_id, "incr", 1)) == (0, b"\x02")
    finally:
        close_instance(instance_id)


def test_dynamic_and_builtin_methods():
    _registry._classes["FpnDynamic"] = FpnDynamic
    try:
        instance_id = new_instance("FpnDynamic")
        same(3, method(instance_id, "anything", 1), how="dispatch")
        close_instance(instance_id)
    finally:
        del _registry._classes["FpnDynamic"]
    instance_id = new_instance("collections.Counter", "abca")
    try:
        assert same(3, method(instance_id, "most_common", 1), how="c") == \
            (0, _codec.pack([["a", 2]]))
        same(3, method(instance_id, "get", "a"), how="dispatch")  # a builtin method
        same(3, method(instance_id, "get"), how="dispatch")
    finally:
        close_instance(instance_id)


@pytest.mark.parametrize("meta", [
    {"goray_py_local_actor_id": "1", "goray_task_name": "incr"},
    {"goray_py_local_actor_id": True, "goray_task_name": "incr"},
    {"goray_py_local_actor_id": 10**30, "goray_task_name": "incr"},
    {"goray_py_local_actor_id": -1, "goray_task_name": "incr"},
    {"goray_py_local_actor_id": 0, "goray_task_name": 3},
    {"goray_task_name": "incr"},
], ids=["str_id", "bool_id", "huge_id", "negative_id", "int_method", "no_id"])
def test_method_meta_variants(meta):
    meta["go_ray_arg_pos_to_object"] = {}
    data = pack_units(b"", json.dumps(meta).encode())
    assert served(3, data) == (call_py(3, data), "dispatch")


# ---- ExePyCode (1) ------------------------------------------------------------------

def test_py_code_args_decoded_in_c():
    source = "def f(a, b):\n    return [a, b, arg0]\n"
    data = payload(msgpack.packb([1, 2]) + msgpack.packb({"k": b"v"}), func_code=source)
    code, reply = same(1, data, how="c")
    assert _codec.unpack(reply) == [[1, 2], {"k": b"v"}, [1, 2]]
    for source in ("x = 1\n", "def f():\n    return 1 / 0\n", "def f(a):\n    return a\n",
                   "def f(*a):\n    return {1}\n", "def f(*a):\n    del f\n\nfoo = 1\n"):
        same(1, payload(msgpack.packb(1), func_code=source), how="c")
    same(1, payload(FALLBACK_ARGS["timestamp"], func_code="def f(a):\n    return a\n"),
         how="dispatch")
    same(1, payload(b"\x01", func_code=5), how="dispatch")


# ---- Big values, threads, re-entry ---------------------------------------------------

def test_150_mib_argument_and_result():
    big = bytes(range(256)) * (150 * 1024 * 1024 // 256)
    data = task("fpn_echo1", big)
    reply, how = served(0, data)
    assert reply == (0, b"\xc6" + struct.pack(">I", len(big)) + big) and how == "c"
    del reply
    text = "é" * (75 * 1024 * 1024)
    reply, how = served(0, task("fpn_echo", text, [big, {"k": big}]))
    assert how == "c" and reply[0] == 0
    assert _codec.unpack(reply[1]) == [text, [big, {"k": big}]]


def test_eight_threads_at_once():
    errors = []
    barrier = threading.Barrier(8)
    instance_id = new_instance("FpnCounter", 0)

    def work(t):
        try:
            barrier.wait()
            for i in range(300):
                value = {"t": t, "i": i, "s": "x" * (i % 40), "l": [t] * (i % 5)}
                assert call_c(0, task("fpn_echo1", value)) == (0, _codec.pack(value))
                assert call_c(0, task("fpn_fail", f"{t}-{i}"))[0] == 1
                assert call_c(3, method(instance_id, "incr", 1))[0] == 0
                if i % 50 == 0:
                    fast.cache_clear()
                    gc.collect()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _handlers.local_instances()[instance_id].n == 8 * 300
    close_instance(instance_id)


def test_reentry_through_the_c_callback():
    # C callback -> Python -> C callback -> Python ...
    @goray.local
    def fpn_nest(depth):
        if depth == 0:
            return "bottom"
        code, reply = call_c(0, task("fpn_nest", depth - 1))
        assert code == 0, reply
        return [depth, _codec.unpack(reply)]

    before = fast.counters()
    code, reply = call_c(0, task("fpn_nest", 20))
    after = fast.counters()
    assert after["native2py_fast"] - before["native2py_fast"] == 21
    assert after["native2py_fallback"] == before["native2py_fallback"]
    assert (code, reply) == call_py(0, task("fpn_nest", 20))
    value = _codec.unpack(reply)
    for depth in range(20, 0, -1):
        assert value[0] == depth
        value = value[1]
    assert value == "bottom"


def test_reinstalled_hooks_are_seen():
    assert served(0, task("fpn_echo1", 1))[1] == "c"
    stock = {0: lambda data: (0, b""), 1: _handlers._exe_py_code, 3: _handlers._local_method_call}
    tables = _registry.function_tables()
    fast.set_native2py(handlers=_handlers._handlers, stock=stock, resolve=_handlers._fast_target,
                       functions=tables.functions, imported=tables.imported,
                       instances=_handlers._instances, pack_result=_handlers._pack_result,
                       run_py_code=_handlers._run_py_code)
    try:
        assert served(0, task("fpn_echo1", 1)) == ((0, b"\x01"), "dispatch")
    finally:
        _handlers.install_fastpath(fast)
    assert served(0, task("fpn_echo1", 1)) == ((0, b"\x01"), "c")


def test_a_new_dispatcher_alone_gets_every_call():
    seen = []

    def dispatcher(command, data):
        seen.append(command)
        return _handlers.dispatch(command, data)

    fast.set_dispatcher(dispatcher, _handlers.error_reply)
    try:
        assert served(0, task("fpn_echo1", 1)) == ((0, b"\x01"), "dispatch")
        assert seen == [0]
    finally:
        _handlers.install_fastpath(fast)
    assert served(0, task("fpn_echo1", 1)) == ((0, b"\x01"), "c")
