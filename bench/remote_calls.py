"""Remote call throughput on one local Ray, ours against a reference, interleaved.

  task:         from Python, 2000 golang_task("Noop").remote() vs 2000 Python
                @ray.remote no-ops, submitted then fetched (one ray.get of the list)
  actor:        from Python, 2000 calls of a C++ actor's no-op vs a Python actor's
  driver_task:  2000 C++ no-op tasks from the C++ driver (RemoteCall("Noop"), then
                every result fetched) vs the same tasks from the Python driver
                (ray.get([golang_task("Noop").remote() ...]))
  driver_actor: 2000 calls of one C++ actor's no-op from the C++ driver
                (handle.RemoteCall("Noop")) vs from the Python driver
                (actor.Noop.remote()), the same actor
  driver_counter: 2000 calls of one C++ Counter's Incr(1) (an int64 in, an int64 out)
                from the C++ driver through a goray::ActorHandle
                (counter.RemoteCall("Incr", 1), then one goray::Get of the vector) vs
                from the Python driver (ray.get([counter.Incr.remote(1) ...])), the
                same actor; the C++ driver checks that each result is one more than
                the one before (the calls ran in the order submitted)
  driver_counter_typed: the same through goray-gen's typed handle
                (bench_remote::CounterHandle: counter.Incr(1).Remote())
  driver_*_each: each pair above, each result fetched on its own after all are
                submitted (goray::Get / Future::Get per ref vs ray.get per ref)
  public_task, public_driver_task, public_driver_actor (with --public): goray's own
                submissions through Ray's public API (what a Ray without goray's internal
                paths runs, GORAY_RAY_INTERNALS=0) vs through the internal paths, from
                Python and from the C++ driver (docs/performance.md: target >= 0.8)
Ratios are our throughput / the reference's (task, actor: target >= 0.9; driver_task,
driver_actor: >= 1.0; driver_counter*: >= 0.9), medians of rounds; the spread is the lowest..highest per-round
ratio. Then the CPU each call cost, medians: the driver process's (Python, the C++
driver and Ray's core-worker threads) and the whole local Ray session's; ratio =
reference / ours. With --threads, the same per thread of every process of the session
(the driver's Python main thread, the runtime's flusher, Ray's core-worker threads, the
actors' workers), µs of CPU per call, ours against the reference.
Last lines: remote ratio task=X actor=Y driver_task=Z ... (every pair run), then
remote driver cpu ratio (the same pairs)

Usage: python bench/remote_calls.py path/to/libbench_remote.so [--rounds N] [--calls N]
       [--only PAIR,...] [--public] [--threads]
Runs under any supported Ray (bash scripts/bench.sh --ray 2.40.0 remote: docs/benchmarks.md).
"""
import argparse
import os
import statistics

import ray

import goray
from goray import _process_setup
from goray._ray import driver
from goray._ray.compat import internals
from goray._ray.py2native import callees as py2native
from goray._ray.submission import submit
from goray._ray.worker import bodies

from rounds import CpuMeter, ThreadMeter, timed  # bench/rounds.py, beside this script

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--only", default="",
                        help="comma-separated pairs to run (default: all)")
    parser.add_argument("--threads", action="store_true",
                        help="also CPU per call per thread of every process of the session")
    parser.add_argument("--public", action="store_true",
                        help="also goray's submissions through Ray's public API vs its internal paths")
    options = parser.parse_args()
    calls = options.calls

    library = goray.init(options.library, py_defs_path=os.path.join(HERE, "remote_defs.py"),
                         num_cpus=2, log_to_driver=False)
    defs = _process_setup.import_py_defs(os.path.join(HERE, "remote_defs.py"))

    @ray.remote
    def python_noop():
        return None

    @ray.remote
    class PySink:
        def Noop(self):
            return None

    cpp_task = goray.golang_task("Noop")
    # Named: the C++ driver calls the same actor (GetActor("bench_sink")).
    cpp_actor = goray.golang_actor_class("Sink", name="bench_sink").remote()
    counter = goray.golang_actor_class("Counter", name="bench_counter").remote()
    py_actor = PySink.remote()
    ray.get([cpp_actor.Noop.remote(), py_actor.Noop.remote(), counter.Incr.remote(0)])

    def cpp_driver(kind: str, each: bool = False) -> float:
        """One round timed inside the C++ driver (bench/bench_remote.cpp)."""
        key = kind + "_each" if each else kind
        before = len(defs.times.get(key, []))
        assert driver.run_driver(library, [kind, str(calls)] + (["each"] if each else [])) == 0
        return defs.times[key][before]

    def cpp_tasks() -> float:
        return timed(lambda: ray.get([cpp_task.remote() for _ in range(calls)]))

    def cpp_actor_calls() -> float:
        return timed(lambda: ray.get([cpp_actor.Noop.remote() for _ in range(calls)]))

    def counter_calls() -> float:
        return timed(lambda: ray.get([counter.Incr.remote(1) for _ in range(calls)]))

    def each(submit) -> float:
        def run() -> None:
            for ref in [submit() for _ in range(calls)]:
                ray.get(ref)
        return timed(run)

    def on_public_path(function, public: bool):
        """`function` with goray's submitters made for the public path (or the internal
        one): the switch is read when a submitter is made, so the caches are emptied."""
        def run() -> float:
            os.environ[submit.ENV] = "0" if public else "1"
            submit._submitters.clear()
            submit._method_submitters.clear()
            try:
                return function()
            finally:
                os.environ.pop(submit.ENV, None)
        return run

    # golang_task("Noop")'s submitter, on the public path (the call form as goray sends it).
    named = bodies.task_names()
    public_task = py2native._PythonCallerTask(submit.PublicTask(
        py2native.native_task("Noop"), {"name": bodies.python_caller_name("Noop")}) if named
        else submit.PublicTask(bodies.python_caller_task("Noop"), {}), False)

    pairs = {
        "task": (cpp_tasks, lambda: timed(lambda: ray.get([python_noop.remote() for _ in range(calls)]))),
        "actor": (cpp_actor_calls, lambda: timed(lambda: ray.get([py_actor.Noop.remote() for _ in range(calls)]))),
        "driver_task": (lambda: cpp_driver("task"), cpp_tasks),
        "driver_actor": (lambda: cpp_driver("actor"), cpp_actor_calls),
        "driver_counter": (lambda: cpp_driver("counter"), counter_calls),
        "driver_counter_typed": (lambda: cpp_driver("counter_typed"), counter_calls),
        "driver_task_each": (lambda: cpp_driver("task", True), lambda: each(cpp_task.remote)),
        "driver_actor_each": (lambda: cpp_driver("actor", True), lambda: each(cpp_actor.Noop.remote)),
        "driver_counter_each": (lambda: cpp_driver("counter", True),
                                lambda: each(lambda: counter.Incr.remote(1))),
        "driver_counter_typed_each": (lambda: cpp_driver("counter_typed", True),
                                      lambda: each(lambda: counter.Incr.remote(1))),
    }
    if options.public:
        pairs.update({
            "public_task": (lambda: timed(lambda: ray.get([public_task.remote() for _ in range(calls)])),
                            cpp_tasks),
            "public_driver_task": (on_public_path(lambda: cpp_driver("task"), True),
                                   on_public_path(lambda: cpp_driver("task"), False)),
            "public_driver_actor": (on_public_path(lambda: cpp_driver("actor"), True),
                                    on_public_path(lambda: cpp_driver("actor"), False)),
        })
    if options.only:
        wanted = options.only.split(",")
        unknown = sorted(set(wanted) - set(pairs))
        if unknown:
            parser.error(f"--only: no pair {', '.join(unknown)} (pairs: {', '.join(pairs)})")
        pairs = {name: pairs[name] for name in wanted}
    for ours, theirs in pairs.values():  # warm-up: workers started, code loaded
        ours()
        theirs()
    samples = {name: ([], []) for name in pairs}
    driver_cpu = {name: ([], []) for name in pairs}  # CPU seconds per round, this process
    session_cpu = {name: ([], []) for name in pairs}  # and the whole local Ray
    meter = CpuMeter()
    threads = ThreadMeter() if options.threads else None
    thread_cpu = {name: ({}, {}) for name in pairs}  # ns per thread name, summed over rounds
    for round_index in range(options.rounds):
        for name, (ours, theirs) in pairs.items():
            order = [(0, ours), (1, theirs)] if round_index % 2 == 0 else [(1, theirs), (0, ours)]
            for slot, function in order:
                before = threads.read() if threads else None
                elapsed, own, total = meter.measured(function)
                if threads:
                    for thread, ns in ThreadMeter.spent(before, threads.read()).items():
                        sums = thread_cpu[name][slot]
                        sums[thread] = sums.get(thread, 0) + ns
                samples[name][slot].append(elapsed)
                driver_cpu[name][slot].append(own)
                session_cpu[name][slot].append(total)

    print(f"Ray {ray.__version__}; goray's internal paths: "
          + ", ".join(f"{path.name} {'taken' if path.found else 'public'}"
                      for path in internals.paths()[:3]))
    print(f"{'pair':19} {'ours calls/s':>12} {'reference':>10} {'ratio':>7}  (median of {options.rounds} rounds x {calls})")
    ratios = {}
    for name, (ours, theirs) in samples.items():
        ours_rate, theirs_rate = calls / statistics.median(ours), calls / statistics.median(theirs)
        per_round = sorted(t / o for o, t in zip(ours, theirs))
        ratios[name] = ours_rate / theirs_rate
        print(f"{name:19} {ours_rate:12.0f} {theirs_rate:10.0f} {ratios[name]:7.3f}  "
              f"spread {per_round[0]:.3f}..{per_round[-1]:.3f}")
    print(f"\nCPU per call, medians (us): the driver process (all its threads), then the whole "
          f"local Ray session; ratio = reference / ours (above 1: ours costs less)")
    cpu_ratios = {}
    for name in pairs:
        mine, plain = (statistics.median(driver_cpu[name][slot]) / calls * 1e6 for slot in (0, 1))
        all_mine, all_plain = (statistics.median(session_cpu[name][slot]) / calls * 1e6
                               for slot in (0, 1))
        cpu_ratios[name] = plain / mine
        print(f"{name:19} driver {mine:6.0f} vs {plain:6.0f}  ratio {plain / mine:5.2f}   "
              f"session {all_mine:6.0f} vs {all_plain:6.0f}  ratio {all_plain / all_mine:5.2f}")
    if threads:
        print(f"\nCPU per call per thread (us, means over {options.rounds} rounds), ours vs "
              f"reference; threads of 5 us or more on either side, largest first")
        for name in pairs:
            ours_ns, theirs_ns = thread_cpu[name]
            scale = 1e-3 / (calls * options.rounds)
            rows = sorted(((max(ours_ns.get(t, 0), theirs_ns.get(t, 0)) * scale, t)
                           for t in set(ours_ns) | set(theirs_ns)), reverse=True)
            total = sum(ours_ns.values()) * scale, sum(theirs_ns.values()) * scale
            print(f"{name}: all threads {total[0]:.0f} vs {total[1]:.0f}")
            for largest, thread in rows:
                if largest < 5:
                    break
                print(f"  {thread:40} {ours_ns.get(thread, 0) * scale:7.1f} vs "
                      f"{theirs_ns.get(thread, 0) * scale:7.1f}")
    ray.shutdown()
    print("remote ratio " + " ".join(f"{name}={ratio:.3f}" for name, ratio in ratios.items()))
    print("remote driver cpu ratio " + " ".join(f"{name}={ratio:.2f}" for name, ratio in cpu_ratios.items()))


if __name__ == "__main__":
    main()
