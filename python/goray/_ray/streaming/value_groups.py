"""Many items of a native generator to one Ray object, for the callers whose reader is
goray's own and reads every object: goray.stream's (a values stream, Python values) and
native callers' (NextStreamRef, the items' native blocks).

Ray's work per object of a stream (its report to the caller, the caller's reference
table, the read) is about 90 us of CPU whatever the object holds, and a caller
iterating refs pays it per item. A grouped stream pays it per group instead:

- a group is a list ``[start, item, ...]``: the items ``start``,
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
- a values stream's objects are all groups (a Python value may itself be a list). A
  native caller's stream (NativeFrames) sends an item alone as itself (its block's
  bytes, or a NativeBlock: never a list) while every object so far held one item, so
  that object k is item k; from its first group on, every object is a group, and the
  stream ends with an end mark; a repeated run sends its items alone, then an end mark.

ItemOrder is the caller's side: each item handed out once, in order. An object that
starts past the next item (possible only when Ray rebuilt a lost object of a grouped
run with a run that groups differently) and a stream that had groups but ends without
its end mark raise GorayError naming the items lost: never a silent gap.

Tests: tests/python/test_value_groups.py, tests/ray/test_value_streams.py,
tests/python/test_streams_local.py, tests/ray/test_streams.py
"""

from __future__ import annotations

from typing import Any, Iterator, List, Optional, Sequence

from ...errors import GorayError

__all__ = ["GROUP_BYTES", "VALUES_SUFFIX", "refuse_kept_name", "frame", "end_mark", "NativeFrames", "ItemOrder"]

#: The most encoded bytes of items one object holds (an item larger goes alone): far
#: below the size Ray returns inline with its report (100 KiB), so a group is never in
#: a node's store, where a lost node would make Ray rebuild it.
GROUP_BYTES = 1 << 15

#: The end of the Ray task name of a values stream (after GolangTask.<name>/py for a
#: task, after <Type>.<method> for an actor's method): how its body knows to group.
VALUES_SUFFIX = "/values"


def refuse_kept_name(given: Any, suffix: str, kept_for: str) -> None:
    """Raises GorayError when `given`, the caller's Ray task name, ends in `suffix`,
    which goray keeps for `kept_for`: a body would take the call for one of those."""
    if given is not None and str(given).endswith(suffix):
        raise GorayError(f"the Ray task name {given!r} ends in {suffix!r}, which goray keeps "
                         f"for {kept_for}: choose another name")


def frame(start: int, values: Sequence[Any], sizes: Sequence[int], one_each: bool,
          last: bool) -> Iterator[List[Any]]:
    """The objects for `values` (items start, start + 1, ...) of one batch, whose
    encoded sizes are `sizes`: groups up to GROUP_BYTES, or one item each with
    `one_each` (a repeated run); the last object marked with `last`."""
    count = len(values)
    at = 0
    while at < count:
        end = at + 1 if one_each else _group_end(sizes, at)
        first = start + at
        yield [-(first + 1) if last and end == count else first, *values[at:end]]
        at = end


def _group_end(sizes: Sequence[Optional[int]], at: int) -> int:
    """Where the group that starts with item `at` ends: after the items that follow while
    their sizes keep it within GROUP_BYTES (a size None: an item never grouped)."""
    size = sizes[at]
    end = at + 1
    if size is None:
        return end
    while end < len(sizes):
        more = sizes[end]
        if more is None or size + more > GROUP_BYTES:
            break
        size += more
        end += 1
    return end


def end_mark(count: int) -> List[Any]:
    """The object that ends a stream of `count` items when its last items went without
    the mark."""
    return [-(count + 1)]


class NativeFrames:
    """The objects of a native caller's grouped stream, batch by batch (a body's side;
    see the module's text): runs of two or more small items (bytes, as
    objects.stream_item makes them) up to GROUP_BYTES as one group; an item alone as
    itself while each object so far held one item, else as a group of one."""

    __slots__ = ("_repeated", "_items", "_objects")

    def __init__(self, repeated: bool) -> None:
        self._repeated = repeated  # a run Ray repeats: every item alone
        self._items = 0
        self._objects = 0

    def frames(self, batch: Sequence[Any]) -> Iterator[Any]:
        count = len(batch)
        sizes = None if self._repeated else [len(item) if type(item) is bytes else None
                                             for item in batch]
        at = 0
        while at < count:
            end = at + 1 if sizes is None else _group_end(sizes, at)
            if end - at > 1 or self._items != self._objects:
                yield [self._items, *batch[at:end]]
            else:
                yield batch[at]
            self._items += end - at
            self._objects += 1
            at = end

    def end(self) -> Optional[List[Any]]:
        """The stream's end mark, when its reader needs one: it had groups, or this is
        a repeated run (whose reader may have had groups of an earlier run)."""
        return end_mark(self._items) if self._repeated or self._items != self._objects else None


class ItemOrder:
    """The caller's side of a grouped stream: `take(group)` gives the items to hand out
    of one group (those not handed out before), `take_alone(index)` whether the item
    sent alone as object `index` is one to hand out, and `finish()` checks at the end of
    Ray's stream that a stream with groups had its end mark. `label` names the stream
    in errors ("values stream of CountUp")."""

    __slots__ = ("_label", "_next", "_grouped", "ended", "failure")

    def __init__(self, label: str) -> None:
        self._label = label
        self._next = 0  # the next item to hand out
        self._grouped = False  # a group came: the stream ends with an end mark
        self.ended = False  # the end mark came: nothing after it is read
        self.failure: Optional[str] = None  # what the error said, once items were lost

    def _lost(self, message: str) -> GorayError:
        self.failure = f"{self._label}: {message}"
        return GorayError(self.failure)

    def take_alone(self, index: int) -> bool:
        """For an item sent alone as the stream's object `index` (which is then item
        `index`): True when it is the next item, False when it was handed out before."""
        return bool(self._take(index, 1, False))

    def take(self, group: Any) -> List[Any]:
        if type(group) is not list or not group or type(group[0]) is not int:
            raise GorayError(f"{self._label}: object {group!r:.80} is not a [start, item, ...] "
                             "group (was the task submitted by goray?)")
        self._grouped = True
        start = group[0]
        last = start < 0
        fresh = self._take(-start - 1 if last else start, len(group) - 1, last)
        return group[len(group) - fresh:] if fresh else []

    def _take(self, start: int, count: int, last: bool) -> int:
        """How many of the `count` items from `start` on are new (the last ones)."""
        if start > self._next:
            which = (f"item {self._next} was" if start - 1 == self._next
                     else f"items {self._next} to {start - 1} were")
            raise self._lost(f"{which} lost (Ray rebuilt a lost object of the stream with a run "
                             "that grouped its items differently); the items before were handed out")
        after = start + count  # the items up to the end of this object
        if last and after < self._next:
            raise self._lost(f"its end mark says {after} items, and {self._next} were handed "
                             "out (a run Ray repeated made fewer)")
        fresh = max(0, after - self._next)
        self._next = max(self._next, after)
        self.ended = last
        return fresh

    def finish(self) -> None:
        if self._grouped and not self.ended:
            raise self._lost(f"Ray's stream ended without the stream's end mark, after item "
                             f"{self._next - 1}: the items after it were lost")

    @property
    def handed_out(self) -> int:
        """How many items were handed out."""
        return self._next
