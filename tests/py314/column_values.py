"""The values of tests/py314/test_columns.py and columns_on_ray.py: rows of text and of
bytes (nulls, empty values, UTF-8 beyond ASCII, bytes that are not UTF-8, values over
64 KiB), every Arrow layout a column takes, and what tests/py314/project/columns.cpp's
tasks make of them."""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

import pyarrow as pa

TEXT: List[Optional[str]] = ["hello", None, "", "d\u00e9j\u00e0 vu", "x" * (70 * 1024), "Mixed Case"]
PAYLOAD: List[Optional[bytes]] = [b"\x00\xff\xfe", b"", None, b"\xc3\x28 not utf-8", b"\xfe" * 70000, b"ab"]
COLUMNS = {"text": "string", "payload": "binary"}  # goray.data's declaration of Clean's parameters


def upper(value: Optional[str]) -> Optional[str]:
    """ColumnTasks::UpperText's row: ASCII letters upper-cased, the rest as it was."""
    if value is None:
        return None
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in value)


def reversed_bytes(value: Optional[bytes]) -> Optional[bytes]:
    return None if value is None else value[::-1]


def length(text: Optional[str], payload: Optional[bytes]) -> int:
    """Clean's `length` of a row: its values' bytes, a null counting -1."""
    return (-1 if text is None else len(text.encode())) + (-1 if payload is None else len(payload))


def cleaned(texts: List[Optional[str]], payloads: List[Optional[bytes]]) -> Dict[str, list]:
    """What Clean returns for these rows, as lists."""
    return {"label": [upper(t) for t in texts], "reversed": [reversed_bytes(p) for p in payloads],
            "length": [length(t, p) for t, p in zip(texts, payloads)]}


def _chunked(kind: pa.DataType) -> Callable[[list], pa.ChunkedArray]:
    return lambda rows: pa.chunked_array([pa.array(rows[:2], kind), pa.array([], kind),
                                          pa.array(rows[2:], kind)], kind)


def _sliced(kind: pa.DataType, filler: object) -> Callable[[list], pa.Array]:
    return lambda rows: pa.array([filler, filler, *rows, filler], kind).slice(2, len(rows))


def _layouts(plain: pa.DataType, large: pa.DataType, view: str, filler: object) -> Dict[str, Callable]:
    layouts = {
        str(plain): lambda rows: pa.array(rows, plain),
        str(large): lambda rows: pa.array(rows, large),
        "dictionary": lambda rows: pa.array(rows, plain).dictionary_encode(),
        "sliced": _sliced(plain, filler),
        "chunked": _chunked(plain),
    }
    if hasattr(pa, view):  # pyarrow 16 and later
        layouts[view] = lambda rows: pa.array(rows, getattr(pa, view)())
    return layouts


STRING_LAYOUTS = _layouts(pa.string(), pa.large_string(), "string_view", "skip")
BINARY_LAYOUTS = _layouts(pa.binary(), pa.large_binary(), "binary_view", b"\xff skip")
