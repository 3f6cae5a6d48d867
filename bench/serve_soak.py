"""A load test of a C++ Serve deployment (goray.serve) with a native crash injected: many
concurrent HTTP clients for `--minutes`, one request to Scorer.Crash halfway. Every
request must be answered (a right answer, or an error status: none lost, none hanging
past its timeout), Serve must restart the crashed replica, and each replica's memory
(RSS) must stay flat while it serves.

Prints the answers by status, the crash's effect (requests failed around it, the time to
a replacement), each replica's RSS at its first and last sample, and ends with one line:

    serve soak: requests=N ok=N errors=N lost=0 restarted=yes rss_growth=X%

Usage: python bench/serve_soak.py path/to/libscoring.so path/to/generated/folder
                                  [--minutes M] [--clients N]
(examples/serving's library and module folder, as CI builds them: build/examples/serving)
"""
import argparse
import collections
import http.client
import json
import os
import sys
import threading
import time

from rounds import free_port


def replica_pids() -> dict:
    """pid -> actor id of the live Scorer replicas (Ray's actor table, no dashboard)."""
    import ray
    return {actor["Pid"]: actor["ActorID"] for actor in ray._private.state.actors().values()
            if actor["ActorClassName"].endswith(":Scorer") and actor["State"] == "ALIVE"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library")
    parser.add_argument("module_folder")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=16)
    options = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    sys.path.insert(0, options.module_folder)
    import psutil
    import goray
    import goray.serve
    from ray import serve

    goray.init(os.path.abspath(options.library), num_cpus=4)
    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    serve.run(goray.serve.deployment("Scorer", num_replicas=2, max_ongoing_requests=32,
                                     ray_actor_options={"num_cpus": 0}).bind([0.5, 2.0, -1.0]),
              name="soak", route_prefix="/soak")
    body = json.dumps({"features": [1, 2, 3]}).encode()
    statuses: collections.Counter = collections.Counter()
    sent = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        connection = None
        while not stop.is_set():
            with lock:
                sent[0] += 1
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("POST", "/soak/Score", body=body,
                                   headers={"Content-Type": "application/json"})
                answer = connection.getresponse()
                text = answer.read()
                status = answer.status if answer.status != 200 or json.loads(text) == 1.75 else -1
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__  # answered by a closed connection: counted
                connection = None
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(options.clients)]
    for thread in threads:
        thread.start()
    seconds = options.minutes * 60
    started = time.monotonic()
    samples: dict = collections.defaultdict(list)  # pid -> [(t, rss MiB)]
    crashed_at = None
    restarted_after = None
    first_pids = set(replica_pids())
    while time.monotonic() - started < seconds:
        now = time.monotonic() - started
        pids = replica_pids()
        for pid in pids:
            try:
                samples[pid].append((now, psutil.Process(pid).memory_info().rss / 2**20))
            except psutil.NoSuchProcess:
                pass
        if crashed_at is None and now >= seconds / 2:
            crashed_at = now
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("POST", "/soak/Crash", body=b"{}",
                               headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            said = answer.read().decode("utf-8", "replace")
            print(f"crash injected at {now:.0f} s: answered {answer.status} {said}")
        if crashed_at is not None and restarted_after is None and len(pids) == 2 \
                and set(pids) - first_pids:
            restarted_after = now - crashed_at
            print(f"a new replica served {restarted_after:.1f} s after the crash")
        time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    hung = sum(thread.is_alive() for thread in threads)
    answered = sum(statuses.values())
    lost = sent[0] - answered
    ok = statuses.pop(-1, 0)
    print(f"{sent[0]} requests in {seconds:.0f} s from {options.clients} clients: {ok} right, "
          f"errors by status {dict(statuses)}, {lost} unanswered, {hung} clients hung")
    growth = []
    for pid, points in sorted(samples.items()):
        serving = [rss for t, rss in points if t >= points[0][0] + 10] or [p[1] for p in points]
        if len(points) >= 20:  # replicas that served long enough to say
            change = (serving[-1] - serving[0]) / serving[0] * 100
            growth.append(change)
            print(f"replica pid {pid}: RSS {serving[0]:.0f} MiB after warm-up -> "
                  f"{serving[-1]:.0f} MiB at its last sample ({change:+.1f}%), {len(points)} samples")
    serve.shutdown()
    print(f"serve soak: requests={sent[0]} ok={ok} errors={sum(statuses.values())} lost={lost} "
          f"restarted={'yes' if restarted_after is not None else 'no'} "
          f"rss_growth={max(growth) if growth else float('nan'):.1f}%")
    return 0 if lost == 0 and hung == 0 and restarted_after is not None else 1


if __name__ == "__main__":
    sys.exit(main())
