"""bench/map.py's driver figures (`bash scripts/bench.sh map`, issue 62) run end to end over
the tree's build of bench/bench_map.cpp, small: driver_ns_per_item and first_result_s at
two sizes, of_ideal_haversine against the native loop on --cores threads, and the 16-core
model line saying it is a model. bench/map_driver.py's pieces are checked without Ray.
In a child process: the benchmark starts its own Ray."""
import importlib.util
import pathlib
import re
import subprocess
import sys
import threading
import time

import pytest

# Tier 2 (bash scripts/run-tests.sh --all): the benchmarks' targets, which the tier-2 build
# adds (goray_bench)
pytestmark = pytest.mark.tier2

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
LIBRARY = ROOT / "build" / "bench" / "libbench_map.so"


def _load_map_driver():
    """bench/map_driver.py by path, without goray's Ray started (it imports goray and
    bench/map_cheap.py, bench/rounds.py: found through bench/ on sys.path for the load)."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_map_driver", BENCH / "map_driver.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_the_meter_counts_every_thread_and_the_model_says_what_it_is():
    map_driver = _load_map_driver()

    def spin():
        end = time.thread_time() + 0.05
        while time.thread_time() < end:
            pass

    def spin_here_and_in_a_thread_that_ends():
        spin()
        helper = threading.Thread(target=spin)
        helper.start()
        helper.join()
        time.sleep(0.2)  # join returns before the OS thread has quite exited

    _, wall, cpu, per = map_driver.measured(spin_here_and_in_a_thread_that_ends)
    assert wall > 0 and cpu >= 90e6
    assert per["main"] >= 40e6
    # The helper's CPU: under "(ended threads)" once it is gone from /proc/self/task.
    assert sum(ns for name, ns in per.items() if name != "main") >= 30e6, per
    found = {"driver_ns_per_item": {5_000_000: 2.0, 40_000_000: 3.0},
             "workers_ns_per_item": {40_000_000: 80.0}, "native_ns_1": 32.0,
             "first_result_s": {5_000_000: (0.1, 0.2), 40_000_000: (0.1, 0.05)},
             "of_ideal_haversine": 0.9}
    line = map_driver.model(found, 16)
    # native/N = 2; s + p/N = 8; max(s, p/N) = 5.
    assert line.startswith("model, not measured: on 16 cores, s = 3.00 ns"), line
    assert "= 0.25 if none" in line and "= 0.40 if all" in line, line
    assert map_driver.fields(found) == ("driver_ns_per_item=5M:2.00,40M:3.00 "
                                        "first_result_s=5M:0.200,40M:0.050 "
                                        "of_ideal_haversine=0.90")
    assert map_driver.fields(None).startswith("driver_ns_per_item=n/a")


def test_the_driver_figures_run_end_to_end():
    if not LIBRARY.exists():
        pytest.fail(f"{LIBRARY} is missing: build it with\n  cmake --build {ROOT}/build "
                    "--target bench_map bench_map_entries", pytrace=False)
    result = subprocess.run(
        [sys.executable, str(BENCH / "map.py"), str(LIBRARY), "--driver-only", "--cores", "2",
         "--driver-items", "200000,800000", "--driver-rounds", "1"],
        capture_output=True, text=True, timeout=600, cwd=str(BENCH))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    last = re.fullmatch(r"map: driver_ns_per_item=200k:([\d.]+),800k:([\d.]+) "
                        r"first_result_s=200k:([\d.]+),800k:([\d.]+) "
                        r"of_ideal_haversine=([\d.]+)", lines[-1])
    assert last, lines[-1]
    driver_small, driver_large, first_small, first_large, of_ideal = map(float, last.groups())
    assert driver_small > 0 and driver_large > 0 and of_ideal > 0
    assert 0 < first_small < 1 and 0 < first_large < 1
    assert lines[-2].startswith("model, not measured: on 16 cores"), lines[-2]
    assert any(line.startswith("native HaversineM loop on 2 threads") for line in lines)
    assert sum(line.startswith("driver, goray.map(HaversineM) over ") for line in lines) == 2
