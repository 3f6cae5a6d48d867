"""py-defs part (imported by defs.py): a Python stage for graphs of actor method calls
beside C++ stages (tests/ray/test_compiled_graphs.py, and the raytest driver's
"graphs" scenario)."""
import sys

import ray.cloudpickle

import goray

# Ray pickles Python actor classes; this module is importable in the driver only (it is
# beside the py-defs file, which workers load after unpickling), so by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])

__all__ = ["PyGraphStage", "PyGraphStageCallingCpp", "graph_times", "record_graph_time"]

# The p50s the C++ driver's "graph_bench" scenario measured (bench/compiled_graphs.py).
graph_times = []


@goray.local
def record_graph_time(seconds):
    graph_times.append(seconds)


@goray.remote
class PyGraphStage:
    def __init__(self, add):
        self.add = add

    def step(self, x):
        return x + self.add

    def scale(self, a):
        return a * self.add


@goray.remote
class PyGraphStageCallingCpp:
    """step(x) as PyGraphStage's; step_in_cpp(x) calls an in-process C++ GraphStage's Step
    instead: the path a C++ actor's Python-value method takes (bench/compiled_graphs.py)."""

    def __init__(self, add):
        self.add = add
        self.local = goray.golang_local_new_actor("GraphStage", add)

    def step(self, x):
        return x + self.add

    def step_in_cpp(self, x):
        return self.local.Step(x)
