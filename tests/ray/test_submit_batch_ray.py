"""Pipelined submissions and batches on Ray (Native2Py 33 SubmitBatch, 34 GetObjects,
WaitObject's goray_all_ready), the runtime's part played from Python: records run
as the synchronous commands do, failures answer Get as the synchronous commands
answered, and GetObjects answers each id as GetObject would."""
import json
import logging
import struct

import msgpack
import pytest

from batch_records import (actor_call, define, get_objects_entries, get_objects_payload,
                           release_actor, release_object, result_id, task)
from goray import _ffi, _handlers, _stores
from goray._ray.submission import submit
from goray._protocol import Native2Py, Py2Native, pack_u64, pack_units, unpack_u64


def dispatch(command, data):
    code, reply = _handlers.dispatch(int(command), memoryview(data))
    return code, bytes(reply)


def ok(command, data):
    code, reply = dispatch(command, data)
    assert code == 0, reply.decode(errors="replace")
    return reply


def block(*values):
    return b"".join(msgpack.packb(v) for v in values)


def sync_payload(args, **meta):
    meta.setdefault("go_ray_arg_pos_to_object", {})
    return pack_units(block(*args), json.dumps(meta).encode())


def new_counter(start):
    return unpack_u64(ok(Native2Py.NEW_ACTOR, sync_payload(
        [start], goray_actor_type_name="Counter", goray_actor_methods=["Get", "Incr"])))


def get_all(ids, timeout=-1.0):
    return get_objects_entries(ok(Native2Py.GET_OBJECTS, get_objects_payload(ids, timeout)))


def run_in_process(name, *args):
    code, reply = _ffi.get_library().execute(int(Py2Native.RUN_TASK), pack_units(name.encode(), block(*args)))
    assert code == 0
    return bytes(reply)


def test_records_run_and_get_objects_fetches_them_in_one_request(lib):
    counter = new_counter(7)
    ids = [result_id() for _ in range(4)]
    ok(Native2Py.SUBMIT_BATCH, define(101, {"num_cpus": 1}) + task(ids[0], "Square", block(3.0), 101)
       + task(ids[1], "py_square", block(4), python=True) + actor_call(ids[2], counter, "Incr", block(5))
       + task(ids[3], "Divide", block(17, 5), 101))
    entries = get_all(ids)
    assert entries == [(0, run_in_process("Square", 3.0)), (0, msgpack.packb(16)), (0, msgpack.packb(12)),
                       (0, run_in_process("Divide", 17, 5))]
    ok(Native2Py.SUBMIT_BATCH, b"".join(release_object(i) for i in ids) + release_actor(counter))
    assert all(i not in _stores.objects._items for i in ids)
    assert counter not in _stores.actors._items


def test_a_ref_argument_of_a_record_is_resolved_by_ray(lib):
    put = unpack_u64(ok(Native2Py.PUT_OBJECT, msgpack.packb(2.5)))
    first, second = result_id(), result_id()
    ok(Native2Py.SUBMIT_BATCH, task(first, "Square", refs=[(0, put)])
       + task(second, "py_square", refs=[(0, first)], python=True))
    assert get_all([first, second]) == [(0, msgpack.packb(6.25)), (0, msgpack.packb(6.25 ** 2))]
    ok(Native2Py.SUBMIT_BATCH, release_object(put) + release_object(first) + release_object(second))


def _first_line(text):
    # A goray library gets the failure as JSON (docs/protocol.md §9): all but the traceback.
    if text.startswith(b"{"):
        failure = json.loads(text)
        return failure["Message"], failure["Error"]
    return text.split(b"\n", 1)[0]


@pytest.mark.parametrize("case", ["options Ray refuses", "unknown method", "unknown Python task",
                                  "unsupported num_returns"])
def test_a_failed_record_answers_get_as_its_synchronous_command_answered(lib, case):
    counter = new_counter(1)
    if case == "options Ray refuses":
        sync = (Native2Py.EXE_REMOTE_TASK, sync_payload([2.0], goray_task_name="Square", num_cpus=-1))
        record = define(201, {"num_cpus": -1}) + task(result_id(), "Square", block(2.0), 201)
    elif case == "unknown method":
        sync = (Native2Py.ACTOR_METHOD_CALL, sync_payload([], goray_task_name="Nope",
                                                          goray_py_local_actor_id=counter))
        record = actor_call(result_id(), counter, "Nope")
    elif case == "unknown Python task":
        sync = (Native2Py.EXE_PYTHON_REMOTE_TASK, sync_payload([], task_name="no_such_py_task"))
        record = task(result_id(), "no_such_py_task", python=True)
    else:
        sync = (Native2Py.EXE_REMOTE_TASK, sync_payload([], goray_task_name="Noop", num_returns=2))
        record = define(202, {"num_returns": 2}) + task(result_id(), "Noop", options_id=202)
    sync_code, sync_text = dispatch(*sync)
    assert sync_code == 1
    ok(Native2Py.SUBMIT_BATCH, record)
    failed = _last_result_id(record)
    code, text = dispatch(Native2Py.GET_OBJECT, json.dumps([failed, -1, False]).encode())
    assert (code, _first_line(text)) == (1, _first_line(sync_text))
    assert get_all([failed]) == [(1, text)]
    code, wait = dispatch(Native2Py.WAIT_OBJECT, json.dumps({"object_ref_local_ids": [failed]}).encode())
    assert json.loads(wait) == [[0], []]
    ok(Native2Py.RELEASE_OBJECT, pack_u64(failed))
    ok(Native2Py.RELEASE_ACTOR, pack_u64(counter))


def _last_result_id(records):
    """The result id of the last submission record in `records`."""
    at, last = 0, None
    while at < len(records):
        kind = records[at]
        if kind == 1:
            (length,) = struct.unpack_from("<I", records, at + 5)
            at += 9 + length
            continue
        head = 1 + (8 + 4 if kind in (2, 3) else 8 + 8 + 4)
        (last,) = struct.unpack_from("<Q", records, at + 1)
        (name_length,) = struct.unpack_from("<I", records, at + head)
        at += head + 4 + name_length
        (refs,) = struct.unpack_from("<I", records, at)
        at += 4 + 12 * refs
        (block_length,) = struct.unpack_from("<Q", records, at)
        at += 8 + block_length
    return last


def test_an_unread_failure_released_by_a_batch_is_logged(lib, caplog):
    failed = result_id()
    ok(Native2Py.SUBMIT_BATCH, task(failed, "no_such_py_task", python=True))
    with caplog.at_level(logging.WARNING, logger="goray"):
        ok(Native2Py.SUBMIT_BATCH, release_object(failed))
    assert "no_such_py_task" in caplog.text and "released unread" in caplog.text


def test_get_objects_entries_carry_task_failures_and_timeouts_cover_the_request(lib):
    good, bad = result_id(), result_id()
    ok(Native2Py.SUBMIT_BATCH, task(good, "Square", block(5.0)) + task(bad, "Fail", block("boom")))
    entries = get_all([good, bad])
    code, single = dispatch(Native2Py.GET_OBJECT, json.dumps([bad, -1, False]).encode())
    assert entries == [(0, run_in_process("Square", 5.0)), (code, single)]
    assert code == 5 and b"boom" in single
    slow = result_id()
    ok(Native2Py.SUBMIT_BATCH, task(slow, "SleepMs", block(3000)))
    code, text = dispatch(Native2Py.GET_OBJECTS, get_objects_payload([good, slow], 0.2))
    assert code == 2 and b"timed out" in text
    code, text = dispatch(Native2Py.GET_OBJECTS, get_objects_payload([good, (1 << 63) | 12345]))
    assert code == 4 and str((1 << 63) | 12345).encode() in text
    ok(Native2Py.SUBMIT_BATCH, release_object(good) + release_object(bad) + release_object(slow))


def test_wait_all_ready_lists_every_ready_ref(lib):
    ids = [result_id() for _ in range(3)]
    ok(Native2Py.SUBMIT_BATCH, b"".join(task(i, "Noop") for i in ids))
    get_all(ids)  # all done
    request = {"object_ref_local_ids": ids, "num_returns": 1}
    ready, pending = json.loads(ok(Native2Py.WAIT_OBJECT, json.dumps(request).encode()))
    assert len(ready) == 1 and sorted(ready + pending) == [0, 1, 2]
    request["goray_all_ready"] = True
    assert json.loads(ok(Native2Py.WAIT_OBJECT, json.dumps(request).encode())) == [[0, 1, 2], []]
    ok(Native2Py.SUBMIT_BATCH, b"".join(release_object(i) for i in ids))


def test_records_and_synchronous_calls_use_prepared_submitters(lib):
    ids = [result_id() for _ in range(3)]
    ok(Native2Py.SUBMIT_BATCH, define(301, {"max_retries": 2}) + b"".join(
        task(i, "Square", block(float(n)), 301) for n, i in enumerate(ids)))
    assert [entry[0] for entry in get_all(ids)] == [0, 0, 0]
    submitter = submit._submitters[("native:Square", 301)]
    assert submit.describe(submitter) == ("internal" if submit.enabled() else "public")
    ok(Native2Py.SUBMIT_BATCH, b"".join(release_object(i) for i in ids))


def test_get_objects_with_a_failure_still_waits_for_the_others_within_the_timeout(lib):
    bad, slow = result_id(), result_id()
    ok(Native2Py.SUBMIT_BATCH, task(bad, "Fail", block("early")) + task(slow, "SleepMs", block(400)))
    entries = get_all([bad, slow])
    assert entries[0][0] == 5 and b"early" in entries[0][1]
    assert entries[1] == (0, run_in_process("SleepMs", 400))
    later, slower = result_id(), result_id()
    ok(Native2Py.SUBMIT_BATCH, task(later, "Fail", block("early")) + task(slower, "SleepMs", block(3000)))
    code, text = dispatch(Native2Py.GET_OBJECTS, get_objects_payload([later, slower], 0.5))
    assert code == 2 and b"timed out waiting for 2 objects" in text
    ok(Native2Py.SUBMIT_BATCH, b"".join(release_object(i) for i in (bad, slow, later, slower)))


def test_get_objects_of_one_id_answers_as_get_object_in_its_one_entry(lib):
    # The runtime's single Get (pipelined) is GetObjects of one id: each outcome must be
    # GetObject's code and text, as the one entry, or as the request's own failure.
    value, failed, slow = result_id(), result_id(), result_id()
    ok(Native2Py.SUBMIT_BATCH, task(value, "Square", block(3.0)) + task(failed, "Fail", block("one"))
       + task(slow, "SleepMs", block(3000)))

    def get_object(object_id, timeout=-1):
        return dispatch(Native2Py.GET_OBJECT, json.dumps([object_id, timeout, False]).encode())

    assert get_all([value]) == [get_object(value)] == [(0, block(9.0))]
    [(code, text)] = get_all([failed])
    assert (code, text) == get_object(failed) and code == 5 and b"one" in text
    # A timeout and an unknown id fail the request, naming the object as GetObject does.
    code, text = dispatch(Native2Py.GET_OBJECTS, get_objects_payload([slow], 0.05))
    assert code == 2 and text.startswith(b"timed out waiting for object %d" % slow), text
    assert get_object(slow, 0.05)[0] == 2
    unknown = result_id()
    assert dispatch(Native2Py.GET_OBJECTS, get_objects_payload([unknown]))[0] == 4 == get_object(unknown)[0]
    ok(Native2Py.SUBMIT_BATCH, b"".join(release_object(i) for i in (value, failed, slow)))


def test_get_objects_reading_ahead_sends_the_small_ready_values_and_leaves_the_rest(lib):
    # Flag 2 (a single Get of a runtime with feature bit 8): the first id as a one-id
    # GetObjects; each later id code 0 with GetObject's reply when it is ready here,
    # small and holds no refs, else code 2 and nothing (left to its own Get).
    import ray
    first, void, value, failed, slow, large, refs = (result_id() for _ in range(7))
    ok(Native2Py.SUBMIT_BATCH, task(first, "Square", block(2.0)) + task(void, "Noop")
       + task(value, "py_square", block(6), python=True) + task(failed, "Fail", block("two"))
       + task(slow, "SleepMs", block(3000)) + task(large, "MakeBytes", block(100_000))
       + task(refs, "RefsMake", block(2)))
    ray.wait([_stores.objects.get(i).ref for i in (void, value, failed, large, refs)], num_returns=5)
    unknown = result_id()
    ids = [first, void, value, failed, slow, large, refs, unknown]
    reply = ok(Native2Py.GET_OBJECTS, get_objects_payload(ids) + b"\x02")
    assert get_objects_entries(reply) == [(0, block(4.0)), (0, b""), (0, msgpack.packb(36)), (2, b""),
                                          (2, b""), (2, b""), (2, b""), (2, b"")]
    # The first id's failures are the request's, as for one id; the rest never fail it.
    code, text = dispatch(Native2Py.GET_OBJECTS, get_objects_payload([slow, first], 0.05) + b"\x02")
    assert code == 2 and text.startswith(b"timed out waiting for object %d" % slow), text
    [(code, _), (sent, _)] = get_objects_entries(ok(Native2Py.GET_OBJECTS,
                                                    get_objects_payload([failed, first]) + b"\x02"))
    assert (code, sent) == (5, 0)
    ok(Native2Py.SUBMIT_BATCH, b"".join(release_object(i) for i in ids[:-1]))


def test_a_void_native_result_is_stored_as_none_and_read_as_the_empty_block(lib):
    import ray
    counter = new_counter(3)
    task_result, python_reader, identity = result_id(), result_id(), result_id()
    ok(Native2Py.SUBMIT_BATCH, task(task_result, "Noop") + task(python_reader, "py_identity", refs=[(0, task_result)],
                                                                 python=True))
    # Ray stores None (no pickled object); native readers get the empty block.
    assert ray.get(_stores.objects.get(task_result).ref) is None
    assert get_all([task_result, python_reader]) == [(0, b""), (0, msgpack.packb(None))]
    code, single = dispatch(Native2Py.GET_OBJECT, json.dumps([task_result, -1, False]).encode())
    assert (code, single) == (0, b"")
    # A native callee taking it as an argument gets nil, as from an empty block.
    ok(Native2Py.SUBMIT_BATCH, task(identity, "Concat", block("a"), refs=[(1, task_result)]))
    assert get_all([identity])[0][0] == 5  # Concat(string, string) refuses nil, naming position 1
    method_result = result_id()
    ok(Native2Py.SUBMIT_BATCH, actor_call(method_result, counter, "Incr", block(0)))
    assert get_all([method_result]) == [(0, msgpack.packb(3))]
    ok(Native2Py.SUBMIT_BATCH, b"".join(release_object(i) for i in (task_result, python_reader, identity,
                                                                     method_result)) + release_actor(counter))


def test_the_driver_and_every_worker_turn_the_libraries_features_on(lib):
    import ray
    from goray._ray.submission import features

    @ray.remote
    def worker_features():
        from goray._ray.submission import features
        from goray._ray.worker import bodies
        bodies.ready_library()  # what any goray task or actor does first
        return features.features()

    assert lib.protocol_version >= 8
    # pipelined, refs in values, arrays out of band, Gets ahead, value exts, column-major
    # arrays, string and binary columns
    assert features.features(lib) == 127
    assert ray.get(worker_features.remote()) == 127


def test_a_program_getting_its_refs_in_order_makes_one_trip_per_64(lib, monkeypatch):
    # GetEachInOrder runs here in the driver: 200 task results and 200 actor results,
    # all ready, then each Get in order. With feature bit 8 each trip brings the next 63.
    import goray
    from goray._ray.native2py import ahead as native2py_ahead
    trips = []
    entries = native2py_ahead.ahead_entries

    def spy(ids):
        reply = entries(ids)
        trips.append((len(ids), len(get_objects_entries(reply)), sum(code == 0 for code, _ in get_objects_entries(reply))))
        return reply
    monkeypatch.setattr(native2py_ahead, "ahead_entries", spy)
    n = 200
    assert goray.golang_local_run_task("GetEachInOrder", n, True) == sum(i * i for i in range(n)) + sum(range(1, n + 1))
    assert len(trips) == 8, trips  # ceil(200 / 64) for each of the two kinds
    assert all(named == listed for named, listed, _ in trips)
    assert sum(sent for _, _, sent in trips) == 2 * n - 8  # every ref named was sent
