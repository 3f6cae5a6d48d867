"""The GoRay FFI protocol's numbers and framing (docs/protocol.md §1-3).

The numbers are goray._protocol_numbers', rendered from the protocol's table
(generator/protocol/numbers.json); this module exports them beside the framing, the meta
keys and the Ray names. No Ray, no ctypes, and no goray module but that one. A *unit* is
``u64 LE length || bytes``; a *units message* is units back to back; the Py2Native
request word is ``cmd | index << COMMAND_BITS``.

Tests: tests/python/test_protocol.py, tests/renderers/test_gen_protocol_numbers.py,
tests/python/test_handlers.py, tests/ray/test_refs_in_values.py,
tests/python/test_arrays_scatter.py, tests/python/test_check_actor_args.py
"""

from __future__ import annotations

import struct
from typing import List, Sequence, Union

# Every number (the names in goray._protocol_numbers.__all__), rendered from
# generator/protocol/numbers.json by scripts/render-protocol.py.
from ._protocol_numbers import *  # noqa: F401,F403

Buffer = Union[bytes, bytearray, memoryview]

MAX_INDEX = (1 << (64 - COMMAND_BITS)) - 1

# Meta keys of the JSON unit of a Native2Py call payload.
META_TASK_NAME = "goray_task_name"
META_FUNC_CODE = "func_code"
META_ACTOR_TYPE_NAME = "goray_actor_type_name"
META_LOCAL_ACTOR_ID = "goray_py_local_actor_id"
META_ACTOR_METHODS = "goray_actor_methods"
META_PY_TASK_NAME = "task_name"
META_ARG_POS_TO_OBJECT = "go_ray_arg_pos_to_object"
#: The meta keys: the protocol's, not Ray options.
META_KEYS = frozenset({
    META_TASK_NAME, META_FUNC_CODE, META_ACTOR_TYPE_NAME, META_LOCAL_ACTOR_ID, META_ACTOR_METHODS,
    META_PY_TASK_NAME, META_ARG_POS_TO_OBJECT,
})
# An entry of META_ARG_POS_TO_OBJECT: {"id": object id, "auto_release": bool}.
ARG_OBJECT_ID = "id"
ARG_AUTO_RELEASE = "auto_release"

# Keys of the other Native2Py JSON requests and replies (the rest of a request is
# Ray's keyword arguments).
WAIT_OBJECT_IDS = "object_ref_local_ids"  # WaitObject
WAIT_ALL_READY = "goray_all_ready"  # WaitObject, version 3: report every ready ref
WAIT_NUM_RETURNS = "num_returns"
CANCEL_OBJECT_ID = "object_ref_local_id"  # CancelObject
ACTOR_NAME = "name"  # GetActor
ACTOR_LOCAL_ID = "py_local_id"  # GetActor's reply
ACTOR_TYPE_NAME = "actor_type_name"  # GetActor's and DescribeActor's replies
ACTOR_IS_NATIVE = "is_golang_actor"

#: The py-defs file's path, for every process of a job (docs/protocol.md §4; misspelt
#: in the protocol, kept for GoRay compatibility). The library's is GORAY_BIN_PATH
#: (goray._ffi.BIN_PATH_ENV).
PY_DEFS_ENV = "GORAY_PY_MUDULE_PATH"

# Ray names of what the driver submits (docs/protocol.md §4).
NATIVE_TASK_PREFIX = "GolangTask."
PYTHON_TASK_PREFIX = "py."
NATIVE_CLASS_PREFIX = "Go."
PYTHON_CLASS_PREFIX = "PY."

# ext 72's flags byte: 0 borrowed (the reader may use the memory during the call only),
# owned (the reader adopts it and releases its token with ReleaseArray), lent (the driver
# keeps it alive until the reply's lent id is released).
ADDRESS_BORROWED = ARRAY_BORROWED
ADDRESS_OWNED = ARRAY_OWNED
ADDRESS_LENT = ARRAY_LENT

_U64 = struct.Struct("<Q")


class FramingError(ValueError):
    """A units message or id that does not follow docs/protocol.md §2."""


class CodecError(ValueError):
    """Bytes that are not the msgpack expected (docs/protocol.md §5). Defined here,
    below goray._arrays and goray._codec, which both raise it; named after
    goray._codec, which exports it (error texts and pickles say
    goray._codec.CodecError)."""


CodecError.__module__ = "goray._codec"


def request_word(cmd: int, index: int = 0) -> int:
    """The Py2Native request word. Returned as a signed 64-bit value, the way the
    C ABI's ``long long`` carries it."""
    if not 0 <= cmd < (1 << COMMAND_BITS):
        raise ValueError(f"command {cmd} out of range 0..1023")
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"index {index} out of range 0..{MAX_INDEX}")
    word = cmd | (index << COMMAND_BITS)
    return word - (1 << 64) if word >= (1 << 63) else word


def pack_u64(value: int) -> bytes:
    return _U64.pack(value)


def unpack_u64(data: Buffer) -> int:
    """An id reply: exactly 8 bytes, u64 little-endian."""
    if len(data) != 8:
        raise FramingError(f"an id is 8 bytes (u64 little-endian), got {len(data)}")
    value: int = _U64.unpack(data)[0]
    return value


def pack_units(*parts: Buffer) -> bytes:
    """A units message of the given parts."""
    pieces: List[Buffer] = []
    for part in parts:
        pieces.append(_U64.pack(len(part)))
        pieces.append(part)
    return b"".join(pieces)


def pack_call(name: bytes, pieces: Sequence[Buffer]) -> bytes:
    """units(name, args block) where the args block is `pieces` concatenated: one
    join, so a large argument is copied once."""
    parts: List[Buffer] = [_U64.pack(len(name)), name,
                           _U64.pack(sum(len(piece) for piece in pieces))]
    parts.extend(pieces)
    return b"".join(parts)


def unpack_units(data: Buffer) -> List[memoryview]:
    """The units of a message, as views into ``data`` (no copies)."""
    view = data if isinstance(data, memoryview) else memoryview(data)
    total = len(view)
    units: List[memoryview] = []
    offset = 0
    unpack_from = _U64.unpack_from
    while offset < total:
        if total - offset < 8:
            raise FramingError(f"truncated unit header at byte {offset} of {total}")
        (length,) = unpack_from(view, offset)
        offset += 8
        end = offset + length
        if end > total:
            raise FramingError(
                f"unit at byte {offset - 8} claims {length} bytes, only {total - offset} left")
        units.append(view[offset:end])
        offset = end
    return units
