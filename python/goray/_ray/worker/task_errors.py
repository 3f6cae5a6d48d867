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

Tests: tests/python/test_crash_reports.py
"""

from __future__ import annotations

from typing import Any, Dict, Tuple, Type

import ray.exceptions

from ...errors import GorayError, NativeCrash

__all__ = ["GorayTaskError", "lead_with_cause", "lead_with_init_cause"]


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
