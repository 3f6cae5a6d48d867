"""Writes the seed corpora (tests/fuzz/corpus/<target>/): small valid inputs.
Run once by hand; the files are committed. Needs the msgpack package (.venv)."""
import json
import os
import struct

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))


def unit(b):
    return struct.pack("<Q", len(b)) + b


def call(name, *args, resolved=()):
    out = unit(name.encode()) + unit(b"".join(msgpack.packb(a, use_bin_type=True) for a in args))
    for pos, value in resolved:
        out += unit(struct.pack("<Q", pos) + msgpack.packb(value, use_bin_type=True))
    return out


def ext71(kind, itemsize, shape, data, pad=0):
    """The payload of an array ext 71 (docs/protocol.md §10)."""
    head = kind.encode() + bytes([itemsize, len(shape), pad]) + struct.pack("<%dq" % len(shape), *shape)
    return head + b"\0" * pad + data


def ext72(kind, itemsize, shape, address, token=0):
    """The payload of an array ext 72 (refused by the fuzzed library: never enabled)."""
    head = kind.encode() + bytes([itemsize, len(shape), 0]) + struct.pack("<%dq" % len(shape), *shape)
    return head + struct.pack("<QQ", address, token)


def ext78(rows, text=True):
    """The payload of a string column ext 78 (docs/protocol.md §10, "String and binary
    columns"): 32-bit offsets, a validity bitmap when a row is None."""
    nulls = sum(row is None for row in rows)
    data, offsets, bits = b"", [0], 0
    for i, row in enumerate(rows):
        if row is not None:
            data += row
            bits |= 1 << i
        offsets.append(len(data))

    def padded(b):
        return b + b"\0" * (-(len(b)) % 8)
    head = (b"s" if text else b"b") + bytes([4, 1 if nulls else 0]) + bytes(5) + struct.pack("<QQ", len(rows), nulls)
    body = padded(head + struct.pack("<%dI" % len(offsets), *offsets))
    if nulls:
        body += padded(bits.to_bytes((len(rows) + 7) // 8, "little"))
    return body + data


def write(target, name, data):
    path = os.path.join(HERE, "corpus", target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


# execute: byte 0 = command | (instance index << 3).
seeds = {
    "init": bytes([0]),
    "driver": bytes([1]) + b'["a"]',
    "list": bytes([2]),
    "methods": bytes([3]) + b"Counter",
    "add": bytes([4]) + call("Add", 1, 2),
    "divide": bytes([4]) + call("Divide", 7, 0),
    "concat_ref": bytes([4]) + call("Concat", "a", resolved=[(1, "b")]),
    "sum": bytes([4]) + call("Sum", [1.5, 2.5]),
    "opt": bytes([4]) + call("Opt", None, True),
    "echo": bytes([4]) + call("Echo", {"k": [1, b"x", 2.5, None]}),
    "nothing": bytes([4]) + call("Nothing"),
    "new": bytes([5]) + call("Counter", 3),
    "incr": bytes([6]) + call("Incr", 4),
    "tags": bytes([6]) + call("Tags", {"a": 1}),
    "close": bytes([7]),
    "close1": bytes([7 | (1 << 3)]),
    "unknown": bytes([0xF9]),
    "scale": bytes([4]) + call("Scale", msgpack.ExtType(71, ext71("f", 8, [2, 2], struct.pack("<4d", 1, 2, 3, 4))), 2.0),
    "scale_nested": bytes([4]) + call("Scale", [[1.0, 2.0], [3.0, 4.0]], 0.5),
    "sum_span": bytes([4]) + call("SumSpan", msgpack.ExtType(71, ext71("i", 4, [3], struct.pack("<3i", 1, 2, 3), pad=5))),
    "conj": bytes([4]) + call("Conj", msgpack.ExtType(71, ext71("c", 8, [1], struct.pack("<2f", 1, 2)))),
    "floats": bytes([4]) + call("Floats", msgpack.ExtType(71, ext71("f", 4, [2], struct.pack("<2f", 1, 2)))),
    "by_address": bytes([4]) + call("SumSpan", msgpack.ExtType(72, ext72("i", 4, [1], 4096))),
    "column": bytes([4]) + call("ColumnLengths", msgpack.ExtType(78, ext78([b"ab", None, b"", b"\xff"], text=False))),
    "column_list": bytes([4]) + call("ColumnLengths", ["a", None, b"b"]),
}
for name, data in seeds.items():
    write("execute", name, data)

values = {
    "int": 300, "neg": -5, "big": 2**64 - 1, "float": 2.5, "str": "héllo", "bin": b"\x00\x01",
    "array": [1, 2, 3], "nested": [[1], [2, 3]], "map": {"a": 1, "b": 2}, "intmap": {1: [1.0]},
    "nil": None, "bool": True, "tuple": [7, "x"],
}
for name, value in values.items():
    write("codec", name, msgpack.packb(value, use_bin_type=True))
write("codec", "ext", msgpack.packb(msgpack.ExtType(5, b"abc")))
write("codec", "timestamp", msgpack.packb(msgpack.Timestamp(1, 2), datetime=False))
write("codec", "array_f8", msgpack.packb(msgpack.ExtType(71, ext71("f", 8, [2, 3], struct.pack("<6d", *range(6)), pad=2))))
write("codec", "array_i4", msgpack.packb(msgpack.ExtType(71, ext71("i", 4, [3], struct.pack("<3i", 1, -2, 3)))))
write("codec", "array_b1", msgpack.packb(msgpack.ExtType(71, ext71("b", 1, [2], b"\x01\x00"))))
write("codec", "array_c8", msgpack.packb(msgpack.ExtType(71, ext71("c", 8, [], struct.pack("<2f", 1, 2)))))
write("codec", "array_u1_0d", msgpack.packb(msgpack.ExtType(71, ext71("u", 1, [0, 4], b""))))
write("codec", "array_by_address", msgpack.packb(msgpack.ExtType(72, ext72("f", 8, [1], 4096))))
write("codec", "column", msgpack.packb(msgpack.ExtType(78, ext78(["x".encode(), None, b"yz"]))))
write("codec", "complex_nested", msgpack.packb([[1.0, 2.0], [3.0, 4.0]]))

# stream: programs of stream_fuzz.cpp's harness (one op byte, then its own bytes: see
# Harness::Step; kTasks/kMethods indices pick the callee).
COUNT, WORDS, FAIL, REENTER = 0, 1, 2, 8
streams = {
    "count_drain": bytes([0, COUNT, 3, 0, 7, 0]) + bytes(6),
    "words_next_close": bytes([0, WORDS, 5]) + b"hello" + bytes([4, 0, 2, 0, 0, 3, 0, 0]),
    "actor_range": bytes([4, 0, 3]) + b"abc" + bytes([1, 0, 0, 4, 0, 7, 0]) + bytes(6) + bytes([5, 0]),
    "actor_closed_first": bytes([4, 0, 1]) + b"p" + bytes([1, 0, 0, 4, 0, 5, 0, 7, 0]) + bytes(6),
    "fail": bytes([0, FAIL, 2, 0, 7, 0]) + bytes(4),
    "reenter_self": bytes([0, REENTER, 0, 2, 0, 7, 0]) + bytes(4),
    "reenter_close": bytes([0, REENTER, 1, 3, 0, 2, 0, 0, 2, 0, 0]),
    "reenter_nested": bytes([0, REENTER, 2, 2, 0, 7, 0]) + bytes(4),
    "plain_run": bytes([8, 1, COUNT, 3, 0]),
    "raw_next": bytes([0, COUNT, 2, 0, 6, 2, 0, 8]) + struct.pack("<Q", 1),
    "describe": bytes([9]),
}
for name, data in streams.items():
    write("stream", name, data)

# native2py: requests to the Python driver's in-process handlers (byte 0 the Native2Py
# command, then its payload; tests/python/test_fuzz_native2py.py mutates them).
def native2py_call(args, **options):
    options.setdefault("go_ray_arg_pos_to_object", {})
    block = b"".join(msgpack.packb(a, use_bin_type=True) for a in args)
    return unit(block) + unit(json.dumps(options).encode())


native2py = {
    "task": bytes([0]) + native2py_call([1, "a"], goray_task_name="fuzz_echo"),
    "task_fails": bytes([0]) + native2py_call([], goray_task_name="fuzz_fail"),
    "task_unknown": bytes([0]) + native2py_call([], goray_task_name="no_such_function"),
    "code": bytes([1]) + native2py_call([2], func_code="def f(x):\n    return x\n"),
    "code_two_defs": bytes([1]) + native2py_call([], func_code="def a(): pass\ndef b(): pass\n"),
    "new": bytes([2]) + native2py_call([7], goray_actor_type_name="FuzzBox"),
    "method": bytes([3]) + native2py_call([1], goray_py_local_actor_id=0, goray_task_name="get"),
    "method_with_ref": bytes([3]) + native2py_call(
        [], goray_py_local_actor_id=0, goray_task_name="get",
        go_ray_arg_pos_to_object={"0": {"id": 1, "auto_release": True}}),
    "close": bytes([4]) + json.dumps({"goray_py_local_actor_id": 0}).encode(),
}
for name, data in native2py.items():
    write("native2py", name, data)
