"""The modules a py-defs file imports from its own folder travel by value, as the file's
own classes and functions do (goray._process_setup imports it outside sys.modules): a worker
that makes a Python actor of a class defined there (from C++, Go or Python) cannot import
that module by name, since the folder is on sys.path only while the file runs (as under
GoRay). Ray's cloudpickle then ships each such module's classes and functions by value.

Tests: tests/ray/test_py_defs_siblings.py
"""

from __future__ import annotations

import threading
from types import ModuleType

import ray.cloudpickle

from ... import _process_setup

__all__ = ["install"]

_installed = False
_lock = threading.Lock()


def install() -> None:
    """From now on (and for those imported already), once per process."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    _process_setup.on_sibling_module(_by_value)


def _by_value(module: ModuleType) -> None:
    try:
        ray.cloudpickle.register_pickle_by_value(module)
    except (ValueError, AttributeError):  # not importable by its name, or no such API
        pass
