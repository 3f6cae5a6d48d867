"""Protocol version 3 on the driver side without Ray running: EnableFeatures sent to a
fake library, SubmitBatch records parsed and handed to (faked) submissions, failure
entries answered by GetObject/GetObjects/WaitObject, and the Ray-internals fallback."""

import json
import logging
import inspect
import struct

import pytest
import ray

from goray import _handlers, _stores
from goray._ray import bodies, features, native2py, native2py_batch, native2py_calls, objects, submit
from goray._protocol import Native2Py, Py2Native, pack_u64, pack_units


# ---------------------------------------------------------------------------
# Records, as the runtime writes them.

def string(text):
    data = text.encode()
    return struct.pack("<I", len(data)) + data


def define(options_id, options):
    return b"\x01" + struct.pack("<I", options_id) + string(json.dumps(options))


def task(result_id, name, block=b"", options_id=0, refs=(), kind=2):
    refs_part = struct.pack("<I", len(refs)) + b"".join(struct.pack("<IQ", p, i) for p, i in refs)
    return (bytes([kind]) + struct.pack("<QI", result_id, options_id) + string(name) + refs_part
            + struct.pack("<Q", len(block)) + block)


def actor_call(result_id, actor_id, method, block=b"", options_id=0):
    return (b"\x04" + struct.pack("<QQI", result_id, actor_id, options_id) + string(method)
            + struct.pack("<I", 0) + struct.pack("<Q", len(block)) + block)


def release(object_id):
    return b"\x05" + struct.pack("<Q", object_id)


def rid(n):
    return (1 << 63) | n


def dispatch(cmd, payload):
    code, reply = _handlers.dispatch(int(cmd), memoryview(payload))
    return code, bytes(reply)


@pytest.fixture
def served(monkeypatch):
    """Ray's handlers installed into a copy of the handler table (restored after),
    with no library loaded; submissions faked: each returns a FakeRef."""
    monkeypatch.setattr(_handlers, "_handlers", dict(_handlers._handlers))
    monkeypatch.setattr(native2py_batch, "_defined", {})
    monkeypatch.setattr("goray._ffi._library", None)
    monkeypatch.setattr(ray, "is_initialized", lambda: True)  # the handlers' stand-in Ray
    native2py.install()
    submitted = []

    def native(name, options, block, positions, refs, key=None):
        submitted.append(("task", name, dict(options), bytes(block), positions, list(refs), key))
        return FakeRef(("task", name))

    class Task:
        def __init__(self, name, options):
            self.name, self.options = name, options

        def remote(self, name, *args):
            submitted.append(("pytask", name, dict(self.options), args))
            return FakeRef(("pytask", name))

    def python_task(name, options, key=None):
        if name == "missing":
            raise KeyError(f"unknown Python task {name!r}")
        return Task(name, options)

    monkeypatch.setattr(native2py_calls, "submit_native_task", native)
    monkeypatch.setattr(native2py_calls, "python_task", python_task)
    monkeypatch.setattr(native2py_calls, "python_args", lambda block, refs: [bytes(block)])
    yield submitted
    for key in [k for k in _stores.objects._items if k >= 1 << 63]:
        _stores.objects._items.pop(key, None)


class FakeRef:
    def __init__(self, value):
        self.value = value


# ---------------------------------------------------------------------------
# EnableFeatures.

class FakeLibrary:
    def __init__(self, version, reply=(0, pack_u64(3))):
        self.protocol_version = version
        self.path = f"fake-v{version}.so"
        self.reply = reply
        self.sent = []

    def execute(self, cmd, payload=b"", index=0):
        self.sent.append((cmd, bytes(payload)))
        return self.reply


def test_enable_features_is_sent_once_with_both_bits_to_a_version_3_library(monkeypatch):
    monkeypatch.setattr(features, "_features", {})
    library = FakeLibrary(3)
    assert features.enable_features(library) == 3
    assert features.enable_features(library) == 3
    # Asked: pipelining, refs in values and Gets read ahead (no arrays: it has none);
    # on: what it answered, the two bits a version-3 library knows.
    assert library.sent == [(int(Py2Native.ENABLE_FEATURES), pack_u64(1 | 2 | 8))]
    assert features.features(library) == 3


def test_enable_features_is_not_sent_to_a_library_before_version_3(monkeypatch):
    monkeypatch.setattr(features, "_features", {})
    library = FakeLibrary(2)
    assert features.enable_features(library) == 0
    assert library.sent == []


def test_a_library_that_refuses_enable_features_keeps_them_off(monkeypatch, caplog):
    monkeypatch.setattr(features, "_features", {})
    library = FakeLibrary(3, reply=(1, b"goray: unknown command 37"))
    with caplog.at_level(logging.WARNING, logger="goray"):
        assert features.enable_features(library) == 0
    assert "refused EnableFeatures" in caplog.text and "unknown command 37" in caplog.text


def test_install_turns_the_loaded_librarys_features_on(monkeypatch):
    monkeypatch.setattr(_handlers, "_handlers", dict(_handlers._handlers))
    monkeypatch.setattr(features, "_features", {})
    library = FakeLibrary(3, reply=(0, pack_u64(1)))
    monkeypatch.setattr("goray._ffi._library", library)
    native2py.install()
    native2py.install()
    assert [cmd for cmd, _ in library.sent] == [int(Py2Native.ENABLE_FEATURES)]
    assert features.features() == 1


# ---------------------------------------------------------------------------
# SubmitBatch.

def test_records_are_submitted_under_their_result_ids(served):
    payload = (define(1, {"num_cpus": 2}) + task(rid(1), "Square", b"\x07", options_id=1)
               + task(rid(2), "py_square", b"\x03", kind=3) + task(rid(3), "Square", b"\x08", options_id=1))
    assert dispatch(Native2Py.SUBMIT_BATCH, payload) == (0, b"")
    kinds = [(entry[0], entry[1]) for entry in served]
    assert kinds == [("task", "Square"), ("pytask", "py_square"), ("task", "Square")]
    assert served[0][2] == {"num_cpus": 2} and served[0][3] == b"\x07" and served[0][6] == 1
    assert served[1][3] == (b"\x03",)
    assert _stores.objects.get(rid(1)).ref.value == ("task", "Square")
    assert _stores.objects.get(rid(2)).label == "py_square"
    assert _stores.objects.get(rid(3)).native


def test_a_ref_argument_is_resolved_from_the_store(served):
    first = _stores.objects.add(_stores.StoredObject(FakeRef("put"), "", True))
    try:
        dispatch(Native2Py.SUBMIT_BATCH, task(rid(10), "Square", refs=[(0, first)]))
        # Position 0, marked (~0): a native producer's value, which the callee reads as a block.
        assert served[0][4] == (~0,) and served[0][5][0].value == "put"
    finally:
        _stores.objects.pop(first)


def test_a_failed_record_leaves_a_failure_entry_and_the_batch_goes_on(served):
    payload = (define(1, {"num_returns": 2}) + task(rid(20), "Square", options_id=1)
               + task(rid(21), "Square", options_id=9) + task(rid(22), "missing", kind=3)
               + actor_call(rid(23), 987654, "Incr") + task(rid(24), "Noop"))
    assert dispatch(Native2Py.SUBMIT_BATCH, payload) == (0, b"")
    assert [entry[1] for entry in served] == ["Noop"]
    code, text = dispatch(Native2Py.GET_OBJECT, json.dumps([rid(20), -1, False]).encode())
    assert code == 1 and text.startswith(b"goray.GorayError: num_returns=2 is not supported")
    code, text = dispatch(Native2Py.GET_OBJECT, json.dumps([rid(21), -1, False]).encode())
    assert code == 1 and b"options 9 were never defined" in text
    code, text = dispatch(Native2Py.GET_OBJECT, json.dumps([rid(22), -1, False]).encode())
    assert code == 1 and text.startswith(b"KeyError: \"unknown Python task 'missing'\"")
    code, text = dispatch(Native2Py.GET_OBJECT, json.dumps([rid(23), -1, False]).encode())
    assert code == 1 and text.startswith(b"KeyError: 'unknown actor id 987654")


def test_after_ray_shutdown_submissions_fail_releases_go_and_nothing_reaches_ray(served, monkeypatch):
    # (Ray's .remote() would start a new local Ray: tests/ray/test_after_shutdown.py.)
    dispatch(Native2Py.SUBMIT_BATCH, task(rid(40), "Square"))
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    payload = task(rid(41), "Square") + actor_call(rid(42), 987654, "Incr") + release(rid(40))
    assert dispatch(Native2Py.SUBMIT_BATCH, payload) == (0, b"")
    assert [entry[1] for entry in served] == ["Square"]  # the one from before the shutdown
    with pytest.raises(KeyError):
        _stores.objects.get(rid(40))  # released
    for result_id, what in ((rid(41), b"submitting task 'Square' through Ray"),
                            (rid(42), b"calling actor method 'Incr' through Ray")):
        entry = _stores.objects.get(result_id)
        assert entry.text.startswith(b"goray.GorayError: " + what + b" needs Ray, which is not "
                                     b"running in this process"), entry.text
    meta = {"goray_task_name": "Square", "go_ray_arg_pos_to_object": {}}
    code, text = dispatch(Native2Py.EXE_REMOTE_TASK, pack_units(b"", json.dumps(meta).encode()))
    assert code == 1 and text.startswith(b"goray.GorayError: calling native task 'Square' through "
                                         b"Ray (RemoteCall) needs Ray"), text
    assert [entry[1] for entry in served] == ["Square"]
    # The guard keeps the guarded handler's name (GORAY_DEBUG's log, test_one_body.py).
    assert _handlers._handlers[int(Native2Py.EXE_REMOTE_TASK)].__name__ == "_exe_remote_task"


def test_a_failure_entry_answers_what_the_synchronous_command_answered(served):
    meta = {"goray_task_name": "Square", "num_returns": 3, "go_ray_arg_pos_to_object": {}}
    sync_code, sync_text = dispatch(Native2Py.EXE_REMOTE_TASK, pack_units(b"", json.dumps(meta).encode()))
    dispatch(Native2Py.SUBMIT_BATCH, define(5, {"num_returns": 3}) + task(rid(30), "Square", options_id=5))
    code, text = dispatch(Native2Py.GET_OBJECT, json.dumps([rid(30), -1, True]).encode())
    assert (code, text.split(b"\n")[0]) == (sync_code, sync_text.split(b"\n")[0])
    assert sync_code == 1
    with pytest.raises(KeyError):  # auto_release released it
        _stores.objects.get(rid(30))


def test_releasing_an_unread_failure_entry_logs_the_callee_and_the_error(served, caplog):
    dispatch(Native2Py.SUBMIT_BATCH, define(1, {"num_returns": 4}) + task(rid(40), "Square", options_id=1)
             + task(rid(41), "Square", options_id=1))
    dispatch(Native2Py.GET_OBJECT, json.dumps([rid(41), -1, False]).encode())
    with caplog.at_level(logging.WARNING, logger="goray"):
        dispatch(Native2Py.SUBMIT_BATCH, release(rid(40)))
        assert dispatch(Native2Py.RELEASE_OBJECT, pack_u64(rid(41))) == (0, b"")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings  # the one read is not reported
    assert "Square" in warnings[0] and "num_returns=4 is not supported" in warnings[0]


def test_a_failure_entry_used_as_an_argument_fails_its_user_naming_it(served):
    dispatch(Native2Py.SUBMIT_BATCH, define(1, {"num_returns": 4}) + task(rid(50), "Square", options_id=1)
             + task(rid(51), "Square", refs=[(0, rid(50))]))
    code, text = dispatch(Native2Py.GET_OBJECT, json.dumps([rid(51), -1, False]).encode())
    assert code == 1 and f"object {rid(50)} is the result of a submission of Square".encode() in text


def test_a_malformed_batch_is_refused_after_the_records_before_it(served):
    good = task(rid(60), "Noop")
    code, text = dispatch(Native2Py.SUBMIT_BATCH, good + task(rid(61), "Noop")[:-3])
    assert code == 1 and b"SubmitBatch" in text and b"needs" in text
    assert _stores.objects.get(rid(60)).label == "Noop"
    code, text = dispatch(Native2Py.SUBMIT_BATCH, b"\x09")
    assert code == 1 and b"unknown record kind 9 at byte 0" in text


def test_get_objects_answers_each_id_as_get_object_would(served, monkeypatch):
    dispatch(Native2Py.SUBMIT_BATCH, define(1, {"num_returns": 4}) + task(rid(70), "A")
             + task(rid(71), "B", options_id=1) + task(rid(72), "C"))
    values = {("task", "A"): 1, ("task", "C"): "three"}
    gets = []

    def fake_get(refs, timeout=None):
        gets.append(len(refs))
        return [objects.NativeBlock(b"\x01") if values[r.value] == 1 else values[r.value] for r in refs]

    monkeypatch.setattr(ray, "get", fake_get)

    monkeypatch.setenv("GORAY_RAY_INTERNALS", "0")  # reads.get_many takes ray.get, faked
    payload = struct.pack("<dI", -1.0, 3) + struct.pack("<3Q", rid(70), rid(71), rid(72))
    code, reply = dispatch(Native2Py.GET_OBJECTS, payload)
    assert code == 0 and gets == [2]  # one ray.get of the two real refs
    entries, at = [], 0
    while at < len(reply):
        entry_code, length = struct.unpack_from("<IQ", reply, at)
        at += 12
        entries.append((entry_code, reply[at:at + length]))
        at += length
    assert entries[0] == (0, b"\x01")
    assert entries[1][0] == 1 and entries[1][1].startswith(b"goray.GorayError: num_returns=4")
    assert entries[2] == (0, b"\xa5three")


def test_get_objects_names_an_unknown_id_and_refuses_a_short_payload(served):
    code, text = dispatch(Native2Py.GET_OBJECTS, struct.pack("<dIQ", 0.0, 1, rid(999)))
    assert code == 4 and str(rid(999)).encode() in text
    code, text = dispatch(Native2Py.GET_OBJECTS, struct.pack("<dI", 0.0, 2) + b"\0" * 8)
    assert code == 1 and b"2 ids need 28 bytes, got 20" in text


def test_wait_counts_a_failure_entry_ready_and_all_ready_lists_every_ready_ref(served, monkeypatch):
    dispatch(Native2Py.SUBMIT_BATCH, define(1, {"num_returns": 4}) + task(rid(80), "A")
             + task(rid(81), "B", options_id=1) + task(rid(82), "C"))
    done = {"A", "C"}

    def fake_wait(refs, num_returns=1, timeout=None, **_):
        ready = [r for r in refs if r.value[1] in done]
        if timeout != 0:
            ready = ready[:num_returns]
        return ready, [r for r in refs if r not in ready]

    monkeypatch.setattr(ray, "wait", fake_wait)
    ids = [rid(80), rid(81), rid(82)]
    code, reply = dispatch(Native2Py.WAIT_OBJECT, json.dumps({"object_ref_local_ids": ids, "num_returns": 1}).encode())
    assert (code, json.loads(reply)) == (0, [[1], [0, 2]])
    code, reply = dispatch(Native2Py.WAIT_OBJECT, json.dumps(
        {"object_ref_local_ids": ids, "num_returns": 2, "goray_all_ready": True}).encode())
    assert (code, json.loads(reply)) == (0, [[0, 1, 2], []])


# ---------------------------------------------------------------------------
# The Ray-internals module's fallback.

class FakeRemoteFunction:
    def __init__(self):
        self.calls = []

    def options(self, **options):
        outer = self

        class Wrapper:
            def remote(self, *args):
                outer.calls.append((options, args))
                return "ref"
        return Wrapper()


def test_a_ray_whose_submit_call_goray_does_not_know_takes_the_public_path(monkeypatch):
    from goray._ray import internals
    monkeypatch.setattr(internals, "task_order", lambda: None)  # an argument goray does not know
    assert not submit.enabled()
    function = FakeRemoteFunction()
    submitter = submit.task_submitter(function, {"num_cpus": 1})
    assert submit.describe(submitter) == "public"
    assert submitter.remote(1, 2) == "ref" and function.calls == [({"num_cpus": 1}, (1, 2))]


def test_the_internals_are_taken_unless_switched_off(monkeypatch):
    assert submit.enabled()
    monkeypatch.setenv(submit.ENV, "0")
    assert not submit.enabled()
    assert submit.describe(submit.task_submitter(FakeRemoteFunction(), {})) == "public"


def test_arity_matches_rays_validation_of_positional_calls():
    def f(a, b=1, *rest, key=2):
        pass

    def g(a, *, must):
        pass
    assert submit._arity(list(inspect.signature(f).parameters.values())) == (1, float("inf"))
    assert submit._arity(list(inspect.signature(g).parameters.values())) == (1, 0.0)


def test_a_synchronous_call_json_without_refs_is_parsed_once(served, monkeypatch):
    handlers = native2py_calls
    monkeypatch.setattr(handlers, "_metas", {})
    monkeypatch.setattr(handlers, "_sync_options", {})
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(handlers.json, "loads", lambda text: parsed.append(text) or real_loads(text))
    meta = json.dumps({"goray_task_name": "Square", "num_cpus": 2, "go_ray_arg_pos_to_object": {}}).encode()
    for value in (b"\x01", b"\x02"):
        assert dispatch(Native2Py.EXE_REMOTE_TASK, pack_units(value, meta))[0] == 0
    assert len(parsed) == 1
    assert [entry[2] for entry in served] == [{"num_cpus": 2}] * 2 and [entry[3] for entry in served] == [b"\x01", b"\x02"]
    assert served[0][6] == served[1][6] == meta  # one submitter key
    put = _stores.objects.add(_stores.StoredObject(FakeRef("put"), "", True))
    with_ref = json.dumps({"goray_task_name": "Square", "go_ray_arg_pos_to_object": {
        "0": {"id": put, "auto_release": True}}}).encode()
    assert dispatch(Native2Py.EXE_REMOTE_TASK, pack_units(b"", with_ref))[0] == 0
    assert dispatch(Native2Py.EXE_REMOTE_TASK, pack_units(b"", with_ref))[0] == 1  # released: not cached
    assert with_ref not in handlers._metas and served[2][6] is None


def test_an_options_id_defined_again_differently_gets_new_submitters(served, monkeypatch):
    forgotten = []
    monkeypatch.setattr(submit, "forget_options", forgotten.append)
    dispatch(Native2Py.SUBMIT_BATCH, define(7, {"num_cpus": 1}) + task(rid(90), "A", options_id=7)
             + define(7, {"num_cpus": 1}) + define(7, {"num_cpus": 2}) + task(rid(91), "A", options_id=7))
    assert forgotten == [7]
    assert [entry[2] for entry in served] == [{"num_cpus": 1}, {"num_cpus": 2}]


def test_forget_options_drops_the_submitters_of_that_key(monkeypatch):
    monkeypatch.setattr(submit, "_submitters", {("native:A", 7): 1, ("native:A", 8): 2})
    monkeypatch.setattr(submit, "_method_submitters", {0: {("Incr__", 7): 3, ("Incr__", "json"): 4}})
    submit.forget_options(7)
    assert submit._submitters == {("native:A", 8): 2}
    assert submit._method_submitters == {0: {("Incr__", "json"): 4}}
