"""An application's typed entries: its CPython extension module ``_<name>_entries``
(goray_add_app builds it beside ``<name>.py``; docs/protocol.md §17, docs/guide.md
"In-process calls").

The module's functions are the application's tasks, its types the local actor types:
each call converts the arguments straight to the C++ parameters and calls the library's
typed entry, no msgpack in between. It binds itself to the loaded library (the table
goray._ffi read as it loaded it). This module is how goray finds it: :func:`load` (the
stubs' ``local``), :func:`typed_tasks` and :func:`typed_actor_types`
(golang_local_run_task and golang_local_new_actor, for the loaded library's
application); and the result the library packs for a type the module cannot name
(:func:`packed_result`).

Tests: tests/renderers/test_gen_typed_entries.py
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
from types import ModuleType
from typing import Any, Callable, Dict, Optional

from . import _codec, _ffi, _local, _traits

__all__ = ["load", "register", "module_name", "typed_tasks", "typed_actor_types",
           "entries_module", "packed_result", "result_converter"]


def module_name(app_name: str) -> str:
    """The typed entries' module of application `app_name` (goray-gen's
    model_entries.module_name: every character that is no identifier's an underscore)."""
    return "_" + "".join(c if c.isalnum() or c == "_" else "_" for c in app_name) + "_entries"


# ---- what the entries module calls ---------------------------------------------------------

def packed_result(type_name: str, name: str, block: bytes) -> Any:
    """A typed call's result the module cannot convert (a type the header cannot name,
    goray::Value), packed by the library: as the codec path gives it, enums made members."""
    callee = f"{type_name}.{name}" if type_name else name
    result = _codec.unpack_result_block(block, callee)
    converter = _local.result_converter(_ffi.get_library(), type_name, name)
    return result if converter is None else converter(result)


def result_converter(type_name: str, name: str) -> Optional[Callable[[Any], Any]]:
    """What makes the enums of a result of `type_name`.`name` (task `name` when
    `type_name` is "") members, or None: the module asks once per callee."""
    return _local.result_converter(_ffi.get_library(), type_name, name)


# ---- finding an application's entries ------------------------------------------------------

_lock = threading.RLock()  # (an entries module registers itself while load() imports it)
_MISSING = object()
_found: Dict[str, Any] = {}  # app name -> its module, or _MISSING


def load(app_name: str, near: Optional[str] = None) -> Optional[ModuleType]:
    """The typed entries' module of `app_name`, imported by name (from sys.path), else
    from the folder of `near` (a stub's __file__) or of the loaded library; None when
    there is none, or it cannot be loaded here (another Python's build: the codec path
    then serves)."""
    found = _found.get(app_name)
    if found is not None:
        return None if found is _MISSING else found
    with _lock:
        found = _found.get(app_name)
        if found is None:
            found = _import(app_name, near) or _MISSING
            # A miss is final once a library is loaded (its folder was looked in too).
            if found is not _MISSING or _ffi.loaded_library() is not None:
                _found[app_name] = found
    return None if found is _MISSING else found


def _import(app_name: str, near: Optional[str]) -> Optional[ModuleType]:
    name = module_name(app_name)
    module = sys.modules.get(name)
    if module is not None:
        return module
    try:
        return importlib.import_module(name)
    except ImportError:
        pass
    folders = []
    if near:
        folders.append(os.path.dirname(os.path.abspath(near)))
    library = _ffi.loaded_library()
    if library is not None:
        folders.append(os.path.dirname(library.path))
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, name + suffix)
            if os.path.isfile(path):
                return _import_file(name, path)
    return None


def _import_file(name: str, path: str) -> Optional[ModuleType]:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so its functions pickle by reference
    try:
        spec.loader.exec_module(module)
    except ImportError:
        del sys.modules[name]
        return None
    return module


def register(module: ModuleType) -> None:
    """What an entries module calls as it is imported: its actor types are
    goray.LocalActor's, and goray finds it for its application."""
    for actor_type in getattr(module, "__goray_actors__", {}).values():
        _local.LocalActor.register(actor_type)
    app_name = getattr(module, "__goray_app__", "")
    with _lock:
        _found.setdefault(app_name, module)


def entries_module(library: "_ffi.Library") -> Optional[ModuleType]:
    """The typed entries' module of the loaded library's application, or None."""
    name = _traits.app_traits(library).name
    return load(name) if name else None


def typed_tasks() -> Dict[str, Any]:
    """C++ task name -> its typed entry, for the loaded library (empty: none)."""
    module = entries_module(_ffi.get_library())
    return dict(getattr(module, "__goray_tasks__", {})) if module is not None else {}


def typed_actor_types(library: "_ffi.Library") -> Dict[str, Any]:
    """C++ actor type name -> its local actor type, for `library` (empty: none)."""
    module = entries_module(library)
    return dict(getattr(module, "__goray_actors__", {})) if module is not None else {}


_local.set_typed_actor_types(typed_actor_types)
_fast = _local._fast  # goray._fastpath (None without it: the first call says how to build it)
if _fast is not None:
    _fast.set_typed_tasks(typed_tasks)
