"""What crash reports cost a native call in a Ray worker, before and after issue 39 §3.

  before: each call first named its report file: the running task's id from Ray's
          runtime context, the path composed, GoraySetCrashReport through ctypes (what
          goray._ray.worker.crashes.name_report_file did, reproduced below), then the call with
          crash recovery off.
  after:  the call alone, with crash recovery on (a sigsetjmp landing point per call);
          the task's id is looked up only when a call crashed.
  bare:   the call alone with recovery off: after - bare is the landing point's cost.

Both run in one Ray actor (a worker, inside a task, as bodies run), interleaved in
rounds; the call is goray.golang_local_run_task("Add", 1, 2), the fast path Python
callers' bodies use. Figures are medians of per-call times.
Last line: crash-report cost before=Bns after=Ans saved=Sns ratio=R landing=Lns

Usage: python bench/crash_report_cost.py path/to/libbench_local.so [--rounds N] [--calls N]
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

import ray

import goray


def old_name_report_file(library, context, setter, directory) -> None:
    """goray 0.x's per-call naming (removed from goray._ray.worker.crashes)."""
    task_id = context.get_task_id()
    if task_id:
        setter(f"{directory}/{task_id}.txt".encode())


@ray.remote(num_cpus=0)
class Measure:
    def rounds(self, rounds: int, calls: int):
        from goray._ray.worker import bodies, crashes
        library = bodies.ready_library()
        dll = library._dll
        setter = dll.GoraySetCrashReport
        setter.argtypes = [ctypes.c_char_p]
        setter.restype = None
        recover = dll.GorayRecoverCrashes
        recover.argtypes = [ctypes.c_longlong]
        recover.restype = ctypes.c_longlong
        context = ray.get_runtime_context()
        directory = crashes.report_dir()
        run = goray.golang_local_run_task

        def before() -> float:
            recover(0)
            start = time.perf_counter()
            for _ in range(calls):
                old_name_report_file(library, context, setter, directory)
                run("Add", 1, 2)
            return (time.perf_counter() - start) / calls

        def after() -> float:
            recover(1)
            start = time.perf_counter()
            for _ in range(calls):
                run("Add", 1, 2)
            return (time.perf_counter() - start) / calls

        def bare() -> float:  # neither: what the landing point itself costs
            recover(0)
            start = time.perf_counter()
            for _ in range(calls):
                run("Add", 1, 2)
            return (time.perf_counter() - start) / calls

        assert run("Add", 1, 2) == 3
        before(), after(), bare()  # warm-up
        results = {"before": [], "after": [], "bare": []}
        for _ in range(rounds):
            results["before"].append(before())
            results["after"].append(after())
            results["bare"].append(bare())
        setter(b"")
        recover(1)
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    goray.init(os.path.abspath(args.library), num_cpus=1, include_dashboard=False)
    results = ray.get(Measure.remote().rounds.remote(args.rounds, args.calls))
    before = statistics.median(results["before"]) * 1e9
    after = statistics.median(results["after"]) * 1e9
    for name in ("before", "after", "bare"):
        times = sorted(t * 1e9 for t in results[name])
        print(f"{name:6}: median {statistics.median(times):7.1f} ns/call "
              f"(min {times[0]:.1f}, max {times[-1]:.1f}; {args.rounds} rounds of {args.calls})")
    bare = statistics.median(results["bare"]) * 1e9
    print(f"crash-report cost before={before:.0f}ns after={after:.0f}ns "
          f"saved={before - after:.0f}ns ratio={after / before:.2f} landing={after - bare:.0f}ns")
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
