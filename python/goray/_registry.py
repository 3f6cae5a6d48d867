"""Python functions and classes that native code may call in-process.

``@goray.local`` registers a function; ``@goray.remote`` registers a function or a
class and returns a wrapper that stays an ordinary callable in-process and gains
``.remote(...)``/``.options(...)``, which import Ray only when called. Native code
names a registered object by its ``__name__``, or any importable function or class
by its dotted name (``"math.fsum"``, ``"collections.Counter"``).

Duplicate names: the last registration wins. Replacing an object defined elsewhere
(another module or qualified name) warns (RuntimeWarning); re-registering the same
definition (a module reload) does not.

Tests: tests/python/test_registry.py, tests/python/test_fastpath_native2py.py,
tests/python/test_handlers.py, tests/python/test_fuzz_native2py.py, tests/python/test_ffi.py,
tests/ray/test_py_defs_siblings.py
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
import warnings
from typing import Any, Callable, Dict, NamedTuple, Optional, Set, Tuple, TypeVar

from ._protocol import PY_DEFS_ENV
from .errors import UnknownNameError

__all__ = ["local", "remote", "find_function", "find_class", "RemoteFunction",
           "RemoteClass", "registered_functions", "registered_classes"]

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_functions: Dict[str, Callable[..., Any]] = {}
_classes: Dict[str, type] = {}
# Ray options declared with @goray.remote(...), by registered name.
_declared: Dict[str, Dict[str, Any]] = {}
# Dotted names resolved by import: imported_key(name, want_class) -> object.
_imported: Dict[Tuple[str, bool], Any] = {}


def imported_key(name: str, want_class: bool = False) -> Tuple[str, bool]:
    """The key of `name` in the table of names resolved by import."""
    return (name, want_class)


class FunctionTables(NamedTuple):
    """The live tables :func:`find_function` reads, for goray._fastpath, which looks
    a task up in them itself (with the GIL held, never writing):

    functions: {name: callable}, what ``@goray.local`` and ``@goray.remote`` registered.
    imported: {imported_key(name): callable}, what find_function resolved by import.

    find_function(name) is ``functions[name]``, else ``imported[imported_key(name)]``,
    else an import (recorded in ``imported``). Both are updated in place, never
    replaced, so the tables handed out stay the ones find_function reads."""

    functions: Dict[str, Callable[..., Any]]
    imported: Dict[Tuple[str, bool], Any]


def function_tables() -> FunctionTables:
    """The tables find_function reads (see :class:`FunctionTables`)."""
    return FunctionTables(_functions, _imported)


def _origin(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


def _register(table: Dict[str, Any], obj: Any) -> None:
    name = obj.__name__
    with _lock:
        previous = table.get(name)
        table[name] = obj
    if previous is not None and previous is not obj and _origin(previous) != _origin(obj):
        warnings.warn(f"goray: {name!r} registered again: {_origin(obj)} replaces "
                      f"{_origin(previous)}", RuntimeWarning, stacklevel=4)


def _unwrap(obj: Any) -> Any:
    return obj._goray_original if isinstance(obj, (RemoteFunction, RemoteClass)) else obj


def local(function: F) -> F:
    """Registers a Python function (or, as GoRay allows, a class) that native code
    calls in-process, by its ``__name__``; returns it unchanged."""
    original = _unwrap(function)
    if isinstance(original, type):
        _register(_classes, original)  # for NewPyLocalInstance, as in GoRay
        return function
    if not callable(original):
        raise TypeError(f"@goray.local takes a function or a class, got {type(function).__name__}")
    _register(_functions, original)
    return function


def remote(*args: Any, **options: Any) -> Any:
    """``@goray.remote`` or ``@goray.remote(num_cpus=1, ...)`` on a function or class.

    Registers it for native in-process callers and returns a wrapper that calls it
    as usual in-process and offers ``.remote()``/``.options()`` through Ray."""
    if len(args) == 1 and not options and callable(args[0]):
        return _make_remote(args[0], {})
    if args:
        raise TypeError("@goray.remote takes one function or class, or only keyword "
                        "options: @goray.remote(num_cpus=1)")
    return functools.partial(_make_remote, options=options)


def _make_remote(obj: Any, options: Dict[str, Any]) -> Any:
    obj = _unwrap(obj)
    with _lock:
        _declared[getattr(obj, "__name__", "")] = dict(options)
    if isinstance(obj, type):
        _register(_classes, obj)
        return RemoteClass(obj, options)
    if callable(obj):
        _register(_functions, obj)
        return RemoteFunction(obj, options)
    raise TypeError(f"@goray.remote takes a function or a class, got {type(obj).__name__}")


def make_ray_remote(original: Any, options: Dict[str, Any]) -> Any:
    """``ray.remote`` of a registered object. The only place this module imports Ray."""
    ray = importlib.import_module("ray")  # Ray only when .remote()/.options() is used
    return ray.remote(**options)(original) if options else ray.remote(original)


class _RemoteBase:
    """What both wrappers share: the original, the options and the lazy Ray object."""

    _goray_original: Any
    _goray_options: Dict[str, Any]

    def __init__(self, original: Any, options: Dict[str, Any]) -> None:
        object.__setattr__(self, "_goray_original", original)
        object.__setattr__(self, "_goray_options", dict(options))
        object.__setattr__(self, "_goray_ray", None)
        object.__setattr__(self, "_goray_lock", threading.Lock())

    def _ray_object(self) -> Any:
        ray_object = self.__dict__["_goray_ray"]
        if ray_object is None:
            with self.__dict__["_goray_lock"]:
                ray_object = self.__dict__["_goray_ray"]
                if ray_object is None:
                    ray_object = make_ray_remote(self._goray_original, self._goray_options)
                    object.__setattr__(self, "_goray_ray", ray_object)
        return ray_object

    def remote(self, *args: Any, **kwargs: Any) -> Any:
        """Submits it through Ray (imports Ray)."""
        return self._ray_object().remote(*args, **kwargs)

    def options(self, **options: Any) -> Any:
        """Ray's ``.options(...)`` (imports Ray)."""
        return self._ray_object().options(**options)

    def __reduce__(self) -> Any:
        original = self._goray_original
        name = getattr(original, "__module__", "")
        module = sys.modules.get(name, None)
        if (module is not None and name not in _by_value_modules
                and getattr(module, original.__qualname__, None) is self):
            return (_lookup_by_name, (original.__module__, original.__qualname__))
        return (type(self), (original, self._goray_options))

    def __repr__(self) -> str:
        return f"<goray.remote {_origin(self._goray_original)}>"


# Modules whose @goray.remote objects travel by value, not by name: those beside a py-defs
# file, which a worker cannot import (goray._process_setup names them).
_by_value_modules: Set[str] = set()


def pickle_by_value(module: str) -> None:
    """@goray.remote objects of `module` pickle whole from now on, not as its name."""
    _by_value_modules.add(module)


def _lookup_by_name(module: str, qualname: str) -> Any:
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


class RemoteFunction(_RemoteBase):
    """A ``@goray.remote`` function: callable in-process, ``.remote()`` through Ray."""

    def __init__(self, function: Callable[..., Any], options: Dict[str, Any]) -> None:
        super().__init__(function, options)
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._goray_original(*args, **kwargs)


class RemoteClass(_RemoteBase):
    """A ``@goray.remote`` class: calling it builds an ordinary instance in-process;
    ``isinstance(x, Wrapper)`` works; ``.remote()`` creates a Ray actor."""

    def __init__(self, cls: type, options: Dict[str, Any]) -> None:
        super().__init__(cls, options)
        functools.update_wrapper(self, cls, updated=())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._goray_original(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # class attributes, static methods
        if name.startswith("_goray_"):
            raise AttributeError(name)
        return getattr(self._goray_original, name)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self._goray_original)

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self._goray_original)


def declared_options(name: str) -> Dict[str, Any]:
    """The Ray options a @goray.remote(...) declaration gave `name` ({} if none)."""
    return dict(_declared.get(name, {}))


def registered_functions() -> Dict[str, Callable[..., Any]]:
    """A copy of the registered functions by name."""
    with _lock:
        return dict(_functions)


def registered_classes() -> Dict[str, type]:
    """A copy of the registered classes by name."""
    with _lock:
        return dict(_classes)


def _import_dotted(name: str) -> Optional[Any]:
    """The object a dotted name denotes (longest importable module prefix, then
    attributes), or None when there is none."""
    parts = name.split(".")
    if len(parts) < 2 or not all(parts):
        return None
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            # Only "this module does not exist" means: try a shorter prefix.
            missing = error.name or ""
            if module_name != missing and not module_name.startswith(missing + "."):
                raise
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return None
        return obj
    return None


def _find(name: str, table: Dict[str, Any], want_class: bool, kind: str) -> Any:
    obj = table.get(name)
    if obj is not None:
        return obj
    key = imported_key(name, want_class)
    obj = _imported.get(key)
    if obj is not None:
        return obj
    obj = _import_dotted(name)
    ok = obj is not None and (isinstance(obj, type) if want_class else callable(obj))
    if not ok:
        known = sorted(table)
        message = UnknownNameError.describe(kind, name, known) + _no_py_defs_hint()
        raise UnknownNameError(kind, name, known, message=message)
    obj = _unwrap(obj)
    _imported[key] = obj
    return obj


def _no_py_defs_hint() -> str:
    """Why a name may be missing when this process was given no py-defs file."""
    if os.environ.get(PY_DEFS_ENV):
        return ""
    return (". No py-defs file was given, so only what this program registered is known: "
            "name the file that defines it with `goray --py-defs FILE LIBRARY` or "
            "goray.init(library, py_defs_path=FILE)")


def find_function(name: str) -> Callable[..., Any]:
    """The function native code calls ``name``: registered, else importable."""
    function: Callable[..., Any] = _find(name, _functions, False, "Python function")
    return function


def find_class(name: str) -> type:
    """The class native code calls ``name``: registered, else importable."""
    cls: type = _find(name, _classes, True, "Python class")
    return cls
