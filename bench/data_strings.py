"""Strings through C++: goray's string columns against nanobind on the same C++
(`bash scripts/bench.sh data`; docs/benchmarks.md, "String columns").

A log-cleaning step, URL host normalization plus a 64-bit hash of the URL and user-agent
columns (bench/strings_kernels.h; nulls, empty strings), two ways:

- **pipeline**: Ray Data reads Parquet files of `--rows` rows, runs the step with
  map_batches(batch_format="pyarrow") and writes Parquet. goray: a task_udf naming the
  task and its two columns, nothing else. nanobind: the same C++ bound by nanobind, called
  through `to_pylist()` lists (what most teams write), and through hand-written glue that
  hands Arrow's buffers to C++ and builds the result with `pa.StringArray.from_buffers`.
  Prints `data_strings: vs_nanobind_lists=R vs_nanobind_arrow=R glue_lines=N`: the
  peers' median time over goray's (higher is better for goray), and the Python lines a
  goray user writes beyond naming the UDF and its columns.
- **in-process**: a `--inprocess-rows` pyarrow.StringArray of URLs through the host
  function, goray.golang_local_run_task against nanobind with the Arrow glue. Prints
  `data_strings_inprocess: vs_nanobind_arrow=R`.

Medians of interleaved rounds (each round runs every system once, in a rotating order).
"""

import argparse
import inspect
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

COLUMNS = {"url": "string", "agent": "string"}


def make_logs(rows: int, seed: int = 7) -> pa.Table:
    """Synthetic web logs: URLs of a few thousand hosts (schemes, ports, users, www.),
    about 8% null and 2% empty; user agents about 5% null."""
    rng = random.Random(seed)
    hosts = [f"{rng.choice(['www.', '', 'api.', 'cdn-'])}site{n}.{rng.choice(['com', 'org', 'io', 'net'])}"
             for n in range(4000)]
    agents = [f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/{n}.36 (KHTML, like Gecko) Chrome/{n % 120}.0 Safari"
              for n in range(300)]
    pick = np.random.default_rng(seed)
    host_of = pick.integers(0, len(hosts), rows)
    kind = pick.random(rows)
    urls = []
    for i in range(rows):
        if kind[i] < 0.08:
            urls.append(None)
        elif kind[i] < 0.10:
            urls.append("")
        else:
            host = hosts[host_of[i]]
            if kind[i] < 0.3:
                host = host.upper()
            port = ":8443" if kind[i] > 0.9 else ""
            user = "user@" if 0.5 < kind[i] < 0.52 else ""
            urls.append(f"https://{user}{host}{port}/path/{i % 997}/item?id={i}&ref=bench")
    agent_of = pick.integers(0, len(agents), rows)
    null_agent = pick.random(rows) < 0.05
    agent_values = [None if null_agent[i] else agents[agent_of[i]] for i in range(rows)]
    return pa.table({"url": pa.array(urls, pa.string()), "agent": pa.array(agent_values, pa.string())})


# ---- the nanobind peers' glue (what a team writes around its bound C++) ---------------------


def nanobind_lists_udf(batch):
    import strings_nanobind
    hosts, hashes = strings_nanobind.hosts_and_hash_lists(batch.column("url").to_pylist(),
                                                          batch.column("agent").to_pylist())
    return batch.append_column("host", pa.array(hosts, pa.string())).append_column(
        "hash", pa.array(hashes, pa.uint64()))


def arrow_buffers(column):
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if column.type != pa.string():
        column = column.cast(pa.string())
    validity, offsets, data = column.buffers()
    offsets = np.frombuffer(offsets, np.int32)[column.offset:column.offset + len(column) + 1]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    validity = np.frombuffer(validity, np.uint8) if validity is not None and column.null_count else np.zeros(0, np.uint8)
    return offsets, data, validity, column.offset


def string_array(rows, offsets, data, validity):
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(data), pa.py_buffer(validity))


def nanobind_arrow_udf(batch):
    import strings_nanobind
    rows = batch.num_rows
    offsets, data, validity, hashes = strings_nanobind.hosts_and_hash_arrow(
        *arrow_buffers(batch.column("url")), *arrow_buffers(batch.column("agent")))
    return batch.append_column("host", string_array(rows, offsets, data, validity)).append_column(
        "hash", pa.array(hashes))


def glue_lines(*functions) -> int:
    """The lines of code in `functions` (no blank lines, comments or docstrings)."""
    count = 0
    for function in functions:
        body = inspect.getsource(function).splitlines()[1:]
        count += sum(1 for line in body if line.strip() and not line.strip().startswith(("#", '"""')))
    return count


# ---- the pipeline -----------------------------------------------------------------------------


def run_pipeline(ray_data, source, target, udf):
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    ray_data.read_parquet(source).map_batches(udf, batch_format="pyarrow").write_parquet(target)
    return time.perf_counter() - start


def medians_of_rounds(systems, rounds):
    """{name: median seconds} of `rounds` rounds, each running every system once in a
    rotating order."""
    times = {name: [] for name in systems}
    names = list(systems)
    for index in range(rounds):
        order = names[index % len(names):] + names[:index % len(names)]
        for name in order:
            times[name].append(systems[name]())
    for name, samples in times.items():
        print(f"  {name}: " + ", ".join(f"{s:.3f}" for s in samples) + " s", flush=True)
    return {name: statistics.median(samples) for name, samples in times.items()}


def check_same(rows, outputs):
    """Every system wrote every row, with the same hosts and hashes (Ray Data writes the
    blocks in any order: compared sorted)."""
    seen = {}
    for name, path in outputs.items():
        table = pq.read_table(path, columns=["host", "hash"])
        if table.num_rows != rows:
            raise SystemExit(f"data_strings: {name} wrote {table.num_rows} rows of {rows}")
        table = table.sort_by([("hash", "ascending"), ("host", "ascending")])
        seen[name] = table
    first_name, first = next(iter(seen.items()))
    for name, table in seen.items():
        if not table.equals(first):
            raise SystemExit(f"data_strings: {name} wrote other hosts or hashes than {first_name}")


def pipeline(options, goray, workdir):
    import goray.data
    import ray.data

    ray.data.DataContext.get_current().enable_progress_bars = False
    source = os.path.join(workdir, "logs")
    os.makedirs(source)
    table = make_logs(options.rows)
    per_file = -(-options.rows // options.files)
    for index in range(options.files):
        pq.write_table(table.slice(index * per_file, per_file), os.path.join(source, f"part-{index}.parquet"))
    goray_udf = goray.data.task_udf("HostsAndHash", COLUMNS, columns_as="parameters", keep_columns=True)
    outputs = {name: os.path.join(workdir, f"out-{name}") for name in ("goray", "nanobind_lists", "nanobind_arrow")}
    systems = {
        "goray": lambda: run_pipeline(ray.data, source, outputs["goray"], goray_udf),
        "nanobind_lists": lambda: run_pipeline(ray.data, source, outputs["nanobind_lists"], nanobind_lists_udf),
        "nanobind_arrow": lambda: run_pipeline(ray.data, source, outputs["nanobind_arrow"], nanobind_arrow_udf),
    }
    for name, system in systems.items():  # a warm-up (workers started, modules imported)
        print(f"  warm-up {name}: {system():.3f} s", flush=True)
    check_same(options.rows, outputs)
    median = medians_of_rounds(systems, options.rounds)
    print(f"data_strings: vs_nanobind_lists={median['nanobind_lists'] / median['goray']:.2f} "
          f"vs_nanobind_arrow={median['nanobind_arrow'] / median['goray']:.2f} glue_lines=0 "
          f"(rows={options.rows}, nanobind_arrow_glue_lines="
          f"{glue_lines(nanobind_arrow_udf, arrow_buffers, string_array)}, "
          f"nanobind_lists_glue_lines={glue_lines(nanobind_lists_udf)})", flush=True)


def in_process(options, goray):
    import strings_nanobind

    urls = make_logs(options.inprocess_rows).column("url").combine_chunks()

    def through_goray():
        return goray.golang_local_run_task("Hosts", urls)

    def through_nanobind():
        offsets, data, validity = strings_nanobind.hosts_arrow(*arrow_buffers(urls))
        return string_array(len(urls), offsets, data, validity)

    if not through_goray().equals(through_nanobind()):
        raise SystemExit("data_strings: goray and nanobind disagree in-process")

    def timed(function):
        def run():
            start = time.perf_counter()
            for _ in range(options.calls):
                function()
            return (time.perf_counter() - start) / options.calls
        return run

    median = medians_of_rounds({"goray": timed(through_goray), "nanobind_arrow": timed(through_nanobind)},
                               options.inprocess_rounds)
    print(f"data_strings_inprocess: vs_nanobind_arrow={median['nanobind_arrow'] / median['goray']:.2f} "
          f"(rows={options.inprocess_rows}, goray {median['goray'] * 1e3:.2f} ms, "
          f"nanobind {median['nanobind_arrow'] * 1e3:.2f} ms a call)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", help="bench_strings' library (build-release/bench/strings_peer/)")
    parser.add_argument("--peer-dir", required=True, help="where strings_nanobind is built")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--inprocess-rows", type=int, default=100_000)
    parser.add_argument("--inprocess-rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=20, help="in-process calls per round")
    parser.add_argument("--skip-pipeline", action="store_true")
    options = parser.parse_args()
    sys.path.insert(0, options.peer_dir)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (options.peer_dir, os.environ.get("PYTHONPATH")) if p)
    import goray

    # In-process first, before Ray starts (its threads in this process would share the
    # GIL and the 2 cores with the calls measured).
    goray.load_library(os.path.abspath(options.library))
    in_process(options, goray)
    if not options.skip_pipeline:
        goray.init(os.path.abspath(options.library), num_cpus=2, log_to_driver=False, include_dashboard=False,
                   runtime_env={"env_vars": {"PYTHONPATH": os.environ["PYTHONPATH"]}})
        with tempfile.TemporaryDirectory(prefix="goray-data-strings-") as workdir:
            pipeline(options, goray, workdir)
        goray.shutdown()


if __name__ == "__main__":
    main()
