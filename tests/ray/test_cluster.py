"""The 2-node Ray cluster on 127.0.0.1 (conftest.py's `cluster`, shared with
test_cluster_streams.py and test_cluster_values.py), each node with a custom resource: C++ tasks and actors pinned to each node,
through the goray CLI and through `ray job submit` with a staged working dir; and a
third node killed while C++ tasks run on it, whose tasks Ray runs again elsewhere."""
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import DEFS, library_path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from loopback_ports import free_port  # noqa: E402

BIN = os.path.dirname(sys.executable)


HERE = os.path.dirname(os.path.abspath(__file__))


def placements(output: str):
    return dict(re.findall(r"WHERE (\w+) task (\w+) actor \w+", output))


def test_cli_joins_the_cluster_and_places_work_on_both_nodes(cluster):
    # As from a shell: a relative py-defs path (workers start elsewhere: goray makes it
    # absolute), and no loopback switch in the environment (goray sees the cluster is on
    # 127.0.0.1 and keeps the driver there; without it Ray would wait for a raylet on the
    # machine's outward address for ever).
    env = {key: value for key, value in cluster["env"].items()
           if key != "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"}
    env["RAY_ADDRESS"] = cluster["address"]
    result = subprocess.run(
        [sys.executable, "-m", "goray", "--cluster", "--py-defs", os.path.basename(DEFS),
         library_path(), "--", "where", "node_a", "node_b"], env=env, cwd=os.path.dirname(DEFS),
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    where = placements(result.stdout)
    assert set(where) == {"node_a", "node_b"}
    assert where["node_a"] != where["node_b"], where


# Tier 2: on the shared 2-node cluster; tier 1 keeps the CLI joining it and a crash on the other
# node
@pytest.mark.tier2
def test_ray_job_submit_with_a_staged_working_dir(cluster):
    staged = cluster["tmp"] / "job"
    subprocess.run([sys.executable, "-m", "goray.stage", str(staged), library_path(),
                    "--py-defs", str(DEFS), os.path.join(HERE, "async_defs.py"),
                    os.path.join(HERE, "stream_defs.py"), os.path.join(HERE, "graph_defs.py")],
                   check=True)  # modules defs.py imports
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


# Tier 2: on the shared 2-node cluster; tier 1 keeps the CLI joining it and a crash on the other
# node
@pytest.mark.tier2
def test_node_killed_mid_job_has_its_tasks_run_again_elsewhere(cluster, tmp_path):
    # Tasks need the resource "either", which the head and node c hold: SPREAD puts
    # two on each. Node c is killed while they run; Ray retries its two (max_retries=3)
    # on the head, and every result must be right.
    answer = cluster["command"]("add node_c")
    assert answer.startswith("ADDED node_c "), answer
    node_c = answer.split()[2]
    env = {**cluster["env"], "RAY_ADDRESS": cluster["address"]}
    driver = subprocess.Popen(
        [sys.executable, "-m", "goray", "--cluster", "--py-defs", str(DEFS), library_path(),
         "--", "reschedule", str(tmp_path), "4"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output = []
        for line in driver.stdout:
            output.append(line)
            if line.startswith("STOP_NODE"):
                break
        started = dict(re.findall(r"^STARTED (\d+) (\w+)$", "".join(output), re.M))
        on_c = {task for task, node in started.items() if node == node_c}
        assert len(started) == 4 and on_c, "".join(output)[-3000:]
        assert cluster["command"]("remove node_c") == "REMOVED node_c"
        (tmp_path / "stopped").touch()
        rest, _ = driver.communicate(timeout=300)
    finally:
        if driver.poll() is None:
            driver.kill()
    text = "".join(output) + rest
    assert driver.returncode == 0, text[-3000:]
    finished = {task: (node, int(attempt)) for task, node, attempt in
                re.findall(r"^FINISHED (\d+) (\w+) attempt (\d+)$", text, re.M)}
    assert set(finished) == set(started), text[-3000:]
    for task in on_c:  # run again, on a live node
        assert finished[task][0] != node_c and finished[task][1] >= 2, (task, finished[task])
    print(f"node c ran tasks {sorted(on_c)} of {sorted(started)}; they ran again as",
          {task: f"attempt {finished[task][1]} on {finished[task][0][:8]}" for task in on_c})


SCORING = os.path.join(os.path.dirname(os.path.dirname(HERE)), "build", "examples", "serving")
SERVING_EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples", "serving")


def _post(url, body, timeout=30):
    import json
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:  # a connection the dying replica's proxy route dropped
        return 0, str(error)


def _serve_status(cluster):
    status = subprocess.run([os.path.join(BIN, "serve"), "status", "-a", cluster["dashboard"]],
                            env=cluster["env"], capture_output=True, text=True, timeout=60)
    return status.stdout[-3000:] + status.stderr[-2000:]


def _deploy_two_spread_replicas(cluster, tmp_path, node_name, added_nodes):
    """`serve deploy` of examples/serving's C++ Scorer (config file, the dashboard's REST
    API) with two replicas, each needing 60 of a node's 100 "either": one on the head, one
    on a node added for it (node_name, appended to added_nodes once added). Returns the
    application's URL and that node's id, once both replicas answer."""
    answer = cluster["command"](f"add {node_name}")
    assert answer.startswith(f"ADDED {node_name} "), answer
    added_nodes.append(node_name)
    added = answer.split()[2]
    port = free_port()
    config = tmp_path / "serve.yaml"
    config.write_text(f"""\
proxy_location: HeadOnly
http_options: {{host: 127.0.0.1, port: {port}}}
applications:
  - name: model
    route_prefix: /model
    import_path: app:model
    runtime_env:
      env_vars:
        GORAY_BIN_PATH: {SCORING}/libscoring.so
        PYTHONPATH: {SCORING}:{SERVING_EXAMPLE}
    deployments:
      - name: Scorer
        num_replicas: 2
        ray_actor_options: {{num_cpus: 0, resources: {{either: 60}}}}
""")
    deployed = subprocess.run([os.path.join(BIN, "serve"), "deploy", "-a", cluster["dashboard"], str(config)],
                              env=cluster["env"], capture_output=True, text=True, timeout=120)
    assert deployed.returncode == 0, deployed.stderr[-3000:]
    url = f"http://127.0.0.1:{port}/model"
    deadline = time.monotonic() + 180
    nodes = set()
    while len(nodes) < 2:  # both replicas up: the head's and the added node's
        assert time.monotonic() < deadline, f"replicas on {nodes} only; {_serve_status(cluster)}"
        status, node = _post(url + "/Node", {})
        if status == 200:
            nodes.add(node)
        else:
            time.sleep(0.5)
    assert added in nodes
    assert _post(url + "/Score", {"features": [1, 2, 3]}) == (200, 1.75)
    return url, added


def _serve_shutdown(cluster):
    """`serve shutdown`: Serve's applications and proxies gone before the cluster's next
    test (the next deployment's HTTP options are its own)."""
    shutdown = subprocess.run([os.path.join(BIN, "serve"), "shutdown", "-a", cluster["dashboard"], "-y"],
                              env=cluster["env"], capture_output=True, text=True, timeout=120)
    assert shutdown.returncode == 0, shutdown.stdout[-2000:] + shutdown.stderr[-3000:]


def _remove_node(cluster, name):
    assert cluster["command"](f"remove {name}") == f"REMOVED {name}"


def _cleaned_up(cluster, added_nodes):
    """Serve shut down and the nodes a test added removed, however the test ended: the
    cluster's next tests start from the head and node b alone."""
    try:
        _serve_shutdown(cluster)
    finally:
        for name in added_nodes:
            _remove_node(cluster, name)


# Tier 2: on the shared 2-node cluster; tier 1 keeps the CLI joining it and a crash on the other
# node
@pytest.mark.tier2
def test_serve_deploy_spreads_a_cpp_deployment_over_two_nodes(cluster, tmp_path):
    pytest.importorskip("ray.serve")
    added = []
    try:
        _deploy_two_spread_replicas(cluster, tmp_path, "node_r", added)
    finally:
        _cleaned_up(cluster, added)


@pytest.mark.long  # a node killed under a Serve deployment (test_serve.py covers a replica's crash)
def test_serve_replaces_a_killed_nodes_cpp_replica(cluster, tmp_path):
    # The deployment above; node s is killed while requests flow; only requests in flight
    # there may fail, and Serve starts its replica again on node t, added after.
    pytest.importorskip("ray.serve")
    added = []  # the nodes this test added and has not removed
    try:
        _replace_a_killed_nodes_replica(cluster, tmp_path, added)
    finally:
        _cleaned_up(cluster, added)


def _replace_a_killed_nodes_replica(cluster, tmp_path, added):
    url, _ = _deploy_two_spread_replicas(cluster, tmp_path, "node_s", added)

    failed, served = [], 0
    added.remove("node_s")
    _remove_node(cluster, "node_s")
    for _ in range(60):  # while Serve notices; the head's replica answers the rest
        status, body = _post(url + "/Score", {"features": [1, 2, 3]})
        if status == 200:
            assert body == 1.75
            served += 1
        else:
            failed.append((status, body))
    print(f"after node s was killed: {served} served, {len(failed)} failed: {failed}")
    assert served >= 55 and len(failed) <= 5, failed  # at most what was in flight there

    answer = cluster["command"]("add node_t")
    assert answer.startswith("ADDED node_t "), answer
    added.append("node_t")
    node_t = answer.split()[2]
    deadline = time.monotonic() + 180
    nodes = set()
    while node_t not in nodes:  # the replacement, on the node that can hold it
        assert time.monotonic() < deadline, \
            f"no replica on node t; replicas on {nodes}; {_serve_status(cluster)}"
        status, node = _post(url + "/Node", {})
        if status == 200:
            nodes.add(node)
        time.sleep(0.2)


CRASH_DRIVER = """
import json, os, sys
import ray, goray
goray.init(sys.argv[1], address=sys.argv[2])
# The driver reads reports from a directory of its own (empty): every report must come
# through Ray's key-value store, as from a node whose disk the driver cannot see.
os.environ["GORAY_CRASH_DIR"] = sys.argv[3]
task = goray.golang_task("CrashTask")
crasher = goray.golang_actor_class("Crasher")
out = {}
for node in ("node_a", "node_b"):
    refs = {"task": task.options(max_retries=0, resources={node: 0.01}).remote("segv"),
            "thread": task.options(max_retries=0, resources={node: 0.01}).remote("thread")}
    actor = crasher.options(resources={node: 0.01}).remote(1)
    refs["method"] = actor.Crash.remote("abort")
    for kind, ref in refs.items():
        try:
            ray.get(ref)
            out[f"{node} {kind}"] = None
        except goray.NativeCrash as crash:
            out[f"{node} {kind}"] = {"class": type(crash).__name__, "signal": crash.signal,
                                     "frame": crash.frames[0] if crash.frames else "",
                                     "where": crash.report.splitlines()[1],
                                     "task_id": crash.task_id == ref.task_id().hex(),
                                     "ray": isinstance(crash, ray.exceptions.RayError)}
        except Exception as error:
            out[f"{node} {kind}"] = {"class": type(error).__name__, "error": str(error)[:500]}
out["driver dir"] = sorted(os.listdir(sys.argv[3]))
print("RESULT " + json.dumps(out))
"""


def test_a_crash_on_another_node_reaches_the_caller_with_the_same_report(cluster, tmp_path):
    # The same crashes on the head (the driver's node) and on node b: each caller gets
    # goray.NativeCrash with the report (signal, task, the user's frame at file:line),
    # though its own report directory is empty: reports travel in Ray's key-value store.
    driver_dir = tmp_path / "driver-crashes"
    driver_dir.mkdir()
    script = tmp_path / "crash_driver.py"
    script.write_text(CRASH_DRIVER)
    result = subprocess.run([sys.executable, str(script), library_path(), cluster["address"],
                             str(driver_dir)], env=cluster["env"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    import json
    out = json.loads(line[len("RESULT "):])
    assert out.pop("driver dir") == []
    expected = {"task": ("NativeWorkerCrash", "SIGSEGV", "CrashSegv", "in task CrashTask"),
                "thread": ("NativeWorkerCrash", "SIGSEGV", "CrashSegv",
                           "on a thread running no goray call"),
                "method": ("NativeActorCrash", "SIGABRT", "CrashAbort", "in method Crasher.Crash")}
    for node in ("node_a", "node_b"):
        for kind, (name, signal_name, function, where) in expected.items():
            crash = out[f"{node} {kind}"]
            assert crash and crash["class"] == name, (node, kind, crash)
            assert crash["signal"] == signal_name and crash["ray"] and crash["task_id"], crash
            assert function in crash["frame"] and "crashes.cpp:" in crash["frame"], crash
            assert crash["where"].startswith(f"goray: {where}, pid "), crash
