"""goray on Ray. Importing this package imports no Ray; its modules do. Its folders are
its layers (.importlinter), each importing only those below it:

- :mod:`.driver`: goray.init / goray.start;
- :mod:`.native2py`: the Native2Py commands native code sends to use Ray
  (docs/protocol.md §3), by family;
- :mod:`.py2native`: Python calling native tasks and actors through Ray
  (goray.golang_task / golang_actor_class, goray.stream, goray.map's chunks);
- :mod:`.streaming`: streaming generators, both directions;
- :mod:`.worker`: the Ray task and actor bodies, and how their failures read;
- :mod:`.values`: what Ray stores for goray (NativeBlock), refs inside values,
  scattered blocks, native readers' gets;
- :mod:`.submission`: Ray options, prepared submissions, the library's features;
  :mod:`.cancellation`: ray.cancel, cancelled streams, interrupts in workers;
- :mod:`.compat`: the Ray releases goray supports and the Ray internals it uses.

The layers below never import this package: importing it registers the Ray layer
with them (still without importing Ray). goray._handlers then serves the first Ray
command of a process where Ray runs by installing :mod:`.native2py.commands`' handlers,
and goray._codec packs ObjectRefs inside values through :mod:`.values.nested` once Ray
is imported; and goray._ffi tells it when the library is loaded, so that in a Ray worker
a native crash in any call reaches its caller (:mod:`.worker.crashes`). (``import goray``
imports this package: goray.init lives here.)

Tests: tests/python/test_ray_layer.py, tests/python/test_ray_releases.py,
tests/ray/test_submit_batch_ray.py, tests/ray/test_ray_internals.py,
tests/ray/test_bytes_handoff_ray.py, tests/ray/test_failure_payload_ray.py
"""

import sys
from typing import Any

from .. import _codec, _handlers
from .._ffi import on_library_loaded


def _install_ray_commands() -> None:
    """Installs the Ray commands' handlers (goray._handlers calls it on the first Ray
    command of a process where Ray runs)."""
    from .native2py import commands
    commands.install()


def _load_ref_hooks() -> None:
    """Sets goray._codec's ref hooks (goray._codec calls it when it packs a value of a
    type msgpack does not know, in a process that imported Ray)."""
    from .values import nested  # noqa: F401  (sets _codec.ref_hooks on import)


def _on_library_loaded(library: Any) -> None:
    """In a process where Ray runs, whatever loaded the library (goray.data's UDFs, a
    user's own task calling goray in-process): crash reports reach the caller
    (worker.crashes.on_library_loaded). Elsewhere nothing: Ray is not imported here."""
    if "ray" in sys.modules:
        from .worker import crashes
        crashes.on_library_loaded(library)


_handlers.set_ray_commands_loader(_install_ray_commands)
_codec.set_ref_hooks_loader(_load_ref_hooks)
on_library_loaded(_on_library_loaded)
