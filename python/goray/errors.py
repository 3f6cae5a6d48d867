"""The exceptions goray raises, and the mapping of native failure replies onto them.

Native failures arrive as Execute return codes (docs/protocol.md §1). Code 5 carries
JSON ``{"Message": ..., "Traceback": ...}`` whose Message our C++ runtime writes as
``"<C++ type>: <message> (task <name>)"``; :func:`error_from_reply` turns such a
reply into the most specific exception below.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional, Sequence, Tuple

__all__ = [
    "GorayError",
    "NativeError",
    "UnknownNameError",
    "ArgumentError",
    "error_from_reply",
]


class GorayError(Exception):
    """Base of every goray error. ``code`` is the protocol return code when one
    produced it (1 failed, 2 timeout, 3 cancelled, 4 object ref not found, 5 native
    failure), else None."""

    code: Optional[int] = None


class NativeError(GorayError, RuntimeError):
    """Native code failed: a C++ exception (or Go panic) escaped a task or method.
    A RuntimeError too, as in GoRay, whose programs catch RuntimeError."""

    def __init__(self, task: str, type: str, message: str, traceback: str = "") -> None:
        self.task = task
        self.type = type
        self.message = message
        self.traceback = traceback
        self.code = 5
        super().__init__(task, type, message, traceback)

    @property
    def summary(self) -> str:
        """"<type>: <message>", or the message alone when the type is empty (Go panics)."""
        return f"{self.type}: {self.message}" if self.type else self.message

    def __str__(self) -> str:
        text = self.summary
        if self.task:
            text += f" (task {self.task})"
        if self.traceback:
            text += f"\n\n{self.traceback}"
        return text

    def __reduce__(self) -> Tuple[Any, ...]:  # keeps the parts through pickling (Ray ships errors)
        return (type(self), (self.task, self.type, self.message, self.traceback))


class UnknownNameError(GorayError):
    """A task, actor type, method, Python function or class nobody registered.

    ``kind`` says which ("task", "actor type", "method", "Python function", ...),
    ``name`` the name asked for, ``known`` the names that exist (sorted)."""

    def __init__(self, kind: str, name: str, known: Sequence[str] = (),
                 message: Optional[str] = None) -> None:
        self.kind = kind
        self.name = name
        self.known = list(known)
        self.message = message if message is not None else self.describe(kind, name, self.known)
        super().__init__(self.message)

    @staticmethod
    def describe(kind: str, name: str, known: Sequence[str]) -> str:
        listed = ", ".join(known) if known else "(none)"
        return f"unknown {kind} {name!r}; known {_plural(kind)}: {listed}"

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.kind, self.name, self.known, self.message))


class ArgumentError(GorayError, TypeError):
    """A call's arguments do not fit the callee: wrong count, wrong type, out of range.

    ``position`` is the 0-based argument position, or None for a wrong count.
    ``expected`` and ``received`` name the types (for a wrong count: "2 arguments")."""

    def __init__(self, task: str, position: Optional[int], expected: str, received: str,
                 message: Optional[str] = None) -> None:
        self.task = task
        self.position = position
        self.expected = expected
        self.received = received
        if message is None:
            where = f"position {position}: " if position is not None else ""
            message = f"{where}expected {expected}, received {received}"
            if task:
                message += f" (task {task})"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.task, self.position, self.expected, self.received,
                             self.message))


def _plural(kind: str) -> str:
    if kind.endswith("s"):
        return kind + "es"
    if kind.endswith("y") and not kind.endswith(("ay", "ey", "oy", "uy")):
        return kind[:-1] + "ies"
    return kind + "s"


# ---------------------------------------------------------------------------
# Native failure replies.


def _count(number: str) -> str:
    return f"{number} argument" if number == "1" else f"{number} arguments"

_POSITION = re.compile(
    r"\Aposition (?P<pos>\d+): expected (?P<expected>.*?), received (?P<received>.*)\Z", re.S)
_ARITY = re.compile(r"\Aexpected (?P<expected>\d+) arguments?, received (?P<received>\d+)\Z")
_UNKNOWN = re.compile(
    r"\Aunknown (?P<kind>.+?) '(?P<name>.*)'; known [^:]*: (?P<known>.*)\Z", re.S)

#: The C++ types whose messages are mapped onto our Python classes.
ARGUMENT_ERROR_TYPE = "goray::ArgumentError"
UNKNOWN_NAME_ERROR_TYPE = "goray::UnknownNameError"


def parse_panic_payload(payload: bytes) -> tuple[str, str]:
    """Returns (Message, Traceback) of a code-5 payload: JSON, or text that wraps
    such JSON, or plain text (then the whole text is the message)."""
    text = payload.decode("utf-8", errors="replace")
    start = text.find("{")
    if start >= 0:
        for candidate in (text[start:], text[start:text.rfind("}") + 1]):
            try:
                obj = json.loads(candidate)
            except ValueError:
                continue
            if isinstance(obj, dict) and "Message" in obj:
                return str(obj.get("Message") or ""), str(obj.get("Traceback") or "")
    return text, ""


def split_native_message(message: str) -> tuple[str, str, str]:
    """Splits ``"<type>: <message> (task <name>)"`` into (type, message, task).
    Parts that are absent come back empty."""
    task = ""
    stripped = message.rstrip()
    cut = stripped.rfind(" (task ")
    if cut >= 0 and stripped.endswith(")") and "\n" not in stripped[cut:]:
        task = stripped[cut + len(" (task "):-1]
        message = stripped[:cut]
    type_, sep, rest = message.partition(": ")
    if not sep or not type_.strip() or "\n" in type_ or len(type_) > 300:
        return "", message, task
    return type_, rest, task


def native_error(message: str, traceback: str = "", callee: str = "") -> GorayError:
    """The exception for a native failure Message (code 5)."""
    type_, text, task = split_native_message(message)
    task = task or callee
    if type_ == ARGUMENT_ERROR_TYPE:
        m = _POSITION.match(text)
        if m:
            return ArgumentError(task, int(m.group("pos")), m.group("expected"),
                                 m.group("received"), message=f"{text} (task {task})")
        m = _ARITY.match(text)
        if m:
            return ArgumentError(task, None, _count(m.group("expected")),
                                 _count(m.group("received")), message=f"{text} (task {task})")
    elif type_ == UNKNOWN_NAME_ERROR_TYPE:
        m = _UNKNOWN.match(text)
        if m:
            listed = m.group("known").strip()
            known = [] if listed in ("", "(none)") else [n.strip() for n in listed.split(", ")]
            return UnknownNameError(m.group("kind"), m.group("name"), known, message=text)
    return NativeError(task, type_, text, traceback)


def error_from_reply(code: int, payload: bytes, callee: str = "") -> GorayError:
    """The exception for a non-zero Execute reply. ``callee`` names the task or
    method called, used when the message does not name one."""
    if code == 5:
        message, traceback = parse_panic_payload(payload)
        error = native_error(message, traceback, callee)
    else:
        error = GorayError(payload.decode("utf-8", errors="replace"))
    error.code = code
    return error
