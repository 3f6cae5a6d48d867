"""In-process calls against nanobind (issue 60): the same C++ functions
(bench/local_peer/kernels.h) called from one Python `for` loop through goray's typed stub
(bench_local_peer.local.Fn(...): the typed entries' module) and through a nanobind module
(local_peer_nanobind), 1,000,000 calls a sample, nothing subtracted.

Each row is timed three ways: nanobind (its default: the call keeps the GIL), goray's
entry declared short (GORAY_KEEP_GIL: keeps the GIL) and goray's plain entry (releases
the GIL around the C++ call). nanobind is the peer of both goray columns. The struct row
gives nanobind a bound nb::class_ instance and goray a dict; the array row both the same
NumPy array of 1,000 float64. Rounds interleave the three (and, on the first row,
goray.golang_local_run_task) in a rotating order; figures are medians.

Ratios are goray's time / nanobind's (lower is better), per row:
  <row>_short     the GORAY_KEEP_GIL entry's / nanobind's    (issue 60's targets: 1.5, 2)
  <row>_default   the plain entry's / nanobind's             (targets: 2.5, 3)
and on the three-doubles row's plain entry Fma:
  stub_vs_run_task       the typed stub's / goray.golang_local_run_task("Fma", ...)'s  (<= 1)
  run_task_vs_nanobind   golang_local_run_task's / nanobind's                          (<= 3)
  keywords_vs_positional the typed stub called Fma(a=, b=, c=) / Fma(a, b, c)           (<= 1.1)
Last line: local-peer: doubles_short=X doubles_default=X method_short=X ... array_default=X
stub_vs_run_task=X run_task_vs_nanobind=X keywords_vs_positional=X

Usage: python bench/local_peer.py DIR [--rounds N] [--calls N]
  DIR: where bench/local_peer/CMakeLists.txt built (build-release/bench/local_peer, or
  build/bench/local_peer): libbench_local_peer.so, its stub bench_local_peer.py, its
  typed entries' module and local_peer_nanobind.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple

APP = "bench_local_peer"
NANOBIND = "local_peer_nanobind"


# ---- the loops: one per function name, written as a user writes the call ---------------------

def fma(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    a, b, c = args
    for _ in range(calls):
        ns.Fma(a, b, c)


def fma_short(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    a, b, c = args
    for _ in range(calls):
        ns.FmaShort(a, b, c)


def fma_keywords(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    a, b, c = args
    for _ in range(calls):
        ns.Fma(a=a, b=b, c=c)


def run_task_fma(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    a, b, c = args
    for _ in range(calls):
        ns.golang_local_run_task("Fma", a, b, c)


def add(actor: Any, args: Tuple[Any, ...], calls: int) -> None:
    (x,) = args
    for _ in range(calls):
        actor.Add(x)


def add_short(actor: Any, args: Tuple[Any, ...], calls: int) -> None:
    (x,) = args
    for _ in range(calls):
        actor.AddShort(x)


def length(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    (text,) = args
    for _ in range(calls):
        ns.Length(text)


def length_short(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    (text,) = args
    for _ in range(calls):
        ns.LengthShort(text)


def energy(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    (particle,) = args
    for _ in range(calls):
        ns.Energy(particle)


def energy_short(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    (particle,) = args
    for _ in range(calls):
        ns.EnergyShort(particle)


def total(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    (values,) = args
    for _ in range(calls):
        ns.Sum(values)


def total_short(ns: Any, args: Tuple[Any, ...], calls: int) -> None:
    (values,) = args
    for _ in range(calls):
        ns.SumShort(values)


# ---- what is timed ---------------------------------------------------------------------------

@dataclass
class Way:
    """One way of making a row's call: a loop, the object it calls on, its arguments."""
    name: str  # "nanobind", "short", "default", "run_task", "keywords"
    loop: Callable[[Any, Tuple[Any, ...], int], None]
    target: Any
    args: Tuple[Any, ...]

    def seconds(self, calls: int) -> Tuple[float, float]:
        """(wall-clock, this thread's CPU) seconds of `calls` calls in the loop."""
        start, start_cpu = time.perf_counter(), time.thread_time()
        self.loop(self.target, self.args, calls)
        return time.perf_counter() - start, time.thread_time() - start_cpu


@dataclass
class Row:
    key: str      # the last line's name
    title: str    # issue 60's
    short_target: float
    default_target: float
    ways: List[Way]


def load(folder: str) -> Tuple[Any, Any, Any]:
    """(goray, the typed stub's `local`, the nanobind module), or exits saying what is missing."""
    library = os.path.join(folder, f"lib{APP}.so")
    missing = [path for path in (library, os.path.join(folder, f"{APP}.py")) if not os.path.isfile(path)]
    if missing:
        sys.exit(f"local_peer.py: {', '.join(missing)} missing: build the target {APP} "
                 "(bash scripts/bench.sh local builds it in build-release/)")
    sys.path.insert(0, os.path.abspath(folder))
    import goray

    goray.load_library(library)
    app = __import__(APP)
    if not hasattr(app.local, "__goray_counters__"):
        sys.exit(f"local_peer.py: {APP}.local is not the typed entries' module _{APP}_entries "
                 f"(not built in {folder}: are Python's headers installed? see the CMake "
                 "configure's warning)")
    try:
        nanobind = __import__(NANOBIND)
    except ImportError as error:
        sys.exit(f"local_peer.py: no nanobind peer in {folder} ({error}): install nanobind "
                 "(python/requirements-dev.txt) into the Python the tree was configured with, "
                 f"then reconfigure and build the target {NANOBIND}")
    return goray, app.local, nanobind


def rows(goray: Any, local: Any, nanobind: Any) -> List[Row]:
    import numpy

    doubles = (1.5, 2.0, 0.25)
    text = ("a std::string of 100 bytes, " * 4)[:100]
    fields = {"x": 1.0, "y": 2.0, "z": 3.0, "mass": 2.0}
    values = numpy.arange(1000, dtype=numpy.float64)
    ours_actor, their_actor = local.Accumulator(0.0), nanobind.Accumulator(0.0)
    return [
        Row("doubles", "three doubles -> double", 1.5, 2.5, [
            Way("nanobind", fma, nanobind, doubles), Way("short", fma_short, local, doubles),
            Way("default", fma, local, doubles), Way("run_task", run_task_fma, goray, doubles),
            Way("keywords", fma_keywords, local, doubles)]),
        Row("method", "a local actor's method taking a double", 1.5, 2.5, [
            Way("nanobind", add, their_actor, (1.0,)), Way("short", add_short, ours_actor, (1.0,)),
            Way("default", add, ours_actor, (1.0,))]),
        Row("string", "a std::string parameter (100 bytes)", 2, 3, [
            Way("nanobind", length, nanobind, (text,)), Way("short", length_short, local, (text,)),
            Way("default", length, local, (text,))]),
        Row("struct", "a user struct parameter of 4 fields", 2, 3, [
            Way("nanobind", energy, nanobind, (nanobind.Particle(**fields),)),
            Way("short", energy_short, local, (fields,)), Way("default", energy, local, (fields,))]),
        Row("array", "an ArrayView<double> sum over 1,000 elements", 2, 3, [
            Way("nanobind", total, nanobind, (values,)), Way("short", total_short, local, (values,)),
            Way("default", total, local, (values,))]),
    ]


def check_results(goray: Any, local: Any, nanobind: Any) -> None:
    """goray and nanobind answer the same, before anything is timed."""
    import numpy

    fields = {"x": 1.0, "y": 2.0, "z": 3.0, "mass": 2.0}
    values = numpy.arange(1000, dtype=numpy.float64)
    pairs = [
        (local.Fma(1.5, 2.0, 0.25), nanobind.Fma(1.5, 2.0, 0.25)),
        (local.FmaShort(1.5, 2.0, 0.25), nanobind.Fma(1.5, 2.0, 0.25)),
        (goray.golang_local_run_task("Fma", 1.5, 2.0, 0.25), nanobind.Fma(1.5, 2.0, 0.25)),
        (local.Fma(a=1.5, b=2.0, c=0.25), nanobind.Fma(1.5, 2.0, 0.25)),
        (local.Length("x" * 100), nanobind.Length("x" * 100)),
        (local.LengthShort("x" * 100), nanobind.Length("x" * 100)),
        (local.Energy(fields), nanobind.Energy(nanobind.Particle(**fields))),
        (local.EnergyShort(fields), nanobind.Energy(nanobind.Particle(**fields))),
        (local.Sum(values), nanobind.Sum(values)),
        (local.SumShort(values), nanobind.Sum(values)),
        (local.Accumulator(1.0).Add(2.0), nanobind.Accumulator(1.0).Add(2.0)),
        (local.Accumulator(1.0).AddShort(2.0), nanobind.Accumulator(1.0).Add(2.0)),
    ]
    for index, (ours, theirs) in enumerate(pairs):
        if ours != theirs:
            sys.exit(f"local_peer.py: check {index}: goray answered {ours!r}, nanobind {theirs!r}")


Samples = Dict[str, Dict[str, List[float]]]  # row -> way -> seconds a call, one per round


def measure(table: List[Row], rounds: int, calls: int) -> Tuple[Samples, Samples]:
    """Wall-clock and thread-CPU seconds per call, per row and way, over `rounds`
    interleaved rounds (the ways of a row one after the other, the order rotated each
    round). The calls run on this thread (a plain entry releases the GIL but calls C++
    here), so its CPU time is the calls' without what other processes took."""
    for row in table:  # warm-up
        for way in row.ways:
            way.seconds(max(1, calls // 10))
    wall: Samples = {row.key: {way.name: [] for way in row.ways} for row in table}
    cpu: Samples = {row.key: {way.name: [] for way in row.ways} for row in table}
    for index in range(rounds):
        for row in table:
            shift = index % len(row.ways)
            for way in row.ways[shift:] + row.ways[:shift]:
                wall_seconds, cpu_seconds = way.seconds(calls)
                wall[row.key][way.name].append(wall_seconds / calls)
                cpu[row.key][way.name].append(cpu_seconds / calls)
    return wall, cpu


def ratio(samples: Dict[str, List[float]], ours: str, reference: str) -> Tuple[float, float, float]:
    """(median ours / median reference, the lowest and the highest per-round ratio)."""
    per_round = [o / r for o, r in zip(samples[ours], samples[reference])]
    return (statistics.median(samples[ours]) / statistics.median(samples[reference]),
            min(per_round), max(per_round))


def verdict(value: float, target: float) -> str:
    return f"<= {target:g} {'met' if value <= target else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=1_000_000)
    options = parser.parse_args()
    if options.rounds < 1 or options.calls < 1:
        parser.error("--rounds and --calls must be at least 1")

    goray, local, nanobind = load(options.folder)
    check_results(goray, local, nanobind)
    table = rows(goray, local, nanobind)
    load_before = os.getloadavg()[0]
    wall, cpu = measure(table, options.rounds, options.calls)
    load_after = os.getloadavg()[0]

    print(f"in-process calls vs nanobind: median of {options.rounds} rounds x {options.calls} calls "
          f"in one for loop (µs a call); ratio = goray / nanobind, spread = per-round min..max; "
          f"load {load_before:.2f} -> {load_after:.2f}")
    print("wall-clock time (the figure):")
    figures = report(table, wall)
    print("this thread's CPU time (a cross-check that other processes' load leaves out):")
    cpu_figures = report(table, cpu)
    counters, codec = local.__goray_counters__(), goray._fastpath.counters()
    print(f"typed entries' calls: {counters['typed']} typed, "
          f"{codec['py2native_fast'] + codec['py2native_codec_args']} through the codec path")
    print("local-peer cpu: " + " ".join(f"{name}={value:.2f}" for name, value in cpu_figures.items()))
    print("local-peer: " + " ".join(f"{name}={value:.2f}" for name, value in figures.items()))


def report(table: List[Row], samples: Samples) -> Dict[str, float]:
    """Prints the table of `samples` and the two extra targets; their figures by name."""
    figures: Dict[str, float] = {}
    print(f"  {'row':46} {'nanobind':>8} {'short':>8} {'default':>8}  {'short/nb':32}  default/nb")
    for row in table:
        row_samples = samples[row.key]
        short, short_low, short_high = ratio(row_samples, "short", "nanobind")
        default, default_low, default_high = ratio(row_samples, "default", "nanobind")
        figures[f"{row.key}_short"], figures[f"{row.key}_default"] = short, default
        medians = [statistics.median(row_samples[name]) * 1e6 for name in ("nanobind", "short", "default")]
        print(f"  {row.title:46} {medians[0]:8.3f} {medians[1]:8.3f} {medians[2]:8.3f}  "
              f"{short:5.2f} ({short_low:.2f}..{short_high:.2f}) {verdict(short, row.short_target):14}  "
              f"{default:5.2f} ({default_low:.2f}..{default_high:.2f}) {verdict(default, row.default_target)}")
    doubles = samples["doubles"]
    stub_vs_run_task, low, high = ratio(doubles, "default", "run_task")
    run_task_vs_nanobind, run_low, run_high = ratio(doubles, "run_task", "nanobind")
    figures["stub_vs_run_task"], figures["run_task_vs_nanobind"] = stub_vs_run_task, run_task_vs_nanobind
    print(f"  goray.golang_local_run_task(\"Fma\", ...): {statistics.median(doubles['run_task']) * 1e6:.3f} µs; "
          f"typed stub / it {stub_vs_run_task:.2f} ({low:.2f}..{high:.2f}) {verdict(stub_vs_run_task, 1)}; "
          f"it / nanobind {run_task_vs_nanobind:.2f} ({run_low:.2f}..{run_high:.2f}) "
          f"{verdict(run_task_vs_nanobind, 3)}")
    keywords, keywords_low, keywords_high = ratio(doubles, "keywords", "default")
    figures["keywords_vs_positional"] = keywords
    print(f"  Fma(a=, b=, c=) through the typed stub: {statistics.median(doubles['keywords']) * 1e6:.3f} µs; "
          f"/ Fma(a, b, c) {keywords:.2f} ({keywords_low:.2f}..{keywords_high:.2f}) {verdict(keywords, 1.1)}")
    return figures

if __name__ == "__main__":
    main()
