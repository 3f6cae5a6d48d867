"""Native results that hold text (msgpack str) whose bytes are not UTF-8: where, so the
error names the task, the result's position, the element, and the way out
(:class:`~goray.errors.NotUTF8Error`). Only after a decode failed: nothing per call.

The codec route decodes a reply with msgpack, which stops at such a string without
saying where; :func:`in_block` decodes the block again, each such string's bytes kept in
a str as lone surrogates ('surrogateescape', its ext values left undecoded), and finds the
first. The typed route (an application's entries module) decodes the same way itself and
hands its value to :func:`raise_in_value`.

Tests: tests/python/test_not_utf8.py
"""

from __future__ import annotations

from typing import Any, List, NoReturn, Optional, Tuple

import msgpack  # type: ignore[import-untyped]

from .errors import NotUTF8Error

__all__ = ["in_block", "raise_in_value", "find"]

_MAX_DEPTH = 64


def _bad(text: str) -> Optional[Tuple[bytes, int]]:
    """(the string's bytes, the offset of the first byte that is not UTF-8), or None."""
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogateescape")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return data, error.start
    return None  # (a lone surrogate that was not an escaped byte)


def _key_text(key: Any) -> str:
    # As the C++ codec writes paths (goray._codec._path_key): ["k"] for a str, [5] for an
    # int; a str that holds bytes that are not UTF-8 as those bytes (b'k\xff').
    if isinstance(key, str):
        bad = _bad(key)
        if bad is not None:
            return repr(bad[0])
        return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(key)


def find(value: Any, depth: int = 0) -> Optional[Tuple[str, bytes, int]]:
    """(path, bytes, offset) of the first str in `value` that holds escaped bytes (depth
    first, keys before values), or None."""
    if isinstance(value, str):
        bad = _bad(value)
        return ("", *bad) if bad is not None else None
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(value, (list, tuple)):
        for index, child in enumerate(value):
            found = find(child, depth + 1)
            if found is not None:
                return (f"[{index}]{found[0]}", found[1], found[2])
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str) and (bad := _bad(key)) is not None:
                return (f"[key {_key_text(key)}]", *bad)
            found = find(child, depth + 1)
            if found is not None:
                return (f"[{_key_text(key)}]{found[0]}", found[1], found[2])
    return None


def _error(values: List[Any], several: bool, what: str, task: str) -> Optional[NotUTF8Error]:
    for position, value in enumerate(values):
        found = find(value)
        if found is not None:
            path, data, offset = found
            return NotUTF8Error(what, position if several else None, path, data, offset, task)
    return None


def in_block(data: Any, what: str = "result", task: str = "") -> Optional[NotUTF8Error]:
    """The error for the first string in the msgpack values `data` whose bytes are not
    UTF-8 (several values: each is a result of its own position), or None when there is
    none (the block failed to decode for another reason)."""
    unpacker = msgpack.Unpacker(raw=False, unicode_errors="surrogateescape", strict_map_key=False,
                                max_buffer_size=max(len(data), 1))
    try:
        unpacker.feed(data)
        values = list(unpacker)
    except Exception:  # noqa: BLE001 - another failure: the caller's error stands
        return None
    return _error(values, len(values) > 1, what, task)


def raise_in_value(task: str, value: Any, several: bool) -> NoReturn:
    """The typed route's: `value` (a result converted with 'surrogateescape') holds such a
    string; `several`: it is the list of a task's several results."""
    error = _error(list(value) if several else [value], several, "result", task)
    if error is None:  # (cannot happen: the converter said so)
        raise NotUTF8Error("result", None, "", b"", 0, task)
    raise error
