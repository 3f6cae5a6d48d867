"""Prepared Ray submissions: with goray._ray.reads (native readers' gets), the
modules of goray that use Ray below its public API.

A submitter is made once per remote function (or actor method) and option set. It
works out what Ray's ``RemoteFunction._remote`` / ``ActorMethod._remote`` derive from
those options (resources, retries, names, defaults) once, and then submits each call
with ``core_worker.submit_task`` / ``submit_actor_task`` directly, which is what those
methods end with. What cannot be worked out once, exactly as Ray would, takes Ray's
public ``.options(**o).remote(...)`` for every call: placement groups (named in a
scheduling strategy or captured from the caller's group), runtime_env, generators and
streaming returns, tensor transports, tracing, Ray Client, a task launch hook, and the
first call of a remote function in a job (Ray exports the function then).

Written for Ray 2.60.x (checked at import): with any other Ray, or with
GORAY_RAY_INTERNALS=0, every submitter is the public path.
"""

from __future__ import annotations

import inspect
import json
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import ray

__all__ = ["ENV", "SUPPORTED_VERSIONS", "supported", "enabled", "task_submitter",
           "method_submitter", "PublicTask", "PublicMethod", "prepared", "cached", "actor_method",
           "cached_actor_method", "forget_actor", "forget_options"]

#: Set to 0 to submit through Ray's public API only.
ENV = "GORAY_RAY_INTERNALS"
#: The Ray releases (version prefixes) this module mirrors.
SUPPORTED_VERSIONS: Tuple[str, ...] = ("2.60.",)


def supported(version: str) -> bool:
    """True for a Ray version whose internals this module was written against."""
    return any(version.startswith(prefix) for prefix in SUPPORTED_VERSIONS)


def _load() -> Optional[Dict[str, Any]]:
    """Ray's internals used below, or None (unsupported version, or a name missing)."""
    if not supported(ray.__version__):
        return None
    try:
        from ray import remote_function
        from ray._common import ray_option_utils, signature
        from ray._common.utils import resources_from_ray_options
        from ray._private import client_mode_hook, worker
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy
        from ray.util.tracing import tracing_helper
    except ImportError:
        return None
    return {"remote_function": remote_function, "option_utils": ray_option_utils,
            "dummy": signature.DUMMY_TYPE, "resources": resources_from_ray_options,
            "client_mode": client_mode_hook, "worker": worker,
            "pg_strategy": PlacementGroupSchedulingStrategy, "tracing": tracing_helper}


_RAY = _load()


def enabled() -> bool:
    """True when prepared submissions go below the public API (read at each prepare,
    so tests can switch it)."""
    return _RAY is not None and os.environ.get(ENV, "1") != "0"


def _public_path() -> bool:
    """Per-call conditions under which Ray's public path must run: tracing adds a
    span context, Ray Client converts the call, a launch hook wants to see it."""
    assert _RAY is not None
    return bool(_RAY["tracing"]._is_tracing_enabled()
                or _RAY["client_mode"].client_mode_should_convert()
                or _RAY["remote_function"]._task_launch_hook)


def _arity(parameters: Sequence[inspect.Parameter]) -> Tuple[int, float]:
    """(least, most) positional arguments a call without keywords may pass (Ray's
    validate_args, worked out once); (1, 0) when no such call fits."""
    least, most = 0, 0.0
    for parameter in parameters:
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            most += 1
            if parameter.default is parameter.empty:
                least += 1
        elif parameter.kind == parameter.VAR_POSITIONAL:
            most = float("inf")
        elif parameter.kind == parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
            return 1, 0.0
    return least, most


class PublicTask:
    """A remote function with options, submitted through Ray's public API."""

    __slots__ = ("_remote",)
    internal = False

    def __init__(self, function: Any, options: Dict[str, Any]) -> None:
        self._remote = function.options(**options) if options else function

    def remote(self, *args: Any) -> Any:
        return self._remote.remote(*args)


class _Task:
    """A remote function with options, submitted with core_worker.submit_task."""

    __slots__ = ("_function", "_public", "_fixed", "_capture", "_least", "_most", "_exported_for")
    internal = True

    def __init__(self, function: Any, public: Any, fixed: Tuple[Any, ...],
                 capture: Optional[bool]) -> None:
        self._function = function
        self._public = public
        self._fixed = fixed  # (name, num_returns, resources, max_retries, ...)
        # The placement group capture option when no scheduling strategy is given
        # (None: the caller's context decides, per call).
        self._capture = capture
        self._least, self._most = _arity(list(inspect.signature(function._function).parameters.values()))
        # (core worker, node) ids for which the function was seen exported: a new job
        # (ray.init again) has new ones, and Ray exports the function again. Ids, not
        # the objects: a submitter must not keep a shut down worker alive.
        self._exported_for: Any = None

    def remote(self, *args: Any) -> Any:
        assert _RAY is not None
        worker = _RAY["worker"].global_worker
        function = self._function
        connection = (id(worker.core_worker), id(worker.node))
        if connection != self._exported_for:
            if function._last_export_cluster_and_job != worker.current_cluster_and_job:
                return self._public.remote(*args)  # Ray exports the function first
            self._exported_for = connection
        if not self._least <= len(args) <= self._most or _public_path():
            return self._public.remote(*args)  # Ray's TypeError for the arguments, ...
        (name, num_returns, resources, max_retries, retry_exceptions, allowlist, strategy,
         runtime_env_info, backpressure, per_yield, task_events, labels, label_selector,
         fallback) = self._fixed
        if strategy is None:
            capture = self._capture
            if capture is None:
                capture = worker.should_capture_child_tasks_in_placement_group
            if capture:  # the caller's placement group, if any: Ray's own path
                return self._public.remote(*args)
            strategy = "DEFAULT"
        worker.check_connected()
        dummy = _RAY["dummy"]
        list_args: List[Any] = []
        for arg in args:
            list_args += (dummy, arg)
        refs = worker.core_worker.submit_task(
            function._language, function._function_descriptor, list_args, name, num_returns,
            resources, max_retries, retry_exceptions, allowlist, strategy,
            worker.debugger_breakpoint, runtime_env_info, backpressure, per_yield, task_events,
            labels, label_selector, fallback)
        worker.debugger_breakpoint = b""
        return refs[0] if len(refs) == 1 else refs


def _task_fixed(function: Any, options: Dict[str, Any]) -> Optional[Tuple[Tuple[Any, ...], Optional[bool]]]:
    """What RemoteFunction._remote derives from `options` (and the function's own
    defaults) for submit_task, in its order; None when it cannot be derived once."""
    assert _RAY is not None
    option_utils = _RAY["option_utils"]
    if (function._is_cross_language or function._is_generator or function._decorator is not None
            or "runtime_env" in options or function._default_options.get("runtime_env")):
        return None
    defaults = dict(function._default_options)
    defaults.pop("max_calls", None)
    task_options = option_utils.update_options(defaults, options)
    for key, option in option_utils.task_options.items():
        if key == "max_retries":
            default = int(os.environ.get("RAY_TASK_MAX_RETRIES", option.default_value))
        else:
            default = option.default_value
        task_options[key] = task_options.get(key, default)
    task_options.pop("max_calls", None)
    num_returns = task_options["num_returns"]
    if num_returns is None:
        num_returns = 1
    if not isinstance(num_returns, int) or isinstance(num_returns, bool):
        return None  # "dynamic", "streaming"
    backpressure = task_options["_generator_backpressure_num_objects"]
    per_yield = task_options["_num_objects_per_yield"]
    retry_exceptions = task_options["retry_exceptions"]
    allowlist = None
    if isinstance(retry_exceptions, (list, tuple)):
        allowlist, retry_exceptions = tuple(retry_exceptions), True
    strategy = task_options["scheduling_strategy"]
    if (isinstance(strategy, _RAY["pg_strategy"]) or task_options["placement_group"] != "default"
            or task_options["placement_group_bundle_index"] != -1):
        return None
    name = task_options["name"]
    fixed = (name if name is not None else "", num_returns, _RAY["resources"](task_options),
             task_options["max_retries"], retry_exceptions, allowlist, strategy,
             function._serialized_base_runtime_env_info or "{}",
             -1 if backpressure is None else backpressure, 1 if per_yield is None else per_yield,
             task_options.get("enable_task_events"), task_options.get("_labels"),
             task_options.get("label_selector"), task_options.get("fallback_strategy"))
    return fixed, task_options["placement_group_capture_child_tasks"]


def task_submitter(function: Any, options: Dict[str, Any]) -> Any:
    """A submitter of `function` (a ray.remote function) with `options`: `.remote(*args)`
    returns what ``function.options(**options).remote(*args)`` returns. Options Ray
    refuses raise here, as .options() does."""
    public = PublicTask(function, options)
    if not enabled():
        return public
    derived = _task_fixed(function, options)
    if derived is None:
        return public
    return _Task(function, public, *derived)


class PublicMethod:
    """An actor method with options, submitted through Ray's public API."""

    __slots__ = ("_remote",)
    internal = False

    def __init__(self, handle: Any, method: str, options: Dict[str, Any]) -> None:
        bound = getattr(handle, method)
        self._remote = bound.options(**options) if options else bound

    def remote(self, *args: Any) -> Any:
        return self._remote.remote(*args)


#: The keyword arguments of ActorMethod._remote that are mirrored (others: public path).
_METHOD_OPTIONS = frozenset({"name", "num_returns", "max_task_retries", "retry_exceptions",
                             "concurrency_group", "_generator_backpressure_num_objects",
                             "enable_task_events", "_labels"})


class _Method:
    """An actor method with options, submitted with core_worker.submit_actor_task."""

    __slots__ = ("_handle", "_public", "_fixed", "_descriptor", "_least", "_most")
    internal = True

    def __init__(self, handle: Any, public: PublicMethod, descriptor: Any, fixed: Tuple[Any, ...],
                 arity: Tuple[int, float]) -> None:
        self._handle = handle
        self._public = public
        self._descriptor = descriptor
        self._fixed = fixed
        self._least, self._most = arity

    def remote(self, *args: Any) -> Any:
        assert _RAY is not None
        if not self._least <= len(args) <= self._most or _public_path():
            return self._public.remote(*args)
        worker = _RAY["worker"].global_worker
        handle = self._handle
        if any(type(arg) is ray.ObjectRef for arg in args):
            # A ref made by a tensor-transport method moves its tensors first.
            worker.rdt_manager.queue_or_trigger_out_of_band_tensor_transfer(handle, args)
        dummy = _RAY["dummy"]
        list_args: List[Any] = []
        for arg in args:
            list_args += (dummy, arg)
        (name, num_returns, retries, retry_exceptions, allowlist, group, backpressure,
         per_yield, task_events, labels) = self._fixed
        refs = worker.core_worker.submit_actor_task(
            handle._ray_actor_language, handle._ray_actor_id, self._descriptor, list_args, name,
            num_returns, retries, retry_exceptions, allowlist, handle._ray_actor_method_cpus,
            group, backpressure, per_yield, task_events, None, labels)
        if len(refs) == 1:
            return refs[0]
        return refs or None


def _method_fixed(method: Any, options: Dict[str, Any]) -> Optional[Tuple[Any, ...]]:
    """What ActorMethod._remote and ActorHandle._actor_method_call derive from
    `options` and the method's defaults, in submit_actor_task's order; None when they
    cannot be derived once."""
    if set(options) - _METHOD_OPTIONS or method._decorator is not None or method._is_generator:
        return None
    if method._tensor_transport is not None or options.get("tensor_transport") is not None:
        return None
    num_returns = options.get("num_returns")
    if num_returns is None:
        num_returns = method._num_returns
    if not isinstance(num_returns, int) or isinstance(num_returns, bool):
        return None  # "dynamic", "streaming"
    retries = options.get("max_task_retries")
    if retries is None:
        retries = method._max_task_retries
    if retries is None:
        retries = 0
    retry_exceptions = options.get("retry_exceptions")
    if retry_exceptions is None:
        retry_exceptions = method._retry_exceptions
    allowlist = None
    if retry_exceptions is None:
        retry_exceptions = False
    elif isinstance(retry_exceptions, (list, tuple)):
        allowlist, retry_exceptions = tuple(retry_exceptions), True
    if not isinstance(retry_exceptions, bool):
        return None  # Ray asserts: its own message
    task_events = options.get("enable_task_events")
    if task_events is None:
        task_events = method._enable_task_events
    backpressure = options.get("_generator_backpressure_num_objects")
    if backpressure is None:
        backpressure = method._generator_backpressure_num_objects
    per_yield = method._num_objects_per_yield
    group = options.get("concurrency_group")
    return (options.get("name", ""), num_returns, retries, retry_exceptions, allowlist,
            group if group is not None else b"", -1 if backpressure is None else backpressure,
            1 if per_yield is None else per_yield, task_events, options.get("_labels"))


def method_submitter(handle: Any, method: str, options: Dict[str, Any]) -> Any:
    """A submitter of `handle`.`method` with `options`: `.remote(*args)` returns what
    ``handle.method.options(**options).remote(*args)`` returns. An unknown method
    raises AttributeError, options Ray refuses raise here, as there."""
    public = PublicMethod(handle, method, options)
    if not enabled() or handle._ray_is_cross_language:
        return public
    bound = getattr(handle, method)
    assert _RAY is not None
    _RAY["option_utils"].task_options["_num_objects_per_yield"].validate(
        "_num_objects_per_yield", bound._num_objects_per_yield)
    fixed = _method_fixed(bound, options)
    descriptor = handle._ray_function_descriptor.get(method)
    signature = handle._ray_method_signatures.get(method)
    if fixed is None or descriptor is None or signature is None:
        return public
    return _Method(handle, public, descriptor, fixed, _arity(signature))


def describe(submitter: Any) -> str:
    """"internal" or "public": which path a submitter takes (for tests and logs)."""
    return "internal" if getattr(submitter, "internal", False) else "public"



# ---------------------------------------------------------------------------
# Caches of prepared submitters, per remote function or actor method and option set.

_submitters: Dict[Tuple[str, Any], Any] = {}


_SUBMITTERS_LIMIT = 4096


def cached(kind: str, key: Any) -> Any:
    """The submitter :func:`prepared` made for `kind` and option set `key`, or None."""
    return _submitters.get((kind, key))


def prepared(base: Any, kind: str, options: Dict[str, Any], key: Any = None) -> Any:
    """A submitter of remote function `base` with `options` (``.remote(*args)``, as
    ``base.options(**options).remote``), cached by `kind` and `key` (default: the
    options' JSON): Ray's option processing is a large part of a submission's cost,
    and call sites repeat their options. See above."""
    if key is None:
        try:
            key = json.dumps(options, sort_keys=True)
        except TypeError:  # options holding Python objects (scheduling strategies)
            return task_submitter(base, options)
    submitter = _submitters.get((kind, key))
    if submitter is None:
        submitter = task_submitter(base, options)
        if len(_submitters) >= _SUBMITTERS_LIMIT:
            _submitters.clear()
        _submitters[(kind, key)] = submitter
    return submitter


#: Per actor id (in the id store): its method submitters by (method, options key).
_method_submitters: Dict[int, Dict[Tuple[str, Any], Any]] = {}


def actor_method(actor_id: int, handle: Any, method: str, options: Dict[str, Any],
                     key: Any = None) -> Any:
    """A submitter of `handle`.`method` with `options` (see above),
    cached per actor id until :func:`forget_actor`. `key` names the option set
    (default: the options' JSON)."""
    if key is None:
        try:
            key = json.dumps(options, sort_keys=True)
        except TypeError:
            return method_submitter(handle, method, options)
    methods = _method_submitters.get(actor_id)
    if methods is None:
        methods = _method_submitters.setdefault(actor_id, {})
    submitter = methods.get((method, key))
    if submitter is None:
        submitter = methods[(method, key)] = method_submitter(handle, method, options)
    return submitter


def cached_actor_method(actor_id: int, method: str, key: Any) -> Any:
    """The submitter :func:`actor_method` made for these, or None."""
    methods = _method_submitters.get(actor_id)
    return methods.get((method, key)) if methods is not None else None


def forget_actor(actor_id: int) -> None:
    """Drops the submitters of a released actor id (they hold its handle)."""
    _method_submitters.pop(actor_id, None)


def forget_options(key: Any) -> None:
    """Drops the submitters made for option set `key` (defined again, differently)."""
    for cache_key in [k for k in list(_submitters) if k[1] == key]:  # (copies: other threads add)
        _submitters.pop(cache_key, None)
    for methods in list(_method_submitters.values()):
        for cache_key in [k for k in list(methods) if k[1] == key]:
            methods.pop(cache_key, None)
