"""py-defs part for the streaming tests (imported by defs.py): Python generator tasks
and a Python actor with a generator method, for C++ consumers."""
import sys

import ray.cloudpickle

import goray

# Ray pickles Python actor classes; this module is importable in the driver only (it is
# beside the py-defs file, which workers load after unpickling), so by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])

__all__ = ["py_count", "py_fail_after", "py_array_parts", "PyRange"]


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


@goray.remote
def py_array_parts(a, parts):
    """A flat array (a large one reaches the task out of band) in `parts` ndarray items."""
    flat = a.reshape(-1)
    step = -(-flat.size // parts)
    for begin in range(0, flat.size, step):
        yield flat[begin:begin + step]


@goray.remote
class PyRange:
    """A Python actor with a generator method (C++ streams it with RemoteStream)."""

    def __init__(self, prefix):
        self.prefix = prefix

    def items(self, n):
        for i in range(n):
            yield f"{self.prefix}{i}"

    def plain(self):
        return self.prefix
