"""The driver's id stores (docs/protocol.md §2): object refs, actors, each
numbered from 0 in this process. Entries leave when native code releases them,
so the stores stay flat however long a program runs. No Ray here.

Pipelined submissions (protocol version 3) carry ids the runtime assigned,
``(1 << 63) | counter``: :meth:`IdStore.put` files a value under such an id. The
two ranges never meet (the store's own counter would need 2**63 ids).

Tests: tests/python/test_stores.py, tests/python/test_get_objects_lend.py,
tests/python/test_streams_local.py, tests/ray/test_cancel_stress.py,
tests/ray/test_refs_in_values.py, tests/python/test_arrays_scatter.py
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Dict, Generic, Iterator, NamedTuple, Tuple, TypeVar

from ._protocol import NATIVE_CLASS_PREFIX, PYTHON_CLASS_PREFIX

__all__ = ["IdStore", "objects", "actors", "StoredObject", "RAW_ITEMS", "HELD_ITEM", "LentBuffers", "ActorEntry", "describe_actor"]

T = TypeVar("T")


class IdStore(Generic[T]):
    """Thread-safe id -> value table; ids are never reused."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._lock = threading.Lock()
        self._ids: Iterator[int] = itertools.count()
        self._items: Dict[int, T] = {}

    def add(self, value: T) -> int:
        with self._lock:
            key = next(self._ids)
            self._items[key] = value
            return key

    def put(self, key: int, value: T) -> None:
        """Files `value` under a key the caller assigned (runtime-assigned ids);
        a key already held is a ValueError (ids are never reused)."""
        with self._lock:
            if key in self._items:
                raise ValueError(f"{self._what} id {key} is already in use")
            self._items[key] = value

    def replace(self, key: int, value: T) -> None:
        """Files `value` under a key already held (KeyError if it is not)."""
        with self._lock:
            if key not in self._items:
                raise KeyError(f"unknown {self._what} id {key} (never issued or already released)")
            self._items[key] = value

    def get(self, key: int) -> T:
        """The value, or KeyError naming the store and the id."""
        try:
            return self._items[key]
        except KeyError:
            raise KeyError(f"unknown {self._what} id {key} (never issued or already released)") from None

    def pop(self, key: int) -> T:
        with self._lock:
            try:
                value = self._items.pop(key)
            except KeyError:
                raise KeyError(f"unknown {self._what} id {key} (never issued or already released)") from None
            if not self._items:
                # A dict keeps the table of its largest size (0.6 MiB after 20,000 refs
                # in flight); emptied, it starts small again.
                self._items = {}
            return value

    def __len__(self) -> int:
        return len(self._items)


#: StoredObject.native of a native stream's item (NextStreamRef): its value is a
#: NativeBlock, or, for a small block without refs or handles inside, the block's bytes
#: themselves (Ray stores bytes as they are, where it pickles a NativeBlock: about half
#: of a C++-to-C++ stream's cost per item). Readers that get the value here decode
#: such bytes as the block (goray._ray.values.objects.from_raw_item); where the ref itself
#: leaves for other readers, it is replaced first by one holding the NativeBlock
#: (goray._ray.values.objects.escaped).
RAW_ITEMS = 2

#: StoredObject.native of an item a native consumer's NextStreamRef took out of a group
#: (a native producer's small items that were read ahead together travel as one Ray
#: object, a list of their blocks' bytes: docs/protocol.md §13). Such an entry has no
#: ref of its own: its `ref` field holds the item's block bytes, which readers take as
#: they are; where the item's ref leaves for other readers, one is made for it first
#: (goray._ray.values.objects.escaped).
HELD_ITEM = 3


class StoredObject(NamedTuple):
    """An object ref handed to native code, with what produced it (for messages) and
    whether its value is a native producer's block (True, or RAW_ITEMS): a NativeBlock,
    or for a small one without refs or handles inside, the block's bytes themselves
    (goray._ray.values.objects.native_result); or, with HELD_ITEM, a grouped stream item's
    block bytes instead of a ref. Readers of a native producer's value read bytes as
    the block (objects.from_raw_item; a native caller's callee by its marked position,
    objects.marked_position)."""
    ref: Any
    label: str
    native: int = False


class LentBuffers(NamedTuple):
    """Memory a GetObject reply lent to native code (ext 72 lent, docs/protocol.md §10):
    `holds` keeps it alive (the value read from the object store, whose buffers pin
    Ray's) until native code releases the reply's lent id. Not an object: any other
    use of the id is an error (:meth:`error`)."""
    holds: Any
    source: int  # the object id whose GetObject reply lent it

    def error(self, key: int) -> str:
        return (f"object {key} is no object: it holds the memory GetObject of object "
                f"{self.source} lent (only ReleaseObject takes it)")


class ActorEntry(NamedTuple):
    """An actor handed to native code."""
    handle: Any  # ray.actor.ActorHandle
    type_name: str
    is_native: bool


def describe_actor(handle: Any) -> Tuple[str, bool]:
    """(type name, is native) of any actor handle, ours or plain Ray's, from the
    class name Ray keeps (docs/protocol.md §4: Go.<type>, PY.<class>)."""
    descriptor = getattr(handle, "_ray_actor_creation_function_descriptor", None)
    class_name = str(getattr(descriptor, "class_name", "") or "")
    if class_name.startswith(NATIVE_CLASS_PREFIX):
        return class_name[len(NATIVE_CLASS_PREFIX):], True
    if class_name.startswith(PYTHON_CLASS_PREFIX):
        return class_name[len(PYTHON_CLASS_PREFIX):], False
    return class_name.rsplit(".", 1)[-1] or "actor", False


#: ObjectRefs handed to native code (values: StoredObject, or
#: goray._ray.native2py.failures' FailedSubmission for a pipelined submission that
#: failed, a stream (goray._ray.streaming.generators' StoredStream), or LentBuffers).
objects: "IdStore[object]" = IdStore("object ref")
#: Actor handles handed to native code (values: ActorEntry).
actors: "IdStore[object]" = IdStore("actor")
