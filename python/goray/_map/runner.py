"""Runs one map (docs/map.md): cuts the inputs into chunks as the planner sizes them,
keeps at most `max_in_flight` chunks submitted, and hands back each finished chunk (in
input order, or as they finish), its failures turned into MapItemErrors that name the
item's index and value. A chunk lost with its worker is retried by Ray (the task's
max_retries) or, on a pool, sent to another actor; a chunk's results are taken once, by
its start, so no item is lost or counted twice. Whatever ends the map early (a failure, an
error of the input, the caller closing the iterator) cancels every chunk in flight.
With an `output` (goray._map.shared_output), each chunk's header names where its results go: a
chunk that wrote them there comes back `written`, without them.

Tests: tests/ray/test_map.py
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple

import ray

from .._ray.cancellation import cancels
from .._ray.py2native import map_chunks
from ..errors import MapItemError, map_item_error
from .inputs import Inputs, Taken
from .shared_output import SharedOutput
from .plan import Planner
from .progress import Progress
from .targets import Target

__all__ = ["Done", "run", "TRACE"]

#: A benchmark's hook (bench/map.py): called as TRACE(start, count, probe, chunk) for each
#: chunk as it comes back (chunk: map_chunks.Chunk, with its body's start time).
TRACE: Optional[Callable[[int, int, bool, Any], None]] = None


class Done(NamedTuple):
    """A finished chunk: its first item's index, count, results (an array or a list; None
    for void, or when `written` into the map's output) and its failures [(index in the
    input, MapItemError)]."""

    start: int
    count: int
    results: Any
    failures: List[Tuple[int, MapItemError]]
    written: bool = False


class _Pending(NamedTuple):
    taken: Taken
    actor: Optional[int]
    probe: bool


def _actor_died(error: BaseException) -> bool:
    return isinstance(error, (ray.exceptions.RayActorError,))


def _with_items(error: BaseException, taken: Taken, label: str) -> BaseException:
    note = f"goray.map({label}): the chunk of items {taken.start}..{taken.start + taken.count - 1}"
    if hasattr(error, "add_note"):
        error.add_note(note)
    return error


def run(target: Target, inputs: Inputs, planner: Planner, *, collect: bool, ordered: bool,
        max_in_flight: Optional[int], progress: Optional[bool],
        output: Optional[SharedOutput] = None) -> Iterator[Done]:
    """Every chunk of the map as it finishes (`ordered`: in input order); `output`: where
    chunks on this node write their results."""
    # Tasks: a chunk queued behind each running one. Actors: the pool's own bound (each
    # actor's chunks_per_actor; a queued chunk waits in that actor's queue anyway).
    default = target.slots if target.actors else 2 * target.slots
    limit = max_in_flight if max_in_flight is not None else default
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"max_in_flight must be a positive int, got {max_in_flight!r}")
    bar = Progress(target.label, inputs.total, progress)
    pending: Dict[Any, _Pending] = {}
    held: Dict[int, Done] = {}  # finished out of order, until their turn
    next_start = 0
    exhausted = False
    # errors="raise": the lowest failed item seen (its index and error), raised once no
    # chunk before it is still out, so the error is always the input's first failed item.
    failed: Optional[Tuple[int, MapItemError]] = None
    try:
        while True:
            room = planner.room(limit)
            # Chunks held for their turn count too: memory stays bounded in order.
            while not exhausted and len(pending) + len(held) < room:
                probe = planner.probing()
                taken = inputs.take(planner.next_size(inputs.remaining))
                if taken is None:
                    exhausted = True
                    break
                _submit(target, taken, collect, pending, probe, output)
            if not pending:
                if failed is not None:
                    raise failed[1]
                break
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                chunk = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except Exception as error:  # noqa: BLE001 (a lost actor's chunk goes elsewhere)
                    if _actor_died(error) and target.lost(chunk.actor):
                        _submit(target, chunk.taken, collect, pending, chunk.probe, output)
                        continue
                    raise _with_items(error, chunk.taken, target.label) from None
                target.done(chunk.actor)
                taken = chunk.taken
                planner.observe(taken.count, result.loop_ns, chunk.probe)
                if TRACE is not None:
                    TRACE(taken.start, taken.count, chunk.probe, result)
                failures = [(taken.start + index,
                             map_item_error(target.label, taken.start + index, taken.item(index),
                                            cause))
                            for index, cause in result.failures]
                if failures and not collect:
                    lowest = min(failures, key=lambda failure: failure[0])
                    if failed is None or lowest[0] < failed[0]:
                        failed = lowest
                    # Earlier chunks still out may hold a lower failed item: they run on;
                    # the later ones are cancelled here and nothing more is sent.
                    exhausted = True
                    later = [ref for ref, out in pending.items()
                             if out.taken.start > failed[0]]
                    _cancel(later, target)
                    for ref in later:
                        del pending[ref]
                    continue
                if failed is not None:
                    continue  # an earlier chunk that did not fail: nothing to hand back now
                bar.update(taken.count)
                done = Done(taken.start, taken.count, result.results, failures,
                            result.written)
                if not ordered:
                    yield done
                    continue
                held[done.start] = done
                while next_start in held:
                    ready_done = held.pop(next_start)
                    next_start += ready_done.count
                    yield ready_done
    finally:
        bar.close()
        _cancel(list(pending), target)


def _cancel(refs: List[Any], target: Target) -> None:
    """Cancels chunks in flight (a running C++ loop finishes its chunk first), from Ray's
    IO thread (goray._ray.cancellation.cancels: a cancel that meets a chunk's end elsewhere aborts the
    process)."""
    if target.cancellable:
        cancels.cancel_each(refs)


def _submit(target: Target, taken: Taken, collect: bool, pending: Dict[Any, _Pending],
            probe: bool, output: Optional[SharedOutput]) -> None:
    header: List[Any] = [taken.count, list(taken.columns), collect]
    if output is not None:
        header.append(output.header(taken.start))
    columns, shared = map_chunks.split(taken.columns, taken.values)
    ref, actor = target.submit(header, columns, shared)
    pending[ref] = _Pending(taken, actor, probe)
