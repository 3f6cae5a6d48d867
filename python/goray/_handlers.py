"""Native2Py command handlers: what the driver does when native code calls it.

This module serves the in-process commands 0-4 (docs/protocol.md §3). The Ray
commands (5-16 and the extensions) answer code 1 until a Ray-aware module installs
handlers for them with :func:`register_handler`. A handler takes the request bytes
(a view valid only during the call) and returns ``(code, reply)``; an exception
becomes code 1 with :func:`error_reply`: the failure as structure for goray's
runtime, GoRay's text for other libraries (docs/protocol.md §9).

The dispatcher sits below the library loader and the Ray layer, and imports
neither: each registers itself here when imported. goray._ffi says which protocol
version the loaded library speaks (:func:`set_library_version`); goray._ray says
how to serve the Ray commands in a process where Ray runs
(:func:`set_ray_commands_loader`).

Tests: tests/python/test_handlers.py, tests/python/test_fastpath_native2py.py,
tests/ray/test_native_objects.py, tests/ray/test_refs_in_values.py,
tests/ray/test_streams_cpp.py, tests/python/test_errors.py
"""

from __future__ import annotations

import ast
import builtins
import functools
import hashlib
import itertools
import json
import linecache
import os
import sys
import threading
import traceback as _traceback
from types import CodeType, ModuleType, TracebackType
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _codec, _registry
from ._protocol import (
    ACTOR_NAME,
    META_ACTOR_TYPE_NAME,
    META_ARG_POS_TO_OBJECT,
    META_FUNC_CODE,
    META_LOCAL_ACTOR_ID,
    META_PY_TASK_NAME,
    META_TASK_NAME,
    STRUCTURED_FAILURES_VERSION,
    Code,
    Native2Py,
    pack_u64,
    unpack_units,
    FramingError,
)
from .errors import ArgumentError, GorayError, NativeError, UnknownNameError, error_fields

__all__ = ["dispatch", "register_handler", "error_text", "error_reply", "local_instances", "install_fastpath",
           "set_library_version", "set_ray_commands_loader", "Reply", "Handler"]

Reply = Tuple[int, bytes]
Handler = Callable[[memoryview], Reply]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# goray's in-process entry points (golang_local_run_task, LocalActor calls): the
# compiled fast path runs them in C, without a Python frame, so tracebacks leave
# their frames out in every mode and the texts do not depend on the mode.
_ENTRY_POINTS_FILE = os.path.join(_PACKAGE_DIR, "_local.py")
_PUBLIC_ERRORS: Dict[type, str] = {cls: f"goray.{cls.__name__}"
                  for cls in (GorayError, NativeError, UnknownNameError, ArgumentError)}


# ---------------------------------------------------------------------------
# Error text for code 1.

def error_type_name(error: BaseException) -> str:
    """``ValueError`` for builtins, ``goray.X`` for our public errors, else
    ``module.QualName``."""
    cls = type(error)
    public = _PUBLIC_ERRORS.get(cls)
    if public is not None:
        return public
    module = cls.__module__
    if module == "builtins":
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


def _user_traceback(tb: Optional[TracebackType]) -> Optional[TracebackType]:
    """Skips the driver's own leading frames (dispatch, handler), keeping the last."""
    while tb is not None and tb.tb_next is not None and \
            os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == _PACKAGE_DIR:
        tb = tb.tb_next
    return tb


def _without_entry_points(tb: TracebackType) -> TracebackType:
    """The traceback without the frames of goray's entry points (all of them when
    others remain, else the last)."""
    entries: List[TracebackType] = []
    entry: Optional[TracebackType] = tb
    while entry is not None:
        entries.append(entry)
        entry = entry.tb_next
    kept = [e for e in entries
            if os.path.abspath(e.tb_frame.f_code.co_filename) != _ENTRY_POINTS_FILE]
    if len(kept) == len(entries):
        return tb
    if not kept:
        kept = entries[-1:]
    rebuilt: Optional[TracebackType] = None
    for e in reversed(kept):
        rebuilt = TracebackType(rebuilt, e.tb_frame, e.tb_lasti, e.tb_lineno)
    assert rebuilt is not None
    return rebuilt


def _error_parts(error: BaseException) -> Tuple[str, str, str]:
    """(type, message, formatted traceback or "") of an exception. Never raises."""
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - a broken __str__
        message = f"<{type(error).__name__} whose str() failed>"
    tb = error.__traceback__
    if tb is None:
        return error_type_name(error), message, ""
    try:
        user_tb = _user_traceback(tb)
        if user_tb is not None:
            user_tb = _without_entry_points(user_tb)
        formatted = "".join(_traceback.format_exception(type(error), error, user_tb))
    except Exception:  # noqa: BLE001
        formatted = ""
    return error_type_name(error), message, formatted.rstrip()


def error_text(error: BaseException) -> bytes:
    """An exception as GoRay's code-1 text, UTF-8: "<Type>: <message>" and the
    traceback after a blank line. Never raises."""
    type_, message, traceback = _error_parts(error)
    text = f"{type_}: {message}"
    if traceback:
        text += f"\n\n{traceback}"
    return text.encode("utf-8", errors="replace")


def _no_library() -> int:
    return 1


#: The loaded library's GorayProtocolVersion() (1 when none is loaded): goray._ffi
#: registers its answer at import.
_library_version: Callable[[], int] = _no_library


def set_library_version(version: Callable[[], int]) -> None:
    """Registers what says which protocol version the loaded library speaks
    (goray._ffi, at import; called for each failure reply)."""
    global _library_version
    _library_version = version


def _reads_structured_failures() -> bool:
    return _library_version() >= STRUCTURED_FAILURES_VERSION


def error_reply(error: BaseException) -> bytes:
    """The code-1 reply for an exception. A library of protocol version 4 or later
    reads it as structure (docs/protocol.md §9): JSON {"Message", "Traceback",
    "Error": {"type", "message", "task", ...}}; any other library (GoRay's) gets
    :func:`error_text`. Never raises."""
    if not _reads_structured_failures():
        return error_text(error)
    type_, message, traceback = _error_parts(error)
    task = getattr(error, "task", "")
    member = {"type": type_, "message": message, "task": task if isinstance(task, str) else "",
              **error_fields(error)}
    payload = {"Message": f"{type_}: {message}", "Traceback": traceback, "Error": member}
    # Lone surrogates become "?": the JSON stays valid UTF-8 for the native parser.
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", errors="replace")


# ---------------------------------------------------------------------------
# Call payloads: unit0 args block, unit1 JSON meta.

_meta_cache: Dict[bytes, Dict[str, Any]] = {}
_META_CACHE_LIMIT = 4096


def _parse_meta(key: bytes) -> Dict[str, Any]:
    meta = json.loads(key)
    if not isinstance(meta, dict):
        raise FramingError(f"the call's options are not a JSON object: {key[:200]!r}")
    refs = meta.get(META_ARG_POS_TO_OBJECT)
    if refs:
        positions = ", ".join(sorted(map(str, refs), key=lambda p: (len(p), p)))
        raise GorayError(f"ObjectRef arguments are not allowed in in-process calls "
                         f"(ObjectRef at argument position {positions}): pass the values")
    return meta


def _call_payload(data: memoryview) -> Tuple[List[Any], Dict[str, Any]]:
    units = unpack_units(data)
    if len(units) < 2:
        raise FramingError(f"a call payload is two units (args, options); got {len(units)}")
    key = units[1].tobytes()
    meta = _meta_cache.get(key)
    if meta is None:
        meta = _parse_meta(key)
        if len(_meta_cache) >= _META_CACHE_LIMIT:
            _meta_cache.clear()
        _meta_cache[key] = meta
    try:
        return _codec.unpack_values(units[0]), meta
    except _codec.ArraysUnavailable as error:
        callee = meta.get(META_TASK_NAME) or meta.get(META_ACTOR_TYPE_NAME) or "python code"
        raise ArgumentError(str(callee), error.position,
                            "NumPy installed to receive an array (pip install numpy)",
                            error.received) from None


def _meta(meta: Dict[str, Any], key: str, command: str) -> Any:
    try:
        return meta[key]
    except KeyError:
        raise FramingError(f"{command}: the call's options lack {key!r}") from None


def _pack_result(value: Any, callee: str) -> bytes:
    try:
        return _codec.pack(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise TypeError(f"the result of {callee} cannot be sent to native code: "
                        f"{_codec.pack_failure(value, error)}") from None


# ---------------------------------------------------------------------------
# 0 ExePythonLocalTask

def _exe_python_local_task(data: memoryview) -> Reply:
    args, meta = _call_payload(data)
    name = _meta(meta, META_TASK_NAME, "ExePythonLocalTask")
    function = _registry.find_function(name)
    return Code.SUCCESS, _pack_result(function(*args), name)


# ---------------------------------------------------------------------------
# 1 ExePyCode

INVALID_CODE = "Invalid python function code"


@functools.lru_cache(maxsize=256)
def _compile_source(source: str) -> Tuple[CodeType, str]:
    """(code, function name) of source holding exactly one top-level def."""
    digest = hashlib.sha1(source.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    filename = f"<goray python code {digest}>"
    # "Invalid python function code" leads as in GoRay (its programs look for it).
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        error.msg = f"{INVALID_CODE}: {error.msg}"
        raise
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    if len(defs) != 1:
        raise ValueError(f"{INVALID_CODE}: it must hold exactly one top-level def, found "
                         f"{len(defs)}")
    code = compile(tree, filename, "exec")
    # Lets tracebacks show the source lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return code, defs[0].name


def _exe_py_code(data: memoryview) -> Reply:
    args, meta = _call_payload(data)
    source = _meta(meta, META_FUNC_CODE, "ExePyCode")
    if not isinstance(source, str):
        raise FramingError("ExePyCode: func_code is not a string")
    return Code.SUCCESS, _run_py_code(source, args)


def _run_py_code(source: str, args: List[Any]) -> bytes:
    """Runs ExePyCode's source on decoded args; the packed result. (The compiled fast
    path calls it too, with the args it decoded.)"""
    code, name = _compile_source(source)
    namespace: Dict[str, Any] = {"__name__": "__goray_code__", "__builtins__": builtins}
    for position, value in enumerate(args):  # as GoRay binds them
        namespace[f"arg{position}"] = value
    exec(code, namespace)  # noqa: S102 - running native-supplied code is the command
    return _pack_result(namespace[name](*args), f"python code {name}")


# ---------------------------------------------------------------------------
# 2-4 Python class instances living in this process (their own id space from 0).

_instances: Dict[int, Any] = {}
_instance_ids = itertools.count()
_instances_lock = threading.Lock()


def local_instances() -> Dict[int, Any]:
    """A copy of the open in-process instances by id."""
    with _instances_lock:
        return dict(_instances)


def _new_class_instance(data: memoryview) -> Reply:
    args, meta = _call_payload(data)
    name = _meta(meta, META_ACTOR_TYPE_NAME, "NewClassInstance")
    instance = _registry.find_class(name)(*args)
    with _instances_lock:
        instance_id = next(_instance_ids)
        _instances[instance_id] = instance
    return Code.SUCCESS, pack_u64(instance_id)


def _instance_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FramingError(f"{META_LOCAL_ACTOR_ID} is not an integer: {value!r}")
    return value


def _local_method_call(data: memoryview) -> Reply:
    args, meta = _call_payload(data)
    instance_id = _instance_id(_meta(meta, META_LOCAL_ACTOR_ID, "LocalMethodCall"))
    method_name = _meta(meta, META_TASK_NAME, "LocalMethodCall")
    instance = _instances.get(instance_id)
    if instance is None:
        raise GorayError(f"Python local instance {instance_id} is not open "
                         "(never created or already closed)")
    method = getattr(instance, method_name, None) if not method_name.startswith("__") else None
    if method is None or not callable(method):
        cls = type(instance).__name__
        known = sorted(n for n in dir(instance)
                       if not n.startswith("_") and callable(getattr(instance, n, None)))
        raise UnknownNameError(
            "method", method_name, known,
            message=f"method {method_name!r} of Python class {cls} not found; known methods: "
                    f"{', '.join(known) if known else '(none)'}")
    return Code.SUCCESS, _pack_result(method(*args), f"{type(instance).__name__}.{method_name}")


def _close_class_instance(data: memoryview) -> Reply:
    request = json.loads(data.tobytes())
    if not isinstance(request, dict):
        raise FramingError("CloseClassInstance: the request is not a JSON object")
    instance_id = _instance_id(_meta(request, META_LOCAL_ACTOR_ID, "CloseClassInstance"))
    with _instances_lock:
        instance = _instances.pop(instance_id, None)
    if instance is None:
        raise GorayError(f"Python local instance {instance_id} is not open "
                         "(never created or already closed)")
    del instance  # the last reference: the object goes now, not under the lock
    return Code.SUCCESS, b""


# ---------------------------------------------------------------------------
# Dispatch.

# What native code asked for, in its API's terms: (text, the meta key naming the callee).
_RAY_REQUESTS: Dict[Native2Py, Tuple[str, Optional[str]]] = {
    Native2Py.EXE_REMOTE_TASK: ("calling native task {name} through Ray (RemoteCall)", META_TASK_NAME),
    Native2Py.GET_OBJECT: ("getting an ObjectRef's value (Get)", None),
    Native2Py.PUT_OBJECT: ("putting a value into Ray's object store (Put)", None),
    Native2Py.WAIT_OBJECT: ("waiting for ObjectRefs (Wait)", None),
    Native2Py.CANCEL_OBJECT: ("cancelling a task (Cancel)", None),
    Native2Py.RELEASE_OBJECT: ("releasing an ObjectRef", None),
    Native2Py.NEW_ACTOR: ("creating native actor {name} (NewActor)", META_ACTOR_TYPE_NAME),
    Native2Py.NEW_PYTHON_ACTOR: ("creating Python actor {name} (NewPyActor)", META_ACTOR_TYPE_NAME),
    Native2Py.ACTOR_METHOD_CALL: ("calling actor method {name} through Ray (handle.RemoteCall)",
                                  META_TASK_NAME),
    Native2Py.KILL_ACTOR: ("killing an actor (Kill)", None),
    Native2Py.GET_ACTOR: ("looking up named actor {name} (GetActor)", ACTOR_NAME),
    Native2Py.EXE_PYTHON_REMOTE_TASK: ("calling Python task {name} through Ray (RemoteCallPyTask)",
                                       META_PY_TASK_NAME),
    Native2Py.RELEASE_ACTOR: ("releasing an actor handle", None),
}


def _requested_name(command: Native2Py, data: memoryview, key: str) -> str:
    """The callee a request names, quoted ("" when it cannot be read)."""
    try:
        if command == Native2Py.GET_ACTOR:
            meta = json.loads(data.tobytes())
        else:
            meta = json.loads(unpack_units(data)[1].tobytes())
        name = meta[key]
        return repr(name) if isinstance(name, str) else ""
    except Exception:  # noqa: BLE001 - only for the message
        return ""


def _ray_started() -> bool:
    ray = sys.modules.get("ray")  # never imported here: goray alone imports no Ray
    return ray is not None and bool(ray.is_initialized())


#: Installs the Ray commands' handlers (goray._ray.native2py.commands's), registered by
#: goray._ray at import; None where it is not imported.
_ray_commands_loader: Optional[Callable[[], None]] = None


def set_ray_commands_loader(loader: Callable[[], None]) -> None:
    """Registers what installs the handlers of the Ray commands (with
    :func:`register_handler`) in a process where Ray runs: goray._ray, at import."""
    global _ray_commands_loader
    _ray_commands_loader = loader


def _needs_ray(command: Native2Py) -> Handler:
    """The handler of a Ray command before goray._ray.native2py.commands serves it: in a
    process where Ray runs (a Ray worker, a driver that called ray.init itself), the
    first Ray command installs those handlers (the loader goray._ray registered) and
    is served by them; elsewhere it fails, saying how to start Ray."""
    text, key = _RAY_REQUESTS.get(command, (f"Native2Py command {int(command)} ({command.name})", None))

    def handler(data: memoryview) -> Reply:
        loader = _ray_commands_loader
        if loader is not None and _ray_started():
            loader()
            served = _handlers.get(int(command))
            if served is not None and served is not handler:
                return served(data)
        what = text.format(name=_requested_name(command, data, key) if key else "")
        raise ray_not_running(" ".join(what.split()))  # (no double space without a name)
    return handler


def ray_not_running(what: str) -> GorayError:
    """The error of a request (`what` it does) that needs Ray where none runs: never
    started here, or ended by ray.shutdown() (a later call must not start a Ray of its
    own, as Ray's submissions would: goray._ray.native2py.commands)."""
    return GorayError(f"{what} needs Ray, which is not running in this process (never started, "
                      "or ended by ray.shutdown()): run the program with the goray command "
                      "(goray [--py-defs FILE] LIBRARY), or call goray.init(library, ...) "
                      "before calling native code")


def ray_request_handler(command: Native2Py) -> Handler:
    """What answers Ray command `command` where Ray does not run (see _needs_ray)."""
    return _needs_ray(command)


_handlers: Dict[int, Handler] = {
    Native2Py.EXE_PYTHON_LOCAL_TASK: _exe_python_local_task,
    Native2Py.EXE_PY_CODE: _exe_py_code,
    Native2Py.NEW_CLASS_INSTANCE: _new_class_instance,
    Native2Py.LOCAL_METHOD_CALL: _local_method_call,
    Native2Py.CLOSE_CLASS_INSTANCE: _close_class_instance,
}
for _command in Native2Py:
    _handlers.setdefault(int(_command), _needs_ray(_command))
_handlers = {int(cmd): handler for cmd, handler in _handlers.items()}


def register_handler(command: int, handler: Handler) -> None:
    """Installs (or replaces) the handler of a Native2Py command."""
    _handlers[int(command)] = handler


# ---------------------------------------------------------------------------
# The compiled fast path (goray._fastpath) serves commands 0, 1 and 3 itself for
# ordinary calls, reading the same tables as the handlers above.

def _fast_target(command: int, key: bytes) -> Optional[Tuple[Any, ...]]:
    """What the fast path caches for a call's JSON unit (keyed by its exact bytes):
    a pure function of the bytes, so the cache never goes stale. None: calls with
    these options always go to :func:`dispatch` (errors, ObjectRefs, odd values).

    command 0: (task name, its key in the registry's import cache);
    command 1: (source,); command 3: (instance id, method name)."""
    try:
        meta = json.loads(key)
    except Exception:  # noqa: BLE001 - dispatch reports it
        return None
    if not isinstance(meta, dict) or meta.get(META_ARG_POS_TO_OBJECT):
        return None
    if command == Native2Py.EXE_PYTHON_LOCAL_TASK:
        name = meta.get(META_TASK_NAME)
        return (name, _registry.imported_key(name)) if type(name) is str else None
    if command == Native2Py.EXE_PY_CODE:
        source = meta.get(META_FUNC_CODE)
        return (source,) if type(source) is str else None
    if command == Native2Py.LOCAL_METHOD_CALL:
        instance_id = meta.get(META_LOCAL_ACTOR_ID)
        method_name = meta.get(META_TASK_NAME)
        if type(instance_id) is int and type(method_name) is str:
            return (instance_id, method_name)
    return None


def install_fastpath(fast: ModuleType) -> None:
    """Hands the compiled fast path the dispatcher, and the tables and helpers of the
    commands it serves itself. It reads (never writes) the live dicts: ``_handlers``
    (a replaced stock handler gets every call), ``_instances``, and the registry's
    :func:`_registry.function_tables`; goray/_fastpath_src/tables.h lists them."""
    tables = _registry.function_tables()
    fast.set_dispatcher(dispatch, error_reply)
    fast.set_native2py(
        handlers=_handlers,
        stock={int(Native2Py.EXE_PYTHON_LOCAL_TASK): _exe_python_local_task,
               int(Native2Py.EXE_PY_CODE): _exe_py_code,
               int(Native2Py.LOCAL_METHOD_CALL): _local_method_call},
        resolve=_fast_target,
        functions=tables.functions,
        imported=tables.imported,
        instances=_instances,
        pack_result=_pack_result,
        run_py_code=_run_py_code)


def dispatch(command: int, data: memoryview) -> Reply:
    """Runs the handler of a Native2Py command; failures become code 1 with text."""
    handler = _handlers.get(command)
    if handler is None:
        return Code.FAILED, f"unknown command {command}".encode()
    try:
        return handler(data)
    except BaseException as error:  # noqa: BLE001 - reported to native code as code 1
        return Code.FAILED, error_reply(error)
