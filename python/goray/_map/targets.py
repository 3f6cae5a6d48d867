"""What goray.map maps (docs/map.md, "What can be mapped"): a native task, a native or
Python actor's method (one actor, or an ActorPool's), or a Python function; and how one
chunk of it is submitted to Ray. Imports Ray: api imports this module only when a map runs.

Tests: tests/python/test_map_inputs.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import inspect

import ray

from .. import _ffi, _native_remote, _traits
from .._keywords import NOT_CONSTANT, Param
from .._traits import MapLoop, Params
from ..errors import ArgumentError
from .._ray.compat import internals
from .._ray.py2native import map_chunks
from .._ray.worker.bodies import native_methods_of
from .._ray.submission.options import split_options, with_goray_env
from .inputs import Taken

__all__ = ["Target", "target_of", "pool_target", "python_target"]


@dataclass
class Target:
    """A callee as goray.map submits it. `submit(header, columns, shared)` returns (ref,
    actor index or None): `columns` a list of the chunk's columns (or an ObjectRef of one),
    `shared` its shared values (map_chunks.split); `slots`: how many chunks run at once;
    `lost(actor, error)`: whether a chunk whose actor died goes to another one (the actor is
    left out from then on); `check(taken)`: refuses, before any chunk is sent, shared values
    that do not fit their parameters (None: the chunks find out)."""

    label: str
    params: Optional[Params]
    loop: Optional[MapLoop]
    slots: int
    submit: Callable[[Sequence[Any], Any, Sequence[Any]], Tuple[Any, Optional[int]]]
    cancellable: bool = True
    check: Optional[Callable[[Taken], None]] = None
    actors: List[Any] = field(default_factory=list)
    live: List[bool] = field(default_factory=list)
    in_flight: List[int] = field(default_factory=list)

    def done(self, actor: Optional[int]) -> None:
        if actor is not None:
            self.in_flight[actor] -= 1

    def lost(self, actor: Optional[int]) -> bool:
        """The chunk's actor died: leave it out; True when another actor can take the chunk."""
        if actor is None:
            return False
        self.in_flight[actor] -= 1
        self.live[actor] = False
        return any(self.live)


def _cpus() -> float:
    try:
        return float(ray.cluster_resources().get("CPU", 1.0))
    except Exception:  # noqa: BLE001 (Ray not up yet: one slot; .remote then starts it)
        return 1.0


def _task_slots(options: Dict[str, Any]) -> int:
    cpus = options.get("num_cpus", 1)
    if not isinstance(cpus, (int, float)) or cpus <= 0:
        return max(1, int(_cpus()))
    return max(1, int(_cpus() / cpus))


def _require_ray(label: str) -> None:
    """A map needs a running Ray: goray.map never starts one itself (which would be a Ray
    without goray's library, loopback binding and settings)."""
    if not ray.is_initialized():
        raise RuntimeError(f"goray.map({label}): Ray is not initialized: call "
                           "goray.init(library, ...) first")


def _python_params(function: Any) -> Optional[Params]:
    """A Python function's parameters as goray names them (for keywords), None when its
    signature cannot be read."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    params = []
    for parameter in signature.parameters.values():
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            break
        has_default = parameter.default is not parameter.empty
        params.append(Param(parameter.name, has_default,
                            parameter.default if has_default else NOT_CONSTANT))
    return tuple(params)


def _native_task(name: str, options: Dict[str, Any]) -> Target:
    _require_ray(name)
    library = _ffi.loaded_library()
    loop = _traits.task_map(library, name) if library is not None else None
    params = _traits.task_params(library, name) if library is not None else None
    if library is not None and _traits.task_streams(library, name):
        raise TypeError(f"goray.map({name}): task {name} streams (returns goray::Generator<T>); "
                        "map takes a task that returns its result")
    ray_options = with_goray_env(split_options({"name": f"goray.map:{name}", **options},
                                               streaming=False))
    remote = map_chunks.task_chunk_function().options(**ray_options)

    def submit(header: Sequence[Any], columns: Any,
               shared: Sequence[Any]) -> Tuple[Any, Optional[int]]:
        return remote.remote(name, header, columns, *shared), None

    check = (_shared_check(library, name, params)
             if library is not None and loop is not None else None)
    return Target(name, params, loop, _task_slots(options), submit, check=check)


def _shared_check(library: Any, name: str, params: Optional[Params]) -> Callable[[Taken], None]:
    """The check of a native task's shared values: its map loop over no items, in this
    process (each shared value decoded as a chunk decodes it; no item runs), whose
    ArgumentError is raised naming the parameter."""

    def check(taken: Taken) -> None:
        shared = [value for value, column in zip(taken.values, taken.columns) if not column]
        if not shared or any(_holds_ref(value) for value in shared):
            return  # (Ray resolves a ref where the chunk runs: only the chunk can check it)
        try:
            map_chunks.check_shared(library, name, list(taken.columns), taken.values)
        except ArgumentError as error:
            raise _shared_error(name, params, taken, error) from None

    return check


def _shared_error(name: str, params: Optional[Params], taken: Taken,
                  error: ArgumentError) -> ArgumentError:
    position = error.position
    if position is None or position >= len(taken.columns) or taken.columns[position]:
        return error
    parameter = (f"parameter {position} ({params[position].name})"
                 if params is not None and position < len(params) else f"parameter {position}")
    value = taken.values[position]
    return ArgumentError(name, position, error.expected, error.received,
                         message=f"goray.map({name}): the value every item shares for "
                         f"{parameter} does not fit: expected {error.expected}, received "
                         f"{error.received} ({_short(value)}); nothing was sent")


def _holds_ref(value: Any) -> bool:
    """Whether a shared value is an ObjectRef or a list, tuple or dict that holds one."""
    if isinstance(value, ray.ObjectRef):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(item, ray.ObjectRef) for item in value)
    if isinstance(value, dict):
        return any(isinstance(item, ray.ObjectRef) for item in value.values())
    return False


#: Values no number parameter decodes, whatever its type (a method's shared values can
#: only be checked so in the driver: its loop needs the actor's instance).
_NOT_A_NUMBER = (str, bytes, bytearray, list, tuple, dict, type(None))


def _number_check(label: str, params: Optional[Params],
                  loop: MapLoop) -> Callable[[Taken], None]:
    """The check of a native method's shared values for its number parameters (those of a
    dtype): a str, bytes, sequence, dict or None is refused before any chunk is sent."""

    def check(taken: Taken) -> None:
        for position, (value, column) in enumerate(zip(taken.values, taken.columns)):
            code = loop.columns[position] if position < len(loop.columns) else ""
            if column or not code or not isinstance(value, _NOT_A_NUMBER):
                continue
            import numpy
            expected = "a bool" if code == "b1" else f"a number ({numpy.dtype(code).name})"
            received = type(value).__name__
            raise _shared_error(label, params, taken,
                                ArgumentError(label, position, expected, received))

    return check


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def python_target(function: Any, options: Optional[Dict[str, Any]] = None) -> Target:
    """A Python function (a plain one, a @ray.remote one with its options, or the name of
    one registered with @goray.remote / @goray.local) item by item in chunks."""
    options = dict(options or {})
    target = function
    if hasattr(function, "_function") and hasattr(function, "_default_options"):
        options = {**(function._default_options or {}), **options}
        target = function._function
    label = function if isinstance(function, str) else getattr(target, "__name__", repr(target))
    _require_ray(str(label))
    options.setdefault("name", f"goray.map:{label}")
    remote = map_chunks.python_chunk_function().options(**with_goray_env(options))

    def submit(header: Sequence[Any], columns: Any,
               shared: Sequence[Any]) -> Tuple[Any, Optional[int]]:
        return remote.remote(target, header, columns, *shared), None

    params = None if isinstance(target, str) else _python_params(target)
    return Target(str(label), params, None, _task_slots(options), submit)


def _actor_facts(handle: Any, method: str) -> Tuple[str, Optional[Params], Optional[MapLoop]]:
    native = native_methods_of(handle)
    if native is None:
        return method, None, None
    type_name, methods = native
    if method not in methods:
        raise AttributeError(f"goray.map: native actor type {type_name} has no method "
                             f"{method!r}; its methods: {', '.join(sorted(methods))}")
    library = _ffi.loaded_library()
    if library is None:
        return f"{type_name}.{method}", None, None
    if method in _traits.actor_traits(library, type_name).streams:
        raise TypeError(f"goray.map({type_name}.{method}): the method streams (returns "
                        "goray::Generator<T>); map takes a method that returns its result")
    return (f"{type_name}.{method}", _traits.method_params(library, type_name, method),
            _traits.method_map(library, type_name, method))


def pool_target(handles: Sequence[Any], method: str, per_actor: int) -> Target:
    """`method` of every actor in `handles`, each chunk to the live actor with the fewest
    in flight (at most `per_actor` each: a threaded actor runs that many at once)."""
    if not handles:
        raise ValueError("goray.ActorPool needs at least one actor handle")
    _require_ray(method)
    label, params, loop = _actor_facts(handles[0], method)
    target = Target(label, params, loop, len(handles) * per_actor, lambda h, c, s: (None, None),
                    cancellable=True, actors=list(handles), live=[True] * len(handles),
                    in_flight=[0] * len(handles),
                    check=_number_check(label, params, loop) if loop is not None else None)

    def submit(header: Sequence[Any], columns: Any,
               shared: Sequence[Any]) -> Tuple[Any, Optional[int]]:
        candidates = [index for index, live in enumerate(target.live) if live]
        actor = min(candidates, key=lambda index: target.in_flight[index])
        target.in_flight[actor] += 1
        ref = target.actors[actor].__ray_call__.remote(map_chunks.actor_chunk, method, header,
                                                       columns, *shared)
        return ref, actor

    target.submit = submit
    return target


def target_of(callee: Any) -> Target:
    """The Target of what goray.map was given."""
    if isinstance(callee, Target):
        return callee
    made = getattr(type(callee), "_remote_object", None)  # a generated stub (goray._stubs.Task)
    if made is not None and getattr(type(callee), "_kind", "") == "task":
        callee = callee._remote_object()
    if isinstance(callee, _native_remote.NativeTask):
        return _native_task(callee.name, callee._options)
    if isinstance(callee, str):
        return _native_task(callee, {})
    if type(callee).__name__ == "ActorMethod" and hasattr(callee, "_method_name"):
        handle = internals.method_actor(callee)
        if handle is None:
            raise ValueError("goray.map: the actor method's handle is gone")
        return pool_target([handle], callee._method_name, 2)
    if callable(callee):
        return python_target(callee)
    raise TypeError(f"goray.map takes a native task (a generated stub such as mymod.Score, "
                    f"goray.golang_task(name) or its name), an actor method (handle.Method) or "
                    f"a Python function; got {type(callee).__name__}")
