"""The driver's Ray commands as native code sends them (Native2Py 5-16, through
goray._handlers.dispatch, as the library's callback does): what native code
produces for native code reaches it as the producer's bytes, "no values" is an
empty block, and Python consumers see Python values."""
import json

import msgpack
import pytest
import ray

from goray import _codec, _ffi, _handlers, _stores
from goray._protocol import Native2Py, Py2Native, pack_units, unpack_u64
from goray._ray.objects import NativeBlock


def call(command, data):
    code, reply = _handlers.dispatch(int(command), memoryview(data))
    assert code == 0, reply.decode(errors="replace")
    return reply


def call_payload(args, refs=None, **meta):
    """A Native2Py call payload: the args block, then the JSON options."""
    meta["go_ray_arg_pos_to_object"] = {
        str(position): {"id": object_id, "auto_release": auto_release}
        for position, (object_id, auto_release) in (refs or {}).items()}
    return pack_units(b"".join(msgpack.packb(arg) for arg in args), json.dumps(meta).encode())


def remote_task(name, *args, refs=None):
    return unpack_u64(call(Native2Py.EXE_REMOTE_TASK, call_payload(args, refs, goray_task_name=name)))


def get_object(object_id, auto_release=False):
    return call(Native2Py.GET_OBJECT, json.dumps([object_id, -1, auto_release]).encode())


def run_in_process(name, *args):
    """The library's own reply to RunTask: the native return block it produced."""
    code, reply = _ffi.get_library().execute(
        int(Py2Native.RUN_TASK), pack_units(name.encode(), b"".join(msgpack.packb(a) for a in args)))
    assert code == 0
    return bytes(reply)


def test_a_native_result_reaches_native_readers_as_the_producers_bytes(lib):
    for name, args in (("Square", (3.0,)), ("Divide", (17, 5)), ("Concat", ("a", "b"))):
        assert get_object(remote_task(name, *args), auto_release=True) == run_in_process(name, *args)


def test_no_values_is_an_empty_block(lib):
    # GoRay's driver answers an empty payload for a function with no results; Go's
    # GetAll decodes whatever it gets against zero types (a nil panics).
    assert get_object(remote_task("Noop"), auto_release=True) == b""
    counter = unpack_u64(call(Native2Py.NEW_ACTOR, call_payload(
        [7], goray_actor_type_name="Counter", goray_actor_methods=["Get", "Incr"])))
    method = call_payload([], goray_task_name="Get", goray_py_local_actor_id=counter)
    assert get_object(unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, method)), True) == b"\x07"
    call(Native2Py.RELEASE_ACTOR, counter.to_bytes(8, "little"))


def test_put_returns_its_bytes_verbatim(lib):
    # 5 as a msgpack int64: a decode and re-encode would give the one byte 0x05.
    wide = b"\xd3" + (5).to_bytes(8, "big")
    put = unpack_u64(call(Native2Py.PUT_OBJECT, wide))
    assert get_object(put) == wide
    # As an argument of a native task the value is used as it is.
    assert msgpack.unpackb(get_object(remote_task("Square", refs={0: (put, True)}))) == 25.0


def test_native_refs_reach_native_callees_undecoded(lib):
    divided = remote_task("Divide", 17, 5)
    # Several values: one array (the runtime refuses it for a scalar parameter).
    summed = remote_task("SumDoubles", refs={0: (divided, True)})
    assert msgpack.unpackb(get_object(summed, True)) == 5.0


def test_a_ref_given_twice_in_one_call_with_auto_release(lib):
    # Released once all positions are resolved, not while the second is looked up.
    put = unpack_u64(call(Native2Py.PUT_OBJECT, msgpack.packb("x")))
    before = len(_stores.objects)
    joined = remote_task("Concat", refs={0: (put, True), 1: (put, True)})
    assert msgpack.unpackb(get_object(joined, True)) == "xx"
    assert len(_stores.objects) == before - 1


def test_python_consumers_see_python_values(lib):
    divided = remote_task("Divide", 17, 5)
    task = call_payload([], {0: (divided, False)}, task_name="py_identity")
    result = unpack_u64(call(Native2Py.EXE_PYTHON_REMOTE_TASK, task))
    assert msgpack.unpackb(get_object(result, True)) == [3, 2]  # a Python task's one value

    store = unpack_u64(call(Native2Py.NEW_PYTHON_ACTOR, call_payload([], goray_actor_type_name="Storage")))
    put = call_payload(["k"], {1: (divided, True)}, goray_task_name="put", goray_py_local_actor_id=store)
    get_object(unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, put)), True)
    get = call_payload(["k"], goray_task_name="get", goray_py_local_actor_id=store)
    assert msgpack.unpackb(get_object(unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, get)), True)) == [3, 2]
    call(Native2Py.RELEASE_ACTOR, store.to_bytes(8, "little"))


def test_a_small_native_result_travels_as_its_block_and_every_reader_reads_the_block(lib):
    # Ray stores a small result without refs inside as the block's bytes (no pickle):
    # each reader of a native producer's ref reads them as the block, never as a Python
    # bytes value. Ray resolves a ref argument before the callee runs, so the callee
    # knows it by its position, which the native caller marks.
    squared = remote_task("Square", 3.0)
    assert ray.get(_stores.objects.get(squared).ref) == run_in_process("Square", 3.0)
    counter = unpack_u64(call(Native2Py.NEW_ACTOR, call_payload(
        [3], goray_actor_type_name="Counter", goray_actor_methods=["Get", "Incr"])))
    three = unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, call_payload(
        [], goray_task_name="Get", goray_py_local_actor_id=counter)))
    assert type(ray.get(_stores.objects.get(three).ref)) is bytes
    # Native readers: GetObject(s), a task's and an actor method's argument.
    assert get_object(squared) == run_in_process("Square", 3.0)
    assert msgpack.unpackb(get_object(remote_task("Square", refs={0: (squared, False)}), True)) == 81.0
    incr = call_payload([], {0: (three, False)}, goray_task_name="Incr", goray_py_local_actor_id=counter)
    assert get_object(unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, incr)), True) == b"\x06"
    # Python readers: a task, an actor's constructor and method, a generator task.
    task = call_payload([], {0: (squared, False)}, task_name="py_identity")
    assert msgpack.unpackb(get_object(unpack_u64(call(Native2Py.EXE_PYTHON_REMOTE_TASK, task)), True)) == 9.0
    holder = unpack_u64(call(Native2Py.NEW_PYTHON_ACTOR, call_payload(
        [], {0: (squared, False)}, goray_actor_type_name="Holder")))
    got = call_payload([], goray_task_name="get", goray_py_local_actor_id=holder)
    assert msgpack.unpackb(get_object(unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, got)), True)) == 9.0
    store = unpack_u64(call(Native2Py.NEW_PYTHON_ACTOR, call_payload([], goray_actor_type_name="Storage")))
    put = call_payload(["k"], {1: (squared, False)}, goray_task_name="put", goray_py_local_actor_id=store)
    get_object(unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, put)), True)
    get = call_payload(["k"], goray_task_name="get", goray_py_local_actor_id=store)
    assert msgpack.unpackb(get_object(unpack_u64(call(Native2Py.ACTOR_METHOD_CALL, get)), True)) == 9.0
    stream = unpack_u64(call(Native2Py.EXE_PYTHON_REMOTE_TASK, call_payload(
        [], {0: (three, False)}, task_name="py_count", num_returns="streaming")))
    generator = _stores.objects.get(stream).generator
    assert [ray.get(ref) for ref in generator] == [0, 1, 2]
    # A Python producer's bytes stay a bytes value for a native callee (its position unmarked).
    python_bytes = unpack_u64(call(Native2Py.EXE_PYTHON_REMOTE_TASK, call_payload(
        [b"\x07"], task_name="py_identity")))
    echoed = remote_task("EchoBytes", refs={0: (python_bytes, True)})
    assert msgpack.unpackb(get_object(echoed, True)) == b"\x07"
    for object_id in (squared, three, stream):
        call(Native2Py.RELEASE_OBJECT, object_id.to_bytes(8, "little"))
    for actor_id in (counter, holder, store):
        call(Native2Py.RELEASE_ACTOR, actor_id.to_bytes(8, "little"))


def test_a_large_native_result_stays_a_native_block(lib):
    from goray._ray.objects import OUT_OF_BAND_FROM
    made = remote_task("MakeBytes", OUT_OF_BAND_FROM)
    assert type(ray.get(_stores.objects.get(made).ref)) is NativeBlock
    assert get_object(made, True) == run_in_process("MakeBytes", OUT_OF_BAND_FROM)


def test_refs_made_by_python_callers_hold_python_values(lib):
    import goray
    assert ray.get(goray.golang_task("Divide").remote(17, 5)) == [3, 2]
    assert ray.get(goray.golang_task("Noop").remote()) is None


def test_native_block_as_an_argument():
    assert NativeBlock(b"\x05").as_argument() == b"\x05"
    assert NativeBlock(b"").as_argument() == b"\xc0"
    assert NativeBlock(b"\x01\x02").as_argument() == b"\x92\x01\x02"
    many = b"\x01" * 16
    assert msgpack.unpackb(NativeBlock(many).as_argument()) == [1] * 16
    assert NativeBlock(b"\x01\x02").to_python() == [1, 2]
    assert NativeBlock(b"").to_python() is None
    assert _codec.count_values(msgpack.packb([1, {"a": b"x" * 1000}]) + b"\xc0") == 2


def test_a_failure_without_a_type_reads_as_its_message_exactly():
    # Every Go panic: a message and no type; GoRay's TestTaskPanic compares it exactly.
    from goray._ray.native2py import failure_reply
    from goray.errors import NativeError
    error = ray.exceptions.RayTaskError("Fail", "", NativeError("Fail", "", "this is a test panic"))
    code, payload = failure_reply(error, "object 3")
    assert code == 5
    assert json.loads(payload)["Message"] == "this is a test panic"
    assert json.loads(payload)["Error"]["task"] == "Fail"
    typed = ray.exceptions.RayTaskError("Fail", "", NativeError("Fail", "std::runtime_error", "boom"))
    assert json.loads(failure_reply(typed, "object 3")[1])["Message"] == "std::runtime_error: boom (task Fail)"


def test_a_native_failure_through_ray_is_a_runtime_error(lib):
    # GoRay programs catch RuntimeError for native failures.
    import goray
    with pytest.raises(RuntimeError, match="boom") as info:
        ray.get(goray.golang_task("Fail").remote("boom"))
    assert isinstance(info.value, goray.NativeError)
    assert isinstance(info.value, ray.exceptions.RayTaskError)
