"""Soak test (docs/reliability.md): many in-process calls both ways, many threads at once, and
optionally many remote tasks, with the process's RSS and the driver's id-store
sizes (goray._stores.objects / actors) before and after each phase.

    .venv/bin/python bench/soak.py [LIB] [--calls 1000000] [--threads 64]
                                   [--per-thread 2000] [--remote 20000]
                                   [--rounds 4] [--via cpp|python|plain]
                                   [--remote-only] [--tracemalloc]

LIB defaults to build/tests/apps/libsoakapp.so (tests/apps/soakapp.cpp). --remote N
starts a local Ray (goray.init) and submits N remote tasks per round, --rounds times:
from C++ (--via cpp, the C++ task RemoteSquares), from Python to the C++ task
(--via python, goray.golang_task) or as a plain Python @ray.remote function (--via
plain: Ray alone, the baseline). After each round it prints RSS, glibc malloc's bytes
in use and held free (mallinfo2), RSS after malloc_trim(0) (what was only held free),
and with --tracemalloc the Python heap. Exits non-zero on any wrong result; a
deadlock shows as the --timeout watchdog firing.
"""
import argparse
import ctypes
import faulthandler
import gc
import os
import pathlib
import sys
import threading
import time
import tracemalloc

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


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
        "keepcost")]


_libc = ctypes.CDLL("libc.so.6")
_libc.mallinfo2.restype = _Mallinfo2


def malloc_mib():
    """glibc malloc, every arena: (MiB in use, MiB free but held)."""
    info = _libc.mallinfo2()
    return (info.uordblks + info.hblkhd) / 2**20, info.fordblks / 2**20


def memory_line() -> str:
    gc.collect()
    rss = rss_mib()
    used, held = malloc_mib()
    _libc.malloc_trim(0)
    line = (f"RSS {rss:7.1f} MiB, malloc in use {used:6.1f} MiB, held free {held:6.1f} MiB, "
            f"RSS after malloc_trim {rss_mib():7.1f} MiB")
    if tracemalloc.is_tracing():
        line += f", Python heap {tracemalloc.get_traced_memory()[0] / 2**20:6.1f} MiB"
    return line


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


def remote_round(via: str, n: int):
    """n remote Square tasks, submitted at once and fetched: the wrong results."""
    if via == "cpp":
        return run("RemoteSquares", n)
    import ray
    if via == "python":
        task = goray.golang_task("Square")
    else:
        task = plain_square
    refs = [task.remote(i) for i in range(n)]
    wrong = sum(1 for i, value in enumerate(ray.get(refs)) if value != i * i)
    del refs
    return wrong


def plain_square_body(x):
    return x * x


plain_square = None  # the @ray.remote version, made once Ray is up


def soak_remote(args) -> int:
    """The remote rounds, with memory after each (does it level off?)."""
    global plain_square
    import ray
    plain_square = ray.remote(plain_square_body)
    remote_round(args.via, 100)  # warm-up: workers started, first-call costs paid
    if args.tracemalloc:
        tracemalloc.start(10)
        baseline = tracemalloc.take_snapshot()
    start = rss_mib()
    print(f"remote, via {args.via}, before: {memory_line()}", flush=True)
    wrong = 0
    for number in range(1, args.rounds + 1):
        begin = time.perf_counter()
        wrong += remote_round(args.via, args.remote)
        seconds = time.perf_counter() - begin
        print(f"round {number}: {args.remote} tasks in {seconds:6.1f}s, wrong={wrong}, "
              f"{memory_line()}, total growth {rss_mib() - start:+.1f} MiB, "
              f"objects {len(_stores.objects)}, actors {len(_stores.actors)}", flush=True)
    if args.tracemalloc:
        print("Python heap growth by line (top 8):")
        for stat in tracemalloc.take_snapshot().compare_to(baseline, "lineno")[:8]:
            print(f"  {stat}")
        tracemalloc.stop()
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lib", nargs="?", default=str(ROOT / "build/tests/apps/libsoakapp.so"))
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--per-thread", type=int, default=2000)
    parser.add_argument("--remote", type=int, default=0, help="remote tasks per round (needs Ray); 0 = none")
    parser.add_argument("--rounds", type=int, default=1, help="remote rounds")
    parser.add_argument("--via", choices=("cpp", "python", "plain"), default="cpp",
                        help="who submits the remote tasks: C++, Python to C++, plain Python Ray")
    parser.add_argument("--remote-only", action="store_true", help="skip the in-process phases")
    parser.add_argument("--tracemalloc", action="store_true", help="trace the Python heap (slower)")
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
    if not args.remote_only:
        wrong += phase(f"Python -> C++: {args.calls} calls", py_to_cpp(args.calls))
        wrong += phase(f"C++ -> Python: {args.calls} calls", cpp_to_py(args.calls))
        wrong += phase(f"{args.threads} Py threads + {args.threads} C++ threads x {args.per_thread}",
                       threads_both_ways(args.threads, args.per_thread))
    if args.remote:
        wrong += soak_remote(args)
    end = snapshot()
    print(f"end:   RSS {end[0]:.1f} MiB (growth {end[0] - start[0]:+.1f} MiB), "
          f"objects {end[1]} (growth {end[1] - start[1]:+d}), "
          f"actors {end[2]} (growth {end[2] - start[2]:+d}); wrong results: {wrong}", flush=True)
    faulthandler.cancel_dump_traceback_later()
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
