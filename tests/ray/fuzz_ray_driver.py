"""The driver's Ray command handlers (Native2Py 5-16 and 32-36) fuzzed with hypothesis,
in a driver process of its own joined to the Ray test session's Ray (as a second job), so
that the ids it releases or kills are only its own, never the session's.

For any bytes sent as any Ray command the driver answers a return code and bytes and
does not raise; a failed request leaves no object or actor id behind; what a successful
one created is released again (and its actors killed) and the stores are back where
they were. Prints "OK <property> <examples>" per property, or the falsifying example
and exits 1.

    RAY_ADDRESS=<the session's GCS address> python fuzz_ray_driver.py LIBRARY DEFS [EXAMPLES]
"""
import json
import struct
import sys
import traceback

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import goray
from goray import _handlers, _stores
from goray._protocol import Code, Native2Py, pack_units

RAY_COMMANDS = [int(command) for command in Native2Py if 5 <= command <= 16 or command >= 32]
CODES = {int(code) for code in Code}
# Commands whose success answers one new id (u64): objects, or actors.
NEW_OBJECT = {int(Native2Py.EXE_REMOTE_TASK), int(Native2Py.PUT_OBJECT),
              int(Native2Py.ACTOR_METHOD_CALL), int(Native2Py.EXE_PYTHON_REMOTE_TASK)}

# Names the requests may use: the raytest library's and the py-defs', and unknown ones.
NAMES = st.sampled_from(["Square", "Divide", "Counter", "Incr", "py_square", "Storage", "nope", ""])
META_KEYS = ["goray_task_name", "task_name", "goray_actor_type_name", "actor_type_name",
             "goray_py_local_actor_id", "go_ray_arg_pos_to_object", "num_cpus", "name",
             "namespace", "timeout", "no_restart", "force", "recursive"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2**64), NAMES,
                    st.floats(allow_nan=False, min_value=-1, max_value=0.05))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(META_KEYS) | st.text(max_size=4), inner, max_size=4),
                    max_leaves=8)
U64 = st.integers(0, 2**64 - 1).map(lambda n: struct.pack("<Q", n))


@st.composite
def payloads(draw):
    kind = draw(st.sampled_from(["bytes", "json", "call", "id", "id_and_more"]))
    if kind == "bytes":
        return draw(st.binary(max_size=48))
    if kind == "json":
        return json.dumps(draw(JSON)).encode()
    if kind == "call":
        args = draw(st.binary(max_size=16) | st.just(b"\x01\x02"))
        return pack_units(args, json.dumps(draw(JSON)).encode())
    if kind == "id":
        return draw(U64)
    return draw(U64) + draw(st.binary(max_size=16))


def store_keys():
    # The stores' own tables (this driver is their only user).
    return set(_stores.objects._items), set(_stores.actors._items)


def release(objects, actors):
    for object_id in objects:
        _handlers.dispatch(int(Native2Py.RELEASE_OBJECT), memoryview(struct.pack("<Q", object_id)))
    for actor_id in actors:
        kill = json.dumps({"goray_py_local_actor_id": actor_id, "no_restart": True}).encode()
        _handlers.dispatch(int(Native2Py.KILL_ACTOR), memoryview(kill))
        _handlers.dispatch(int(Native2Py.RELEASE_ACTOR), memoryview(struct.pack("<Q", actor_id)))


ANSWERS = {}  # (command, code) -> how many


def check(command, payload):
    objects_before, actors_before = store_keys()
    code, reply = _handlers.dispatch(command, memoryview(payload))
    assert int(code) in CODES and isinstance(bytes(reply), bytes), (code, reply)
    ANSWERS[(command, int(code))] = ANSWERS.get((command, int(code)), 0) + 1
    objects_after, actors_after = store_keys()
    new_objects, new_actors = objects_after - objects_before, actors_after - actors_before
    if code != 0:
        assert not new_objects and not new_actors, \
            f"command {command} failed (code {code}: {bytes(reply)[:200]!r}) but left ids " \
            f"{new_objects} {new_actors}"
    release(new_objects, new_actors)
    assert store_keys() == (objects_before, actors_before)


def main() -> int:
    library_path, defs_path = sys.argv[1:3]
    examples = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    goray.init(library_path, defs_path, cluster=True, namespace="raytest_fuzz")
    fuzz = settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

    @fuzz
    @given(st.sampled_from(RAY_COMMANDS), payloads())
    def every_ray_command(command, payload):
        check(command, payload)

    failed = 0
    for name, prop in [("every_ray_command", every_ray_command)]:
        try:
            prop()
        except BaseException:  # noqa: BLE001 - reported to the parent test
            failed += 1
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
        else:
            print(f"OK {name} {examples}", flush=True)
    print("ANSWERS " + json.dumps({f"{command}:{code}": count
                                   for (command, code), count in sorted(ANSWERS.items())}), flush=True)
    import ray
    ray.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
