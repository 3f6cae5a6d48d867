"""goray: Python and native code (C++ built with goray for C++, or Go built with
GoRay) calling each other, in-process and through Ray.

This package's core imports no Ray: ``import goray`` never does. In-process use:

    import goray
    goray.load_library("./build/librayapp.so")     # or set GORAY_BIN_PATH
    goray.golang_local_run_task("Add", 1, 2)       # -> 3

    @goray.local
    def report(x): ...                             # native code calls it by name

With Ray (imported only then):

    goray.init("./build/librayapp.so", py_defs_path="app.py")
    ray.get(goray.golang_task("Square").remote(2.0))      # -> 4.0
    counter = goray.golang_actor_class("Counter").remote(1)
    ray.get(counter.Incr.remote(2))                       # -> 3
    for value in goray.stream(goray.golang_task("CountUp"), 5): ...  # a generator's values
    goray.start("./build/librayapp.so", "app.py")         # init + the C++ driver
    goray.shutdown()                                      # ray.shutdown(), typed
"""
# Tests: tests/ray/test_map.py, tests/renderers/test_gen_cmake.py,
# tests/python/test_handlers.py, tests/ray/test_ray_data.py, tests/ray/test_value_streams.py,
# tests/python/test_streams_local.py

import logging as _logging
import os as _os
import typing as _typing

if _os.environ.get("GORAY_DEBUG_LOGGING"):  # docs/protocol.md §4: Python debug logs
    _handler = _logging.StreamHandler()
    _handler.setFormatter(_logging.Formatter("%(asctime)s goray %(levelname)s %(message)s"))
    _logging.getLogger("goray").addHandler(_handler)
    _logging.getLogger("goray").setLevel(_logging.DEBUG)

from ._codec import Unresolved
from ._ray.driver import init, shutdown, start
from ._ffi import load_library
from ._native_remote import golang_actor_class, golang_task, stream
from ._local import LocalActor, golang_local_new_actor, golang_local_run_task
from . import _entries as _entries  # an application's typed entries, found for the calls above
from ._registry import local, remote
from ._streams_local import LocalStream
from .errors import (ArgumentError, GorayError, MapArgumentError, MapItemError, NativeCrash,
                     NativeError, NotUTF8Error, UnknownNameError)
from ._map import ActorPool, MapRefs, imap, imap_unordered, map, map_chunks, map_refs

from ._version import __version__

if _typing.TYPE_CHECKING:
    from ._ray.py2native.value_streams import ItemStream as ItemStream


def __getattr__(name: str) -> _typing.Any:
    """goray.ItemStream (what goray.stream returns), imported with Ray on first use (so
    not in __all__: a star import stays without Ray)."""
    if name == "ItemStream":
        from ._ray.py2native.value_streams import ItemStream
        return ItemStream
    raise AttributeError(f"module 'goray' has no attribute {name!r}")


__all__ = [
    "remote",
    "local",
    "load_library",
    "golang_local_run_task",
    "golang_local_new_actor",
    "LocalActor",
    "LocalStream",
    "GorayError",
    "NativeError",
    "NativeCrash",
    "NotUTF8Error",
    "UnknownNameError",
    "ArgumentError",
    "init",
    "start",
    "shutdown",
    "golang_task",
    "golang_actor_class",
    "stream",
    "Unresolved",
    "map",
    "imap",
    "imap_unordered",
    "map_chunks",
    "map_refs",
    "ActorPool",
    "MapRefs",
    "MapItemError",
    "MapArgumentError",
]
