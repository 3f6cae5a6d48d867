"""The object model of goray on Ray: what native code produces for native code
stays the producer's bytes. A native task or actor method that native code
submitted, and a native PutObject, store a NativeBlock (the native return block
and its value count): GetObject returns the bytes verbatim and a native task or
method taking the ref as an argument gets them without a decode/re-encode.
Python consumers see Python values (:func:`to_python`). Refs made by Python
callers hold Python values: None (no value), the value (one) or a list (several).

Also here: how bytes travel through Ray (:class:`Travelling`, :class:`StoredBytes`:
out of band when large; :class:`Scattered`: an args block whose large arrays' data
goes out of band apart from it).

Tests: tests/ray/test_native_objects.py, tests/python/test_get_objects_lend.py,
tests/python/test_streams_local.py, tests/python/test_arrays_scatter.py,
tests/ray/test_arrays.py, tests/ray/test_arrays_out_of_band.py
"""

from __future__ import annotations

import pickle
import sys
from typing import Any, List, Optional, Sequence, Tuple

import ray
import ray.exceptions

from ... import _codec, _stores
from ..._protocol import Buffer
from ..._stores import HELD_ITEM, RAW_ITEMS, StoredObject
from . import nested, scatter

__all__ = ["NativeBlock", "EMPTY_NATIVE_RESULT", "native_result", "native_value",
           "marked_position", "with_native_values", "to_python", "OUT_OF_BAND_FROM",
           "Travelling", "Scattered", "contiguous", "travelling", "outbound_block", "LARGE_BYTES", "large_bytes",
           "StoredBytes", "stored", "stream_item", "from_raw_item",
           "escaped", "held_value"]


#: Blocks from this size on travel out-of-band (pickle protocol 5): Ray writes them
#: into its object store once and readers get a view of it, without a copy. Smaller
#: ones are copied in-band, which costs Ray less than a buffer of their own. One
#: threshold with the arrays that go by address (goray._ray.values.scatter).
OUT_OF_BAND_FROM = scatter.OUT_OF_BAND_FROM


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


class Scattered:
    """A scattered args block in transit (goray._ray.values.scatter): the compact block's
    `segments` (len(datas) + 1) and the large arrays' `datas`. Pickled with the
    segments in band and each data out of band (Ray copies it into its object store
    once, from wherever it is: the library's memory in the driver); the receiving
    task's datas are views of the store."""

    __slots__ = ("segments", "datas")

    def __init__(self, segments: Sequence[Buffer], datas: Sequence[Buffer]) -> None:
        self.segments = segments
        self.datas = datas

    def __len__(self) -> int:
        return sum(len(piece) for piece in self.segments) + sum(len(data) for data in self.datas)

    def join(self) -> bytes:
        """The ordinary args block (one copy), for consumers that decode it."""
        return scatter.join(self.segments, self.datas)

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        if isinstance(protocol, int) and protocol >= 5:
            return (_scattered, (tuple(bytes(piece) for piece in self.segments),
                                 *(pickle.PickleBuffer(data) for data in self.datas)))
        return (bytes, (self.join(),))

    def __repr__(self) -> str:
        return f"<goray Scattered block of {len(self)} bytes, {len(self.datas)} out of band>"


def _scattered(segments: Tuple[bytes, ...], *datas: Any) -> Scattered:
    return Scattered(segments, [memoryview(data) for data in datas])


def contiguous(block: Any) -> Buffer:
    """An args block as one buffer (a Scattered one joined)."""
    return block.join() if type(block) is Scattered else block


def travelling(data: Any) -> Any:
    """`data` (an args block native code wrote) as a task argument: a NativeBlock
    when refs or handles are inside (Ray then tracks them with the task); else
    wrapped when it is large enough to go out of band. A Scattered block (never
    holding refs) travels as it is."""
    if type(data) is Scattered:
        return data
    moved = nested.from_native(data)
    if moved is not None:
        return NativeBlock.stored(*moved)
    return Travelling(data) if len(data) >= OUT_OF_BAND_FROM else data


#: The one conversion every submission of a native args block goes through.
outbound_block = travelling


class NativeBlock:
    """What native code produced for native readers, as GoRay's driver stores it:
    the native return block (0..N msgpack values back to back, or PutObject's one
    value) and how many values it holds. Stored in Ray as is, out of band when
    large (so Ray copies it into the object store once, and a reader's block is a
    view of the store); never decoded on its way from a native producer to a native
    consumer.

    ObjectRefs and actor handles inside the values (ext 73/74, goray._ray.values.nested) are
    held in `refs` and `actors`, pickled in band so that Ray counts the refs as
    contained in this object; the exts in `data` hold indexes into those lists.
    ``NativeBlock(data)`` takes bytes as native code wrote them (ids of this
    process's stores); :meth:`native_data` gives them back for native code here.

    A *scattered* block (:meth:`scattered`: a 43/44 result, no refs inside) holds its
    large arrays' data apart: `segments` (the compact block's pieces) and `datas`
    (each pickled out of band, so Ray copies it into its store from where it is).
    The paths to native readers (callee arguments, GetObject) use the pieces as they
    are; `data` joins them (once, cached) for readers that need one buffer."""

    __slots__ = ("_data", "_count", "refs", "actors", "_native", "_labels", "segments", "datas")

    def __init__(self, data: Buffer, count: int = -1) -> None:
        self._count = count  # -1: counted when needed
        self.segments: Optional[Sequence[Buffer]] = None
        self.datas: Sequence[Buffer] = ()
        moved = nested.from_native(data)
        if moved is None:
            self._data: Optional[Buffer] = data
            self.refs: Sequence[Any] = ()
            self.actors: Sequence[Any] = ()
            self._native = b""
            self._labels: Sequence[str] = ()
        else:
            self._data, self.refs, self.actors, self._native, self._labels = moved

    @classmethod
    def stored(cls, data: Buffer, refs: Sequence[Any] = (), actors: Sequence[Any] = (),
               native: bytes = b"", labels: Sequence[str] = ()) -> "NativeBlock":
        """A block already in the object-store form (indexes into `refs`/`actors`)."""
        block = cls.__new__(cls)
        block._data = data
        block._count = -1
        block.refs = refs
        block.actors = actors
        block._native = native
        block._labels = labels
        block.segments = None
        block.datas = ()
        return block

    @classmethod
    def scattered(cls, segments: Sequence[Buffer], datas: Sequence[Buffer], count: int) -> "NativeBlock":
        """A scattered block of `count` values (no refs or handles inside)."""
        block = cls.stored(b"")
        block._data = None
        block._count = count
        block.segments = segments
        block.datas = datas
        return block

    @property
    def data(self) -> Buffer:
        """The block as one buffer (a scattered one joined: one copy, kept)."""
        data = self._data
        if data is None:
            data = self._data = scatter.join(self.segments or (b"",), self.datas)
        return data

    @property
    def size(self) -> int:
        """The block's length in bytes (a scattered one is not joined for it)."""
        if self._data is None:
            return sum(len(piece) for piece in self.segments or ()) + sum(len(d) for d in self.datas)
        return len(self._data)

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
        return nested.to_native_many([self.data], self.refs, self.actors, self._native, self._labels)[0]

    def value_prefix(self) -> bytes:
        """What goes before the block so that a native callee receives one msgpack
        value: nothing for one value, nil for none, an array header for several."""
        if self.count == 1:
            return b""
        if self.count == 0:
            return b"\xc0"
        return _codec.array_header(self.count)

    def argument_parts(self) -> Tuple[bytes, Buffer]:
        """(prefix, block): what a native callee receives for a ref holding this
        block is prefix + block, one msgpack value: the value itself; nil for none;
        an array of several. Refs and handles inside are registered (native_data)."""
        prefix = self.value_prefix()
        return prefix, (self.native_data() if self.count else b"")

    def as_argument(self) -> bytes:
        """The one msgpack value a native callee receives (argument_parts joined)."""
        return b"".join(self.argument_parts())

    def to_python(self) -> Any:
        """The Python value: None (no value), the value, or a list of several."""
        if self.refs or self.actors:
            return _codec.unpack_result_block_with(self.data, (self.refs, self.actors, self._native))
        return _codec.unpack_result_block(self.data)

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        out_of_band = isinstance(protocol, int) and protocol >= 5
        if self._data is None and out_of_band:
            return (_scattered_block, (tuple(bytes(piece) for piece in self.segments or ()),
                                       self.count, *(pickle.PickleBuffer(d) for d in self.datas)))
        large = out_of_band and len(self.data) >= OUT_OF_BAND_FROM
        data = pickle.PickleBuffer(self.data) if large else bytes(self.data)
        if self.refs or self.actors:
            return (_stored_block, (data, list(self.refs), list(self.actors), self._native,
                                    tuple(self._labels)))
        return (_native_block, (data,))

    def __repr__(self) -> str:
        inside = f", {len(self.refs)} refs, {len(self.actors)} actors" if self.refs or self.actors else ""
        apart = f", {len(self.datas)} arrays apart" if self._data is None else ""
        return f"<goray NativeBlock of {self.size} bytes{inside}{apart}>"


def _native_block(buffer: Any) -> NativeBlock:
    return NativeBlock.stored(buffer if type(buffer) is bytes else memoryview(buffer))


def _stored_block(buffer: Any, refs: List[Any], actors: List[Any], native: bytes,
                  labels: Tuple[str, ...] = ()) -> NativeBlock:
    return NativeBlock.stored(buffer if type(buffer) is bytes else memoryview(buffer),
                              refs, actors, native, labels)


def _scattered_block(segments: Tuple[bytes, ...], count: int, *datas: Any) -> NativeBlock:
    return NativeBlock.scattered(segments, [memoryview(data) for data in datas], count)


#: What a native task or method that produced no values stores: None rather than an
#: empty NativeBlock, because Ray stores None without pickling (a pickled object costs
#: Ray ~70-100 us more CPU per call, in the worker and in the reader). Read back as
#: the empty block by GetObject(s) of a native producer's ref; a native callee gets nil
#: for it and a Python reader None, exactly what the empty NativeBlock gives.
EMPTY_NATIVE_RESULT = None


def native_result(view: Buffer, count: int = -1) -> Any:
    """What a native task or method returns to Ray for a native caller's call, from the
    `count` values of its return block (-1: not known): the block's bytes when it is
    small and holds no refs or handles (Ray stores bytes as they are, where it pickles a
    NativeBlock, tens of microseconds more per call in the worker and a pickle load in
    the reader), else the NativeBlock. Readers know the bytes form by their entry
    (StoredObject.native, see goray._stores) or by the position a native caller marked
    (marked_position), and read it with :func:`native_value`."""
    if len(view) >= OUT_OF_BAND_FROM:
        return NativeBlock(view, count)
    moved = nested.from_native(view)
    if moved is None:
        return bytes(view)
    block = NativeBlock.stored(*moved)
    block._count = count
    return block


def native_value(value: Any) -> Any:
    """The value of a native producer's ref as read (Ray's resolution, a ray.get): its
    NativeBlock, also where it travelled as the block's bytes (native_result), or None
    for no values."""
    return NativeBlock.stored(value) if type(value) is bytes else value


def marked_position(position: int, native: int) -> int:
    """The position a native caller sends its callee for a ref argument: ~position
    (negative) when the ref's value is a native producer's (`native`: its entry's
    StoredObject.native), which may have travelled as the block's bytes (native_result),
    so that the callee reads bytes there as the block, not as a Python bytes value."""
    return ~position if native else position


def with_native_values(values: Sequence[Any], marked: Sequence[int]) -> List[Any]:
    """`values` with those at the `marked` positions (native producers' refs, resolved
    by Ray) read as native values (native_value)."""
    out = list(values)
    for position in marked:
        out[position] = native_value(out[position])
    return out


def to_python(value: Any) -> Any:
    """`value` as Python code sees it (a NativeBlock decoded)."""
    return value.to_python() if type(value) is NativeBlock else value


def stream_item(view: Buffer) -> Any:
    """What the body of a native stream for a native caller yields for one item's
    block: the block's bytes when it is small and holds no refs or handles (Ray stores
    bytes without pickling them; readers know them by their entry's RAW_ITEMS),
    else the NativeBlock."""
    if len(view) < OUT_OF_BAND_FROM and not _codec.find_ref_exts(view):
        return bytes(view)
    return NativeBlock(view)


def from_raw_item(value: Any, native: int) -> Any:
    """A value read from a ref whose entry says `native`: a native producer's bytes are
    its NativeBlock (a task's or method's small result, native_result; a RAW_ITEMS
    entry's stream item, stream_item; a HELD_ITEM entry's, held_value); anything else is
    as read."""
    if native and type(value) is bytes:
        return NativeBlock.stored(value)
    return value


def held_value(stored: StoredObject) -> Any:
    """What reading a HELD_ITEM entry gives, as reading a RAW_ITEMS ref does: the item's
    block bytes (from_raw_item makes them the block)."""
    return stored.ref


def escaped(object_id: int, stored: StoredObject) -> StoredObject:
    """The entry of `object_id` for a use that hands its ref on (an argument, a ref
    inside a value): a RAW_ITEMS entry whose value is bytes is replaced by one whose
    ref holds the NativeBlock, as every other native producer's ref does, so readers
    that never see the entry decode it as before; a HELD_ITEM entry (no ref of its
    own) gets such a ref the same way. Any other entry is as it was."""
    if stored.native == HELD_ITEM:
        return _moved(object_id, StoredObject(ray.put(NativeBlock.stored(stored.ref)), stored.label, True))
    if stored.native != RAW_ITEMS:
        return stored
    try:
        value = ray.get(stored.ref)  # an item NextStreamRef handed out: produced already
    except ray.exceptions.RayError:
        value = None  # the stream's error: every reader gets it as it is
    ref = ray.put(NativeBlock.stored(value)) if type(value) is bytes else stored.ref
    return _moved(object_id, StoredObject(ref, stored.label, True))


def _moved(object_id: int, moved: StoredObject) -> StoredObject:
    try:
        _stores.objects.replace(object_id, moved)
    except KeyError:
        pass  # released meanwhile by another thread: this use still has its ref
    return moved


#: Bytes values from this size on take the paths below.
LARGE_BYTES = 1 << 20


_BYTE_FORMATS = ("B", "b", "c")


def large_bytes(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray)):
        return len(value) >= LARGE_BYTES
    return (isinstance(value, memoryview) and value.format in _BYTE_FORMATS and value.ndim == 1
            and value.contiguous and value.nbytes >= LARGE_BYTES)


def _bytes_from_store(buffer: Any) -> bytes:
    return bytes(buffer)


class StoredBytes:
    """A large bytes result on its way to a Python reader: out of band, so Ray
    copies it into its store straight from the buffer it is in (the library's
    reply, or a byte vector the library handed over: adopted, released with
    ReleaseArray when this goes); the reader gets bytes (one copy, as for a plain
    Ray bytes value)."""

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


nested.objects = sys.modules[__name__]  # nested reads escaped entries through it
