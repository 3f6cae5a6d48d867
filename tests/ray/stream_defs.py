"""py-defs part for the streaming tests (imported by defs.py): Python generator tasks."""
import goray


@goray.remote
def py_count(n):
    """0..n-1, one item at a time (C++ consumes it with RemoteStreamPyTask)."""
    for i in range(n):
        yield i


@goray.remote
def py_fail_after(n):
    """0..n-1, then a ValueError naming how many items came before it."""
    for i in range(n):
        yield i
    raise ValueError(f"py stream broke after {n} items")
