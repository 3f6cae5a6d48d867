"""What the Ray benchmarks share: one timed call, rounds of a timed pair, interleaved
(these 2-core machines are noisy, so ours and the reference run side by side), the
per-round spread of their ratio, and the CPU time a round cost (this process, and the
whole local Ray session: a wall-clock ratio near 1.0 on 2 busy cores says little about
which side does less work; CPU seconds do)."""

import os
import socket
import time

import psutil


def timed(function) -> float:
    """Seconds one call of `function` takes."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(pair, rounds):
    """(ours, reference) samples of a pair of functions, alternating which runs first
    each round."""
    ours, theirs = [], []
    for index in range(rounds):
        order = [(ours, pair[0]), (theirs, pair[1])]
        for samples, function in (order if index % 2 == 0 else order[::-1]):
            samples.append(function())
    return ours, theirs


def spread(ours, theirs, rate=True):
    """The lowest and highest per-round ratio: reference / ours for times (`rate`
    True: higher is better for ours), ours / reference otherwise."""
    per_round = sorted((t / o) if rate else (o / t) for o, t in zip(ours, theirs))
    return f"spread {per_round[0]:.2f}..{per_round[-1]:.2f}"


class CpuMeter:
    """CPU seconds (user + system) of this process (the driver: Python, the C++ driver
    and Ray's core-worker threads) and of the whole local Ray session (this process and
    its descendants: GCS, raylet, workers), read between rounds (a /proc walk)."""

    def __init__(self) -> None:
        self._me = psutil.Process()

    def read(self):
        times = self._me.cpu_times()
        own = times.user + times.system
        total = own
        for child in self._me.children(recursive=True):
            try:
                child_times = child.cpu_times()
            except psutil.Error:  # exited meanwhile: its time is gone with it
                continue
            total += child_times.user + child_times.system
        return own, total

    def measured(self, function):
        """function() -> (its result, driver CPU seconds, session CPU seconds)."""
        before = self.read()
        result = function()
        after = self.read()
        return result, after[0] - before[0], after[1] - before[1]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a benchmark starts there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]



class ThreadMeter:
    """CPU nanoseconds per thread of this process and of its descendants (the local Ray
    session), from /proc/<pid>/task/<tid>/schedstat: where a pair's time goes, thread by
    thread. Threads are named "<process>/<thread>": the process "driver" (this one) or
    its name (raylet, ray::Go.Counter, ...), the thread its comm, or "main" for a
    process's first thread."""

    def __init__(self) -> None:
        self._me = psutil.Process()

    def _processes(self):
        yield self._me.pid, "driver"
        for child in self._me.children(recursive=True):
            try:
                yield child.pid, child.name()
            except psutil.Error:
                continue

    def read(self):
        """{(pid, tid): (name, ns)} now."""
        seen = {}
        for pid, process in self._processes():
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                        ns = int(stat.read().split()[0])
                    if int(tid) == pid:
                        thread = "main"
                    else:
                        with open(f"/proc/{pid}/task/{tid}/comm") as comm:
                            thread = comm.read().strip()
                except (OSError, ValueError):
                    continue
                seen[(pid, int(tid))] = (f"{process}/{thread}", ns)
        return seen

    @staticmethod
    def spent(before, after):
        """{name: ns} between two reads (threads born meanwhile from 0; a process renamed
        meanwhile, as a Ray worker taking an actor, under its later name)."""
        totals = {}
        for key, (name, ns) in after.items():
            used = ns - before.get(key, (name, 0))[1]
            if used > 0:
                totals[name] = totals.get(name, 0) + used
        return totals
