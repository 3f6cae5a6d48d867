"""A 2-node Ray cluster on 127.0.0.1 for the cluster tests, run as its own process:
prints READY <address> when both nodes are up, and shuts the cluster down (its
own processes, by their ids) on SIGTERM.

    python cluster_node.py GCS_PORT DASHBOARD_PORT

Node a (the head) holds the resources node_a and either, node b holds node_b. Commands
on stdin, one a line, each answered by one line on stdout:

    add NAME      a node with 2 CPUs and the resources NAME and either -> ADDED NAME <node id>
    remove NAME   kills that node's workers and processes (SIGKILL, as a crash) -> REMOVED NAME
"""
import os
import queue
import signal
import sys
import threading

# Keep every Ray process on loopback (Ray would otherwise resolve 127.0.0.1 to
# this machine's outward address). Set before Ray is imported; children inherit it.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"

from ray._private import ray_constants  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402
import psutil  # noqa: E402  (Ray's own copy, on the path once ray is imported)

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from loopback_ports import free_port  # noqa: E402


def serve(cluster: Cluster, added: dict, line: str) -> None:
    """One command: adds or removes a node (tests/ray/test_cluster.py's node failure)."""
    words = line.split()
    if words[:1] == ["add"]:
        node = cluster.add_node(node_ip_address="127.0.0.1", num_cpus=2,
                                resources={words[1]: 1, "either": 100},
                                dashboard_agent_listen_port=free_port())
        cluster.wait_for_nodes()
        added[words[1]] = node
        print("ADDED", words[1], node.node_id, flush=True)
    elif words[:1] == ["remove"]:
        node = added.pop(words[1])
        # As a crashed machine: the raylet's workers die with it. (Removing the node
        # alone leaves running workers to finish their task and report it.)
        raylet = node.all_processes[ray_constants.PROCESS_TYPE_RAYLET][0].process
        for worker in psutil.Process(raylet.pid).children(recursive=True):
            worker.kill()
        cluster.remove_node(node, allow_graceful=False)
        print("REMOVED", words[1], flush=True)
    elif words:
        print("UNKNOWN", line.strip(), flush=True)


def read_lines(lines: "queue.Queue[str]") -> None:
    for line in sys.stdin:
        lines.put(line)


def main() -> None:
    gcs_port, dashboard_port = int(sys.argv[1]), int(sys.argv[2])
    # Each node's dashboard agent (which runs submitted jobs) gets its own port: the
    # default one (52365) may be held by another Ray on this machine, e.g. the test
    # session's, and an agent that cannot bind leaves `ray job submit` with no agent.
    stop = threading.Event()

    def stop_on_signals() -> None:  # again after each new node: Ray's Node sets its own
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())

    stop_on_signals()
    cluster = Cluster(initialize_head=True, head_node_args={
        "node_ip_address": "127.0.0.1", "gcs_server_port": gcs_port, "num_cpus": 2,
        "resources": {"node_a": 1, "either": 100}, "include_dashboard": True,
        "dashboard_host": "127.0.0.1", "dashboard_port": dashboard_port,
        "dashboard_agent_listen_port": free_port()})
    try:
        cluster.add_node(node_ip_address="127.0.0.1", num_cpus=2, resources={"node_b": 1},
                         dashboard_agent_listen_port=free_port())
        cluster.wait_for_nodes()
        stop_on_signals()
        print("READY", cluster.address, flush=True)
        # Ray starts nodes from the main thread only (it sets signal handlers), so
        # commands come through a queue and the main thread serves them.
        lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=read_lines, args=(lines,), daemon=True).start()
        added: dict = {}
        while not stop.is_set():
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            serve(cluster, added, line)
            stop_on_signals()
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    main()
