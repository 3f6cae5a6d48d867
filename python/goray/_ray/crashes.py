"""Native crash reports on Ray (docs/remote.md, "Errors"; docs/reliability.md).

Worker side: before each native call a Ray body makes, :func:`name_report_file` tells
the library (GoraySetCrashReport, our optional extension, docs/protocol.md §14) which
file its crash handler writes the report to: ``<dir>/<task id>.txt``, where ``<dir>`` is
``goray-crashes/`` in this node's Ray session directory.

Caller side: Ray builds a ``WorkerCrashedError`` or ``ActorDiedError`` when it
deserializes a failed result (``SerializationContext._deserialize_object``); :func:`install`
wraps that method so such an error whose task left a report on this node comes out as
:class:`NativeWorkerCrash` / :class:`NativeActorCrash`: instances of goray's
:class:`~goray.errors.NativeCrash` and of Ray's class alike, the report attached. Every
``ray.get`` in the process sees it (the user's, goray's, the C++ driver's GetObject).
A report is found only on the caller's node; elsewhere Ray's error is unchanged.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import threading
from typing import Any, Callable, Dict, Optional, Tuple, Type

import ray
import ray.exceptions

from ..errors import NativeCrash
from . import internals

__all__ = ["NativeWorkerCrash", "NativeActorCrash", "install", "name_report_file",
           "report_dir", "attach", "REPORT_DIR_ENV"]

_log = logging.getLogger("goray")

#: Overrides the reports' directory (both sides must agree: set it for the whole job).
REPORT_DIR_ENV = "GORAY_CRASH_DIR"


class NativeWorkerCrash(NativeCrash, ray.exceptions.WorkerCrashedError):
    """The worker running a native task crashed, and left this report."""


class NativeActorCrash(NativeCrash, ray.exceptions.ActorDiedError):
    """The actor's process crashed in a native method, and left this report."""


_CRASH_CLASSES: Tuple[Tuple[Type[BaseException], Type[NativeCrash]], ...] = (
    (ray.exceptions.ActorDiedError, NativeActorCrash),
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


NativeWorkerCrash.__reduce__ = _reduce  # type: ignore[method-assign,assignment]
NativeActorCrash.__reduce__ = _reduce  # type: ignore[method-assign,assignment]


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
    try:
        with open(os.path.join(report_dir(), f"{task_id}.txt"), encoding="utf-8",
                  errors="replace") as file:
            return file.read()
    except OSError:
        return None


def _creation_task_id(actor_id: Optional[str]) -> Optional[str]:
    """The id (hex) of the task that created actor `actor_id` (hex), or None."""
    if not actor_id:
        return None
    return internals.creation_task_id(actor_id)


_installed = False


def install() -> bool:
    """Makes Ray's deserializer attach crash reports (once per process). False when this
    Ray's deserializer is not the one this was written for: errors stay Ray's own."""
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
        if isinstance(value, _CRASH_BASES) and object_ref is not None:
            try:
                return attach(value, object_ref.task_id().hex())
            except Exception:  # noqa: BLE001 - a report is a bonus: Ray's error as it was
                return value
        return value

    context._deserialize_object = deserialize  # type: ignore[method-assign]
    _installed = True
    return True


_CRASH_BASES = (ray.exceptions.WorkerCrashedError, ray.exceptions.ActorDiedError)

# Per library: its GoraySetCrashReport, or None (a GoRay library, or an older goray one).
_setters: Dict[int, Optional[Callable[[bytes], None]]] = {}


def _setter(library: Any) -> Optional[Callable[[bytes], None]]:
    key = id(library)
    if key not in _setters:
        function = None
        dll = getattr(library, "_dll", None)
        if dll is not None and hasattr(dll, "GoraySetCrashReport"):
            import ctypes
            function = dll.GoraySetCrashReport
            function.argtypes = [ctypes.c_char_p]
            function.restype = None
        _setters[key] = function
    return _setters[key]


def name_report_file(library: Any) -> None:
    """Names this thread's report file for the task running now (before its native call)."""
    if library is None:
        return
    setter = _setter(library)
    if setter is None:
        return
    global _context
    if _context is None:  # it reads the worker's current task at each call: made once
        _context = ray.get_runtime_context()
    task_id = _context.get_task_id()
    if task_id:
        setter(f"{report_dir()}/{task_id}.txt".encode())


_context: Any = None
