"""Streams across the 2-node cluster (conftest.py's cluster on 127.0.0.1: node a,
the head, holds the resource node_a; node b holds node_b): a C++ generator task on
node b consumed by Python and by a C++ task on node a, and a thread-safe C++ actor
(max_concurrency=2) on node b. One driver process (cluster_streams_driver.py) joined to
the cluster, with the Ray test library and py-defs."""
import os
import re
import subprocess
import sys

from conftest import DEFS, library_path

HERE = os.path.dirname(os.path.abspath(__file__))


def test_streams_and_a_threaded_actor_across_nodes(cluster):
    env = {**cluster["env"], "RAY_ADDRESS": cluster["address"]}
    result = subprocess.run([sys.executable, os.path.join(HERE, "cluster_streams_driver.py"),
                             library_path(), str(DEFS)], env=env, capture_output=True, text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    checks = re.findall(r"^(OK|FAIL) (.*)$", result.stdout, re.M)
    assert len(checks) == 4 and all(status == "OK" for status, _ in checks), output[-4000:]
