"""Streaming generators in-process (docs/protocol.md §13): a native task or actor
method whose result is ``goray::Generator<T>`` as a Python iterator of its items.
No Ray.

StartTaskStream 39 / StartMethodStream 40 decode the arguments and make the
generator (argument errors raise at the call, not at the first item); each
``next()`` is one NextStreamItem 41 (the C++ body runs up to its next ``co_yield``);
closing the iterator early (``close()``, a ``with`` block, garbage collection)
sends CloseStream 42, which destroys the coroutine frame, so its RAII cleanup
runs. An exception the generator throws ends the stream and is raised by the
``next()`` that reached it.

Ray's bodies read ahead (``ahead=True``): each NextStreamItem takes, in its batch form,
every item the generator makes within a small budget (AHEAD_ITEMS, AHEAD_BUDGET_US,
AHEAD_BYTES; the first item waited for however long it takes), so the native call is
made once per batch instead of once per item. A library that does not know the batch
form gets the single form.

Tests: tests/python/test_streams_local.py
"""

from __future__ import annotations

import collections
import functools
import struct
import weakref
from typing import Any, Callable, Deque, FrozenSet, Generator, List, Optional, Sequence, Tuple

from . import _codec, _ffi, _traits
from ._protocol import STREAM_BATCH, STREAM_END, Code, Py2Native, pack_call, pack_u64, unpack_u64
from ._protocol_numbers import STREAM_ITEM_AS_NATIVE, STREAM_ITEM_AS_PYTHON
from .errors import ArgumentError, GorayError, error_from_reply

__all__ = ["LocalStream", "start_stream", "task_stream", "method_stream", "streaming_tasks",
           "streaming_methods", "close_stream", "iterate_native", "not_a_generator",
           "AHEAD_ITEMS", "AHEAD_BUDGET_US", "AHEAD_BYTES"]

_START_TASK_STREAM = int(Py2Native.START_TASK_STREAM)
_START_METHOD_STREAM = int(Py2Native.START_METHOD_STREAM)
_NEXT_STREAM_ITEM = int(Py2Native.NEXT_STREAM_ITEM)
_CLOSE_STREAM = int(Py2Native.CLOSE_STREAM)

#: NextStreamItem's request word index: the item as RunTask writes results (0: ext 71
#: inline, for stores and native readers) or as RunTaskForPython (1: ext 72 owned).
AS_NATIVE = STREAM_ITEM_AS_NATIVE
AS_PYTHON = STREAM_ITEM_AS_PYTHON

_ENDED = object()  # what an item decoder returns for the end tag

#: A read-ahead batch (NextStreamItem's batch form, docs/protocol.md §13) stops at this
#: many items, once this many microseconds passed since the call began, or once its
#: items reach this many bytes, whichever comes first; it always holds the first item.
#: Small enough that a slow generator's items are not held back, and that a batch of
#: large items is one item.
AHEAD_ITEMS = 256
AHEAD_BUDGET_US = 200
AHEAD_BYTES = 1 << 20

_BATCH_TAG = STREAM_BATCH
_BATCH_LIMITS = struct.Struct("<III")  # max items, budget (us), max bytes
_BATCH_HEAD = struct.Struct("<BBI")  # tag, ended, count
_LENGTH = struct.Struct("<I")
_BATCH_REFUSED = "expects an 8-byte stream id"  # a library from before the batch form


def streaming_tasks(library: Any) -> FrozenSet[str]:
    """The names of the library's generator tasks (DescribeApplication, asked once)."""
    return _traits.app_traits(library).streaming_tasks


def streaming_methods(library: Any, type_name: str) -> FrozenSet[str]:
    """The generator methods of native actor type `type_name`."""
    return _traits.actor_traits(library, type_name).streams


def start_stream(library: Any, command: int, index: int, payload: bytes, callee: str) -> int:
    """StartTaskStream / StartMethodStream: the new stream's id; the callee's
    argument errors (and 'not a generator') raise here."""
    code, reply = library.execute(command, payload, index)
    if code:
        raise error_from_reply(code, reply, callee)
    return unpack_u64(reply)


def close_stream(library: Any, stream_id: int) -> None:
    """CloseStream: the generator is destroyed (its frame's destructors run). An id
    the library no longer knows (the stream ended meanwhile) is not an error.
    Runs from finalizers too, so it never raises."""
    try:
        library.execute(_CLOSE_STREAM, pack_u64(stream_id))
    except Exception:  # noqa: BLE001 - a finalizer must not raise
        pass


def _python_value(callee: str,
                  enums: Optional[Callable[[Any], Any]] = None) -> Callable[[memoryview], Any]:
    """An item's bytes (one value) for a Python reader: the value (or None / a list, as
    unpack_result_block), its enums made members by `enums` (goray._enums)."""
    unpack = _codec.unpack_result_block
    fast = _codec.fast_unpack_values  # one C call per item on Ray's per-item path

    def value(view: memoryview) -> Any:
        values = fast(view) if fast is not None else None
        if values is None:
            return unpack(view, callee, "stream item")
        if len(values) == 1:
            return values[0]
        return values if values else None

    if enums is None:
        return value
    return lambda view: enums(value(view))


def _python_item(callee: str,
                 enums: Optional[Callable[[Any], Any]] = None) -> Callable[[memoryview], Any]:
    """What a NextStreamItem reply holds for a Python reader: the value, or _ENDED for
    the end tag."""
    value = _python_value(callee, enums)

    def decode(view: memoryview) -> Any:
        if not len(view) or view[0] == STREAM_END:
            return _ENDED
        return value(view[1:])
    return decode


def _item_call(library: Any, stream_id: int, index: int = -1,
               copy_below: int = _ffi._COPY_BELOW,
               batch: bool = False) -> Callable[[], Tuple[int, memoryview]]:
    """NextStreamItem of one stream as a call without arguments: the request made once
    (`batch`: its batch form, AHEAD_ITEMS / AHEAD_BUDGET_US / AHEAD_BYTES), and the
    compiled fast path called directly when the library has it (the per-item cost of a
    stream on Ray is mostly Python calls). Index -1: arrays adopted as ext 72 owned when
    the library speaks arrays (a Python reader)."""
    if index < 0:
        index = AS_PYTHON if library.arrays else AS_NATIVE
    payload = pack_u64(stream_id)
    if batch:
        payload += _BATCH_LIMITS.pack(AHEAD_ITEMS, AHEAD_BUDGET_US, AHEAD_BYTES)
    fast_view = getattr(getattr(library, "_fast", None), "execute_view", None)
    if fast_view is not None and isinstance(library, _ffi.Library):
        request = _ffi._request_word(_NEXT_STREAM_ITEM, index)
        return functools.partial(fast_view, request, payload, copy_below)
    return functools.partial(library.execute_view, _NEXT_STREAM_ITEM, payload, index, copy_below)


def _batch_refused(code: int, reply: memoryview) -> bool:
    """Whether the library answered the batch form as a library from before it does."""
    return code == Code.FAILED and _BATCH_REFUSED in bytes(reply[:200]).decode("utf-8", "replace")


def _split_batch(reply: memoryview, callee: str) -> Tuple[List[memoryview], bool]:
    """A batch reply's items (a view each: one value) and whether the stream ended."""
    if len(reply) < _BATCH_HEAD.size or reply[0] != _BATCH_TAG:
        raise GorayError(f"NextStreamItem of {callee}: a malformed batch reply ({len(reply)} bytes)")
    _, ended, count = _BATCH_HEAD.unpack_from(reply)
    items = []
    at = _BATCH_HEAD.size
    for _ in range(count):
        (length,) = _LENGTH.unpack_from(reply, at)
        at += _LENGTH.size
        items.append(reply[at:at + length])
        at += length
    if at != len(reply):
        raise GorayError(f"NextStreamItem of {callee}: a malformed batch reply ({len(reply)} bytes, "
                         f"{count} items end at {at})")
    return items, bool(ended)


def next_python_item(library: Any, stream_id: int,
                     decode: Callable[[memoryview], Any]) -> Tuple[int, Any]:
    """One NextStreamItem whose item Python reads (arrays adopted as ext 72 owned
    when the library speaks arrays): (0, the value or _ENDED), or (code, the reply)
    when the generator failed (the library closed the stream)."""
    index = AS_PYTHON if library.arrays else AS_NATIVE
    # The reply as a view, decoded here rather than in a callback of the Execute call:
    # an interrupt (Ray's cancellation) then reaches the caller as KeyboardInterrupt.
    code, reply = library.execute_view(_NEXT_STREAM_ITEM, pack_u64(stream_id), index)
    if code:
        return code, bytes(reply)
    return Code.SUCCESS, decode(reply)


class LocalStream:
    """The items of a native generator running in this process, one per ``next()``.

    An iterator (``for item in stream``) that also closes like a generator:
    ``close()``, the end of a ``with`` block or garbage collection send CloseStream
    once, unless the stream already ended (its last item, or an error). Use it from
    one thread at a time (the library serializes concurrent resumes of one stream)."""

    __slots__ = ("_library", "_id", "_callee", "_finalizer", "_decode", "_keep", "_next_call",
                 "_open", "_ahead", "_sizes", "_batch_call", "_value", "__weakref__")

    def __init__(self, library: Any, stream_id: int, callee: str, keep: Any = None,
                 ahead: bool = False, sized: bool = False,
                 enums: Optional[Callable[[Any], Any]] = None) -> None:
        self._library = library
        self._id = stream_id
        self._callee = callee
        # (`enums`: what makes the items' enums members, when they hold any: goray._enums)
        self._decode = _python_item(callee, enums)
        self._value = _python_value(callee, enums)
        self._next_call = _item_call(library, stream_id)
        # Read ahead (Ray's bodies): the items of the last batch not yet handed out.
        self._ahead: Optional[Deque[Any]] = collections.deque() if ahead else None
        # With `sized` (a body that packs items together by size): the library's encoded
        # size of each item read ahead, beside it.
        self._sizes: Optional[Deque[int]] = collections.deque() if ahead and sized else None
        self._batch_call = _item_call(library, stream_id, copy_below=0, batch=True) if ahead else None
        self._open = True  # the finalizer's `alive`, read per item without a Python call
        # What borrowed arrays of the arguments point to: alive while the stream is.
        self._keep = keep
        self._finalizer = weakref.finalize(self, close_stream, library, stream_id)
        self._finalizer.atexit = False  # no calls into the library at interpreter exit

    @property
    def stream_id(self) -> int:
        """The library's stream id."""
        return self._id

    @property
    def closed(self) -> bool:
        """True once the stream ended or was closed."""
        return not self._finalizer.alive

    def __iter__(self) -> "LocalStream":
        return self

    def __next__(self) -> Any:
        ahead = self._ahead
        if ahead or (ahead is not None and self._open and self._read_ahead()):
            # (items an ended stream read ahead still come out)
            if self._sizes is not None:
                self._sizes.popleft()
            return ahead.popleft()
        if not self._open:
            raise StopIteration
        # The reply as a view, decoded here rather than in a callback of the Execute call:
        # an interrupt (Ray's cancellation) then reaches the caller as KeyboardInterrupt.
        code, reply = self._next_call()
        if code:  # the generator threw: the library closed the stream
            self._ended()
            raise error_from_reply(code, bytes(reply), self._callee)
        item = self._decode(reply)
        if item is _ENDED:  # ended: the library forgot the id
            self._ended()
            raise StopIteration
        return item

    def next_batch(self) -> List[Any]:
        """The items read ahead and not handed out yet, reading a batch when there are
        none; [] once the stream ended. For Ray's bodies, which hand items out from the
        list (a ``next()`` per item costs them a method call and a deque's pop). Without
        read-ahead (an older library): one item."""
        return self._take_batch()[0]

    def next_sized_batch(self) -> Tuple[List[Any], List[int]]:
        """As next_batch, with each item's size as the library encoded it (its bytes in
        the reply; 0 from a library without the batch form), for a body that packs
        items together up to a size; a stream made with ``ahead=True, sized=True``."""
        if self._sizes is None:
            raise GorayError(f"stream of {self._callee}: next_sized_batch needs a stream made "
                             "with ahead=True, sized=True")
        return self._take_batch()

    def _take_batch(self) -> Tuple[List[Any], List[int]]:
        """next_batch's items, and their sizes when the stream keeps them."""
        ahead = self._ahead
        if ahead is not None and not ahead and self._open:
            try:
                self._read_ahead()
            except StopIteration:
                return [], []
            ahead = self._ahead
        if ahead is None:  # a library without the batch form: one by one
            try:
                return [self.__next__()], [0]
            except StopIteration:
                return [], []
        items = list(ahead)
        ahead.clear()
        sizes = self._sizes
        if sizes is None:
            return items, []
        measured = list(sizes)
        sizes.clear()
        return items, measured

    def _read_ahead(self) -> bool:
        """One batch into the read-ahead queue: True with items there; False when the
        library does not know the batch form (this stream then reads one by one).
        Raises the generator's error (its items before it were handed out already), or
        StopIteration when it ended with no further item."""
        code, reply = self._batch_call()  # type: ignore[misc]
        if code:
            if _batch_refused(code, reply):
                self._ahead = None  # (sizes, if kept, stay empty: next_sized_batch goes on)
                return False
            self._ended()  # the generator threw: the library closed the stream
            raise error_from_reply(code, bytes(reply), self._callee)
        views, ended = _split_batch(reply, self._callee)
        value = self._value
        self._ahead.extend(value(view) for view in views)  # type: ignore[union-attr]
        if self._sizes is not None:
            self._sizes.extend(len(view) for view in views)
        if ended:  # the library forgot the id; the items above still come out
            self._ended()
        if not views:
            raise StopIteration
        return True

    def _ended(self) -> None:
        self._finalizer.detach()
        self._keep = None
        self._open = False

    def send(self, value: Any) -> Any:
        """As a generator's: the next item (the value sent is ignored, as a
        ``for ... yield`` loop ignores it), so ``yield from`` a LocalStream works in a
        generator whose caller sends (Ray's streaming executor sends its statistics)."""
        return self.__next__()

    def throw(self, error: Any, value: Any = None, traceback: Any = None) -> Any:
        """As a generator's: the stream is closed, then the error raised here."""
        self.close()
        if value is None:
            value = error() if isinstance(error, type) else error
        raise value.with_traceback(traceback) if traceback is not None else value

    def close(self) -> None:
        """Destroys the native generator now (CloseStream); later ``next()`` calls
        raise StopIteration. A second close does nothing."""
        self._finalizer()
        self._keep = None
        self._open = False
        if self._ahead:
            self._ahead.clear()  # items read ahead are not handed out after a close
            if self._sizes is not None:
                self._sizes.clear()

    def __enter__(self) -> "LocalStream":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<goray.LocalStream {self._callee} #{self._id}{state}>"


def _pieces(library: Any, name: str, args: Sequence[Any], keep: List[Any]) -> List[Any]:
    from ._arrays import BORROWED, NESTED
    return _codec.pack_args(name, args, BORROWED if library.arrays else NESTED, keep)


def task_stream(name: str, args: Sequence[Any], library: Any = None,
                ahead: bool = False, sized: bool = False) -> LocalStream:
    """Starts native generator task `name` in this process (StartTaskStream); `ahead`:
    read ahead in batches (Ray's bodies), `sized` with each item's encoded size."""
    library = library if library is not None else _ffi.get_library()
    keep: List[Any] = []
    payload = pack_call(name.encode("utf-8"), _pieces(library, name, args, keep))
    stream_id = start_stream(library, _START_TASK_STREAM, 0, payload, name)
    return LocalStream(library, stream_id, name, (keep, payload) if keep else None, ahead, sized,
                       _traits.result_enums(library).for_task(name))


def method_stream(library: Any, index: int, type_name: str, method: str,
                  args: Sequence[Any], ahead: bool = False, sized: bool = False) -> LocalStream:
    """Starts generator method `method` of native instance `index` (StartMethodStream);
    `ahead` and `sized` as for task_stream."""
    callee = f"{type_name}.{method}"
    keep: List[Any] = []
    try:
        pieces = _pieces(library, method, args, keep)
    except ArgumentError as error:
        error.task = callee  # name the actor type too, as method calls do
        raise
    payload = pack_call(method.encode("utf-8"), pieces)
    stream_id = start_stream(library, _START_METHOD_STREAM, index, payload, callee)
    return LocalStream(library, stream_id, callee, (keep, payload) if keep else None, ahead, sized,
                       _traits.result_enums(library).for_method(type_name, method))


def iterate_native(library: Any, command: int, index: int, payload: bytes, callee: str,
                   item: Callable[[memoryview], Any]) -> Generator[List[Any], None, None]:
    """A generator over the items of a stream started with `command` (39 or 40),
    each read as the native return block of one value (NextStreamItem index 0, read
    ahead in batches) and turned into what `item` makes of its view of the reply (which
    stays the library's until collected), given batch by batch: a list per
    read-ahead batch (one item each from a library without the batch form). The
    stream is closed when the generator is closed, collected or interrupted before the
    end. For Ray bodies serving native callers."""
    stream_id = start_stream(library, command, index, payload, callee)
    ended = False
    try:
        next_batch = _item_call(library, stream_id, AS_NATIVE, 0, batch=True)
        while True:  # read ahead in batches, as LocalStream(ahead=True)
            code, reply = next_batch()
            if code:
                if _batch_refused(code, reply):
                    break  # a library from before the batch form: one by one below
                ended = True  # the library closed the stream (or never knew it)
                raise error_from_reply(code, bytes(reply), callee)
            views, ended = _split_batch(reply, callee)
            if views:
                yield [item(view) for view in views]
            if ended:
                return
        next_item = _item_call(library, stream_id, AS_NATIVE, 0)
        while True:
            code, reply = next_item()
            if code:
                ended = True  # the library closed the stream (or never knew it)
                raise error_from_reply(code, bytes(reply), callee)
            if not len(reply) or reply[0] == STREAM_END:
                ended = True
                return
            yield [item(reply[1:])]
    finally:
        if not ended:
            close_stream(library, stream_id)


def not_a_generator(what: str, name: str) -> GorayError:
    """The error for a streaming call of a callee that does not stream."""
    return GorayError(f"{what} {name} is not a generator (its result is not goray::Generator<T>)")

