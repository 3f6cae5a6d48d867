"""This project against its peers: goray (ours, C++ and Go libraries) vs GoRay's own
driver (goray==1.2.1, C++ and Go libraries) vs plain Python on Ray.

  in-process latency: one call of the native task Square(2.0) from Python
      (golang_local_run_task), µs per call; plain Python: a Python function call
      through the same kind of loop (the floor).
  remote throughput:  Square(2.0) as Ray tasks from Python, submitted in a batch
      then fetched with ray.get, tasks per second; plain Python: an @ray.remote
      function.

Each configuration runs in its own process (one goray package and one library per
process; each remote one starts its own Ray on 127.0.0.1, 2 CPUs, no dashboard).
Figures: median over rounds, spread as the interquartile range and min..max.
Writes bench/report.md and bench/peers.png.

Needs what scripts/test-interop.sh sets up (.venv-goray/, build-interop/), and
matplotlib in the Python that runs this script:
  .venv-goray/bin/pip install matplotlib
  .venv-goray/bin/python bench/peers.py [--rounds 7] [--calls 2000] [--tasks 400]
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
OURS = ROOT / ".venv" / "bin" / "python"
GORAY = ROOT / ".venv-goray" / "bin" / "python"
CPP_LIB = ROOT / "build-interop" / "cpp" / "libinterop.so"
GO_LIB = ROOT / "build-interop" / "go" / "libgoapp.so"
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
                "RAY_ADDRESS": "local", "INTEROP_SCENARIO": "none"}
RAY_INIT = dict(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
                log_to_driver=False)

# (label, python, library or None for plain Python)
CONFIGS = [
    ("goray C++ (ours)", OURS, CPP_LIB),
    ("goray Go lib (ours)", OURS, GO_LIB),
    ("GoRay driver, C++ lib", GORAY, CPP_LIB),
    ("GoRay driver, Go lib", GORAY, GO_LIB),
    ("plain Python", OURS, None),
]


# ---------------------------------------------------------------------------
# Children: one measurement in this process, printed as one JSON line.

def measure_local(library: str, rounds: int, calls: int) -> list:
    if library:
        os.environ["GORAY_BIN_PATH"] = library  # GoRay reads it when goray is imported
        import goray
        if hasattr(goray, "load_library"):  # ours
            goray.load_library(library)

        def call():
            return goray.golang_local_run_task("Square", 2.0)
    else:
        def square(x):
            return x * x

        def call():
            return square(2.0)
    assert call() == 4.0
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return samples


def measure_remote(library: str, rounds: int, tasks: int) -> list:
    import ray
    if library:
        import goray
        if hasattr(goray, "load_library"):  # ours
            goray.init(library, **RAY_INIT)
        else:  # GoRay: start() is init plus the driver (which returns at once here)
            assert goray.start(library, "", **RAY_INIT) == 0
        task = goray.golang_task("Square")
    else:
        ray.init(**RAY_INIT)

        @ray.remote
        def square(x):
            return x * x
        task = square
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
    ray.get([task.remote(2.0) for _ in range(tasks)])  # warm the workers up
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        assert ray.get([task.remote(2.0) for _ in range(tasks)])[-1] == 4.0
        samples.append(tasks / (time.perf_counter() - start))
    ray.shutdown()
    return samples


# ---------------------------------------------------------------------------
# Parent.

def run_child(python: pathlib.Path, mode: str, library, options) -> list:
    command = [str(python), __file__, "--child", mode, "--library", str(library or ""),
               "--rounds", str(options.rounds), "--calls", str(options.calls),
               "--tasks", str(options.tasks)]
    env = dict(os.environ, **LOOPBACK_ENV)
    env.pop("GORAY_BIN_PATH", None)
    proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=900, cwd=str(ROOT))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])["samples"]


def summary(samples: list) -> dict:
    quartiles = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    return {"median": statistics.median(samples), "q1": quartiles[0], "q3": quartiles[2],
            "min": min(samples), "max": max(samples), "n": len(samples)}


def plot(results: dict, path: pathlib.Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for axis, (metric, title, unit) in zip(axes, [
            ("local", "In-process call latency (lower is better)", "µs per call"),
            ("remote", "Remote task throughput (higher is better)", "tasks / s")]):
        labels = [label for label, _, _ in CONFIGS if label in results[metric]]
        stats = [results[metric][label] for label in labels]
        medians = [s["median"] for s in stats]
        errors = [[s["median"] - s["q1"] for s in stats], [s["q3"] - s["median"] for s in stats]]
        axis.barh(labels, medians, xerr=errors, capsize=4, color="#4c72b0")
        axis.invert_yaxis()
        axis.set_title(title)
        axis.set_xlabel(f"{unit} (median, IQR bars)")
        if metric == "local":
            axis.set_xscale("log")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def write_report(results: dict, options, path: pathlib.Path, png: pathlib.Path) -> None:
    lines = ["# goray vs GoRay vs plain Python on Ray", "",
             f"Generated by `bench/peers.py` (rounds={options.rounds}, calls={options.calls} per "
             f"local round, tasks={options.tasks} per remote round) on {os.cpu_count()} CPUs, "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Median over rounds; spread "
             "as the interquartile range (q1..q3) and min..max. Each configuration runs in its "
             "own process; remote ones start their own local Ray (2 CPUs).", "",
             f"![plot]({png.name})", "",
             "## In-process latency: `golang_local_run_task(\"Square\", 2.0)` from Python", "",
             "| configuration | median µs/call | q1..q3 | min..max |", "|---|---|---|---|"]
    for label, _, _ in CONFIGS:
        s = results["local"].get(label)
        if s:
            lines.append(f"| {label} | {s['median']:.2f} | {s['q1']:.2f}..{s['q3']:.2f} | "
                         f"{s['min']:.2f}..{s['max']:.2f} |")
    lines += ["", "Plain Python: a Python function call in the same loop (the floor).", "",
              "## Remote throughput: `Square(2.0)` as Ray tasks from Python", "",
              "| configuration | median tasks/s | q1..q3 | min..max |", "|---|---|---|---|"]
    for label, _, _ in CONFIGS:
        s = results["remote"].get(label)
        if s:
            lines.append(f"| {label} | {s['median']:.0f} | {s['q1']:.0f}..{s['q3']:.0f} | "
                         f"{s['min']:.0f}..{s['max']:.0f} |")
    lines += ["", "Plain Python: an `@ray.remote` function. Failed configurations: "
              + (", ".join(results["failed"]) or "none") + ".", "",
              "## Reading", "",
              "- In-process, the driver decides: ours calls `Execute` through its compiled fast "
              "path, GoRay's through ctypes with msgpack's Python-level framing; a Go library adds "
              "cgo's call cost and reflection-based decoding on top, under either driver.",
              "- Remotely, a task costs Ray's own scheduling far more than the FFI, so the "
              "configurations are closer; the spread is wide on a 2-CPU machine (other processes "
              "compete with Ray's workers): compare medians together with their ranges, and "
              "re-run with more `--rounds` for a quiet measurement.", ""]
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--only", choices=["local", "remote"], help="one of the two measurements")
    parser.add_argument("--child", choices=["local", "remote"], help=argparse.SUPPRESS)
    parser.add_argument("--library", default="", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.child == "local":
        print(json.dumps({"samples": measure_local(options.library, options.rounds, options.calls)}))
        return
    if options.child == "remote":
        print(json.dumps({"samples": measure_remote(options.library, options.rounds, options.tasks)}))
        return

    for needed in (OURS, GORAY, CPP_LIB, GO_LIB):
        if not needed.exists():
            sys.exit(f"{needed} is missing: run bash scripts/test-interop.sh first")
    results: dict = {"local": {}, "remote": {}, "failed": []}
    for metric in ("local", "remote"):
        if options.only and metric != options.only:
            continue
        for label, python, library in CONFIGS:
            start = time.perf_counter()
            try:
                results[metric][label] = summary(run_child(python, metric, library, options))
            except Exception as error:  # noqa: BLE001  reported, the others still run
                results["failed"].append(f"{label} ({metric})")
                print(f"[peers] {label} {metric}: {error}", file=sys.stderr)
                continue
            print(f"[peers] {metric:6} {label:24} median {results[metric][label]['median']:10.2f} "
                  f"({time.perf_counter() - start:.0f}s)", file=sys.stderr)
    bench = ROOT / "bench"
    png = bench / "peers.png"
    plot(results, png)
    write_report(results, options, bench / "report.md", png)
    print(f"[peers] wrote {bench / 'report.md'} and {png}", file=sys.stderr)


if __name__ == "__main__":
    main()
