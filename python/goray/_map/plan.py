"""Chunk sizes for goray.map, from the measured cost of an item (docs/map.md, "How chunks
are chosen").

A chunk should run long enough that Ray's cost per chunk (a task's scheduling, its
argument and result objects: a millisecond or more of CPU across the driver, the raylet
and the worker) is small against it, and there should be enough chunks for every slot (a
CPU, or an actor) and for a balanced end. The first chunks are small probes, one per slot;
every chunk then reports its loop's own time (measured where it ran, less its thread's
waits for a CPU), and each next size follows the cost per item:
    size = min(TARGET_SECONDS / cost, remaining / (2 * slots)), at least FLOOR_SECONDS / cost
until what remains is at most TAIL_SECONDS of work per slot; that tail is then cut once
into one chunk per slot, equal, so the last ones finish together without a run of smaller
chunks (each chunk costs its worker a gap: Ray's time between two chunks of one worker,
measured at 2 to 16 ms with arrays of a few MB, 4 to 6% of a 250 ms chunk). A
probe's cost per item is an upper bound (its loop's fixed costs, a worker's first call, are
spread over a few items): it sizes only the chunks sent before a larger chunk reports, one
per slot, aiming at PROBED_SECONDS; or, when by that bound the whole rest of the input is
a tail before any such chunk is out, the tail at once (the true work is at most the bound:
a short map runs as one chunk a slot after its probes, as the best fixed size would).

Tests: tests/python/test_map_inputs.py
"""

from __future__ import annotations

import math
from typing import Optional

__all__ = ["Planner", "TARGET_SECONDS", "FLOOR_SECONDS", "PROBE_ITEMS", "PROBED_SECONDS",
           "TAIL_SECONDS"]

#: A chunk's loop time to aim for.
TARGET_SECONDS = 0.05
#: No chunk shorter than this (unless the input ends): below it Ray's cost per chunk is a
#: large part of the chunk's time.
FLOOR_SECONDS = 0.02
#: A probe's size, before any cost is known.
PROBE_ITEMS = 64
#: The chunks sized from the probes' upper bound aim at this (their true time is shorter).
PROBED_SECONDS = 4 * TARGET_SECONDS
#: Work per slot, at most, that is cut into one chunk per slot at the end.
TAIL_SECONDS = 0.5


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
        # (items, nanoseconds) of the probes, and of the chunks sized from a measured cost.
        self._probed = [0, 0]
        self._measured = [0, 0]
        self._tail: Optional[int] = None  # the size of the tail's equal chunks, once cut
        # A chunk sized from the probes' bound is out: a tail cut now would not count it,
        # so the slot that runs it would finish last; the tail waits for a measured cost.
        self._probed_sent = False

    @property
    def calibrated(self) -> bool:
        """True once a chunk reported its time (or the caller fixed the size)."""
        return self.fixed is not None or self._probed[0] > 0 or self._measured[0] > 0

    def room(self, limit: int) -> int:
        """How many chunks may be out at once, `limit` once the cost is measured: until
        then one per slot (the probes, then the chunks the probes' upper bound sized), unless
        the tail is cut (its sizes are settled: its chunks queue behind the running ones)."""
        if self.fixed is not None or self._measured[0] > 0 or self._tail is not None:
            return limit
        return min(limit, self.slots)

    @property
    def seconds_per_item(self) -> Optional[float]:
        items, nanoseconds = self._measured if self._measured[0] else self._probed
        if items == 0:
            return None
        return max(nanoseconds / items, 1.0) / 1e9

    def observe(self, items: int, loop_ns: int, probe: bool = False) -> None:
        """A chunk of `items` ran in `loop_ns` nanoseconds (`probe`: it was sized as one)."""
        if items > 0 and loop_ns >= 0:
            totals = self._probed if probe else self._measured
            totals[0] += items
            totals[1] += loop_ns

    def probing(self) -> bool:
        """True while the next chunk is a probe (no cost known yet)."""
        return self.fixed is None and not self.calibrated

    def next_size(self, remaining: Optional[int]) -> int:
        """The next chunk's size; `remaining`: items not yet sent, None if unknown."""
        if self.fixed is not None:
            return self.fixed
        cost = self.seconds_per_item
        if cost is None:
            # Small enough that every slot's probe leaves work for the chunks after it.
            share = (math.ceil(self.total / (2 * self.slots)) if self.total is not None
                     else PROBE_ITEMS)
            return max(1, min(PROBE_ITEMS, share))
        if remaining is not None and self._tail is None and \
                (self._measured[0] or not self._probed_sent) and \
                remaining * cost <= TAIL_SECONDS * self.slots:
            # The tail (by a probe's upper bound too: the true work is at most that): one
            # equal chunk per slot.
            self._tail = max(1, math.ceil(remaining / self.slots))
        if self._tail is not None:
            return max(1, min(self._tail, remaining if remaining is not None else self._tail))
        if not self._measured[0]:
            self._probed_sent = True
        size = (TARGET_SECONDS if self._measured[0] else PROBED_SECONDS) / cost
        if remaining is not None:
            size = min(size, math.ceil(remaining / (2 * self.slots)))
        floor = FLOOR_SECONDS / cost
        size = max(size, floor, 1.0)
        if remaining is not None:
            size = min(size, max(remaining, 1))
        return int(min(size, 1 << 31))
