"""goray on Ray, by protocol direction (docs/protocol.md §3). Importing this
package imports no Ray; its modules do:

- :mod:`.py2native`: Python calling native tasks and actors through Ray
  (goray.golang_task / goray.golang_actor_class submit through it);
- :mod:`.native2py`: the Native2Py commands native code sends to use Ray
  (submissions, objects, actors, batches), by family in ``native2py_calls``,
  ``native2py_objects``, ``native2py_actors`` and ``native2py_batch``, with
  ``native2py_entries`` (the objects store's entries by id) and
  ``native2py_failures`` (failures as native code reads them);
- :mod:`.bodies`: the Ray task and actor bodies that run in the workers;
- :mod:`.objects`: what Ray stores for goray (NativeBlock) and how bytes travel;
- :mod:`.scatter`: scattered blocks (large arrays apart: calls, 43/44 results, lent
  GetObject replies);
- :mod:`.nested`: ObjectRefs and actor handles inside values;
- :mod:`.submit`: prepared Ray submissions and their caches;
- :mod:`.features`: EnableFeatures, the features turned on in the library;
- :mod:`.options`: Ray options from the call JSON, goray's environment;
- :mod:`.driver`: goray.init / goray.start.

The layers below never import this package: importing it registers the Ray layer
with them (still without importing Ray). goray._handlers then serves the first Ray
command of a process where Ray runs by installing :mod:`.native2py`'s handlers, and
goray._codec packs ObjectRefs inside values through :mod:`.nested` once Ray is
imported. (``import goray`` imports this package: goray.init lives here.)
"""

from .. import _codec, _handlers


def _serve_ray_commands() -> None:
    """Installs the Ray commands' handlers (goray._handlers calls it on the first Ray
    command of a process where Ray runs)."""
    from . import native2py
    native2py.install()


def _load_ref_hooks() -> None:
    """Sets goray._codec's ref hooks (goray._codec calls it when it packs a value of a
    type msgpack does not know, in a process that imported Ray)."""
    from . import nested  # noqa: F401  (sets _codec.ref_hooks on import)


_handlers.set_ray_commands_loader(_serve_ray_commands)
_codec.set_ref_hooks_loader(_load_ref_hooks)
