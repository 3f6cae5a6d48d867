"""Scattered blocks (docs/protocol.md §10, "Arrays out of band"): a msgpack block whose
large arrays' data lives outside it. The *compact block* keeps each such array's ext 71
header whole (its length counts the data) and leaves the data out; a table says where
each data belongs (its offset in the compact block) and where it is (an address).
Joining the compact pieces and the datas gives the ordinary inline block.

Here, without Ray: the pieces of a compact block, the tables of a scattered call
(3-unit payload) and of a 43/44 reply, and the request/reply pieces that put an
ext 72 at a data's address in place of its header + data (borrowed for a callee,
lent for a GetObject reply). A misaligned data stays inline (its header + data).

Tests: tests/python/test_arrays_scatter.py, tests/python/test_get_objects_lend.py,
tests/ray/test_arrays_out_of_band_cpp.py
"""

from __future__ import annotations

import ctypes
import struct
from typing import Any, List, Optional, Sequence, Tuple

from ... import _arrays
from ..._protocol import ADDRESS_OWNED, ARRAY_COLUMN_MAJOR, Buffer, FramingError
from ..._protocol_numbers import (ARRAY_DATA_ALIGN, ARRAY_EXTENT_BYTES, ARRAY_HEAD_BYTES, MAX_ARRAY_DIMS,
                                  OUT_OF_BAND_FROM)

__all__ = ["OUT_OF_BAND_FROM", "CALL_ENTRY", "RESULT_ENTRY", "RESULT_HEAD", "split", "library_views", "adopted_views",
           "parse_result", "header_start", "address_ext", "address_of", "pieces", "by_address",
           "bytes_ext", "join"]

#: A scattered call's table entry: offset in the compact block, length, address.
CALL_ENTRY = struct.Struct("<QQQ")
#: A 43/44 reply's table entry: offset, length, address, token (ext 72 owned).
RESULT_ENTRY = struct.Struct("<QQQQ")
#: A 43/44 reply's head: value count, table entries.
RESULT_HEAD = struct.Struct("<II")

# Blocks, and arrays inside blocks, from OUT_OF_BAND_FROM bytes on travel out of band (pickle
# protocol 5; goray._ray.values.objects) and go by address to a reader in the process;
# smaller ones are copied, which costs less than the bookkeeping.

_EXT_WIDTHS = {0xc7: 1, 0xc8: 2, 0xc9: 4}  # ext 8/16/32: bytes of the length
# An array ext's payload header at its longest: every dimension, and a pad below the alignment.
_MAX_HEAD = ARRAY_HEAD_BYTES + ARRAY_EXTENT_BYTES * MAX_ARRAY_DIMS + ARRAY_DATA_ALIGN - 1
_PAD_MASK = 0x3F  # ext 71's pad: the 4th header byte's bits 0-5 (bit 7: column-major)


def split(compact: Buffer, offsets: Sequence[int]) -> List[memoryview]:
    """The compact block cut at each data's offset: len(offsets) + 1 views."""
    view = memoryview(compact)
    cuts: List[memoryview] = []
    at = 0
    for offset in offsets:
        if offset < at or offset > len(view):
            raise FramingError(f"a scattered block's table: offset {offset} after {at}, in a "
                               f"compact block of {len(view)} bytes (offsets go up, within it)")
        cuts.append(view[at:offset])
        at = offset
    cuts.append(view[at:])
    return cuts


def _entries(table: Buffer, entry: struct.Struct, what: str) -> List[Tuple[int, ...]]:
    if len(table) % entry.size:
        raise FramingError(f"{what}: a table of {len(table)} bytes, not a multiple of "
                           f"{entry.size} (one entry per array)")
    return list(entry.iter_unpack(table))


def library_views(compact: Buffer, table: Buffer) -> Tuple[List[memoryview], List[memoryview]]:
    """(segments, datas) of a scattered call (Native2Py 5/13/16 with 3 units): each data
    a view of the library's memory at its address (no copy; valid during the command)."""
    entries = _entries(table, CALL_ENTRY, "a scattered call")
    datas = [_memory_at(address, length) for _, length, address in entries]
    return split(compact, [offset for offset, _, _ in entries]), datas


def _memory_at(address: int, length: int) -> memoryview:
    if not address and length:
        raise FramingError(f"a scattered call's table: {length} bytes at address 0")
    return memoryview((ctypes.c_char * length).from_address(address)).cast("B")


def adopted_views(entries: Sequence[Tuple[int, ...]]) -> List[memoryview]:
    """The datas of a 43/44 reply, each handed over under its token: adopted as ext 72
    owned is (goray._arrays), so ReleaseArray frees it once its view is collected."""
    datas: List[memoryview] = []
    for _, length, address, token in entries:
        head = struct.pack("<cBBBq", b"u", 1, 1, ADDRESS_OWNED, length)
        array = _arrays.ext_hook(_arrays.EXT_ADDRESS, head + struct.pack("<QQ", address, token))
        datas.append(memoryview(array))
    return datas


def parse_result(reply: Buffer) -> Tuple[int, List[memoryview], List[memoryview]]:
    """(value count, segments, datas) of a RunTaskOutOfBand/ActorMethodCallOutOfBand
    reply: ``u32 count, u32 n, n x (u64 offset, length, address, token), compact block``.
    No datas: one segment, the ordinary block. Every token is adopted before anything
    can fail (a failure then releases them as their views go)."""
    view = memoryview(reply)
    if len(view) < RESULT_HEAD.size:
        raise FramingError(f"an out-of-band result of {len(view)} bytes: the head alone is 8")
    count, n = RESULT_HEAD.unpack_from(view)
    table_end = RESULT_HEAD.size + n * RESULT_ENTRY.size
    if table_end > len(view):
        raise FramingError(f"an out-of-band result of {len(view)} bytes: {n} table entries "
                           f"need {table_end}")
    entries = _entries(view[RESULT_HEAD.size:table_end], RESULT_ENTRY, "an out-of-band result")
    datas = adopted_views(entries)
    return count, split(view[table_end:], [entry[0] for entry in entries]), datas


def header_start(segment: Buffer, length: int) -> Tuple[int, int]:
    """(where the ext starts, where its payload starts) of the ext 71 header that ends
    `segment`, the header of an array of `length` data bytes left out after it."""
    view = memoryview(segment)
    size = len(view)
    for at in range(size - 7, max(-1, size - 6 - _MAX_HEAD - 1), -1):
        width = _EXT_WIDTHS.get(view[at])
        if width is None:
            continue
        payload = at + 2 + width
        head = size - payload
        if head < ARRAY_HEAD_BYTES or view[payload - 1] != _arrays.EXT_INLINE:
            continue
        if int.from_bytes(view[at + 1:at + 1 + width], "big") != head + length:
            continue
        itemsize, ndim, pad = view[payload + 1], view[payload + 2], view[payload + 3] & _PAD_MASK
        shape_end = payload + ARRAY_HEAD_BYTES + ARRAY_EXTENT_BYTES * ndim
        if head != shape_end - payload + pad or ndim > MAX_ARRAY_DIMS:
            continue
        count = itemsize
        for (extent,) in struct.iter_unpack("<q", view[payload + ARRAY_HEAD_BYTES:shape_end]):
            count *= extent
        if count == length:
            return at, payload
    raise FramingError(f"a scattered block: no array header (ext 71) before the {length} bytes "
                       f"of data at offset {size} of its piece")


def address_ext(head: Buffer, address: int, flags: int, token: int = 0) -> Optional[bytes]:
    """The ext 72 of an array whose ext 71 payload header (kind, itemsize, ndim, pad,
    shape) is `head` and whose data is at `address`; None when the data is misaligned
    for its type (it then stays inline, and the reader copies it)."""
    itemsize, ndim = head[1], head[2]
    if itemsize == 0 or address % min(itemsize, 16):
        return None
    fixed = ARRAY_HEAD_BYTES + ARRAY_EXTENT_BYTES * ndim
    order = head[3] & ARRAY_COLUMN_MAJOR  # kept from the ext 71 (or 72) header
    body = b"".join((bytes(head[:3]), bytes((flags | order,)), bytes(head[ARRAY_HEAD_BYTES:fixed]),
                     struct.pack("<QQ", address, token)))
    if len(body) < 256:
        return b"\xc7" + bytes((len(body), _arrays.EXT_ADDRESS)) + body
    return b"\xc8" + len(body).to_bytes(2, "big") + bytes((_arrays.EXT_ADDRESS,)) + body


def address_of(buffer: Any) -> int:
    """Where `buffer`'s memory starts (-1 without NumPy: its data then stays inline)."""
    try:
        import numpy
    except ImportError:
        return -1
    address: int = numpy.frombuffer(buffer, dtype=numpy.uint8).ctypes.data
    return address


def pieces(segments: Sequence[Buffer], datas: Sequence[Buffer], flags: int) -> Tuple[List[Buffer], int]:
    """(pieces, how many arrays went by address) of a scattered block, each array's
    header + data an ext 72 (`flags`) at its data's address (misaligned: inline)."""
    out: List[Buffer] = []
    moved = 0
    for segment, data in zip(segments, datas):
        at, payload = header_start(segment, len(data))
        address = address_of(data) if len(data) else -1
        ext = address_ext(memoryview(segment)[payload:], address, flags) if address >= 0 else None
        if ext is None:
            out += (segment, data)
        else:
            out += (memoryview(segment)[:at], ext)
            moved += 1
    out.append(segments[len(datas)])
    return out, moved


_FIXED = {0xc0: 0, 0xc2: 0, 0xc3: 0, 0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8,
          0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8, 0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17}
_SIZED = {0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4}  # bin and str


def bytes_ext(address: int, length: int, flags: int) -> bytes:
    """The ext 72 of `length` bytes at `address`: a 1-D uint8 array with the bytes
    flag (the library's bytes-like types and goray::Value read it as bytes)."""
    head = struct.pack("<cBBBq", b"u", 1, 1, 0, length)
    return address_ext(head, address, flags | _arrays.BYTES_FLAG)  # type: ignore[return-value]


_BINS = (0xc4, 0xc5, 0xc6)


def by_address(block: Buffer, flags: int = 0, bins: bool = False) -> List[Buffer]:
    """`block` (msgpack values back to back, e.g. a view of the object store) as
    pieces, each large top-level ext 71 array replaced by an ext 72 (`flags`) pointing
    at its data in place: the reader reads the store, and the pieces hold no copy.
    With `bins` (a reader of ours with arrays out of band), each large top-level bin
    too (bytes_ext). The values are walked by their headers up to the first array or
    map (the rest is copied as it is). The block's memory must outlive the reader's use."""
    view = memoryview(block)
    out: List[Buffer] = []
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
            length = int.from_bytes(view[at + 1:at + 1 + width], "big")
            start = at + 1 + width
            if bins and marker in _BINS and length >= OUT_OF_BAND_FROM and start + length <= size:
                if base < 0:
                    base = address_of(view)
                    if base < 0:
                        break
                out += (view[done:at], bytes_ext(base + start, length, flags))
                done = start + length
            at = start + length
        elif marker in _EXT_WIDTHS:
            width = _EXT_WIDTHS[marker]
            length = int.from_bytes(view[at + 1:at + 1 + width], "big")
            start = at + 2 + width
            if start + length > size:  # not whole values: left to the reader's decoder
                break
            if view[start - 1] == _arrays.EXT_INLINE and length >= OUT_OF_BAND_FROM:
                if base < 0:
                    base = address_of(view)
                    if base < 0:
                        break
                ext = _inline_to_address(view[start:start + length], base + start, flags)
                if ext is not None:
                    out += (view[done:at], ext)
                    done = start + length
            at = start + length
        else:  # an array or a map: its size needs a parse
            break
    if not out:
        return [block]
    out.append(view[done:])
    return out



def _inline_to_address(payload: memoryview, address: int, flags: int) -> Optional[bytes]:
    """The ext 72 of an ext 71 payload at `address`."""
    ndim, pad = payload[2], payload[3] & _PAD_MASK
    fixed = ARRAY_HEAD_BYTES + ARRAY_EXTENT_BYTES * ndim
    if len(payload) < fixed + pad:
        return None
    return address_ext(payload, address + fixed + pad, flags)


def join(segments: Sequence[Buffer], datas: Sequence[Buffer]) -> bytes:
    """The inline block of a scattered one (one copy)."""
    parts: List[Buffer] = []
    for segment, data in zip(segments, datas):
        parts += (segment, data)
    parts.append(segments[len(datas)])
    return b"".join(parts)
