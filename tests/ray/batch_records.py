"""SubmitBatch records (Native2Py 33) as the runtime writes them, for tests that
play the runtime's part from Python."""
import json
import struct


def string(text):
    data = text.encode()
    return struct.pack("<I", len(data)) + data


def define(options_id, options):
    return b"\x01" + struct.pack("<I", options_id) + string(json.dumps(options))


def _refs(refs):
    return struct.pack("<I", len(refs)) + b"".join(struct.pack("<IQ", p, i) for p, i in refs)


def task(result_id, name, block=b"", options_id=0, refs=(), python=False):
    return (bytes([3 if python else 2]) + struct.pack("<QI", result_id, options_id) + string(name)
            + _refs(refs) + struct.pack("<Q", len(block)) + block)


def actor_call(result_id, actor_id, method, block=b"", options_id=0, refs=()):
    return (b"\x04" + struct.pack("<QQI", result_id, actor_id, options_id) + string(method)
            + _refs(refs) + struct.pack("<Q", len(block)) + block)


def release_object(object_id):
    return b"\x05" + struct.pack("<Q", object_id)


def release_actor(actor_id):
    return b"\x06" + struct.pack("<Q", actor_id)


_next = [1 << 40]


def result_id():
    """A fresh runtime-style result id ((1 << 63) | counter)."""
    _next[0] += 1
    return (1 << 63) | _next[0]


def get_objects_payload(ids, timeout=-1.0):
    return struct.pack("<dI", timeout, len(ids)) + struct.pack(f"<{len(ids)}Q", *ids)


def get_objects_entries(reply):
    """[(code, bytes)] of a GetObjects reply."""
    entries, at = [], 0
    while at < len(reply):
        code, length = struct.unpack_from("<IQ", reply, at)
        at += 12
        entries.append((code, bytes(reply[at:at + length])))
        at += length
    return entries
