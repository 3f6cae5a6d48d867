"""Many small calls (issue 40): goray.map over a float64 NumPy array, the per-item loop in
C++ inside Ray workers, against the other ways to run a ~0.25 µs C++ function of one double
over many items, in one run on this machine.

  goray.map   goray.map(goray.golang_task("Poly"), items) on a local Ray of 2 CPUs: items/s,
              rounds before and after the Pool's (the median over both)
  native      one thread looping over the same items in C++ (bench_map.cpp's NativeRate, called
              in this process): items/s of Poly itself, in rounds interleaved with goray.map's
  raycpp      Ray's C++ API: its C++ driver submits one ray::Task(Poly).Remote(x) per item,
              then one ray::Get of every result (bench/peers/raycpp, run.py --metrics map, on
              a Ray head of its own with 2 CPUs, after goray's Ray has stopped; the same Poly
              source, bench/map_poly.h): items/s over --raycpp-items items per round
  pool        ray.util.multiprocessing.Pool(2).map(f, items, chunksize=c) on goray's Ray, f
              calling Poly in its process through goray item by item
              (goray.golang_local_run_task("Poly", x)); the best c of --chunksizes

Last line: map: vs_raycpp=R vs_pool=R of_ideal=F ... driver_ns_per_item=5M:F,40M:F
first_result_s=5M:F,40M:F of_ideal_haversine=F
  vs_raycpp = goray.map items/s / Ray C++ API items/s
  vs_pool   = goray.map items/s / the best Pool chunksize's items/s
  of_ideal  = goray.map items/s / (native items/s x the CPUs Ray was given); with --cores N,
              / the native loop on N threads at once over the same items
  driver_ns_per_item, first_result_s, of_ideal_haversine: bench/map_driver.py (the
              driver's CPU per item, the time before the bulk of the work starts as a
              share of the map, the haversine against the native loop on as many threads)
(compared by rate: each side's sample of items is its own size). "n/a" where a side could
not run (Ray's C++ API not set up; goray.map not in this goray). With --cores N, Ray gets N
CPUs (2 by default) and a line models of_ideal on 16 cores from this run's figures.

With --cost, a scaling table instead: goray.map's items/s and of_ideal for every (items,
cost), the costs Poly (0.25us), PolyMid (10us) and PolyHeavy (1ms); a cell's items are cut
to --cap-seconds of native single-thread work (said in the table).

Usage: python bench/map.py path/to/libbench_map.so [--items 2000000] [--rounds 4] [--cores 2]
           [--driver-items 5000000,40000000] [--driver-rounds 3] [--driver-only]
           [--raycpp-items 20000] [--raycpp-rounds 3] [--pool-items N] [--pool-rounds 2]
           [--chunksizes 1000,10000,100000] [--chunk-size N]
       python bench/map.py path/to/libbench_map.so --cost 0.25us,10us,1ms
           [--items 10000,100000,1000000,10000000] [--cap-seconds 4]
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import numpy  # noqa: E402

import goray  # noqa: E402
import map_cheap  # noqa: E402  bench/map_cheap.py
import map_driver  # noqa: E402  bench/map_driver.py
from rounds import timed  # noqa: E402  bench/rounds.py

ROOT = pathlib.Path(__file__).resolve().parents[1]
MAP_DEFS = ROOT / "bench" / "map_defs.py"  # where the C++ driver reports its rounds
RAYCPP_PY = ROOT / ".venv-raycpp" / "bin" / "python"
RAYCPP_RUNNER = ROOT / "bench" / "peers" / "raycpp" / "run.py"
CPUS = 2
# --cost -> (task, nominal seconds per item): bench/map_poly.h's three costs.
COSTS = {"0.25us": ("Poly", 0.25e-6), "10us": ("PolyMid", 10e-6), "1ms": ("PolyHeavy", 1e-3)}
COST_ALIASES = {"250ns": "0.25us", ".25us": "0.25us", "10000ns": "10us", "1000us": "1ms"}


def log(message: str) -> None:
    print(f"[map] {message}", file=sys.stderr, flush=True)


def poly_in_process(x):
    """The Pool's f: Poly in the Pool worker's own process, through goray (the library
    from GORAY_BIN_PATH, which goray.init puts in the job's runtime_env)."""
    return goray.golang_local_run_task("Poly", x)


def make_items(count: int) -> numpy.ndarray:
    return numpy.random.default_rng(40).uniform(-1.0, 1.0, count)


def rate(items: int, seconds: float) -> float:
    return items / seconds


def fmt(value: float) -> str:
    return f"{value:,.0f}"


def median_spread(samples) -> str:
    return f"median of {len(samples)}, {fmt(min(samples))}..{fmt(max(samples))}"


def check_results(result, items: numpy.ndarray, task: str, what: str) -> None:
    """A float64 array of items' shape whose sampled entries are task(x) in-process."""
    if not isinstance(result, numpy.ndarray) or result.dtype != numpy.float64 or \
            result.shape != items.shape:
        raise SystemExit(f"{what} returned {type(result).__name__} "
                         f"{getattr(result, 'dtype', '')} {getattr(result, 'shape', '')}, "
                         f"expected float64 {items.shape}")
    for index in sorted({0, items.size // 3, items.size // 2, items.size - 1}):
        expected = goray.golang_local_run_task(task, float(items[index]))
        if result[index] != expected:
            raise SystemExit(f"{what}: item {index} is {result[index]!r}, {task} gives {expected!r}")


def native_rate(items: numpy.ndarray, task: str, rounds: int, threads: int = 1) -> list:
    """Items/s of one thread looping over `items` in C++ (in this process); with `threads`,
    of that many threads at once, each over its slice, ÷ `threads` (per thread, by wall time)."""
    if threads > 1:
        return [map_driver.native_threads_rate("NativeRate", (items,), (task,), threads) / threads
                for _ in range(rounds)]
    return [goray.golang_local_run_task("NativeRate", items, task) for _ in range(rounds)]


def map_call(task: str, items: numpy.ndarray, options) -> float:
    """Seconds of one goray.map over `items` (its result checked after the clock)."""
    kwargs = {"chunk_size": options.chunk_size} if options.chunk_size else {}
    callee, out = goray.golang_task(task), []
    seconds = timed(lambda: out.append(goray.map(callee, items, **kwargs)))
    check_results(out[0], items, task, f"goray.map({task})")
    return seconds


def map_rounds(task: str, items: numpy.ndarray, rounds: int, options) -> list:
    return [rate(items.size, map_call(task, items, options)) for _ in range(rounds)]


def stub_check(library: str, items: numpy.ndarray) -> str:
    """The generated module's Poly.map (goray_add_app's stubs beside the library) gives
    goray.map's results; a note if it cannot be checked."""
    sys.path.insert(0, str(pathlib.Path(library).resolve().parent))
    try:
        import bench_map  # noqa: PLC0415  the generated stubs
    except ImportError as error:
        return f"generated stubs not checked ({error})"
    finally:
        sys.path.pop(0)
    if not hasattr(bench_map.Poly, "map"):
        return "generated stubs not checked (bench_map.Poly has no .map)"
    sample = items[:10000]
    if not numpy.array_equal(bench_map.Poly.map(sample), goray.map(bench_map.Poly, sample)):
        raise SystemExit("bench_map.Poly.map and goray.map(bench_map.Poly, ...) differ")
    return "bench_map.Poly.map checked against goray.map"


def pool_rates(items: numpy.ndarray, chunksizes, rounds: int, processes: int = CPUS) -> dict:
    """{chunksize: [items/s per round]} of a Ray Pool of `processes` mapping poly_in_process."""
    from ray.util.multiprocessing import Pool

    values = items.tolist()  # Python floats, as a Pool user would hand them (not timed)
    expected = {index: goray.golang_local_run_task("Poly", values[index])
                for index in (0, len(values) // 2, len(values) - 1)}
    pool = Pool(processes=processes)
    try:
        warm = pool.map(poly_in_process, values[:20000], chunksize=1000)  # actors, library
        assert warm[0] == expected[0], (warm[0], expected[0])
        samples = {size: [] for size in chunksizes}
        for round_index in range(rounds):
            order = chunksizes if round_index % 2 == 0 else chunksizes[::-1]
            for size in order:
                out = []
                seconds = timed(lambda: out.append(pool.map(poly_in_process, values, chunksize=size)))
                result = out[0]
                if len(result) != len(values) or any(result[i] != v for i, v in expected.items()):
                    raise SystemExit(f"Pool.map(chunksize={size}) returned wrong results")
                samples[size].append(rate(len(values), seconds))
                log(f"Pool chunksize={size}: {fmt(samples[size][-1])} items/s")
    finally:
        pool.terminate()
    return samples


def raycpp_rates(options) -> tuple:
    """(items/s samples, note) of Ray's C++ API, one Poly task per item; ([], reason)
    when it cannot run."""
    if not RAYCPP_PY.exists():
        return [], "not set up (scripts/setup-raycpp.sh did not run)"
    env = {key: value for key, value in os.environ.items()
           if key not in ("GORAY_BIN_PATH", "GORAY_PY_MUDULE_PATH", "RAY_ADDRESS")}
    command = [str(RAYCPP_PY), str(RAYCPP_RUNNER), "--metrics", "map",
               "--map-items", str(options.raycpp_items), "--rounds", str(options.raycpp_rounds)]
    proc = subprocess.run(command, cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=1800)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        print(proc.stderr[-3000:], file=sys.stderr)
        return [], f"the runner failed (exit {proc.returncode})"
    out = json.loads(lines[-1])
    if "unavailable" in out:
        return [], out["unavailable"]
    samples = out.get("map")
    if not isinstance(samples, list) or not samples:
        return [], f"no map figures: {samples}"
    return samples, ""


def ratio(ours, theirs, digits: int) -> str:
    if not ours or not theirs:
        return "n/a"
    return f"{ours / theirs:.{digits}f}"


def run_ratios(options) -> None:
    count = int(options.items.split(",")[0])
    items = make_items(count)
    pool_items = items[:options.pool_items] if options.pool_items else items
    chunksizes = [int(size) for size in options.chunksizes.split(",")]
    has_map = hasattr(goray, "map")
    load = os.getloadavg()[0]
    log(f"{count:,} items, load average {load:.1f}")

    library = goray.init(options.library, py_defs_path=str(MAP_DEFS), num_cpus=options.cores,
                         log_to_driver=False, include_dashboard=False)
    import ray
    from goray import _process_setup
    from goray._ray import driver
    cpus = int(ray.cluster_resources().get("CPU", options.cores))
    # --cores N: the native side is N threads at once (per thread), not one thread x N.
    threads = cpus if options.cores_given else 1
    if options.driver_only:
        driver_only(options, cpus, load)
        return
    native, maps, stubs = [], [], "generated stubs not checked (no goray.map)"
    if not has_map:
        log("goray.map is not in this goray: its figures and the ratios are n/a")

    def native_and_map_rounds() -> None:
        """--rounds of the native loop and goray.map, interleaved (which runs first
        alternates), after an untimed goray.map (workers started, library loaded)."""
        if has_map:
            map_call("Poly", items, options)
        for index in range(options.rounds):
            parts = [lambda: native.extend(native_rate(items, "Poly", 1, threads))]
            if has_map:
                parts.append(lambda: maps.extend(map_rounds("Poly", items, 1, options)))
            for part in (parts if index % 2 == 0 else parts[::-1]):
                part()
        log(f"native: {[fmt(r) for r in native]} items/s")
        if has_map:
            log(f"goray.map: {[fmt(r) for r in maps]} items/s")

    native_and_map_rounds()
    if has_map:
        stubs = stub_check(options.library, items)
    pools = pool_rates(pool_items, chunksizes, options.pool_rounds, cpus)
    native_and_map_rounds()  # the Pool's actors gone: drift shows in the spreads
    cheap = {}
    if has_map and options.cheap_rounds:
        cheap.update(map_cheap.vs_numpy(ray, cpus, options.numpy_items, options.cheap_rounds,
                                        log))
        cheap["auto"] = map_cheap.auto(cpus, parse_auto(options.auto_costs),
                                       options.auto_rounds, log)
        record = _process_setup.import_py_defs(str(MAP_DEFS)).times
        cheap["cpp_driver"] = map_cheap.cpp_driver(library, driver.run_driver, record,
                                                   options.numpy_items, options.cheap_rounds,
                                                   log)
    figures = (map_driver.driver_figures(cpus, driver_sizes(options), options.driver_rounds, log)
               if has_map and options.driver_rounds else None)
    ray.shutdown()
    raycpp, raycpp_note = raycpp_rates(options)

    native_median = statistics.median(native)
    map_median = statistics.median(maps) if maps else None
    pool_medians = {size: statistics.median(samples) for size, samples in pools.items()}
    best_size = max(pool_medians, key=pool_medians.get)
    raycpp_median = statistics.median(raycpp) if raycpp else None
    print(f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"native loop, 1 thread (Poly, {count:,} items): {fmt(native_median)} items/s "
          f"({1e6 / native_median:.3f} µs per item; {median_spread(native)})")
    if maps:
        per_round = sorted(m / (n * cpus) for m, n in zip(maps, native))
        print(f"goray.map on {cpus} CPUs ({count:,} items): {fmt(map_median)} items/s "
              f"({median_spread(maps)}; of_ideal per round {per_round[0]:.2f}.."
              f"{per_round[-1]:.2f}; {stubs})")
    else:
        print("goray.map: n/a (not in this goray)")
    for size in chunksizes:
        print(f"Ray Pool({cpus}).map chunksize={size} ({pool_items.size:,} items): "
              f"{fmt(pool_medians[size])} items/s ({median_spread(pools[size])})"
              + (" best" if size == best_size else ""))
    if raycpp:
        print(f"Ray C++ API, one ray::Task(Poly).Remote(x) per item ({options.raycpp_items:,} "
              f"items, own head, {CPUS} CPUs): {fmt(raycpp_median)} items/s "
              f"({median_spread(raycpp)})")
    else:
        print(f"Ray C++ API: n/a ({raycpp_note})")
    autos = cheap.get("auto", {})
    fields = (f"vs_numpy={cheap['vs_numpy']:.2f} vs_numpy_scalar={cheap['vs_numpy_scalar']:.2f} "
              f"auto={min(autos.values()):.2f} "
              + " ".join(f"auto_{cost}={value:.2f}" for cost, value in autos.items())
              + f" cpp_driver={cheap['cpp_driver']:.2f}" if autos else
              "vs_numpy=n/a vs_numpy_scalar=n/a auto=n/a cpp_driver=n/a")
    if figures:
        print(map_driver.model(figures, 16))
    print(f"map: vs_raycpp={ratio(map_median, raycpp_median, 0)} "
          f"vs_pool={ratio(map_median, pool_medians[best_size], 1)} "
          f"of_ideal={ratio(map_median, native_median * cpus if map_median else None, 2)} "
          f"{fields} {map_driver.fields(figures)}")


def driver_sizes(options) -> list:
    return [int(size) for size in options.driver_items.split(",")]


def driver_only(options, cpus: int, load: float) -> None:
    """--driver-only: the driver's figures alone (bench/map_driver.py)."""
    import ray
    figures = map_driver.driver_figures(cpus, driver_sizes(options), options.driver_rounds, log)
    ray.shutdown()
    print(f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(map_driver.model(figures, 16))
    print(f"map: {map_driver.fields(figures)}")


def parse_costs(text: str) -> list:
    costs = []
    for cost in text.split(","):
        key = COST_ALIASES.get(cost.strip(), cost.strip())
        if key not in COSTS:
            raise SystemExit(f"--cost {cost}: one of {', '.join(COSTS)}")
        costs.append(key)
    return costs


def parse_auto(text: str) -> list:
    costs = [cost.strip() for cost in text.split(",") if cost.strip()]
    for cost in costs:
        if cost not in map_cheap.AUTO_COSTS:
            raise SystemExit(f"--auto-costs {cost}: one of {', '.join(map_cheap.AUTO_COSTS)}")
    return costs


def run_table(options) -> None:
    costs = parse_costs(options.cost)
    counts = [int(count) for count in (options.items or "10000,100000,1000000,10000000").split(",")]
    largest = make_items(max(counts))
    load = os.getloadavg()[0]
    log(f"table: items {counts}, costs {costs}, load average {load:.1f}")
    goray.init(options.library, num_cpus=CPUS, log_to_driver=False, include_dashboard=False)
    import ray
    cpus = int(ray.cluster_resources().get("CPU", CPUS))
    if not hasattr(goray, "map"):
        raise SystemExit("goray.map is not in this goray: no table")
    map_call("Poly", largest[:100000], options)  # warm-up
    rows, measured = [], {}
    for cost in costs:
        task, nominal = COSTS[cost]
        probe = goray.golang_local_run_task("NativeRate", largest[:max(10, int(0.05 / nominal))], task)
        cap = max(1, int(options.cap_seconds * probe))
        sample = largest[:min(max(counts), cap, max(10, int(1.0 * probe)))]  # ~1 s of work
        native = statistics.median(native_rate(sample, task, 3))
        log(f"{task}: native {fmt(native)} items/s ({1e6 / native:.3f} µs per item), "
            f"cells cut to {cap:,} items")
        for count in counts:
            n = min(count, cap)
            if (task, n) not in measured:
                items = largest[:n]
                first = map_call(task, items, options)  # untimed: sets the rounds
                rounds = max(2, min(15, int(options.cell_seconds / first)))
                measured[task, n] = map_rounds(task, items, rounds, options)
                log(f"{task} x {n:,}: {fmt(statistics.median(measured[task, n]))} items/s "
                    f"({rounds} rounds)")
            rates = measured[task, n]
            rows.append((count, cost, task, native, n, rates))
    ray.shutdown()
    print(f"goray.map on {cpus} CPUs: items/s and of_ideal (goray.map ÷ native single-thread "
          f"rate x {cpus}); a cell's items cut to {options.cap_seconds:g} s of native work (*); "
          f"load average {load:.1f} at the start")
    print(f"{'items':>12} {'cost':>7} {'task':>10} {'native/s':>12} {'measured':>12} "
          f"{'items/s':>12} {'of_ideal':>8}  rounds")
    for count, cost, task, native, n, rates in rows:
        value = statistics.median(rates)
        cut = f"{n:,}*" if n < count else f"{n:,}"
        print(f"{count:>12,} {cost:>7} {task:>10} {fmt(native):>12} {cut:>12} {fmt(value):>12} "
              f"{value / (native * cpus):8.2f}  {len(rates)}")
    print(f"map table: {len(rows)} cells, {sum(1 for row in rows if row[4] < row[0])} cut "
          f"to {options.cap_seconds:g} s of native work")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", help="libbench_map.so (build-release/bench/)")
    parser.add_argument("--items", help="items: one count (default 2000000); with --cost, "
                                        "a list (default 10000,100000,1000000,10000000)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="goray.map rounds and native loops (interleaved) on each side "
                             "of the Pool's")
    parser.add_argument("--raycpp-items", type=int, default=20000,
                        help="Ray C++ API: items (tasks) per round")
    parser.add_argument("--raycpp-rounds", type=int, default=3)
    parser.add_argument("--pool-items", type=int, default=0,
                        help="the Pool's items (default: all of --items)")
    parser.add_argument("--pool-rounds", type=int, default=2, help="rounds per chunksize")
    parser.add_argument("--chunksizes", default="1000,10000,100000", help="the Pool's sweep")
    parser.add_argument("--chunk-size", type=int, default=0,
                        help="goray.map's chunk_size (default: goray's choice)")
    parser.add_argument("--numpy-items", type=int, default=5_000_000,
                        help="vs_numpy and cpp_driver: points of the haversine (HaversineM)")
    parser.add_argument("--cheap-rounds", type=int, default=9,
                        help="vs_numpy and cpp_driver: interleaved rounds (0: skip them and "
                             "auto)")
    parser.add_argument("--auto-rounds", type=int, default=5,
                        help="auto: interleaved rounds of own chunks and each fixed size")
    parser.add_argument("--auto-costs", default=",".join(map_cheap.AUTO_COSTS),
                        help="auto: the item costs swept (of 25ns,0.25us,10us,1ms)")
    parser.add_argument("--cores", type=int, default=0,
                        help="CPUs Ray gets (default 2); given, of_ideal divides by the native "
                             "loop on as many threads at once")
    parser.add_argument("--driver-items", default="5000000,40000000",
                        help="driver_ns_per_item and first_result_s: the haversine's points")
    parser.add_argument("--driver-rounds", type=int, default=3,
                        help="rounds per --driver-items size (0: skip the driver figures)")
    parser.add_argument("--driver-only", action="store_true",
                        help="only the driver figures (and the model line)")
    parser.add_argument("--cost", help="the scaling table: costs among 0.25us,10us,1ms")
    parser.add_argument("--cap-seconds", type=float, default=4.0,
                        help="table: a cell's items cut to this much native work")
    parser.add_argument("--cell-seconds", type=float, default=3.0,
                        help="table: about this long of timed rounds per cell (2 to 15 rounds)")
    options = parser.parse_args()
    if options.cores < 0:
        raise SystemExit(f"--cores {options.cores}: a positive count of CPUs")
    options.cores_given = options.cores > 0
    options.cores = options.cores or CPUS
    started = time.time()
    if options.cost:
        run_table(options)
    else:
        if options.items and "," in options.items:
            raise SystemExit("--items takes one count without --cost")
        options.items = options.items or "2000000"
        run_ratios(options)
    log(f"done in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
