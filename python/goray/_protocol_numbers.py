"""The GoRay FFI protocol's numbers (docs/protocol.md).

DO NOT EDIT: rendered from generator/protocol/numbers.json by scripts/render-protocol.py
(templates/protocol/protocol_numbers.py.j2). Change a number there and run the script.
goray._protocol exports these with the framing; the runtime's C++ names are in
goray/detail/protocol_numbers.h. Imports nothing of goray's (the package's bottom layer).

Tests: tests/renderers/test_gen_protocol_numbers.py
"""

from __future__ import annotations

import enum

__all__ = [
    "PROTOCOL_VERSION",
    "ARRAYS_VERSION",
    "FEATURES_VERSION",
    "STRUCTURED_FAILURES_VERSION",
    "STREAMS_VERSION",
    "OUT_OF_BAND_VERSION",
    "VALUE_EXTS_VERSION",
    "COLUMN_MAJOR_VERSION",
    "COMMAND_BITS", "Py2Native", "Native2Py", "Code", "Feature", "Record",
    "EXT_ARRAY_INLINE",
    "EXT_ARRAY_ADDRESS",
    "EXT_OBJECT_REF",
    "EXT_ACTOR_HANDLE",
    "EXT_COMPLEX",
    "EXT_PATH",
    "EXT_DURATION",
    "EXT_COLUMN_INLINE",
    "EXT_COLUMN_ADDRESS",
    "ARRAY_BORROWED",
    "ARRAY_OWNED",
    "ARRAY_LENT",
    "ARRAY_BYTES",
    "ARRAY_PAD_MASK",
    "ARRAY_COLUMN_MAJOR",
    "GET_OBJECTS_LEND",
    "GET_OBJECTS_AHEAD",
    "NEXT_STREAM_REF_WITH_VALUE",
    "NEXT_STREAM_REF_ALL_READY",
    "STREAM_END",
    "STREAM_ITEM",
    "STREAM_BATCH",
    "STREAM_ITEM_AS_NATIVE",
    "STREAM_ITEM_AS_PYTHON",
    "FAST_PATH_INTERFACE",
    "ARRAY_HEAD_BYTES",
    "ARRAY_EXTENT_BYTES",
    "COLUMN_ADDRESS_HEAD_BYTES",
    "COLUMN_ADDRESS_TOKEN_BYTES",
    "ARRAY_ADDRESS_BYTES",
    "COLUMN_ADDRESS_CHUNK_BYTES",
    "MAX_ARRAY_DIMS",
    "ARRAY_DATA_ALIGN",
    "OUT_OF_BAND_FROM",
]

#: GorayProtocolVersion() of the runtime beside this package: the newest version.
PROTOCOL_VERSION = 8
#: The protocol version that added arrays, inline and by address (docs/protocol.md §10).
ARRAYS_VERSION = 2
#: The protocol version that added EnableFeatures, pipelined submissions and batches (and
#: WaitObject's `goray_all_ready`), refs and actor handles inside values (docs/protocol.md §11,
#: §12).
FEATURES_VERSION = 3
#: The protocol version that added the driver's code-1 failures read as JSON with the member `Error`
#: (docs/protocol.md §9).
STRUCTURED_FAILURES_VERSION = 4
#: The protocol version that added the application's traits, and streams of generator tasks and
#: methods (docs/protocol.md §13).
STREAMS_VERSION = 5
#: The protocol version that added large arrays out of band: scattered blocks (and the scattered
#: forms of ExeRemoteTask, ActorMethodCall and ExePythonRemoteTask), results handed over by address,
#: GetObject's lend and GetObjects' flags byte (docs/protocol.md §10, "Arrays out of band").
OUT_OF_BAND_VERSION = 6
#: The protocol version that added complex numbers, paths and durations as exts: read, and written
#: after their feature bit (docs/protocol.md §5, "Value exts").
VALUE_EXTS_VERSION = 7
#: The protocol version that added column-major arrays: read, and written after their feature bit
#: (docs/protocol.md §10, "Column-major arrays").
COLUMN_MAJOR_VERSION = 8

#: Commands sit in the low bits of a Py2Native request word (``cmd | index << COMMAND_BITS``).
COMMAND_BITS = 10


class Py2Native(enum.IntEnum):
    """Commands the driver sends with ``Execute`` (docs/protocol.md §3)."""

    #: the ray.init options the application declared (JSON) (docs/protocol.md §3)
    GET_INIT_OPTIONS = 0
    #: run the application's driver function (docs/protocol.md §3)
    START_DRIVER = 1
    #: the task and actor type names (JSON) (docs/protocol.md §3)
    GET_TASK_ACTOR_LIST = 2
    #: an actor type's method names (JSON) (docs/protocol.md §3)
    GET_ACTOR_METHODS = 3
    #: call a task: call payload in, native return block out (docs/protocol.md §3)
    RUN_TASK = 4
    #: construct an actor instance: its index as ASCII decimal (docs/protocol.md §3)
    NEW_ACTOR = 5
    #: index = the instance: call a method (docs/protocol.md §3)
    ACTOR_METHOD_CALL = 6
    #: index = the instance: destroy it (docs/protocol.md §3)
    CLOSE_ACTOR = 7
    #: do these constructor arguments fit the actor type? (a dry run) (docs/protocol.md §7)
    CHECK_ACTOR_ARGS = 32
    #: the driver reads ext 71/72: write arrays as exts from now on (version 2, docs/protocol.md
    #: §10)
    ENABLE_ARRAYS = 33
    #: as RunTask, array results handed over by address (ext 72 owned) (version 2, docs/protocol.md
    #: §10)
    RUN_TASK_FOR_PYTHON = 34
    #: as ActorMethodCall, results as RunTaskForPython (version 2, docs/protocol.md §10)
    ACTOR_METHOD_CALL_FOR_PYTHON = 35
    #: u64 LE token of a handed-over array the driver is done with (version 2, docs/protocol.md §10)
    RELEASE_ARRAY = 36
    #: u64 LE feature bits asked for; reply: u64 LE bits turned on (version 3, docs/protocol.md §11)
    ENABLE_FEATURES = 37
    #: JSON: the tasks' and actors' traits (stream, thread_safe, groups, params, map) (version 5,
    #: docs/protocol.md §13)
    DESCRIBE_APPLICATION = 38
    #: payload as RunTask; reply: u64 LE stream id (version 5, docs/protocol.md §13)
    START_TASK_STREAM = 39
    #: index = the instance, payload as ActorMethodCall; reply: u64 LE stream id (version 5,
    #: docs/protocol.md §13)
    START_METHOD_STREAM = 40
    #: u64 LE stream id: the next item (index 0: encoded as RunTask's results, 1: as
    #: RunTaskForPython's) (version 5, docs/protocol.md §13)
    NEXT_STREAM_ITEM = 41
    #: u64 LE stream id: destroy the generator (version 5, docs/protocol.md §13)
    CLOSE_STREAM = 42
    #: as RunTask; reply: large array results scattered, handed over by address (version 6,
    #: docs/protocol.md §10)
    RUN_TASK_OUT_OF_BAND = 43
    #: as ActorMethodCall, reply as RunTaskOutOfBand (version 6, docs/protocol.md §10)
    ACTOR_METHOD_CALL_OUT_OF_BAND = 44
    #: payload as RunTask, args [header, values...]: a chunk of items through the task's loop; reply
    #: as RunTaskForPython (docs/protocol.md §16)
    MAP_TASK = 45
    #: index = the instance, payload as ActorMethodCall: as MapTask for a method (docs/protocol.md
    #: §16)
    MAP_METHOD = 46


class Native2Py(enum.IntEnum):
    """Commands the library sends through the registered callback (docs/protocol.md §3)."""

    #: call a @goray.local or @goray.remote function in-process (docs/protocol.md §3)
    EXE_PYTHON_LOCAL_TASK = 0
    #: run Python source (one def) on the arguments (docs/protocol.md §3)
    EXE_PY_CODE = 1
    #: create a local Python actor instance: u64 id (docs/protocol.md §3)
    NEW_CLASS_INSTANCE = 2
    #: call a method of a local Python instance (docs/protocol.md §3)
    LOCAL_METHOD_CALL = 3
    #: drop a local Python instance (docs/protocol.md §3)
    CLOSE_CLASS_INSTANCE = 4
    #: submit a native task: u64 object id (docs/protocol.md §3)
    EXE_REMOTE_TASK = 5
    #: an object's value (the code stored beside it as the reply's) (docs/protocol.md §3)
    GET_OBJECT = 6
    #: put one msgpack value: u64 object id (docs/protocol.md §3)
    PUT_OBJECT = 7
    #: wait for objects: ready and pending indices (docs/protocol.md §3)
    WAIT_OBJECT = 8
    #: cancel the task of an object (docs/protocol.md §3)
    CANCEL_OBJECT = 9
    #: u64 object id: native code dropped it (docs/protocol.md §3)
    RELEASE_OBJECT = 10
    #: create a native actor on Ray: u64 actor id (docs/protocol.md §3)
    NEW_ACTOR = 11
    #: create a Python actor on Ray: u64 actor id (docs/protocol.md §3)
    NEW_PYTHON_ACTOR = 12
    #: submit an actor method call: u64 object id (docs/protocol.md §3)
    ACTOR_METHOD_CALL = 13
    #: kill an actor (docs/protocol.md §3)
    KILL_ACTOR = 14
    #: look a named actor up (docs/protocol.md §3)
    GET_ACTOR = 15
    #: submit a Python task: u64 object id (docs/protocol.md §3)
    EXE_PYTHON_REMOTE_TASK = 16
    #: u64 LE actor id: native code dropped its last handle (docs/protocol.md §7)
    RELEASE_ACTOR = 32
    #: records: option sets, submissions, releases (pipelined) (version 3, docs/protocol.md §11)
    SUBMIT_BATCH = 33
    #: several objects in one ray.get (version 3, docs/protocol.md §11)
    GET_OBJECTS = 34
    #: an actor id's type name and nativeness (handles inside values) (version 3, docs/protocol.md
    #: §12)
    DESCRIBE_ACTOR = 35
    #: u64 LE stream id, f64 LE timeout: the next item's object id (version 5, docs/protocol.md §13)
    NEXT_STREAM_REF = 36
    #: units (JSON description, constants block): u64 graph id and label (docs/protocol.md §15)
    GRAPH_BUILD = 48
    #: u64 graph id and args block: u64 result id (docs/protocol.md §15)
    GRAPH_EXECUTE = 49
    #: u64 result id, f64 timeout: the value (docs/protocol.md §15)
    GRAPH_GET = 50
    #: u64 result id never read (docs/protocol.md §15)
    GRAPH_RELEASE = 51
    #: u64 graph id (docs/protocol.md §15)
    GRAPH_TEARDOWN = 52


class Code(enum.IntEnum):
    """Return codes (``*ret_code``, docs/protocol.md §1)."""

    #: the answer
    SUCCESS = 0
    #: UTF-8 text
    FAILED = 1
    #: text
    TIMEOUT = 2
    #: text
    CANCELLED = 3
    #: text
    OBJECT_REF_NOT_FOUND = 4
    #: a JSON object {"Message", "Traceback"} (and goray's "Error", docs/protocol.md §9)
    PANIC = 5
    #: a crash recovered in the call (GorayRecoverCrashes); the reply is its report
    #: (docs/protocol.md §14)
    CRASHED = 6


class Feature(enum.IntFlag):
    """EnableFeatures bits (docs/protocol.md §11)."""

    #: pipelined submissions and the batch commands: queued submissions sent as SubmitBatch,
    #: GetObjects, WaitObject's goray_all_ready (version 3)
    PIPELINED = 1
    #: ObjectRefs and actor handles inside values (ext 73/74, DescribeActor) (version 3)
    REFS_IN_VALUES = 2
    #: large arrays out of band: scattered call arguments (ExeRemoteTask, ActorMethodCall,
    #: ExePythonRemoteTask with a table), results by token (RunTaskOutOfBand,
    #: ActorMethodCallOutOfBand), GetObject lending the object store's memory; meaningful only after
    #: EnableArrays (version 6)
    ARRAYS_OUT_OF_BAND = 4
    #: a single Get that goes to the driver also names the live refs made after its own (GetObjects
    #: flag Ahead), and keeps the values the driver sends for their first Get; needs Pipelined
    GET_AHEAD = 8
    #: complex numbers, paths and durations written as ext 75/76/77; without it as Go reads them
    #: ([re, im], a str, an int of nanoseconds) (version 7)
    VALUE_EXTS = 16
    #: column-major arrays written as stored (the array ext's ColumnMajor bit); without it
    #: transposed into C order first; needs EnableArrays (version 8)
    COLUMN_MAJOR = 32
    #: string and binary columns (goray::StringColumn, goray::BinaryColumn and their builders)
    #: written as ext 78 inline and ext 79 by address; without it encoding one is an error; needs
    #: EnableArrays for ext 79
    COLUMNS = 64


class Record(enum.IntEnum):
    """SubmitBatch record kinds (docs/protocol.md §11)."""

    DEFINE_OPTIONS = 1
    TASK = 2
    PY_TASK = 3
    ACTOR_CALL = 4
    RELEASE_OBJECT = 5
    RELEASE_ACTOR = 6


# msgpack extension types.
#: an array inline: header, shape, pad, data (any direction; may be stored in Ray) (version 2,
#: docs/protocol.md §10)
EXT_ARRAY_INLINE = 71
#: an array by address: header, shape, address, token (in one process only) (version 2,
#: docs/protocol.md §10)
EXT_ARRAY_ADDRESS = 72
#: an ObjectRef inside a value: u64 LE id (version 3, docs/protocol.md §12)
EXT_OBJECT_REF = 73
#: an actor handle inside a value: u64 LE id (version 3, docs/protocol.md §12)
EXT_ACTOR_HANDLE = 74
#: a complex number: real, imaginary (float64 or float32 each) (version 7, docs/protocol.md §5)
EXT_COMPLEX = 75
#: a filesystem path: its bytes as the OS keeps them (version 7, docs/protocol.md §5)
EXT_PATH = 76
#: a duration: int64 seconds, uint32 nanoseconds (version 7, docs/protocol.md §5)
EXT_DURATION = 77
#: a string or binary column inline: Arrow's offsets layout (any direction; may be stored in Ray)
#: (docs/protocol.md §10)
EXT_COLUMN_INLINE = 78
#: Arrow C Data Interface structs by address: flags, chunk count, schema and array addresses, token
#: (in one process only) (docs/protocol.md §10)
EXT_COLUMN_ADDRESS = 79

# The 4th byte of an array ext (docs/protocol.md §10): ext 72's flags, ext 71's pad.
#: no flag: the reader may use the memory during the call only (version 2)
ARRAY_BORROWED = 0x00
#: the reader adopts the memory and releases its token with ReleaseArray (version 2)
ARRAY_OWNED = 0x01
#: the driver keeps the memory alive until the reply's lent id is released (version 6)
ARRAY_LENT = 0x02
#: with Owned: a large bytes value handed over, not an array (version 6)
ARRAY_BYTES = 0x04
#: bits 0-5 of ext 71: the zero bytes between the shape and the data (version 2)
ARRAY_PAD_MASK = 0x3f
#: bit 7: the data is in Fortran (column-major) order (version 8)
ARRAY_COLUMN_MAJOR = 0x80

# GetObjects' flags byte (docs/protocol.md §10, §11).
#: lend the object store's memory (ext 72 lent) (version 6)
GET_OBJECTS_LEND = 1
#: the ids after the first are live refs read ahead (EnableFeatures bit 8)
GET_OBJECTS_AHEAD = 2

# NextStreamRef's u64 flags (docs/protocol.md §13).
#: the item's value inline after the id, when the driver can (version 5)
NEXT_STREAM_REF_WITH_VALUE = 1
#: every item already produced, in the batch form
NEXT_STREAM_REF_ALL_READY = 2

# The tag byte of a stream's reply (NextStreamItem, NextStreamRef; docs/protocol.md §13).
#: NextStreamItem: the generator finished (version 5)
STREAM_END = 0
#: NextStreamItem: an item follows; NextStreamRef: the item's value follows the id (version 5)
STREAM_ITEM = 1
#: the batch form: several items follow
STREAM_BATCH = 2

# Sizes, limits and indices both languages read (C++: goray/detail/protocol_numbers.h).
#: NextStreamItem's index: the item encoded as RunTask's results (version 5, docs/protocol.md §13)
STREAM_ITEM_AS_NATIVE = 0
#: NextStreamItem's index: the item encoded as RunTaskForPython's results (arrays ext 72 owned)
#: (version 5, docs/protocol.md §13)
STREAM_ITEM_AS_PYTHON = 1
#: goray._fastpath's interface: the compiled module and the package it belongs to must say the same
#: (not on the wire)
FAST_PATH_INTERFACE = 3
#: an array ext's fixed head: kind, itemsize, ndim and the 4th byte (version 2, docs/protocol.md
#: §10)
ARRAY_HEAD_BYTES = 4
#: one extent of an array ext's shape (int64 LE) (version 2, docs/protocol.md §10)
ARRAY_EXTENT_BYTES = 8
#: ext 79's head: flags, 3 zero bytes, u32 LE chunk count (docs/protocol.md §10)
COLUMN_ADDRESS_HEAD_BYTES = 8
#: ext 79's tail after its chunks: the token (u64 LE; 0 unless owned) (docs/protocol.md §10)
COLUMN_ADDRESS_TOKEN_BYTES = 8
#: ext 72's tail after the shape: address and token (u64 LE each) (version 2, docs/protocol.md §10)
ARRAY_ADDRESS_BYTES = 16
#: one chunk of ext 79: its ArrowSchema's and ArrowArray's addresses (u64 LE each), after the head
#: (docs/protocol.md §10)
COLUMN_ADDRESS_CHUNK_BYTES = 16
#: the most dimensions an array ext carries (version 2, docs/protocol.md §10)
MAX_ARRAY_DIMS = 32
#: ext 71's data starts this aligned in the buffer written (its pad is below it) (version 2,
#: docs/protocol.md §10)
ARRAY_DATA_ALIGN = 64
#: an array's data of this many bytes or more leaves a scattered block (out of band); less is copied
#: into it (version 6, docs/protocol.md §10)
OUT_OF_BAND_FROM = 65536
