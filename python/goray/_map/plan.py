"""Chunk sizes for goray.map, from the measured cost of an item (docs/map.md, "How chunks
are chosen").

A chunk should run long enough that Ray's cost per task (about a millisecond, queueing and
transfer included) is small against it, and there should be enough chunks for every slot
(a CPU, or an actor) and for a balanced end. The first chunk is a small probe; every chunk
then reports its loop's own time (measured where it ran), and each next size follows the
running cost per item:
    size = min(TARGET_SECONDS / cost, remaining / (2 * slots)), at least FLOOR_SECONDS / cost
so chunks shrink towards the end and the last ones finish together.
"""

from __future__ import annotations

import math
from typing import Optional

__all__ = ["Planner", "TARGET_SECONDS", "FLOOR_SECONDS", "PROBE_ITEMS"]

#: A chunk's loop time to aim for.
TARGET_SECONDS = 0.05
#: No chunk shorter than this (unless the input ends): below it Ray's cost dominates.
FLOOR_SECONDS = 0.005
#: The first chunk's size, before any cost is known.
PROBE_ITEMS = 64


class Planner:
    """The size of each next chunk. `total`: the input's length, None for an iterator;
    `slots`: how many chunks run at once; `fixed`: the caller's chunk_size."""

    def __init__(self, total: Optional[int], slots: int, fixed: Optional[int] = None) -> None:
        if fixed is not None and (isinstance(fixed, bool) or not isinstance(fixed, int)
                                  or fixed < 1):
            raise ValueError(f"chunk_size must be a positive int, got {fixed!r}")
        self.total = total
        self.slots = max(1, int(slots))
        self.fixed = fixed
        self._items = 0
        self._nanoseconds = 0

    @property
    def calibrated(self) -> bool:
        """True once a chunk reported its time (or the caller fixed the size)."""
        return self.fixed is not None or self._items > 0

    @property
    def seconds_per_item(self) -> Optional[float]:
        if self._items == 0:
            return None
        return max(self._nanoseconds / self._items, 1.0) / 1e9

    def observe(self, items: int, loop_ns: int) -> None:
        """A chunk of `items` ran in `loop_ns` nanoseconds."""
        if items > 0 and loop_ns >= 0:
            self._items += items
            self._nanoseconds += loop_ns

    def next_size(self, remaining: Optional[int]) -> int:
        """The next chunk's size; `remaining`: items not yet sent, None if unknown."""
        if self.fixed is not None:
            return self.fixed
        cost = self.seconds_per_item
        if cost is None:
            return PROBE_ITEMS
        size = TARGET_SECONDS / cost
        if remaining is not None:
            size = min(size, math.ceil(remaining / (2 * self.slots)))
        floor = FLOOR_SECONDS / cost
        size = max(size, floor, 1.0)
        if remaining is not None:
            size = min(size, max(remaining, 1))
        return int(min(size, 1 << 31))
