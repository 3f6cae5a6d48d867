"""py-defs for the interop apps (tests/interop/cpp and go): imported by the driver and
by every worker, under GoRay's driver (goray==1.2.1) and under ours. Uses only
the API both packages share."""
import ray

import goray


@goray.remote
def py_square(x):
    return x * x


@goray.remote
def py_text(text):
    return f"<{text}>"


@goray.remote
class Storage:
    def __init__(self):
        self.kv = {}

    def put(self, key, value):
        self.kv[key] = value

    def get(self, key):
        return self.kv.get(key)


@goray.local
def py_local_add(a, b):
    return a + b


# GoRay also accepts @goray.local on a class; ours takes only functions there
# (docs/interop.md), so the class is registered the way both accept.
@goray.remote
class LocalAcc:
    def __init__(self, start):
        self.total = start

    def add(self, by):
        self.total += by
        return self.total


@goray.local
def py_local_square_native(x):
    return goray.golang_local_run_task("Square", x)


@goray.local
def py_len(data):
    return len(data)


@ray.remote
class PlainActor:
    """A plain Ray actor: no goray anywhere."""

    def ping(self, n):
        return f"pong {n}"


_plain = []


@goray.local
def make_plain_actor(name):
    _plain.append(PlainActor.options(name=name).remote())
    ray.get(_plain[-1].ping.remote(0))
    return True
