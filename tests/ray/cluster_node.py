"""A 2-node Ray cluster on 127.0.0.1 for the cluster tests, run as its own process:
prints READY <address> when both nodes are up, and shuts the cluster down (its
own processes, by their ids) on SIGTERM.

    python cluster_node.py GCS_PORT DASHBOARD_PORT
"""
import os
import signal
import socket
import sys
import threading

# Keep every Ray process on loopback (Ray would otherwise resolve 127.0.0.1 to
# this machine's outward address). Set before Ray is imported; children inherit it.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"

from ray.cluster_utils import Cluster  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    gcs_port, dashboard_port = int(sys.argv[1]), int(sys.argv[2])
    # Each node's dashboard agent (which runs submitted jobs) gets its own port: the
    # default one (52365) may be held by another Ray on this machine, e.g. the test
    # session's, and an agent that cannot bind leaves `ray job submit` with no agent.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    cluster = Cluster(initialize_head=True, head_node_args={
        "node_ip_address": "127.0.0.1", "gcs_server_port": gcs_port, "num_cpus": 2,
        "resources": {"node_a": 1}, "include_dashboard": True,
        "dashboard_host": "127.0.0.1", "dashboard_port": dashboard_port,
        "dashboard_agent_listen_port": free_port()})
    try:
        cluster.add_node(node_ip_address="127.0.0.1", num_cpus=2, resources={"node_b": 1},
                         dashboard_agent_listen_port=free_port())
        cluster.wait_for_nodes()
        print("READY", cluster.address, flush=True)
        stop.wait()
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    main()
