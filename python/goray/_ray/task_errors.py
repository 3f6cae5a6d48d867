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
"""

from __future__ import annotations

from typing import Any

import ray.exceptions

from ..errors import GorayError, NativeCrash

__all__ = ["GorayTaskError", "lead_with_cause"]


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
