"""NumPy arrays on the wire: msgpack ext 71 (inline) and ext 72 (by address).

Formats: docs/protocol.md §10. NumPy is imported only when an array is
met; without it an array result or argument is a clear error (``pip install numpy``).

How arrays are written, by *mode*:

- ``NESTED``: nested lists (``tolist()``; complex as ``[re, im]``), for libraries of
  protocol version < 2 (GoRay's) that know no array ext.
- ``INLINE``: ext 71, the data inside the bytes, 64-byte aligned from the start of
  the value (or args block) being written. For bytes that are stored or cross
  processes, and Python's replies to native callers.
- ``BORROWED``: ext 72 with the ndarray's own address (zero copies; a non-contiguous
  or misaligned array is copied once by ``numpy.ascontiguousarray``). In-process
  Execute calls only: the memory must outlive the call (see ``keep`` in
  :func:`goray._codec.pack_args`).

Reading: ext 72 *owned* becomes a writable ndarray adopting the native buffer,
released (Py2Native 36 ReleaseArray) once the array and every view of it are
collected. Ext 71 becomes a read-only ndarray over the bytes msgpack hands the ext
hook (one copy, made by msgpack-python; a second when the data is misaligned), like
arrays Ray returns from its object store.

Accepted as arrays when packing: ``numpy.ndarray`` of a supported dtype, and 1-D
``array.array`` (any argument depth); a ``memoryview`` of a numeric format other
than bytes (``B``, ``b``, ``c``) as a top-level argument (elsewhere msgpack packs
any memoryview as bin). NumPy scalars of bool, integer and float kinds are packed
as the Python scalar (``.item()``).

Tests: tests/python/test_arrays.py, tests/python/test_arrays_codec.py,
tests/python/test_arrays_scatter.py, tests/ray/test_arrays.py,
tests/ray/test_arrays_out_of_band.py, tests/python/test_bytes_handoff.py
"""

from __future__ import annotations

import array as _array
import struct
import sys
import threading
from typing import Any, Callable, List, Optional, Tuple

from ._protocol import CodecError
from ._protocol_numbers import (ARRAY_ADDRESS_BYTES, ARRAY_BYTES, ARRAY_COLUMN_MAJOR, ARRAY_DATA_ALIGN,
                                ARRAY_EXTENT_BYTES, ARRAY_HEAD_BYTES, ARRAY_OWNED, ARRAY_PAD_MASK,
                                EXT_ARRAY_ADDRESS, EXT_ARRAY_INLINE, MAX_ARRAY_DIMS)

__all__ = [
    "EXT_INLINE", "EXT_ADDRESS", "NESTED", "INLINE", "BORROWED", "DTYPE_NAMES",
    "wire_mode", "enable", "is_array", "describe", "BadArray", "ArraysNeedNumpy",
    "encode", "encode_prepare", "inline_ext", "ext_hook", "decode_inline", "stats", "missing_count",
]

EXT_INLINE = EXT_ARRAY_INLINE
EXT_ADDRESS = EXT_ARRAY_ADDRESS

NESTED = "nested"
INLINE = "inline"
BORROWED = "borrowed"

#: (numpy dtype.kind, itemsize) -> numpy dtype name, every dtype the wire carries.
DTYPE_NAMES = {
    ("b", 1): "bool",
    ("i", 1): "int8", ("i", 2): "int16", ("i", 4): "int32", ("i", 8): "int64",
    ("u", 1): "uint8", ("u", 2): "uint16", ("u", 4): "uint32", ("u", 8): "uint64",
    ("f", 4): "float32", ("f", 8): "float64",
    ("c", 8): "complex64", ("c", 16): "complex128",
}
_SUPPORTED_TEXT = ("an array of " + ", ".join(DTYPE_NAMES.values())
                   + f" (little-endian, at most {MAX_ARRAY_DIMS} dimensions)")
_NUMPY_HINT = "NumPy is not installed: pip install numpy"

_EXT32_LIMIT = (1 << 32) - 1
_BYTE_FORMATS = ("B", "b", "c")


class BadArray(TypeError):
    """An array that cannot be sent (dtype, byte order, size). ``expected`` and
    ``received`` feed :class:`goray.ArgumentError`."""

    def __init__(self, expected: str, received: str) -> None:
        self.expected = expected
        self.received = received
        super().__init__(f"expected {expected}, received {received}")


class ArraysNeedNumpy(BadArray):
    """An array met where NumPy is needed and not installed."""


# ---- the wire mode of this process ---------------------------------------------

class _State:
    mode = NESTED                      # ext 71/72 only after EnableArrays
    column_major = False               # F-ordered arrays sent as they are (Feature.COLUMN_MAJOR)
    release: Optional[Callable[[int], None]] = None
    adopted = 0
    released = 0


_state = _State()


def wire_mode() -> str:
    """INLINE once the loaded library accepted EnableArrays, else NESTED."""
    return _state.mode


def enable(release: Callable[[int], None]) -> None:
    """The library speaks arrays (EnableArrays succeeded); `release(token)` sends
    ReleaseArray."""
    _state.release = release
    _state.mode = INLINE


def enable_column_major(on: bool) -> None:
    """Whether the library reads column-major arrays (it turned on Feature.COLUMN_MAJOR):
    an F-ordered ndarray is then sent as it is, with the column-major bit, instead of
    copied into C order."""
    _state.column_major = on


def column_major_enabled() -> bool:
    return _state.column_major


def _order_bit(arr: Any) -> int:
    """The column-major bit of a prepared array's ext (its 4th header byte)."""
    return ARRAY_COLUMN_MAJOR if not arr.flags.c_contiguous else 0


def data_bytes(arr: Any) -> Any:
    """A prepared (C- or F-contiguous) array's data as a flat uint8 memoryview, in memory
    order (no copy)."""
    return arr.reshape(-1, order="A").view("u1").data


def stats() -> Tuple[int, int]:
    """(native buffers adopted, released) so far in this process."""
    return _state.adopted, _state.released


# ---- numpy, lazily -----------------------------------------------------------------

def _numpy() -> Any:
    module = sys.modules.get("numpy")
    if module is not None:
        return module
    import numpy  # noqa: PLC0415 - only when an array is met
    return numpy


def _numpy_or_none() -> Any:
    try:
        return _numpy()
    except ImportError:
        return None


def is_array(value: Any) -> bool:
    """An ndarray, array.array, numeric memoryview or DLPack exporter (no NumPy import)."""
    module = sys.modules.get("numpy")
    if module is not None and isinstance(value, module.ndarray):
        return True
    if isinstance(value, _array.array):
        return True
    if isinstance(value, memoryview):
        return value.format not in _BYTE_FORMATS
    return _is_dlpack(value)


def _is_dlpack(value: Any) -> bool:
    # A tensor of PyTorch, JAX, CuPy, PyArrow, ...: read through numpy.from_dlpack.
    kind = type(value)
    return hasattr(kind, "__dlpack__") and hasattr(kind, "__dlpack_device__")


#: DLPack's device types (dlpack.h's DLDeviceType), for errors naming a tensor's device.
_DLPACK_DEVICES = {1: "cpu", 2: "cuda", 3: "cuda_host", 4: "opencl", 7: "vulkan", 8: "metal",
                   9: "vpi", 10: "rocm", 11: "rocm_host", 12: "ext_dev", 13: "cuda_managed",
                   14: "oneapi", 15: "webgpu", 16: "hexagon", 17: "maia"}


def _from_dlpack(value: Any, numpy: Any) -> Any:
    """A DLPack exporter's tensor as an ndarray over its memory (no copy), or BadArray
    naming its device when that is not the CPU's memory."""
    try:
        device_type, device_id = value.__dlpack_device__()
    except Exception as error:  # noqa: BLE001: the exporter's own failure, named
        raise BadArray("an array (its __dlpack_device__ failed)",
                       f"{describe(value)}: {type(error).__name__}: {error}") from None
    if int(device_type) != 1:
        device = _DLPACK_DEVICES.get(int(device_type), f"device type {int(device_type)}")
        raise BadArray("an array in CPU memory (copy the tensor to the CPU first)",
                       f"{describe(value)} on {device}:{int(device_id)}")
    try:
        return numpy.from_dlpack(value)
    except (TypeError, ValueError, BufferError, RuntimeError) as error:
        raise BadArray("an array NumPy can read through DLPack",
                       f"{describe(value)}: {error}") from None


def _shape_text(shape: Tuple[int, ...]) -> str:
    return str(tuple(int(n) for n in shape))


def describe(value: Any) -> str:
    """``ndarray of int32 (2, 3)``: how error texts name an array argument."""
    module = sys.modules.get("numpy")
    if not (module is not None and isinstance(value, module.ndarray)) and _is_dlpack(value):
        return f"{type(value).__module__}.{type(value).__qualname__} (DLPack)"
    if isinstance(value, _array.array):
        return f"array.array of {value.typecode!r} ({len(value)},)"
    if isinstance(value, memoryview):
        return f"memoryview of {value.format!r} {_shape_text(value.shape or ())}"
    dtype = value.dtype
    name = dtype.name if dtype.byteorder != ">" else f"big-endian {dtype.name}"
    return f"ndarray of {name} {_shape_text(value.shape)}"


def _as_ndarray(value: Any) -> Any:
    """The value as an ndarray (no copy for array.array or memoryview)."""
    module = sys.modules.get("numpy")
    if module is not None and isinstance(value, module.ndarray):
        return value
    try:
        numpy = _numpy()
    except ImportError:
        raise ArraysNeedNumpy(f"NumPy to pass an array ({_NUMPY_HINT})", describe(value)) from None
    if isinstance(value, memoryview) and value.ndim != 1:
        raise BadArray("a 1-D buffer (array.array or memoryview)", describe(value))
    if _is_dlpack(value):
        return _from_dlpack(value, numpy)
    return numpy.asarray(value)


def _checked(arr: Any, original: Any) -> Tuple[str, int]:
    dtype = arr.dtype
    key = (dtype.kind, dtype.itemsize)
    if key not in DTYPE_NAMES or dtype.byteorder == ">" or (
            dtype.byteorder == "=" and sys.byteorder != "little") or arr.ndim > MAX_ARRAY_DIMS:
        raise BadArray(_SUPPORTED_TEXT, describe(original))
    return key


def _header(kind: str, itemsize: int, shape: Tuple[int, ...], fourth: int) -> bytes:
    ndim = len(shape)
    return struct.pack(f"<cBBB{ndim}q", kind.encode(), itemsize, ndim, fourth, *shape)


def _nested(arr: Any) -> Any:
    if arr.dtype.kind == "c":
        numpy = _numpy()
        return numpy.stack([arr.real, arr.imag], axis=-1).tolist()
    return arr.tolist()


def _ext_header_size(length: int) -> int:
    if length in (1, 2, 4, 8, 16):
        return 2
    if length < 256:
        return 3
    if length < 65536:
        return 4
    return 6


def inline_ext(arr: Any, original: Any, at: int) -> Tuple[int, bytes, Any]:
    """(ext header size, payload header with padding, data source) of ext 71 for a
    prepared array (encode_prepare) whose ext starts `at` bytes into the buffer."""
    kind, itemsize = arr.dtype.kind, arr.dtype.itemsize
    head = _header(kind, itemsize, arr.shape, 0)
    nbytes = arr.nbytes
    pad, size = 0, 0
    for _ in range(4):
        size = _ext_header_size(len(head) + pad + nbytes)
        pad = -(at + size + len(head)) % ARRAY_DATA_ALIGN
        if _ext_header_size(len(head) + pad + nbytes) == size:
            break
    length = len(head) + pad + nbytes
    if length > _EXT32_LIMIT:
        raise BadArray("an array under 4 GiB to send inline (msgpack ext32)",
                       f"{describe(original)} of {nbytes} bytes")
    head = _header(kind, itemsize, arr.shape, pad | _order_bit(arr)) + bytes(pad)
    return size, head, arr


def encode_prepare(value: Any, keep: Optional[List[Any]]) -> Any:
    """`value` as a checked, C-contiguous, aligned ndarray (or F-contiguous, with 2 or
    more dimensions, where the library reads column-major arrays). A copy (or a view made
    of an array.array) is appended to `keep`. Raises BadArray."""
    arr = _as_ndarray(value)
    _checked(arr, value)
    sent_as_is = arr.flags.c_contiguous or (_state.column_major and arr.flags.f_contiguous)
    if not (sent_as_is and arr.flags.aligned):
        arr = _numpy().ascontiguousarray(arr)  # the one copy
        if not arr.flags.aligned:
            arr = arr.copy()
    if arr is not value and keep is not None:
        keep.append(arr)
    return arr


def encode(value: Any, mode: str, offset: int, keep: Optional[List[Any]]) -> Any:
    """What msgpack should pack for an array-like `value` (a msgpack ExtType or
    nested lists), the ext's start being `offset` bytes into the buffer. Copies
    made for BORROWED are appended to `keep`. Raises BadArray."""
    import msgpack  # type: ignore[import-untyped]

    if mode == NESTED:
        arr = _as_ndarray(value)
        _checked(arr, value)
        return _nested(arr)
    arr = encode_prepare(value, keep)
    kind, itemsize = arr.dtype.kind, arr.dtype.itemsize
    if mode == BORROWED:
        address = arr.__array_interface__["data"][0]
        payload = (_header(kind, itemsize, arr.shape, _order_bit(arr))
                   + struct.pack("<QQ", address, 0))
        return msgpack.ExtType(EXT_ADDRESS, payload)
    _, head, data = inline_ext(arr, value, offset)
    return msgpack.ExtType(EXT_INLINE, b"".join((head, data_bytes(data))))


# ---- reading ---------------------------------------------------------------------------

class _MissingArray:
    """Stands for an array decoded where NumPy is missing (an error follows)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"<array {self.text}: {_NUMPY_HINT}>"


class _Tls(threading.local):
    missing = 0


_tls = _Tls()


def missing_count() -> int:
    """How many arrays this thread decoded without NumPy (callers compare counts
    before and after a decode)."""
    return _tls.missing


def find_missing(value: Any, depth: int = 0) -> Optional[_MissingArray]:
    """The first array in `value` that could not be built without NumPy."""
    if isinstance(value, _MissingArray):
        return value
    if depth > 64:
        return None
    if isinstance(value, (list, tuple)):
        children: Any = value
    elif isinstance(value, dict):
        children = value.values()
    else:
        return None
    for child in children:
        found = find_missing(child, depth + 1)
        if found is not None:
            return found
    return None


def numpy_missing_text(value: Any) -> str:
    found = find_missing(value)
    what = found.text if found is not None else "an array"
    return f"{what} cannot be built: {_NUMPY_HINT}"


class _Adopted:
    """Owns a native buffer handed over by ext 72: NumPy arrays made from it keep
    it as their base (views too); when the last one goes, so does this, and the
    token is released (no release at interpreter exit: the process frees all)."""

    __slots__ = ("__array_interface__", "token")

    def __init__(self, interface: dict, token: int) -> None:
        self.__array_interface__ = interface
        self.token = token

    # sys.is_finalizing bound at definition: at exit CPython (3.13 seen) may clear this
    # module's globals before the last array goes, and `sys` is then None.
    def __del__(self, _is_finalizing: Callable[[], bool] = sys.is_finalizing) -> None:
        if not _is_finalizing():
            _release(self.token)


def release_token(token: int) -> None:
    """ReleaseArray for a handed-over buffer taken at once (a column's Arrow structs, moved
    into capsules that now own what they point to)."""
    _state.adopted += 1
    _release(token)


def _release(token: int) -> None:
    _state.released += 1
    release = _state.release
    if release is not None:
        release(token)


# Per ndim, the struct of a shape; and the dtypes by their two header bytes.
_SHAPES = [struct.Struct(f"<{ndim}q") for ndim in range(256)]
_KINDS = {(ord(kind), size): kind for kind, size in DTYPE_NAMES}
_U64_PAIR = struct.Struct("<QQ")
_LONGEST_HEAD = ARRAY_HEAD_BYTES + ARRAY_EXTENT_BYTES * MAX_ARRAY_DIMS


def _parse_head(data: bytes, code: int) -> Tuple[str, int, Tuple[int, ...], int, int]:
    """(kind, itemsize, shape, 4th header byte, end of the shape) of an array ext."""
    if len(data) < ARRAY_HEAD_BYTES:
        raise CodecError(f"ext {code}: {len(data)} bytes, too short for an array header")
    itemsize, ndim, fourth = data[1], data[2], data[3]
    kind = _KINDS.get((data[0], itemsize))
    end = ARRAY_HEAD_BYTES + ARRAY_EXTENT_BYTES * ndim
    if len(data) < end:
        raise CodecError(f"ext {code}: {len(data)} bytes, too short for {ndim} dimensions")
    shape = _SHAPES[ndim].unpack_from(data, ARRAY_HEAD_BYTES)
    if kind is None or ndim > MAX_ARRAY_DIMS or min(shape, default=0) < 0:
        raise CodecError(f"ext {code}: not an array (dtype {chr(data[0])!r}{itemsize}, "
                           f"shape {shape})")
    return kind, itemsize, shape, fourth, end


def _count(shape: Tuple[int, ...]) -> int:
    count = 1
    for n in shape:
        count *= n
    return count


def decode_inline(data: Any) -> Any:
    """The ndarray of an ext 71 payload (bytes or any buffer): a read-only view
    over `data` when the data is aligned, else a read-only copy."""
    kind, itemsize, shape, fourth, end = _parse_head(bytes(data[:_LONGEST_HEAD]), EXT_INLINE)
    if fourth & ~(ARRAY_PAD_MASK | ARRAY_COLUMN_MAJOR):  # bit 6, reserved
        raise CodecError(f"ext 71: 4th byte {fourth} has the reserved bit 6 set")
    start = end + (fourth & _PAD_MASK)
    nbytes = _count(shape) * itemsize
    if len(data) != start + nbytes:
        raise CodecError(f"ext 71: {len(data)} bytes, expected {start + nbytes} for "
                         f"{DTYPE_NAMES[(kind, itemsize)]} {_shape_text(shape)}")
    numpy = _numpy()
    dtype = numpy.dtype(DTYPE_NAMES[(kind, itemsize)])
    arr = numpy.frombuffer(data, dtype=dtype, count=_count(shape), offset=start)
    if not arr.flags.aligned:
        arr = arr.copy()
    arr.flags.writeable = False
    return arr.reshape(shape, order="F" if fourth & ARRAY_COLUMN_MAJOR else "C")


# numpy typestrs by (kind, itemsize): NumPy needs no dtype object to adopt a buffer.
_TYPESTRS = {key: ("|" if key[1] == 1 else "<") + key[0] + str(key[1]) for key in DTYPE_NAMES}


def typestr(kind: str, itemsize: int) -> str:
    """NumPy's typestr of an array element ("<f8"); KeyError for none the wire carries."""
    return _TYPESTRS[(kind, itemsize)]


def numpy_module() -> Any:
    """NumPy, imported; ArraysNeedNumpy when it is not installed."""
    try:
        return _numpy()
    except ImportError:
        raise ArraysNeedNumpy(f"NumPy for an array result ({_NUMPY_HINT})", "an array") from None


def _fortran_strides(shape: Tuple[int, ...], itemsize: int) -> Tuple[int, ...]:
    strides, step = [], itemsize
    for extent in shape:
        strides.append(step)
        step *= extent
    return tuple(strides)


def _adopt(kind: str, itemsize: int, shape: Tuple[int, ...], address: int, token: int,
           column_major: bool = False) -> Any:
    numpy = sys.modules.get("numpy") or _numpy()
    interface = {"version": 3, "shape": shape, "typestr": _TYPESTRS[(kind, itemsize)],
                 "data": (address or 0, False)}
    if column_major and len(shape) >= 2:
        interface["strides"] = _fortran_strides(shape, itemsize)
    owner = _Adopted(interface, token)
    _state.adopted += 1
    return numpy.asarray(owner)


def ext_hook(code: int, data: bytes) -> Any:
    """msgpack's ext_hook: arrays for 71 and 72, ExtType for any other code."""
    if code == EXT_INLINE:
        if _numpy_or_none() is None:
            kind, itemsize, shape, _, _ = _parse_head(data, code)
            return _missing(kind, itemsize, shape)
        return decode_inline(data)
    if code == EXT_ADDRESS:
        return _address(data)
    import msgpack  # type: ignore[import-untyped]
    return msgpack.ExtType(code, data)


def _address(data: bytes) -> Any:
    kind, itemsize, shape, flags, end = _parse_head(data, EXT_ADDRESS)
    if len(data) != end + ARRAY_ADDRESS_BYTES:
        raise CodecError(f"ext 72: {len(data)} bytes, expected {end + ARRAY_ADDRESS_BYTES}")
    address, token = _U64_PAIR.unpack_from(data, end)
    if not flags & ARRAY_OWNED:
        raise CodecError("ext 72: a borrowed array in a reply (only owned ones may come back)")
    if flags & BYTES_FLAG:
        return adopted_bytes(shape, address, token)
    if sys.modules.get("numpy") is None and _numpy_or_none() is None:
        _release(token)
        return _missing(kind, itemsize, shape)
    # a failure: __del__ releases
    return _adopt(kind, itemsize, shape, address, token, bool(flags & ARRAY_COLUMN_MAJOR))


#: ext 72 flags bit 2: a large bytes result handed over (docs/protocol.md §10).
BYTES_FLAG = ARRAY_BYTES
#: ext 71's pad: the 4th header byte's bits 0-5 (bit 7: column-major, bit 6 reserved).
_PAD_MASK = ARRAY_PAD_MASK


def adopted_bytes(shape: Tuple[int, ...], address: int, token: int) -> bytes:
    """The bytes a library handed over (ext 72 owned, bytes flag): copied, then
    released at once."""
    _state.adopted += 1
    try:
        if len(shape) != 1:
            raise CodecError(f"ext 72: bytes of shape {_shape_text(shape)} (expected 1-D)")
        import ctypes  # noqa: PLC0415 - only for handed-over bytes
        return ctypes.string_at(address, shape[0]) if shape[0] else b""
    finally:
        _release(token)


def _missing(kind: str, itemsize: int, shape: Tuple[int, ...]) -> _MissingArray:
    _tls.missing += 1
    return _MissingArray(f"ndarray of {DTYPE_NAMES[(kind, itemsize)]} {_shape_text(shape)}")
