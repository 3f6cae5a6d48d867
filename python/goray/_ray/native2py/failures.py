"""How failures on Ray reach native code (docs/protocol.md §9): a failed ray.get
as GetObject's code and payload (:func:`failure_reply`: code 2 for a timeout, 3
for a cancellation, 5 for a task or actor failure), and what a pipelined
submission (SubmitBatch) that failed leaves under its result id
(:class:`FailedSubmission`: code 1 with the text its synchronous command would
have answered).

Tests: tests/python/test_get_objects_lend.py
"""

from __future__ import annotations

import ray
import ray.exceptions

from ... import _handlers
from ..._handlers import Reply
from ..._protocol import Code
from ...errors import ArgumentError, NativeError, UnknownNameError, error_fields, failure_payload

__all__ = ["FailedSubmission", "failure_reply"]


class FailedSubmission:
    """What a pipelined submission that failed leaves under its result id: the
    callee and the code-1 text its synchronous command would have answered.
    GetObject(s) answer it; Wait counts it ready; releasing it unread logs it."""

    __slots__ = ("label", "text", "read")

    def __init__(self, label: str, text: bytes) -> None:
        self.label = label
        self.text = text
        self.read = False

    def reply(self) -> Reply:
        self.read = True
        return Code.FAILED, self.text


def failure_reply(error: BaseException, what: str, task: str = "") -> Reply:
    """The code and payload GetObject answers for a failed ray.get of `what`,
    produced by `task` (a task or Type.method name; "" for Put and unknown)."""
    if isinstance(error, ray.exceptions.GetTimeoutError):
        return Code.TIMEOUT, f"timed out waiting for {what}: {error}".encode()
    if isinstance(error, ray.exceptions.TaskCancelledError):
        return Code.CANCELLED, f"{what} was cancelled: {error}".encode()
    # Code 5 in the native side's own form (docs/protocol.md §9): GoRay's Message and
    # Traceback, and the structured member the C++ runtime reads.
    if isinstance(error, ray.exceptions.RayTaskError):
        cause = getattr(error, "cause", None)
        if isinstance(cause, NativeError):
            # A Go panic has no type: its message alone, with no stray ": ".
            return Code.PANIC, failure_payload(cause.type, cause.message, cause.task or task,
                                               cause.traceback, **error_fields(cause))
        if isinstance(cause, (ArgumentError, UnknownNameError)):
            # Reported by the native side: its own C++ type name again.
            return Code.PANIC, failure_payload(f"goray::{type(cause).__name__}", cause.message,
                                               getattr(cause, "task", "") or task, "",
                                               **error_fields(cause))
        if cause is not None:
            return Code.PANIC, failure_payload(_handlers.error_type_name(cause), str(cause),
                                               task or getattr(error, "function_name", None) or what,
                                               str(error))
        return Code.PANIC, failure_payload("ray.exceptions.RayTaskError", str(error), task or what)
    if isinstance(error, ray.exceptions.RayError):
        # A crash report attached (goray._ray.worker.crashes), or a constructor's goray error
        # (task_errors): still Ray's class by name, which the runtime maps onto
        # WorkerDiedError / ActorDiedError; the report or the cause in the text.
        name = next(cls.__name__ for cls in type(error).__mro__
                    if cls.__module__ == "ray.exceptions")
        return Code.PANIC, failure_payload(f"ray.exceptions.{name}", str(error), task or what)
    raise error
