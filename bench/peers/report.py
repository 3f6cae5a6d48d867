"""bench/report.md and bench/peers.png from bench/peers.py's results:
{system: {metric: {"samples": [...]} | {"error": text}, "failed"/"unavailable": text}}."""
import os
import statistics
import time
from pathlib import Path

LOCAL = [("local_py_to_native", "Python → native"), ("local_native_to_py", "native → Python")]
REMOTE = [("task_py", "task, from Python"), ("task_native", "task, from the native driver"),
          ("actor_py", "actor, from Python"), ("actor_native", "actor, from the native driver")]
KINDS = [("bytes", "bytes"), ("floats", "vector<double> / list[float]")]
ARRAYS = [("arrays", "from Python"), ("arrays_native", "from the native driver")]
# The systems the targets compare: ours against GoRay and plain Python, our
# C++ driver against our Python driver and Ray's C++ API's driver (docs/benchmarks.md);
# and, with no target, against the same C++ bound by nanobind in plain Python Ray tasks.
OURS, GORAY, PYTHON, RAYCPP, NANOBIND = "ours", "goray", "python", "raycpp", "nanobind"


def stats(result):
    samples = (result or {}).get("samples")
    if not samples:
        return None
    quartiles = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    return {"median": statistics.median(samples), "q1": quartiles[0], "q3": quartiles[2],
            "min": min(samples), "max": max(samples), "n": len(samples)}


def cell(result, digits: int, failure: str = "failed") -> str:
    if result and "error" in result:
        return f"{failure}: " + result["error"].replace("|", "/")[:120]
    s = stats(result)
    if not s:
        return "n/a"
    f = f"{{:.{digits}f}}"
    return (f"**{f.format(s['median'])}** ({f.format(s['q1'])}..{f.format(s['q3'])}; "
            f"{f.format(s['min'])}..{f.format(s['max'])})")


def median(results, system, metric):
    s = stats(results.get(system, {}).get(metric))
    return s["median"] if s else None


def ratio_text(numerator, denominator, target=None) -> str:
    if numerator is None or denominator is None:
        return "n/a"
    value = numerator / denominator
    verdict = "" if target is None else (" met" if value >= target else " **missed**")
    return f"{value:.2f}×{verdict}"


def table(header, rows) -> list:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
        ["| " + " | ".join(row) + " |" for row in rows]


def targets(results, sizes, array_sizes, groups) -> list:
    """The target rows of the workload groups that ran."""
    rows = []
    for metric, title in LOCAL if "local" in groups else []:
        # Latency: GoRay's time over ours is how many times faster ours is.
        rows.append([f"in-process {title}: ≥ 2× faster than GoRay",
                     ratio_text(median(results, GORAY, metric), median(results, OURS, metric), 2)])
    for metric, title in REMOTE if groups & {"task", "actor"} else []:
        python_metric = metric.replace("native", "py")  # plain Python's driver is Python
        rows.append([f"{title}: ≥ GoRay", ratio_text(median(results, OURS, metric),
                                                     median(results, GORAY, metric), 1)])
        rows.append([f"{title}: ≥ 0.9× plain Python",
                     ratio_text(median(results, OURS, metric),
                                median(results, PYTHON, python_metric), 0.9)])
        if metric.endswith("_native"):  # the same C++ work from our Python driver, and Ray's C++ driver
            rows.append([f"{title}: ≥ 1.0× our Python driver on the same C++ work",
                         ratio_text(median(results, OURS, metric), median(results, OURS, python_metric), 1)])
            rows.append([f"{title}: ≥ 1.0× Ray's C++ API's driver" if metric == "actor_native"
                         else f"{title}: ÷ Ray's C++ API's driver",
                         ratio_text(median(results, OURS, metric), median(results, RAYCPP, metric),
                                    1 if metric == "actor_native" else None)])
    for kind, title in KINDS if "payload" in groups else []:
        for size in sizes:
            metric = f"payload/{kind}/{size}"
            goray = results.get(GORAY, {}).get(metric, {})
            measured = ("met (GoRay lost the value)" if "error" in goray and
                        median(results, OURS, metric) else
                        ratio_text(median(results, OURS, metric), median(results, GORAY, metric), 1))
            rows.append([f"payload {title}, {size} MiB: ≥ GoRay", measured])
    for size in array_sizes if "arrays" in groups else []:
        for metric, title in ARRAYS:  # the plain Python reference is Python's driver
            rows.append([f"2 * a, {size} MiB, {title}: ≥ 0.9× plain Python with NumPy",
                         ratio_text(median(results, OURS, f"{metric}/{size}"),
                                    median(results, PYTHON, f"arrays/{size}"), 0.9)])
    rows += nanobind_rows(results, sizes, array_sizes, groups)
    return table(["target", "ours ÷ peer (median)"], rows)


def nanobind_rows(results, sizes, array_sizes, groups) -> list:
    """Ours against nanobind called from plain Python Ray tasks: no target, the ratio only
    (latency: nanobind's time over ours, so above 1 is ours faster, as for throughput)."""
    if NANOBIND not in results:
        return []
    rows = []
    if "local" in groups:
        rows.append(["in-process Python → native: ÷ nanobind (its time ÷ ours)",
                     ratio_text(median(results, NANOBIND, "local_py_to_native"),
                                median(results, OURS, "local_py_to_native"))])
    for metric, title in [("task_py", "task, from Python"), ("actor_py", "actor, from Python")]:
        if metric.split("_")[0] in groups:
            rows.append([f"{title}: ÷ nanobind in Python tasks",
                         ratio_text(median(results, OURS, metric), median(results, NANOBIND, metric))])
    for kind, title in KINDS if "payload" in groups else []:
        for size in sizes:
            metric = f"payload/{kind}/{size}"
            rows.append([f"payload {title}, {size} MiB: ÷ nanobind in Python tasks",
                         ratio_text(median(results, OURS, metric), median(results, NANOBIND, metric))])
    for size in array_sizes if "arrays" in groups else []:
        rows.append([f"2 * a, {size} MiB, from Python: ÷ nanobind in Python tasks",
                     ratio_text(median(results, OURS, f"arrays/{size}"),
                                median(results, NANOBIND, f"arrays/{size}"))])
    return rows


def write(results, labels, options, path, png, seconds) -> None:
    sizes = options.sizes.split(",")
    array_sizes = options.array_sizes.split(",")
    systems = [key for key in labels if key in results]
    lines = [
        "# goray for C++ against its peers", "",
        f"Generated by `bash scripts/bench.sh peers` (bench/peers.py: rounds={options.rounds}, "
        f"calls={options.calls} per in-process round, tasks={options.tasks} per remote round, "
        f"payload rounds={options.payload_rounds}) on {os.cpu_count()} CPUs in {seconds / 60:.0f} min, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; workloads: {options.metrics}. "
        "Each cell: **median** "
        "(q1..q3; min..max) over rounds. Every system runs in its own process with its own "
        "local Ray (2 CPUs, 127.0.0.1), one after the other in the same run. Load average "
        f"at the start and the end: {options.load_before:.1f}, {os.getloadavg()[0]:.1f}.", "",
        f"![chart]({png.name})", "", "## Targets", ""]
    groups = set(options.metrics.split(","))  # sections only for the workloads run
    lines += targets(results, sizes, array_sizes, groups)
    if "local" in groups:
        lines += ["", "## In-process call latency (µs per call; lower is better)", "",
                  "`Square(2.0)` from Python (`golang_local_run_task`), and the native driver "
                  "calling the Python function `py_square(2.0)` (`LocalCallPyTask`). Plain Python: a "
                  "Python function call (the floor). nanobind: the bound `Square(2.0)` (it has no "
                  "native driver). Ray's C++ API has no in-process calls.", ""]
        lines += table(["system"] + [title for _, title in LOCAL],
                       [[labels[key]] + [cell(results[key].get(metric), 2) for metric, _ in LOCAL]
                        for key in systems if key != "raycpp"])
    if groups & {"task", "actor"}:
        lines += ["", "## Remote throughput (calls per second; higher is better)", "",
                  f"{options.tasks} no-op calls submitted, then all fetched; one warm-up round. "
                  "Plain Python has no native driver: its Python figures are the reference for both.", ""]
        lines += table(["system"] + [title for _, title in REMOTE],
                       [[labels[key]] + [cell(results[key].get(metric), 0) for metric, _ in REMOTE]
                        for key in systems])
    if "payload" in groups:
        lines += ["", "## Payload round trip through an echo task (GB/s; higher is better)", "",
                  "From the driver's call to the value back in the driver; GB/s = size / time. "
                  "In brackets: the ratio to `memcpy` of the same size in the same process.", ""]
        rows = []
        for kind, title in KINDS:
            for size in sizes:
                row = [f"{title}, {size} MiB"]
                for key in systems:
                    result = results[key].get(f"payload/{kind}/{size}")
                    text = cell(result, 3, failure="lost")
                    value, copy = median(results, key, f"payload/{kind}/{size}"), median(results, key, f"memcpy/{size}")
                    if value and copy:
                        text += f" [{value / copy:.4f} of memcpy]"
                    row.append(text)
                rows.append(row)
        lines += table(["payload"] + [labels[key] for key in systems], rows)
    if "arrays" in groups:
        lines += ["", "## Arrays: `2 * a` as a task (GB/s; higher is better)", "",
                  "float64 arrays; from the call with the input in hand to the result in the "
                  "driver; GB/s = size / time. Plain Python: `@ray.remote def scale(a): return "
                  "a * 2.0` on a NumPy array. Ours: `Scale2(goray::ArrayView<double>)` returning "
                  "`goray::Array<double>`, NumPy in and out from Python; from the C++ driver an "
                  "`Array<double>` in and the result read as `Get<ArrayView<double>>`, a read-only "
                  "view of the object store as ray.get's ndarray is. GoRay: a Python list of floats to a Go `[]float64` and back (GoRay's "
                  "driver has no array type). nanobind: a plain Python task calling the bound "
                  "`Scale2(nb::ndarray)`, which returns a NumPy array owning the C++ buffer. "
                  "Ray's C++ API: `std::vector<double>` from its C++ driver.", ""]
        columns = [(metric, size) for metric, _ in ARRAYS for size in array_sizes]
        lines += table(["system"] + [f"{size} MiB, {title}" for metric, title in ARRAYS
                                     for size in array_sizes],
                       [[labels[key]] + [cell(results[key].get(f"{metric}/{size}"), 3)
                                         for metric, size in columns] for key in systems])
    problems = [f"- {labels[key]}: {results[key][flag]}" for key in systems
                for flag in ("failed", "unavailable") if results[key].get(flag)]
    problems += [f"- {labels[key]}: {note}" for key in systems for note in results[key].get("notes", [])]
    if problems:
        lines += ["", "## Notes from the run", ""] + problems
    # Relative to the report, which --out may put anywhere (bench/<DIR>/report.md).
    compared = os.path.relpath(Path(__file__).resolve().parents[2] / "docs" / "compared.md",
                               Path(path).resolve().parent)
    lines += ["", "Where the time goes, and why some targets are missed: "
              f"[docs/compared.md]({compared})."]
    path.write_text("\n".join(lines) + "\n")
    plot(results, labels, systems, sizes, array_sizes, png)


def plot(results, labels, systems, sizes, array_sizes, png) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(1, 3, figsize=(18, 5.5))
    panels = [(axes[0], LOCAL, "In-process latency, µs/call (lower is better)", True),
              (axes[1], REMOTE, "Remote throughput, calls/s (higher is better)", False)]
    payload = [(f"payload/{kind}/{size}", f"{kind} {size} MiB") for kind, _ in KINDS for size in sizes]
    payload += [(f"{metric}/{size}", f"2*a {size} MiB, {title}") for metric, title in ARRAYS
                for size in array_sizes]
    panels.append((axes[2], payload, "Payload round trip and 2 * a, GB/s (higher is better)", True))
    for axis, metrics, title, log in panels:
        # Only the workloads this run measured (an arrays-only run has no latency bars).
        metrics = [(metric, name) for metric, name in metrics
                   if any(stats(results[key].get(metric)) for key in systems)]
        if not metrics:
            axis.set_title(title + ": not run", fontsize=10)
            axis.set_axis_off()
            continue
        width = 0.8 / max(1, len(systems))
        for index, key in enumerate(systems):
            values, errors = [], [[], []]
            for metric, _ in metrics:
                s = stats(results[key].get(metric))
                values.append(s["median"] if s else 0)
                errors[0].append(s["median"] - s["q1"] if s else 0)
                errors[1].append(s["q3"] - s["median"] if s else 0)
            positions = [m + index * width for m in range(len(metrics))]
            axis.bar(positions, values, width, yerr=errors, capsize=2, label=labels[key])
        axis.set_xticks([m + width * (len(systems) - 1) / 2 for m in range(len(metrics))])
        axis.set_xticklabels([title for _, title in metrics], rotation=20, ha="right", fontsize=8)
        axis.set_title(title, fontsize=10)
        if log:
            axis.set_yscale("log")
    handles, names = next((found for found in (axis.get_legend_handles_labels() for axis in axes)
                           if found[0]), ([], []))
    figure.legend(handles, names, loc="lower center", ncol=max(1, len(names)), fontsize=9)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    figure.savefig(png, dpi=100)
