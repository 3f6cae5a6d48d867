"""A cancelled stream ends with TaskCancelledError, every time (docs/streams.md,
"Items, errors and cancellation"; issue 39 §1).

Ray marks a streaming generator's end at its caller's current item when ray.cancel
reaches the owner (ray-project/ray#44197). When the cancel overtakes the task (it reaches
the worker before the task runs there), the worker never raises the task's
TaskCancelledError: Ray then skips the task, or runs it without interrupting it, and either
way it ends as a success, and the caller's iteration ends as if the stream were finished.
Measured on Ray 2.60 with 600 cancels right after the call, in reused workers: 4 normal
ends, Python generators and C++ streams alike.

So goray remembers what its process cancelled (:func:`cancel`, which goray's own cancels
call and which :func:`install` makes ray.cancel), sends the cancel of a stream again
RECANCEL_AFTER seconds later when the task has not ended by then (the second reaches a
task the first overtook: without it, such a task ran to its end, 4 of 400 times; with it,
none), and a cancelled generator's end (StopIteration from
ObjectRefGenerator._next_sync / _next_async, which every reader of a stream reaches at its
end: Ray's iteration, goray.stream, the C++ driver's NextStreamRef) raises
TaskCancelledError instead, unless an item after the cancel carried an error already (the
usual end: that item's ray.get raised it). Ray 2.40-2.60 (the class and its two methods,
checked by name; without them the ends stay Ray's). Every cancel, the second one too and
those of plain refs, runs on the core worker's IO thread (goray._ray.cancellation.cancels: off it, a
cancel that meets its task's end aborts the process).

A second cancel never outlives its Ray: ray.shutdown (as :func:`install` makes it) and the
interpreter's exit first drop the ones not sent yet and wait for one being sent, and one
that finds Ray shut down does nothing. (Sent after a ray.shutdown, Ray's ray.wait started a
new Ray from the timer's thread, which the process's exit then killed with SIGSEGV: 2 of 30
runs of a stream cancelled right before ray.shutdown on Ray 2.40.)

Tests: tests/ray/test_cancel_stress.py, tests/ray/test_value_streams.py
"""

from __future__ import annotations

import atexit
import functools
import threading
from typing import Any, Callable, Dict, Optional, Set

import ray
import ray.exceptions

from . import cancels
from ..compat import internals

__all__ = ["install", "cancel", "stop_second_cancels", "RECANCEL_AFTER"]

#: When a cancelled stream's task is sent the cancel again if it has not ended (seconds).
RECANCEL_AFTER = 0.2

# On a generator this process cancelled, the attribute holding the last ref read from it
# since (None: none yet). On the instance, so that an item read of a stream never
# cancelled costs one dict lookup, without a lock.
_LAST_AFTER_CANCEL = "_goray_last_after_cancel"
_NOT_CANCELLED = object()
_NO_ATTRIBUTES: Dict[str, Any] = {}
_lock = threading.Lock()
_installed: Optional[bool] = None  # (None: not yet)
# The second cancels waiting for their time (under _waiting_lock, held only to look or
# change); one being sent holds _sending_lock, which stop_second_cancels takes first. (A
# cancel made meanwhile, from Ray's IO thread too, then never waits for that send.)
_waiting: Set[threading.Timer] = set()
_waiting_lock = threading.Lock()
_sending_lock = threading.Lock()


def _last_after_cancel(generator: Any) -> Any:
    return getattr(generator, "__dict__", _NO_ATTRIBUTES).get(_LAST_AFTER_CANCEL, _NOT_CANCELLED)


def _note_cancel(generator: Any) -> None:
    if _last_after_cancel(generator) is _NOT_CANCELLED:
        try:
            setattr(generator, _LAST_AFTER_CANCEL, None)
        except AttributeError:  # a generator without attributes: its end stays Ray's
            pass


def _carried_an_error(ref: Optional[Any]) -> bool:
    """Whether `ref` (the last item read after the cancel) holds the task's error."""
    if ref is None:
        return False
    try:
        ray.get(ref, timeout=10)
    except ray.exceptions.GetTimeoutError:
        return True  # (not there: not a value the caller has; Ray's own end stands)
    except Exception:  # noqa: BLE001 - the stream's error: TaskCancelledError or another
        return True
    return False


def _cancelled_end(generator: Any) -> Optional[BaseException]:
    """What a generator's end raises instead of StopIteration: TaskCancelledError once
    for a generator this process cancelled whose items since carried no error; None
    (Ray's end stands) otherwise."""
    last = _last_after_cancel(generator)
    if last is _NOT_CANCELLED:
        return None
    delattr(generator, _LAST_AFTER_CANCEL)  # (once: a later read ends as Ray says)
    if _carried_an_error(last):
        return None
    return ray.exceptions.TaskCancelledError(generator._generator_ref.task_id().hex())


def _remember(generator: Any, ref: Any) -> Any:
    if _last_after_cancel(generator) is not _NOT_CANCELLED and not ref.is_nil():
        setattr(generator, _LAST_AFTER_CANCEL, ref)
    return ref


def _wrap_sync(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _next_sync(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ref = original(self, *args, **kwargs)
        except StopIteration:
            error = _cancelled_end(self)
            if error is None:
                raise
            raise error from None
        return _remember(self, ref)
    return _next_sync


def _wrap_async(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def _next_async(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ref = await original(self, *args, **kwargs)
        except StopAsyncIteration:
            error = _cancelled_end(self)
            if error is None:
                raise
            raise error from None
        return _remember(self, ref)
    return _next_async


def _cancel_again(ref: Any, args: Any, kwargs: Any) -> None:
    if not ray.is_initialized():
        return  # (shut down by a path that did not stop the second cancels)
    try:
        done, _ = internals.ray_wait()([ref], timeout=0, fetch_local=False)
        if not done:
            cancels.cancel(ref, *args, **kwargs)
    except Exception:  # noqa: BLE001 - Ray shut down meanwhile, or the task is gone
        pass


def _send_later(ref: Any, args: Any, kwargs: Any) -> None:
    """The second cancel of `ref`'s task, RECANCEL_AFTER seconds from now."""
    def send() -> None:
        with _sending_lock:
            with _waiting_lock:
                if timer not in _waiting:
                    return  # (dropped by stop_second_cancels while this thread started)
                _waiting.discard(timer)
            _cancel_again(ref, args, kwargs)

    timer = threading.Timer(RECANCEL_AFTER, send)
    timer.daemon = True
    with _waiting_lock:
        _waiting.add(timer)
    timer.start()


def stop_second_cancels() -> None:
    """Drops the second cancels not sent yet, once the one being sent (if any) is out:
    what ray.shutdown (as goray makes it) and the interpreter's exit do first."""
    with _sending_lock, _waiting_lock:
        for timer in _waiting:
            timer.cancel()
        _waiting.clear()


def cancel(ray_waitable: Any, *args: Any, **kwargs: Any) -> Any:
    """ray.cancel as goray makes it (and, once :func:`install` ran, as ray.cancel is):
    Ray's own on the core worker's IO thread (goray._ray.cancellation.cancels); for a generator, also
    remembered for its end, and sent again RECANCEL_AFTER seconds later when its task
    has not ended by then."""
    generator = isinstance(ray_waitable, ray.ObjectRefGenerator)
    if generator:
        _note_cancel(ray_waitable)
    result = cancels.cancel(ray_waitable, *args, **kwargs)
    if generator:
        _send_later(ray_waitable._generator_ref, args, kwargs)
    return result


def install() -> bool:
    """Makes ray.cancel goray's :func:`cancel`, has ray.shutdown and the interpreter's exit
    stop the second cancels first, and wraps the generator's two reads, once per process.
    False when this Ray's generator lacks them (its ends stay Ray's; ray.cancel is goray's
    all the same)."""
    global _installed
    with _lock:
        if _installed is None:
            @functools.wraps(internals.ray_cancel())
            def ray_cancel(ray_waitable: Any, *args: Any, **kwargs: Any) -> Any:
                return cancel(ray_waitable, *args, **kwargs)

            ray.cancel = ray_cancel
            ray.shutdown = _stopping_second_cancels_first(ray.shutdown)
            # (after Ray's own exit handler was registered, so before it runs)
            atexit.register(stop_second_cancels)
            _installed = _wrap_generator_reads()
        return _installed


def _stopping_second_cancels_first(shutdown: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(shutdown)
    def ray_shutdown(*args: Any, **kwargs: Any) -> Any:
        stop_second_cancels()
        return shutdown(*args, **kwargs)
    return ray_shutdown


def _wrap_generator_reads() -> bool:
    generator_class: Any = getattr(ray, "ObjectRefGenerator", None)
    sync = getattr(generator_class, "_next_sync", None)
    async_ = getattr(generator_class, "_next_async", None)
    if sync is None or async_ is None:
        return False
    try:
        generator_class._next_sync = _wrap_sync(sync)
        generator_class._next_async = _wrap_async(async_)
    except (AttributeError, TypeError):  # a class that takes no new attributes
        return False
    return True
