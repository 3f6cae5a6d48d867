"""Waiting for a Ray stream's next item in a consumer that keeps up with its producer.

Ray's ObjectRefGenerator waits with ray.wait, and in a task's worker every blocking
ray.wait (or ray.get) first tells the raylet the worker blocked, so that its CPU may go
to another task, and then that it is running again: two messages, and the raylet's
work on both, for every item a consumer waits for. On a small machine that is CPU the
producer does not get. next_item waits on a callback of the item's ref instead (Ray's
ObjectRef._on_ready: no message, no read of the value), for at most CALLBACK_WAIT
seconds; a longer wait is Ray's own, so a producer that waits for a CPU the consumer
holds (a retry on a full node) gets it as it would.

Tests: tests/python/test_stream_waits.py, tests/ray/test_streams_cpp.py
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Optional

import ray.exceptions

from ..compat import internals

__all__ = ["CALLBACK_WAIT", "next_item", "produced_reader"]

#: The longest wait on the item's callback before Ray's own wait (seconds): far above
#: the time between a busy producer's items, far below what holding a CPU costs.
CALLBACK_WAIT = 0.002


def produced_reader(generator: Any) -> Optional[Callable[[], Any]]:
    """A call that reads the generator's next item off the core worker's stream once it
    is produced, as generator._next_sync(0) answers (its ref; a nil ref when it is not
    produced yet; at the end StopIteration, or the task's error once) but with one
    call, where Ray's first looks whether it is there; None for a Ray without it."""
    read = internals.stream_reader(generator)
    if read is None:
        return None
    stream = generator._generator_ref

    def next_produced() -> Any:
        try:
            return read(stream)
        except ray.exceptions.ObjectRefStreamEndOfStreamError:  # the end: Ray's own reading
            return generator._next_sync(0)
    return next_produced


def _arrived_within(generator: Any, seconds: float) -> bool:
    """True once the generator's next item (or its end) is there, waiting at most
    `seconds` on its ref's callback; False when it is not there by then, or when this
    Ray has no such callback (the caller then waits as Ray does)."""
    peek = internals.stream_peek(generator)
    if peek is None or not internals.ref_callbacks():
        return False
    expected, ready = peek(generator._generator_ref)
    on_ready = expected._on_ready
    if ready:
        return True
    arrived = threading.Event()
    cancel = on_ready(lambda _error: arrived.set())
    try:
        return arrived.wait(seconds)
    finally:
        cancel()


def next_item(generator: Any, timeout: float) -> Any:
    """generator._next_sync(timeout) (timeout < 0: forever): the next item's ref, a nil
    ref on timeout, StopIteration at the end; the first CALLBACK_WAIT seconds of the
    wait on the item's callback."""
    start = time.monotonic()
    first = CALLBACK_WAIT if timeout < 0 else min(timeout, CALLBACK_WAIT)
    if _arrived_within(generator, first):
        read = produced_reader(generator)
        ref = read() if read is not None else generator._next_sync(0)
        if not ref.is_nil():  # nil: the end is there but the task's result not yet
            return ref
    if timeout < 0:
        return generator._next_sync(None)
    return generator._next_sync(max(0.0, timeout - (time.monotonic() - start)))
