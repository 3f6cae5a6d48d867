"""The Ray internals goray uses below Ray's public API: each one found once per process by
feature detection, with what it needs of Ray, the Ray releases it was tested on, and the
public path that takes over where a Ray lacks it (docs/install.md, "Which Ray").

Every other module of goray asks this one whether an internal is there; none compares
version strings. Detection looks at Ray itself: whether a name exists, and how Ray's own
Python layer calls its core worker (goray._ray.compat.ray_source reads that call from Ray's
source and maps each argument to one goray knows how to work out). :data:`PATHS` lists
them all, for ``python -m goray --doctor`` and the docs; GORAY_RAY_INTERNALS=0 turns the
speed paths (submissions, reads) off.

Tests: tests/ray/test_ray_internals.py, tests/python/test_ray_releases.py,
tests/python/test_stream_waits.py, tests/python/test_submit_batch.py
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import ray

from . import ray_source

__all__ = ["ENV", "speed_paths_on", "Path", "paths", "task_order", "method_order", "method_options",
           "submit_helpers", "tensor_transfer", "transport_argument", "has_no_transport",
           "method_actor", "method_with_options", "actor_method_names", "install_actor_method_map",
           "get_objects_order", "global_worker", "in_worker", "client_mode", "core_worker_class",
           "running_task_name", "stream_reader", "stream_peek", "ref_callbacks",
           "object_exists", "cancel_flag", "attempt_number", "ray_cancel", "ray_wait",
           "completion_callback",
           "session_dir", "creation_task_id",
           "deserializer_parameters", "address_from_environment", "kv_put", "kv_get",
           "KV_NAMESPACE", "serve_reject_requests", "serve_rejection_known"]

#: Set to 0 to submit and read through Ray's public API only.
ENV = "GORAY_RAY_INTERNALS"


def speed_paths_on() -> bool:
    """False when GORAY_RAY_INTERNALS=0 (read at each call, so tests can switch it)."""
    return os.environ.get(ENV, "1") != "0"


# ---------------------------------------------------------------------------
# Submissions: core_worker.submit_task / submit_actor_task as Ray's own layer calls them.

#: Ray's argument expressions in RemoteFunction._remote's submit_task call, by the key
#: goray._ray.submission.submit fills each with. 2.40-2.46: 15 of them; 2.47 adds label_selector,
#: 2.52 fallback_strategy, 2.57 num_objects_per_yield.
TASK_ARGUMENTS: Dict[str, str] = {
    "self._language": "language",
    "self._function_descriptor": "descriptor",
    "list_args": "args",
    "name if name is not None else ''": "name",
    "num_returns": "num_returns",
    "resources": "resources",
    "max_retries": "max_retries",
    "retry_exceptions": "retry_exceptions",
    "retry_exception_allowlist": "allowlist",
    "scheduling_strategy": "strategy",
    "worker.debugger_breakpoint": "breakpoint",
    "serialized_runtime_env_info or '{}'": "runtime_env_info",
    "generator_backpressure_num_objects": "backpressure",
    "num_objects_per_yield": "per_yield",
    "enable_task_events": "task_events",
    "labels": "labels",
    "label_selector": "label_selector",
    "fallback_strategy": "fallback_strategy",
}

#: The same for ActorHandle._actor_method_call's submit_actor_task. The tensor transport
#: went in as a TensorTransportEnum's value (2.48-2.53, "transport_value") and then as a
#: name or None (2.54 on, "transport"); 2.55 adds labels, 2.57 num_objects_per_yield.
METHOD_ARGUMENTS: Dict[str, str] = {
    "self._ray_actor_language": "language",
    "self._ray_actor_id": "actor_id",
    "function_descriptor": "descriptor",
    "list_args": "args",
    "name": "name",
    "num_returns": "num_returns",
    "max_task_retries": "max_retries",
    "retry_exceptions": "retry_exceptions",
    "retry_exception_allowlist": "allowlist",
    "self._ray_actor_method_cpus": "method_cpus",
    "concurrency_group_name if concurrency_group_name is not None else b''": "group",
    "generator_backpressure_num_objects": "backpressure",
    "num_objects_per_yield": "per_yield",
    "enable_task_events": "task_events",
    "tensor_transport.value": "transport_value",
    "tensor_transport_enum.value": "transport_value",
    "tensor_transport": "transport",
    "labels": "labels",
}


@functools.lru_cache(maxsize=None)
def task_order() -> Optional[Tuple[str, ...]]:
    """The keys of submit_task's arguments in this Ray's order, or None: goray does not
    know one of the arguments Ray passes (tasks then go through Ray's public API)."""
    from ray import remote_function
    return ray_source.argument_keys(
        ray_source.call_arguments(remote_function.RemoteFunction._remote, "submit_task"),
        TASK_ARGUMENTS)


@functools.lru_cache(maxsize=None)
def method_order() -> Optional[Tuple[str, ...]]:
    """The keys of submit_actor_task's arguments in this Ray's order, or None."""
    from ray import actor
    return ray_source.argument_keys(
        ray_source.call_arguments(actor.ActorHandle._actor_method_call, "submit_actor_task"),
        METHOD_ARGUMENTS)


#: The actor method options goray's submitter works out itself (others: Ray's path).
_MIRRORED_METHOD_OPTIONS = frozenset({
    "name", "num_returns", "max_task_retries", "retry_exceptions", "concurrency_group",
    "_generator_backpressure_num_objects", "enable_task_events", "_labels"})


@functools.lru_cache(maxsize=None)
def method_options() -> frozenset:
    """The method options the internal path takes on this Ray: those goray mirrors that
    this Ray's ActorMethod._remote accepts too (an option it does not take goes through
    Ray's path, which refuses it with its own error)."""
    from ray import actor
    return _MIRRORED_METHOD_OPTIONS & frozenset(ray_source.parameters(actor.ActorMethod._remote))


@dataclass(frozen=True)
class SubmitHelpers:
    """What goray._ray.submission.submit needs of Ray to work out a submission's arguments once, as
    RemoteFunction._remote does per call (modules moved from ray._private to ray._common
    in 2.46-2.50: both are looked for)."""
    remote_function: Any
    option_utils: Any
    dummy: Any
    resources: Callable[[Dict[str, Any]], Dict[str, float]]
    client_mode: Any
    worker: Any
    pg_strategy: Any
    tracing: Any


def _first_module(*names: str) -> Any:
    import importlib
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError(names[0])


@functools.lru_cache(maxsize=None)
def submit_helpers() -> Optional[SubmitHelpers]:
    """The helpers, or None when one is missing (submissions then take the public path)."""
    try:
        from ray import remote_function
        from ray._private import client_mode_hook, worker
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy
        from ray.util.tracing import tracing_helper
        option_utils = _first_module("ray._common.ray_option_utils", "ray._private.ray_option_utils")
        signature = _first_module("ray._common.signature", "ray._private.signature")
        utils = [_first_module(name) for name in ("ray._common.utils", "ray._private.utils")
                 if _has_module(name)]
        resources = next(getattr(module, "resources_from_ray_options") for module in utils
                         if hasattr(module, "resources_from_ray_options"))
        helpers = SubmitHelpers(remote_function, option_utils, signature.DUMMY_TYPE, resources,
                                client_mode_hook, worker, PlacementGroupSchedulingStrategy,
                                tracing_helper)
        # Read per call: present in every release tested.
        for owner, name in ((remote_function, "_task_launch_hook"),
                            (tracing_helper, "_is_tracing_enabled"),
                            (client_mode_hook, "client_mode_should_convert"),
                            (option_utils, "update_options"), (option_utils, "task_options")):
            getattr(owner, name)
    except (ImportError, AttributeError, StopIteration):
        return None
    return helpers


def _has_module(name: str) -> bool:
    import importlib.util
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


#: The calls Ray's ActorMethod._remote makes to move a tensor-transport method's tensors
#: before a call that passes its refs: the worker attribute holding the manager, and its
#: method (2.48-2.54: gpu_object_manager; 2.55 on: rdt_manager).
_TENSOR_TRIGGERS = {"trigger_out_of_band_tensor_transfer": "gpu_object_manager",
                    "queue_or_trigger_out_of_band_tensor_transfer": "rdt_manager"}


@functools.lru_cache(maxsize=None)
def tensor_transfer() -> Tuple[bool, Optional[Tuple[str, str]]]:
    """(understood, trigger): whether goray knows what Ray's ActorMethod._remote does
    with refs among a call's arguments, and the (worker attribute, method) it calls then,
    None where it calls nothing (before 2.48)."""
    from ray import actor
    found = ray_source.methods_called_like(actor.ActorMethod._remote, "tensor_transfer")
    if not found:
        return True, None
    if len(set(found)) != 1 or found[0] not in _TENSOR_TRIGGERS:
        return False, None
    return True, (_TENSOR_TRIGGERS[found[0]], found[0])


@functools.lru_cache(maxsize=None)
def transport_argument(key: str) -> Any:
    """What Ray passes for a method without a tensor transport, by the argument's key
    (None for a Ray whose call has no such argument)."""
    if key != "transport_value":
        return None
    try:
        from ray._private.custom_types import TensorTransportEnum  # type: ignore[attr-defined]
    except ImportError:  # (before 2.48: no tensor transports)
        return None
    return TensorTransportEnum.OBJECT_STORE.value


def has_no_transport(method: Any) -> bool:
    """True when an ActorMethod has no tensor transport: None, or the object store, which
    2.48-2.53 name as their default (an enum member, then its name)."""
    transport = getattr(method, "_tensor_transport", None)
    return transport is None or getattr(transport, "name", transport) == "OBJECT_STORE"


def method_actor(method: Any) -> Any:
    """The actor handle an ActorMethod calls (``_actor`` from 2.48; before, a hard or a
    weak reference)."""
    actor = getattr(method, "_actor", None)
    if actor is None:
        actor = getattr(method, "_actor_hard_ref", None)
    if actor is None:
        reference = getattr(method, "_actor_ref", None)
        actor = reference() if reference is not None else None
    return actor


def install_actor_method_map(forms: Dict[str, Callable[..., Any]]) -> bool:
    """Gives Ray's ActorMethod (what ``handle.Method`` is) goray.map's forms as methods
    (``handle.Method.map(xs)``), each called with the ActorMethod first. Ray has no such
    attributes (2.40-2.60, checked here): one it grows is left as Ray's."""
    method_class = getattr(ray.actor, "ActorMethod", None)
    if method_class is None:
        return False
    for name, form in forms.items():
        if name not in vars(method_class):
            setattr(method_class, name, form)
    return True


def actor_method_names(handle: Any) -> List[str]:
    """The methods of a Python-class actor's handle, read without attribute lookups that
    could re-enter ActorHandle.__getattr__ (its signatures, kept by every release)."""
    return list(vars(handle).get("_ray_method_signatures") or ())


def method_with_options(callee: Any) -> Optional[Tuple[Any, Dict[str, Any]]]:
    """(the ActorMethod, a copy of its options) of ``handle.m.options(...)``'s result, or
    None: Ray's wrapper keeps them as attributes from 2.55, in its remote's closure
    before (func_cls, options)."""
    method = getattr(callee, "_actor_method", None)
    options = getattr(callee, "_options", None)
    if method is None:
        remote = getattr(type(callee), "remote", None)
        code, cells = getattr(remote, "__code__", None), getattr(remote, "__closure__", None)
        if code is None or cells is None:
            return None
        closed = dict(zip(code.co_freevars, (cell.cell_contents for cell in cells)))
        method, options = closed.get("func_cls"), closed.get("options")
    if method is None or not isinstance(options, dict):
        return None
    return method, dict(options)


# ---------------------------------------------------------------------------
# Reads: core_worker.get_objects as Worker.get_objects calls it.

_GET_OBJECTS_ARGUMENTS = {"object_refs": "refs", "timeout_ms": "timeout_ms",
                          "self.current_task_id": "task_id"}


@functools.lru_cache(maxsize=None)
def get_objects_order() -> Optional[Tuple[str, ...]]:
    """The keys of core_worker.get_objects's arguments (2.40 passes the current task's
    id between the refs and the timeout), or None."""
    from ray._private import worker
    return ray_source.argument_keys(
        ray_source.call_arguments(worker.Worker.get_objects, "get_objects"), _GET_OBJECTS_ARGUMENTS)


# ---------------------------------------------------------------------------
# What a running task asks of its worker.

def global_worker() -> Any:
    """This process's Ray worker (ray._private.worker.global_worker, in every release)."""
    return ray._private.worker.global_worker  # type: ignore[attr-defined]


def in_worker(worker: Any) -> bool:
    """True in a Ray worker process (not a driver, nor local mode)."""
    return bool(worker.mode == ray._private.worker.WORKER_MODE)  # type: ignore[attr-defined]


def client_mode() -> Callable[[], bool]:
    """Ray Client's check whether a call must be converted (True: always the public path)."""
    try:
        from ray._private.client_mode_hook import client_mode_should_convert
    except ImportError:
        return lambda: True
    return client_mode_should_convert


def core_worker_class() -> Any:
    """Ray's CoreWorker class (ray._raylet), for what its methods say of this release."""
    from ray._raylet import CoreWorker  # type: ignore[attr-defined]
    return CoreWorker

@functools.lru_cache(maxsize=None)
def running_task_name() -> Optional[Callable[[], Optional[str]]]:
    """The running task's Ray name (RuntimeContext.get_task_name, 2.41 on), or None:
    Python callers then submit through a Ray function of their own
    (bodies.python_caller_task)."""
    from ray.runtime_context import RuntimeContext
    if not hasattr(RuntimeContext, "get_task_name"):
        return None
    return lambda: ray.get_runtime_context().get_task_name()


def cancel_flag(core_worker: Any) -> Optional[Callable[[], bool]]:
    """The core worker's own cancel flag (2.54 on, as RuntimeContext.is_canceled reads
    it), or None: a cancel then reaches a task as Ray's interrupt, and a sync actor's
    stream as its caller's stop."""
    check = getattr(core_worker, "is_canceled", None)
    return check if callable(check) else None


def attempt_number(core_worker: Any) -> Optional[int]:
    """Which run of the task this is (0: the first), or None when Ray cannot say."""
    read = getattr(core_worker, "get_current_task_attempt_number", None)
    return int(read()) if read is not None else None


# ---------------------------------------------------------------------------
# Streams: a consumer's reads of a streaming generator.

def stream_reader(generator: Any) -> Optional[Callable[[Any], Any]]:
    """The core worker's read of a stream's next produced item (one call; nil when not
    produced yet), or None."""
    read = getattr(getattr(getattr(generator, "worker", None), "core_worker", None),
                   "try_read_next_object_ref_stream", None)
    return read if read is not None and hasattr(generator, "_generator_ref") else None


def stream_peek(generator: Any) -> Optional[Callable[[Any], Tuple[Any, bool]]]:
    """The core worker's look at a stream's next item: (its ref, whether it is there)."""
    peek = getattr(getattr(getattr(generator, "worker", None), "core_worker", None),
                   "peek_object_ref_stream", None)
    return peek if peek is not None and hasattr(generator, "_generator_ref") else None


@functools.lru_cache(maxsize=None)
def ref_callbacks() -> bool:
    """Whether ObjectRefs take a callback for when their object is ready
    (ObjectRef._on_ready, 2.60): a stream's consumer then waits without telling the
    raylet it blocked; without, it waits as Ray does."""
    return hasattr(ray.ObjectRef, "_on_ready")


def object_exists(core_worker: Any) -> Optional[Callable[[Any], bool]]:
    """The core worker's look whether an object is in this process or its node's store."""
    return getattr(core_worker, "object_exists", None)


# ---------------------------------------------------------------------------
# Cancels: Ray's own ray.cancel, and a way onto the core worker's IO thread, where goray
# runs it (goray._ray.cancellation.cancels).

def ray_cancel() -> Callable[..., Any]:
    """Ray's own ray.cancel under the name ray.cancel, which goray's stream_cancels
    replaces (ray._private.worker.cancel, 2.40-2.60); else ray.cancel as it is now."""
    cancel = getattr(ray._private.worker, "cancel", None)  # type: ignore[attr-defined]
    return cancel if callable(cancel) else ray.cancel


def ray_wait() -> Callable[..., Any]:
    """Ray's ray.wait without Ray's auto-init (ray._private.worker.wait, 2.40-2.60): from a
    thread of goray's own, a Ray that shut down raises instead of starting a new one; else
    ray.wait as it is."""
    wait = getattr(ray._private.worker, "wait", None)  # type: ignore[attr-defined]
    return wait if callable(wait) else ray.wait


def completion_callback(ref: Any) -> Optional[Callable[[Callable[[Any], None]], Any]]:
    """How to have `ref`'s core worker call a function once the object is ready, on the
    core worker's IO thread, the thread that handles tasks' replies
    (ObjectRef._on_completed, 2.40-2.60: a function of the object's value, run soon
    when the object is there already), or None."""
    register = getattr(ref, "_on_completed", None)
    return register if callable(register) else None


# ---------------------------------------------------------------------------
# Crash reports and the driver.

def session_dir() -> Optional[str]:
    """This node's Ray session directory (None when Ray cannot say)."""
    node = getattr(getattr(ray._private.worker, "global_worker", None), "node", None)
    read = getattr(node, "get_session_dir_path", None)
    return str(read()) if read is not None else None


def creation_task_id(actor_id_hex: str) -> Optional[str]:
    """The id (hex) of the task that created an actor, or None when Ray cannot say."""
    try:
        from ray._raylet import ActorID, TaskID
        return str(TaskID.for_actor_creation_task(ActorID.from_hex(actor_id_hex)).hex())
    except (ImportError, AttributeError, ValueError, TypeError):
        return None


def kv_put(key: bytes, value: bytes) -> None:
    """Stores `value` under `key` in the cluster's key-value store (GCS), namespace
    "goray" (ray.experimental.internal_kv, 2.40-2.60): crash reports for other nodes."""
    from ray.experimental import internal_kv
    internal_kv._internal_kv_put(key, value, overwrite=True, namespace=KV_NAMESPACE)


def kv_get(key: bytes) -> Optional[bytes]:
    """What :func:`kv_put` stored under `key`, or None."""
    from ray.experimental import internal_kv
    if not internal_kv._internal_kv_initialized():
        return None
    value = internal_kv._internal_kv_get(key, namespace=KV_NAMESPACE)
    return bytes(value) if value is not None else None


KV_NAMESPACE = b"goray"


def deserializer_parameters() -> Tuple[Any, List[str]]:
    """Ray's SerializationContext and the parameters of its _deserialize_object (which
    goray wraps to attach crash reports), or (None, [])."""
    try:
        from ray._private import serialization
        import inspect
        context = serialization.SerializationContext
        return context, list(inspect.signature(context._deserialize_object).parameters)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None, []


def address_from_environment(address: Optional[str]) -> Optional[str]:
    """The cluster address ray.init would join (RAY_ADDRESS, an explicit address, else
    `ray start`'s record for "auto"), or None when it cannot tell."""
    try:
        from ray._private.services import get_ray_address_from_environment
        return get_ray_address_from_environment(address or "auto", None)
    except Exception:  # noqa: BLE001 - no cluster found, or Ray's internals moved: ray.init says
        return None


# ---------------------------------------------------------------------------
# Serve: a replica rejecting requests after a native crash (goray.serve._replica).

def _serve_replica_impl() -> Any:
    """In a Serve replica's process: Serve's object behind the replica actor (the
    actor's ``_replica_impl``, found in Worker.actors), or None."""
    actors = getattr(global_worker(), "actors", None)
    for actor in list((actors or {}).values()):
        impl = getattr(actor, "_replica_impl", None)
        if impl is not None and callable(getattr(impl, "get_num_ongoing_requests", None)):
            return impl
    return None


def serve_reject_requests() -> bool:
    """Makes this process's Serve replica reject every request from now on, as a replica
    at max_ongoing_requests does: Serve's router then sends each to another replica (or
    holds it until one is up). 2.60: ``_can_accept_request`` says no; 2.40:
    ``handle_request_with_rejection`` compares ``get_num_ongoing_requests()`` with
    ``max_ongoing_requests``. Either way the count says full, so that the router's probes
    and the rejections' replies steer it to other replicas. False when this Serve's
    replica is neither."""
    impl = _serve_replica_impl()
    if impl is None:
        return False
    limit = getattr(impl, "max_ongoing_requests", None)  # 2.60's property
    if not isinstance(limit, int):
        limit = getattr(getattr(impl, "_deployment_config", None), "max_ongoing_requests", None)
    rejecting = False
    if callable(getattr(impl, "_can_accept_request", None)):
        impl._can_accept_request = lambda *args, **kwargs: False
        rejecting = True
    if isinstance(limit, int) and (rejecting or _rejects_on_count(type(impl))):
        impl.get_num_ongoing_requests = lambda: limit
        rejecting = True
    return rejecting


def _rejects_on_count(replica_class: type) -> bool:
    try:
        import inspect
        source = inspect.getsource(getattr(replica_class, "handle_request_with_rejection"))
    except (AttributeError, OSError, TypeError):
        return False
    return "self.get_num_ongoing_requests()" in source and ">= limit" in source


def serve_rejection_known() -> bool:
    """Whether the installed Ray Serve's replica is one serve_reject_requests knows (read
    from its source file, without importing Serve)."""
    path = os.path.join(os.path.dirname(ray.__file__), "serve", "_private", "replica.py")
    try:
        with open(path, encoding="utf-8") as file:
            source = file.read()
    except OSError:
        return False
    if "self._replica_impl" not in source:
        return False
    return "def _can_accept_request(" in source or (
        "num_ongoing_requests = self.get_num_ongoing_requests()" in source
        and "if num_ongoing_requests >= limit:" in source)


# ---------------------------------------------------------------------------
# The list, for the doctor and the docs.

@dataclass(frozen=True)
class Path:
    """One internal path: its name, what it needs of Ray, the Ray releases it was tested
    on, the public path that replaces it, and whether this Ray has what it needs."""
    name: str
    needs: str
    tested: str
    fallback: str
    found: bool


def paths() -> List[Path]:
    """Every internal path goray knows, and whether this process takes it."""
    understood, _trigger = tensor_transfer()
    return [
        Path("task submission", "core_worker.submit_task with the arguments "
             "RemoteFunction._remote passes (each one known to goray)", "2.40-2.60",
             "f.options(**o).remote(...)", task_order() is not None and submit_helpers() is not None),
        Path("actor method submission", "core_worker.submit_actor_task with the arguments "
             "ActorHandle._actor_method_call passes, and what ActorMethod._remote does "
             "with refs", "2.40-2.60", "handle.m.options(**o).remote(...)",
             method_order() is not None and understood and submit_helpers() is not None),
        Path("reads", "core_worker.get_objects as Worker.get_objects calls it, and "
             "object_exists", "2.40-2.60", "ray.get", get_objects_order() is not None),
        Path("task names", "RuntimeContext.get_task_name", "2.41-2.60",
             "a Ray function of Python callers' own per C++ task", running_task_name() is not None),
        Path("stream reads", "core_worker.try_read_next_object_ref_stream and "
             "peek_object_ref_stream", "2.40-2.60", "ObjectRefGenerator's own reads",
             _core_worker_has("try_read_next_object_ref_stream", "peek_object_ref_stream")),
        Path("stream waits on ref callbacks", "ObjectRef._on_ready", "2.60",
             "ray.wait", ref_callbacks()),
        Path("cancel checks", "core_worker.is_canceled", "2.54-2.60",
             "Ray's interrupt of the task; a sync actor's stream ends when its caller stops",
             _core_worker_has("is_canceled")),
        Path("cancels on Ray's IO thread", "ObjectRef._on_completed (run on the core "
             "worker's IO thread)", "2.40-2.60",
             "ray.cancel in the caller's thread, where a cancel that meets the task's end "
             "aborts the process (Ray's race)", completion_callback(ray.ObjectRef.nil()) is not None),
        Path("retry detection", "core_worker.get_current_task_attempt_number", "2.40-2.60",
             "one item per Ray object", _core_worker_has("get_current_task_attempt_number")),
        Path("crash reports", "SerializationContext._deserialize_object(self, data, "
             "metadata, object_ref, ...)", "2.40-2.60", "Ray's errors without the report",
             deserializer_parameters()[1][:4] == ["self", "data", "metadata", "object_ref"]),
        Path("crash reports from other nodes", "ray.experimental.internal_kv", "2.40-2.60",
             "the report on the task's node only (its file and its log)",
             _has_internal_kv()),
        Path("Serve replica rejecting requests after a crash", "the replica actor in "
             "Worker.actors, its _replica_impl's _can_accept_request (2.60) or the "
             "get_num_ongoing_requests >= max_ongoing_requests check (2.40)", "2.40, 2.60",
             "requests reaching the replica in its last half second answer 503 with "
             "Retry-After", serve_rejection_known()),
    ]


def _has_internal_kv() -> bool:
    try:
        from ray.experimental import internal_kv
    except ImportError:
        return False
    return all(hasattr(internal_kv, name) for name in
               ("_internal_kv_put", "_internal_kv_get", "_internal_kv_initialized"))


def _core_worker_has(*names: str) -> bool:
    return all(hasattr(core_worker_class(), name) for name in names)
