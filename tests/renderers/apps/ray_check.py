"""What the Ray scripts here share (ray_stubs.py, ray_refs.py): the arguments, goray.init
on the built library, the stub module, and the failures printed as one JSON object."""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any, Callable, Dict, List

failures: List[str] = []
#: The library goray.init loaded (for a script that runs its C++ driver).
library: Any = None


def expect(what: str, actual: Any, expected: Any) -> None:
    if actual != expected:
        failures.append(f"{what}: {actual!r}, expected {expected!r}")


def ray_init_args() -> Dict[str, Any]:
    """goray.init's Ray options: join the test session's Ray when it gave its address
    ($GORAY_TEST_RAY_ADDRESS, tests/renderers/shared_ray.py), else start a small one."""
    address = os.environ.get("GORAY_TEST_RAY_ADDRESS")
    return {"address": address} if address else {"num_cpus": 2, "include_dashboard": False}


def run(module: str, checks: Callable[[Any], None]) -> int:
    """python SCRIPT LIBRARY STUBS_DIR: checks(the stub module) on Ray; prints
    {"failures": [...]}."""
    library_path, stubs_dir = sys.argv[1:3]
    sys.path.insert(0, stubs_dir)
    import goray
    import ray

    global library
    library = goray.init(library_path, **ray_init_args())
    try:
        checks(importlib.import_module(module))
    finally:
        ray.shutdown()
    print(json.dumps({"failures": failures}))
    return 0
