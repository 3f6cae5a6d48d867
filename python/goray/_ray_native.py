"""Native tasks and actors as Ray tasks and actors, and Python tasks and actors
started by native code. Imported only when Ray is used.

The object model: what native code produces for native code stays the producer's
bytes. A native task or actor method that native code submitted, and a native
PutObject, store a NativeBlock (the native return block and its value count):
GetObject returns the bytes verbatim and a native task or method taking the ref
as an argument gets them without a decode/re-encode. Python consumers started by
native code (Python tasks, Python actors) see Python values: our task and actor
bodies decode NativeBlocks, and refs passed to actors we do not build are
converted by a small Ray task. Refs made by Python callers hold Python values:
None (no value), the value (one) or a list (several). Failures are real Ray task
failures (Ray retries them per max_retries / retry_exceptions).

Ray names (docs/protocol.md §4): GolangTask.<name>, py.<name>, Go.<type>, PY.<class>.
A native actor class has, per method m, `m` (Python values) and `m__` (an
encoded args block, for native callers).
"""

from __future__ import annotations

import json
import pickle
import struct
import threading
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import ray

from . import _arrays, _codec, _ffi, _nested, _ray_internals, _registry, _worker
from ._local import LocalActor, golang_local_run_task
from ._protocol import Buffer, Py2Native, pack_u64, pack_units
from .errors import GorayError, error_from_reply

__all__ = [
    "ActorEntry", "NATIVE_CLASS_PREFIX", "run_native_task", "native_actor_class",
    "submit_native_task", "python_task", "python_actor_class", "pack_call", "NativeBlock",
    "to_python",
]

_classes_lock = threading.Lock()  # guards the caches of remote functions and classes

NATIVE_CLASS_PREFIX = "Go."
PYTHON_CLASS_PREFIX = "PY."


class ActorEntry(NamedTuple):
    """An actor handed to native code."""
    handle: Any  # ray.actor.ActorHandle
    type_name: str
    is_native: bool


def pack_call(task: str, args: Sequence[Any]) -> Tuple[Any, Tuple[int, ...], List[Any]]:
    """Splits Python arguments into (args block of the values, positions of the
    ObjectRefs, the ObjectRefs): Ray resolves the refs, the worker packs them.
    Refs and actor handles inside the values make the block a NativeBlock (Ray
    carries them; the worker registers them for the callee)."""
    values: List[Any] = []
    positions: List[int] = []
    refs: List[Any] = []
    for position, arg in enumerate(args):
        if isinstance(arg, ray.ObjectRef):
            positions.append(position)
            refs.append(arg)
        else:
            values.append(arg)
    block, inside, actors = _codec.pack_args_stored(task, values)
    if inside or actors:
        return NativeBlock.stored(block, inside, actors), tuple(positions), refs
    return block, tuple(positions), refs


def _call_units(name: str, args_block: Any, positions: Sequence[int],
                resolved: Sequence[Any], keep: List[Any]) -> bytes:
    """units(name, args block, position + value per resolved ref), joined once: the
    blocks (views of the object store) are copied into the request and nowhere else.
    Arrays in Python values go by address (their memory, or copies put in `keep`,
    must outlive the Execute call)."""
    encoded_name = name.encode("utf-8")
    if type(args_block) is NativeBlock:  # refs or handles inside: registered here
        args_block = args_block.native_data()
    block = _by_address(args_block)
    pieces: List[Buffer] = [pack_u64(len(encoded_name)), encoded_name,
                            pack_u64(sum(len(piece) for piece in block)), *block]
    for position, value in zip(positions, resolved):
        if type(value) is NativeBlock:
            head, body = value.argument_parts()
            parts = [head, *(_by_address(body) if body else ())]
        else:
            parts = [_pack_in_process(name, value, keep)]
        pieces += (pack_u64(8 + sum(len(part) for part in parts)), pack_u64(position), *parts)
    return b"".join(pieces)


_EXT_HEADERS = {0xc7: 1, 0xc8: 2, 0xc9: 4}  # ext 8/16/32: bytes of the length
_FIXED = {0xc0: 0, 0xc2: 0, 0xc3: 0, 0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8,
          0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8, 0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17}
_SIZED = {0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4}  # bin and str


def _by_address(block: Buffer) -> List[Buffer]:
    """`block` (msgpack values back to back, a view of the object store) as pieces
    of the request, each top-level ext 71 array replaced by an ext 72 pointing at its
    data in place: the callee reads the store, and the request holds no copy. The
    values are walked by their headers up to the first array or map (the rest is
    copied as it is). In the worker, the array's memory outlives the call."""
    view = memoryview(block)
    pieces: List[Buffer] = []
    done = at = 0
    size = len(view)
    base = -1
    while at < size:
        marker = view[at]
        if marker <= 0x7f or marker >= 0xe0:
            at += 1
        elif 0xa0 <= marker <= 0xbf:
            at += 1 + (marker & 0x1f)
        elif marker in _FIXED:
            at += 1 + _FIXED[marker]
        elif marker in _SIZED:
            width = _SIZED[marker]
            at += 1 + width + int.from_bytes(view[at + 1:at + 1 + width], "big")
        elif marker in _EXT_HEADERS:
            width = _EXT_HEADERS[marker]
            length = int.from_bytes(view[at + 1:at + 1 + width], "big")
            start = at + 2 + width
            if start + length > size:  # not whole values: left to the callee's decoder
                break
            if view[start - 1] == _arrays.EXT_INLINE and length >= OUT_OF_BAND_FROM:
                if base < 0:
                    base = _address_of(view)
                    if base < 0:
                        break
                pointer = _pointer_ext(view[start:start + length], base + start)
                if pointer is not None:
                    pieces += (view[done:at], pointer)
                    done = start + length
            at = start + length
        else:  # an array or a map: its size needs a parse
            break
    if not pieces:
        return [block]
    pieces.append(view[done:])
    return pieces


def _address_of(view: memoryview) -> int:
    """Where `view`'s memory starts (-1 without NumPy: the block is copied as it is)."""
    try:
        import numpy
    except ImportError:
        return -1
    address: int = numpy.frombuffer(view, dtype=numpy.uint8).ctypes.data
    return address


def _pointer_ext(payload: memoryview, address: int) -> Optional[bytes]:
    """The ext 72 (borrowed) of an ext 71 payload at `address`; None when its data
    is misaligned for its type (it then stays inline, and C++ copies it)."""
    itemsize, ndim, pad = payload[1], payload[2], payload[3]
    fixed = 4 + 8 * ndim
    data = address + fixed + pad
    if itemsize == 0 or data % min(itemsize, 16) or len(payload) < fixed + pad:
        return None
    head = bytes(payload[:fixed])
    body = head[:3] + b"\x00" + head[4:] + struct.pack("<QQ", data, 0)
    return b"\xc7" + bytes((len(body), _arrays.EXT_ADDRESS)) + body


def _pack_in_process(name: str, value: Any, keep: List[Any]) -> bytes:
    library = _ready_library()  # loaded first: it decides how arrays are written
    if library is not None and library.arrays:
        return _codec.pack_args(name, [value], _arrays.BORROWED, keep)
    return _codec.pack(value)


#: Blocks from this size on travel out-of-band (pickle protocol 5): Ray writes them
#: into its object store once and readers get a view of it, without a copy. Smaller
#: ones are copied in-band, which costs Ray less than a buffer of their own.
OUT_OF_BAND_FROM = 1 << 16


def _view(buffer: Any) -> memoryview:
    return memoryview(buffer)


class Travelling:
    """Bytes on their way through Ray (an args block, a large bytes argument): out of
    band from OUT_OF_BAND_FROM on, so the receiving task gets a memoryview of the
    object store (no copy); smaller, plain bytes. The sender may wrap a view of a
    buffer that lives only for the call: Ray serializes arguments in .remote()."""

    __slots__ = ("data",)

    def __init__(self, data: Buffer) -> None:
        self.data = data

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        if isinstance(protocol, int) and protocol >= 5 and len(self.data) >= OUT_OF_BAND_FROM:
            return (_view, (pickle.PickleBuffer(self.data),))
        return (bytes, (bytes(self.data),))


def travelling(data: Buffer) -> Any:
    """`data` (an args block native code wrote) as a task argument: a NativeBlock
    when refs or handles are inside (Ray then tracks them with the task); else
    wrapped when it is large enough to go out of band."""
    moved = _nested.from_native(data)
    if moved is not None:
        return NativeBlock.stored(*moved)
    return Travelling(data) if len(data) >= OUT_OF_BAND_FROM else data


#: The one conversion every submission of a native args block goes through.
outbound_block = travelling


_ready: Any = None


def _ready_library() -> Any:
    """The library in this worker (loaded once, with its py-defs file), with the
    Ray commands served for nested calls."""
    global _ready
    library = _ready
    if library is None:
        library = _worker.ensure_ready()
        from . import _ray_handlers  # imports this module: installed lazily
        _ray_handlers.install()
        _ready = library
    return library


def _execute(command: int, name: str, payload: bytes, index: int = 0,
             copy_below: int = OUT_OF_BAND_FROM) -> memoryview:
    """The reply of `command`: a view of the library's buffer (no copy) for large ones
    (from `copy_below` bytes on)."""
    library = _ready_library()
    if library is None:
        raise GorayError("no goray library in this worker: GORAY_BIN_PATH is not set")
    code, reply = library.execute_view(command, payload, index, copy_below)
    if code:
        raise error_from_reply(code, bytes(reply), name)
    return reply


class NativeBlock:
    """What native code produced for native readers, as GoRay's driver stores it:
    the native return block (0..N msgpack values back to back, or PutObject's one
    value) and how many values it holds. Stored in Ray as is, out of band when
    large (so Ray copies it into the object store once, and a reader's block is a
    view of the store); never decoded on its way from a native producer to a native
    consumer.

    ObjectRefs and actor handles inside the values (ext 73/74, goray._nested) are
    held in `refs` and `actors`, pickled in band so that Ray counts the refs as
    contained in this object; the exts in `data` hold indexes into those lists.
    ``NativeBlock(data)`` takes bytes as native code wrote them (ids of this
    process's stores); :meth:`native_data` gives them back for native code here."""

    __slots__ = ("data", "_count", "refs", "actors", "_native", "_labels")

    def __init__(self, data: Buffer) -> None:
        self._count = -1
        moved = _nested.from_native(data)
        if moved is None:
            self.data = data
            self.refs: Sequence[Any] = ()
            self.actors: Sequence[Any] = ()
            self._native = b""
            self._labels: Sequence[str] = ()
        else:
            self.data, self.refs, self.actors, self._native, self._labels = moved

    @classmethod
    def stored(cls, data: Buffer, refs: Sequence[Any] = (), actors: Sequence[Any] = (),
               native: bytes = b"", labels: Sequence[str] = ()) -> "NativeBlock":
        """A block already in the object-store form (indexes into `refs`/`actors`)."""
        block = cls.__new__(cls)
        block.data = data
        block._count = -1
        block.refs = refs
        block.actors = actors
        block._native = native
        block._labels = labels
        return block

    @property
    def count(self) -> int:
        """How many values the block holds: counted (skipped over, no Python objects)
        only when a native callee takes it as an argument; GetObject never needs it."""
        if self._count < 0:
            self._count = _codec.count_values(self.data)
        return self._count

    def native_data(self) -> Buffer:
        """The bytes for native code in this process: each ref and handle inside is
        registered in the stores (a new id the library adopts) and its id written in
        a copy; without any, `data` itself. Call once per delivery."""
        if not self.refs and not self.actors:
            return self.data
        return _nested.to_native_many([self.data], self.refs, self.actors, self._native, self._labels)[0]

    def argument_parts(self) -> Tuple[bytes, Buffer]:
        """(prefix, block): what a native callee receives for a ref holding this
        block is prefix + block, one msgpack value: the value itself; nil for none;
        an array of several. Refs and handles inside are registered (native_data)."""
        if self.count == 1:
            return b"", self.native_data()
        if self.count == 0:
            return b"\xc0", b""
        return _codec.array_header(self.count), self.native_data()

    def as_argument(self) -> bytes:
        """The one msgpack value a native callee receives (argument_parts joined)."""
        return b"".join(self.argument_parts())

    def to_python(self) -> Any:
        """The Python value: None (no value), the value, or a list of several."""
        if self.refs or self.actors:
            return _codec.unpack_result_block_with(self.data, (self.refs, self.actors, self._native))
        return _codec.unpack_result_block(self.data)

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        large = isinstance(protocol, int) and protocol >= 5 and len(self.data) >= OUT_OF_BAND_FROM
        data = pickle.PickleBuffer(self.data) if large else bytes(self.data)
        if self.refs or self.actors:
            return (_stored_block, (data, list(self.refs), list(self.actors), self._native,
                                    tuple(self._labels)))
        return (_native_block, (data,))

    def __repr__(self) -> str:
        inside = f", {len(self.refs)} refs, {len(self.actors)} actors" if self.refs or self.actors else ""
        return f"<goray NativeBlock of {len(self.data)} bytes{inside}>"


def _native_block(buffer: Any) -> NativeBlock:
    return NativeBlock.stored(buffer if type(buffer) is bytes else memoryview(buffer))


def _stored_block(buffer: Any, refs: List[Any], actors: List[Any], native: bytes,
                  labels: Tuple[str, ...] = ()) -> NativeBlock:
    return NativeBlock.stored(buffer if type(buffer) is bytes else memoryview(buffer),
                              refs, actors, native, labels)


#: What a native task or method that produced no values stores: None rather than an
#: empty NativeBlock, because Ray stores None without pickling (a pickled object costs
#: Ray ~70-100 us more CPU per call, in the worker and in the reader). Read back as
#: the empty block by GetObject(s) of a native producer's ref; a native callee gets nil
#: for it and a Python reader None, exactly what the empty NativeBlock gives.
EMPTY_NATIVE_RESULT = None


def to_python(value: Any) -> Any:
    """`value` as Python code sees it (a NativeBlock decoded)."""
    return value.to_python() if type(value) is NativeBlock else value


def run_native_task(name: str, args_block: Buffer, positions: Tuple[int, ...], *resolved: Any) -> Any:
    """The body of every native task that native code submitted: RunTask in this
    worker; the result stays the native return block."""
    keep: List[Any] = []
    payload = _call_units(name, args_block, positions, resolved, keep)
    # The reply stays the library's until converted: the refs and handles it names
    # live until FreeMemory.
    reply = _execute(int(Py2Native.RUN_TASK), name, payload, copy_below=0)
    return NativeBlock(reply) if len(reply) else None  # None: see EMPTY_NATIVE_RESULT


_native_task = ray.remote(run_native_task)


def _values_task(name: str) -> Callable[..., Any]:
    """The body of native task `name` for Python callers: the arguments arrive as
    Python values (Ray resolved any refs) and are packed in the worker, on the fast
    path (large bytes: framed as they are). One function per task, so no name travels
    with each call."""
    def task(*args: Any) -> Any:
        _ready_library()
        if any(_large_bytes(arg) for arg in args) and not any(_arrays.is_array(arg) for arg in args):
            return run_with_views(name, args)
        return stored(golang_local_run_task(name, *args))
    task.__name__ = task.__qualname__ = f"GolangTask.{name}"
    return task


class _PythonCallerTask:
    """What golang_task(name).remote submits through: large bytes arguments go out of
    band (Ray writes them into its store once; the task reads them in place)."""

    __slots__ = ("_remote",)

    def __init__(self, remote: Any) -> None:
        self._remote = remote

    def remote(self, *args: Any) -> Any:
        if any(_large_bytes(arg) for arg in args):
            args = tuple(Travelling(arg) if _large_bytes(arg) else arg for arg in args)
        return self._remote.remote(*args)


_values_tasks: Dict[str, Any] = {}


def native_task_for_python(name: str, options: Dict[str, Any]) -> Any:
    """The prepared Ray remote function a golang_task(name) submits through."""
    with _classes_lock:
        base = _values_tasks.get(name)
        if base is None:
            base = _values_tasks[name] = ray.remote(_values_task(name))
    return _PythonCallerTask(prepared(base, f"native-values:{name}", options) if options else base)


# ---------------------------------------------------------------------------
# Large bytes between Python callers and native tasks: at most one copy per
# crossing. In the worker the argument is a view of the object store, copied once
# into the request; a bytes result stays in the library's reply buffer until Ray
# copies it into the store (out of band), and the caller's ray.get makes the bytes.

#: Bytes values from this size on take the paths below.
LARGE_BYTES = 1 << 20
_BYTE_FORMATS = ("B", "b", "c")


def _large_bytes(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray)):
        return len(value) >= LARGE_BYTES
    return (isinstance(value, memoryview) and value.format in _BYTE_FORMATS and value.ndim == 1
            and value.contiguous and value.nbytes >= LARGE_BYTES)


def _bin_header(size: int) -> bytes:
    if size < 1 << 8:
        return b"\xc4" + size.to_bytes(1, "big")
    if size < 1 << 16:
        return b"\xc5" + size.to_bytes(2, "big")
    return b"\xc6" + size.to_bytes(4, "big")


def run_with_views(name: str, args: Sequence[Any]) -> Any:
    """RunTask with the large bytes arguments framed as they are (their one copy is
    into the request) and a bytes result left in the reply buffer (StoredBytes)."""
    _codec.check_lengths(name, args)
    pieces: List[Buffer] = []
    for arg in args:
        if _large_bytes(arg):
            pieces += (_bin_header(len(arg)), arg)
            continue
        try:
            pieces.append(_codec.pack(arg))
        except (TypeError, ValueError, OverflowError):
            # Arrays and values the codec refuses: the ordinary path packs them or
            # raises the ArgumentError naming the position.
            return stored(golang_local_run_task(name, *args))
    encoded = name.encode("utf-8")
    payload = b"".join([pack_u64(len(encoded)), encoded,
                        pack_u64(sum(len(piece) for piece in pieces)), *pieces])
    del pieces
    library = _ready_library()
    command = Py2Native.RUN_TASK_FOR_PYTHON if library is not None and library.arrays else Py2Native.RUN_TASK
    reply = _execute(int(command), name, payload, copy_below=0)  # read before FreeMemory
    del payload
    start = _one_bin(reply)
    if start:
        return StoredBytes(reply[start:])
    return stored(_codec.unpack_result_block(reply, name))


def _one_bin(reply: memoryview) -> int:
    """Where the data starts when `reply` is one large msgpack bin and nothing else;
    0 otherwise."""
    if len(reply) < LARGE_BYTES:
        return 0
    marker = reply[0]
    width = {0xc4: 1, 0xc5: 2, 0xc6: 4}.get(marker, 0)
    if not width:
        return 0
    size = int.from_bytes(reply[1:1 + width], "big")
    return 1 + width if 1 + width + size == len(reply) else 0


def _bytes_from_store(buffer: Any) -> bytes:
    return bytes(buffer)


class StoredBytes:
    """A large bytes result on its way to a Python reader: out of band, so Ray
    copies it into its store straight from the buffer it is in (the library's
    reply); the reader gets bytes (one copy, as for a plain Ray bytes value)."""

    __slots__ = ("data",)

    def __init__(self, data: Buffer) -> None:
        self.data = data

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        if isinstance(protocol, int) and protocol >= 5:
            return (_bytes_from_store, (pickle.PickleBuffer(self.data),))
        return (bytes, (bytes(self.data),))


def stored(result: Any) -> Any:
    """A result as a Ray task returns it: large bytes out of band (Ray would copy
    them in band first, then into its store)."""
    if type(result) is bytes and len(result) >= LARGE_BYTES:
        return StoredBytes(result)
    return result


_submitters: Dict[Tuple[str, Any], Any] = {}
_SUBMITTERS_LIMIT = 4096


def prepared(base: Any, kind: str, options: Dict[str, Any], key: Any = None) -> Any:
    """A submitter of remote function `base` with `options` (``.remote(*args)``, as
    ``base.options(**options).remote``), cached by `kind` and `key` (default: the
    options' JSON): Ray's option processing is a large part of a submission's cost,
    and call sites repeat their options. See goray._ray_internals."""
    if key is None:
        try:
            key = json.dumps(options, sort_keys=True)
        except TypeError:  # options holding Python objects (scheduling strategies)
            return _ray_internals.task_submitter(base, options)
    submitter = _submitters.get((kind, key))
    if submitter is None:
        submitter = _ray_internals.task_submitter(base, options)
        if len(_submitters) >= _SUBMITTERS_LIMIT:
            _submitters.clear()
        _submitters[(kind, key)] = submitter
    return submitter


def _plain_native_task(name: str) -> Callable[[bytes], Any]:
    """The body of native task `name` called with no refs among its arguments, the
    common case: one Ray function per task, so only the argument block travels with
    each call (half the submission cost of the general form)."""
    def task(args_block: Buffer = b"") -> Any:  # left out when empty
        return run_native_task(name, args_block, ())
    task.__name__ = task.__qualname__ = f"GolangTask.{name}"
    return task


_plain_native_tasks: Dict[str, Any] = {}


def _plain_base(name: str) -> Any:
    base = _plain_native_tasks.get(name)
    if base is None:
        with _classes_lock:
            base = _plain_native_tasks.get(name)
            if base is None:
                base = _plain_native_tasks[name] = ray.remote(name=f"GolangTask.{name}")(  # type: ignore[call-overload]
                    _plain_native_task(name))
    return base


def submit_native_task(name: str, options: Dict[str, Any], args_block: Buffer,
                       positions: Tuple[int, ...], refs: Sequence[Any], key: Any = None) -> Any:
    """Submits a native task; returns its ray.ObjectRef. `key` names the option set
    for the submitter cache (default: the options' JSON)."""
    block = travelling(args_block)
    if refs:
        submitter = _submitters.get((f"native:{name}", key)) if key is not None else None
        if submitter is None:
            submitter = prepared(_native_task, f"native:{name}",
                                 {"name": f"GolangTask.{name}", **options}, key)
        return submitter.remote(name, block, positions, *refs)
    submitter = _submitters.get((f"native-plain:{name}", key)) if key is not None else None
    if submitter is None:
        submitter = prepared(_plain_base(name), f"native-plain:{name}", options, key)
    return submitter.remote(block) if args_block else submitter.remote()


#: Per actor id (in the id store): its method submitters by (method, options key).
_method_submitters: Dict[int, Dict[Tuple[str, Any], Any]] = {}


def method_submitter(actor_id: int, handle: Any, method: str, options: Dict[str, Any],
                     key: Any = None) -> Any:
    """A submitter of `handle`.`method` with `options` (see goray._ray_internals),
    cached per actor id until :func:`forget_actor`. `key` names the option set
    (default: the options' JSON)."""
    if key is None:
        try:
            key = json.dumps(options, sort_keys=True)
        except TypeError:
            return _ray_internals.method_submitter(handle, method, options)
    methods = _method_submitters.get(actor_id)
    if methods is None:
        methods = _method_submitters.setdefault(actor_id, {})
    submitter = methods.get((method, key))
    if submitter is None:
        submitter = methods[(method, key)] = _ray_internals.method_submitter(handle, method, options)
    return submitter


def cached_method_submitter(actor_id: int, method: str, key: Any) -> Any:
    """The submitter :func:`method_submitter` made for these, or None."""
    methods = _method_submitters.get(actor_id)
    return methods.get((method, key)) if methods is not None else None


def forget_actor(actor_id: int) -> None:
    """Drops the submitters of a released actor id (they hold its handle)."""
    _method_submitters.pop(actor_id, None)


def forget_options(key: Any) -> None:
    """Drops the submitters made for option set `key` (defined again, differently)."""
    for cache_key in [k for k in list(_submitters) if k[1] == key]:  # (copies: other threads add)
        _submitters.pop(cache_key, None)
    for methods in list(_method_submitters.values()):
        for cache_key in [k for k in list(methods) if k[1] == key]:
            methods.pop(cache_key, None)


# ---------------------------------------------------------------------------
# Native actors.

class _NativeActorBase:
    """The body of every native actor: an instance of the native type in this worker."""

    _goray_type: str = ""

    def __init__(self, args_block: Buffer, positions: Tuple[int, ...], *resolved: Any) -> None:
        name = self._goray_type
        keep: List[Any] = []
        reply = _execute(int(Py2Native.NEW_ACTOR), name,
                         _call_units(name, args_block, positions, resolved, keep))
        try:
            self._goray_index = int(bytes(reply).decode("ascii"))
        except ValueError:
            raise GorayError(f"NewActor {name}: the library replied {bytes(reply[:64])!r}") from None
        # Calls with Python values go through LocalActor (packed on the fast path).
        self._goray_local = LocalActor(name, self._goray_index, _ready_library())

    def _goray_call(self, method: str, args_block: Buffer, positions: Tuple[int, ...],
                    resolved: Sequence[Any]) -> Any:
        callee = f"{self._goray_type}.{method}"
        keep: List[Any] = []
        reply = _execute(int(Py2Native.ACTOR_METHOD_CALL), callee,
                         _call_units(method, args_block, positions, resolved, keep), self._goray_index,
                         copy_below=0)  # (as in run_native_task)
        return NativeBlock(reply) if len(reply) else None  # None: see EMPTY_NATIVE_RESULT


def _plain_method(method: str) -> Callable[..., Any]:
    def call(self: _NativeActorBase, *args: Any) -> Any:
        return stored(self._goray_local.call(method, *args))
    call.__name__ = call.__qualname__ = method
    return call


def _encoded_method(method: str) -> Callable[..., Any]:
    # Callers leave out `positions` when no refs are among the arguments (the common
    # case), and the block too when it is empty: less for Ray to serialize per call.
    def call(self: _NativeActorBase, args_block: Buffer = b"", positions: Tuple[int, ...] = (),
             *resolved: Any) -> Any:
        return self._goray_call(method, args_block, positions, resolved)
    call.__name__ = call.__qualname__ = method + "__"
    return call


_native_classes: Dict[Tuple[str, Tuple[str, ...]], Any] = {}


def _ray_members(type_name: str, methods: Sequence[str]) -> Dict[str, Any]:
    """The Ray class members of a native actor: per method m, `m` and `m__`. Refuses
    names that would reach one dispatch entry from two methods (`Get` and `Get__`),
    or that the class itself uses, rather than routing a call to the wrong method."""
    members: Dict[str, Any] = {}
    owner: Dict[str, str] = {}
    reserved = set(dir(_NativeActorBase))
    for method in methods:
        for name, body in ((method, _plain_method(method)), (method + "__", _encoded_method(method))):
            if name in owner:
                raise GorayError(
                    f"native actor type {type_name}: methods {owner[name]!r} and {method!r} both "
                    f"need the Ray method {name!r} (each method m is served as m and m__, for "
                    "native callers): rename one of them")
            if name in reserved or name.startswith("__"):
                raise GorayError(f"native actor type {type_name}: method {method!r} cannot be "
                                 f"served through Ray: {name!r} is a name Ray or goray uses")
            owner[name] = method
            members[name] = body
    return members


def native_actor_class(type_name: str, methods: Sequence[str]) -> Any:
    """The Ray actor class of a native actor type (cached per type and methods)."""
    key = (type_name, tuple(sorted(methods)))
    with _classes_lock:
        cls = _native_classes.get(key)
        if cls is None:
            members = _ray_members(type_name, key[1])
            members.update({"_goray_type": type_name, "__module__": __name__})
            qualname = NATIVE_CLASS_PREFIX + type_name
            body = type(qualname, (_NativeActorBase,), members)
            body.__qualname__ = qualname
            cls = ray.remote(body)
            _native_classes[key] = cls
        return cls


def native_methods_of(handle: Any) -> Optional[Tuple[str, List[str]]]:
    """(type, methods) of a native actor's handle, read without attribute lookups
    that could re-enter ActorHandle.__getattr__; None for other handles."""
    state = vars(handle)
    descriptor = state.get("_ray_actor_creation_function_descriptor")
    class_name = str(getattr(descriptor, "class_name", "") or "")
    if not class_name.startswith(NATIVE_CLASS_PREFIX):
        return None
    shells = state.get("_method_shells") or {}
    methods = sorted(name for name in shells if not name.startswith("_") and name + "__" in shells)
    return class_name[len(NATIVE_CLASS_PREFIX):], methods


def _list_methods_on_unknown_attribute() -> None:
    """Makes a missing method of a native actor's handle name the actor's methods
    (Ray's own message names neither). Installed once, for every ActorHandle."""
    from ray.actor import ActorHandle
    original = getattr(ActorHandle, "__getattr__", None)
    if original is None or getattr(original, "_goray_lists_methods", False):
        return  # a Ray whose handles have no __getattr__ keeps its own message

    def __getattr__(self: Any, item: str) -> Any:
        try:
            return original(self, item)
        except AttributeError:
            if item.startswith("_"):
                raise
            native = native_methods_of(self)
            if native is None:
                raise
            type_name, methods = native
            listed = ", ".join(methods) if methods else "(none)"
            raise AttributeError(f"native actor {type_name} has no method {item!r}; "
                                 f"its methods: {listed}") from None

    __getattr__._goray_lists_methods = True  # type: ignore[attr-defined]
    ActorHandle.__getattr__ = __getattr__  # type: ignore[method-assign]


_list_methods_on_unknown_attribute()


def check_actor_args(type_name: str, args_block: Any, has_refs: bool) -> None:
    """Checks a native actor's constructor arguments in this process, before its
    creation is submitted, so that wrong ones raise ArgumentError here rather than
    kill the actor in its worker (ActorDiedError). Skipped when refs are among the
    arguments (their values are not here yet) or inside them, and for libraries that do not know
    the command (GoRay's Go libraries answer code 1: unknown command)."""
    library = _ffi.loaded_library()
    if library is None or has_refs or type(args_block) is NativeBlock or _codec.find_ref_exts(args_block):
        return  # (inside: the library would adopt the ids, which are the caller's)
    payload = pack_units(type_name.encode("utf-8"), args_block)
    code, reply = library.execute(int(Py2Native.CHECK_ACTOR_ARGS), payload)
    if code == 5:
        raise error_from_reply(code, reply, type_name)


def native_actor_methods(type_name: str) -> List[str]:
    """The methods of a native actor type, asked of the library (GetActorMethods)."""
    library = _ready_library()
    if library is None:
        raise GorayError("no goray library loaded: call goray.init(...) first")
    code, reply = library.execute(int(Py2Native.GET_ACTOR_METHODS), type_name.encode("utf-8"))
    if code:
        raise _unknown_actor_type(type_name, reply)
    import json
    methods = json.loads(reply)
    return [str(method) for method in methods]


def _unknown_actor_type(type_name: str, reply: bytes) -> GorayError:
    from .errors import UnknownNameError
    text = reply.decode("utf-8", errors="replace")
    marker = "known actor types: "
    known = text.split(marker, 1)[1].split(", ") if marker in text else []
    return UnknownNameError("actor type", type_name, [k for k in known if k])


# ---------------------------------------------------------------------------
# Python tasks and actors started from native code.

def run_python_task(name: str, *args: Any) -> Any:
    """The body of a Python task native code started: found by name in the worker
    (after its py-defs file is imported), so nothing user-defined is pickled."""
    _ready_library()
    return _registry.find_function(name)(*[to_python(arg) for arg in args])


_python_task = ray.remote(run_python_task)


@ray.remote
def _python_value(value: Any) -> Any:
    """A ref's value as Python sees it: passed instead of a ref holding a NativeBlock
    to consumers whose bodies are not ours (Python actor methods)."""
    return to_python(value)


def python_view(ref: Any) -> Any:
    """A ref whose value is the Python value of `ref` (which holds a NativeBlock)."""
    return _python_value.remote(ref)


def python_task(name: str, options: Dict[str, Any], key: Any = None) -> Any:
    """The submitter for Python task `name`, with the options of its @goray.remote
    declaration under the caller's. `key` names the caller's option set (default:
    the merged options' JSON)."""
    kind = f"python:{name}"
    if key is not None:
        submitter = _submitters.get((kind, key))
        if submitter is not None:
            return submitter
    function = _registry.find_function(name)  # fails early, in the caller, for unknown names
    merged = {"name": f"py.{getattr(function, '__name__', name)}", **_registry.declared_options(name),
              **options}
    return prepared(_python_task, kind, merged, key)


_python_classes: Dict[int, Any] = {}


def python_actor_class(name: str) -> Any:
    """The Ray actor class for Python class `name` (registered or importable): a
    subclass that loads the library and py-defs in its worker before the user's
    __init__, so the actor can call native code in-process."""
    cls = _registry.find_class(name)
    with _classes_lock:
        actor_class = _python_classes.get(id(cls))
        if actor_class is None:
            def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
                _ready_library()
                cls.__init__(self, *[to_python(arg) for arg in args], **kwargs)  # type: ignore[misc]  # cls is the user's class itself
            qualname = PYTHON_CLASS_PREFIX + name
            body = type(qualname, (cls,), {"__init__": __init__, "__module__": cls.__module__})
            body.__qualname__ = qualname
            actor_class = ray.remote(body)
            _python_classes[id(cls)] = actor_class
        return actor_class


def describe_actor(handle: Any) -> Tuple[str, bool]:
    """(type name, is native) of any actor handle, ours or plain Ray's."""
    descriptor = getattr(handle, "_ray_actor_creation_function_descriptor", None)
    class_name = str(getattr(descriptor, "class_name", "") or "")
    if class_name.startswith(NATIVE_CLASS_PREFIX):
        return class_name[len(NATIVE_CLASS_PREFIX):], True
    if class_name.startswith(PYTHON_CLASS_PREFIX):
        return class_name[len(PYTHON_CLASS_PREFIX):], False
    return class_name.rsplit(".", 1)[-1] or "actor", False
