"""Python definitions for app.cpp (--py-defs): imported by the driver and every worker."""
import ray

import goray


@goray.remote                 # a Python task, callable from C++ (and Python)
def square(x):
    return x * x


@goray.remote
class Storage:
    def __init__(self):
        self.kv = {}

    def put(self, k, v):
        self.kv[k] = v

    def get(self, k):
        return self.kv.get(k)


@goray.local                  # a Python function C++ calls in-process
def report(sq, n, py):
    print(f"Python report: sq={sq} n={n} py={py}")
    print("  Python -> C++ task:     Square(3) =", ray.get(goray.golang_task("Square").remote(3.0)))
    c = goray.golang_actor_class("Counter").remote(0)
    print("  Python -> C++ actor:    Counter.Incr(1) =", ray.get(c.Incr.remote(1)))
    print("  Python -> C++ in-process: Square(4) =", goray.golang_local_run_task("Square", 4.0))
    with goray.golang_local_new_actor("Counter", 5) as local:
        print("  Python -> C++ local actor: Counter(5).Incr(1) =", local.Incr(1))
