"""goray's errors raised through Ray read with their own text first.

A C++ exception in a task, an actor method or a Serve replica reaches its caller as
Ray's ``RayTaskError(NativeError)``, whose text starts with where it ran (``ray::
ServeReplica:geo:GeoIndex.handle_request_with_rejection() (pid=..., actor_id=...,
repr=...)`` and a Python traceback) and ends with the C++ type and message. On the
caller's side, when Ray deserializes such an error (crashes.install wraps that step),
:func:`lead_with_cause` gives it a class whose text starts with the goray error's own
(``std::domain_error: division by zero (task Scorer.Divide)``), Ray's text following as
it was. The error is the same object otherwise: its class derives from Ray's, and
``as_instanceof_cause()`` (what ray.get and Serve's handles raise) still makes it an
instance of NativeError too.

A task whose in-process call crashed raised goray's NativeCrash (crashes.on_crash); a
framework may raise its own error from it (Ray Data's ``UserCodeException``), so Ray's
RayTaskError carries that one as its cause and the NativeCrash only as text.
:func:`with_crash_cause` makes the cause an instance of NativeCrash too, with the task's
report, so ``except goray.NativeCrash`` catches what ``ray.get`` (or the framework)
raises, and the framework's own checks (``isinstance(e, UserCodeException)``) still hold.

Tests: tests/python/test_crash_reports.py, tests/ray/test_data_crashes.py
"""

from __future__ import annotations

from typing import Any, Dict, Tuple, Type

import ray.exceptions

from ...errors import GorayError, NativeCrash

__all__ = ["GorayTaskError", "lead_with_cause", "lead_with_init_cause", "with_crash_cause"]


class GorayTaskError(ray.exceptions.RayTaskError):
    """A RayTaskError whose cause is a goray error: its text is the cause's, then Ray's."""

    def __str__(self) -> str:
        ray_text: str = ray.exceptions.RayTaskError.__str__(self)  # type: ignore[no-untyped-call]
        return f"{self.cause}\n\n{ray_text}"


def lead_with_cause(value: Any) -> Any:
    """`value` (what Ray deserialized) as a GorayTaskError when it is a RayTaskError
    caused by a goray error; anything else as it is."""
    if type(value) is not ray.exceptions.RayTaskError:  # (dual instances are made later)
        return value
    cause = getattr(value, "cause", None)
    if not isinstance(cause, GorayError) or isinstance(cause, NativeCrash):
        return value
    value.__class__ = GorayTaskError
    return value


# A C++ actor whose constructor throws: Ray's ActorDiedError for every call keeps the
# creation task's RayTaskError as its first argument (Ray builds it with
# ActorDiedError.from_task_error, and pickling keeps the argument), whose cause is the
# goray error (a NativeError: std::runtime_error ...). Its text starts with Ray's and the
# worker's traceback through goray's frames; :func:`lead_with_init_cause` makes it an
# instance of the cause's class too, its fields (.type, .message, .task) and text first.

def lead_with_init_cause(value: Any) -> Any:
    """`value` (what Ray deserialized) as an ``ActorDiedError(<cause class>)`` when it is an
    ActorDiedError of a constructor that raised a goray error; anything else as it is."""
    if type(value) is not ray.exceptions.ActorDiedError or not value.args:
        return value
    cause = getattr(value.args[0], "cause", None)
    if not isinstance(cause, GorayError) or isinstance(cause, NativeCrash):
        return value
    error: BaseException = _rebuild_init_error(type(cause), value.args, {
        **vars(cause), **vars(value), "cause": cause})
    return error


_init_error_classes: Dict[type, Type[BaseException]] = {}


def init_error_class(cause_class: Type[GorayError]) -> Type[BaseException]:
    """The class of a constructor's failure caused by `cause_class`: Ray's ActorDiedError
    and the cause's class at once, as Ray's RayTaskError(NativeError) is for a method's."""
    made = _init_error_classes.get(cause_class)
    if made is not None:
        return made
    namespace: Dict[str, Any] = {
        "__str__": _init_error_text,
        "__reduce__": lambda self: (_rebuild_init_error, (cause_class, self.args, dict(vars(self)))),
        "__module__": __name__,
    }
    name = f"ActorDiedError({cause_class.__name__})"
    made = type(name, (ray.exceptions.ActorDiedError, cause_class), namespace)
    return _init_error_classes.setdefault(cause_class, made)


def _init_error_text(self: Any) -> str:
    return f"{self.cause}\n\n{self.error_msg}"


def _rebuild_init_error(cause_class: Type[GorayError], args: Tuple[Any, ...],
                        state: Dict[str, Any]) -> BaseException:
    cls = init_error_class(cause_class)
    error: BaseException = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


# A crash under another error (Ray Data's UserCodeException raised from the UDF's
# NativeCrash): the cause becomes an instance of both classes, carrying the report.

_crash_cause_classes: Dict[type, Type[BaseException]] = {}


def crash_cause_class(cause_class: type) -> Type[BaseException]:
    """NativeCrash and `cause_class` at once (its text the report's)."""
    made = _crash_cause_classes.get(cause_class)
    if made is not None:
        return made
    namespace: Dict[str, Any] = {
        "__str__": NativeCrash.__str__,
        "__reduce__": lambda self: (_rebuild_crash_cause, (cause_class, self.args, dict(vars(self)))),
        "__module__": __name__,
    }
    made = type(f"{cause_class.__name__}(NativeCrash)", (NativeCrash, cause_class), namespace)
    return _crash_cause_classes.setdefault(cause_class, made)


def _rebuild_crash_cause(cause_class: type, args: Tuple[Any, ...],
                         state: Dict[str, Any]) -> BaseException:
    cls = crash_cause_class(cause_class)
    error: BaseException = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


def with_crash_cause(value: Any, report: str, task_id: str) -> Any:
    """`value` (a RayTaskError) with its cause made an instance of NativeCrash too, the
    task's `report` attached; `value` itself when its cause cannot take another class."""
    cause = getattr(value, "cause", None)
    if cause is None or isinstance(cause, NativeCrash):
        return value
    try:
        crash = _rebuild_crash_cause(type(cause), cause.args, dict(vars(cause)))
    except TypeError:  # (a cause class that cannot be combined: Ray's error as it is)
        return value
    assert isinstance(crash, NativeCrash)
    crash.adopt(report, task_id)
    crash.__cause__ = cause.__cause__
    value.cause = crash
    return value
