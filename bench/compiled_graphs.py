"""Round trips through one actor method on one local Ray, a C++ actor against a Python
actor doing the same, classic (`.remote()` then `ray.get`) and in a compiled graph
(`experimental_compile()`, `execute(x)` then `ray.get`), interleaved rounds, medians.

  classic:   GraphStage.Step(x) (C++, x + 1) vs PyGraphStage.step(x) (Python), each
             call `ray.get(actor.Step.remote(x))`
  compiled:  the same methods as one-node compiled graphs, `ray.get(graph.execute(x))`
  driver:    the C++ actor's compiled graph driven from the C++ driver (goray::Graph,
             Execute(x).Get(), timed inside Driver()) vs from Python (as `compiled`)
  incall:    what the call into C++ costs in a compiled graph: a Python actor whose
             step calls an in-process C++ GraphStage.Step (the path of a C++ actor's
             Python-value method) vs the same actor adding in Python
Each round times --calls round trips one by one and keeps their median (p50); the
figures are the medians of the rounds' p50s. Each compiled round is a new actor in a
new graph (compiled and torn down outside the timing), as is the C++ driver's. Ratios are the reference's time / ours
(higher is better for the C++ actor or driver; 1 is level); `speedup` is the C++ actor's
classic p50 / its compiled p50.
Last line: graph ratio classic=X compiled=Y driver=Z incall=V speedup=W

Usage: python bench/compiled_graphs.py [path/to/libraytest.so] [--rounds N] [--calls N]
"""
import argparse
import os
import statistics
import time

import ray
from ray.dag import InputNode

import goray
from goray import _process_setup
from goray._ray import driver

from rounds import interleaved, spread  # bench/rounds.py, beside this script

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFS = os.path.join(ROOT, "tests", "ray", "defs.py")


def p50_of(call, calls):
    """The median time of `calls` round trips, each timed on its own."""
    def run():
        times = []
        for x in range(calls):
            start = time.perf_counter()
            call(x)
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    return run


def fresh_graph(make_actor, method, calls):
    """A round on a new actor in a new one-node compiled graph (built and torn down
    outside the timing): which process lands where on a loaded machine moves a graph's
    p50 by 2x, so every round samples it anew rather than keeping one actor's luck."""
    def run():
        actor = make_actor()
        with InputNode() as inp:
            dag = getattr(actor, method).bind(inp)
        graph = dag.experimental_compile()
        try:
            ray.get(graph.execute(0))  # warm: the loops started
            return p50_of(lambda x: ray.get(graph.execute(x)), calls)()
        finally:
            graph.teardown()
            ray.kill(actor)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", nargs="?", default=os.path.join(ROOT, "build", "tests", "apps", "libraytest.so"))
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=2000, help="round trips per round")
    options = parser.parse_args()
    calls = options.calls

    library = goray.init(options.library, py_defs_path=DEFS, num_cpus=4, log_to_driver=False)
    defs = _process_setup.import_py_defs(DEFS)
    cpp_stage = goray.golang_actor_class("GraphStage")
    cpp_classic, py_classic = cpp_stage.remote(1), defs.PyGraphStage.remote(1)
    cpp_graph = fresh_graph(lambda: cpp_stage.remote(1), "Step", calls)
    py_graph = fresh_graph(lambda: defs.PyGraphStage.remote(1), "step", calls)
    def cpp_driver() -> float:
        """One round timed inside the C++ driver (tests/apps/raytest/graph_driver.cpp's
        "graph_bench": its own C++ actor and compiled graph, torn down at the end)."""
        before = len(defs.graph_times)
        assert driver.run_driver(library, ["graph_bench", str(calls)]) == 0
        return defs.graph_times[before]

    pairs = {
        "classic": (p50_of(lambda x: ray.get(cpp_classic.Step.remote(x)), calls),
                    p50_of(lambda x: ray.get(py_classic.step.remote(x)), calls)),
        "compiled": (cpp_graph, py_graph),
        "driver": (cpp_driver, cpp_graph),
        "incall": (fresh_graph(lambda: defs.PyGraphStageCallingCpp.remote(1), "step_in_cpp", calls),
                   fresh_graph(lambda: defs.PyGraphStageCallingCpp.remote(1), "step", calls)),
    }
    for ours, theirs in pairs.values():  # warm-up: workers started, code loaded
        ours(), theirs()

    print(f"(p50 of {calls} round trips per round, medians of {options.rounds} rounds; "
          f"{os.cpu_count()} cores)")
    print(f"{'pair':9} {'ours µs':>9} {'reference µs':>13} {'ratio':>6}")
    ratios, p50s = {}, {}
    for name, pair in pairs.items():
        ours, theirs = interleaved(pair, options.rounds)
        p50s[name] = (statistics.median(ours), statistics.median(theirs))
        ratios[name] = p50s[name][1] / p50s[name][0]
        print(f"{name:9} {p50s[name][0] * 1e6:9.1f} {p50s[name][1] * 1e6:13.1f} {ratios[name]:6.2f}  "
              f"{spread(ours, theirs, True)}")
    ratios["speedup"] = p50s["classic"][0] / p50s["compiled"][0]
    print(f"speedup   the C++ actor's classic p50 / its compiled p50: {ratios['speedup']:.1f}")
    ray.shutdown()
    print("graph ratio " + " ".join(f"{name}={value:.2f}" for name, value in ratios.items()))


if __name__ == "__main__":
    main()
