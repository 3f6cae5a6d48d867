"""Native crash reports on Ray (docs/errors.md, "Native crashes"; docs/reliability.md).

Worker side: nothing per call. The worker turns its library's crash recovery on
(GorayRecoverCrashes, docs/protocol.md §14), so a native crash in a call (or on a thread
the user started, handed to a call) returns to Python with its report; only then is the
running task's id looked up, and the report filed as ``<dir>/<task id>.txt`` (``<dir>``:
``goray-crashes/`` in this node's Ray session directory) and in Ray's key-value store
(for a caller on another node). Then the process ends as the crash would have ended it.

Caller side: Ray builds a ``WorkerCrashedError`` or ``ActorDiedError`` when it
deserializes a failed result (``SerializationContext._deserialize_object``); :func:`install`
wraps that method so such an error whose task left a report on this node comes out as
:class:`NativeWorkerCrash` / :class:`NativeActorCrash`: instances of goray's
:class:`~goray.errors.NativeCrash` and of Ray's class alike, the report attached. Every
``ray.get`` in the process sees it (the user's, goray's, the C++ driver's GetObject).
The report is read from this node's directory, else from the key-value store. The same
wrapper gives a ``RayTaskError`` caused by a goray error its text first (task_errors).

Tests: tests/python/test_crash_reports.py
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import tempfile
import threading
from typing import Any, Callable, Dict, Optional, Tuple, Type

import ray
import ray.exceptions

from ...errors import NativeCrash, set_crash_hook
from ..compat import internals
from . import task_errors

__all__ = ["NativeWorkerCrash", "NativeActorCrash", "NativeActorUnavailableCrash", "install", "recover_in_worker",
           "file_report", "report_dir", "attach", "REPORT_DIR_ENV"]

_log = logging.getLogger("goray")

#: Overrides the reports' directory (both sides must agree: set it for the whole job).
REPORT_DIR_ENV = "GORAY_CRASH_DIR"


class NativeWorkerCrash(NativeCrash, ray.exceptions.WorkerCrashedError):
    """The worker running a native task crashed, and left this report."""


class NativeActorCrash(NativeCrash, ray.exceptions.ActorDiedError):
    """The actor's process crashed in a native method, and left this report."""


class NativeActorUnavailableCrash(NativeCrash, ray.exceptions.ActorUnavailableError):
    """A restartable actor's process crashed in a native method, and left this report: Ray
    says the actor is unavailable (it is restarting), not dead."""


#: Ray's error class -> goray's, each also an instance of Ray's (so Ray's except clauses
#: keep working). ActorUnavailableError is a sibling of ActorDiedError under RayActorError.
_CRASH_CLASSES: Tuple[Tuple[Type[BaseException], Type[NativeCrash]], ...] = (
    (ray.exceptions.ActorDiedError, NativeActorCrash),
    (ray.exceptions.ActorUnavailableError, NativeActorUnavailableCrash),
    (ray.exceptions.WorkerCrashedError, NativeWorkerCrash),
)


def _restore(cls: Type[BaseException], state: Dict[str, Any],
             args: Tuple[Any, ...]) -> BaseException:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


def _reduce(self: BaseException) -> Tuple[Any, ...]:
    return (_restore, (type(self), dict(self.__dict__), self.args))


for _crash_class in (NativeWorkerCrash, NativeActorCrash, NativeActorUnavailableCrash):
    _crash_class.__reduce__ = _reduce  # type: ignore[method-assign,assignment]


_dir: Optional[str] = None
_dir_lock = threading.Lock()


def report_dir() -> str:
    """This node's directory of crash reports (made on first use)."""
    global _dir
    if _dir is not None:
        return _dir
    with _dir_lock:
        if _dir is None:
            directory = os.environ.get(REPORT_DIR_ENV)
            if not directory:
                session = internals.session_dir() or os.path.join(
                    tempfile.gettempdir(), f"goray-{os.getuid()}")  # (Ray cannot say: a fixed place)
                directory = os.path.join(session, "goray-crashes")
            os.makedirs(directory, exist_ok=True)
            _dir = directory
    return _dir


def attach(error: BaseException, task_id: str) -> BaseException:
    """`error` with the report task `task_id` left on this node, or `error` itself."""
    if isinstance(error, NativeCrash):
        return error
    crash_class = next((ours for base, ours in _CRASH_CLASSES if isinstance(error, base)), None)
    if crash_class is None or not task_id:
        return error
    report = _read_report(task_id)
    if report is None and isinstance(error, ray.exceptions.ActorDiedError):
        # Every call to an actor whose constructor crashed: the constructor's report.
        creation = _creation_task_id(getattr(error, "actor_id", None))
        report = _read_report(creation) if creation else None
        task_id = creation or task_id
    if report is None:
        return error
    crash = crash_class.__new__(crash_class)
    crash.args = error.args
    crash.__dict__.update(error.__dict__)
    crash.adopt(report, task_id, str(error))
    return crash


def _read_report(task_id: str) -> Optional[str]:
    """The report task `task_id` filed: on this node, else (a task that ran on another
    node) from Ray's key-value store."""
    try:
        with open(os.path.join(report_dir(), f"{task_id}.txt"), encoding="utf-8",
                  errors="replace") as file:
            return file.read()
    except OSError:
        pass
    try:
        stored = internals.kv_get(_kv_key(task_id))
    except Exception:  # noqa: BLE001 - no report: Ray's error as it is
        return None
    return stored.decode("utf-8", errors="replace") if stored else None


def _creation_task_id(actor_id: Optional[str]) -> Optional[str]:
    """The id (hex) of the task that created actor `actor_id` (hex), or None."""
    if not actor_id:
        return None
    return internals.creation_task_id(actor_id)


_installed = False


def install() -> bool:
    """Makes Ray's deserializer attach crash reports, and put a goray error's own text
    first in Ray's RayTaskError (task_errors), once per process. False when this Ray's
    deserializer is not the one this was written for: errors stay Ray's own."""
    global _installed
    if _installed:
        return True
    context, parameters = internals.deserializer_parameters()
    if parameters[:4] != ["self", "data", "metadata", "object_ref"]:
        _log.debug("goray: Ray's deserializer has changed: crash reports are not attached")
        return False

    original = context._deserialize_object

    @functools.wraps(original)
    def deserialize(self: Any, data: Any, metadata: Any, object_ref: Any, *args: Any,
                    **kwargs: Any) -> Any:
        value = original(self, data, metadata, object_ref, *args, **kwargs)
        if isinstance(value, ray.exceptions.RayTaskError):
            return task_errors.lead_with_cause(value)
        if isinstance(value, ray.exceptions.ActorDiedError) and value.actor_init_failed:
            return task_errors.lead_with_init_cause(value)
        if isinstance(value, _CRASH_BASES) and object_ref is not None:
            try:
                return attach(value, object_ref.task_id().hex())
            except Exception:  # noqa: BLE001 - a report is a bonus: Ray's error as it was
                return value
        return value

    context._deserialize_object = deserialize  # type: ignore[method-assign]
    _installed = True
    return True


_CRASH_BASES = tuple(base for base, _ in _CRASH_CLASSES)


def recover_in_worker(library: Any) -> bool:
    """In a Ray worker: turns the library's crash recovery on (GorayRecoverCrashes), so a
    native crash in a call comes back to Python, which files its report (:func:`file_report`)
    and ends the process, as the crash would have. Nothing is done per call. False (Ray's
    error alone for a crash) in a driver, or with a library that cannot recover."""
    if not internals.in_worker(internals.global_worker()) or not library.recover_crashes():
        return False
    set_crash_hook(file_report_and_exit)
    return True


def file_report_and_exit(crash: NativeCrash) -> None:
    """A call crashed (and was recovered): files its report where the task's caller looks,
    then ends this process as the signal would have, so Ray still sees a dead worker (and
    retries the task, or restarts the actor, as it would)."""
    try:
        file_report(crash.report)
    finally:
        _exit_as(crash.signal)


def file_report(report: str) -> None:
    """Files `report` for the task running now: ``<dir>/<task id>.txt`` on this node, and
    in Ray's key-value store for a caller on another node."""
    task_id = ray.get_runtime_context().get_task_id()
    if not task_id:
        return
    path = os.path.join(report_dir(), f"{task_id}.txt")
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            file.write(report)
        os.replace(path + ".tmp", path)
    except OSError as error:
        _log.warning("goray: could not write the crash report %s: %s", path, error)
    try:
        internals.kv_put(_kv_key(task_id), report.encode("utf-8", errors="replace"))
    except Exception as error:  # noqa: BLE001 - the local file is still there
        _log.warning("goray: could not store the crash report of task %s: %s", task_id, error)


def _kv_key(task_id: str) -> bytes:
    return f"goray-crash/{task_id}".encode()


def _exit_as(signal_name: str) -> None:
    number = signal.Signals.__members__.get(signal_name, signal.SIGABRT)
    sys.stderr.flush()
    os._exit(128 + int(number))  # (as a shell shows a death by it)
