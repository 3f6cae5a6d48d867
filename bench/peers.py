"""The peer benchmark (docs/benchmarks.md): goray for C++ (ours) against GoRay (its Go library
under its own driver), plain Python on Ray, the same C++ functions bound by nanobind and
called from plain Python Ray tasks, and Ray's own C++ API, side by side in one run. Also
the two mixed pairs (our driver with GoRay's Go library, GoRay's driver with our C++
library), which show where a difference comes from.

Workloads (definitions in bench/peers/child.py and bench/peers/raycpp/):
  in-process call latency, Python -> native and native -> Python (µs per call);
  remote no-op task throughput, 2000 submitted then fetched, from Python and from
  the native driver (calls/s); actor method throughput, same shape;
  payload round trip through an echo task, 1/64/256 MiB of bytes and of
  vector<double> / list[float] (GB/s, and as a ratio to memcpy of the same size
  in the same process);
  arrays: `2 * a` on 64/256 MiB of float64 as a task, input in the driver's hand to the
  result in it (GB/s): NumPy for plain Python and ours (Array<double> in C++, also from
  the native driver), list[float] -> []float64 for GoRay, std::vector<double> from Ray's
  C++ driver.

One child process per system (one goray package and one library per process),
each with its own local Ray on 127.0.0.1 (2 CPUs, no dashboard). Figures: the
median over rounds, spread as q1..q3 and min..max. Writes bench/report.md and
bench/peers.png. Run it through `bash scripts/bench.sh peers`, which builds and
installs everything it needs.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "peers"))
import report  # noqa: E402  bench/peers/report.py

CHILD = ROOT / "bench" / "peers" / "child.py"
RAYCPP_RUNNER = ROOT / "bench" / "peers" / "raycpp" / "run.py"
OURS_PY = ROOT / ".venv" / "bin" / "python"
GORAY_PY = ROOT / ".venv-goray" / "bin" / "python"
RAYCPP_PY = ROOT / ".venv-raycpp" / "bin" / "python"
CPP_LIB = ROOT / "build-release" / "bench" / "libpeers_cpp.so"
GO_LIB = ROOT / "build-release" / "bench" / "libpeers_go.so"
NANOBIND_DIR = ROOT / "build-release" / "bench" / "peers" / "nanobind"  # peers_nanobind.*.so

ALL_METRICS = "local,task,actor,payload,arrays"
# key: (label, python, child --system, library, metrics)
SYSTEMS = {
    "ours": ("goray for C++ (ours)", OURS_PY, "ours", CPP_LIB, ALL_METRICS),
    "goray": ("GoRay (Go library, GoRay's driver)", GORAY_PY, "goray", GO_LIB, ALL_METRICS),
    "python": ("plain Python on Ray", OURS_PY, "python", None, ALL_METRICS),
    "nanobind": ("nanobind in plain Python Ray tasks", OURS_PY, "nanobind", NANOBIND_DIR, ALL_METRICS),
    "ours_go": ("our driver, GoRay's Go library", OURS_PY, "ours", GO_LIB, "local,task,actor"),
    "goray_cpp": ("GoRay's driver, our C++ library", GORAY_PY, "goray", CPP_LIB, "local,task,actor"),
}


def parse_child_output(text: str) -> dict:
    """METRIC <name> / BENCH {json} pairs -> {name: result}."""
    results, metric = {}, None
    for line in text.splitlines():
        if line.startswith("METRIC "):
            metric = line.split(" ", 1)[1].strip()
        elif line.startswith("BENCH ") and metric:
            results[metric] = json.loads(line[6:])
            metric = None
    return results


def wanted(metrics: str, options) -> str:
    """The system's workload groups that --metrics asks for."""
    asked = set(options.metrics.split(","))
    return ",".join(group for group in metrics.split(",") if group in asked)


def run_child(key: str, options) -> dict:
    """All of one system's phases; a phase that times out is recorded as such and a
    new child runs the phases after it."""
    _, python, system, library, metrics = SYSTEMS[key]
    if key == "nanobind" and not any(NANOBIND_DIR.glob("peers_nanobind*.so")):
        return {"unavailable": "its module was not built (no nanobind in .venv: "
                               "pip install -r python/requirements-dev.txt)"}
    metrics = wanted(metrics, options)
    env = dict(os.environ)
    for leftover in ("GORAY_BIN_PATH", "GORAY_PY_MUDULE_PATH", "RAY_ADDRESS"):
        env.pop(leftover, None)
    results: dict = {}
    while True:
        command = [str(python), str(CHILD), "--system", system, "--library", str(library or ""),
                   "--metrics", metrics, "--rounds", str(options.rounds),
                   "--calls", str(options.calls), "--tasks", str(options.tasks),
                   "--sizes", options.sizes, "--array-sizes", options.array_sizes,
                   "--payload-rounds", str(options.payload_rounds),
                   "--phase-timeout", str(options.phase_timeout), "--skip", ",".join(results)]
        proc = subprocess.run(command, env=env, cwd=str(ROOT), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=options.child_timeout)
        results.update(parse_child_output(proc.stdout))
        timed_out = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("TIMEOUT ")]
        if timed_out:
            results[timed_out[0]] = {"error": f"not finished after {options.phase_timeout:.0f} s"}
            print(f"[peers] {key}: {timed_out[0]} timed out; going on with the next phase",
                  file=sys.stderr)
            continue
        if proc.returncode:
            results["failed"] = f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}"
            print(proc.stderr[-3000:], file=sys.stderr)
        return results


def run_raycpp(options) -> dict:
    """Ray's C++ API (bench/peers/raycpp): its own virtualenv, Ray and driver binary."""
    if not RAYCPP_PY.exists() or not RAYCPP_RUNNER.exists():
        return {"unavailable": "not set up (scripts/setup-raycpp.sh did not run)"}
    command = [str(RAYCPP_PY), str(RAYCPP_RUNNER), "--rounds", str(options.rounds),
               "--tasks", str(options.tasks), "--sizes", options.sizes,
               "--payload-rounds", str(options.payload_rounds),
               "--metrics", wanted("task,actor,payload,arrays", options),
               "--array-sizes", options.array_sizes]
    proc = subprocess.run(command, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=options.child_timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"unavailable": f"the runner failed (exit {proc.returncode})"}
    raw = json.loads(lines[-1])
    if "unavailable" in raw:
        return raw
    def result(value):  # a list of samples, or {"error": text} for a phase that failed
        return value if isinstance(value, dict) else {"samples": value}
    results = {name: result(raw[name]) for name in
               ("task_native", "actor_native", "task_py", "actor_py") if raw.get(name)}
    for kind in ("bytes", "floats"):
        for size, value in raw.get("payload", {}).get(kind, {}).items():
            results[f"payload/{kind}/{size}"] = result(value)
    for size, value in raw.get("memcpy", {}).items():
        results[f"memcpy/{size}"] = result(value)
    for size, value in raw.get("arrays", {}).items():
        results[f"arrays_native/{size}"] = result(value)
    for note in ("notes", "py_unavailable"):
        if raw.get(note):
            results.setdefault("notes", []).append(str(raw[note]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="rounds per latency/throughput figure")
    parser.add_argument("--calls", type=int, default=2000, help="in-process calls per round")
    parser.add_argument("--tasks", type=int, default=2000, help="remote calls per round")
    parser.add_argument("--sizes", default="1,64,256", help="payload sizes in MiB")
    parser.add_argument("--payload-rounds", type=int, default=5)
    parser.add_argument("--array-sizes", default="64,256", help="array sizes in MiB (2 * a)")
    parser.add_argument("--metrics", default=ALL_METRICS,
                        help="workload groups to run (local, task, actor, payload, arrays); "
                             "the report shows n/a for the others")
    parser.add_argument("--systems", default=",".join(list(SYSTEMS) + ["raycpp"]))
    parser.add_argument("--phase-timeout", type=float, default=150,
                        help="seconds one measurement may take before it is given up "
                             "(payload phases: plus their rounds' own time limits)")
    parser.add_argument("--child-timeout", type=float, default=3600)
    parser.add_argument("--out", default=str(ROOT / "bench"), help="directory for report.md and peers.png")
    parser.add_argument("--from-json", help="only write the report and chart again from a run's "
                                            "peers.json (same options as that run)")
    options = parser.parse_args()

    out = pathlib.Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    labels = {key: system[0] for key, system in SYSTEMS.items()}
    labels["raycpp"] = "Ray's C++ API"
    if options.from_json:  # the report and chart again, from a run's raw results
        saved = json.loads(pathlib.Path(options.from_json).read_text())
        options.load_before = saved.pop("_load_before", float("nan"))
        options.metrics = saved.pop("_metrics", options.metrics)
        report.write(saved, labels, options, out / "report.md", out / "peers.png",
                     saved.pop("_seconds", 0.0))
        return
    for needed in (OURS_PY, GORAY_PY, CPP_LIB, GO_LIB):
        if not needed.exists():
            sys.exit(f"{needed} is missing: run bash scripts/bench.sh peers")
    started = time.time()
    options.load_before = os.getloadavg()[0]  # the report shows how busy the machine was
    results = {}
    for key in options.systems.split(","):
        if key in SYSTEMS and not wanted(SYSTEMS[key][4], options):
            continue  # none of its workloads asked for (the mixed pairs in an arrays run)
        begin = time.perf_counter()
        try:
            results[key] = run_raycpp(options) if key == "raycpp" else run_child(key, options)
        except subprocess.TimeoutExpired:
            results[key] = {"failed": f"timed out after {options.child_timeout:.0f}s"}
        print(f"[peers] {key}: {len(results[key])} results in {time.perf_counter() - begin:.0f}s",
              file=sys.stderr)
    seconds = time.time() - started
    (out / "peers.json").write_text(json.dumps(
        {**results, "_seconds": seconds, "_load_before": options.load_before,
         "_metrics": options.metrics}, indent=1))
    report.write(results, labels, options, out / "report.md", out / "peers.png", seconds)
    print(f"[peers] wrote {out / 'report.md'}, {out / 'peers.png'} and {out / 'peers.json'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
