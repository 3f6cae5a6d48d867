"""The GoRay FFI protocol's numbers and framing (docs/protocol.md §1-3).

Framing only: no Ray, no ctypes, and no other goray module (the package's bottom
layer). A *unit* is ``u64 LE length || bytes``; a *units message* is units back to
back; the Py2Native request word is ``cmd | index << 10``.
"""

from __future__ import annotations

import enum
import struct
from typing import List, Sequence, Union

Buffer = Union[bytes, bytearray, memoryview]


class Py2Native(enum.IntEnum):
    """Commands the driver sends with ``Execute``."""

    GET_INIT_OPTIONS = 0
    START_DRIVER = 1
    GET_TASK_ACTOR_LIST = 2
    GET_ACTOR_METHODS = 3
    RUN_TASK = 4
    NEW_ACTOR = 5
    ACTOR_METHOD_CALL = 6
    CLOSE_ACTOR = 7
    CHECK_ACTOR_ARGS = 32  # extension (docs/protocol.md §7): do constructor arguments fit?
    # Extensions for arrays (protocol version 2, docs/protocol.md §10):
    ENABLE_ARRAYS = 33  # the driver reads ext 71/72: write arrays as ext from now on
    RUN_TASK_FOR_PYTHON = 34  # as RUN_TASK; array results by address (ext 72 owned)
    ACTOR_METHOD_CALL_FOR_PYTHON = 35  # as ACTOR_METHOD_CALL, results as 34
    RELEASE_ARRAY = 36  # u64 LE token of an ext 72 owned buffer the driver is done with
    # Protocol version 3 (docs/protocol.md §11):
    ENABLE_FEATURES = 37  # u64 LE bitmask asked; reply: u64 LE bitmask turned on
    # Protocol version 5 (docs/protocol.md §13): traits and streaming generators.
    DESCRIBE_APPLICATION = 38  # JSON: tasks' and actors' traits (stream, thread_safe, groups)
    START_TASK_STREAM = 39  # payload as RUN_TASK; reply: u64 LE stream id
    START_METHOD_STREAM = 40  # index = instance, payload as ACTOR_METHOD_CALL; reply: stream id
    NEXT_STREAM_ITEM = 41  # u64 LE stream id; index 0: as RUN_TASK results, 1: as 34/35
    CLOSE_STREAM = 42  # u64 LE stream id: destroy the generator
    # Protocol version 6, with Feature.ARRAYS_OUT_OF_BAND on (docs/protocol.md §10):
    RUN_TASK_OUT_OF_BAND = 43  # as RUN_TASK; reply: large array results scattered, handed over
    ACTOR_METHOD_CALL_OUT_OF_BAND = 44  # as ACTOR_METHOD_CALL, reply as 43
    # goray.map (docs/protocol.md §16): a chunk of items through a native loop.
    MAP_TASK = 45  # payload as RUN_TASK, args [header, values...]; reply as 34
    MAP_METHOD = 46  # index = instance, payload as ACTOR_METHOD_CALL; reply as 35


class Native2Py(enum.IntEnum):
    """Commands the library sends through the registered callback."""

    EXE_PYTHON_LOCAL_TASK = 0
    EXE_PY_CODE = 1
    NEW_CLASS_INSTANCE = 2
    LOCAL_METHOD_CALL = 3
    CLOSE_CLASS_INSTANCE = 4
    EXE_REMOTE_TASK = 5
    GET_OBJECT = 6
    PUT_OBJECT = 7
    WAIT_OBJECT = 8
    CANCEL_OBJECT = 9
    RELEASE_OBJECT = 10
    NEW_ACTOR = 11
    NEW_PYTHON_ACTOR = 12
    ACTOR_METHOD_CALL = 13
    KILL_ACTOR = 14
    GET_ACTOR = 15
    EXE_PYTHON_REMOTE_TASK = 16
    RELEASE_ACTOR = 32  # extension (docs/protocol.md §7): native code dropped its last handle
    # Protocol version 3, once the library turned the features on (EnableFeatures):
    SUBMIT_BATCH = 33  # records: option sets, submissions, releases (pipelined)
    GET_OBJECTS = 34  # several objects in one ray.get
    DESCRIBE_ACTOR = 35  # type name and nativeness of an actor id (handles inside values)
    # Protocol version 5 (docs/protocol.md §13):
    NEXT_STREAM_REF = 36  # u64 LE stream id, f64 LE timeout: the next item's object id
    # Graphs of actor method calls, a goray extension (docs/protocol.md §15):
    GRAPH_BUILD = 48  # units (JSON description, constants block): u64 graph id + label
    GRAPH_EXECUTE = 49  # u64 graph id + args block: u64 result id
    GRAPH_GET = 50  # u64 result id, f64 timeout: the value
    GRAPH_RELEASE = 51  # u64 result id
    GRAPH_TEARDOWN = 52  # u64 graph id


class Code(enum.IntEnum):
    """Return codes (``*ret_code``)."""

    SUCCESS = 0
    FAILED = 1
    TIMEOUT = 2
    CANCELLED = 3
    OBJECT_REF_NOT_FOUND = 4
    PANIC = 5
    #: goray extension (docs/protocol.md §14): a crash recovered in the call; text report
    CRASHED = 6


#: Commands sit in the low 10 bits of a Py2Native request word.
COMMAND_BITS = 10
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

#: GorayProtocolVersion() from which a library speaks arrays (commands 33-36).
ARRAYS_VERSION = 2
#: GorayProtocolVersion() from which a library knows EnableFeatures (37).
FEATURES_VERSION = 3
#: GorayProtocolVersion() from which a library reads code-1 failures as structure
#: (docs/protocol.md §9).
STRUCTURED_FAILURES_VERSION = 4
#: GorayProtocolVersion() from which a library describes its traits and streams
#: (DescribeApplication 38, streams 39-42; docs/protocol.md §13).
STREAMS_VERSION = 5
#: GorayProtocolVersion() from which a library moves arrays out of band on Ray
#: (Feature.ARRAYS_OUT_OF_BAND: commands 43/44, scattered calls, lent GetObject replies).
OUT_OF_BAND_VERSION = 6
#: GorayProtocolVersion() from which a library reads complex numbers, paths and durations
#: as ext 75/76/77, and writes them so to a driver that turned on Feature.VALUE_EXTS.
VALUE_EXTS_VERSION = 7
#: GorayProtocolVersion() from which a library reads column-major arrays (the array ext's
#: 4th byte, bit 7) and writes them so to a driver that turned on Feature.COLUMN_MAJOR.
COLUMN_MAJOR_VERSION = 8
#: NextStreamItem's reply tag byte: an item follows / the generator finished.
STREAM_ITEM = 1
STREAM_END = 0


class Feature(enum.IntFlag):
    """EnableFeatures bits."""

    PIPELINED = 1  # queued submissions sent as SubmitBatch; GetObjects; Wait all-ready
    REFS_IN_VALUES = 2  # ObjectRefs and actor handles inside values (ext 73/74)
    ARRAYS_OUT_OF_BAND = 4  # large arrays scattered (calls, 43/44 results) and lent (GetObject)
    GET_AHEAD = 8  # a single Get's GetObjects names live refs to read ahead (flag 2)
    VALUE_EXTS = 16  # complex numbers, paths and durations written as ext 75/76/77
    COLUMN_MAJOR = 32  # Fortran-ordered arrays written as they are (ext 71/72 4th byte bit 7)


# The flags byte of an ext 72 (the 4th header byte): 0 borrowed (the reader may use the
# memory during the call only), owned (the reader adopts it and releases its token with
# ReleaseArray), lent (the driver keeps it alive until the reply's lent id is released).
ADDRESS_BORROWED = 0
ADDRESS_OWNED = 1
ADDRESS_LENT = 2
#: Bit 7 of an array ext's 4th byte (ext 71: over the pad in bits 0-5; ext 72: over the
#: flags): the data is in Fortran (column-major) order (version 8, Feature.COLUMN_MAJOR).
ARRAY_COLUMN_MAJOR = 0x80


#: SubmitBatch record kinds.
class Record(enum.IntEnum):
    DEFINE_OPTIONS = 1
    TASK = 2
    PY_TASK = 3
    ACTOR_CALL = 4
    RELEASE_OBJECT = 5
    RELEASE_ACTOR = 6

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
