"""Prepared Ray submissions: with goray._ray.values.reads (native readers' gets), the
modules of goray that use Ray below its public API.

A submitter is made once per remote function (or actor method) and option set. It
works out what Ray's ``RemoteFunction._remote`` / ``ActorMethod._remote`` derive from
those options (resources, retries, names, defaults) once, and then submits each call
with ``core_worker.submit_task`` / ``submit_actor_task`` directly, which is what those
methods end with, passing the arguments in the order this Ray's own call passes them
(goray._ray.compat.internals reads it from Ray's source: 15 to 18 arguments between 2.40 and
2.60). What cannot be worked out once, exactly as Ray would, takes Ray's
public ``.options(**o).remote(...)`` for every call: placement groups (named in a
scheduling strategy or captured from the caller's group), runtime_env, generators and
streaming returns, tensor transports, tracing, Ray Client, a task launch hook, and the
first call of a remote function in a job (Ray exports the function then). So does every
call on a Ray whose call goray does not know (internals.paths), and every call with
GORAY_RAY_INTERNALS=0.

Tests: tests/python/test_submit_batch.py, tests/ray/test_submit_batch_ray.py,
tests/python/test_ray_layer.py, tests/python/test_ray_releases.py,
tests/ray/test_ray_internals.py
"""

from __future__ import annotations

import inspect
import json
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import ray

from ..compat import internals, releases

__all__ = ["ENV", "enabled", "task_submitter",
           "method_submitter", "PublicTask", "PublicMethod", "prepared", "cached", "actor_method",
           "cached_actor_method", "forget_actor", "forget_options"]

#: Set to 0 to submit through Ray's public API only.
ENV = internals.ENV


def _helpers() -> Any:
    helpers = internals.submit_helpers()
    assert helpers is not None
    return helpers


def enabled() -> bool:
    """True when prepared submissions of tasks may go below the public API (read at
    each prepare, so tests can switch it)."""
    return (internals.speed_paths_on() and internals.submit_helpers() is not None
            and internals.task_order() is not None)


def _methods_enabled() -> bool:
    understood, _trigger = internals.tensor_transfer()
    return (internals.speed_paths_on() and internals.submit_helpers() is not None
            and internals.method_order() is not None and understood)


def _public_path() -> bool:
    """Per-call conditions under which Ray's public path must run: tracing adds a
    span context, Ray Client converts the call, a launch hook wants to see it."""
    helpers = _helpers()
    return bool(helpers.tracing._is_tracing_enabled()
                or helpers.client_mode.client_mode_should_convert()
                or helpers.remote_function._task_launch_hook)


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


def _in_ray_order(order: Tuple[str, ...], values: Dict[str, Any]) -> List[Any]:
    """The arguments of a core worker call in this Ray's order (the per-call ones, such
    as "args", are filled at each call)."""
    return [values.get(key) for key in order]


def _with_args(template: List[Any], args_at: int, dummy: Any, args: Sequence[Any]) -> List[Any]:
    """A submission's values: `template` with Ray's flat list of positional arguments (each
    after Ray's marker of a positional argument, `dummy`) at `args_at`."""
    list_args: List[Any] = []
    for arg in args:
        list_args += (dummy, arg)
    values = template.copy()
    values[args_at] = list_args
    return values


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

    __slots__ = ("_function", "_public", "_template", "_args_at", "_descriptor_at",
                 "_breakpoint_at", "_capture", "_least", "_most", "_exported_for", "_dummy")
    internal = True

    def __init__(self, function: Any, public: Any, fixed: Dict[str, Any], capture: Optional[bool],
                 order: Tuple[str, ...]) -> None:
        self._function = function
        self._public = public
        self._template = _in_ray_order(order, fixed)
        self._args_at = order.index("args")
        self._descriptor_at = order.index("descriptor")
        self._breakpoint_at = order.index("breakpoint") if "breakpoint" in order else -1
        # The placement group capture option when no scheduling strategy is given
        # (None: the caller's context decides, per call); False when a strategy is.
        self._capture = capture
        self._least, self._most = _arity(list(inspect.signature(function._function).parameters.values()))
        # (core worker, node) ids for which the function was seen exported: a new job
        # (ray.init again) has new ones, and Ray exports the function again. Ids, not
        # the objects: a submitter must not keep a shut down worker alive.
        self._exported_for: Any = None
        self._dummy = _helpers().dummy

    def remote(self, *args: Any) -> Any:
        worker = _helpers().worker.global_worker
        function = self._function
        connection = (id(worker.core_worker), id(worker.node))
        if connection != self._exported_for:
            if function._last_export_cluster_and_job != worker.current_cluster_and_job:
                return self._public.remote(*args)  # Ray exports the function first
            self._exported_for = connection
        if not self._least <= len(args) <= self._most or _public_path():
            return self._public.remote(*args)  # Ray's TypeError for the arguments, ...
        capture = self._capture
        if capture is None:
            capture = worker.should_capture_child_tasks_in_placement_group
        if capture:  # the caller's placement group, if any: Ray's own path
            return self._public.remote(*args)
        worker.check_connected()
        values = _with_args(self._template, self._args_at, self._dummy, args)
        # Ray makes a new descriptor when it exports the function for a new job.
        values[self._descriptor_at] = function._function_descriptor
        if self._breakpoint_at >= 0:
            values[self._breakpoint_at] = worker.debugger_breakpoint
        refs = worker.core_worker.submit_task(*values)
        worker.debugger_breakpoint = b""
        return refs[0] if len(refs) == 1 else refs


def _task_fixed(function: Any, options: Dict[str, Any]) -> Optional[Tuple[Dict[str, Any], Optional[bool]]]:
    """What RemoteFunction._remote derives from `options` (and the function's own
    defaults) for submit_task, by argument key (internals.TASK_ARGUMENTS), with the
    placement group capture option; None when it cannot be derived once."""
    helpers = _helpers()
    option_utils = helpers.option_utils
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
    backpressure = task_options.get("_generator_backpressure_num_objects")
    per_yield = task_options.get("_num_objects_per_yield")
    retry_exceptions = task_options["retry_exceptions"]
    allowlist = None
    if isinstance(retry_exceptions, (list, tuple)):
        allowlist, retry_exceptions = tuple(retry_exceptions), True
    strategy = task_options["scheduling_strategy"]
    if (isinstance(strategy, helpers.pg_strategy) or task_options["placement_group"] != "default"
            or task_options["placement_group_bundle_index"] != -1):
        return None
    capture = task_options["placement_group_capture_child_tasks"] if strategy is None else False
    name = task_options["name"]
    fixed = {
        "language": function._language, "name": name if name is not None else "",
        "num_returns": num_returns, "resources": helpers.resources(task_options),
        "max_retries": task_options["max_retries"], "retry_exceptions": retry_exceptions,
        "allowlist": allowlist, "strategy": "DEFAULT" if strategy is None else strategy,
        "breakpoint": b"",
        "runtime_env_info": function._serialized_base_runtime_env_info or "{}",
        "backpressure": -1 if backpressure is None else backpressure,
        "per_yield": 1 if per_yield is None else per_yield,
        "task_events": task_options.get("enable_task_events"), "labels": task_options.get("_labels"),
        "label_selector": task_options.get("label_selector"),
        "fallback_strategy": task_options.get("fallback_strategy"),
    }
    return fixed, capture


def task_submitter(function: Any, options: Dict[str, Any]) -> Any:
    """A submitter of `function` (a ray.remote function) with `options`: `.remote(*args)`
    returns what ``function.options(**options).remote(*args)`` returns. Options Ray
    refuses raise here, as .options() does (those a later Ray takes, as GorayError)."""
    releases.require_options(options, f"task {getattr(function, '_function_name', function)}")
    public = PublicTask(function, options)
    if not enabled():
        return public
    derived = _task_fixed(function, options)
    if derived is None:
        return public
    order = internals.task_order()
    assert order is not None
    return _Task(function, public, derived[0], derived[1], order)


class PublicMethod:
    """An actor method with options, submitted through Ray's public API."""

    __slots__ = ("_remote",)
    internal = False

    def __init__(self, handle: Any, method: str, options: Dict[str, Any]) -> None:
        bound = getattr(handle, method)
        self._remote = bound.options(**options) if options else bound

    def remote(self, *args: Any) -> Any:
        return self._remote.remote(*args)


class _Method:
    """An actor method with options, submitted with core_worker.submit_actor_task."""

    __slots__ = ("_handle", "_public", "_template", "_args_at", "_least", "_most", "_dummy",
                 "_trigger")
    internal = True

    def __init__(self, handle: Any, public: PublicMethod, fixed: Dict[str, Any],
                 arity: Tuple[int, float], order: Tuple[str, ...],
                 trigger: Optional[Tuple[str, str]]) -> None:
        self._handle = handle
        self._public = public
        self._template = _in_ray_order(order, fixed)
        self._args_at = order.index("args")
        self._least, self._most = arity
        self._dummy = _helpers().dummy
        # What Ray calls first when refs are among the arguments (a ref made by a
        # tensor-transport method moves its tensors), as (worker attribute, method).
        self._trigger = trigger

    def remote(self, *args: Any) -> Any:
        if not self._least <= len(args) <= self._most or _public_path():
            return self._public.remote(*args)
        worker = _helpers().worker.global_worker
        trigger = self._trigger
        if trigger is not None and any(type(arg) is ray.ObjectRef for arg in args):
            getattr(getattr(worker, trigger[0]), trigger[1])(self._handle, args)
        values = _with_args(self._template, self._args_at, self._dummy, args)
        refs = worker.core_worker.submit_actor_task(*values)
        if len(refs) == 1:
            return refs[0]
        return refs or None


def _method_fixed(handle: Any, method: Any, descriptor: Any,
                  options: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """What ActorMethod._remote and ActorHandle._actor_method_call derive from
    `options` and the method's defaults, by argument key (internals.METHOD_ARGUMENTS);
    None when they cannot be derived once."""
    if set(options) - internals.method_options() or method._decorator is not None or method._is_generator:
        return None
    if not internals.has_no_transport(method) or options.get("tensor_transport") is not None:
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
    per_yield = getattr(method, "_num_objects_per_yield", None)
    group = options.get("concurrency_group")
    return {
        "language": handle._ray_actor_language, "actor_id": handle._ray_actor_id,
        "descriptor": descriptor, "name": options.get("name", ""), "num_returns": num_returns,
        "max_retries": retries, "retry_exceptions": retry_exceptions, "allowlist": allowlist,
        "method_cpus": handle._ray_actor_method_cpus,
        "group": group if group is not None else b"",
        "backpressure": -1 if backpressure is None else backpressure,
        "per_yield": 1 if per_yield is None else per_yield, "task_events": task_events,
        "transport": internals.transport_argument("transport"),
        "transport_value": internals.transport_argument("transport_value"),
        "labels": options.get("_labels"),
    }


def method_submitter(handle: Any, method: str, options: Dict[str, Any]) -> Any:
    """A submitter of `handle`.`method` with `options`: `.remote(*args)` returns what
    ``handle.method.options(**options).remote(*args)`` returns. An unknown method
    raises AttributeError, options Ray refuses raise here, as there (those a later Ray
    takes, as GorayError)."""
    releases.require_options(options, f"method {method}")
    public = PublicMethod(handle, method, options)
    if not _methods_enabled() or handle._ray_is_cross_language:
        return public
    bound = getattr(handle, method)
    per_yield_option = _helpers().option_utils.task_options.get("_num_objects_per_yield")
    if per_yield_option is not None:  # (2.57 on) Ray checks it at every call
        per_yield_option.validate("_num_objects_per_yield", bound._num_objects_per_yield)
    descriptor = handle._ray_function_descriptor.get(method)
    signature = handle._ray_method_signatures.get(method)
    if descriptor is None or signature is None:
        return public
    fixed = _method_fixed(handle, bound, descriptor, options)
    if fixed is None:
        return public
    order = internals.method_order()
    assert order is not None
    return _Method(handle, public, fixed, _arity(signature), order, internals.tensor_transfer()[1])


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
