"""goray.serve.deployment and goray.serve.handle: a C++ actor type as a Ray Serve
deployment whose replicas make the C++ object in their own process (_replica), and a
composing deployment's handle typed for checkers. Every Serve option passes through to
serve.deployment.

Tests: tests/python/test_serve_values.py, tests/ray/test_serve.py,
tests/renderers/test_gen_typecheck.py, tests/renderers/test_gen_user_typing.py
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Protocol, Tuple, TypeVar, Union, overload

from .._ray.worker import crashes as _crashes
from ..errors import GorayError
from ._replica import HOOKS, Batch, ReplicaSpec, replica_class

# A C++ exception through a DeploymentHandle (this process's Ray reading a replica's
# error) reads with its type and message first, Ray's text after (_ray/worker/task_errors.py).
_crashes.install()

__all__ = ["deployment", "handle", "ServeTyped", "DEFAULT_MAX_BODY_BYTES"]

_D = TypeVar("_D", covariant=True)
_H = TypeVar("_H", covariant=True)


class ServeTyped(Protocol[_D, _H]):
    """For type checkers: a generated module's actor class (its .pyi declares
    __goray_serve__), whose deployment and Serve handle types deployment() and handle()
    return."""

    @property
    def __goray_serve__(self) -> Tuple[_D, _H]: ...

DEFAULT_MAX_BODY_BYTES = 64 << 20
"""The largest HTTP request body a deployment reads unless max_body_bytes says otherwise."""

BatchSpec = Union[Batch, Mapping[str, Any], bool]


def _serve() -> Any:
    try:
        from ray import serve
    except ImportError as error:
        raise GorayError("goray.serve needs Ray Serve, which is not installed here "
                         f"({error}): pip install 'goray-cpp[serve]'") from None
    return serve


def _type_name(actor_class: Any) -> str:
    """The C++ actor type a deployment serves: a generated module's actor class
    (scoring.Scorer), goray.golang_actor_class(...) or the type's name."""
    name: Any = actor_class
    if not isinstance(actor_class, str):
        name = getattr(actor_class, "_name", None)
        if not isinstance(name, str) or not hasattr(actor_class, "remote"):
            raise GorayError("goray.serve.deployment takes a C++ actor type: a generated "
                             "module's class (scoring.Scorer), goray.golang_actor_class(name) "
                             f"or the type's name; received {type(actor_class).__name__}")
    if not name or not name.isidentifier():
        raise GorayError(f"goray.serve.deployment: {name!r} is not a C++ actor type's name")
    return name


def _batched(batch: Optional[Mapping[str, BatchSpec]]) -> Tuple[Tuple[str, Batch], ...]:
    if batch is None:
        return ()
    if not isinstance(batch, Mapping):
        raise GorayError("goray.serve.deployment: batch= maps method names to "
                         f"goray.serve.Batch(...) (or True, or a dict), not {type(batch).__name__}")
    chosen = []
    for method, given in batch.items():
        if given is True:
            given = Batch()
        elif isinstance(given, Mapping):
            try:
                given = Batch(**given)
            except TypeError as error:
                raise GorayError(f"goray.serve.deployment: batch[{method!r}]: {error}") from None
        elif not isinstance(given, Batch):
            raise GorayError(f"goray.serve.deployment: batch[{method!r}] is a "
                             f"{type(given).__name__}; give goray.serve.Batch(...), True or a dict")
        chosen.append((str(method), given))
    return tuple(chosen)


def _with_library(ray_actor_options: Optional[Mapping[str, Any]], library: Optional[str]) -> Dict[str, Any]:
    """ray_actor_options whose runtime_env holds goray's variables for the replicas: the
    library (`library`, else $GORAY_BIN_PATH, as goray.init sets it) and the py-defs
    file, over the caller's of the same names."""
    from .._ray.submission.options import merge_goray_env
    path = library if library is not None else os.environ.get("GORAY_BIN_PATH", "")
    if not path:
        raise GorayError("goray.serve.deployment: which library? Pass library='path/to/libapp.so' "
                         "or call goray.init(library) first (its GORAY_BIN_PATH is used)")
    if library is not None and not os.path.isabs(path) and os.path.exists(path):
        path = os.path.abspath(path)  # the replicas' working folder is not the driver's
    return merge_goray_env(dict(ray_actor_options or {}), bin_path=path)


def _check_in_driver(spec: ReplicaSpec, path: str) -> None:
    """When this process has the replicas' library (`path`) loaded, the type, batched
    methods and hooks are checked here, before Serve starts replicas that would fail
    the same way."""
    from .. import _ffi, _traits
    from ..errors import UnknownNameError
    library = _ffi.loaded_library()
    if library is None or os.path.realpath(str(library.path)) != os.path.realpath(path):
        return
    app = _traits.app_traits(library)
    if not app.described:
        return
    if spec.type_name not in app.actors:
        raise UnknownNameError("actor type", spec.type_name, sorted(app.actors))
    methods = app.actors[spec.type_name].methods
    for method, _ in spec.batched:
        if method not in methods:
            raise UnknownNameError("method", method, sorted(methods),
                                   message=f"goray.serve.deployment: batch names {method!r}, "
                                           f"which {spec.type_name} does not have; its methods: "
                                           f"{', '.join(sorted(methods))}")
    for hook in HOOKS:
        spec.hook(hook, methods)


@overload
def deployment(actor_class: ServeTyped[_D, Any], /, *, library: Optional[str] = None,
               batch: Optional[Mapping[str, BatchSpec]] = None,
               reconfigure: Optional[str] = None, check_health: Optional[str] = None,
               max_body_bytes: int = ..., **options: Any) -> _D: ...


@overload
def deployment(actor_class: Any, /, *, library: Optional[str] = None,
               batch: Optional[Mapping[str, BatchSpec]] = None,
               reconfigure: Optional[str] = None, check_health: Optional[str] = None,
               max_body_bytes: int = ..., **options: Any) -> Any: ...


def deployment(actor_class: Any, /, *, library: Optional[str] = None,
               batch: Optional[Mapping[str, BatchSpec]] = None,
               reconfigure: Optional[str] = None, check_health: Optional[str] = None,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, **options: Any) -> Any:
    """A Serve deployment of C++ actor type `actor_class` (a ray.serve Deployment:
    .bind(constructor arguments) makes the application).

    library: the shared library (default: goray.init's, $GORAY_BIN_PATH), put in the
        replicas' runtime_env. batch: method name -> goray.serve.Batch, for methods that
        take a vector and return one result per element. reconfigure / check_health:
        the C++ methods behind Serve's hooks (default Reconfigure / CheckHealth when the
        class has them; "" for none). max_body_bytes: the largest HTTP body read.
        Every other keyword is serve.deployment's (num_replicas, autoscaling_config,
        user_config, max_ongoing_requests, ray_actor_options, health_check_period_s,
        graceful_shutdown_timeout_s, ...); name defaults to the C++ type's."""
    serve = _serve()
    if not isinstance(max_body_bytes, int) or max_body_bytes < 1:
        raise GorayError(f"goray.serve.deployment: max_body_bytes must be a positive int, "
                         f"not {max_body_bytes!r}")
    for hook, given in (("reconfigure", reconfigure), ("check_health", check_health)):
        if given is not None and not isinstance(given, str):
            raise GorayError(f"goray.serve.deployment: {hook}= names a C++ method (a str, "
                             f"or '' for none), not {type(given).__name__}")
    spec = ReplicaSpec(_type_name(actor_class), _batched(batch),
                       (("reconfigure", reconfigure), ("check_health", check_health)),
                       max_body_bytes)
    options.setdefault("name", spec.type_name)
    options["ray_actor_options"] = _with_library(options.get("ray_actor_options"), library)
    _check_in_driver(spec, options["ray_actor_options"]["runtime_env"]["env_vars"]["GORAY_BIN_PATH"])
    return serve.deployment(replica_class(spec), **options)


@overload
def handle(actor_class: ServeTyped[Any, _H], deployment_handle: Any, /) -> _H: ...


@overload
def handle(actor_class: Any, deployment_handle: Any, /) -> Any: ...


def handle(actor_class: Any, deployment_handle: Any, /) -> Any:
    """`deployment_handle` (a DeploymentHandle to a deployment of `actor_class`, as a
    composing deployment's constructor receives it), typed for checkers as the generated
    module's Serve handle: its methods' arguments and results are the C++ signatures'.
    Returns the handle itself."""
    _type_name(actor_class)
    return deployment_handle

