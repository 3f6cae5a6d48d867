"""Streaming generators on Ray (docs/protocol.md §13): both directions.

Producer side: a native task whose result is ``goray::Generator<T>`` runs as the
Ray generator function GolangTask.<name> (Ray streams a generator function by
default), and a native actor's generator method m as generator methods m and
m__. Each body starts the stream in its worker (StartTaskStream 39 /
StartMethodStream 40), yields one item per NextStreamItem 41 and closes it
(CloseStream 42) when Ray stops early: cancellation, the consumer gone, an error.
Items are Python values for Python callers (several to a Ray object for goray.stream's:
value_groups) and one value's native block for native callers (its bytes when small,
else a NativeBlock: objects.stream_item; small ones read ahead together in one object,
GROUPED_SUFFIX and value_groups.NativeFrames),
by the caller forms bodies.py documents; a C++ exception mid-stream
is raised here, so Ray delivers it as the next item.

Consumer side (Native2Py): ExeRemoteTask 5, ExePythonRemoteTask 16 and
ActorMethodCall 13 with ``"num_returns": "streaming"`` keep the call's
ray.ObjectRefGenerator in the objects store (a StoredStream), whose items
NextStreamRef 36 (goray._ray.native2py.next_stream_ref) hands out. A Python generator task native code
streams runs as :func:`run_python_generator`.

Tests: tests/python/test_ray_releases.py, tests/python/test_streams_local.py,
tests/ray/test_cancel_stress.py, tests/ray/test_streams.py, tests/ray/test_streams_cpp.py
"""

from __future__ import annotations

import collections
import inspect
import sys
import threading
import time
from typing import Any, Callable, Deque, Dict, FrozenSet, Iterator, List, Sequence, Tuple

import ray
import ray.exceptions

from ... import _keywords, _registry, _traits
from ..._protocol import NATIVE_TASK_PREFIX, PYTHON_TASK_PREFIX, Buffer, Py2Native
from ..._streams_local import iterate_native, method_stream, not_a_generator, task_stream
from ...errors import GorayError
from ..compat import internals, releases
from . import value_groups
from ..submission import submit
from ..values import objects
from ..worker import bodies
from ..values.objects import stored, to_python

__all__ = ["NUM_RETURNS", "STREAMING", "GROUPED_SUFFIX", "grouped_options", "StoredStream",
           "task_streams", "streaming_methods", "task_body", "plain_method", "encoded_method", "run_python_generator",
           "python_generator_base", "python_generator", "is_generator_function", "submit_task",
           "submit_python", "refuse_generator", "not_a_generator", "stream_error",
           "cancel_check"]

#: The option, and its value, of a streaming submission (Ray's own).
NUM_RETURNS = "num_returns"
STREAMING = "streaming"

_START_TASK_STREAM = int(Py2Native.START_TASK_STREAM)
_START_METHOD_STREAM = int(Py2Native.START_METHOD_STREAM)


# ---------------------------------------------------------------------------
# Producer side: the Ray bodies of native generators.

def task_streams(name: str) -> bool:
    """True when native task `name` of this worker's library is a generator."""
    library = bodies.ready_library()
    return library is not None and _traits.task_streams(library, name)


def streaming_methods(type_name: str) -> FrozenSet[str]:
    """The generator methods of native actor type `type_name`."""
    library = bodies.ready_library()
    if library is None:
        return frozenset()
    return _traits.actor_traits(library, type_name).streams


def _never() -> bool:
    return False


def cancel_check() -> Callable[[], bool]:
    """What a stream's body asks between items: True once ray.cancel reached the
    running task (Ray interrupts a task's main thread but only flags an actor's).

    The core worker's flag read directly (internals.cancel_flag, Ray 2.54 on), after the
    checks RuntimeContext.is_canceled makes on every call (this is a worker, not an async
    actor), which hold for the whole call: the public call costs about 4 us per item, a
    tenth of a fast stream's rate on Ray. Before 2.54 Ray has no flag to ask: a cancel
    reaches a task as Ray's interrupt, and an actor's stream as its caller's stop."""
    worker = internals.global_worker()
    if not internals.in_worker(worker):
        return _never  # a driver (local mode): nothing to ask
    core = worker.core_worker
    if core.current_actor_is_asyncio():
        return _never
    check = internals.cancel_flag(core)
    if check is None:
        return _never
    check()
    return check


#: How often, at most, a stream's body asks whether ray.cancel reached it (seconds): the
#: question costs 1-2 us, a tenth of an item read ahead; an item that took longer than
#: this is always followed by it.
CANCEL_CHECK_EVERY = 0.001


def _between_items(cancelled: Callable[[], bool]) -> Callable[[], bool]:
    """What a stream's body calls after each item: True once `cancelled` says so (the
    body then ends through _end_cancelled), asking it at most every CANCEL_CHECK_EVERY
    seconds."""
    clock = time.monotonic
    next_check = 0.0

    def check() -> bool:
        nonlocal next_check
        now = clock()
        if now >= next_check:
            next_check = now + CANCEL_CHECK_EVERY
            return cancelled()
        return False
    return check


def _end_cancelled() -> None:
    """How a cancelled stream's body ends (its stream closed by the `with` around it):
    raising TaskCancelledError, or returning where Ray 2.54-2.59 would take that for
    the stream's end (releases.generator_raises_cancel); Ray, which knows the task was
    cancelled, then ends the caller's iteration with TaskCancelledError itself."""
    if releases.generator_raises_cancel():
        raise ray.exceptions.TaskCancelledError()


def _python_items(stream: Any) -> Iterator[Any]:
    """A LocalStream's items for a Python caller, closed when Ray stops early."""
    cancelled = cancel_check()
    between_items = _between_items(cancelled)
    with stream:
        while True:
            batch = stream.next_batch()
            if not batch:
                break
            for item in batch:
                yield stored(item)
                if between_items():
                    _end_cancelled()
                    return
    if cancelled():  # ended while ray.cancel reached the task: still cancelled
        _end_cancelled()


def _repeated_run() -> bool:
    """True when Ray runs this task again (attempt > 0: a retry, or a rebuild of a lost
    object), or when this Ray cannot say."""
    attempt = internals.attempt_number(internals.global_worker().core_worker)
    return attempt is None or attempt > 0


def _python_value_groups(stream: Any) -> Iterator[Any]:
    """A LocalStream's items (made with ahead=True, sized=True) for goray.stream's
    caller: a few to an object (value_groups.frame), closed when Ray stops early."""
    cancelled = cancel_check()
    between_items = _between_items(cancelled)
    one_each = _repeated_run()
    start = 0
    marked = False
    with stream:
        while True:
            values, sizes = stream.next_sized_batch()
            if not values:
                break
            marked = stream.closed  # the library said the stream ended with this batch
            for group in value_groups.frame(start, [stored(value) for value in values], sizes,
                                            one_each, marked):
                yield group
                if between_items():
                    _end_cancelled()
                    return
            start += len(values)
    if cancelled():  # ended while ray.cancel reached the task: no end mark
        _end_cancelled()
        return
    if not marked:
        yield value_groups.end_mark(start)


def _python_stream_items(stream_of: Callable[[bool], Any], grouped: bool) -> Iterator[Any]:
    """What a body yields for a Python caller: values (the stream made by
    stream_of(sized)), grouped for goray.stream's caller."""
    if grouped:
        return _python_value_groups(stream_of(True))
    return _python_items(stream_of(False))


#: The end of the Ray task name of a native caller's stream whose body may group small
#: items (value_groups.NativeFrames), which the caller's NextStreamRef reads: every call
#: goray's driver makes without a name of the caller's.
GROUPED_SUFFIX = "/grouped"


def grouped_options(ray_name: str, options: Dict[str, Any]) -> Dict[str, Any]:
    """A native caller's options for a streaming call, with the Ray task name
    `ray_name` + GROUPED_SUFFIX that lets its body group items, unless the caller named
    the call; a name of the caller's ending in GROUPED_SUFFIX is refused (its body
    would group items its caller does not expect in groups). On a Ray without task
    names the options stay as they are: the items go one per object."""
    given = options.get("name")
    if given is None and bodies.task_names():  # (the body reads the name)
        return {**options, "name": ray_name + GROUPED_SUFFIX}
    value_groups.refuse_kept_name(given, GROUPED_SUFFIX, "the streams it reads in groups")
    return options


def _native_items(library: Any, command: int, index: int, payload: bytes, callee: str,
                  keep: List[Any], grouped: bool) -> Iterator[Any]:
    """The items for a native caller: each the native block of one value, as bytes
    when small and without refs or handles (objects.stream_item; refs and handles
    inside read while the reply is alive, before FreeMemory); with `grouped`
    (GROUPED_SUFFIX), small items read ahead together go as one object
    (value_groups.NativeFrames), which the caller's NextStreamRef hands out one by one."""
    cancelled = cancel_check()
    between_items = _between_items(cancelled)
    frames = value_groups.NativeFrames(_repeated_run()) if grouped else None
    batches = iterate_native(library, command, index, payload, callee, objects.stream_item)
    try:
        for batch in batches:
            for item in frames.frames(batch) if frames is not None else batch:
                yield item
                if between_items():
                    _end_cancelled()
                    return
        if cancelled():  # ended while ray.cancel reached the task: no end mark
            _end_cancelled()
            return
        end = frames.end() if frames is not None else None
        if end is not None:
            yield end
    finally:
        batches.close()  # CloseStream before `keep` goes: borrowed arrays point into it
        del keep


def _library() -> Any:
    library = bodies.ready_library()
    if library is None:
        raise GorayError("no goray library in this worker: GORAY_BIN_PATH is not set")
    return library


def task_body(name: str, python_only: bool = False) -> Callable[..., Iterator[Any]]:
    """The Ray body of native generator task `name`: a generator function, with the
    caller forms of bodies._native_task (who calls: bodies.python_values); with
    `python_only`, bodies.python_caller_task's (a Ray without task names)."""
    from_python = bodies.python_caller_name(name)
    values_name = from_python + value_groups.VALUES_SUFFIX
    python_names = (from_python, values_name)
    grouped_name = NATIVE_TASK_PREFIX + name + GROUPED_SUFFIX

    def task(*args: Any) -> Iterator[Any]:
        task_name = bodies._task_name()
        values = bodies.python_values(args, python_only, python_names, task_name)
        library = _library()
        if values is not None:
            arguments = [to_python(v) for v in values]
            yield from _python_stream_items(
                lambda sized: task_stream(name, arguments, library, ahead=True, sized=sized),
                task_name == values_name)
            return
        block, positions, resolved = (args[0], args[1] if len(args) > 1 else (), args[2:]) \
            if args else (b"", (), ())
        keep: List[Any] = []
        payload = bodies._call_units(name, block, positions, resolved, keep)
        yield from _native_items(library, _START_TASK_STREAM, 0, payload, name, keep,
                                 task_name == grouped_name)

    task.__name__ = task.__qualname__ = NATIVE_TASK_PREFIX + name
    return task


def plain_method(method: str) -> Callable[..., Iterator[Any]]:
    """Generator method `method` of a native actor for Python callers."""
    def call(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        library = _library()
        label = f"{self._goray_type}.{method}"
        if kwargs:
            args = _keywords.resolve(label, _traits.method_params(library, self._goray_type,
                                                                   method), args, kwargs)
        yield from _python_stream_items(
            lambda sized: method_stream(library, self._goray_index, self._goray_type, method,
                                        args, ahead=True, sized=sized),
            bodies._task_name() == label + value_groups.VALUES_SUFFIX)
    call.__name__ = call.__qualname__ = method
    return call


def encoded_method(method: str) -> Callable[..., Iterator[Any]]:
    """Generator method `method` of a native actor for native callers (m__)."""
    def call(self: Any, args_block: Buffer = b"", positions: Tuple[int, ...] = (),
             *resolved: Any) -> Iterator[Any]:
        library = _library()
        keep: List[Any] = []
        payload = bodies._call_units(method, args_block, positions, resolved, keep)
        label = f"{self._goray_type}.{method}"
        yield from _native_items(library, _START_METHOD_STREAM, self._goray_index, payload,
                                 label, keep, bodies._task_name() == label + GROUPED_SUFFIX)
    call.__name__ = call.__qualname__ = method + "__"
    return call


# ---------------------------------------------------------------------------
# Python generator tasks that native code streams.

def run_python_generator(name: Any, *args: Any) -> Iterator[Any]:
    """The body of a Python generator task native code streams: found by name in the
    worker, as bodies.run_python_task (its arguments read as there), yielding its values."""
    bodies.ready_library()
    name, values = bodies.python_callee_args(name, args)
    yield from _registry.find_function(name)(*values)


python_generator_base = ray.remote(run_python_generator)


def is_generator_function(function: Any) -> bool:
    """True for a (registered) Python generator function."""
    return inspect.isgeneratorfunction(getattr(function, "_goray_original", function))


def python_generator(name: str) -> Any:
    """Python function `name`, checked to be a generator function (for a streaming
    submission)."""
    function = _registry.find_function(name)
    if not is_generator_function(function):
        raise GorayError(f"Python function {name} is not a generator function: a streaming "
                         "call needs one (def ...: yield ...)")
    return function


def submit_task(name: str, options: Dict[str, Any], args_block: Any,
                positions: Tuple[int, ...], refs: Sequence[Any]) -> "StoredStream":
    """A native caller's streaming call of native task `name` (its one Ray function,
    a generator function for a generator task)."""
    base = bodies.native_task(name)
    if not base._is_generator:
        raise not_a_generator("task", name)
    grouped = grouped_options(NATIVE_TASK_PREFIX + name, options)
    block = objects.travelling(args_block)
    args = (block, positions, *refs) if refs else (block,) if args_block else ()
    # (Ray's public path: submit.py does not mirror generators; the options are kept.)
    submitter = submit.prepared(base, f"stream:{name}", grouped)
    return StoredStream(submitter.remote(*args), name, True, grouped is not options)


def submit_python(name: str, options: Dict[str, Any], values: Sequence[Any],
                  marked: Sequence[int] = ()) -> "StoredStream":
    """A native caller's streaming call of Python generator function `name`, with the
    options of its @goray.remote declaration under the caller's; `marked`: the
    positions of native producers' refs among `values` (bodies.python_callee_args)."""
    function = python_generator(name)
    merged = {"name": PYTHON_TASK_PREFIX + getattr(function, "__name__", name),
              **_registry.declared_options(name), **options}
    submitter = submit.prepared(python_generator_base, f"python-stream:{name}", merged)
    return StoredStream(submitter.remote([name, list(marked)] if marked else name, *values),
                        name, False)


def refuse_generator(what: str, name: str) -> GorayError:
    """The error for a call of a generator that did not ask to stream."""
    return GorayError(f"{what} {name} is a generator (it yields items one by one): call it "
                      "as a stream (goray::RemoteStream, ActorHandle::RemoteStream, or the "
                      "option num_returns=\"streaming\")")


# ---------------------------------------------------------------------------
# Consumer side: a stream in the driver's objects store.

class StoredStream:
    """A streaming call native code made: its ray.ObjectRefGenerator (not
    thread-safe in Ray: one NextStreamRef at a time), what it calls (for
    messages), whether its items are a native producer's bytes, and, when they may
    come in groups (value_groups.NativeFrames), the order of their items and how many
    of the generator's objects were read; the items of a group not handed out yet
    wait in `held` (all under `lock`)."""

    __slots__ = ("generator", "label", "native", "order", "objects_read", "lock", "held")

    def __init__(self, generator: Any, label: str, native: bool, grouped: bool = False) -> None:
        self.generator = generator
        self.label = label
        self.native = native
        self.order = value_groups.ItemOrder(f"stream of {label}") if grouped else None
        self.objects_read = 0
        self.lock = threading.Lock()
        self.held: Deque[Any] = collections.deque()

    @property
    def grouped(self) -> bool:
        return self.order is not None

    def __repr__(self) -> str:
        return f"<goray stream of {self.label}>"


def stream_error(object_id: int) -> str:
    """What GetObject (and arguments, Wait) answer for a stream's id."""
    return f"object {object_id} is a stream (a generator's ObjectRefGenerator): iterate it"


bodies.generator_bodies = sys.modules[__name__]  # native_task and native actor classes use these bodies
