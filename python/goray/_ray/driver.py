"""goray.init, goray.start and goray.shutdown: the library plus Ray, and the native driver.

Order in the driver process (docs/protocol.md §1): load the library (which registers
the callback) → import the py-defs file → GetInitOptions → ray.init → StartDriver.
Every Ray this starts binds 127.0.0.1 with usage stats off and no dashboard,
unless the caller says otherwise.

Tests: tests/ray/test_cpp_driver.py, tests/ray/test_map.py, tests/python/test_stubs.py,
tests/ray/test_actor_classes.py, tests/ray/test_arrays.py, tests/ray/test_async_actors_cpp.py
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

from .. import _ffi, _process_setup
from .._protocol import PY_DEFS_ENV, Py2Native
from ..errors import GorayError, error_from_reply

#: Called by every goray.init once Ray is imported: what higher layers register (a lower
#: layer never imports them).
INIT_HOOKS: List[Callable[[], None]] = []

__all__ = ["init", "start", "shutdown", "run_driver", "init_options"]

LOOPBACK = "127.0.0.1"
_log = logging.getLogger("goray")
# Ray resolves a node address of 127.0.0.1 to this machine's outward address
# unless "clusters" are disabled (its switch for Windows and macOS); with this set,
# Ray and every process it starts stay on loopback.
_LOOPBACK_SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


# ray.init options that size a new local Ray; Ray rejects them when joining a cluster.
_LOCAL_ONLY_OPTIONS = ("num_cpus", "num_gpus", "resources", "labels", "object_store_memory",
                       "include_dashboard", "dashboard_host", "dashboard_port", "_node_ip_address")


def keep_ray_on_loopback() -> None:
    """Makes Ray (imported or not yet) keep 127.0.0.1 as the node address."""
    os.environ[_LOOPBACK_SWITCH] = "0"
    import sys
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None:  # imported before us: its flag was read already
        setattr(constants, "ENABLE_RAY_CLUSTER", False)


def init_options(library: "_ffi.Library") -> Dict[str, Any]:
    """The ray.init options the application declared (GORAY_INIT_OPTIONS)."""
    code, reply = library.execute(int(Py2Native.GET_INIT_OPTIONS))
    if code:
        raise error_from_reply(code, reply, "GetInitOptions")
    options = json.loads(reply or b"{}")
    if not isinstance(options, dict):
        raise GorayError(f"the library's init options are not a JSON object: {reply[:200]!r}")
    return options


def _library_path_for_workers(path: str, cluster: bool) -> str:
    """What GORAY_BIN_PATH says: absolute locally; on a cluster a relative path stays
    relative, resolved in each worker's working directory (the job's)."""
    if cluster and not os.path.isabs(path):
        return path
    return os.path.abspath(path)


def _address_to_join(address: Optional[str]) -> Optional[str]:
    """The cluster address a join will use, as Ray finds it before rewriting a loopback
    host (RAY_ADDRESS, an explicit address, else `ray start`'s record for "auto"); None
    when it cannot tell."""
    from .compat import internals  # (imports Ray: only when joining a cluster)
    return internals.address_from_environment(address)


def _is_loopback_address(address: str) -> bool:
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _generated_modules_on_workers_path(library: str) -> None:
    """Before a local Ray starts: the folders of the generated modules (those imported
    so far, and the library's own beside it) on PYTHONPATH, which the raylet and so every
    worker it starts (tasks, actors, Serve's replicas and proxies) inherit: their code
    imports the module by name, as the driver's does."""
    folders = _process_setup.generated_module_folders(library)
    present = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    missing = [folder for folder in folders if folder not in present]
    if missing:
        os.environ["PYTHONPATH"] = os.pathsep.join(present + missing)


def init(library: str, py_defs_path: str = "", *, cluster: bool = False,
         **ray_init_args: Any) -> "_ffi.Library":
    """Loads the library, imports the py-defs file and starts (or, with
    ``cluster=True``, joins) Ray. Options from GORAY_INIT_OPTIONS are merged under
    the caller's (the caller wins per top-level key)."""
    cluster = cluster or ray_init_args.get("address") not in (None, "local")
    local = not cluster
    node_ip = ray_init_args.get("_node_ip_address", LOOPBACK)
    if local and node_ip == LOOPBACK:
        keep_ray_on_loopback()
    elif cluster and "_node_ip_address" not in ray_init_args:
        # Joining a cluster on 127.0.0.1: Ray would rewrite this node's address to the
        # machine's outward one, find no raylet there and wait for ever.
        address = _address_to_join(ray_init_args.get("address"))
        if address and _is_loopback_address(address):
            keep_ray_on_loopback()
    import ray

    from .compat import releases
    releases.check_release()  # an older Ray refused, a newer one warned about (once)

    loaded = _ffi.load_library(library)
    bin_path = _library_path_for_workers(library, cluster)
    os.environ[_ffi.BIN_PATH_ENV] = bin_path
    if py_defs_path:
        from .worker import py_defs
        py_defs.install()  # the modules beside the file pickle by value
        # Absolute: workers start in other directories (the job's, or Ray's own).
        os.environ[PY_DEFS_ENV] = os.path.abspath(py_defs_path)
        _process_setup.import_py_defs(py_defs_path)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

    options: Dict[str, Any] = init_options(loaded)
    if cluster:
        # The application's sizing is for a Ray it starts; Ray refuses it when joining.
        for key in _LOCAL_ONLY_OPTIONS:
            options.pop(key, None)
    options.update(ray_init_args)
    if cluster:
        options.setdefault("address", "auto")
    else:
        # "local": a new Ray of our own, never one that happens to run on this machine
        # (ray.init() without an address joins a cluster it finds here).
        options.setdefault("address", "local")
        options.setdefault("_node_ip_address", LOOPBACK)
        options.setdefault("include_dashboard", False)
    from .native2py import commands
    from .submission import options as _options
    options = _options.merge_goray_env(options)  # the job's runtime_env: every task and actor inherits it

    commands.install()
    for hook in INIT_HOOKS:  # (goray._map's: handle.Method.map)
        hook()
    if not ray.is_initialized() and options.get("address") == "local":
        _generated_modules_on_workers_path(library)
    if ray.is_initialized():
        # Started without goray's variables in the job's runtime_env: every task
        # and actor gets them itself.
        _options.set_job_has_env(False)
    else:
        ray.init(**options)
    _log.debug("goray.init: library %s, py-defs %r, ray.init options %s", loaded.path, py_defs_path, options)
    return loaded


def run_driver(library: "_ffi.Library", args: Sequence[str] = ()) -> int:
    """Runs the native driver (StartDriver) and returns its exit code."""
    payload = json.dumps(list(args)).encode() if args else b""
    code, reply = library.execute(int(Py2Native.START_DRIVER), payload)
    if code:
        raise error_from_reply(code, reply, "Driver")
    try:
        return int(reply.decode("ascii"))
    except ValueError:
        raise GorayError(f"StartDriver replied {reply[:64]!r}, not a decimal exit code") from None


def start(library: str, py_defs_path: str = "", driver_args: Sequence[str] = (),
          **ray_init_args: Any) -> int:
    """``init(...)`` then the native driver; returns the driver's exit code."""
    loaded = init(library, py_defs_path, **ray_init_args)
    return run_driver(loaded, driver_args)


def shutdown() -> None:
    """Ends this process's Ray, as ``ray.shutdown()`` does (goray's second cancels of
    cancelled streams dropped first), and does nothing when Ray was never imported or is
    not running. Typed, where ``ray.shutdown`` is "partially unknown" to pyright strict:
    a program that calls ``goray.init`` ends with ``goray.shutdown()`` and type-checks
    with no ignore. The library stays loaded (one per process) for in-process calls."""
    ray = sys.modules.get("ray")
    if ray is None:  # (imported by goray.init: without it no Ray runs here)
        return
    # Goray's ray.shutdown once goray is set up (cancellation.stream_cancels.install),
    # else Ray's own: a process that sent no goray cancel has no second ones to drop.
    ray_shutdown: Callable[[], None] = ray.shutdown
    ray_shutdown()
