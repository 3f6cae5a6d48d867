"""The Ray task and actor bodies: what runs in a Ray worker for a native task or
actor (RunTask, NewActor, ActorMethodCall to the library loaded there), and for a
Python task or actor that native code started. Failures are real Ray task
failures (Ray retries them per max_retries / retry_exceptions).

Ray names (docs/protocol.md §4): GolangTask.<name>, py.<name>, Go.<type>, PY.<class>.
A native actor class has, per method m, `m` (Python values) and `m__` (an
encoded args block, for native callers).

Tests: tests/ray/test_actor_classes.py, tests/ray/test_one_body.py,
tests/python/test_arrays_scatter.py, tests/python/test_ray_layer.py,
tests/python/test_ray_releases.py, tests/python/test_streams_local.py
"""

from __future__ import annotations

import struct
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import ray

from ... import _arrays, _codec, _process_setup, _registry, _traits
from ..._local import LocalActor, golang_local_run_task
from ..._protocol import (ADDRESS_BORROWED, ADDRESS_OWNED, NATIVE_CLASS_PREFIX,
                          NATIVE_TASK_PREFIX, PYTHON_CLASS_PREFIX, Buffer, Feature, Py2Native,
                          pack_u64)
from ...errors import GorayError, error_from_reply
from ..cancellation import interrupts, stream_cancels
from ..compat import internals
from ..submission import features
from ..values import scatter
from . import crashes, py_defs
from ..values.objects import (LARGE_BYTES, OUT_OF_BAND_FROM, NativeBlock, Scattered, StoredBytes,
                              large_bytes, native_result, native_value, stored, to_python,
                              with_native_values)

__all__ = [
    "PYTHON_CALL", "PYTHON_FIRST", "PYTHON_CALLER_SUFFIX", "python_caller_name", "task_names",
    "python_values",
    "python_caller_task",
    "ready_library", "run_native_task", "native_task",
    "run_with_views", "native_actor_class", "native_methods_of", "run_python_task",
    "python_task_base", "python_actor_class", "python_callee_args", "NATIVE_ARGS_KEYWORD",
]


_classes_lock = threading.Lock()  # guards the caches of remote functions and classes

#: goray._ray.streaming.generators once imported (py2native and the native2py modules import it):
#: the bodies of generator tasks and methods. It imports this module, so it registers
#: itself here.
generator_bodies: Any = None


def _call_units(name: str, args_block: Any, positions: Sequence[int],
                resolved: Sequence[Any], keep: List[Any]) -> bytes:
    """units(name, args block, position + value per resolved ref), joined once: the
    blocks (views of the object store) are copied into the request and nowhere else,
    and their large arrays not even there: an ext 72 borrowed points at each one's
    data in the store (scattered blocks, and top-level arrays of contiguous ones).
    Arrays in Python values go by address (their memory, or copies put in `keep`,
    must outlive the Execute call)."""
    encoded_name = name.encode("utf-8")
    if type(args_block) is Scattered:
        block, _ = scatter.pieces(args_block.segments, args_block.datas, ADDRESS_BORROWED)
    else:
        if type(args_block) is NativeBlock:  # refs or handles inside: registered here
            args_block = args_block.native_data()
        block = _by_address(args_block)
    pieces: List[Buffer] = [pack_u64(len(encoded_name)), encoded_name,
                            pack_u64(sum(len(piece) for piece in block)), *block]
    for position, value in zip(positions, resolved):
        if position < 0:  # a native producer's value (objects.marked_position)
            position = ~position
            value = native_value(value)
        if type(value) is NativeBlock:
            parts = _block_parts(value)
        else:
            parts = [_pack_in_process(name, value, keep)]
        pieces += (pack_u64(8 + sum(len(part) for part in parts)), pack_u64(position), *parts)
    return b"".join(pieces)


def _block_parts(value: NativeBlock) -> List[Buffer]:
    """A resolved ref's block as request pieces: one msgpack value, arrays by address."""
    if value.segments is not None:  # scattered: never joined here
        pieces, _ = scatter.pieces(value.segments, value.datas, ADDRESS_BORROWED)
        return [value.value_prefix(), *pieces]
    head, body = value.argument_parts()
    return [head, *(_by_address(body) if body else ())]


def _by_address(block: Buffer) -> List[Buffer]:
    """`block` as request pieces, its large top-level ext 71 arrays as ext 72
    borrowed at their data in place (goray._ray.values.scatter.by_address), and its large
    top-level bins too when the library takes arrays out of band (its bytes-like
    types read them; a GoRay library never meets an ext 72). In the worker, the
    block's memory outlives the call."""
    if len(block) < OUT_OF_BAND_FROM:  # nothing in it is large enough to go by address
        return [block]
    return scatter.by_address(block, ADDRESS_BORROWED, bins=_bins_by_address())


def _bins_by_address() -> bool:
    library = ready_library()
    return library is not None and library.arrays and bool(features.features(library) & _OUT_OF_BAND)


def _pack_in_process(name: str, value: Any, keep: List[Any]) -> bytes:
    library = ready_library()  # loaded first: it decides how arrays are written
    if library is not None and library.arrays:
        return b"".join(_codec.pack_args(name, [value], _arrays.BORROWED, keep))
    return _codec.pack(value)


_ready: Any = None


def ready_library() -> Any:
    """The library in this worker (loaded once, with its py-defs file), its
    version-3 features turned on. The Ray commands it sends are served from the
    first one on (goray._handlers installs goray._ray.native2py.commands then)."""
    global _ready
    library = _ready
    if library is None:
        py_defs.install()  # (before the file is imported: its folder's modules by value)
        library = _process_setup.ensure_ready()  # (crash recovery on as it loads: crashes)
        if library is not None:
            features.enable_features(library)
            if internals.in_worker(internals.global_worker()):
                interrupts.restore_in_worker()  # (Ray's cancel of a running task)
        _ready = library
    return library


def _execute(command: int, name: str, payload: bytes, index: int = 0,
             copy_below: int = OUT_OF_BAND_FROM) -> memoryview:
    """The reply of `command`: a view of the library's buffer (no copy) for large ones
    (from `copy_below` bytes on)."""
    library = ready_library()
    if library is None:
        raise GorayError("no goray library in this worker: GORAY_BIN_PATH is not set")
    code, reply = library.execute_view(command, payload, index, copy_below)
    if code:
        raise error_from_reply(code, bytes(reply), name)
    return reply


def run_native_task(name: str, args_block: Buffer, positions: Tuple[int, ...], *resolved: Any) -> Any:
    """RunTask in this worker for a native caller: the args block with the resolved
    refs at their positions; the result stays the native return block."""
    keep: List[Any] = []  # alive until the call returns
    return _run_native(name, _call_units(name, args_block, positions, resolved, keep))


def _run_native(name: str, payload: bytes) -> Any:
    """RunTask (43 with arrays out of band) of a prepared request, for a native caller."""
    # The reply stays the library's until converted: the refs and handles it names
    # live until FreeMemory.
    if features.features() & _OUT_OF_BAND:
        return result_block(_execute(_RUN_TASK_OUT_OF_BAND, name, payload, copy_below=0))
    reply = _execute(int(Py2Native.RUN_TASK), name, payload, copy_below=0)
    return native_result(reply) if len(reply) else None  # None: see EMPTY_NATIVE_RESULT


_OUT_OF_BAND = int(Feature.ARRAYS_OUT_OF_BAND)
# A 43/44 reply's table size (after the u32 value count) when nothing was handed over,
# and the whole reply of a call without values.
_NO_TABLE = bytes(4)
_NO_VALUES = bytes(8)
_RUN_TASK_OUT_OF_BAND = int(Py2Native.RUN_TASK_OUT_OF_BAND)
_ACTOR_METHOD_CALL_OUT_OF_BAND = int(Py2Native.ACTOR_METHOD_CALL_OUT_OF_BAND)


def result_block(reply: memoryview) -> Any:
    """The stored result of a 43/44 reply: its large arrays' buffers (handed over)
    kept apart, pickled out of band and released once Ray copied them; a small block
    as its bytes (objects.native_result); None for no values (EMPTY_NATIVE_RESULT)."""
    if len(reply) == 8 and reply == _NO_VALUES:  # a void result: the head alone
        return None
    if len(reply) > 8 and reply[4:8] == _NO_TABLE:  # nothing handed over: no table to read
        return native_result(reply[8:], int.from_bytes(reply[:4], "little"))
    count, segments, datas = scatter.parse_result(reply)
    if datas:
        return NativeBlock.scattered(segments, datas, count)
    if not count:
        return None
    return NativeBlock(segments[0], count)  # refs or handles inside are moved here


# ---------------------------------------------------------------------------
# Who calls a native task's body. A native task is one Ray function for every caller
# (docs/protocol.md §4), whose body reads who called from what it receives. The first
# row that holds decides:
#
#   the body sees                                         caller  its arguments
#   ----------------------------------------------------  ------  -------------------------
#   it is python_caller_task's (a Ray without task names) Python  all of them
#   a first argument of a PYTHON_FIRST type               Python  all of them
#   a Ray task name of Python callers' (python_caller_name,
#     goray.stream's)                                     Python  all of them
#   PYTHON_CALL first                                     Python  those after it
#   anything else: nothing, or a block first              native  (block, positions, *refs)
#
# Python callers name their submissions python_caller_name(name) (py2native), and send
# PYTHON_CALL first only under a name of their own when their values could read as a
# native caller's; on Ray 2.40 they submit through python_caller_task instead. Native
# callers send nothing of these (they submit under GolangTask.<name>).

#: What Python callers' submissions are named, after GolangTask.<name>. "/" is in no
#: C++ name, so no other task's name ends with it.
PYTHON_CALLER_SUFFIX = "/py"
#: The first argument a Python caller sends before its values when it names its
#: submissions itself (a `name` option) and the values could read as a native
#: caller's form: only then, as an argument costs tens of microseconds per call.
PYTHON_CALL = None
#: Types of a first value that no native caller sends (it sends bytes, a view of
#: the object store or a NativeBlock first, or nothing).
PYTHON_FIRST = frozenset({int, float, bool, str, list, dict, tuple})


def python_values(args: Tuple[Any, ...], python_only: bool, python_names: Tuple[str, ...],
                  task_name: Optional[str] = None) -> Optional[Tuple[Any, ...]]:
    """A Python caller's values in the arguments `args` of a native task's body, or None
    for a native caller's call: the table above. `python_only`: the body is
    python_caller_task's; `python_names`: the Ray task names of Python callers' calls;
    `task_name`: the running task's, when the body has it (else asked here, only when
    the first two rows do not decide: 1-2 µs)."""
    if python_only or (args and type(args[0]) in PYTHON_FIRST):
        return args
    if (task_name if task_name is not None else _task_name()) in python_names:
        return args
    if args and args[0] is PYTHON_CALL:
        return args[1:]
    return None


def python_caller_name(name: str) -> str:
    """The Ray task name of Python callers' submissions of native task `name`."""
    return NATIVE_TASK_PREFIX + name + PYTHON_CALLER_SUFFIX


_TASK_NAME = internals.running_task_name()


def task_names() -> bool:
    """Whether a body can read its Ray task name (not on Ray 2.40): callers then name
    their calls to say who calls (PYTHON_CALLER_SUFFIX) and how the items of a stream go
    (grouped, values); without, Python callers submit to a Ray function of their own
    (python_caller_task) and streams go one item per Ray object."""
    return _TASK_NAME is not None


def _task_name() -> Optional[str]:
    """The Ray task name of the running task (1-2 µs, measured: asked only when
    the arguments do not tell the call forms apart); None on a Ray without them."""
    return _TASK_NAME() if _TASK_NAME is not None else None


def _native_task(name: str, python_only: bool = False) -> Callable[..., Any]:
    """The body of native task `name`: RunTask in this worker, for every caller (who
    calls: python_values), or with `python_only` python_caller_task's.

    Native callers send the args block (bytes, a view of the object store when it
    travelled out of band, a Scattered block, or a NativeBlock) and keep the native
    return block (scattered with arrays out of band, bodies.result_block):
    ``()`` (an empty block), ``(block)`` (no refs among the arguments: only the
    block travels), ``(block, positions, *refs)`` (Ray resolves the refs).
    Python callers (goray.golang_task) send Python values, ``(*values)``, packed here
    on the fast path (large bytes framed as they are), and get Python values back."""
    python_names = (python_caller_name(name),)
    empty = _empty_call(name)  # the request of a native call without arguments, made once

    def task(*args: Any) -> Any:
        values = python_values(args, python_only, python_names)
        if values is not None:
            return _run_for_python(name, values)
        if not args:
            return _run_native(name, empty)
        return run_native_task(name, args[0], args[1] if len(args) > 1 else (), *args[2:])
    task.__name__ = task.__qualname__ = python_names[0] if python_only else NATIVE_TASK_PREFIX + name
    return task


def _run_for_python(name: str, args: Sequence[Any]) -> Any:
    ready_library()
    if any(large_bytes(arg) for arg in args) and not any(_arrays.is_array(arg) for arg in args):
        return run_with_views(name, args)
    return stored(golang_local_run_task(name, *args))


_native_tasks: Dict[Tuple[str, bool], Any] = {}


def native_task(name: str) -> Any:
    """The one Ray remote function of native task `name` (made once), named
    GolangTask.<name>: native and Python callers submit through it alike (a Python
    caller's calls under the task name python_caller_name(name))."""
    return _task_function(name, False)


def python_caller_task(name: str) -> Any:
    """On a Ray without task names (2.40): the Ray function Python callers of native task
    `name` submit through instead, GolangTask.<name>/py, whose body takes every call for a
    Python caller's, so that neither kind of caller sends an argument to say which it is."""
    return _task_function(name, True)


def _task_function(name: str, python_only: bool) -> Any:
    key = (name, python_only)
    base = _native_tasks.get(key)
    if base is None:
        crashes.install()  # this process's ray.get of it attaches crash reports
        stream_cancels.install()  # and a cancelled stream of it ends cancelled
        generators = generator_bodies  # a generator task's body is a generator function: Ray streams it
        if generators is not None and generators.task_streams(name):
            body = generators.task_body(name, python_only)
        else:
            body = _native_task(name, python_only)
        ray_name = python_caller_name(name) if python_only else NATIVE_TASK_PREFIX + name
        with _classes_lock:
            base = _native_tasks.get(key)
            if base is None:
                base = _native_tasks[key] = ray.remote(name=ray_name)(body)  # type: ignore[call-overload]
    return base


def _bin_header(size: int) -> bytes:
    if size < 1 << 8:
        return b"\xc4" + size.to_bytes(1, "big")
    if size < 1 << 16:
        return b"\xc5" + size.to_bytes(2, "big")
    return b"\xc6" + size.to_bytes(4, "big")


def _bytes_by_address(data: Buffer) -> Optional[bytes]:
    """A large bytes argument as an ext 72 borrowed at its memory (1-D uint8: the
    library reads bytes-like parameters from it); None without NumPy."""
    address = scatter.address_of(data)
    if address < 0:
        return None
    return scatter.bytes_ext(address, len(data), ADDRESS_BORROWED)


def run_with_views(name: str, args: Sequence[Any]) -> Any:
    """RunTask with the large bytes arguments framed as they are (their one copy is
    into the request; none when the library takes arrays out of band: an ext 72
    borrowed points at the bytes, a view of the object store) and a bytes result
    left in the reply buffer (StoredBytes)."""
    _codec.check_lengths(name, args)
    library = ready_library()
    by_address = _bins_by_address()
    pieces: List[Buffer] = []
    for arg in args:
        if large_bytes(arg):
            ext = _bytes_by_address(arg) if by_address else None
            pieces += (ext,) if ext is not None else (_bin_header(len(arg)), arg)
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
    command = Py2Native.RUN_TASK_FOR_PYTHON if library is not None and library.arrays else Py2Native.RUN_TASK
    reply = _execute(int(command), name, payload, copy_below=0)  # read before FreeMemory
    del payload
    start = _one_bin(reply)
    if start:
        return StoredBytes(reply[start:])
    handed = _one_handed_bytes(reply)
    if handed is not None:
        return StoredBytes(handed)
    result = _codec.unpack_result_block(reply, name)
    enums = _traits.result_enums(library).for_task(name) if library is not None else None
    return stored(result if enums is None else enums(result))


# The reply a large bytes result handed over makes (ext 72 owned with the bytes
# flag, docs/protocol.md §10): ext 8 marker, length, type, kind, itemsize, ndim,
# flags, shape (n,), address, token.
_HANDED_BYTES = struct.Struct("<BBBBBBBqQQ")


def _one_handed_bytes(reply: memoryview) -> Optional[memoryview]:
    """When `reply` is one large bytes result handed over and nothing else: its
    memory, adopted (released with ReleaseArray once Ray copied it and the view is
    gone; no copy here). None otherwise, or without NumPy (the decode copies)."""
    if len(reply) != _HANDED_BYTES.size:
        return None
    marker, length, code, kind, itemsize, ndim, flags, size, address, token = (
        _HANDED_BYTES.unpack_from(reply))
    if ((marker, length, code, kind, itemsize, ndim) != (0xc7, 28, _arrays.EXT_ADDRESS, 0x75, 1, 1)
            or flags != ADDRESS_OWNED | _arrays.BYTES_FLAG or _arrays._numpy_or_none() is None):
        return None
    return scatter.adopted_views([(0, size, address, token)])[0]


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
        self._goray_local = LocalActor(name, self._goray_index, ready_library())

    def _goray_call(self, method: str, args_block: Buffer, positions: Tuple[int, ...],
                    resolved: Sequence[Any]) -> Any:
        keep: List[Any] = []
        return _run_method(self, method, _call_units(method, args_block, positions, resolved, keep))


def _run_method(actor: _NativeActorBase, method: str, payload: bytes) -> Any:
    """ActorMethodCall (44 with arrays out of band) of a prepared request, for a
    native caller. A function, not a method: Ray wraps every method of an actor
    class in its tracing shim, a frame per call."""
    callee = f"{actor._goray_type}.{method}"
    if features.features() & _OUT_OF_BAND:
        return result_block(_execute(_ACTOR_METHOD_CALL_OUT_OF_BAND, callee, payload,
                                     actor._goray_index, copy_below=0))
    reply = _execute(int(Py2Native.ACTOR_METHOD_CALL), callee, payload, actor._goray_index,
                     copy_below=0)  # (as in run_native_task)
    return native_result(reply) if len(reply) else None  # None: see EMPTY_NATIVE_RESULT


def _plain_method(method: str) -> Callable[..., Any]:
    def call(self: _NativeActorBase, *args: Any, **kwargs: Any) -> Any:
        # Keywords are resolved in the worker, which has the library (LocalActor.call).
        return stored(self._goray_local.call(method, *args, **kwargs))
    call.__name__ = call.__qualname__ = method
    return call


def _empty_call(name: str) -> bytes:
    """The request of a call of `name` without arguments (made once per task or method)."""
    return _call_units(name, b"", (), (), [])


def _encoded_method(method: str) -> Callable[..., Any]:
    # Callers leave out `positions` when no refs are among the arguments (the common
    # case), and the block too when it is empty: less for Ray to serialize per call.
    # A call without arguments sends one request made here once.
    # A call whose block is small bytes (no refs, nothing by address) is the request's
    # head made here once, the block's length and the block.
    empty = _empty_call(method)
    encoded = method.encode("utf-8")
    head = pack_u64(len(encoded)) + encoded

    def call(self: _NativeActorBase, args_block: Buffer = b"", positions: Tuple[int, ...] = (),
             *resolved: Any) -> Any:
        if not positions and type(args_block) is bytes:
            if not args_block:
                return _run_method(self, method, empty)
            if len(args_block) < OUT_OF_BAND_FROM:
                return _run_method(self, method, b"".join((head, pack_u64(len(args_block)), args_block)))
        keep: List[Any] = []  # alive until the call returns
        return _run_method(self, method, _call_units(method, args_block, positions, resolved, keep))
    call.__name__ = call.__qualname__ = method + "__"
    return call


_native_classes: Dict[Tuple[Any, ...], Any] = {}


def _ray_members(type_name: str, methods: Sequence[str]) -> Dict[str, Any]:
    """The Ray class members of a native actor: per method m, `m` and `m__`. Refuses
    names that would reach one dispatch entry from two methods (`Get` and `Get__`),
    or that the class itself uses, rather than routing a call to the wrong method."""
    members: Dict[str, Any] = {}
    owner: Dict[str, str] = {}
    reserved = set(dir(_NativeActorBase))
    generators = (generator_bodies.streaming_methods(type_name) if generator_bodies is not None
                  else ())
    for method in methods:
        # A generator method's m and m__ are generator methods (goray._ray.streaming.generators).
        plain, encoded = ((generator_bodies.plain_method, generator_bodies.encoded_method)
                          if method in generators else (_plain_method, _encoded_method))
        for name, body in ((method, plain(method)), (method + "__", encoded(method))):
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


def native_actor_class(type_name: str, methods: Sequence[str],
                       concurrency_groups: Optional[Dict[str, int]] = None) -> Any:
    """The Ray actor class of a native actor type, with its traits (goray._traits):
    the type's concurrency groups with the caller's `concurrency_groups` merged over
    them (Ray takes groups only where the class is made), and each grouped method's
    m and m__ in its group. Cached per type, methods, traits and groups."""
    library = ready_library()
    crashes.install()
    stream_cancels.install()
    traits = _traits.actor_traits(library, type_name) if library is not None else _traits.ActorTraits()
    groups = {**traits.concurrency_groups, **(concurrency_groups or {})}
    key = (type_name, tuple(sorted(methods)), traits.key(), tuple(sorted(groups.items())))
    with _classes_lock:
        cls = _native_classes.get(key)
        if cls is None:
            members = _ray_members(type_name, key[1])
            for method, group in traits.groups.items():
                for name in (method, method + "__"):
                    if name in members:
                        members[name] = ray.method(concurrency_group=group)(members[name])
            members.update({"_goray_type": type_name, "__module__": __name__})
            qualname = NATIVE_CLASS_PREFIX + type_name
            body = type(qualname, (_NativeActorBase,), members)
            body.__qualname__ = qualname
            cls = ray.remote(concurrency_groups=groups)(body) if groups else ray.remote(body)  # type: ignore[call-overload]
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
    names = set(internals.actor_method_names(handle))
    methods = sorted(name for name in names if not name.startswith("_") and name + "__" in names)
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


def python_callee_args(name: Any, args: Sequence[Any]) -> Tuple[str, List[Any]]:
    """(name, Python values) of a call of a Python task native code started: `name` is
    the task's name, or [name, marked] when some arguments are native producers' refs
    (the positions in `marked`), whose values Ray resolved may be a block's bytes."""
    if type(name) is not str:
        name, marked = name
        args = with_native_values(args, marked)
    return name, [to_python(arg) for arg in args]


def run_python_task(name: Any, *args: Any) -> Any:
    """The body of a Python task native code started: found by name in the worker
    (after its py-defs file is imported), so nothing user-defined is pickled."""
    ready_library()
    name, values = python_callee_args(name, args)
    return _registry.find_function(name)(*values)


python_task_base = ray.remote(run_python_task)


_python_classes: Dict[int, Any] = {}

#: The keyword a native caller's creation of a Python actor marks the positions of its
#: native producers' refs with (as python_callee_args's [name, marked]); never the user's.
NATIVE_ARGS_KEYWORD = "_goray_native_positions"


def python_actor_class(name: str) -> Any:
    """The Ray actor class for Python class `name` (registered or importable): a
    subclass that loads the library and py-defs in its worker before the user's
    __init__, so the actor can call native code in-process."""
    cls = _registry.find_class(name)
    with _classes_lock:
        actor_class = _python_classes.get(id(cls))
        if actor_class is None:
            def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
                ready_library()
                marked = kwargs.pop(NATIVE_ARGS_KEYWORD, ())  # (as in python_callee_args)
                args = tuple(with_native_values(args, marked)) if marked else args
                cls.__init__(self, *[to_python(arg) for arg in args], **kwargs)  # type: ignore[misc]  # cls is the user's class itself
            qualname = PYTHON_CLASS_PREFIX + name
            body = type(qualname, (cls,), {"__init__": __init__, "__module__": cls.__module__})
            body.__qualname__ = qualname
            actor_class = ray.remote(body)
            _python_classes[id(cls)] = actor_class
        return actor_class
