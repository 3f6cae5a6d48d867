"""Soak test (issue 6): many in-process calls both ways, many threads at once, and
optionally many remote tasks, with the process's RSS and the driver's id-store
sizes (goray._stores.objects / actors) before and after each phase.

    .venv/bin/python bench/soak.py [LIB] [--calls 1000000] [--threads 64]
                                   [--per-thread 2000] [--remote 20000]

LIB defaults to build/tests/apps/libsoakapp.so (tests/apps/soakapp.cpp). --remote N
starts a local Ray (goray.init) and has C++ submit N remote tasks. Exits non-zero on any
wrong result; a deadlock shows as the --timeout watchdog firing.
"""
import argparse
import faulthandler
import gc
import os
import pathlib
import sys
import threading
import time

import goray
from goray import _stores, golang_local_run_task as run

ROOT = pathlib.Path(__file__).resolve().parents[1]


@goray.local
def soak_inc(x):
    return x + 1


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def snapshot():
    gc.collect()
    return rss_mib(), len(_stores.objects), len(_stores.actors)


def phase(name, body):
    before = snapshot()
    start = time.perf_counter()
    wrong = body()
    seconds = time.perf_counter() - start
    after = snapshot()
    print(f"{name:<44} {seconds:8.2f}s  wrong={wrong}  RSS {before[0]:7.1f} -> {after[0]:7.1f} MiB "
          f"(+{after[0] - before[0]:.1f})  objects {before[1]} -> {after[1]}  "
          f"actors {before[2]} -> {after[2]}", flush=True)
    return wrong


def py_to_cpp(n):
    def body():
        wrong = 0
        for i in range(n):
            if run("Add", i, 1) != i + 1:
                wrong += 1
        return wrong
    return body


def cpp_to_py(n):
    return lambda: run("CallPython", n)


def threads_both_ways(threads, per_thread):
    def body():
        wrong = [0] * (threads + 1)

        def python_thread(t):
            for i in range(per_thread):
                text = f"{t}:{i}"
                if run("Add", t, i) != t + i or run("Echo", text) != text:
                    wrong[t] += 1

        def native_threads():
            wrong[threads] = run("CallPythonFromThreads", threads, per_thread)

        pool = [threading.Thread(target=python_thread, args=(t,)) for t in range(threads)]
        pool.append(threading.Thread(target=native_threads))
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        return sum(wrong)
    return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lib", nargs="?", default=str(ROOT / "build/tests/apps/libsoakapp.so"))
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--per-thread", type=int, default=2000)
    parser.add_argument("--remote", type=int, default=0, help="remote tasks (needs Ray); 0 = none")
    parser.add_argument("--timeout", type=int, default=3600, help="watchdog: dump stacks and exit")
    args = parser.parse_args()
    faulthandler.dump_traceback_later(args.timeout, exit=True)

    if args.remote:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        goray.init(args.lib, num_cpus=2, include_dashboard=False)
    else:
        goray.load_library(args.lib)
    # Warm-up: first-call costs (registry, caches) are not growth.
    run("CallPython", 10_000)
    for i in range(10_000):
        run("Add", i, 1)

    start = snapshot()
    print(f"start: RSS {start[0]:.1f} MiB, objects {start[1]}, actors {start[2]}", flush=True)
    wrong = 0
    wrong += phase(f"Python -> C++: {args.calls} calls", py_to_cpp(args.calls))
    wrong += phase(f"C++ -> Python: {args.calls} calls", cpp_to_py(args.calls))
    wrong += phase(f"{args.threads} Py threads + {args.threads} C++ threads x {args.per_thread}",
                   threads_both_ways(args.threads, args.per_thread))
    if args.remote:
        wrong += phase(f"C++ -> Ray: {args.remote} remote tasks",
                       lambda: run("RemoteSquares", args.remote))
    end = snapshot()
    print(f"end:   RSS {end[0]:.1f} MiB (growth {end[0] - start[0]:+.1f} MiB), "
          f"objects {end[1]} (growth {end[1] - start[1]:+d}), "
          f"actors {end[2]} (growth {end[2] - start[2]:+d}); wrong results: {wrong}", flush=True)
    faulthandler.cancel_dump_traceback_later()
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
