"""goray.map's engine (docs/map.md): a task, an actor method or a Python function over
many items, in chunks, each chunk one Ray call whose loop runs where the callee lives
(in C++ for a native callee: goray._ray.py2native.map_chunks).

The layers, each importing only those below it:
    api       goray.map, goray.imap, goray.map_chunks, goray.map_refs, goray.ActorPool
    runner    submits chunks, bounds those in flight, orders, reports failures, cancels
    targets   what a callee is and how one of its chunks is submitted (imports Ray)
    inputs    iterables and broadcast values as columns, cut into chunks
    plan      chunk sizes from the measured cost of an item
    progress  the progress bar
    output    the results' array in shared memory, written in place by chunks on this node
and beside them: native (goray::Map's Python side, called by dotted name from C++) and
types (what the forms read a callee's result types from, for type checkers).
Nothing here imports Ray before a map runs. The names below are its API (goray exports
them).

Tests: tests/python/test_map_inputs.py, tests/ray/test_map.py,
tests/renderers/test_gen_user_typing.py, tests/docs/test_docs_site.py
"""

from .api import ActorPool, MapRefs, imap, imap_unordered, map, map_chunks, map_refs

__all__ = ["map", "imap", "imap_unordered", "map_chunks", "map_refs", "ActorPool", "MapRefs"]
