"""What any process running goray code needs before serving native calls: the
library (from GORAY_BIN_PATH) and the py-defs file (from GORAY_PY_MUDULE_PATH,
the protocol's spelling), each loaded once. No Ray here."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from contextlib import contextmanager
from types import ModuleType
from typing import Callable, Dict, Iterator, List, Optional, Set

from . import _ffi, _registry
from ._protocol import PY_DEFS_ENV
from .errors import GorayError

__all__ = ["PY_DEFS_ENV", "import_py_defs", "ensure_ready", "on_sibling_module"]

_lock = threading.RLock()
_py_defs: Dict[str, ModuleType] = {}
# The same modules by the path as given: a relative path imported once is not resolved
# again, so a process whose working directory went away (a Ray job's driver, whose
# working_dir package Ray may remove) still finds it.
_py_defs_given: Dict[str, ModuleType] = {}
# The modules py-defs files imported from their own folders, and who wants to know (the
# Ray layer, which makes them pickle by value: a worker cannot import them by name).
_siblings: List[ModuleType] = []
_sibling_hooks: List[Callable[[ModuleType], None]] = []


def on_sibling_module(hook: Callable[[ModuleType], None]) -> None:
    """Calls `hook` with each module a py-defs file imports from its own folder (or one
    below), those imported already included."""
    with _lock:
        _sibling_hooks.append(hook)
        for module in _siblings:
            hook(module)


def _note_siblings(folder: str, before: Set[str]) -> None:
    inside = os.path.join(folder, "")
    for name in sorted(set(sys.modules) - before):
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        if module is None or not file or not os.path.abspath(file).startswith(inside):
            continue
        _siblings.append(module)
        _registry.pickle_by_value(name)
        for hook in _sibling_hooks:
            hook(module)


@contextmanager
def _on_sys_path(folder: str) -> Iterator[None]:
    """`folder` at the end of sys.path for the block (as GoRay's driver does while it
    imports the py-defs file), unless it is there already. So the file's top-level
    imports find modules beside it; an import inside a function that runs later does
    not (as under GoRay)."""
    if folder in sys.path:
        yield
        return
    sys.path.append(folder)
    try:
        yield
    finally:
        for index in range(len(sys.path) - 1, -1, -1):  # ours: the last one
            if sys.path[index] == folder:
                del sys.path[index]
                break


def import_py_defs(path: str) -> ModuleType:
    """Runs the py-defs file once per process as a module that is NOT in
    sys.modules: cloudpickle then pickles the plain @ray.remote functions and
    classes defined there by value, so they work in any worker (docs/protocol.md §4).
    The file's folder is on sys.path while it runs, so it can import the modules
    beside it (``import helpers``), in the driver and in every worker."""
    with _lock:
        module = _py_defs_given.get(path)
        if module is not None:
            return module
        absolute = os.path.abspath(path)
        module = _py_defs.get(absolute)
        if module is not None:
            _py_defs_given[path] = module
            return module
        if not os.path.isfile(absolute):
            raise GorayError(f"py-defs file {path!r} not found ({absolute})")
        digest = hashlib.sha1(absolute.encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(f"goray_py_defs_{digest}", absolute)
        if spec is None or spec.loader is None:
            raise GorayError(f"cannot import py-defs file {absolute}")
        module = importlib.util.module_from_spec(spec)
        _py_defs[absolute] = module  # before running it: a re-entrant call must not run it twice
        before = set(sys.modules)
        try:
            with _on_sys_path(os.path.dirname(absolute)):
                spec.loader.exec_module(module)
        except BaseException:
            del _py_defs[absolute]
            raise
        _note_siblings(os.path.dirname(absolute), before)
        _py_defs_given[path] = module
        return module


def ensure_ready() -> Optional["_ffi.Library"]:
    """Loads the library and the py-defs file named by the environment, once.
    Returns the library (None when no library is configured)."""
    with _lock:
        library = _ffi.loaded_library()
        if library is None and os.environ.get(_ffi.BIN_PATH_ENV):
            library = _ffi.load_library()
        py_defs = os.environ.get(PY_DEFS_ENV)
        if py_defs:
            import_py_defs(py_defs)
        return library
