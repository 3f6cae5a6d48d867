// goray/detail/protocol_numbers.h: the GoRay FFI protocol's numbers (docs/protocol.md).
// DO NOT EDIT: rendered from generator/protocol/numbers.json by scripts/render-protocol.py
// (templates/protocol/protocol_numbers.h.j2). Change a number there and run the script.
// The runtime's code and goray._fastpath use these names; Python's are goray._protocol_numbers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace goray::detail {

// The Py2Native request word is `command | index << kRequestCommandBits`: the low bits name
// the command, the high bits index a task, actor type or method (docs/protocol.md §1).
inline constexpr int kRequestCommandBits = 10;

// Py2Native commands: the driver calls Execute, the library serves them (docs/protocol.md §3).
enum Py2NativeCommand : long long {
  // the ray.init options the application declared (JSON) (docs/protocol.md §3)
  kServeGetInitOptions = 0,
  // run the application's driver function (docs/protocol.md §3)
  kServeStartDriver = 1,
  // the task and actor type names (JSON) (docs/protocol.md §3)
  kServeGetTaskActorList = 2,
  // an actor type's method names (JSON) (docs/protocol.md §3)
  kServeGetActorMethods = 3,
  // call a task: call payload in, native return block out (docs/protocol.md §3)
  kServeRunTask = 4,
  // construct an actor instance: its index as ASCII decimal (docs/protocol.md §3)
  kServeNewActor = 5,
  // index = the instance: call a method (docs/protocol.md §3)
  kServeActorMethodCall = 6,
  // index = the instance: destroy it (docs/protocol.md §3)
  kServeCloseActor = 7,
  // do these constructor arguments fit the actor type? (a dry run) (docs/protocol.md §7)
  kServeCheckActorArgs = 32,
  // the driver reads ext 71/72: write arrays as exts from now on (version 2, docs/protocol.md
  // §10)
  kServeEnableArrays = 33,
  // as RunTask, array results handed over by address (ext 72 owned) (version 2,
  // docs/protocol.md §10)
  kServeRunTaskForPython = 34,
  // as ActorMethodCall, results as RunTaskForPython (version 2, docs/protocol.md §10)
  kServeActorMethodCallForPython = 35,
  // u64 LE token of a handed-over array the driver is done with (version 2, docs/protocol.md
  // §10)
  kServeReleaseArray = 36,
  // u64 LE feature bits asked for; reply: u64 LE bits turned on (version 3, docs/protocol.md
  // §11)
  kServeEnableFeatures = 37,
  // JSON: the tasks' and actors' traits (stream, thread_safe, groups, params, map) (version 5,
  // docs/protocol.md §13)
  kServeDescribeApplication = 38,
  // payload as RunTask; reply: u64 LE stream id (version 5, docs/protocol.md §13)
  kServeStartTaskStream = 39,
  // index = the instance, payload as ActorMethodCall; reply: u64 LE stream id (version 5,
  // docs/protocol.md §13)
  kServeStartMethodStream = 40,
  // u64 LE stream id: the next item (index 0: encoded as RunTask's results, 1: as
  // RunTaskForPython's) (version 5, docs/protocol.md §13)
  kServeNextStreamItem = 41,
  // u64 LE stream id: destroy the generator (version 5, docs/protocol.md §13)
  kServeCloseStream = 42,
  // as RunTask; reply: large array results scattered, handed over by address (version 6,
  // docs/protocol.md §10)
  kServeRunTaskOutOfBand = 43,
  // as ActorMethodCall, reply as RunTaskOutOfBand (version 6, docs/protocol.md §10)
  kServeActorMethodCallOutOfBand = 44,
  // payload as RunTask, args [header, values...]: a chunk of items through the task's loop;
  // reply as RunTaskForPython (docs/protocol.md §16)
  kServeMapTask = 45,
  // index = the instance, payload as ActorMethodCall: as MapTask for a method (docs/protocol.md
  // §16)
  kServeMapMethod = 46,
};

// Native2Py commands: the library calls the driver's callback (docs/protocol.md §3).
enum Native2PyCommand : long long {
  // call a @goray.local or @goray.remote function in-process (docs/protocol.md §3)
  kExePythonLocalTask = 0,
  // run Python source (one def) on the arguments (docs/protocol.md §3)
  kExePyCode = 1,
  // create a local Python actor instance: u64 id (docs/protocol.md §3)
  kNewClassInstance = 2,
  // call a method of a local Python instance (docs/protocol.md §3)
  kLocalMethodCall = 3,
  // drop a local Python instance (docs/protocol.md §3)
  kCloseClassInstance = 4,
  // submit a native task: u64 object id (docs/protocol.md §3)
  kExeRemoteTask = 5,
  // an object's value (the code stored beside it as the reply's) (docs/protocol.md §3)
  kGetObject = 6,
  // put one msgpack value: u64 object id (docs/protocol.md §3)
  kPutObject = 7,
  // wait for objects: ready and pending indices (docs/protocol.md §3)
  kWaitObject = 8,
  // cancel the task of an object (docs/protocol.md §3)
  kCancelObject = 9,
  // u64 object id: native code dropped it (docs/protocol.md §3)
  kReleaseObject = 10,
  // create a native actor on Ray: u64 actor id (docs/protocol.md §3)
  kNewActor = 11,
  // create a Python actor on Ray: u64 actor id (docs/protocol.md §3)
  kNewPythonActor = 12,
  // submit an actor method call: u64 object id (docs/protocol.md §3)
  kActorMethodCall = 13,
  // kill an actor (docs/protocol.md §3)
  kKillActor = 14,
  // look a named actor up (docs/protocol.md §3)
  kGetActor = 15,
  // submit a Python task: u64 object id (docs/protocol.md §3)
  kExePythonRemoteTask = 16,
  // u64 LE actor id: native code dropped its last handle (docs/protocol.md §7)
  kReleaseActor = 32,
  // records: option sets, submissions, releases (pipelined) (version 3, docs/protocol.md §11)
  kSubmitBatch = 33,
  // several objects in one ray.get (version 3, docs/protocol.md §11)
  kGetObjects = 34,
  // an actor id's type name and nativeness (handles inside values) (version 3, docs/protocol.md
  // §12)
  kDescribeActor = 35,
  // u64 LE stream id, f64 LE timeout: the next item's object id (version 5, docs/protocol.md
  // §13)
  kNextStreamRef = 36,
  // units (JSON description, constants block): u64 graph id and label (docs/protocol.md §15)
  kGraphBuild = 48,
  // u64 graph id and args block: u64 result id (docs/protocol.md §15)
  kGraphExecute = 49,
  // u64 result id, f64 timeout: the value (docs/protocol.md §15)
  kGraphGet = 50,
  // u64 result id never read (docs/protocol.md §15)
  kGraphRelease = 51,
  // u64 graph id (docs/protocol.md §15)
  kGraphTeardown = 52,
};

// Return codes, *ret_code of both directions (docs/protocol.md §1).
enum ReturnCode : long long {
  // the answer
  kSuccess = 0,
  // UTF-8 text
  kFailed = 1,
  // text
  kTimeout = 2,
  // text
  kCancelled = 3,
  // text
  kObjectRefNotFound = 4,
  // a JSON object {"Message", "Traceback"} (and goray's "Error", docs/protocol.md §9)
  kPanic = 5,
  // a crash recovered in the call (GorayRecoverCrashes); the reply is its report
  // (docs/protocol.md §14)
  kCrashed = 6,
};

// EnableFeatures (Py2Native 37) bits (docs/protocol.md §11).
// pipelined submissions and the batch commands: queued submissions sent as SubmitBatch,
// GetObjects, WaitObject's goray_all_ready (version 3)
inline constexpr std::uint64_t kFeaturePipelined = 1;
// ObjectRefs and actor handles inside values (ext 73/74, DescribeActor) (version 3)
inline constexpr std::uint64_t kFeatureRefsInValues = 2;
// large arrays out of band: scattered call arguments (ExeRemoteTask, ActorMethodCall,
// ExePythonRemoteTask with a table), results by token (RunTaskOutOfBand,
// ActorMethodCallOutOfBand), GetObject lending the object store's memory; meaningful only after
// EnableArrays (version 6)
inline constexpr std::uint64_t kFeatureArraysOutOfBand = 4;
// a single Get that goes to the driver also names the live refs made after its own (GetObjects
// flag Ahead), and keeps the values the driver sends for their first Get; needs Pipelined
inline constexpr std::uint64_t kFeatureGetAhead = 8;
// complex numbers, paths and durations written as ext 75/76/77; without it as Go reads them
// ([re, im], a str, an int of nanoseconds) (version 7)
inline constexpr std::uint64_t kFeatureValueExts = 16;
// column-major arrays written as stored (the array ext's ColumnMajor bit); without it
// transposed into C order first; needs EnableArrays (version 8)
inline constexpr std::uint64_t kFeatureColumnMajor = 32;
// string and binary columns (goray::StringColumn, goray::BinaryColumn and their builders)
// written as ext 78 inline and ext 79 by address; without it encoding one is an error; needs
// EnableArrays for ext 79
inline constexpr std::uint64_t kFeatureColumns = 64;

// SubmitBatch record kinds: each record's first byte (docs/protocol.md §11).
enum RecordKind : std::uint8_t {
  kRecordDefineOptions = 1,
  kRecordTask = 2,
  kRecordPyTask = 3,
  kRecordActorCall = 4,
  kRecordReleaseObject = 5,
  kRecordReleaseActor = 6,
};

// GetObjects' flags byte (docs/protocol.md §10, §11).
// lend the object store's memory (ext 72 lent) (version 6)
inline constexpr unsigned kGetObjectsLend = 1;
// the ids after the first are live refs read ahead (EnableFeatures bit 8)
inline constexpr unsigned kGetObjectsAhead = 2;

// NextStreamRef's u64 flags (docs/protocol.md §13).
// the item's value inline after the id, when the driver can (version 5)
inline constexpr std::uint64_t kNextStreamRefWithValue = 1;
// every item already produced, in the batch form
inline constexpr std::uint64_t kNextStreamRefAllReady = 2;

// The tag byte of a stream's reply (NextStreamItem, NextStreamRef; docs/protocol.md §13).
// NextStreamItem: the generator finished (version 5)
inline constexpr char kStreamTagEnd = 0;
// NextStreamItem: an item follows; NextStreamRef: the item's value follows the id (version 5)
inline constexpr char kStreamTagItem = 1;
// the batch form: several items follow
inline constexpr char kStreamTagBatch = 2;

// Sizes, limits and indices both languages read (Python: goray._protocol_numbers).
// NextStreamItem's index: the item encoded as RunTask's results (version 5, docs/protocol.md
// §13)
inline constexpr std::size_t kStreamItemAsNative = 0;
// NextStreamItem's index: the item encoded as RunTaskForPython's results (arrays ext 72 owned)
// (version 5, docs/protocol.md §13)
inline constexpr std::size_t kStreamItemAsPython = 1;
// goray._fastpath's interface: the compiled module and the package it belongs to must say the
// same (not on the wire)
inline constexpr long kFastPathInterface = 3;
// an array ext's fixed head: kind, itemsize, ndim and the 4th byte (version 2, docs/protocol.md
// §10)
inline constexpr std::size_t kArrayHeadBytes = 4;
// one extent of an array ext's shape (int64 LE) (version 2, docs/protocol.md §10)
inline constexpr std::size_t kArrayExtentBytes = 8;
// ext 79's head: flags, 3 zero bytes, u32 LE chunk count (docs/protocol.md §10)
inline constexpr std::size_t kColumnAddressHeadBytes = 8;
// ext 79's tail after its chunks: the token (u64 LE; 0 unless owned) (docs/protocol.md §10)
inline constexpr std::size_t kColumnAddressTokenBytes = 8;
// ext 72's tail after the shape: address and token (u64 LE each) (version 2, docs/protocol.md
// §10)
inline constexpr std::size_t kArrayAddressBytes = 16;
// one chunk of ext 79: its ArrowSchema's and ArrowArray's addresses (u64 LE each), after the
// head (docs/protocol.md §10)
inline constexpr std::size_t kColumnAddressChunkBytes = 16;
// the most dimensions an array ext carries (version 2, docs/protocol.md §10)
inline constexpr std::size_t kMaxArrayDims = 32;
// ext 71's data starts this aligned in the buffer written (its pad is below it) (version 2,
// docs/protocol.md §10)
inline constexpr std::size_t kArrayDataAlign = 64;
// an array's data of this many bytes or more leaves a scattered block (out of band); less is
// copied into it (version 6, docs/protocol.md §10)
inline constexpr std::size_t kOutOfBandFrom = 65536;

}  // namespace goray::detail

// The codec's: msgpack's ext types and the array ext's bits.
namespace goray::codec::detail {

// msgpack extension types.
// an array inline: header, shape, pad, data (any direction; may be stored in Ray) (version 2,
// docs/protocol.md §10)
inline constexpr std::int8_t kExtArrayInline = 71;
// an array by address: header, shape, address, token (in one process only) (version 2,
// docs/protocol.md §10)
inline constexpr std::int8_t kExtArrayAddress = 72;
// an ObjectRef inside a value: u64 LE id (version 3, docs/protocol.md §12)
inline constexpr std::int8_t kExtObjectRef = 73;
// an actor handle inside a value: u64 LE id (version 3, docs/protocol.md §12)
inline constexpr std::int8_t kExtActorHandle = 74;
// a complex number: real, imaginary (float64 or float32 each) (version 7, docs/protocol.md §5)
inline constexpr std::int8_t kExtComplex = 75;
// a filesystem path: its bytes as the OS keeps them (version 7, docs/protocol.md §5)
inline constexpr std::int8_t kExtPath = 76;
// a duration: int64 seconds, uint32 nanoseconds (version 7, docs/protocol.md §5)
inline constexpr std::int8_t kExtDuration = 77;
// a string or binary column inline: Arrow's offsets layout (any direction; may be stored in
// Ray) (docs/protocol.md §10)
inline constexpr std::int8_t kExtColumnInline = 78;
// Arrow C Data Interface structs by address: flags, chunk count, schema and array addresses,
// token (in one process only) (docs/protocol.md §10)
inline constexpr std::int8_t kExtColumnAddress = 79;

// The 4th byte of an array ext (docs/protocol.md §10): ext 72's flags, ext 71's pad.
// no flag: the reader may use the memory during the call only (version 2)
inline constexpr unsigned kArrayBorrowed = 0x00;
// the reader adopts the memory and releases its token with ReleaseArray (version 2)
inline constexpr unsigned kArrayOwned = 0x01;
// the driver keeps the memory alive until the reply's lent id is released (version 6)
inline constexpr unsigned kArrayLent = 0x02;
// with Owned: a large bytes value handed over, not an array (version 6)
inline constexpr unsigned kArrayBytes = 0x04;
// bits 0-5 of ext 71: the zero bytes between the shape and the data (version 2)
inline constexpr unsigned kArrayPadMask = 0x3f;
// bit 7: the data is in Fortran (column-major) order (version 8)
inline constexpr unsigned kArrayColumnMajor = 0x80;

}  // namespace goray::codec::detail
