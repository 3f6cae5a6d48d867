"""ObjectRefs (ext 73) and actor handles (ext 74) inside values, at the protocol
level: native code's bytes hold ids of the driver's stores; what Ray stores holds
the refs themselves (NativeBlock.refs/actors, in band), so the referenced objects
live while any holder does; what comes back to native code holds new ids it adopts.
Native code is played here through goray._handlers.dispatch, as the library's
callback calls it (the C++ side of the same paths: test_refs_in_values_cpp.py)."""
import gc
import json

import msgpack
import pytest
import ray

from goray import _codec, _handlers, _stores
from goray._stores import StoredObject
from goray._protocol import Native2Py, pack_units, unpack_u64
from goray._ray.objects import NativeBlock, to_python
from ref_table import reference_counts, wait_until


@pytest.fixture(autouse=True)
def refs_on(lib, monkeypatch):
    """Native code is played here: the library's own EnableFeatures answer does not
    matter, the driver acts as with a library that turned refs in values on."""
    from goray._ray import features
    from goray._protocol import Feature
    bits = features.features(lib) | Feature.REFS_IN_VALUES
    monkeypatch.setitem(features._features, id(lib), int(bits))


def call(command, data):
    code, reply = _handlers.dispatch(int(command), memoryview(data))
    assert code == 0, bytes(reply).decode(errors="replace")
    return reply


def ext(code, key):
    return b"\xd7" + bytes((code,)) + key.to_bytes(8, "little")


def ref_ext(object_id):
    return ext(73, object_id)


def actor_ext(actor_id):
    return ext(74, actor_id)


def register(ref, native=False):
    """An id for `ref`, as native code would hold one."""
    return _stores.objects.add(StoredObject(ref, "test", native))


def release(object_id):
    call(Native2Py.RELEASE_OBJECT, object_id.to_bytes(8, "little"))


def release_actor(actor_id):
    call(Native2Py.RELEASE_ACTOR, actor_id.to_bytes(8, "little"))


def put_object(block):
    return unpack_u64(call(Native2Py.PUT_OBJECT, block))


def get_object(object_id, auto_release=False):
    return bytes(call(Native2Py.GET_OBJECT, json.dumps([object_id, -1, auto_release]).encode()))


def call_payload(block, refs=None, **meta):
    meta["go_ray_arg_pos_to_object"] = {
        str(position): {"id": object_id, "auto_release": auto_release}
        for position, (object_id, auto_release) in (refs or {}).items()}
    return pack_units(block, json.dumps(meta).encode())


def python_task(name, block):
    return unpack_u64(call(Native2Py.EXE_PYTHON_REMOTE_TASK, call_payload(block, task_name=name)))


def exts_in(reply):
    """[(type, id)] of the exts in a reply, and the reply decoded with them as ExtType."""
    sites = _codec.find_ref_exts(reply)
    return [(code, int.from_bytes(reply[at:at + 8], "little")) for at, code in sites]


def test_a_put_value_holding_a_ref_stores_the_ref_and_get_gives_a_new_id(lib):
    x = ray.put(41)
    xid = register(x)
    put = put_object(b"\x92" + ref_ext(xid) + b"\x05")  # [ref, 5]
    block = ray.get(_stores.objects.get(put).ref)
    assert type(block) is NativeBlock
    assert list(block.refs) == [x] and not block.actors
    assert bytes(block.data) == b"\x92" + ref_ext(0) + b"\x05"  # an index in the store's form
    assert to_python(block) == [x, 5]

    reply = get_object(put)
    (code, new_id), = exts_in(reply)
    assert code == 73 and new_id != xid
    assert reply[:2] == b"\x92\xd7" and reply[-1:] == b"\x05"
    assert _stores.objects.get(new_id).ref == x
    # A second read registers another id (each one is adopted by its reader).
    (_, again), = exts_in(get_object(put, auto_release=True))
    assert again not in (new_id, xid)
    for object_id in (xid, new_id, again):
        release(object_id)


def test_the_same_ref_twice_in_a_value_is_one_id_and_one_entry(lib):
    x = ray.put("x")
    xid = register(x)
    put = put_object(b"\x93" + ref_ext(xid) + ref_ext(xid) + b"\xc0")
    block = ray.get(_stores.objects.get(put).ref)
    assert list(block.refs) == [x]
    reply = get_object(put, auto_release=True)
    ids = exts_in(reply)
    assert len(ids) == 2 and ids[0] == ids[1]
    release(ids[0][1])
    release(xid)


def test_an_unknown_id_inside_a_value_is_a_clear_error(lib):
    code, reply = _handlers.dispatch(int(Native2Py.PUT_OBJECT), memoryview(b"\x91" + ref_ext(1 << 40)))
    assert code == 1
    assert b"an ObjectRef this process does not know" in reply and b"1099511627776" in reply
    code, reply = _handlers.dispatch(int(Native2Py.PUT_OBJECT), memoryview(actor_ext(1 << 40)))
    assert code == 1 and b"an ActorHandle this process does not know" in reply


def test_look_alike_bytes_are_left_alone(lib):
    look_alike = msgpack.packb([b"\xd7\x49" + bytes(8), "x"], use_bin_type=True)
    put = put_object(look_alike)
    assert not ray.get(_stores.objects.get(put).ref).refs
    assert get_object(put, auto_release=True) == look_alike


def test_the_referenced_object_lives_while_a_holder_does(lib):
    x = ray.put(b"payload" * 10)
    key = x.hex()
    xid = register(x)
    put = put_object(b"\x91" + ref_ext(xid))
    release(xid)  # native code dropped its own ObjectRef; only the put value holds x
    del x
    gc.collect()
    assert key in reference_counts()
    # Still readable through the holder.
    (_, inner), = exts_in(get_object(put))
    assert ray.get(_stores.objects.get(inner).ref) == b"payload" * 10
    release(inner)
    release(put)  # the last holder: x is freed
    wait_until(lambda: key not in reference_counts(), f"object {key} freed after its holder")


@pytest.mark.long  # a soak (the release of each ref is tested above)
def test_stores_and_ray_stay_flat_over_10000_round_trips(lib):
    x = ray.put({"input": 1})
    xid = register(x)
    block = b"\x82\xa5input" + ref_ext(xid) + b"\xa5label\xa3job"  # struct Job {input, label}

    def round_trip():
        put = put_object(block)
        reply = get_object(put, auto_release=True)
        (_, inner), = exts_in(reply)
        release(inner)  # what the C++ ObjectRef's destructor sends

    round_trip()
    gc.collect()
    objects, actors, counted = len(_stores.objects), len(_stores.actors), len(reference_counts())
    for _ in range(10_000):
        round_trip()
    assert (len(_stores.objects), len(_stores.actors)) == (objects, actors)
    wait_until(lambda: len(reference_counts()) <= counted,
               f"Ray's reference table back to {counted} entries")
    assert x.hex() in reference_counts()
    release(xid)


def test_python_callees_get_refs_and_handles_and_return_them(lib, defs):
    x = ray.put(6)
    xid = register(x)
    store = unpack_u64(call(Native2Py.NEW_PYTHON_ACTOR, call_payload(b"", goray_actor_type_name="Storage")))
    result = python_task("py_identity", b"\x92" + ref_ext(xid) + actor_ext(store))
    reply = get_object(result, auto_release=True)
    (ref_code, ref_id), (actor_code, actor_id) = exts_in(reply)
    assert (ref_code, actor_code) == (73, 74)
    assert _stores.objects.get(ref_id).ref == x
    entry = _stores.actors.get(actor_id)
    assert (entry.type_name, entry.is_native) == ("Storage", False)
    assert entry.handle._actor_id == _stores.actors.get(store).handle._actor_id

    # A Python task reads the refs of a list with ray.get (nothing resolved them).
    summed = python_task("py_get_all", b"\x92" + ref_ext(xid) + ref_ext(ref_id))
    assert msgpack.unpackb(get_object(summed, auto_release=True)) == [6, 6]
    for object_id in (xid, ref_id):
        release(object_id)
    for key in (store, actor_id):
        release_actor(key)


def test_a_native_actor_handle_inside_a_value_is_called_by_a_python_task(lib, defs):
    counter = unpack_u64(call(Native2Py.NEW_ACTOR, call_payload(
        msgpack.packb(7), goray_actor_type_name="Counter", goray_actor_methods=["Get", "Incr"])))
    args = b"".join([actor_ext(counter), msgpack.packb("Incr"), msgpack.packb(5)])
    assert msgpack.unpackb(get_object(python_task("py_call_actor", args), True)) == 12
    # The handle stored in a Put value and read back: a new id for the same actor.
    put = put_object(b"\x91" + actor_ext(counter))
    handles = to_python(ray.get(_stores.objects.get(put).ref))
    assert ray.get(handles[0].Get.remote()) == 12
    (code, again), = exts_in(get_object(put, auto_release=True))
    entry = _stores.actors.get(again)
    assert code == 74 and (entry.type_name, entry.is_native) == ("Counter", True)
    describe = call(Native2Py.DESCRIBE_ACTOR, again.to_bytes(8, "little"))
    assert json.loads(bytes(describe)) == {"actor_type_name": "Counter", "is_golang_actor": True}
    code, reply = _handlers.dispatch(int(Native2Py.DESCRIBE_ACTOR), memoryview((1 << 40).to_bytes(8, "little")))
    assert code == 1 and b"unknown actor id 1099511627776" in bytes(reply)
    for key in (counter, again):
        release_actor(key)


def test_a_ref_to_native_bytes_reaches_python_code_as_its_python_value(lib, defs):
    # Put by native code: a NativeBlock. Python code gets a ref whose value is Python's.
    native = put_object(msgpack.packb([1.5, "a"]))
    result = python_task("py_get_all", b"\x91" + ref_ext(native))
    assert msgpack.unpackb(get_object(result, auto_release=True)) == [[1.5, "a"]]
    release(native)


def test_a_ref_to_a_small_native_result_reaches_python_code_as_its_python_value(lib, defs):
    # A small result travels through Ray as its block's bytes (objects.native_result):
    # inside a value, Python code still reads the value, not those bytes.
    squared = remote_task("Square", msgpack.packb(3.0))
    assert type(ray.get(_stores.objects.get(squared).ref)) is bytes
    result = python_task("py_get_all", b"\x91" + ref_ext(squared))
    assert msgpack.unpackb(get_object(result, auto_release=True)) == [9.0]
    release(squared)


def test_native_blocks_with_refs_pickle_in_band_and_out_of_band(lib):
    x = ray.put(1)
    for size in (10, 1 << 17):
        data = b"\x92" + ref_ext(0) + msgpack.packb(b"\x00" * size, use_bin_type=True)
        block = NativeBlock.stored(data, [x], [])
        back = ray.get(ray.put(block))
        assert list(back.refs) == [x] and bytes(back.data) == data
        assert to_python(back) == [x, b"\x00" * size]


def test_python_values_with_refs_for_a_library_without_the_feature_are_refused(lib, monkeypatch):
    import goray
    from goray._ray import features
    monkeypatch.setitem(features._features, id(lib), 0)
    with pytest.raises(goray.ArgumentError) as info:
        goray.golang_local_run_task("Concat", [ray.put(1)], "x")
    text = str(info.value)
    assert "position 0" in text and "ObjectRef" in text and "protocol version 3" in text
    before = len(_stores.objects)
    x = ray.put(2)
    with pytest.raises(TypeError, match="protocol version 3"):
        _codec.pack({"input": x})
    assert len(_stores.objects) == before  # nothing registered


def remote_task(name, block):
    return unpack_u64(call(Native2Py.EXE_REMOTE_TASK, call_payload(block, goray_task_name=name)))


def test_native_callees_get_the_refs_and_handles_of_native_submissions(lib):
    # ExeRemoteTask: the args block travels as a NativeBlock; the worker registers the
    # refs for the C++ task, which reads them (RefsSum) or calls the handle (CounterCall).
    a, b = ray.put(2.0), ray.put(3.0)
    aid, bid = register(a), register(b)
    summed = remote_task("RefsSum", b"\x92" + ref_ext(aid) + ref_ext(bid))
    assert msgpack.unpackb(get_object(summed, auto_release=True)) == 5.0
    counter = unpack_u64(call(Native2Py.NEW_ACTOR, call_payload(
        msgpack.packb(7), goray_actor_type_name="Counter", goray_actor_methods=["Get", "Incr"])))
    called = remote_task("CounterCall", actor_ext(counter) + msgpack.packb(3))
    assert msgpack.unpackb(get_object(called, auto_release=True)) == 10
    # The echoed refs come back as new ids of the same refs (the worker's ids converted
    # on the way out, the driver's on the way in).
    echoed = get_object(remote_task("RefsEcho", b"\x92" + ref_ext(aid) + ref_ext(aid)), True)
    ids = exts_in(echoed)
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0][1] not in (aid, bid)
    assert _stores.objects.get(ids[0][1]).ref == a
    for object_id in (aid, bid, ids[0][1]):
        release(object_id)
    release_actor(counter)


def test_batched_submissions_carry_refs_and_handles_inside_values(lib):
    from batch_records import actor_call, result_id, task
    a = ray.put(4.0)
    aid = register(a)
    counter = unpack_u64(call(Native2Py.NEW_ACTOR, call_payload(
        msgpack.packb(1), goray_actor_type_name="Counter", goray_actor_methods=["Get", "Incr"])))
    store = unpack_u64(call(Native2Py.NEW_PYTHON_ACTOR, call_payload(b"", goray_actor_type_name="Storage")))
    summed, called, stored, got = result_id(), result_id(), result_id(), result_id()
    records = b"".join([
        task(summed, "RefsSum", b"\x91" + ref_ext(aid)),
        task(called, "CounterCall", actor_ext(counter) + msgpack.packb(2)),
        actor_call(stored, store, "put", msgpack.packb("k") + b"\x91" + ref_ext(aid)),
        actor_call(got, store, "get", msgpack.packb("k")),
    ])
    call(Native2Py.SUBMIT_BATCH, records)
    assert msgpack.unpackb(get_object(summed, True)) == 4.0
    assert msgpack.unpackb(get_object(called, True)) == 3
    get_object(stored, True)
    # The Python actor kept [ref] in its state; reading it gives a new id of the same ref.
    (code, inner), = exts_in(get_object(got, True))
    assert code == 73 and _stores.objects.get(inner).ref == a
    for object_id in (aid, inner):
        release(object_id)
    for key in (counter, store):
        release_actor(key)


def test_refs_to_native_bytes_inside_a_stored_block_reach_python_as_python_values(lib, defs):
    # RefsMake's refs are a Put and a task of the C++ task (native bytes); its result,
    # stored as a NativeBlock, reaches a Python task as a top-level ref argument.
    made = remote_task("RefsMake", msgpack.packb(4))
    task = call_payload(b"", {0: (made, True)}, task_name="py_get_all")
    result = unpack_u64(call(Native2Py.EXE_PYTHON_REMOTE_TASK, task))
    assert msgpack.unpackb(get_object(result, auto_release=True)) == [0.0, 1.0, 2.0, 9.0]


def test_a_library_without_the_feature_has_its_exts_left_as_they_are(lib, monkeypatch):
    # A GoRay library (or one before version 3) never meant ext 73 as a ref: its bytes
    # are stored and returned verbatim, never looked up.
    from goray._ray import features
    monkeypatch.setitem(features._features, id(lib), 0)
    block = b"\x91" + ref_ext(1 << 40)
    put = put_object(block)
    assert not ray.get(_stores.objects.get(put).ref).refs
    assert get_object(put, auto_release=True) == block


def test_a_failed_task_read_through_a_ref_inside_a_value_names_the_task(lib):
    failed = remote_task("Fail", msgpack.packb("boom"))
    put = put_object(b"\x91" + ref_ext(failed))
    (_, inner), = exts_in(get_object(put, auto_release=True))
    code, reply = _handlers.dispatch(int(Native2Py.GET_OBJECT), memoryview(json.dumps([inner, -1, True]).encode()))
    assert code == 5
    assert json.loads(bytes(reply))["Message"] == "std::runtime_error: boom (task Fail)"
    release(failed)


def test_a_failed_python_task_read_through_a_ref_inside_a_value_names_it(lib, defs):
    failed = python_task("py_fail", msgpack.packb("bad"))
    put = put_object(b"\x91" + ref_ext(failed))
    (_, inner), = exts_in(get_object(put, auto_release=True))
    code, reply = _handlers.dispatch(int(Native2Py.GET_OBJECT), memoryview(json.dumps([inner, -1, True]).encode()))
    message = json.loads(bytes(reply))["Message"]
    assert code == 5 and message.startswith("ValueError: bad (task ") and "py_fail" in message
    release(failed)
