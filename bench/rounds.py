"""What the Ray benchmarks share: one timed call, rounds of a timed pair, interleaved
(these 2-core machines are noisy, so ours and the reference run side by side), the
per-round spread of their ratio, and the CPU time a round cost (this process, and the
whole local Ray session: a wall-clock ratio near 1.0 on 2 busy cores says little about
which side does less work; CPU seconds do)."""

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

