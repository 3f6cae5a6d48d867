"""Every ray.cancel goray makes, run on the core worker's IO thread (docs/errors.md,
"Timeouts and cancellation"; issue 53).

Ray's owner of a task fails it at once when ray.cancel finds it pending but not
executing. The task's reply is handled on the core worker's IO thread in two steps: the
task stops counting as executing, then its result is recorded. A cancel from any other
thread can fall between the two: it fails the task, the result then finds no pending task,
and Ray aborts the whole process (``task_manager.cc: Check failed: it !=
submissible_tasks_.end() Tried to complete task that was not pending``), with no Python
traceback and no ``finally``. Measured with plain Ray tasks stuck in one native call, 1,000
cancels timed around their ends per run: Ray 2.40.0 aborted in 3 of 3 runs, 2.48.0 in 4 of
5, 2.49.0 in 4 of 5 and 2.60.0 in 5 of 5 (ray-project/ray#54798, in Ray from 2.49.0,
fixed the retry side of the race, ray-project/ray#54260, not this one). goray meets it
readily: a map's chunks end as its cancels go out (their C++ loops are not interrupted),
and a goray.map that Ctrl-C interrupted 10 times aborted in 5 of 7 runs on Ray 2.40, 3 of
3 on Ray 2.60.

A function run on the IO thread cannot fall between the two steps of a reply. So
:func:`run` runs Ray's cancel there, through the completion callback of an object this
process put for that purpose (internals.completion_callback), and waits for it: the same
cancel, with its errors raised in the caller; none aborted in the same runs (0 of 3 on each
release). Where the callback is missing (Ray Client, an older or newer Ray without it),
the cancel runs in the caller's thread, as Ray's own.

Tests: tests/ray/test_cancel_stress.py, tests/ray/test_map.py
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, List, Optional, Tuple

import ray

from ..compat import internals

__all__ = ["run", "cancel", "cancel_each", "WAIT_SECONDS"]

_log = logging.getLogger("goray")

#: How long a caller waits for the IO thread to run its cancel (it takes microseconds; a
#: stalled IO thread would stall every Ray call of the process anyway).
WAIT_SECONDS = 10.0


@dataclass
class _IoThread:
    """The way onto one core worker's IO thread: the object whose completion callback
    goray registers (kept while that core worker lives), and the thread's id once seen."""

    worker_id: bytes
    ref: Any
    native_id: Optional[int] = None


_io: Optional[_IoThread] = None
_lock = threading.Lock()


def _io_thread() -> Optional[_IoThread]:
    """This process's way onto its core worker's IO thread, made once per core worker (a
    new ray.init has a new one, with a new worker id); None when there is none to take."""
    global _io
    if not ray.is_initialized():
        return None
    worker = internals.global_worker()
    if getattr(worker, "core_worker", None) is None:
        return None  # Ray Client: the cancel goes to the server
    try:
        worker_id = bytes(worker.worker_id)
    except Exception:  # noqa: BLE001 - shutting down: the caller's thread will do
        return None
    with _lock:
        if _io is None or _io.worker_id != worker_id:
            try:
                ref = ray.put(None)
            except Exception:  # noqa: BLE001 - no room in the store: the caller's thread
                return None
            if internals.completion_callback(ref) is None:
                return None
            _io = _IoThread(worker_id, ref)
        return _io


def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """function(*args, **kwargs) on the core worker's IO thread (in the caller's thread
    where there is none, or when the caller is that thread), waited for at most
    WAIT_SECONDS: its result, or its exception raised here. None when the IO thread did not
    run it in time (it still will)."""
    io = _io_thread()
    if io is None or threading.get_native_id() == io.native_id:
        return function(*args, **kwargs)
    done = threading.Event()
    outcome: List[Tuple[bool, Any]] = []

    def on_io_thread(_value: Any) -> None:
        io.native_id = threading.get_native_id()
        try:
            outcome.append((True, function(*args, **kwargs)))
        except BaseException as error:  # noqa: BLE001 - raised again in the caller
            outcome.append((False, error))
        finally:
            done.set()

    register = internals.completion_callback(io.ref)
    assert register is not None  # (checked when the object was made)
    register(on_io_thread)
    if not done.wait(WAIT_SECONDS):
        _log.warning("goray: Ray's IO thread did not run a cancel within %s s; it is queued",
                     WAIT_SECONDS)
        return None
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value


def cancel(target: Any, *args: Any, **kwargs: Any) -> Any:
    """ray.cancel(target, *args, **kwargs), Ray's own, on the IO thread."""
    return run(internals.ray_cancel(), target, *args, **kwargs)


def cancel_each(refs: Iterable[Any]) -> None:
    """Cancels each of `refs` (one trip to the IO thread for all); a ref whose cancel
    fails (its task ended meanwhile, an actor task Ray keeps) is left as it is."""
    refs = list(refs)
    if not refs:
        return
    ray_cancel = internals.ray_cancel()

    def cancel_all() -> None:
        for ref in refs:
            try:
                ray_cancel(ref)
            except Exception:  # noqa: BLE001 - finished meanwhile, or not cancellable
                pass
    run(cancel_all)
