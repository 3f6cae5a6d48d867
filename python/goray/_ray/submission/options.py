"""Ray options from native callers: the JSON of a call payload (docs/protocol.md §2)
turned into keyword arguments for Ray, with the JSON forms of options that are
Python objects in Ray, and the environment every task and actor needs.

JSON forms of scheduling_strategy (besides "DEFAULT" and "SPREAD"):
    {"type": "node_affinity", "node_id": "<hex>", "soft": false}
    {"type": "placement_group", "name": "<group name>", "bundle_index": -1,
     "capture_child_tasks": null}

Tests: tests/python/test_streams_local.py, tests/ray/test_one_body.py, tests/ray/test_arrays.py,
tests/ray/test_large_values.py
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Optional

from ..._protocol import META_KEYS, PY_DEFS_ENV
from ...errors import GorayError

__all__ = ["META_KEYS", "split_options", "with_goray_env", "decode_scheduling_strategy",
           "malloc_tuning"]



#: num_returns of a streaming call (Ray's value): only for generators.
STREAMING = "streaming"


def split_options(meta: Dict[str, Any], streaming: bool = False) -> Dict[str, Any]:
    """The user's Ray options of a call JSON: everything but the meta keys, with
    JSON forms decoded. num_returns is taken out: 1 (or none) for every call, and
    "streaming" only where `streaming` says the call is a generator's (Ray streams
    a generator function by default)."""
    options = {key: value for key, value in meta.items() if key not in META_KEYS}
    from ..compat import releases  # (imports Ray: it is in use here)
    releases.require_options(options, "this call")
    if "scheduling_strategy" in options:
        options["scheduling_strategy"] = decode_scheduling_strategy(options["scheduling_strategy"])
    num_returns = options.get("num_returns", 1)
    if num_returns == STREAMING and not streaming:
        raise GorayError("num_returns=\"streaming\" is only for a streaming call of a generator "
                         "(a task or method whose result is goray::Generator<T>, or a Python "
                         "generator function), and not in a pipelined submission or an actor "
                         "creation")
    if num_returns not in (1, None, STREAMING):
        raise GorayError(f"num_returns={num_returns!r} is not supported: a goray task returns one "
                         "object (several C++ results arrive as one list); a generator's items "
                         "arrive with num_returns=\"streaming\"")
    options.pop("num_returns", None)
    return options


def decode_scheduling_strategy(value: Any) -> Any:
    """A scheduling strategy from its JSON form (Ray's own objects pass through)."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return value  # a Python caller's NodeAffinitySchedulingStrategy & co.
    if "type" not in value:
        raise GorayError(f"scheduling_strategy must be \"DEFAULT\", \"SPREAD\" or an object with a "
                         f"\"type\" (node_affinity, placement_group); got {value!r}")
    from ray.util import scheduling_strategies as strategies  # Ray is in use here
    kind = value["type"]
    if kind == "node_affinity":
        _require(value, ("node_id",), kind)
        return strategies.NodeAffinitySchedulingStrategy(node_id=value["node_id"],
                                                         soft=bool(value.get("soft", False)))
    if kind == "placement_group":
        _require(value, ("name",), kind)
        from ray.util import get_placement_group
        try:
            group = get_placement_group(value["name"])
        except ValueError as error:
            raise GorayError(f"placement group {value['name']!r} not found: {error}") from None
        return strategies.PlacementGroupSchedulingStrategy(
            placement_group=group,
            placement_group_bundle_index=int(value.get("bundle_index", -1)),
            placement_group_capture_child_tasks=value.get("capture_child_tasks"))
    raise GorayError(f"unknown scheduling_strategy type {kind!r} (known: node_affinity, placement_group)")


def _require(value: Dict[str, Any], keys: Iterable[str], kind: str) -> None:
    missing = [key for key in keys if key not in value]
    if missing:
        raise GorayError(f"scheduling_strategy {kind} needs {', '.join(missing)}")


# False when goray.init found Ray already running (started without goray's
# variables): then every task and actor gets them itself.
_job_has_env = True


def set_job_has_env(value: bool) -> None:
    global _job_has_env
    _job_has_env = value


def goray_env(bin_path: Optional[str] = None, py_defs: Optional[str] = None) -> Dict[str, str]:
    """The variables every task and actor needs to load the library and py-defs."""
    env = {}
    bin_path = bin_path if bin_path is not None else os.environ.get("GORAY_BIN_PATH", "")
    py_defs = py_defs if py_defs is not None else os.environ.get(PY_DEFS_ENV, "")
    if bin_path:
        env["GORAY_BIN_PATH"] = bin_path
    if py_defs:
        env[PY_DEFS_ENV] = py_defs
    return env


def with_goray_env(options: Dict[str, Any]) -> Dict[str, Any]:
    """`options` whose runtime_env (if the caller gave one) has env_vars merged with
    (and overwritten by) the variables goray needs. Without one, tasks inherit the
    job's runtime_env, which goray.init sets: adding it to every task would cost
    Ray a runtime-env evaluation per submission."""
    if not goray_env() or ("runtime_env" not in options and _job_has_env):
        return options
    return merge_goray_env(options)


#: Set to 0 to leave glibc's malloc in goray's workers as it is (see malloc_tuning).
MALLOC_HUGEPAGES_ENV = "GORAY_MALLOC_HUGEPAGES"


def malloc_tuning() -> Dict[str, str]:
    """GLIBC_TUNABLES for the processes of goray's jobs: glibc's malloc backs large
    blocks with transparent huge pages (as NumPy does for its own arrays), so a fresh
    64 MiB C++ result or request takes 32 page faults instead of 16384 (3-4 times
    faster to fill). Nothing when the driver's environment sets GLIBC_TUNABLES (the
    workers inherit it) or GORAY_MALLOC_HUGEPAGES=0; a caller's env_vars win."""
    if os.environ.get(MALLOC_HUGEPAGES_ENV, "1") == "0" or "GLIBC_TUNABLES" in os.environ:
        return {}
    return {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}


def merge_goray_env(options: Dict[str, Any], bin_path: Optional[str] = None) -> Dict[str, Any]:
    """A copy of `options` whose runtime_env.env_vars hold goray's variables (which
    win over the caller's of the same name; `bin_path` the library, default
    $GORAY_BIN_PATH) and the malloc tuning (which does not)."""
    merged = dict(options)
    runtime_env = dict(merged.get("runtime_env") or {})
    runtime_env["env_vars"] = {**malloc_tuning(), **(runtime_env.get("env_vars") or {}),
                               **goray_env(bin_path)}
    merged["runtime_env"] = runtime_env
    return merged
