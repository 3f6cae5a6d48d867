"""The driver's id stores (protocol.md section 2): object refs, actors, each
numbered from 0 in this process. Entries leave when native code releases them,
so the stores stay flat however long a program runs. No Ray here."""

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
#: Actor handles handed to native code (values: _ray_native.ActorEntry).
actors: "IdStore[object]" = IdStore("actor")
