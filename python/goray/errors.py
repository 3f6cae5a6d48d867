"""The exceptions goray raises, and the mapping of native failure replies onto them.

Native failures arrive as Execute return codes (docs/protocol.md §1). Code 5 carries
JSON ``{"Message": ..., "Traceback": ..., "Error": {...}}``: GoRay's two members for
people, and the failure as structure for programs (docs/protocol.md §9);
:func:`error_from_reply` turns such a reply into the most specific exception below.

Tests: tests/python/test_errors.py, tests/python/test_fastpath_py2native.py,
tests/python/test_streams_local.py, tests/python/test_check_actor_args.py,
tests/python/test_cli_failure.py, tests/ray/test_native_objects.py
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ._protocol import Code

__all__ = [
    "GorayError",
    "NativeError",
    "UnknownNameError",
    "ArgumentError",
    "NativeCrash",
    "NotUTF8Error",
    "MapItemError",
    "MapArgumentError",
    "error_from_reply",
    "failure_payload",
]


def _rebuilt(cls: type, args: Tuple[Any, ...], state: Dict[str, Any]) -> BaseException:
    """An error of class `cls` with these args and attributes, made without its
    __init__ (what unpickling a goray error calls)."""
    error = cls.__new__(cls)  # type: ignore[call-overload]
    error.args = args
    error.__dict__.update(state)
    return error


class GorayError(Exception):
    """Base of every goray error. ``code`` is the protocol return code when one
    produced it (1 failed, 2 timeout, 3 cancelled, 4 object ref not found, 5 native
    failure), else None."""

    code: Optional[int] = None
    """The protocol return code that produced the error (1 failed, 2 timeout, 3
    cancelled, 4 object ref not found, 5 native failure), or None."""

    def __reduce__(self) -> Tuple[Any, ...]:
        # Every part through pickling (Ray ships errors), without calling __init__: a
        # subclass whose __init__ differs unpickles too, such as Ray's
        # RayTaskError(NativeError), made per error, which Ray before 2.50 pickles itself
        # in compiled graphs.
        return (_rebuilt, (type(self), self.args, dict(self.__dict__)))


class NativeError(GorayError, RuntimeError):
    """Native code failed: a C++ exception (or Go panic) escaped a task or method.
    A RuntimeError too, as in GoRay, whose programs catch RuntimeError. ``go_panic``:
    the failure came without goray's structure (a Go library's panic); its text then
    starts "golang panic: ", as GoRay's does (its programs look for those words)."""

    go_panic: bool = False
    """True when the failure came without goray's structure (a Go library's panic)."""
    # The fields, set per instance (annotated here for the reference and type checkers).
    task: str
    """The task or method that failed ("Divide", "Counter.Incr"); "" when unknown."""
    type: str
    """The exception's type: the C++ type ("std::domain_error"), or the Python type of a
    Python error that escaped C++; "" for a Go panic."""
    message: str
    """The exception's message (its what()), without the type or the task."""
    traceback: str
    """The Python traceback carried with the failure (a Python error escaping C++), or
    "" when there is none."""
    row: Optional[int]
    """The row of a batch the exception was thrown for (``goray::ForEachRow``), or None."""

    def __init__(self, task: str, type: str, message: str, traceback: str = "",
                 row: Optional[int] = None) -> None:
        self.task = task
        self.type = type
        self.message = message
        self.traceback = traceback
        self.row = row
        self.code = int(Code.PANIC)
        super().__init__(task, type, message, traceback)

    @property
    def summary(self) -> str:
        """"<type>: <message>", or the message alone when the type is empty (Go panics)."""
        return f"{self.type}: {self.message}" if self.type else self.message

    def __str__(self) -> str:
        text = f"golang panic: {self.summary}" if self.go_panic else self.summary
        if getattr(self, "row", None) is not None:  # (pickles from before rows: none)
            text = f"row {self.row} failed: {text}"
        if self.task:
            text += f" (task {self.task})"
        if self.traceback:
            text += f"\n\n{self.traceback}"
        return text


class UnknownNameError(GorayError):
    """A task, actor type, method, Python function or class nobody registered.

    ``kind`` says which ("task", "actor type", "method", "Python function", ...),
    ``name`` the name asked for, ``known`` the names that exist (sorted)."""

    kind: str
    """What was looked for: "task", "actor type", "method", "Python function", ..."""
    name: str
    """The name asked for."""
    known: List[str]
    """The names of that kind that exist, sorted."""
    message: str
    """The whole text, as ``str()`` gives it."""

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
        # "... not found" as GoRay says it (its programs look for those words).
        return f"{kind} {name!r} not found; known {_plural(kind)}: {listed}"

    def __str__(self) -> str:
        return self.message


class ArgumentError(GorayError, TypeError):
    """A call's arguments do not fit the callee: wrong count, wrong type, out of range.

    ``position`` is the 0-based argument position, or None for a wrong count.
    ``expected`` and ``received`` name the types (for a wrong count: "2 arguments").
    ``message`` is the text without the task; ``str()`` adds "(task <task>)".
    ``path`` is where inside the argument the value failed (".lon", "[2].inner.y"; "" for
    the whole argument), and ``struct`` the struct whose field is missing, unknown or
    repeated there ("geo::Point"; "" otherwise)."""

    task: str
    """The task or method called ("Square", "Counter.Incr")."""
    position: Optional[int]
    """The 0-based position of the argument that does not fit; None for a wrong count."""
    expected: str
    """The type the callee takes ("double"; for a wrong count, "2 arguments")."""
    received: str
    """The type it was given ("str"; for a wrong count, "3")."""
    message: str
    """The text without the task; ``str()`` adds "(task <task>)"."""
    path: str
    """Where inside the argument the value failed (".lon", "[2].inner.y"); "" for the
    whole argument."""
    struct: str
    """The struct whose field is missing, unknown or repeated at ``path``
    ("geo::Point"); "" otherwise."""

    def __init__(self, task: str, position: Optional[int], expected: str, received: str,
                 message: Optional[str] = None, path: str = "", struct: str = "") -> None:
        self.task = task
        self.position = position
        self.expected = expected
        self.received = received
        self.path = path
        self.struct = struct
        if message is None:
            where = f"position {position}: " if position is not None else ""
            message = f"{where}expected {expected}, received {received}"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} (task {self.task})" if self.task else self.message


class NotUTF8Error(GorayError, ValueError):
    """A native result holds text (a C++ ``std::string``: msgpack str) whose bytes are not
    UTF-8, so Python cannot read it as a ``str``. ``task`` names the task or method,
    ``what`` the value ("result", "stream item"), ``position`` its place among several
    results (None for the one result), ``path`` where inside it ("[2]", ``["host"]``,
    ``[key "k"]``; "" for the value itself), ``data`` the string's bytes and ``offset``
    the first one that is not UTF-8. The way out, which the text says: return bytes
    (``std::vector<std::byte>`` or ``std::vector<uint8_t>``: Python ``bytes``), or a
    binary column, for bytes that may not be text."""

    task: str
    """The task or method whose result it is ("" when unknown)."""
    what: str
    """The value: "result", "stream item"."""
    position: Optional[int]
    """The value's position among several results; None for the one result."""
    path: str
    """Where inside the value ("[2]", '["host"]'); "" for the value itself."""
    data: bytes
    """The string's bytes."""
    offset: int
    """The offset in `data` of the first byte that is not UTF-8."""

    def __init__(self, what: str, position: Optional[int], path: str, data: bytes,
                 offset: int, task: str = "") -> None:
        self.what = what
        self.position = position
        self.path = path
        self.data = data
        self.offset = offset
        self.task = task
        super().__init__(what, position, path, data, offset, task)

    def __str__(self) -> str:
        where = self.what if self.position is None else f"{self.what} {self.position}"
        if self.path:
            where += f" at {self.path}"
        shown = self.data if len(self.data) <= 40 else self.data[:37] + b"..."
        byte = self.data[self.offset] if 0 <= self.offset < len(self.data) else 0
        text = (f"{where}: a std::string whose bytes are not UTF-8 (byte 0x{byte:02x} at offset "
                f"{self.offset} of {shown!r}), which Python cannot read as str: return bytes "
                f"(std::vector<std::byte>) or a binary column for bytes that may not be text")
        return f"{text} (task {self.task})" if self.task else text


def _item_text(item: Any, limit: int = 80) -> str:
    """A short repr of an item's value, for an error message."""
    try:
        text = repr(item)
    except Exception:  # noqa: BLE001 (a value whose repr fails still gets named)
        text = f"<{type(item).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


class MapItemError(GorayError):
    """goray.map: the call of one item failed. ``index`` is the item's 0-based position in
    the input, ``item`` its value (a tuple when several iterables zip), ``cause`` the error
    that call raised (a NativeError for a C++ exception, a Python exception, ...), ``task``
    the task or method mapped."""

    task: str
    """The task or method mapped."""
    index: int
    """The failed item's 0-based position in the input."""
    item: Any
    """The failed item's value (a tuple when several iterables zip)."""
    cause: BaseException
    """The error the item's call raised."""

    def __init__(self, task: str, index: int, item: Any, cause: BaseException) -> None:
        self.task = task
        self.index = index
        self.item = item
        self.cause = cause
        self.code = getattr(cause, "code", None)
        super().__init__(task, index, item, cause)

    def __str__(self) -> str:
        cause = self.cause
        if isinstance(cause, (NativeError, ArgumentError)):
            what = cause.summary if isinstance(cause, NativeError) else cause.message
        else:
            what = f"{type(cause).__name__}: {cause}"
        return f"item {self.index} ({_item_text(self.item)}) failed: {what} (task {self.task})"


class MapArgumentError(MapItemError, ArgumentError):
    """goray.map: one item's value does not fit the callee (an ArgumentError naming the
    item's index): ``position`` is the parameter, ``expected`` and ``received`` the types."""

    def __init__(self, task: str, index: int, item: Any, cause: "ArgumentError") -> None:
        MapItemError.__init__(self, task, index, item, cause)
        self.position = cause.position
        self.expected = cause.expected
        self.received = cause.received
        self.path = getattr(cause, "path", "")
        self.struct = getattr(cause, "struct", "")
        self.message = f"item {index} ({_item_text(item)}): {cause.message}"

    def __str__(self) -> str:
        return f"{self.message} (task {self.task})"


def map_item_error(task: str, index: int, item: Any, cause: BaseException) -> MapItemError:
    """The MapItemError (a MapArgumentError for an ArgumentError) of item `index`."""
    if isinstance(cause, ArgumentError) and not isinstance(cause, MapItemError):
        return MapArgumentError(task, index, item, cause)
    return MapItemError(task, index, item, cause)


class NativeCrash(GorayError):
    """Native code crashed: a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) or
    std::terminate in a task, method or driver, reported by goray's crash handler.

    On Ray the instances are also Ray's own error (``NativeWorkerCrash`` is a
    ``ray.exceptions.WorkerCrashedError``, ``NativeActorCrash`` an ``ActorDiedError``,
    ``NativeActorUnavailableCrash`` an ``ActorUnavailableError``: a restartable actor's),
    so ``except`` clauses written for Ray keep working. ``report`` is the handler's text
    (signal, task, pid/thread, backtrace), ``signal`` the signal's name ("SIGSEGV"),
    ``frames`` the backtrace's lines, ``task_id`` the Ray task's id (hex)."""

    # (No class-level defaults: Ray's error for a task that raised this is an instance of
    # this class too, and finds these on the cause only if the class has none.)
    report: str
    """The crash handler's text: signal, task, pid/thread and backtrace."""
    task_id: str
    """The Ray task's id (hex); "" outside Ray."""
    ray_message: str
    """Ray's own message about the dead worker or actor, shown before the report; ""
    when none."""

    def __init__(self, report: str, task_id: str = "", ray_message: str = "") -> None:
        super().__init__(report)
        self.adopt(report, task_id, ray_message)

    def adopt(self, report: str, task_id: str = "", ray_message: str = "") -> None:
        """Attaches a report (for instances made from Ray's error, without __init__)."""
        self.report = report.strip("\n")
        self.task_id = task_id
        self.ray_message = ray_message

    @property
    def signal(self) -> str:
        """The signal's name, e.g. "SIGSEGV"; "" when the report does not say."""
        marker = "native crash: "
        start = self.report.find(marker)
        if start < 0:
            return ""
        return self.report[start + len(marker):].split(" ", 1)[0].strip()

    @property
    def frames(self) -> List[str]:
        """The backtrace's frame lines ("#0  function at file:line"), top first."""
        return [line.strip() for line in self.report.splitlines()
                if line.lstrip().startswith("#")]

    def __str__(self) -> str:
        head = f"{self.ray_message}\n\n" if self.ray_message else ""
        return f"{head}{self.report}"


def _plural(kind: str) -> str:
    if kind.endswith("s"):
        return kind + "es"
    if kind.endswith("y") and not kind.endswith(("ay", "ey", "oy", "uy")):
        return kind[:-1] + "ies"
    return kind + "s"


# ---------------------------------------------------------------------------
# Failure payloads (docs/protocol.md §9): GoRay's {"Message", "Traceback"} plus our
# structured member "Error": {"type", "message", "task", ...the fields of the type}.

#: The C++ types mapped onto our Python classes.
ARGUMENT_ERROR_TYPE = "goray::ArgumentError"
UNKNOWN_NAME_ERROR_TYPE = "goray::UnknownNameError"


def compose_message(type_: str, message: str, task: str) -> str:
    """GoRay's Message: "<type>: <message> (task <task>)", without the parts that are empty."""
    text = f"{type_}: {message}" if type_ else message
    return f"{text} (task {task})" if task else text


def failure_payload(type_: str, message: str, task: str, traceback: str = "",
                    **fields: Any) -> bytes:
    """A code-5 payload: Message and Traceback for GoRay's readers, and the same failure
    as structure (``fields``: what the type adds, e.g. position/expected/received)."""
    member = {"type": type_, "message": message, "task": task, **fields}
    # A failure without a type (a Go panic) reads as GoRay's does: its message exactly, as
    # GoRay programs compare it (its task is in the member).
    shown = compose_message(type_, message, task) if type_ else message
    if isinstance(fields.get("row"), int):  # as goray.map names a failed item
        shown = f"row {fields['row']} failed: {shown}"
    payload = {"Message": shown, "Traceback": traceback, "Error": member}
    # Lone surrogates become "?": the JSON stays valid UTF-8 for the native parser.
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", errors="replace")


def error_fields(error: BaseException) -> dict:
    """The fields an exception's type adds to the structured member."""
    if isinstance(error, ArgumentError):
        fields = {"position": error.position, "expected": error.expected,
                  "received": error.received}
        fields.update({key: value for key in ("path", "struct")
                       if (value := getattr(error, key, ""))})
        return fields
    if isinstance(error, UnknownNameError):
        return {"kind": error.kind, "name": error.name, "known": list(error.known)}
    row = getattr(error, "row", None) if isinstance(error, NativeError) else None
    return {"row": row} if row is not None else {}


def read_failure(payload: bytes) -> Tuple[str, str, Optional[dict]]:
    """(Message, Traceback, the structured member or None) of a code-5 payload: JSON,
    or text that wraps such JSON (docs/protocol.md §1), or plain text (then the whole
    text is the message)."""
    text = payload.decode("utf-8", errors="replace")
    start = text.find("{")
    if start >= 0:
        for candidate in (text[start:], text[start:text.rfind("}") + 1]):
            try:
                obj = json.loads(candidate)
            except ValueError:
                continue
            if isinstance(obj, dict) and "Message" in obj:
                member = obj.get("Error")
                return (str(obj.get("Message") or ""), str(obj.get("Traceback") or ""),
                        member if isinstance(member, dict) else None)
    return text, "", None


def _text(member: dict, key: str, default: str = "") -> str:
    value = member.get(key)
    return value if isinstance(value, str) else default


def error_from_failure(message: str, traceback: str = "", member: Optional[dict] = None,
                       callee: str = "") -> GorayError:
    """The exception for a native failure. Without the structured member (a Go panic,
    or a producer that writes only GoRay's members) the Message is the text, untyped."""
    if member is None:
        error = NativeError(callee, "", message, traceback)
        error.go_panic = True
        return error
    type_ = _text(member, "type")
    text = _text(member, "message", message)
    task = _text(member, "task") or callee
    if type_ == ARGUMENT_ERROR_TYPE:
        position = member.get("position")
        if not isinstance(position, int) or isinstance(position, bool):
            position = None
        return ArgumentError(task, position, _text(member, "expected"),
                             _text(member, "received"), message=text,
                             path=_text(member, "path"), struct=_text(member, "struct"))
    if type_ == UNKNOWN_NAME_ERROR_TYPE:
        known = member.get("known")
        names = [str(name) for name in known] if isinstance(known, list) else []
        return UnknownNameError(_text(member, "kind"), _text(member, "name"), names,
                                message=text)
    row = member.get("row")
    if not isinstance(row, int) or isinstance(row, bool) or row < 0:
        row = None
    return NativeError(task, type_, text, traceback, row)


# Called with each recovered crash before it is raised (set_crash_hook), or None.
_crash_hook: Optional[Callable[[NativeCrash], None]] = None


def set_crash_hook(hook: Optional[Callable[[NativeCrash], None]]) -> None:
    """What a process does with a native crash its library recovered from, before the
    NativeCrash is raised (a Ray worker files the report and ends, goray._ray.worker.crashes);
    None: nothing (the exception alone, as a Serve replica wants it)."""
    global _crash_hook
    _crash_hook = hook


def error_from_reply(code: int, payload: bytes, callee: str = "") -> GorayError:
    """The exception for a non-zero Execute reply. ``callee`` names the task or
    method called, used when the failure does not name one."""
    if code == Code.PANIC:
        error = error_from_failure(*read_failure(payload), callee=callee)
    elif code == Code.CRASHED:
        error = NativeCrash(bytes(payload).decode("utf-8", errors="replace"))
        if _crash_hook is not None:
            _crash_hook(error)
    else:
        error = GorayError(payload.decode("utf-8", errors="replace"))
    error.code = code
    return error
