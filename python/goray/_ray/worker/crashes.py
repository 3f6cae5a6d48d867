"""Native crash reports on Ray (docs/errors.md, "Native crashes"; docs/reliability.md).

Worker side: nothing per call. In every Ray worker where the library is loaded, whatever
loaded it (goray's own bodies, goray.data's UDFs, a user's own task or actor calling goray
in-process), :func:`on_library_loaded` turns the library's crash recovery on
(GorayRecoverCrashes, docs/protocol.md §14), so a native crash in a call (or on a thread the
user started, handed to a call) returns to Python with its report. Only then is the
running task's id looked up, and the report filed as ``<dir>/<task id>.txt`` (``<dir>``:
``goray-crashes/`` in this node's Ray session directory) and in Ray's key-value store
(for a caller on another node). Then, :func:`on_crash`:

- in one of goray's own task and actor bodies, the process ends as the crash would have
  ended it: Ray sees a dead worker, retries the task or restarts the actor as it would,
  and the caller's error carries the report (below);
- in any other task (an in-process call: a Ray Data UDF, a user's own ``@ray.remote``
  function), the call raises :class:`~goray.errors.NativeCrash`, so the task fails with
  it as with any exception it raises (Ray retries it only where ``retry_exceptions`` says
  so: Ray Data does not, where it would retry a dead worker for ever), and the process
  ends :data:`EXIT_AFTER_CRASH_S` later; every goray call it makes meanwhile raises the
  same crash (the runtime runs nothing after one).

Caller side: Ray builds a ``WorkerCrashedError`` or ``ActorDiedError`` when it
deserializes a failed result (``SerializationContext._deserialize_object``); :func:`install`
wraps that method so such an error whose task left a report on this node comes out as
:class:`NativeWorkerCrash` / :class:`NativeActorCrash`: instances of goray's
:class:`~goray.errors.NativeCrash` and of Ray's class alike, the report attached. Every
``ray.get`` in the process sees it (the user's, goray's, the C++ driver's GetObject).
The report is read from this node's directory, else from the key-value store. The same
wrapper gives a ``RayTaskError`` caused by a goray error its text first (task_errors),
and makes one whose cause wraps a crash (Ray Data's ``UserCodeException``, raised from
the UDF's NativeCrash) an instance of NativeCrash too, with the report its worker
traceback shows (task_errors.with_crash_cause).

Tests: tests/python/test_crash_reports.py, tests/ray/test_crash_reports.py,
tests/ray/test_data_crashes.py
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import tempfile
import threading
from types import FrameType
from typing import Any, Callable, Dict, Optional, Tuple, Type

import ray
import ray.exceptions

from ...errors import NativeCrash, set_crash_hook
from ..compat import internals
from . import task_errors

__all__ = ["NativeWorkerCrash", "NativeActorCrash", "NativeActorUnavailableCrash", "install",
           "on_library_loaded", "recover_in_worker", "on_crash", "file_report", "report_dir",
           "attach", "REPORT_DIR_ENV", "EXIT_AFTER_CRASH_S"]

_log = logging.getLogger("goray")

#: Overrides the reports' directory (both sides must agree: set it for the whole job).
REPORT_DIR_ENV = "GORAY_CRASH_DIR"

#: Seconds a worker lives on after a crash in an in-process call: time for the task's
#: error (the NativeCrash) to reach its caller before the process ends.
EXIT_AFTER_CRASH_S = 0.5

#: The modules of goray's own task and actor bodies (bodies.py; streaming generators';
#: goray.map's chunks): a crash under one of their frames ends the worker (Ray's
#: dead-worker error, which Ray retries as its options say).
_BODY_MODULES = frozenset({"goray._ray.worker.bodies", "goray._ray.streaming.generators",
                           "goray._ray.py2native.map_chunks"})


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
            if object_ref is not None and _RAISED in getattr(value, "traceback_str", ""):
                try:
                    value = _crash_cause(value, object_ref.task_id().hex())
                except Exception:  # noqa: BLE001 - a report is a bonus: Ray's error as it was
                    pass
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

#: How the worker's traceback text (a RayTaskError's) shows a NativeCrash the task raised,
#: itself or as the cause of another error: its class, then its text, the report.
_RAISED = "\ngoray.errors.NativeCrash: "


def _crash_cause(value: Any, task_id: str) -> Any:
    """A RayTaskError whose worker traceback shows a NativeCrash raised under another error
    (Ray Data's UserCodeException raised from it, say): an error that is a NativeCrash too,
    with the report the text holds (up to its first blank line: a report has none).
    Anything else as it is. The text, not the report filed under the task's id: the crashed
    call may have run on a thread of the task's own (Ray Data's actors run UDFs so), where
    Ray cannot say which task runs."""
    if isinstance(getattr(value, "cause", None), NativeCrash):
        return value  # (the NativeCrash itself: Ray makes the error an instance of it)
    text: str = getattr(value, "traceback_str", "")
    if _RAISED not in text:
        return value
    start = text.rfind(_RAISED) + len(_RAISED)
    end = text.find("\n\n", start)
    report = text[start:end if end >= 0 else len(text)].strip("\n")
    return task_errors.with_crash_cause(value, report, task_id) if report else value


def on_library_loaded(library: Any) -> None:
    """The library was loaded in this process, where Ray is imported: its callers' errors
    carry crash reports (:func:`install`), and in a Ray worker its crashes reach the
    caller (:func:`recover_in_worker`)."""
    try:
        install()
        recover_in_worker(library)
    except Exception as error:  # noqa: BLE001 - the library works without reports
        _log.warning("goray: crash reports are off in this process: %s", error)


def recover_in_worker(library: Any) -> bool:
    """In a Ray worker: turns the library's crash recovery on (GorayRecoverCrashes), so a
    native crash in a call comes back to Python, which files its report (:func:`file_report`)
    and answers for it (:func:`on_crash`). Nothing is done per call. False (Ray's error
    alone for a crash) in a driver, or with a library that cannot recover."""
    if not internals.in_worker(internals.global_worker()) or not library.recover_crashes():
        return False
    set_crash_hook(on_crash)
    return True


#: How the runtime answers a call made after a recovered crash (it does not run it).
_REFUSED = "goray: not run: "
#: The id of the task whose call crashed first in this process ("" before, or unknown).
_crashed_task = ""


def on_crash(crash: NativeCrash) -> None:
    """A call crashed (and was recovered). Under one of goray's own bodies: the report is
    filed and the process ends now (:func:`file_report_and_exit`). Elsewhere (an
    in-process call in any other task): the report is filed, the process ends
    :data:`EXIT_AFTER_CRASH_S` from now, and this returns, so the call raises `crash`;
    except a call of another task, which reached this ending process meanwhile and was not
    run: the process ends now, so Ray sees a dead worker and runs that task elsewhere."""
    global _crashed_task
    if _in_goray_body():
        file_report_and_exit(crash)
    task_id = _running_task_id()
    if not crash.report.startswith(_REFUSED):
        _crashed_task = _crashed_task or task_id
    elif task_id and _crashed_task and task_id != _crashed_task:
        _exit_as(crash.signal)
    try:
        file_report(crash.report)
    finally:
        _end_soon(crash.signal)


def _running_task_id() -> str:
    """The running Ray task's id (hex), or "" where Ray cannot say (a thread of the
    task's own)."""
    try:
        return ray.get_runtime_context().get_task_id() or ""
    except Exception:  # noqa: BLE001 - unknown: treated as the crashed task's
        return ""


def _in_goray_body() -> bool:
    """Whether this thread runs one of goray's own task or actor bodies (a frame of theirs
    is on its stack). Looked at only after a crash: nothing per call."""
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") in _BODY_MODULES:
            return True
        frame = frame.f_back
    return False


_ending = threading.Lock()
_ending_started = False


def _end_soon(signal_name: str) -> None:
    """Ends this process EXIT_AFTER_CRASH_S from now (once), as the signal would have:
    its state may be broken (locks held, destructors unrun)."""
    global _ending_started
    with _ending:
        if _ending_started:
            return
        _ending_started = True
    print(f"goray: this worker ends in {EXIT_AFTER_CRASH_S:g} s after a native crash; the "
          "call raised goray.NativeCrash", file=sys.stderr, flush=True)
    timer = threading.Timer(EXIT_AFTER_CRASH_S, _exit_as, (signal_name,))
    timer.daemon = True
    timer.start()


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
    task_id = _running_task_id()
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
