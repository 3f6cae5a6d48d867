"""Complex numbers, paths and durations on the wire (docs/protocol.md §5, "Value exts").

msgpack has no type for them, so goray gives each an ext:

- ``complex`` <-> ext 75: the real and imaginary parts, float64 little-endian (16 bytes;
  a ``std::complex<float>`` writes float32 parts, 8 bytes);
- ``os.PathLike`` -> ext 76 -> ``pathlib.Path``: the path's bytes as the OS keeps them
  (``os.fsencode``/``os.fsdecode``), so paths that are not UTF-8 round-trip exactly;
- ``datetime.timedelta`` <-> ext 77: int64 seconds (rounded down) and uint32 nanoseconds,
  little-endian. A duration with nanoseconds a ``timedelta`` cannot hold is refused
  (:class:`DurationError`, a :class:`goray._codec.CodecError`), never rounded.

The exts are written only to a library of protocol version 7 or later (:func:`enable`,
called when one is loaded); otherwise, and for GoRay's Go libraries, a complex goes as
``[re, im]``, a path as a ``str`` (``bytes`` when it is not UTF-8) and a duration as an
``int`` of nanoseconds: the forms a C++ parameter also accepts and Go reads.

Tests: tests/python/test_value_exts.py
"""

from __future__ import annotations

import datetime as _dt
import os
import pathlib
import struct
from typing import Any, Optional

import msgpack  # type: ignore[import-untyped]

from ._protocol import CodecError
from ._protocol_numbers import EXT_COMPLEX, EXT_DURATION, EXT_PATH

__all__ = ["EXT_COMPLEX", "EXT_PATH", "EXT_DURATION", "enable", "enabled", "encode", "decode",
           "DurationError"]

_NANOS_PER_SECOND = 1_000_000_000
_COMPLEX128 = struct.Struct("<dd")
_COMPLEX64 = struct.Struct("<ff")
_DURATION = struct.Struct("<qI")
_INT64 = (-(1 << 63), (1 << 63) - 1)


class DurationError(CodecError):
    """A duration a ``datetime.timedelta`` cannot hold exactly."""


class _State:
    exts = False  # the loaded library reads ext 75/76/77


_state = _State()


def enable() -> None:
    """The loaded library speaks protocol version 7: the exts go out."""
    _state.exts = True


def enabled() -> bool:
    return _state.exts


def encode(value: Any) -> Optional[Any]:
    """What msgpack writes for `value`, or None when it is not one of these types."""
    if isinstance(value, complex):
        if not _state.exts:
            return [value.real, value.imag]
        return msgpack.ExtType(EXT_COMPLEX, _COMPLEX128.pack(value.real, value.imag))
    if isinstance(value, _dt.timedelta):
        nanoseconds = ((value.days * 86400 + value.seconds) * 1_000_000
                       + value.microseconds) * 1000
        if not _state.exts:
            return nanoseconds  # (beyond an int64 only past ±292 years: msgpack refuses it)
        seconds, nanos = divmod(nanoseconds, _NANOS_PER_SECOND)
        return msgpack.ExtType(EXT_DURATION, _DURATION.pack(seconds, nanos))
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        raw = os.fsencode(path) if isinstance(path, str) else path
        if _state.exts:
            return msgpack.ExtType(EXT_PATH, raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
    return None


def decode(code: int, data: bytes) -> Any:
    """The value of ext `code` (75, 76 or 77) with body `data`."""
    if code == EXT_COMPLEX:
        if len(data) == 16:
            return complex(*_COMPLEX128.unpack(data))
        if len(data) == 8:
            return complex(*_COMPLEX64.unpack(data))
        raise CodecError(f"ext 75 (a complex number): {len(data)} bytes, expected 8 or 16")
    if code == EXT_PATH:
        return pathlib.Path(os.fsdecode(bytes(data)))
    if code == EXT_DURATION:
        if len(data) != 12:
            raise CodecError(f"ext 77 (a duration): {len(data)} bytes, expected 12")
        seconds, nanos = _DURATION.unpack(data)
        if nanos >= _NANOS_PER_SECOND:
            raise CodecError(f"ext 77 (a duration): {nanos} nanoseconds, expected below 10^9")
        return duration(seconds * _NANOS_PER_SECOND + nanos)
    raise CodecError(f"ext {code} is not a value ext")


def duration(nanoseconds: int) -> _dt.timedelta:
    """`nanoseconds` as a timedelta, exactly, or DurationError."""
    microseconds, rest = divmod(nanoseconds, 1000)
    if rest:
        raise DurationError(f"a duration of {nanoseconds} ns: a datetime.timedelta holds "
                            f"microseconds, so it cannot hold this one exactly")
    try:
        return _dt.timedelta(microseconds=microseconds)
    except OverflowError:
        raise DurationError(f"a duration of {nanoseconds} ns is beyond datetime.timedelta's "
                            f"range (±999999999 days)") from None
