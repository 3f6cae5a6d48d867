"""The Ray objects of a values stream (goray.stream): a native generator's items for a
Python caller that iterates values rather than refs, many items to one Ray object.

Ray's work per object of a stream (its report to the caller, the caller's reference
table, the read) is about 90 us of CPU whatever the object holds, and a Python caller
iterating refs pays it per item. A values stream pays it per group instead:

- each object is a list ``[start, value, ...]``: the values of items ``start``,
  ``start + 1``, ... of the stream. A negative start, ``-(start + 1)``, marks the
  stream's last object; it may hold no values (the end alone, when the generator's end
  came after its last items had gone).
- a group is the items one read-ahead batch brought (each item the generator had
  already made: nothing is held back), up to GROUP_BYTES of their encoded size; an item
  larger than that goes alone.
- a run Ray repeats (attempt > 0: a retry after a failure, or a rebuild of a lost
  object) yields one item per object. Ray keeps the objects of the runs before it by
  index and takes the later indices from the new run; since every earlier object held
  at least one item, the new run's object k (item k) is never past what the caller
  already has, so ItemOrder skips the items it has again and goes on in order.

ItemOrder is the caller's side: each item handed out once, in order. An object that
starts past the next item (possible only when Ray rebuilt a lost object of a grouped
run with a run that groups differently) and a stream that ends without its end mark
raise GorayError naming the items lost: never a silent gap.
"""

from __future__ import annotations

from typing import Any, Iterator, List, Sequence

from ..errors import GorayError

__all__ = ["GROUP_BYTES", "VALUES_SUFFIX", "frame", "end_mark", "ItemOrder"]

#: The most encoded bytes of items one object holds (an item larger goes alone): far
#: below the size Ray returns inline with its report (100 KiB), so a group is never in
#: a node's store, where a lost node would make Ray rebuild it.
GROUP_BYTES = 1 << 15

#: The end of the Ray task name of a values stream (after GolangTask.<name>/py for a
#: task, after <Type>.<method> for an actor's method): how its body knows to group.
VALUES_SUFFIX = "/values"


def frame(start: int, values: Sequence[Any], sizes: Sequence[int], one_each: bool,
          last: bool) -> Iterator[List[Any]]:
    """The objects for `values` (items start, start + 1, ...) of one batch, whose
    encoded sizes are `sizes`: groups up to GROUP_BYTES, or one item each with
    `one_each` (a repeated run); the last object marked with `last`."""
    count = len(values)
    at = 0
    while at < count:
        end = at + 1
        if not one_each:
            size = sizes[at]
            while end < count and size + sizes[end] <= GROUP_BYTES:
                size += sizes[end]
                end += 1
        first = start + at
        yield [-(first + 1) if last and end == count else first, *values[at:end]]
        at = end


def end_mark(count: int) -> List[Any]:
    """The object that ends a stream of `count` items when its last items went without
    the mark."""
    return [-(count + 1)]


class ItemOrder:
    """The caller's side of a values stream: `take(object)` gives the values to hand
    out of one object (those not handed out before), `finish()` checks at the end of
    Ray's stream that the stream's end mark came."""

    __slots__ = ("_label", "_next", "ended")

    def __init__(self, label: str) -> None:
        self._label = label
        self._next = 0  # the next item to hand out
        self.ended = False  # the end mark came: nothing after it is read

    def take(self, group: Any) -> List[Any]:
        if type(group) is not list or not group or type(group[0]) is not int:
            raise GorayError(f"values stream of {self._label}: object {group!r:.80} is not a "
                             "[start, value, ...] group (was the task submitted by goray.stream?)")
        start = group[0]
        last = start < 0
        if last:
            start = -start - 1
        if start > self._next:
            raise GorayError(f"values stream of {self._label}: items {self._next} to {start - 1} "
                             "were lost (Ray rebuilt a lost object of the stream with a run that "
                             "grouped its items differently); the items before them were handed out")
        fresh = group[1 + self._next - start:]
        after = start + len(group) - 1  # the items up to the end of this object
        if last and after < self._next:
            raise GorayError(f"values stream of {self._label}: its end mark says {after} items, "
                             f"and {self._next} were handed out (a run Ray repeated made fewer)")
        self._next = max(self._next, after)
        self.ended = last
        return fresh

    def finish(self) -> None:
        if not self.ended:
            raise GorayError(f"values stream of {self._label}: Ray's stream ended without the "
                             f"stream's end mark, after item {self._next - 1}: the items after "
                             "it were lost")

    @property
    def handed_out(self) -> int:
        """How many items were handed out."""
        return self._next
