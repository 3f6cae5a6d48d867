"""Batches, pipelined submissions, and refs and actor handles inside values on a 2-node
Ray cluster on 127.0.0.1 (conftest.py's cluster: node a, the head, holds the resource
node_a; node b holds node_b). The library is tests/apps/clusterapp.cpp: its tasks say
which node they ran on, and the C++ driver's scenarios pin work to each node; the
Python driver is cluster_values_driver.py. Every driver runs as its own process joined
to the cluster, as `goray --cluster` or `ray job submit` would run it."""
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
DEFS = os.path.join(HERE, "cluster_values_defs.py")


def library() -> str:
    path = os.environ.get("GORAY_CLUSTERAPP_LIB", str(ROOT / "build" / "tests" / "apps" / "libclusterapp.so"))
    if not os.path.isfile(path):
        pytest.exit(f"the cluster test library {path} is not built: run bash scripts/run-tests.sh "
                    "(or set GORAY_CLUSTERAPP_LIB)", returncode=2)
    return path


def run(cluster, command, timeout=300) -> str:
    env = {**cluster["env"], "RAY_ADDRESS": cluster["address"]}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return result.stdout


def cpp_driver(cluster, scenario: str) -> str:
    return run(cluster, [sys.executable, "-m", "goray", "--cluster", "--py-defs", DEFS, library(),
                         "--", scenario, "node_a", "node_b"])


def test_batch_get_and_as_completed_over_both_nodes(cluster):
    output = cpp_driver(cluster, "batch")
    count, node_a, node_b = re.search(r"^BATCH (\d+) (\w+) (\w+)$", output, re.M).groups()
    assert int(count) == 200 and node_a != node_b, output


def test_pipelined_submissions_to_both_nodes_keep_order_and_fail_at_get(cluster):
    output = cpp_driver(cluster, "pipelined")
    assert re.search(r"^PIPELINED 1000 actor on \w+$", output, re.M), output
    failures = re.findall(r"^FAILED_AT_GET (.*)$", output, re.M)
    assert len(failures) == 2, output
    assert "NoSuchTask" in failures[0], failures
    assert "num_cpus" in failures[1], failures


def test_refs_inside_values_read_on_the_other_node_from_cpp(cluster):
    output = cpp_driver(cluster, "refs")
    assert re.search(r"^REFS read on \w+$", output, re.M), output


def test_actor_handles_called_from_the_other_node_from_cpp(cluster):
    output = cpp_driver(cluster, "handles")
    node_b, node_a = re.search(r"^HANDLES called from (\w+) on (\w+)$", output, re.M).groups()
    assert node_a != node_b, output


def test_refs_and_handles_inside_values_from_python(cluster):
    output = run(cluster, [sys.executable, os.path.join(HERE, "cluster_values_driver.py"), library(), DEFS])
    checks = re.findall(r"^(OK|FAIL) (.*)$", output, re.M)
    assert len(checks) == 8 and all(status == "OK" for status, _ in checks), output
