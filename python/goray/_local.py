"""Python calling native tasks and actors in-process (Py2Native commands 4-7).

No Ray: the library is called directly through ``Execute`` (it is loaded on first
use from ``GORAY_BIN_PATH`` when ``goray.load_library`` was not called).

``golang_local_run_task`` is goray._fastpath's: it calls the application's typed entry of
the task when it has one (goray._entries), else the codec path, where the call is packed,
framed, sent and decoded in C. The functions here are the Python helpers the compiled code
calls (set_py2native): keyword arguments, generator tasks' streams, and goray._codec
packing the calls whose arguments the C packer leaves (timestamps, refs, subclasses,
values it refuses: the ArgumentError then names the task and position).

Tests: tests/python/test_local_calls.py, tests/python/test_streams_local.py,
tests/python/test_bad_input.py, tests/python/test_fastpath_py2native.py,
tests/python/test_fastpath.py, tests/python/test_values.py
"""

from __future__ import annotations

import abc
import weakref
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Protocol, Sequence, Tuple

from . import _arrays, _codec, _ffi, _keywords, _streams_local, _traits
from ._protocol import Py2Native, pack_call
from .errors import ArgumentError, GorayError, error_from_reply

__all__ = ["golang_local_run_task", "golang_local_new_actor", "LocalActor", "codec_run_task",
           "codec_method_call", "codec_new_actor", "set_typed_actor_types"]

_NEW_ACTOR = int(Py2Native.NEW_ACTOR)
_CLOSE_ACTOR = int(Py2Native.CLOSE_ACTOR)


def _args_pieces(library: "_ffi.Library", name: str, args: Any, keep: list) -> list:
    """The args block of an in-process call, as pieces (large bytes uncopied):
    arrays by address (ext 72, borrowed for the call; copies go to `keep`) when
    the library speaks arrays, else as nested lists."""
    mode = _arrays.BORROWED if library.arrays else _arrays.NESTED
    return _codec.pack_args(name, args, mode, keep)


def _pack_call(name: str, args: Tuple[Any, ...], callee: str) -> Tuple[bytes, List[Any]]:
    """units(name, args block) packed by goray._codec, for a call whose arguments the
    compiled packer leaves: (the request, what borrowed arrays point to, to hold until
    Execute returns). Its ArgumentError names `callee` (an actor method: Type.Method)."""
    keep: List[Any] = []
    try:
        pieces = _args_pieces(_ffi.get_library(), name, args, keep)
    except ArgumentError as error:
        if callee != name:
            error.task = callee
        raise
    return pack_call(_encode_name(name, "task"), pieces), keep


def _positional(name: str, /, *args: Any, **kwargs: Any) -> Tuple[Any, ...]:
    """A task call's arguments by position, its keywords resolved by the C++ parameters."""
    library = _ffi.get_library()
    return tuple(_keywords.resolve(name, _traits.task_params(library, name), args, kwargs))


def _task_stream(name: str, args: Tuple[Any, ...]) -> "_streams_local.LocalStream":
    return _streams_local.task_stream(name, args, _ffi.get_library())


def _stream_tasks() -> FrozenSet[str]:
    """The generator tasks (golang_local_run_task returns their LocalStream)."""
    return _streams_local.streaming_tasks(_ffi.get_library())


def _result_converters() -> Dict[str, Callable[[Any], Any]]:
    """Task -> what golang_local_run_task applies to its result: the tasks whose results
    hold enums (goray._enums makes their members)."""
    enums = _traits.result_enums(_ffi.get_library())
    return {name: converter for name in enums.tasks()
            if (converter := enums.for_task(name)) is not None}


def _encode_name(name: str, what: str) -> bytes:
    if not isinstance(name, str):
        raise TypeError(f"the {what} name must be a str, got {type(name).__name__}")
    return name.encode("utf-8")


class _RunTask(Protocol):
    def __call__(self, name: str, /, *args: Any, **kwargs: Any) -> Any: ...


def _missing(*args: Any, **kwargs: Any) -> Any:
    """What the entry points are without goray._fastpath: its ImportError, which says how
    to rebuild it (``import goray`` itself, the generator and the CLI, do not need it)."""
    return _codec.fastpath_module()  # raises


try:
    _fast: Any = _codec.fastpath_module()
except ImportError:
    _fast = None

if _fast is not None:
    _fast.set_py2native(_ffi.get_library, _positional, _task_stream, _pack_call, error_from_reply,
                        _codec.unpack_result_block)
    _fast.set_stream_tasks(_stream_tasks)
    _fast.set_result_converters(_result_converters)

# The one binding of the public entry point: the compiled function. It calls the
# application's typed entry of the task when it has one (goray._entries registers them),
# else the codec path, codec_run_task.
golang_local_run_task: _RunTask = _missing if _fast is None else _fast.golang_local_run_task
"""golang_local_run_task(name, /, *args, **kwargs): runs a native task in this process and
returns its result: None for no value, the value for one, a list for several. A generator
task (its result is goray::Generator<T>) returns an iterator of its items instead (a
LocalStream: each next() runs the task up to its next item; close it to stop early).
Keyword arguments name the C++ parameters."""
#: A task through the codec path (msgpack, Execute), never a typed entry: the route of a
#: library without typed entries (a GoRay library), and the tests' reference.
codec_run_task: _RunTask = _missing if _fast is None else _fast.run_task_codec
"""Runs a native task in this process and returns its result: None for no value, the value
for one, a list for several. A generator task (its result is goray::Generator<T>) returns
an iterator of its items instead (a LocalStream: each next() runs the task up to its next
item; close it to stop early). Keyword arguments name the C++ parameters."""


def _call(library: "_ffi.Library", command: int, index: int, name: str, what: str,
          args: Sequence[Any], callee: str) -> Any:
    """Any Py2Native call of units(name, args block) whose reply is a native return block
    (MapTask, MapMethod...), through the codec path; `callee` names it in errors."""
    return library.fastpath.call(command, index, name, tuple(args), callee)


# library -> {actor type: its typed local actor type} (goray._entries registers it).
_typed_actor_types: Optional[Callable[["_ffi.Library"], Dict[str, Any]]] = None


def set_typed_actor_types(types_of: Optional[Callable[["_ffi.Library"], Dict[str, Any]]]) -> None:
    """Where golang_local_new_actor finds the application's typed local actor types."""
    global _typed_actor_types
    _typed_actor_types = types_of


def golang_local_new_actor(name: str, /, *args: Any, **kwargs: Any) -> "LocalActor":
    """Creates a native actor in this process. Its methods are called as attributes
    (``actor.Incr(1)``, ``actor.Incr(by=1)``) and return like
    :func:`golang_local_run_task`. Closed by ``close()``, at the end of a ``with``
    block, or when garbage-collected."""
    library = _ffi.get_library()
    if _typed_actor_types is not None:
        typed = _typed_actor_types(library).get(name)
        if typed is not None:  # the application's typed entries: a LocalActor too
            made: LocalActor = typed(*args, **kwargs)
            return made
    return LocalActor(name, codec_new_actor(library, name, args, kwargs), library)


def codec_new_actor(library: "_ffi.Library", name: str, args: Tuple[Any, ...],
                    kwargs: Dict[str, Any]) -> int:
    """NewActor through the codec path: the new instance's index."""
    if kwargs:
        args = tuple(_keywords.resolve(name, _traits.actor_params(library, name), args, kwargs))
    keep: list = []
    pieces = _args_pieces(library, name, args, keep)
    code, reply = library.execute(_NEW_ACTOR, pack_call(_encode_name(name, "actor type"), pieces))
    del keep
    if code:
        raise error_from_reply(code, reply, name)
    try:
        return int(reply.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise GorayError(f"NewActor {name}: the library replied {reply[:64]!r}, "
                         "not an ASCII decimal instance index") from None


def _close_native(library: "_ffi.Library", index: int) -> Tuple[int, bytes]:
    return library.execute(_CLOSE_ACTOR, b"", index)


def codec_method_call(library: "_ffi.Library", type_name: str, index: int, method: str,
                      args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
    """A method of instance `index` through the codec path (msgpack, Execute): keyword
    arguments resolved, a generator method's LocalStream, results' enums made members."""
    if kwargs:
        params = _traits.method_params(library, type_name, method)
        args = tuple(_keywords.resolve(f"{type_name}.{method}", params, args, kwargs))
    if method in _streams_local.streaming_methods(library, type_name):
        return _streams_local.method_stream(library, index, type_name, method, args)
    converter = result_converter(library, type_name, method)
    result = library.fastpath.actor_call(index, method, args if type(args) is tuple else tuple(args),
                                         type_name)
    return result if converter is None else converter(result)


# (library, actor type or "" for a task, callee) -> the converter of the enums its result
# holds, or None: compiled once per callee.
_result_converters_of: Dict[Tuple[int, str, str], Optional[Callable[[Any], Any]]] = {}


def result_converter(library: "_ffi.Library", type_name: str,
                     name: str) -> Optional[Callable[[Any], Any]]:
    """What a result of method `name` of `type_name` (of task `name` when `type_name` is
    "") goes through to make its enums members, or None."""
    key = (id(library), type_name, name)
    try:
        return _result_converters_of[key]
    except KeyError:
        enums = _traits.result_enums(library)
        converter = enums.for_method(type_name, name) if type_name else enums.for_task(name)
        return _result_converters_of.setdefault(key, converter)


class LocalActor(metaclass=abc.ABCMeta):
    """A native actor instance living in this process. Thread-safe: calls may run
    concurrently, and the instance is closed exactly once (weakref.finalize detaches
    atomically)."""

    __slots__ = ("_type_name", "_index", "_library", "_finalizer", "__weakref__")

    def __init__(self, type_name: str, index: int, library: "_ffi.Library") -> None:
        self._type_name = type_name
        self._index = index
        self._library = library
        # Closes the native instance exactly once: close(), `with` exit, or GC.
        self._finalizer = weakref.finalize(self, _close_native, library, index)
        self._finalizer.atexit = False  # no calls into the library at interpreter exit

    @property
    def type_name(self) -> str:
        """The native actor type."""
        return self._type_name

    @property
    def index(self) -> int:
        """The native instance index."""
        return self._index

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        """Calls a method by name (also for names this class uses itself)."""
        if not self._finalizer.alive:
            raise GorayError(f"{self!r} is closed: cannot call {method}")
        return codec_method_call(self._library, self._type_name, self._index, method, args, kwargs)

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):  # use call() for such names
            raise AttributeError(method)

        def bound(*args: Any, **kwargs: Any) -> Any:
            return self.call(method, *args, **kwargs)

        bound.__name__ = method
        bound.__qualname__ = f"{self._type_name}.{method}"
        return bound

    def close(self) -> None:
        """Closes the native instance (once; later calls raise GorayError, a second
        close does nothing)."""
        result: Optional[Tuple[int, bytes]] = self._finalizer()
        if result is not None and result[0]:
            raise error_from_reply(result[0], result[1], f"{self._type_name} (close)")

    def __enter__(self) -> "LocalActor":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if not self._finalizer.alive else ""
        return f"<goray.LocalActor {self._type_name}#{self._index}{state}>"

