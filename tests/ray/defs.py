"""py-defs for the Ray tests: imported by the driver and by every worker."""
import goray

from async_defs import *  # noqa: F401,F403  (Python async actors C++ calls)
from stream_defs import *  # noqa: F401,F403  (Python generator tasks C++ consumes)
from graph_defs import *  # noqa: F401,F403  (a Python stage of graphs)


@goray.remote
def py_square(x):
    return x * x


@goray.remote
def py_text(text):
    return f"<{text}>"


@goray.remote
def py_fail(text):
    raise ValueError(text)


@goray.remote
def py_identity(value):
    return value


@goray.remote
class Storage:
    def __init__(self):
        self.kv = {}

    def put(self, key, value):
        self.kv[key] = value

    def get(self, key):
        return self.kv.get(key)


@goray.remote
class Holder:
    """Keeps the value it was made with (native code may pass it by ref)."""
    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


@goray.local
def store_sizes():
    from goray import _stores
    return [len(_stores.objects), len(_stores.actors)]


@goray.remote
def py_kind(value):
    """The type a task receives (bytes, memoryview, ndarray) and whether it is writable."""
    view = memoryview(value) if not isinstance(value, (int, float, str, list, dict)) else None
    return [type(value).__name__, None if view is None else not view.readonly]


@goray.remote
def py_call_actor(handle, method, *args):
    """Calls an actor handle received as an argument (a value native code sent)."""
    import ray
    return ray.get(getattr(handle, method).remote(*args))


@goray.remote
def py_get_all(refs):
    """The values of the refs received inside a list (not resolved by Ray)."""
    import ray
    return ray.get(list(refs))


@goray.remote
def raytest_map_length(text):
    """goray::MapPython's function in the driver's "map" scenario (tests/ray/test_map.py)."""
    return len(text)
