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
Nothing here imports Ray before a map runs.
"""
