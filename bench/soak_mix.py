"""The mixed soak on Ray (`bash scripts/soak.sh 30m`, docs/reliability.md "Mixed soak on
Ray"): for a given time, C++ tasks, actors, streams, arrays, native crashes and cancels
against one local Ray (127.0.0.1), every result checked; then a report of the calls made,
the errors by kind and the resident memory (RSS) of every process at the start and the end.

    .venv/bin/python bench/soak_mix.py --seconds 1800 [LIB] [--cpus 4] [--report-every 60]

LIB defaults to build/tests/apps/libraytest.so (tests/apps/raytest.cpp and its parts). One
cycle, repeated until the time is up:

- tasks: 20 `Square` (Python -> C++), a C++ task calling a C++ task (`NestedSquare`);
- actors: 3 `Counter`s, 10 pipelined `Incr` each, values checked in order; every 25th
  cycle one is killed (ray.kill) and replaced;
- streams: `CountUp(50)` (a task), `Streamer.Range(20)` (an actor's), `ArrayItems(3, 1000)`
  (arrays as items), `SumStream(100)` (a C++ task consuming a C++ stream);
- arrays: `Twice` of 10,000 doubles, `Iota2D(30, 40)`, a `Scaler` actor's `Scale`;
- crashes: every 2nd cycle `CrashTask("segv")` with max_retries=0 (expected:
  goray.NativeCrash), every 5th `CrashOnce` with max_retries=1 (Ray retries it: 42), every
  10th a `Crasher` actor's method aborting (expected: goray.NativeCrash, an ActorDiedError);
- cancels: three `SleepMs(300)` cancelled while queued or running (expected:
  TaskCancelledError; the value when the task ended first), the third with force=True
  every 5th cycle (its worker killed); four `SlowCount(1000, 20)` streams cancelled after
  0, 1, 3 and 10 items (expected: TaskCancelledError after the items, in order).

An error the cycle expects is counted under its kind with the expected ones; anything
else (another exception, a wrong value, a result missing after --get-timeout, a cycle
stuck past --stall-timeout) is unexpected and makes the exit status 1. A cancelled C++
stream that ends like a finished one (no TaskCancelledError) is its own kind, "cancelled
stream ended normally": unexpected (the defect goray/_ray/cancellation/stream_cancels.py works around,
docs/reliability.md "Cancelled streams"; counted apart so that a return of it shows).

RSS is read from /proc for the driver, the GCS server, the raylet, each Ray worker that
has the library mapped (a goray worker) and, summed, Ray's other processes (agents, log
monitor, idle Python workers): after a warm-up cycle, every --report-every seconds (one
line) and at the end. The Ray is this process's own (goray.init): ray.shutdown() stops it,
and a stall stops its processes by their pids.
"""
import argparse
import collections
import faulthandler
import os
import pathlib
import random
import shutil
import sys
import tempfile
import threading
import time

import numpy

import goray

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: A cancelled C++ stream that ended as a finished one does (docs/reliability.md).
STREAM_ENDED_NORMALLY = "cancelled stream ended normally"


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _maps_library(pid: int, library: str) -> bool:
    try:
        with open(f"/proc/{pid}/maps") as maps:
            return any(library in line for line in maps)
    except OSError:
        return False


def _descendants(pid: int):
    """Every process below `pid` (the Ray this driver started and its workers)."""
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def processes(library: str):
    """{kind: [(pid, RSS MiB)]} for this driver and the Ray it started."""
    kinds = collections.defaultdict(list)
    kinds["driver"].append((os.getpid(), rss_mib(os.getpid())))
    for pid in _descendants(os.getpid()):
        command = _cmdline(pid)
        if not command:
            continue
        if "gcs_server" in command.split(" ", 1)[0]:
            kind = "gcs_server"
        elif command.split(" ", 1)[0].endswith("raylet"):
            kind = "raylet"
        elif _maps_library(pid, library):
            kind = "goray worker"
        else:
            kind = "other Ray processes"
        rss = rss_mib(pid)
        if rss:  # (0: ended meanwhile)
            kinds[kind].append((pid, rss))
    return kinds


def rss_summary(kinds) -> str:
    def one(kind):
        entries = kinds.get(kind, [])
        return f"{sum(rss for _, rss in entries):.0f}"
    workers = kinds.get("goray worker", [])
    biggest = max((rss for _, rss in workers), default=0.0)
    return (f"RSS MiB: driver {one('driver')}, gcs {one('gcs_server')}, raylet {one('raylet')}, "
            f"{len(workers)} goray workers {one('goray worker')} (largest {biggest:.0f}), "
            f"other Ray {one('other Ray processes')}")


class Soak:
    def __init__(self, args):
        import ray
        self.ray = ray
        self.args = args
        self.rng = random.Random(args.seed)
        self.calls = collections.Counter()
        self.expected = collections.Counter()
        self.unexpected = collections.Counter()
        self.examples = {}
        self.cycle = 0
        self.seconds = collections.Counter()  # per part of the cycle
        self.markers = pathlib.Path(tempfile.mkdtemp(prefix="goray-soak-"))
        self.task = {name: goray.golang_task(name) for name in (
            "Square", "NestedSquare", "CountUp", "ArrayItems", "SumStream", "Twice", "Iota2D",
            "SleepMs", "SlowCount")}
        self.counter_class = goray.golang_actor_class("Counter")
        self.counters = [self._new_counter() for _ in range(3)]
        self.streamer = goray.golang_actor_class("Streamer").remote("s")
        self.scaler = goray.golang_actor_class("Scaler").remote(3.0)
        self.crasher_class = goray.golang_actor_class("Crasher")

    # ---- outcomes ----------------------------------------------------------------------

    def _new_counter(self):
        start = self.rng.randrange(1000)
        self.calls["actor creations"] += 1
        return [self.counter_class.remote(start), start]

    def unexpected_error(self, kind: str, what: str) -> None:
        self.unexpected[kind] += 1
        self.examples.setdefault(kind, what[:400])
        print(f"[soak] UNEXPECTED {kind} in cycle {self.cycle}: {what[:400]}", flush=True)

    def kind_of(self, error: BaseException) -> str:
        ray = self.ray
        if isinstance(error, ray.exceptions.GetTimeoutError):
            return "lost result (no answer within --get-timeout)"
        if isinstance(error, ray.exceptions.TaskCancelledError):
            # (Ray raises it as RayTaskError(TaskCancelledError) when the worker saw it.)
            return "TaskCancelledError"
        # goray.NativeCrash on Ray: NativeWorkerCrash (a task's), NativeActorCrash.
        return type(error).__name__

    def get(self, refs, what: str, expected_errors=(), label: str = ""):
        """ray.get of refs; None and the outcome counted when it raised (an expected
        error's kind followed by `label`)."""
        try:
            return self.ray.get(refs, timeout=self.args.get_timeout)
        except Exception as error:  # noqa: BLE001 - every error is counted by kind
            kind = self.kind_of(error)
            if expected_errors and isinstance(error, expected_errors) and "lost result" not in kind:
                self.expected[kind + label] += 1
            else:
                self.unexpected_error(kind, f"{what}: {error}")
            return None

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.unexpected_error("wrong result", what)

    # ---- the parts of a cycle ----------------------------------------------------------

    def tasks(self):
        xs = [float(self.rng.randrange(1000)) for _ in range(20)]
        refs = [self.task["Square"].remote(x) for x in xs]
        nested = self.task["NestedSquare"].remote(7.0)
        self.calls["tasks"] += 22
        values = self.get(refs, "Square")
        if values is not None:
            self.check(values == [x * x for x in xs], f"Square({xs}) = {values}")
        value = self.get(nested, "NestedSquare")
        if value is not None:
            self.check(value == 49.0, f"NestedSquare(7) = {value}")

    def actors(self):
        for entry in self.counters:
            handle, start = entry
            refs = [handle.Incr.remote(1) for _ in range(10)]
            self.calls["actor calls"] += 10
            values = self.get(refs, "Counter.Incr")
            if values is not None:
                self.check(values == list(range(start + 1, start + 11)),
                           f"Counter.Incr from {start}: {values}")
                entry[1] = start + 10
        if self.cycle % 25 == 0:
            index = self.rng.randrange(len(self.counters))
            self.ray.kill(self.counters[index][0])
            self.calls["actors killed"] += 1
            self.counters[index] = self._new_counter()

    def stream_items(self, generator, what):
        items = []
        try:
            for ref in generator:
                items.append(self.ray.get(ref, timeout=self.args.get_timeout))
        except Exception as error:  # noqa: BLE001
            self.unexpected_error(self.kind_of(error), f"{what}: {error}")
            return None
        self.calls["stream items"] += len(items)
        return items

    def streams(self):
        self.calls["streams"] += 4
        items = self.stream_items(self.task["CountUp"].remote(50), "CountUp")
        if items is not None:
            self.check(items == list(range(50)), f"CountUp(50): {items}")
        items = self.stream_items(self.streamer.Range.remote(20), "Streamer.Range")
        if items is not None:
            self.check(items == [f"s{i}" for i in range(20)], f"Streamer.Range(20): {items}")
        items = self.stream_items(self.task["ArrayItems"].remote(3, 1000), "ArrayItems")
        if items is not None:
            self.check(len(items) == 3 and all(
                item.shape == (1000,) and (item == i).all() for i, item in enumerate(items)),
                f"ArrayItems(3, 1000): {len(items)} items")
        self.calls["tasks"] += 1
        value = self.get(self.task["SumStream"].remote(100), "SumStream")
        if value is not None:
            self.check(value == 4950, f"SumStream(100) = {value}")

    def arrays(self):
        a = numpy.arange(10_000, dtype=numpy.float64) * self.rng.random()
        refs = [self.task["Twice"].remote(a), self.task["Iota2D"].remote(30, 40),
                self.scaler.Scale.remote(a)]
        self.calls["tasks"] += 2
        self.calls["actor calls"] += 1
        twice, iota, scaled = (self.get(ref, what) for ref, what in zip(
            refs, ("Twice", "Iota2D", "Scaler.Scale")))
        if twice is not None:
            self.check(numpy.array_equal(twice, 2 * a), "Twice: values differ")
        if iota is not None:
            self.check(iota.shape == (30, 40) and numpy.array_equal(iota.ravel(), numpy.arange(1200)),
                       f"Iota2D(30, 40): {iota.shape}")
        if scaled is not None:
            self.check(numpy.array_equal(scaled, 3.0 * a), "Scaler.Scale: values differ")

    def crashes(self):
        ray = self.ray
        if self.cycle % 2 == 0:
            self.calls["crashing tasks"] += 1
            value = self.get(goray.golang_task("CrashTask", max_retries=0).remote("segv"),
                             "CrashTask", expected_errors=(goray.NativeCrash,))
            self.check(value is None, f"CrashTask returned {value}")
        if self.cycle % 5 == 0:
            self.calls["crashing tasks, retried"] += 1
            marker = self.markers / f"once-{self.cycle}"
            value = self.get(goray.golang_task("CrashOnce", max_retries=1).remote(str(marker)),
                             "CrashOnce")
            if value is not None:
                self.check(value == 42 and marker.exists(), f"CrashOnce = {value}")
                self.expected["native crash retried by Ray (value right)"] += 1
        if self.cycle % 10 == 0:
            crasher = self.crasher_class.remote(self.cycle)
            self.calls["actor creations"] += 1
            self.calls["crashing actor calls"] += 1
            value = self.get(crasher.Crash.remote("abort"), "Crasher.Crash",
                             expected_errors=(goray.NativeCrash, ray.exceptions.ActorDiedError))
            self.check(value is None, f"Crasher.Crash returned {value}")
            ray.kill(crasher)

    def cancels(self):
        ray = self.ray
        # Three tasks of 300 ms, one or more of them still queued: each cancelled, the
        # third with force=True every 5th cycle (its worker killed).
        refs = [self.task["SleepMs"].remote(300) for _ in range(3)]
        self.calls["cancelled tasks"] += len(refs)
        time.sleep(self.rng.random() * 0.2)
        for index, ref in enumerate(refs):
            ray.cancel(ref, force=index == 2 and self.cycle % 5 == 0)
        for ref in refs:
            value = self.get(ref, "SleepMs (cancelled)", label=" (task)",
                             expected_errors=(ray.exceptions.TaskCancelledError,))
            if value is not None:
                self.check(value == 300, f"SleepMs(300) = {value}")
                self.expected["cancel after the task's end (value right)"] += 1
        # C++ streams cancelled mid-stream, after 0, 1, 3 and 10 items.
        for taken in (0, 1, 3, 10):
            self.cancel_stream(taken)

    def cancel_stream(self, taken: int) -> None:
        ray = self.ray
        generator = self.task["SlowCount"].remote(1000, 20)
        self.calls["cancelled streams"] += 1
        items = []
        try:
            for _ in range(taken):
                items.append(ray.get(next(generator), timeout=self.args.get_timeout))
            ray.cancel(generator)
            for ref in generator:
                items.append(ray.get(ref, timeout=self.args.get_timeout))
        except ray.exceptions.TaskCancelledError:
            self.expected["TaskCancelledError (stream)"] += 1
        except Exception as error:  # noqa: BLE001
            self.unexpected_error(self.kind_of(error), f"SlowCount cancelled after {taken}: {error}")
        else:
            self.unexpected_error(STREAM_ENDED_NORMALLY,
                                  f"SlowCount(1000, 20) cancelled after {taken} items ended "
                                  f"normally after {len(items)} items")
        self.calls["stream items"] += len(items)
        self.check(items == list(range(len(items))), f"SlowCount's items before the cancel: {items}")

    def run_cycle(self):
        self.cycle += 1
        for part in (self.tasks, self.actors, self.streams, self.arrays, self.crashes, self.cancels):
            began = time.monotonic()
            part()
            self.seconds[part.__name__] += time.monotonic() - began


def stop_ray_processes():
    """The Ray this process started, stopped by the pids of its processes."""
    import signal
    for pid in reversed(_descendants(os.getpid())):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class Watchdog:
    """Ends the run (exit 1) when no cycle ends within `seconds`: a hang is a lost result."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.last = time.monotonic()
        threading.Thread(target=self._watch, daemon=True).start()

    def beat(self):
        self.last = time.monotonic()

    def _watch(self):
        while True:
            time.sleep(5)
            if time.monotonic() - self.last > self.seconds:
                print(f"[soak] UNEXPECTED stall: no cycle ended in {self.seconds:.0f} s; the "
                      "threads' stacks:", flush=True)
                faulthandler.dump_traceback(all_threads=True)
                stop_ray_processes()
                os._exit(1)


def print_processes(title: str, kinds, before=None) -> None:
    """The RSS of each process; with `before` (the start's), each one's then too."""
    print(f"[soak] RSS at the {title} (MiB): {rss_summary(kinds)}")
    then = {pid: rss for entries in (before or {}).values() for pid, rss in entries}
    for kind in ("driver", "gcs_server", "raylet", "goray worker"):
        for pid, rss in sorted(kinds.get(kind, [])):
            was = ""
            if before is not None:
                was = (f"  (start {then[pid]:8.1f}, {rss - then[pid]:+.1f})" if pid in then
                       else "  (started since)")
            print(f"[soak]   {kind:<13} pid {pid:>7}  {rss:8.1f}{was}")
    others = kinds.get("other Ray processes", [])
    print(f"[soak]   other Ray processes ({len(others)}): "
          f"{sum(rss for _, rss in others):.1f} in all", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lib", nargs="?", default=str(ROOT / "build/tests/apps/libraytest.so"))
    parser.add_argument("--seconds", type=float, required=True, help="how long to run")
    parser.add_argument("--cpus", type=int, default=4, help="the local Ray's num_cpus")
    parser.add_argument("--report-every", type=float, default=60, help="seconds between lines")
    parser.add_argument("--get-timeout", type=float, default=120,
                        help="seconds a result may take before it counts as lost")
    parser.add_argument("--stall-timeout", type=float, default=600,
                        help="seconds a cycle may take before the run ends as stuck")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not os.path.isfile(args.lib):
        print(f"soak: {args.lib} is not built: run bash scripts/setup.sh", file=sys.stderr)
        return 2
    library = os.path.basename(args.lib)

    import ray
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # The crash reports the workers print would fill the output: they are in Ray's logs.
    goray.init(args.lib, num_cpus=args.cpus, include_dashboard=False, log_to_driver=False,
               namespace="soak")
    soak = Soak(args)
    watchdog = Watchdog(args.stall_timeout)
    start_time = time.monotonic()
    try:
        soak.run_cycle()  # warm-up: workers started, first-call costs paid
        watchdog.beat()
        start = processes(library)
        print_processes("start (after one cycle)", start)
        next_report = time.monotonic() + args.report_every
        while time.monotonic() - start_time < args.seconds:
            soak.run_cycle()
            watchdog.beat()
            if time.monotonic() >= next_report:
                next_report += args.report_every
                print(f"[soak] {time.monotonic() - start_time:6.0f} s, cycle {soak.cycle}, "
                      f"{sum(soak.calls.values())} calls, expected errors "
                      f"{sum(soak.expected.values())}, unexpected {sum(soak.unexpected.values())}; "
                      f"{rss_summary(processes(library))}", flush=True)
        end = processes(library)
    finally:
        shutil.rmtree(soak.markers, ignore_errors=True)
    elapsed = time.monotonic() - start_time
    print_processes("end", end, start)
    print(f"[soak] {elapsed:.0f} s, {soak.cycle} cycles, {sum(soak.calls.values())} calls: "
          + ", ".join(f"{kind} {count}" for kind, count in sorted(soak.calls.items())))
    print("[soak] expected errors and outcomes: " + (", ".join(
        f"{kind} {count}" for kind, count in sorted(soak.expected.items())) or "none"))
    print("[soak] seconds per part of the cycle: " + ", ".join(
        f"{part} {seconds:.0f}" for part, seconds in soak.seconds.most_common()))
    print("[soak] unexpected errors: " + (", ".join(
        f"{kind} {count}" for kind, count in sorted(soak.unexpected.items())) or "none"))
    for kind, example in sorted(soak.examples.items()):
        print(f"[soak]   first {kind}: {example}")
    ray.shutdown()
    passed = not soak.unexpected
    print(f"[soak] {'passed' if passed else 'FAILED'}: "
          f"{'nothing lost, no unexpected error' if passed else 'unexpected errors above'}",
          flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
