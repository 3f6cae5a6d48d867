"""The driver's id stores (docs/protocol.md §2): object refs, actors, each
numbered from 0 in this process. Entries leave when native code releases them,
so the stores stay flat however long a program runs. No Ray here.

Pipelined submissions (protocol version 3) carry ids the runtime assigned,
``(1 << 63) | counter``: :meth:`IdStore.put` files a value under such an id. The
two ranges never meet (the store's own counter would need 2**63 ids)."""

from __future__ import annotations

import itertools
import threading
from typing import Dict, Generic, Iterator, TypeVar

__all__ = ["IdStore", "objects", "actors"]

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


#: ObjectRefs handed to native code (values: ray.ObjectRef).
objects: "IdStore[object]" = IdStore("object ref")
#: Actor handles handed to native code (values: goray._ray.objects.ActorEntry).
actors: "IdStore[object]" = IdStore("actor")
