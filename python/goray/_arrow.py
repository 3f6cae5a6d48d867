"""Arrow string and binary columns in values: msgpack ext 78 (inline) and ext 79 (Arrow C
Data Interface structs by address).

Formats: docs/protocol.md §10, "String and binary columns". A *column* is any object that
exports the Arrow PyCapsule protocol (``__arrow_c_array__``, or ``__arrow_c_stream__`` for a
``pyarrow.ChunkedArray``) and holds strings or bytes: string, large_string, string_view,
binary, large_binary, binary_view, or a dictionary of them. Numeric Arrow arrays are not
columns: they travel as arrays (DLPack, :mod:`goray._arrays`). goray links no libarrow and
imports pyarrow only to build a result (``pyarrow.array`` of the capsules).

How a column is written, by the :mod:`goray._arrays` mode of the value:

- ``BORROWED`` (in-process calls): ext 79 with the addresses of the object's own Arrow
  structs (no copy); the structs stay exported until the call returns (``keep``).
- otherwise: ext 78, the rows in Arrow's offsets layout (one copy, joined from every
  chunk and layout), for bytes that are stored or cross processes.

Only to a library that turned on EnableFeatures bit 64 (goray's, from this version on):
to another one (GoRay's Go libraries, older goray ones) a column is an ArgumentError.

Reading: ext 78 becomes a pyarrow array over the bytes msgpack handed the ext hook (no
further copy); ext 79 *owned* (an in-process result) becomes a pyarrow array over the
library's own buffers, moved out of the structs it handed over, whose token is released
at once (the array's release frees the buffers).

Tests: tests/python/test_arrow_columns.py
"""

from __future__ import annotations

import importlib
import struct
import sys
from typing import Any, List, Optional, Tuple

import msgpack  # type: ignore[import-untyped]

from . import _arrays
from ._protocol import CodecError
from ._protocol_numbers import (ARRAY_OWNED, COLUMN_ADDRESS_CHUNK_BYTES, COLUMN_ADDRESS_HEAD_BYTES,
                                COLUMN_ADDRESS_TOKEN_BYTES, EXT_COLUMN_ADDRESS, EXT_COLUMN_INLINE)
from .errors import GorayError

__all__ = ["EXT_INLINE", "EXT_ADDRESS", "enable", "enabled", "is_column", "describe", "encode",
           "ext_hook", "as_array", "ColumnsNeedPyarrow"]

EXT_INLINE = EXT_COLUMN_INLINE
EXT_ADDRESS = EXT_COLUMN_ADDRESS

_PYARROW_HINT = "pyarrow is not installed: pip install pyarrow (or goray-cpp[data])"


class ColumnsNeedPyarrow(GorayError):
    """A string or binary column result met where pyarrow is not installed."""


class _State:
    enabled = False  # the library turned on EnableFeatures bit 64
    release: Any = None  # release(token): ReleaseArray, from goray._arrays


_state = _State()


def enable(on: bool) -> None:
    """Whether the loaded library reads and writes columns (its EnableFeatures answer)."""
    _state.enabled = on


def enabled() -> bool:
    return _state.enabled


def _fast() -> Any:
    # goray._fastpath, which goray._codec loaded (and checked) before any value met here;
    # by name, as goray._codec imports it.
    module = sys.modules.get(__package__ + "._fastpath")
    return module if module is not None else importlib.import_module("._fastpath", __package__)


def _schema_capsule(value: Any) -> Any:
    """The schema capsule of a column's type without exporting its data, where the object
    offers one (a pyarrow array's ``type``); None otherwise."""
    for holder in (getattr(value, "type", None), value):
        make = getattr(holder, "__arrow_c_schema__", None)
        if make is not None:
            try:
                return make()
            except Exception:  # noqa: BLE001 - not a schema after all: export to see
                return None
    return None


def is_column(value: Any) -> bool:
    """Whether `value` exports Arrow strings or bytes (no pyarrow import)."""
    kind = type(value)
    if not (hasattr(kind, "__arrow_c_array__") or hasattr(kind, "__arrow_c_stream__")):
        return False
    schema = _schema_capsule(value)
    if schema is None:  # an exporter without a schema of its own: packing decides
        return not hasattr(kind, "__dlpack__")
    return bool(_fast().arrow_values(schema))


def describe(value: Any) -> str:
    """``pyarrow.lib.StringArray of 3 rows``: how error texts name a column argument."""
    kind = type(value)
    try:
        rows: Optional[int] = len(value)
    except TypeError:
        rows = None
    of = f" of {rows} rows" if rows is not None else ""
    return f"{kind.__module__}.{kind.__qualname__}{of}"


def encode(value: Any, mode: str, keep: Optional[List[Any]]) -> Any:
    """The ext of a column (`mode` a goray._arrays mode; BORROWED pins what it exports in
    `keep`). BadArray when the library reads no columns or `value` holds no strings."""
    if not _state.enabled:
        raise _arrays.BadArray("a value this library reads (it reads no Arrow columns: a goray "
                               "library with EnableFeatures bit 64 does; pass a list)", describe(value))
    fast = _fast()
    try:
        if mode == _arrays.BORROWED and keep is not None:
            borrowed = fast.arrow_borrow(value)
            if borrowed is not None:
                body, pins = borrowed
                keep.append(pins)
                return msgpack.ExtType(EXT_ADDRESS, body)
        else:
            payload = fast.arrow_inline(value)
            if payload is not None:
                if len(payload) > (1 << 32) - 1:
                    raise _arrays.BadArray("a column under 4 GiB to send inline (msgpack ext32)",
                                           f"{describe(value)} of {len(payload)} bytes")
                return msgpack.ExtType(EXT_INLINE, payload)
    except (ValueError, TypeError, AttributeError) as error:
        raise _arrays.BadArray("an Arrow array of strings or bytes", f"{describe(value)}: {error}") from None
    raise _arrays.BadArray("an Arrow array of strings or bytes (string, large_string, string_view, "
                           "binary, large_binary, binary_view or a dictionary of them)", describe(value))


class _Capsules:
    """The Arrow PyCapsule protocol over capsules made once (pyarrow.array takes them)."""

    __slots__ = ("_pair",)

    def __init__(self, pair: Tuple[Any, Any]) -> None:
        self._pair = pair

    def __arrow_c_array__(self, requested_schema: Any = None) -> Tuple[Any, Any]:
        return self._pair


def _pyarrow() -> Any:
    module = sys.modules.get("pyarrow")
    if module is not None:
        return module
    try:
        import pyarrow  # noqa: PLC0415 - only when a column is met
    except ImportError:
        raise ColumnsNeedPyarrow(f"a string or binary column result cannot be built: {_PYARROW_HINT}") from None
    return pyarrow


def as_array(pair: Tuple[Any, Any]) -> Any:
    """The pyarrow array of (schema capsule, array capsule)."""
    return _pyarrow().array(_Capsules(pair))


_ADDRESS_HEAD = struct.Struct("<B3xI")
_U64 = struct.Struct("<Q")


def ext_hook(code: int, data: bytes) -> Any:
    """msgpack's ext_hook for 78 and 79: a pyarrow array."""
    fast = _fast()
    if code == EXT_INLINE:
        try:
            pair = fast.arrow_from_inline(bytes(data))
        except ValueError as error:
            raise CodecError(f"ext 78: {error}") from None
        return as_array(pair)
    fixed = COLUMN_ADDRESS_HEAD_BYTES + COLUMN_ADDRESS_TOKEN_BYTES
    if len(data) < fixed:
        raise CodecError(f"ext 79: {len(data)} bytes, too short")
    flags, count = _ADDRESS_HEAD.unpack_from(data, 0)
    if len(data) != fixed + COLUMN_ADDRESS_CHUNK_BYTES * count or count != 1 or not flags & ARRAY_OWNED:
        raise CodecError(f"ext 79: not a handed-over column (flags {flags}, {count} chunks, "
                         f"{len(data)} bytes)")
    at = COLUMN_ADDRESS_HEAD_BYTES  # the one chunk's schema and array, then the token
    schema, array, token = (_U64.unpack_from(data, at + 8 * i)[0] for i in range(3))
    try:
        pair = fast.arrow_take(schema, array)  # the buffers now live with the capsules
    finally:
        _arrays.release_token(token)
    return as_array(pair)
