"""msgpack exactly as the driver must speak it (protocol.md section 5).

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
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any, List, Optional, Sequence, Tuple

import msgpack  # type: ignore[import-untyped]

from ._protocol import Buffer
from .errors import ArgumentError

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
]

#: msgpack's largest str, bin, array or map (32-bit lengths): the largest value that
#: crosses between Python and C++, whatever the protocol's 64-bit unit lengths allow.
MAX_LENGTH = (1 << 32) - 1


class CodecError(ValueError):
    """Bytes that are not the msgpack expected."""


# Packers and unpackers are costly to create (about 1 us) and cheap to reuse, so each
# thread keeps one of each. A user is taken out of the pool while it works, so a nested
# use on the same thread (a __del__ run by the GC mid-call) gets a fresh one; one that
# grew past _KEEP_BYTES is dropped rather than kept, so its buffer is freed.
_KEEP_BYTES = 1 << 20


class _Pool(threading.local):
    packer: Optional["msgpack.Packer"] = None
    unpacker: Optional["msgpack.Unpacker"] = None


_pool = _Pool()


def _new_packer() -> "msgpack.Packer":
    return msgpack.Packer(use_bin_type=True, datetime=True)


def _new_unpacker(size: int) -> "msgpack.Unpacker":
    # Every limit (max_str_len, max_bin_len, ...) derives from max_buffer_size.
    return msgpack.Unpacker(None, raw=False, strict_map_key=False, timestamp=3,
                            max_buffer_size=max(size, 1))


def pack(value: Any) -> bytes:
    """One msgpack value."""
    pool = _pool
    packer = pool.packer
    if packer is None:
        packer = _new_packer()
    else:
        pool.packer = None
    data: bytes = packer.pack(value)  # on failure msgpack resets the packer itself
    if len(data) <= _KEEP_BYTES:
        pool.packer = packer
    return data


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
            pack(child)
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


def pack_args(task: str, args: Sequence[Any]) -> bytes:
    """An args block: one msgpack value per argument, concatenated. A value that
    cannot be packed raises ``ArgumentError`` naming the task and position."""
    pieces: List[bytes] = []
    for position, arg in enumerate(args):
        try:
            pieces.append(pack(arg))
        except (TypeError, ValueError, OverflowError) as error:
            culprit, path = _find_culprit_at(arg)
            received = _describe_received(culprit)
            if _is_too_large(error) and _length(culprit) is not None:
                received = str(_length(culprit))
            if culprit is not arg:
                received = f"{type(arg).__name__} holding {received} (at {path})"
            raise ArgumentError(task, position, _expected_for(culprit, error), received) from error
    if len(pieces) == 1:
        return pieces[0]
    return b"".join(pieces)


def unpack(data: Buffer) -> Any:
    """Exactly one msgpack value."""
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=3)
    except msgpack.ExtraData as error:
        raise CodecError(f"expected one msgpack value, found more ({len(error.extra)} "
                         "bytes left over)") from None
    except (ValueError, OverflowError, TypeError) as error:
        raise CodecError(f"invalid msgpack: {error}") from error


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
    except (ValueError, OverflowError, TypeError) as error:  # the unpacker is dropped: state unknown
        raise CodecError(f"invalid msgpack: {error}") from error
    left = size - (consumed - start)
    if left:  # the unpacker holds a partial value: it is dropped, not pooled
        raise CodecError(f"truncated msgpack: {left} trailing bytes do not form a value")
    if size <= _KEEP_BYTES:
        pool.unpacker = unpacker
    return values


def unpack_values(data: Buffer) -> List[Any]:
    """Every value of an args block or native return block (possibly none)."""
    if not len(data):
        return []
    return _unpack_stream(data)


def unpack_first_values(data: Buffer) -> List[Any]:
    """As :func:`unpack_values`, faster when the block usually holds one value."""
    if not len(data):
        return []
    try:
        return [msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=3)]
    except msgpack.ExtraData as more:
        # The first value came out; the rest follow in the same stream.
        return [more.unpacked, *_unpack_stream(more.extra)]
    except (ValueError, OverflowError, TypeError) as error:
        raise CodecError(f"invalid msgpack: {error}") from error


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
    except (ValueError, OverflowError, TypeError) as error:
        raise CodecError(f"invalid msgpack: {error}") from error
    left = size - unpacker.tell()
    if left:
        raise CodecError(f"truncated msgpack: {left} trailing bytes do not form a value")
    return count


def array_header(count: int) -> bytes:
    """The msgpack array header for `count` elements (the values follow it)."""
    return msgpack.Packer().pack_array_header(count)  # type: ignore[no-any-return]


def unpack_result_block(data: Buffer) -> Any:
    """A native return block as a Python caller sees it: no value -> None, one ->
    the value, several -> a list."""
    values = unpack_first_values(data)
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return values
