"""msgpack exactly as the driver must speak it (docs/protocol.md §5).

- pack: ``use_bin_type=True``, ``datetime=True``: a timezone-aware ``datetime`` goes
  out as timestamp ext -1 (its instant; any zone). A *naive* datetime is refused
  (``ArgumentError``): its instant is ambiguous, and guessing local time or UTC would
  silently shift values. Attach ``tzinfo=datetime.timezone.utc``.
- unpack: ``raw=False``, ``strict_map_key=False``, ``timestamp=3``: a timestamp comes
  back as a timezone-aware UTC ``datetime``. ``datetime`` holds microseconds, so a
  native time point's nanoseconds are truncated to microseconds on the way through
  Python.
- An *args block* / *native return block* is several concatenated values. Limits are
  sized from the input, so no value is ever dropped, however large (msgpack.Unpacker's
  default 100 MiB ``max_buffer_size`` silently loses data).
- Arrays (:mod:`goray._arrays`): ``numpy.ndarray`` and 1-D ``array.array`` pack as
  ext 71 (inline) or ext 72 (by address) once the library speaks arrays, else as
  nested lists; ``arrays=`` picks the mode (``_arrays.INLINE`` for bytes that are
  stored or cross processes, ``_arrays.BORROWED`` with a ``keep`` list for
  in-process Execute calls). Values without arrays pack exactly as before: arrays
  are looked for only when msgpack meets a type it does not know. Unpacking turns
  ext 71/72 into ndarrays (NumPy imported then).
- ObjectRefs and actor handles inside values (with Ray, :mod:`goray._ray.values.nested`): a
  ``ray.ObjectRef`` packs as fixext 8 type 73 and a Ray actor handle as type 74; the
  u64 is an id in this process's stores (registered by the packing, for the native
  code that reads the bytes). Unpacking turns them back into the ref and the handle.
  :func:`find_ref_exts` finds them in packed bytes without decoding.

Tests: tests/python/test_codec_equivalence.py, tests/python/test_arrays_codec.py,
tests/python/test_ref_values_codec.py, tests/python/test_codec.py,
tests/python/test_fastpath_py2native.py, tests/python/test_bad_input.py
"""

from __future__ import annotations

import datetime as _dt
import importlib
import os
import sys
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import msgpack  # type: ignore[import-untyped]

from . import _arrays, _arrow, _not_utf8, _value_exts
from ._protocol import Buffer, CodecError
from ._protocol_numbers import EXT_ACTOR_HANDLE, EXT_OBJECT_REF, FAST_PATH_INTERFACE
from .errors import ArgumentError, GorayError

__all__ = [
    "pack",
    "pack_args",
    "unpack",
    "unpack_values",
    "unpack_result_block",
    "count_values",
    "array_header",
    "CodecError",
    "MAX_LENGTH",
    "pack_failure",
    "EXT_OBJECT_REF",
    "EXT_ACTOR_HANDLE",
    "find_ref_exts",
    "unpack_result_block_with",
    "Unresolved",
    "RefsMet",
    "fastpath_module",
    "NO_FASTPATH_ENV",
]

#: msgpack's largest str, bin, array or map (32-bit lengths): the largest value that
#: crosses between Python and C++, whatever the protocol's 64-bit unit lengths allow.
MAX_LENGTH = (1 << 32) - 1


class RefsUnavailable(TypeError):
    """An ObjectRef or actor handle inside a value for a library (or process) where
    refs in values are not turned on; the message says what is needed, `expected`
    is the ArgumentError's expectation."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.expected = expected


# ---------------------------------------------------------------------------
# ObjectRefs and actor handles inside values: fixext 8 (d7 49 / d7 4a + u64 LE).


#: goray._ray.values.nested once Ray is used: kind(value) -> 73/74/0, decode(code, key, lists),
#: to_native_many(pieces, refs, actors) -> pieces with ids registered.
ref_hooks: Any = None
#: What sets ref_hooks when a value of a type msgpack does not know is packed in a
#: process that imported Ray before goray._ray.values.nested was: goray._ray registers it
#: at import (this module never imports the Ray layer).
_ref_hooks_loader: Optional[Callable[[], None]] = None


def set_ref_hooks_loader(loader: Callable[[], None]) -> None:
    """Registers what loads the ref hooks (goray._ray, at import)."""
    global _ref_hooks_loader
    _ref_hooks_loader = loader


class Unresolved:
    """A ``ray.ObjectRef`` passed as the ref itself where Ray would resolve it: a
    top-level argument of ``golang_task(name).remote(...)`` (or of a native actor's
    method or constructor) for a C++ parameter of type ``goray::ObjectRef`` or
    ``goray::Future<T>``, which receives the ref. Refs inside values (a list, a dict)
    are never resolved and need no wrapping. Like C++'s ``goray::Unresolved``."""

    __slots__ = ("ref",)

    def __init__(self, ref: Any) -> None:
        ray = sys.modules.get("ray")
        if ray is None or not isinstance(ref, ray.ObjectRef):
            raise TypeError(f"goray.Unresolved takes a ray.ObjectRef, got {type(ref).__name__}")
        self.ref = ref

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Unresolved, (self.ref,))  # the ref inside: Ray does not resolve it

    def __repr__(self) -> str:
        return f"goray.Unresolved({self.ref!r})"


class _RefState(threading.local):
    # While packing: the refs and handles met, by index (the u64 written until the
    # outermost pack registers them). While decoding a stored block: its lists.
    collected: Optional["RefsMet"] = None
    lists: Optional[Tuple[Sequence[Any], Sequence[Any], bytes]] = None


_refs_tls = _RefState()


class RefsMet:
    """The ObjectRefs and actor handles met while packing one value or args block, in
    the order met (``refs``, ``actors``); the same object twice gets one index."""

    __slots__ = ("refs", "actors", "_seen")

    def __init__(self) -> None:
        self.refs: List[Any] = []
        self.actors: List[Any] = []
        self._seen: Dict[Tuple[int, int], int] = {}

    def index(self, code: int, value: Any) -> int:
        key = (code, id(value))
        index = self._seen.get(key)
        if index is None:
            items = self.refs if code == EXT_OBJECT_REF else self.actors
            index = self._seen[key] = len(items)
            items.append(value)
        return index


def _ref_ext(value: Any) -> Any:
    """The ext of an ObjectRef or actor handle met while packing (None for other
    types): the index among the value's refs, made an id by the outermost pack."""
    hooks = ref_hooks
    if hooks is None:
        loader = _ref_hooks_loader
        if loader is None or "ray" not in sys.modules:
            return None
        loader()
        hooks = ref_hooks
        if hooks is None:
            return None
    if type(value) is Unresolved:
        value = value.ref
    code = hooks.kind(value)
    if not code:
        return None
    collected = _refs_tls.collected
    if collected is None:
        collected = _refs_tls.collected = RefsMet()
    return msgpack.ExtType(code, collected.index(code, value).to_bytes(8, "little"))


def _ext_hook(code: int, data: bytes) -> Any:
    if (code == EXT_OBJECT_REF or code == EXT_ACTOR_HANDLE) and ref_hooks is not None:
        if len(data) != 8:
            raise CodecError(f"ext {code}: {len(data)} bytes, expected 8 (an id)")
        return ref_hooks.decode(code, int.from_bytes(data, "little"), _refs_tls.lists)
    if _value_exts.EXT_COMPLEX <= code <= _value_exts.EXT_DURATION:
        return _value_exts.decode(code, data)
    if code == _arrow.EXT_INLINE or code == _arrow.EXT_ADDRESS:
        return _arrow.ext_hook(code, data)
    return _arrays.ext_hook(code, data)


#: Removed (goray has one in-process route, its compiled extension): a non-empty value
#: makes the first in-process use fail (ImportError) with a message that says so, rather
#: than be ignored.
NO_FASTPATH_ENV = "GORAY_NO_FASTPATH"
_REBUILD = ("rebuild it: `bash scripts/setup.sh` in a goray source tree (or `cmake --build build "
            "--target goray_fastpath`), or reinstall the goray-cpp wheel for this Python")


_fastpath: Any = None  # goray._fastpath once imported

#: The compiled decoder of a block's values once goray._fastpath is loaded (None before):
#: unpack_values(data) -> a list, or None when it leaves `data` to this module (anything
#: it would not decode exactly as unpack_values does: exts other than inline arrays,
#: arrays without NumPy, ...).
fast_unpack_values: Optional[Callable[[Buffer], Optional[List[Any]]]] = None


def fastpath_module() -> Any:
    """goray._fastpath, the compiled extension every in-process call and every value's ref
    walk goes through (the C ABI, the in-process packing and decoding, the library's
    callback), imported on first use: ``import goray`` (the generator, the CLI) does not
    need it. ImportError, saying how to get it, when it is missing, was built from other
    sources, or GORAY_NO_FASTPATH is set."""
    global _fastpath, fast_unpack_values
    if _fastpath is not None:
        return _fastpath
    if os.environ.get(NO_FASTPATH_ENV):
        raise ImportError(f"goray: {NO_FASTPATH_ENV} was removed: goray no longer has a ctypes "
                          "twin of its compiled extension (goray._fastpath), which it always "
                          f"uses; unset {NO_FASTPATH_ENV}")
    try:
        # By name: import graphs (tests/python/test_layers.py, lint-imports) see no
        # compiled module, and would take `from . import _fastpath` for the package.
        module = importlib.import_module("._fastpath", __package__)
    except ImportError as error:
        raise ImportError(f"goray: its compiled extension goray._fastpath (required) does not "
                          f"load for {sys.implementation.cache_tag} ({error}); {_REBUILD}") from error
    found = getattr(module, "INTERFACE", None)
    # The module and this package are built from one tree: FAST_PATH_INTERFACE
    # (generator/protocol/numbers.json's FastPathInterface, read by both) is raised with
    # every change to what the package calls in the module.
    if found != FAST_PATH_INTERFACE:
        raise ImportError(f"goray: {getattr(module, '__file__', module)} has interface {found}, "
                          f"this goray needs {FAST_PATH_INTERFACE} (it was built from other "
                          f"sources); {_REBUILD}")
    fast_unpack_values = module.unpack_values
    _fastpath = module
    return module


def find_ref_exts(data: Buffer) -> List[Tuple[int, int]]:
    """[(offset, type)]: where the 8-byte payloads of the ext 73 (ObjectRef) and 74
    (actor handle) fixext 8 items of concatenated msgpack values start. Payloads of
    str, bin and ext are skipped by length (look-alike bytes in them are never taken
    for an ext); the walk stops at the first invalid or truncated item."""
    found: List[Tuple[int, int]] = (_fastpath or fastpath_module()).find_ref_exts(data)
    return found


# Packers and unpackers are costly to create (about 1 us) and cheap to reuse, so each
# thread keeps one of each. A user is taken out of the pool while it works, so a nested
# use on the same thread (a __del__ run by the GC mid-call) gets a fresh one; one that
# grew past _KEEP_BYTES is dropped rather than kept, so its buffer is freed.
_KEEP_BYTES = 1 << 20


class _Pool(threading.local):
    packer: Optional["msgpack.Packer"] = None
    unpacker: Optional["msgpack.Unpacker"] = None


_pool = _Pool()


class _ArrayMet(Exception):
    """The plain packer met an array (or NumPy scalar): the value is packed again
    by the array-aware packer."""


def _is_numpy_scalar(value: Any) -> bool:
    module = sys.modules.get("numpy")
    return module is not None and isinstance(value, module.generic) and value.dtype.kind in "biuf"


def _plain_default(value: Any) -> Any:
    # Called by msgpack only for types it does not know: the common path never gets here.
    if _arrays.is_array(value) or _is_numpy_scalar(value) or _arrow.is_column(value):
        raise _ArrayMet
    if isinstance(value, int):  # msgpack asks default about ints beyond 64 bits
        raise OverflowError("Integer value out of range")
    known = _value_exts.encode(value)  # complex, os.PathLike, timedelta
    if known is not None:
        return known
    ext = _ref_ext(value)
    if ext is not None:
        return ext
    raise TypeError(f"can not serialize {type(value).__name__!r} object")


def _new_packer() -> "msgpack.Packer":
    return msgpack.Packer(use_bin_type=True, datetime=True, default=_plain_default)


def _new_unpacker(size: int) -> "msgpack.Unpacker":
    # Every limit (max_str_len, max_bin_len, ...) derives from max_buffer_size.
    return msgpack.Unpacker(None, raw=False, strict_map_key=False, timestamp=3,
                            ext_hook=_ext_hook, max_buffer_size=max(size, 1))


def _pack_plain(value: Any) -> bytes:
    pool = _pool
    packer = pool.packer
    if packer is None:
        packer = _new_packer()
    else:
        pool.packer = None
    try:
        data: bytes = packer.pack(value)  # on failure msgpack resets the packer itself
    except _ArrayMet:
        pool.packer = packer
        raise
    if len(data) <= _KEEP_BYTES:
        pool.packer = packer
    return data


def _pack_with_arrays(value: Any, mode: str, offset: int, keep: Optional[List[Any]]) -> bytes:
    """`value` holding arrays, packed in `mode`; the value starts `offset` bytes into
    the buffer being written (for ext 71's alignment)."""
    if _arrow.is_column(value):  # (before arrays: a pyarrow array exports DLPack too)
        return _pack_plain(_arrow.encode(value, mode, keep))
    if _arrays.is_array(value):
        if mode != _arrays.INLINE:  # (msgpack would pack a memoryview as bin)
            return _pack_plain(_arrays.encode(value, mode, offset, keep))
        # A bare array: its ext written directly, the data copied once.
        arr = _arrays.encode_prepare(value, keep)
        size, head, _ = _arrays.inline_ext(arr, value, offset)
        return b"".join((_ext_header(size, len(head) + arr.nbytes), head, _arrays.data_bytes(arr)))

    def default(item: Any) -> Any:
        if _arrow.is_column(item):
            return _arrow.encode(item, mode, keep)
        if _arrays.is_array(item):
            written = packer.getbuffer()
            at = offset + len(written)
            written.release()
            return _arrays.encode(item, mode, at, keep)
        if _is_numpy_scalar(item):
            return item.item()
        if isinstance(item, int):
            raise OverflowError("Integer value out of range")
        known = _value_exts.encode(item)
        if known is not None:
            return known
        ext = _ref_ext(item)
        if ext is not None:
            return ext
        raise TypeError(f"can not serialize {type(item).__name__!r} object")

    packer = msgpack.Packer(use_bin_type=True, datetime=True, default=default, autoreset=False)
    packer.pack(value)
    packed: bytes = packer.bytes()
    return packed


def _ext_header(size: int, length: int) -> bytes:
    code = _arrays.EXT_INLINE
    if size == 2:
        return bytes((0xd4 + (1, 2, 4, 8, 16).index(length), code))
    if size == 3:
        return bytes((0xc7, length, code))
    if size == 4:
        return bytes((0xc8,)) + length.to_bytes(2, "big") + bytes((code,))
    return bytes((0xc9,)) + length.to_bytes(4, "big") + bytes((code,))


def pack(value: Any, arrays: Optional[str] = None) -> bytes:
    """One msgpack value. Arrays in it are written as `arrays` says (an
    :mod:`goray._arrays` mode; default: ext 71 when the loaded library speaks
    arrays, else nested lists). Raises :class:`goray._arrays.BadArray` (a
    TypeError) for an array that cannot be sent. ObjectRefs and actor handles in
    it are registered in this process's stores for the native code that reads it."""
    outer = _refs_tls.collected
    _refs_tls.collected = None
    try:
        data = _pack_value(value, arrays)
        collected = _refs_tls.collected
    finally:
        _refs_tls.collected = outer
    if collected is None:
        return data
    registered: bytes = ref_hooks.to_native_many([data], collected.refs, collected.actors)[0]
    return registered


def _pack_unregistered(value: Any) -> bytes:
    """pack(value) with its refs and handles left as indexes (to see if it packs)."""
    outer = _refs_tls.collected
    _refs_tls.collected = None
    try:
        return _pack_value(value, None)
    finally:
        _refs_tls.collected = outer


def _pack_value(value: Any, arrays: Optional[str]) -> bytes:
    try:
        return _pack_plain(value)
    except _ArrayMet:
        pass
    mode = arrays or _arrays.wire_mode()
    if mode == _arrays.BORROWED:
        raise ValueError("pack(): borrowed arrays need pack_args(..., keep=[...])")
    return _pack_with_arrays(value, mode, 0, None)


def _describe_received(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return f"int {value}" if value.bit_length() <= 200 else f"int of {value.bit_length()} bits"
    return type(value).__name__


def _length(value: Any) -> Optional[str]:
    """'<type> of <n> <unit>' for a value whose own length msgpack limits."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        size, unit = (value.nbytes if isinstance(value, memoryview) else len(value)), "bytes"
    elif isinstance(value, str):
        size, unit = len(value), "characters"  # (UTF-8 bytes: at least as many)
    elif isinstance(value, (list, tuple)):
        size, unit = len(value), "elements"
    elif isinstance(value, dict):
        size, unit = len(value), "entries"
    else:
        return None
    return f"{type(value).__name__} of {size} {unit}"


def _is_too_large(error: Exception) -> bool:
    return isinstance(error, ValueError) and "too large" in str(error)


_LIMIT_TEXT = f"msgpack's limit of {MAX_LENGTH} (2^32 - 1)"


def pack_failure(value: Any, error: Exception) -> str:
    """Why `value` could not be packed, naming the culprit (for a value over
    msgpack's limit: its type, size and the limit) and where it is."""
    culprit, path = _find_culprit_at(value)
    where = f" (at {path})" if path else ""
    if _is_too_large(error) and _length(culprit) is not None:
        return f"{_length(culprit)} is over {_LIMIT_TEXT}{where}"
    if path:
        return f"{error}: {_describe_received(culprit)}{where}"
    return str(error)


def _expected_for(value: Any, error: Exception) -> str:
    if isinstance(error, RefsUnavailable):
        return error.expected
    if _is_too_large(error) and _length(value) is not None:
        return f"a value within {_LIMIT_TEXT}"
    if isinstance(error, OverflowError):
        return "an integer in [-2**63, 2**64)"
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        return "a timezone-aware datetime"
    return "a msgpack-serializable value"


def _path_key(key: Any) -> str:
    # As the C++ codec writes paths: ["k"] for a str key, [5] for an int.
    if isinstance(key, str):
        return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(key, int) and not isinstance(key, bool):
        return repr(key)
    return _describe_received(key)


def _find_culprit_at(value: Any, depth: int = 0) -> Tuple[Any, str]:
    """The innermost element that fails to pack and its path in `value`, written
    as the C++ codec writes paths: [2] for an element, ["k"] for a map value,
    [key "k"] for a map key."""
    if depth > 32:
        return value, ""
    children: List[Tuple[str, Any]] = []
    if isinstance(value, (list, tuple)):
        children = [(f"[{index}]", child) for index, child in enumerate(value)]
    elif isinstance(value, dict):
        for key, child in value.items():
            children.append((f"[key {_path_key(key)}]", key))
            children.append((f"[{_path_key(key)}]", child))
    for step, child in children:
        try:
            _pack_unregistered(child)
        except Exception:
            culprit, rest = _find_culprit_at(child, depth + 1)
            return culprit, step + rest
    return value, ""


def check_lengths(task: str, args: Sequence[Any]) -> None:
    """Refuses, before anything is sent, a top-level argument msgpack cannot hold
    (bytes or str longer than MAX_LENGTH): cheaper than shipping it through Ray
    for the worker to refuse. Nested values are checked when packed."""
    for position, arg in enumerate(args):
        if isinstance(arg, (bytes, bytearray, memoryview, str)):
            size = arg.nbytes if isinstance(arg, memoryview) else len(arg)
            if size > MAX_LENGTH:
                raise ArgumentError(task, position, f"a value within {_LIMIT_TEXT}", str(_length(arg)))


#: Top-level bytes arguments from this size on are not copied into a packer: their
#: bin header is a piece of its own and the bytes the next one, joined once into the
#: request.
_DIRECT_BYTES = 1 << 16


def _bin_header(size: int) -> bytes:
    if size < 256:
        return bytes((0xc4, size))
    if size < 65536:
        return b"\xc5" + size.to_bytes(2, "big")
    return b"\xc6" + size.to_bytes(4, "big")


def pack_args(task: str, args: Sequence[Any], arrays: Optional[str] = None,
              keep: Optional[List[Any]] = None, refs_met: Optional[RefsMet] = None,
              first: int = 0) -> List[Buffer]:
    """An args block, one msgpack value per argument, as pieces to concatenate
    (``b"".join``, or :func:`goray._protocol.pack_call`): a bytes, bytearray or byte
    memoryview argument of 64 KiB or more is a piece of its own, not copied. A value
    that cannot be packed raises ``ArgumentError`` naming the task and position.

    `arrays`: how arrays are written (an :mod:`goray._arrays` mode; default: ext 71
    when the loaded library speaks arrays, else nested lists). With
    ``_arrays.BORROWED``, `keep` (a list) receives the copies the bytes point to:
    hold it until the Execute call returns.

    ObjectRefs and actor handles in the arguments are registered in this process's
    stores (their ids written), unless `refs_met` is given, for bytes that go into
    Ray's object store: each is then written as its index in ``refs_met.refs`` or
    ``refs_met.actors`` (added there) and nothing is registered. `first`: the position
    errors give the first of `args`."""
    pieces: List[Buffer] = []
    packed: List[int] = []  # the pieces msgpack wrote (refs can be in these only)
    offset = 0
    mode = arrays
    outer = _refs_tls.collected
    _refs_tls.collected = refs_met
    try:
        for position, arg in enumerate(args, first):
            kind = type(arg)
            if (kind is bytes or kind is bytearray
                    or (kind is memoryview and arg.format in ("B", "b", "c") and arg.c_contiguous)):
                size = arg.nbytes if kind is memoryview else len(arg)
                if _DIRECT_BYTES <= size <= MAX_LENGTH:
                    header = _bin_header(size)
                    pieces.append(header)
                    pieces.append(arg)
                    offset += len(header) + size
                    continue
            try:
                try:
                    if kind is memoryview and arg.format not in ("B", "b", "c"):
                        raise _ArrayMet  # a numeric memoryview: an array, not bin
                    piece = _pack_plain(arg)
                except _ArrayMet:
                    if mode is None:
                        mode = _arrays.wire_mode()
                    if mode == _arrays.BORROWED and keep is None:
                        raise ValueError("borrowed arrays need a keep list") from None
                    piece = _pack_with_arrays(arg, mode, offset, keep)
            except (TypeError, ValueError, OverflowError) as error:
                raise _argument_error(task, position, arg, error) from (
                    None if isinstance(error, _arrays.BadArray) else error)
            packed.append(len(pieces))
            pieces.append(piece)
            offset += len(piece)
        collected = _refs_tls.collected
    finally:
        _refs_tls.collected = outer
    if collected is None or collected is refs_met:
        return pieces
    chosen = [pieces[i] for i in packed]
    for i, piece in zip(packed, ref_hooks.to_native_many(chosen, collected.refs, collected.actors)):
        pieces[i] = piece
    return pieces


def pack_argument(task: str, position: int, value: Any) -> Tuple[bytes, List[Any]]:
    """Argument `position` of `task` as the codec path packs it in-process (arrays by
    address, its refs registered): what the typed entries hand the library for a value
    they do not convert, with the copies the bytes point to (held until the call returns)."""
    keep: List[Any] = []
    return b"".join(pack_args(task, (value,), _arrays.BORROWED, keep, first=position)), keep


def _argument_error(task: str, position: int, arg: Any, error: Exception) -> ArgumentError:
    """Why argument `position` could not be packed, naming the culprit inside it."""
    if isinstance(error, _arrays.BadArray):
        received = error.received
        path = _array_path(arg, received)
        if path:
            received = f"{type(arg).__name__} holding {received} (at {path})"
        return ArgumentError(task, position, error.expected, received)
    culprit, path = _find_culprit_at(arg)
    received = _describe_received(culprit)
    if _is_too_large(error) and _length(culprit) is not None:
        received = str(_length(culprit))
    if culprit is not arg:
        received = f"{type(arg).__name__} holding {received} (at {path})"
    return ArgumentError(task, position, _expected_for(culprit, error), received)


def _described_as(value: Any, described: str) -> bool:
    """Whether `value` is the array or column an error describes so."""
    if _arrow.is_column(value):
        return _arrow.describe(value) == described
    return _arrays.is_array(value) and _arrays.describe(value) == described


def _array_path(value: Any, described: str, depth: int = 0) -> str:
    """Where in `value` the array `described` sits ("" when it is `value`)."""
    if depth > 32 or _described_as(value, described):
        return ""
    items: List[Tuple[str, Any]] = []
    if isinstance(value, (list, tuple)):
        items = [(f"[{index}]", child) for index, child in enumerate(value)]
    elif isinstance(value, dict):
        items = [(f"[{_path_key(key)}]", child) for key, child in value.items()]
    for step, child in items:
        if _described_as(child, described):
            return step
        rest = _array_path(child, described, depth + 1)
        if rest:
            return step + rest
    return ""


class ArraysUnavailable(GorayError):
    """Arrays were decoded where NumPy is not installed. ``position`` is the value's
    position in its block, ``received`` the array (``ndarray of float64 (3,)``)."""

    def __init__(self, message: str, position: Optional[int] = None, received: str = "") -> None:
        super().__init__(message)
        self.position = position
        self.received = received


def _check_arrays(before: int, values: List[Any], what: str) -> None:
    """Raises when decoding met arrays without NumPy: names the position."""
    if _arrays.missing_count() == before:
        return
    for position, value in enumerate(values):
        found = _arrays.find_missing(value)
        if found is not None:
            raise ArraysUnavailable(f"{what} {position}: {_arrays.numpy_missing_text(value)}",
                                    position, found.text)
    raise ArraysUnavailable(f"{what}: {_arrays.numpy_missing_text(values)}")


def unpack(data: Buffer) -> Any:
    """Exactly one msgpack value."""
    before = _arrays.missing_count()
    try:
        value = msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=3,
                                ext_hook=_ext_hook)
    except msgpack.ExtraData as error:
        raise CodecError(f"expected one msgpack value, found more ({len(error.extra)} "
                         "bytes left over)") from None
    except _value_exts.DurationError:
        raise  # valid msgpack: a duration Python cannot hold
    except (ValueError, OverflowError, TypeError) as error:
        raise CodecError(f"invalid msgpack: {error}") from error
    _check_arrays(before, [value], "value")
    return value


def _unpack_stream(data: Buffer) -> List[Any]:
    """Every value of concatenated msgpack; no limit is smaller than the input."""
    size = len(data)
    pool = _pool
    unpacker = pool.unpacker if size <= _KEEP_BYTES else None
    if unpacker is None:
        unpacker = _new_unpacker(max(size, _KEEP_BYTES))
    else:
        pool.unpacker = None
    start = consumed = unpacker.tell()
    values = []
    try:
        unpacker.feed(data)
        while True:
            try:
                values.append(unpacker.unpack())
            except msgpack.OutOfData:
                break
            consumed = unpacker.tell()  # exact after a whole value (not after a partial one)
    except _value_exts.DurationError:
        raise  # valid msgpack: a duration Python cannot hold (the unpacker is dropped)
    except (ValueError, OverflowError, TypeError) as error:  # the unpacker is dropped: state unknown
        raise CodecError(f"invalid msgpack: {error}") from error
    left = size - (consumed - start)
    if left:  # the unpacker holds a partial value: it is dropped, not pooled
        raise CodecError(f"truncated msgpack: {left} trailing bytes do not form a value")
    if size <= _KEEP_BYTES:
        pool.unpacker = unpacker
    return values


def unpack_values(data: Buffer, what: str = "argument") -> List[Any]:
    """Every value of an args block or native return block (possibly none).
    Arrays met without NumPy raise :class:`ArraysUnavailable` naming the `what`
    and its position."""
    if not len(data):
        return []
    before = _arrays.missing_count()
    values = _unpack_stream(data)
    _check_arrays(before, values, what)
    return values


def unpack_first_values(data: Buffer, what: str = "result") -> List[Any]:
    """As :func:`unpack_values`, faster when the block usually holds one value."""
    if not len(data):
        return []
    before = _arrays.missing_count()
    try:
        values = [msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=3,
                                  ext_hook=_ext_hook)]
    except msgpack.ExtraData as more:
        # The first value came out; the rest follow in the same stream.
        values = [more.unpacked, *_unpack_stream(more.extra)]
    except _value_exts.DurationError:
        raise  # valid msgpack: a duration Python cannot hold
    except (ValueError, OverflowError, TypeError) as error:
        raise CodecError(f"invalid msgpack: {error}") from error
    _check_arrays(before, values, what)
    return values


def count_values(data: Buffer) -> int:
    """How many msgpack values `data` holds back to back, skipped without building
    Python objects. Raises CodecError for bytes that are not whole values."""
    size = len(data)
    if not size:
        return 0
    unpacker = _new_unpacker(size)
    count = 0
    try:
        unpacker.feed(data)
        while True:
            try:
                unpacker.skip()
            except msgpack.OutOfData:
                break
            count += 1
    except _value_exts.DurationError:
        raise  # valid msgpack: a duration Python cannot hold
    except (ValueError, OverflowError, TypeError) as error:
        raise CodecError(f"invalid msgpack: {error}") from error
    left = size - unpacker.tell()
    if left:
        raise CodecError(f"truncated msgpack: {left} trailing bytes do not form a value")
    return count


def array_header(count: int) -> bytes:
    """The msgpack array header for `count` elements (the values follow it)."""
    return msgpack.Packer().pack_array_header(count)  # type: ignore[no-any-return]


def unpack_result_block_with(data: Buffer, lists: Tuple[Sequence[Any], Sequence[Any], bytes]) -> Any:
    """As :func:`unpack_result_block` for a block whose ext 73/74 hold indexes into
    `lists` (refs, actor handles, per-ref flags: 1 when its value is a native
    producer's bytes) instead of ids of this process's stores."""
    outer = _refs_tls.lists
    _refs_tls.lists = lists
    try:
        return unpack_result_block(data)
    finally:
        _refs_tls.lists = outer


def unpack_result_block(data: Buffer, callee: str = "", kind: str = "result") -> Any:
    """A native return block as a Python caller sees it: no value -> None, one ->
    the value, several -> a list. `callee` names the task in errors, `kind` the value
    ("result", "stream item")."""
    what = f"result of {callee}: position" if callee else "result"
    try:
        values = unpack_first_values(data, what)
    except CodecError as error:
        if isinstance(error.__cause__, UnicodeDecodeError):  # text that is not UTF-8: where
            raise _not_utf8.in_block(data, kind, callee) or error from None
        raise
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return values
