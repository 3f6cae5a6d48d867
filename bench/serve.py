"""Ray Serve: a C++ deployment (goray.serve, bench/bench_serve.cpp's Model) against a
Python deployment of the same logic (PyModel below), one replica each, on one local Ray,
rounds interleaved.

  handle: throughput of `--calls` DeploymentHandle calls of Score (8 features), 32 in
          flight at a time, from this driver
  http:   requests/s of `--calls` POST /<app>/Score from `--clients` threads, each on its
          own keep-alive connection; p99: the 99th percentile of their latencies
  batch:  throughput of `--calls` handle calls of Simulate (one seed each; the method is
          batched: Serve gathers up to 16 seeds per call of the model, whose per-seed work
          is 20000 steps of the logistic map)

Each ratio is ours / Python's (p99: Python's / ours), medians of the rounds: above 1 is
better for us. Both deployments' handles are warmed first (a round each, untimed), so the
first timed round pays no start-up for either. The machine's load average is printed
before and after (these 2-core machines are shared). With --threads: the CPU each handle
call cost each replica, per thread, medians of the rounds (where a replica's time goes).
The last line: serve: handle=R http=R p99=R batch=R

Usage: python bench/serve.py path/to/libbench_serve.so [--rounds N] [--calls N] [--clients N]
       [--threads]
"""
import argparse
import collections
import http.client
import json
import os
import statistics
import sys
import threading
import time
from typing import List

from rounds import free_port, interleaved, spread

STEPS = 20000  # bench_serve.cpp's kSteps
BATCH = 16
WAIT_S = 0.005


def python_model():
    from ray import serve
    from starlette.requests import Request
    from starlette.responses import Response

    @serve.deployment(name="PyModel", max_ongoing_requests=64, ray_actor_options={"num_cpus": 0})
    class PyModel:
        """bench_serve.cpp's Model in Python, with the same HTTP form as goray's mapping
        (POST /<Method>, a JSON array of the arguments, the result as JSON)."""

        def Score(self, features: List[float]) -> float:
            score = 0.25
            for i, feature in enumerate(features):
                score += (0.5 + i) * feature
            return score

        @serve.batch(max_batch_size=BATCH, batch_wait_timeout_s=WAIT_S)
        async def Simulate(self, seeds: List[float]) -> List[float]:
            results = []
            for x in seeds:
                for _ in range(STEPS):
                    x = 3.7 * x * (1.0 - x)
                results.append(x)
            return results

        async def __call__(self, request: Request) -> Response:
            method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
            args = json.loads(await request.body())
            result = getattr(self, method)(*args)
            return Response(json.dumps(result).encode(), media_type="application/json")

    return PyModel


FEATURES = [0.1 * i for i in range(8)]


#: Handle calls in flight at once: under the replicas' max_ongoing_requests (64), so
#: that Serve's router never backs off (its retries' sleeps would be what is timed).
WINDOW = 32


def windowed(call, count: int) -> float:
    """Calls/s of `count` calls of call(i) -> DeploymentResponse, WINDOW in flight."""
    start = time.perf_counter()
    pending = collections.deque()
    for index in range(count):
        if len(pending) >= WINDOW:
            pending.popleft().result()
        pending.append(call(index))
    while pending:
        pending.popleft().result()
    return count / (time.perf_counter() - start)


def handle_round(handle, calls: int) -> float:
    return windowed(lambda index: handle.Score.remote(FEATURES), calls)


def replica_pids():
    """{application: its replica's pid}, from Ray's actor table."""
    import ray
    return {actor["ActorClassName"].split(":")[1]: actor["Pid"]
            for actor in ray._private.state.actors().values()
            if actor["State"] == "ALIVE" and actor["ActorClassName"].startswith("ServeReplica:")}


def thread_ns(pid: int):
    """{thread name: CPU ns} of process `pid` now (/proc/<pid>/task/*/schedstat; Python's
    threads share the name of the thread that started them)."""
    totals = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                ns = int(stat.read().split()[0])
            with open(f"/proc/{pid}/task/{tid}/comm") as comm:
                name = "main" if int(tid) == pid else comm.read().strip()
        except (OSError, ValueError):  # (a thread that ended meanwhile)
            continue
        totals[name] = totals.get(name, 0) + ns
    return totals


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def batch_round(handle, calls: int) -> float:
    return windowed(lambda index: handle.Simulate.remote(0.1 + 0.8 * index / calls), calls)


def http_round(port: int, path: str, calls: int, clients: int):
    """(requests/s, p99 latency in s) of `calls` POSTs from `clients` threads."""
    body = json.dumps([FEATURES]).encode()
    latencies: List[float] = []
    lock = threading.Lock()
    failures = []

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for _ in range(count):
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                failures.append(response.status)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(calls // clients,)) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{path}: {len(failures)} requests failed ({failures[:3]})")
    latencies.sort()
    return len(latencies) / seconds, latencies[int(0.99 * (len(latencies) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=800)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", action="store_true",
                        help="the CPU per handle call of each replica's threads")
    options = parser.parse_args()
    print(load())
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import goray
    import goray.serve
    from ray import serve
    goray.init(os.path.abspath(options.library), num_cpus=4)
    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    ours = serve.run(goray.serve.deployment(
        "Model", max_ongoing_requests=64, ray_actor_options={"num_cpus": 0},
        batch={"Simulate": goray.serve.Batch(max_batch_size=BATCH, batch_wait_timeout_s=WAIT_S)}).bind(),
        name="cpp", route_prefix="/cpp")
    theirs = serve.run(python_model().bind(), name="py", route_prefix="/py")
    # Both answer alike before anything is timed.
    assert ours.Score.remote(FEATURES).result() == theirs.Score.remote(FEATURES).result()
    assert abs(ours.Simulate.remote(0.3).result() - theirs.Simulate.remote(0.3).result()) < 1e-9
    for path in ("/cpp/Score", "/py/Score"):
        http_round(port, path, 16, 2)  # warm the proxies and connections
    for handle in (ours, theirs):
        handle_round(handle, 200)  # and the handles, routers and replicas' loops

    figures = {}
    pids = replica_pids()
    spent = {"cpp": [], "py": []}

    def measured(app, handle):
        def round_() -> float:
            before = thread_ns(pids[app]) if options.threads else None
            rate = handle_round(handle, options.calls)
            if before is not None:
                after = thread_ns(pids[app])
                spent[app].append({name: ns - before.get(name, 0) for name, ns in after.items()})
            return rate
        return round_

    rates = interleaved((measured("cpp", ours), measured("py", theirs)), options.rounds)
    figures["handle"] = statistics.median(rates[0]) / statistics.median(rates[1])
    print(f"  rounds: C++ {[round(r) for r in rates[0]]}, Python {[round(r) for r in rates[1]]}")
    print(f"handle calls/s: C++ {statistics.median(rates[0]):.0f}, Python "
          f"{statistics.median(rates[1]):.0f}: ratio {figures['handle']:.2f} "
          f"({spread([1 / r for r in rates[0]], [1 / r for r in rates[1]])})")
    if options.threads:
        names = sorted({name for rounds in spent.values() for one in rounds for name in one})
        print(f"  CPU per handle call in each replica, us (medians of the rounds): C++, Python")
        for name in names:
            per_call = [statistics.median(one.get(name, 0) for one in spent[app]) / options.calls / 1e3
                        for app in ("cpp", "py")]
            if max(per_call) >= 5:
                print(f"    {name:24} {per_call[0]:7.0f} {per_call[1]:7.0f}")
        print("    all threads              " + " ".join(
            f"{statistics.median(sum(one.values()) for one in spent[app]) / options.calls / 1e3:7.0f}"
            for app in ("cpp", "py")))

    samples = interleaved((lambda: http_round(port, "/cpp/Score", options.calls, options.clients),
                           lambda: http_round(port, "/py/Score", options.calls, options.clients)),
                          options.rounds)
    ours_rps = [rps for rps, _ in samples[0]]
    theirs_rps = [rps for rps, _ in samples[1]]
    ours_p99 = statistics.median(p99 for _, p99 in samples[0])
    theirs_p99 = statistics.median(p99 for _, p99 in samples[1])
    figures["http"] = statistics.median(ours_rps) / statistics.median(theirs_rps)
    figures["p99"] = theirs_p99 / ours_p99
    print(f"http requests/s ({options.clients} clients): C++ {statistics.median(ours_rps):.0f}, "
          f"Python {statistics.median(theirs_rps):.0f}: ratio {figures['http']:.2f} "
          f"({spread([1 / r for r in ours_rps], [1 / r for r in theirs_rps])})")
    print(f"http p99 latency: C++ {ours_p99 * 1e3:.1f} ms, Python {theirs_p99 * 1e3:.1f} ms: "
          f"ratio (Python / C++) {figures['p99']:.2f}")

    rates = interleaved((lambda: batch_round(ours, options.calls),
                         lambda: batch_round(theirs, options.calls)), options.rounds)
    figures["batch"] = statistics.median(rates[0]) / statistics.median(rates[1])
    print(f"  rounds: C++ {[round(r) for r in rates[0]]}, Python {[round(r) for r in rates[1]]}")
    print(f"batched Simulate calls/s: C++ {statistics.median(rates[0]):.0f}, Python "
          f"{statistics.median(rates[1]):.0f}: ratio {figures['batch']:.2f} "
          f"({spread([1 / r for r in rates[0]], [1 / r for r in rates[1]])})")
    serve.shutdown()
    print(load())
    print("serve: " + " ".join(f"{name}={value:.2f}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
