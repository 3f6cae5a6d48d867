"""A 2-node Ray cluster on 127.0.0.1 (ray.cluster_utils.Cluster in a child
process that stops its own nodes), each node with a custom resource: C++ tasks and actors pinned to each node,
through the goray CLI and through `ray job submit` with a staged working dir."""
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import DEFS, library_path

BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
           "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    port, dashboard = free_port(), free_port()
    log = open(tmp / "cluster.log", "w")
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "cluster_node.py"), str(port), str(dashboard)],
                               env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = process.stdout.readline()
        if not line.startswith("READY"):
            pytest.fail(f"the 2-node cluster did not come up:\n{(tmp / 'cluster.log').read_text()[-3000:]}")
        yield {"address": line.split()[1], "dashboard": f"http://127.0.0.1:{dashboard}", "env": env, "tmp": tmp}
    finally:
        process.send_signal(signal.SIGTERM)  # the cluster process stops its own nodes
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()


def placements(output: str):
    return dict(re.findall(r"WHERE (\w+) task (\w+) actor \w+", output))


def test_cli_joins_the_cluster_and_places_work_on_both_nodes(cluster):
    env = {**cluster["env"], "RAY_ADDRESS": cluster["address"]}
    result = subprocess.run(
        [sys.executable, "-m", "goray", "--cluster", "--py-defs", str(DEFS), library_path(),
         "--", "where", "node_a", "node_b"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    where = placements(result.stdout)
    assert set(where) == {"node_a", "node_b"}
    assert where["node_a"] != where["node_b"], where


def test_ray_job_submit_with_a_staged_working_dir(cluster):
    staged = cluster["tmp"] / "job"
    subprocess.run([sys.executable, "-m", "goray.stage", str(staged), library_path(),
                    "--py-defs", str(DEFS)], check=True)
    library = os.path.basename(library_path())
    command = [os.path.join(BIN, "ray"), "job", "submit", "--address", cluster["dashboard"],
               "--working-dir", str(staged), "--",
               sys.executable, "-m", "goray", "--cluster", "--py-defs", "defs.py", f"./{library}",
               "--", "where", "node_a", "node_b"]
    for _ in range(12):  # the job agent may still be starting: Ray answers "try again later"
        result = subprocess.run(command, env=cluster["env"], capture_output=True, text=True, timeout=400)
        if "No available agent to submit job" not in result.stdout + result.stderr:
            break
        time.sleep(5)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    where = placements(result.stdout)
    assert set(where) == {"node_a", "node_b"}, result.stdout[-3000:]
    assert where["node_a"] != where["node_b"]
