"""Python calling native tasks and actors through Ray: goray.golang_task and
goray.golang_actor_class (as in GoRay), and goray.stream, a native generator's items
as values. Creating them imports no Ray; calling .remote() does (and needs
goray.init()).

Tests: tests/ray/test_value_streams.py, tests/ray/test_python_to_cpp.py,
tests/ray/test_refs_in_values_cpp.py, tests/ray/test_cancel_stress.py, tests/ray/test_arrays.py,
tests/ray/test_streams.py
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, ParamSpec, Protocol, Tuple, TypeVar

from . import _codec, _keywords, _traits

if TYPE_CHECKING:
    import ray

    from ._ray.py2native.value_streams import ItemStream

__all__ = ["golang_task", "golang_actor_class", "stream", "NativeTask", "NativeActorClass"]


def _require_ray() -> Any:
    import ray
    if not ray.is_initialized():
        raise RuntimeError("Ray is not initialized: call goray.init(library, ...) first")
    from ._ray.py2native import callees as py2native
    from ._ray.worker import bodies
    return bodies, py2native


class NativeTask:
    """A native task as a Ray remote function: ``.remote(*args)`` → ``ray.ObjectRef``
    of its result (None, the value, or a list for several results); for a generator
    task (its result is ``goray::Generator<T>``) a ``ray.ObjectRefGenerator`` of its
    items, each a Python value."""

    def __init__(self, name: str, options: Dict[str, Any]) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"golang_task needs a task name (str), got {name!r}")
        self._name = name
        self._options = dict(options)
        self._remote: Any = None  # the prepared Ray remote function, on first use

    @property
    def name(self) -> str:
        """The native task's name, as the application registered it."""
        return self._name

    def options(self, **options: Any) -> "NativeTask":
        """A copy of this task with these Ray options added (over its own); the task itself
        is unchanged. Each key goes to Ray's ``.options()`` for a remote function as is, so
        every Ray option works and an unknown one is Ray's ``ValueError``: ``num_cpus``,
        ``num_gpus``, ``memory``, ``resources`` (``{"name": amount}``), ``max_retries``,
        ``retry_exceptions``, ``name`` (the task's name in Ray's state API and dashboard),
        ``scheduling_strategy``, ``runtime_env``, ... ; ``num_returns="streaming"`` only
        for a generator task (docs/calls.md, "Options")."""
        return NativeTask(self._name, {**self._options, **options})

    def remote(self, /, *args: Any, **kwargs: Any) -> Any:
        """Submits the task: Ray resolves ObjectRef arguments; the worker packs the
        values for C++ (an ArgumentError arrives with ray.get). Keyword arguments
        name the C++ parameters (resolved to positions here: _keywords)."""
        args = self._positions(args, kwargs)
        remote = self._remote
        if remote is None:
            _, native = _require_ray()
            from ._ray.submission.options import STREAMING
            streaming = self._options.get("num_returns") == STREAMING
            if streaming:  # accepted for a generator task (which streams without it too)
                self._check_generator()
            remote = native.native_task_for_python(self._name, self._ray_options(streaming))
            self._remote = remote
        _codec.check_lengths(self._name, args)
        return remote.remote(*args)

    def _positions(self, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[Any, ...]:
        """The call's arguments by position (keywords resolved to the C++ parameters)."""
        if not kwargs:
            return args
        bodies, _ = _require_ray()
        return tuple(_keywords.resolve(self._name, _params(bodies, _traits.task_params, self._name),
                                       args, kwargs))

    def _check_generator(self) -> None:
        from ._ray.streaming import generators
        if not generators.task_streams(self._name):
            raise generators.not_a_generator("task", self._name)

    def _ray_options(self, streaming: bool) -> Dict[str, Any]:
        from ._ray.submission.options import split_options, with_goray_env
        return with_goray_env(split_options(self._options, streaming=streaming))

    def _stream(self, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> "ItemStream[Any]":
        """goray.stream of this task."""
        args = self._positions(args, kwargs)
        _require_ray()
        self._check_generator()
        _codec.check_lengths(self._name, args)
        from ._ray.py2native import value_streams
        return value_streams.for_task(self._name, self._ray_options(True), args)

    def __repr__(self) -> str:
        return f"<goray.golang_task {self._name!r}>"


class NativeActorClass:
    """A native actor type as a Ray actor class: ``.remote(*args)`` → a Ray actor
    handle whose methods take and return Python values (``h.Incr.remote(1)``)."""

    def __init__(self, name: str, options: Dict[str, Any]) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"golang_actor_class needs an actor type name (str), got {name!r}")
        self._name = name
        self._options = dict(options)

    @property
    def name(self) -> str:
        """The native actor type's name, as the application registered it."""
        return self._name

    def options(self, **options: Any) -> "NativeActorClass":
        """A copy of this actor class with these Ray actor options added (over its own); the
        class itself is unchanged. Each key goes to Ray's ``.options()`` for an actor class
        as is, so every Ray option works and an unknown one is Ray's ``ValueError``:
        ``max_restarts``, ``max_task_retries``, ``max_concurrency`` (threads of a
        thread-safe type), ``concurrency_groups``, ``num_cpus``, ``num_gpus``, ``memory``,
        ``resources``, ``name`` and ``namespace`` (a named actor, found with
        ``ray.get_actor``), ``lifetime`` (``"detached"``: it outlives the driver),
        ``get_if_exists``, ``scheduling_strategy``, ``runtime_env``, ... (docs/calls.md,
        "Options")."""
        return NativeActorClass(self._name, {**self._options, **options})

    def remote(self, /, *args: Any, **kwargs: Any) -> Any:
        """Creates an actor (keyword arguments name the constructor's parameters)."""
        bodies, native = _require_ray()
        if kwargs:
            args = _keywords.resolve(self._name, _params(bodies, _traits.actor_params,
                                                         self._name), args, kwargs)
        from ._ray.submission.options import split_options, with_goray_env
        from ._traits import checked_actor_options
        methods = native.native_actor_methods(self._name)  # (loads the library)
        groups, options = checked_actor_options(bodies.ready_library(), self._name,
                                                split_options(self._options))
        cls = bodies.native_actor_class(self._name, methods, groups)
        args_block, positions, refs = native.pack_call(self._name, args)
        native.check_actor_args(self._name, args_block, bool(refs))
        return cls.options(**with_goray_env(options)).remote(args_block, positions, *refs)

    def __repr__(self) -> str:
        return f"<goray.golang_actor_class {self._name!r}>"


def _params(bodies: Any, lookup: Any, name: str) -> Any:
    """lookup(library, name): parameters the driver's library names (None: none)."""
    library = bodies.ready_library()
    return None if library is None else lookup(library, name)


def golang_task(name: str, /, **options: Any) -> NativeTask:
    """The native task `name` as a Ray remote function."""
    return NativeTask(name, options)


_P = ParamSpec("_P")
_T = TypeVar("_T")


class _Streaming(Protocol[_P, _T]):
    """What goray.stream takes, as type checkers see it: a callee whose .remote()
    gives refs of _T (a generated module's generator task or method; untyped ones
    give Any)."""

    def remote(self, *args: _P.args, **kwargs: _P.kwargs) -> Iterator["ray.ObjectRef[_T]"]: ...


def stream(callee: _Streaming[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> "ItemStream[_T]":
    """Calls a native generator on Ray and iterates its items as Python values:
    ``for value in goray.stream(goray.golang_task("CountUp"), 5)``. `callee` is a native
    generator task (goray.golang_task(name) or a generated module's task, with
    .options(...) or not) or a generator method of a native actor's handle
    (``handle.Range``, ``handle.Range.options(...)``); the arguments are the
    generator's, as for .remote(). Ray carries the items the generator already made
    together, a few to an object, where .remote()'s refs cost Ray's work per item
    (docs/streams.md, "Values, many to a Ray object: goray.stream")."""
    made = getattr(callee, "_remote_object", None)  # a generated module's task: goray's object
    target: Any = made() if callable(made) else callee
    if isinstance(target, NativeTask):
        return target._stream(args, kwargs)
    _require_ray()
    from ._ray.py2native import value_streams
    return value_streams.for_method(target, args, kwargs)


def golang_actor_class(name: str, /, **options: Any) -> NativeActorClass:
    """The native actor type `name` as a Ray actor class."""
    return NativeActorClass(name, options)
