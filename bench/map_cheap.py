"""bench/map.py's comparisons of goray.map's own chunks (issue 53), on goray's Ray, each
side timed in interleaved rounds (which runs first alternates) and compared by medians:

  vs_numpy    goray.map(HaversineSimd, lat, lon, lat0=, lon0=) over 5,000,000 float64 points,
              its own chunks, against the same haversine in NumPy over K = CPUs plain
              @ray.remote tasks (the slices as arguments, the parts concatenated): rate ÷ rate.
              HaversineSimd is the formula built as NumPy builds its own, with vector math
              (bench_map_simd.cpp, -O3 -ffast-math: glibc's libmvec, as NumPy's SIMD sin, cos
              and arcsin, at most 4 ulp); vs_numpy_scalar is HaversineM, the same formula
              built with the default flags (glibc's scalar libm, one call an item), in the
              same rounds
  auto        for items of about 25 ns (HaversineM), 0.25 µs (Poly), 10 µs (PolyMid) and
              1 ms (PolyHeavy): goray.map's own chunks against each fixed chunk_size of a
              sweep (total ÷ (CPUs × m), m = 1, 2, 4, 8, 16): rate ÷ the best size's rate
  cpp_driver  the C++ driver's goray::Map of HaversineM (bench_map.cpp's Driver, run in this
              process by goray's run_driver, timed inside it) against goray.map from Python
              over as many points: rate ÷ rate

Each side's CPU is read between rounds too (bench/rounds.py's CpuMeter: this process, all
its threads, and the whole local Ray session), which says where a ratio's time goes on a
machine whose other load moves wall-clock times.
"""
import statistics

import numpy

import goray
from rounds import CpuMeter, timed

LAT0, LON0 = 52.52, 13.405  # the point every item's distance is measured to (shared)
RADIANS = numpy.pi / 180.0
EARTH_METRES = 6371008.8
#: --auto costs -> (task, items): about 1 s of single-thread work for the dearer ones.
AUTO_COSTS = {"25ns": ("HaversineM", 5_000_000), "0.25us": ("Poly", 2_000_000),
              "10us": ("PolyMid", 100_000), "1ms": ("PolyHeavy", 1_000)}
SWEEP = (1, 2, 4, 8, 16)


def make_points(count: int):
    random = numpy.random.default_rng(53)
    return random.uniform(-60.0, 60.0, count), random.uniform(-180.0, 180.0, count)


def haversine_numpy(lat, lon, lat0, lon0):
    """bench_map.cpp's HaversineM over arrays: the same formula, vectorised by NumPy."""
    s_lat = numpy.sin(0.5 * (lat - lat0) * RADIANS)
    s_lon = numpy.sin(0.5 * (lon - lon0) * RADIANS)
    a = s_lat * s_lat + numpy.cos(lat * RADIANS) * numpy.cos(lat0 * RADIANS) * s_lon * s_lon
    return 2.0 * EARTH_METRES * numpy.arcsin(numpy.sqrt(a))


def _median_ratio(ours, theirs):
    """(median of ours ÷ median of theirs, lowest and highest per-round ratio): rates."""
    per_round = sorted(o / t for o, t in zip(ours, theirs))
    return statistics.median(ours) / statistics.median(theirs), per_round[0], per_round[-1]


def _rounds(sides, rounds, meter, cpu):
    """{name: [rate per round]} of `sides` {name: (items, function)}, interleaved; CPU
    seconds per round into `cpu` {name: [(driver, session)]}."""
    rates = {name: [] for name in sides}
    names = list(sides)
    for index in range(rounds):
        for name in (names if index % 2 == 0 else names[::-1]):
            items, function = sides[name]
            seconds, own, total = meter.measured(lambda: timed(function))
            rates[name].append(items / seconds)
            cpu.setdefault(name, []).append((own / items * 1e9, total / items * 1e9))
    return rates


def _cpu_line(cpu, name):
    """Median ns of CPU per item, the driver's and the session's."""
    own = statistics.median(value[0] for value in cpu[name])
    total = statistics.median(value[1] for value in cpu[name])
    return f"CPU per item {own:.1f} ns driver, {total:.1f} ns session"


def vs_numpy(ray, cpus: int, count: int, rounds: int, log) -> dict:
    """{"vs_numpy": vector-math C++ ÷ NumPy, "vs_numpy_scalar": scalar C++ ÷ NumPy}."""
    lat, lon = make_points(count)
    simd, scalar = goray.golang_task("HaversineSimd"), goray.golang_task("HaversineM")
    numpy_task = ray.remote(haversine_numpy)
    bounds = numpy.linspace(0, count, cpus + 1).astype(int)

    def ours(task):
        return lambda: goray.map(task, lat, lon, lat0=LAT0, lon0=LON0)

    def theirs():
        parts = [numpy_task.remote(lat[a:b], lon[a:b], LAT0, LON0)
                 for a, b in zip(bounds[:-1], bounds[1:])]
        return numpy.concatenate(ray.get(parts))

    expected = theirs()  # untimed: workers warm, results checked
    for name, task in (("HaversineSimd", simd), ("HaversineM", scalar)):
        if not numpy.allclose(ours(task)(), expected, rtol=1e-9, atol=1e-6):
            raise SystemExit(f"goray.map({name}) and NumPy's haversine differ")
    kernels = {"C++, default flags": goray.golang_local_run_task("HaversineRate", lat, lon, LAT0, LON0),
               "C++, vector math": goray.golang_local_run_task("HaversineSimdRate", lat, lon, LAT0,
                                                               LON0)}
    haversine_numpy(lat, lon, LAT0, LON0)  # its temporaries' pages once, as a worker's are
    kernels["NumPy"] = count / timed(lambda: haversine_numpy(lat, lon, LAT0, LON0))
    cpu = {}
    rates = _rounds({"goray.map": (count, ours(simd)), "goray.map scalar": (count, ours(scalar)),
                     "numpy": (count, theirs)}, rounds, CpuMeter(), cpu)
    ratio, low, high = _median_ratio(rates["goray.map"], rates["numpy"])
    scalar_ratio, scalar_low, scalar_high = _median_ratio(rates["goray.map scalar"], rates["numpy"])
    print("haversine, one thread, warm: " + ", ".join(
        f"{name} {1e9 / rate:.1f} ns an item" for name, rate in kernels.items()))
    described = {"goray.map": "HaversineSimd, own chunks",
                 "goray.map scalar": "HaversineM, own chunks",
                 "numpy": f"{cpus} plain Ray tasks"}
    for name in rates:
        print(f"{name} over {count:,} points ({described[name]}): "
              f"{statistics.median(rates[name]):,.0f} items/s (median of {rounds}); "
              f"{_cpu_line(cpu, name)}")
    log(f"vs_numpy {ratio:.2f} (rounds {low:.2f}..{high:.2f}); vs_numpy_scalar "
        f"{scalar_ratio:.2f} (rounds {scalar_low:.2f}..{scalar_high:.2f})")
    print(f"vs_numpy: {ratio:.2f} (per round {low:.2f}..{high:.2f}); vs_numpy_scalar: "
          f"{scalar_ratio:.2f} (per round {scalar_low:.2f}..{scalar_high:.2f})")
    return {"vs_numpy": ratio, "vs_numpy_scalar": scalar_ratio}


def auto(cpus: int, costs, rounds: int, log) -> dict:
    """{cost: own chunks' rate ÷ the best fixed size's} over the sweep."""
    found = {}
    for cost in costs:
        task, count = AUTO_COSTS[cost]
        callee = goray.golang_task(task)
        if task == "HaversineM":
            lat, lon = make_points(count)
            inputs, shared = (lat, lon), {"lat0": LAT0, "lon0": LON0}
        else:
            inputs, shared = (numpy.random.default_rng(40).uniform(-1.0, 1.0, count),), {}
        sizes = sorted({max(1, -(-count // (cpus * m))) for m in SWEEP}, reverse=True)
        sides = {"auto": (count, lambda: goray.map(callee, *inputs, **shared))}
        for size in sizes:
            sides[f"chunk_size={size:,}"] = (
                count, lambda size=size: goray.map(callee, *inputs, chunk_size=size, **shared))
        sides["auto"][1]()  # untimed
        cpu = {}
        rates = _rounds(sides, rounds, CpuMeter(), cpu)
        fixed = {name: statistics.median(samples) for name, samples in rates.items()
                 if name != "auto"}
        best = max(fixed, key=fixed.get)
        ratio, low, high = _median_ratio(rates["auto"], rates[best])
        found[cost] = ratio
        print(f"auto, {cost} items ({task}, {count:,} items): own chunks "
              f"{statistics.median(rates['auto']):,.0f} items/s ({_cpu_line(cpu, 'auto')}); "
              + ", ".join(f"{name} {value:,.0f}" for name, value in fixed.items())
              + f"; best {best} ({_cpu_line(cpu, best)}): auto={ratio:.2f} (per round "
              f"{low:.2f}..{high:.2f})")
        log(f"auto {cost}: {ratio:.2f}")
    return found


def cpp_driver(library, run_driver, record, count: int, rounds: int, log) -> float:
    """The C++ driver's goray::Map ÷ Python's goray.map, HaversineM over `count` points."""
    lat, lon = make_points(count)
    task = goray.golang_task("HaversineM")
    arguments = [str(count), repr(LAT0), repr(LON0)]

    def cpp():
        before = len(record.get("cpp_map", []))
        if run_driver(library, arguments) != 0:
            raise SystemExit("the C++ driver failed")
        return record["cpp_map"][before]

    def python():
        return timed(lambda: goray.map(task, lat, lon, lat0=LAT0, lon0=LON0))

    cpp(), python()  # untimed: the driver's columns made, workers warm
    meter, ours, theirs, cpu = CpuMeter(), [], [], {"cpp": [], "python": []}
    for index in range(rounds):
        pair = [("cpp", cpp, ours), ("python", python, theirs)]
        for name, function, samples in (pair if index % 2 == 0 else pair[::-1]):
            seconds, own, total = meter.measured(function)
            samples.append(count / seconds)
            cpu[name].append((own / count * 1e9, total / count * 1e9))
    ratio, low, high = _median_ratio(ours, theirs)
    print(f"C++ driver goray::Map(HaversineM) over {count:,} points: "
          f"{statistics.median(ours):,.0f} items/s ({_cpu_line(cpu, 'cpp')}); Python driver "
          f"goray.map: {statistics.median(theirs):,.0f} items/s ({_cpu_line(cpu, 'python')})")
    print(f"cpp_driver: {ratio:.2f} (per round {low:.2f}..{high:.2f})")
    log(f"cpp_driver {ratio:.2f}")
    return ratio
