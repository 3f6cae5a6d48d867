"""bench/map.py's figures of goray.map's driver (issue 62), on goray's Ray:

  driver_ns_per_item  the driver process's CPU time (all its threads, those that ended
                      meanwhile too: getrusage) per item of goray.map(HaversineM, lat, lon,
                      lat0=, lon0=) at each of --driver-items (default 5M and 40M points);
                      the median over --driver-rounds, with its split by thread
                      (/proc/self/task) and the part spent submitting chunks (Ray copying
                      their columns into its object store), and this process's CPU per
                      second when idle (Ray's own threads), for scale
  first_result_s      seconds from the call until a worker starts the first chunk past the
                      probes (the bulk of the work; the chunk body's start time, reported
                      through goray._map.runner.TRACE), and that as a share of the map's
                      wall time: it falls as the input grows when what the driver does
                      before the workers start does not grow with the input
  of_ideal_haversine  goray.map's items/s at the largest size ÷ the native HaversineM loop
                      on as many threads as Ray has CPUs over the same points (each thread
                      a contiguous slice, timed together)

The model (--cores on a machine of fewer cores predicts, it does not measure): with s the
driver's serial seconds per item and p the workers' seconds per item on one core,
goray.map's seconds per item on N cores are about s + p / N where the driver's work does
not overlap the workers' and max(s, p / N) where it does; the native loop's p0 / N.
"""
import os
import statistics
import threading
import time

import numpy

import goray
import map_cheap
from rounds import CpuMeter

SIZES = (5_000_000, 40_000_000)


def _threads():
    """{tid: (name, ns)} of this process's threads now (schedstat)."""
    seen = {}
    me = os.getpid()
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as stat:
                ns = int(stat.read().split()[0])
            name = "main" if int(tid) == me else \
                open(f"/proc/self/task/{tid}/comm").read().strip()
        except (OSError, ValueError):
            continue
        seen[int(tid)] = (name, ns)
    return seen


def measured(function):
    """(result, wall seconds, process CPU ns, {thread name: ns}); the threads that ended
    meanwhile (Ray's copy threads) as "(ended threads)"."""
    before, cpu, start = _threads(), time.process_time_ns(), time.perf_counter()
    result = function()
    wall, cpu, after = time.perf_counter() - start, time.process_time_ns() - cpu, _threads()
    per = {}
    for tid, (name, ns) in after.items():
        used = ns - before.get(tid, (name, 0))[1]
        if used > 0:
            per[name] = per.get(name, 0) + used
    per["(ended threads)"] = max(0, cpu - sum(per.values()))
    return result, wall, cpu, per


def native_threads_rate(task: str, columns, shared, threads: int) -> float:
    """Items/s of the native loop `task` (HaversineRate: lat, lon, lat0, lon0) on
    `threads` threads at once, each over its contiguous slice, by wall time."""
    count = len(columns[0])
    bounds = numpy.linspace(0, count, threads + 1).astype(int)
    parts = [[column[a:b] for column in columns] for a, b in zip(bounds[:-1], bounds[1:])]
    workers = [threading.Thread(target=goray.golang_local_run_task,
                                args=(task, *part, *shared)) for part in parts]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return count / (time.perf_counter() - start)


class _FirstStart:
    """The start time (monotonic ns) of the first chunk past the probes, via the runner's
    TRACE hook."""

    def __init__(self):
        self.first = None

    def __call__(self, start, count, probe, chunk):
        if not probe and chunk.started_ns and (self.first is None or chunk.started_ns < self.first):
            self.first = chunk.started_ns


def driver_figures(cpus: int, sizes, rounds: int, log) -> dict:
    """{"driver_ns_per_item": {size: ns}, "first_result_s": {size: (seconds, share)},
    "of_ideal_haversine": ratio at the largest size}; prints the detail."""
    from goray._map import runner
    task = goray.golang_task("HaversineM")
    shared = (map_cheap.LAT0, map_cheap.LON0)
    lat, lon = map_cheap.make_points(max(sizes))
    _, idle_wall, idle_cpu, _ = measured(lambda: time.sleep(1.0))
    idle = idle_cpu / idle_wall  # ns of CPU per second with no map running
    submitting = [0]
    submit = runner._submit

    def counted_submit(*args, **kwargs):
        before = time.process_time_ns()
        try:
            return submit(*args, **kwargs)
        finally:
            submitting[0] += time.process_time_ns() - before

    found = {"driver_ns_per_item": {}, "first_result_s": {}}
    meter = CpuMeter()
    rates = {}
    runner._submit = counted_submit
    try:
        for size in sizes:
            columns = (lat[:size], lon[:size])
            goray.map(task, *(column[:100_000] for column in columns), lat0=shared[0],
                      lon0=shared[1])  # untimed: workers warm
            samples = []
            for _ in range(rounds):
                first = runner.TRACE = _FirstStart()
                submitting[0] = 0
                session = meter.read()
                called = time.monotonic_ns()
                out, wall, cpu, per = measured(
                    lambda: goray.map(task, *columns, lat0=shared[0], lon0=shared[1]))
                after = meter.read()
                workers = (after[1] - session[1]) - (after[0] - session[0])
                runner.TRACE = None
                if out.shape != (size,) or out.dtype != numpy.float64:
                    raise SystemExit(f"goray.map(HaversineM) returned {out.dtype} {out.shape}")
                started = (first.first - called) / 1e9 if first.first else float("nan")
                samples.append((cpu / size, wall, started, per, submitting[0] / size,
                                workers * 1e9 / size))
                del out
            samples.sort(key=lambda sample: sample[0])
            ns, wall, started, per, submit_ns, workers_ns = samples[len(samples) // 2]
            found["driver_ns_per_item"][size] = ns
            found.setdefault("workers_ns_per_item", {})[size] = workers_ns
            found["first_result_s"][size] = (started, started / wall)
            rates[size] = size / statistics.median(sample[1] for sample in samples)
            split = ", ".join(f"{name} {value / size:.2f}" for name, value in
                              sorted(per.items(), key=lambda item: -item[1])[:6])
            print(f"driver, goray.map(HaversineM) over {size:,} points: {ns:.2f} ns of driver "
                  f"CPU an item (median of {rounds}, {samples[0][0]:.2f}..{samples[-1][0]:.2f}); "
                  f"by thread: {split}; submitting chunks {submit_ns:.2f}; idle Ray threads "
                  f"{idle * wall / size:.2f} of it ({idle / 1e6:.1f} ms/s x {wall:.2f} s); "
                  f"first chunk past the probes started after {started * 1e3:.0f} ms, "
                  f"{started / wall:.2f} of the map's {wall:.2f} s; the rest of the session "
                  f"{workers_ns:.1f} ns an item")
            log(f"driver {size:,}: {ns:.2f} ns/item, first_result {started / wall:.2f}")
    finally:
        runner._submit = submit
        runner.TRACE = None
    largest = max(sizes)
    columns = (lat[:largest], lon[:largest])
    native = [native_threads_rate("HaversineRate", columns, shared, cpus) for _ in range(3)]
    native_rate = statistics.median(native)
    found["of_ideal_haversine"] = rates[largest] / native_rate
    found["native_ns_1"] = 1e9 / goray.golang_local_run_task("HaversineRate", *columns, *shared)
    print(f"native HaversineM loop on {cpus} threads over the {largest:,} points: "
          f"{native_rate:,.0f} items/s (median of 3); goray.map {rates[largest]:,.0f}: "
          f"of_ideal_haversine {found['of_ideal_haversine']:.2f}")
    return found


def model(found: dict, cores: int) -> str:
    """A line predicting of_ideal on `cores` cores from this run's figures at the largest
    size (a model, not a measurement): s, the driver's CPU per item (serial: one process);
    p, the rest of the session's CPU per item (the workers' loops and Ray's per-chunk
    work, spread over the cores); the native loop's ns per item on one thread."""
    largest = max(found["driver_ns_per_item"])
    serial = found["driver_ns_per_item"][largest]
    workers = found["workers_ns_per_item"][largest]
    native = found["native_ns_1"] / cores
    apart = serial + workers / cores
    overlapped = max(serial, workers / cores)
    return (f"model, not measured: on {cores} cores, s = {serial:.2f} ns an item serial (the "
            f"driver) and p = {workers:.1f} ns an item spread over the cores (the session less "
            f"the driver; the native loop {found['native_ns_1']:.1f} on one thread): of_ideal = "
            f"(native/N) / (s + p/N) = {native / apart:.2f} if none of the driver's work "
            f"overlaps the workers', (native/N) / max(s, p/N) = {native / overlapped:.2f} if "
            f"all of it does")


def fields(found) -> str:
    """The last line's figures: driver_ns_per_item=5M:F,40M:F first_result_s=5M:F,40M:F
    (its share of the map) of_ideal_haversine=F; n/a without them."""
    if not found:
        return "driver_ns_per_item=n/a first_result_s=n/a of_ideal_haversine=n/a"

    def size(count):
        return f"{count / 1e6:g}M" if count >= 1_000_000 else f"{count / 1e3:g}k"

    driver = ",".join(f"{size(count)}:{value:.2f}"
                      for count, value in found["driver_ns_per_item"].items())
    first = ",".join(f"{size(count)}:{share:.3f}"
                     for count, (_, share) in found["first_result_s"].items())
    return (f"driver_ns_per_item={driver} first_result_s={first} "
            f"of_ideal_haversine={found['of_ideal_haversine']:.2f}")


__all__ = ["driver_figures", "model", "fields", "native_threads_rate", "measured", "SIZES"]
