"""Token authentication on a 2-node cluster (docs/cluster.md, "Token authentication"):
Ray 2.59 turned tokens on for local clusters, and Ray's documentation says 2.61 turns them
on for every cluster. Two nodes on 127.0.0.1, each a `ray start --block` under
RAY_AUTH_MODE=token, with one token made by `ray get-auth-token --generate`:

- node a (the head, with the dashboard) reads it from its HOME's ~/.ray/auth_token;
- node b, with a HOME of its own and no file, from RAY_AUTH_TOKEN (as on another machine);
- the clients (goray's CLI, `ray job submit`, `serve deploy`) from node a's HOME.

Through it: `goray --cluster` from another process (the README application's C++ driver
calling C++ tasks, a C++ actor and Python tasks on the cluster, with a task pinned to node
b), `ray job submit` of the same goray job, `serve deploy` of examples/serving's C++
deployment and a request to it, and the dashboard's HTTP API by the header KubeRay sends
(X-Ray-Authorization). A client without the token is refused and told how to give one.

Node b starts through tests/wheel/ray_start_loopback.py (under Ray's loopback switch
`ray start` refuses a non-head node); both nodes are stopped by their own process ids."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from loopback_ports import free_port  # noqa: E402
from ray_leftovers import stop_ray_start  # noqa: E402

# Tier 2 (bash scripts/run-tests.sh --all): a cluster of its own with token authentication (the
# shared 2-node cluster has none)
pytestmark = pytest.mark.tier2

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RAYAPP = ROOT / "examples" / "rayapp"
RAYAPP_LIBRARY = ROOT / "build" / "examples" / "rayapp" / "librayapp.so"
SCORING = ROOT / "build" / "examples" / "serving"
SERVING_EXAMPLE = ROOT / "examples" / "serving"
LOOPBACK_START = ROOT / "tests" / "wheel" / "ray_start_loopback.py"
DRIVER_LINE = "C++ driver: Square(2)=4 Divide(16,5)=3,1 Counter=3 square(8) in Python=64 Storage[answer]=42"


def _environment(home: Path, **extra: str) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("RAY_AUTH", "GORAY_")) and key not in ("RAY_ADDRESS",)}
    env.update(HOME=str(home), RAY_USAGE_STATS_ENABLED="0", RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               # Serve's controller (on the head) kills its HTTP proxy after three 5 s
               # readiness checks: a loaded 2-core machine starts the proxy's worker slower
               # (seen at load 15; conftest.py's lib gives its Ray the same 120 s).
               RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S="120", **extra)
    return env


def _wait_for_nodes(env: Dict[str, str], gcs: int, count: int, started: Dict[str, subprocess.Popen],
                    logs: Dict[str, Path]) -> Dict[str, str]:
    """Waits for `count` nodes, by a driver with the token; returns their ids by resource."""
    code = (f"import json, time, ray\nray.init(address='127.0.0.1:{gcs}', logging_level='ERROR')\n"
            "for _ in range(240):\n"
            "    alive = [n for n in ray.nodes() if n['Alive']]\n"
            f"    if len(alive) >= {count}: break\n"
            "    time.sleep(0.5)\n"
            "print(json.dumps({r: n['NodeID'] for n in alive for r in n['Resources'] if r.startswith('node_')}))")
    deadline = time.monotonic() + 180
    result = None
    while time.monotonic() < deadline:
        dead = [name for name, process in started.items() if process.poll() is not None]
        if dead:
            pytest.fail(f"ray start of node {dead} exited:\n" +
                        "\n".join(logs[name].read_text()[-3000:] for name in dead), pytrace=False)
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                text=True, timeout=180)
        if result.returncode == 0:
            ids = json.loads(next(line for line in reversed(result.stdout.splitlines())
                                  if line.startswith("{")))
            if len(ids) >= count:
                return ids
        time.sleep(1)
    pytest.fail(f"the cluster did not reach {count} nodes:\n{result.stderr[-3000:] if result else ''}",
                pytrace=False)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Dict]:
    for path in (RAYAPP_LIBRARY, SCORING / "libscoring.so"):
        if not path.is_file():
            pytest.fail(f"{path} is not built: run bash scripts/run-tests.sh", pytrace=False)
    tmp = tmp_path_factory.mktemp("token-cluster")
    homes = {name: tmp / f"home-{name}" for name in ("a", "b", "stranger")}
    for home in homes.values():
        home.mkdir()
    made = subprocess.run([BIN / "ray", "get-auth-token", "--generate"], capture_output=True,
                          text=True, timeout=120, env=_environment(homes["a"], RAY_AUTH_MODE="token"))
    assert made.returncode == 0, made.stderr[-2000:]
    token = (homes["a"] / ".ray" / "auth_token").read_text().strip()
    assert len(token) >= 32, "ray get-auth-token --generate wrote no token"
    envs = {"a": _environment(homes["a"], RAY_AUTH_MODE="token"),
            "b": _environment(homes["b"], RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=token)}
    gcs, dashboard = free_port(), free_port()
    # Short temp dirs: Ray's socket paths must fit in 107 bytes.
    temp = {name: tempfile.mkdtemp(prefix=f"gt{name}", dir="/tmp") for name in ("a", "b")}
    common = ["--block", "--node-ip-address=127.0.0.1", "--num-cpus=2", "--disable-usage-stats",
              f"--dashboard-agent-listen-port={free_port()}"]
    commands = {
        "a": [BIN / "ray", "start", "--head", f"--port={gcs}", '--resources={"node_a": 1}',
              "--include-dashboard=true", "--dashboard-host=127.0.0.1", f"--dashboard-port={dashboard}",
              f"--ray-client-server-port={free_port()}"],
        "b": [sys.executable, LOOPBACK_START, f"--address=127.0.0.1:{gcs}", '--resources={"node_b": 1}'],
    }
    started: Dict[str, subprocess.Popen] = {}
    logs = {name: tmp / f"node-{name}.log" for name in ("a", "b")}
    try:
        for name in ("a", "b"):
            with open(logs[name], "w") as log:
                started[name] = subprocess.Popen(
                    [*commands[name], *common, f"--temp-dir={temp[name]}"], env=envs[name],
                    stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
            # Node b joins a head that is up (one started beside it timed out at load 10).
            ids = _wait_for_nodes(envs["a"], gcs, 1 if name == "a" else 2, started, logs)
        node_b = ids["node_b"]
        yield {"address": f"127.0.0.1:{gcs}", "dashboard": f"http://127.0.0.1:{dashboard}",
               "env": envs["a"], "stranger": _environment(homes["stranger"]), "token": token,
               "node_b": node_b, "tmp": tmp}
    finally:
        for name in ("b", "a"):
            if name in started:
                stop_ray_start(started[name])
        for name, directory in temp.items():  # the nodes' logs stay with the test's tmp
            try:
                shutil.copytree(Path(directory) / "session_latest" / "logs", tmp / f"logs-{name}",
                                ignore_dangling_symlinks=True, dirs_exist_ok=True)
            except (OSError, shutil.Error):
                pass  # a node that never started has none
            shutil.rmtree(directory, ignore_errors=True)


def _run(command, env, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def test_goray_cluster_from_another_process_runs_the_cpp_driver(cluster):
    env = {**cluster["env"], "RAY_ADDRESS": cluster["address"]}
    result = _run([BIN / "goray", "--cluster", "--py-defs", "app.py", RAYAPP_LIBRARY], env, cwd=RAYAPP)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-4000:]
    assert DRIVER_LINE in result.stdout.splitlines(), result.stdout[-3000:]
    assert "Python -> C++ actor:    Counter.Incr(1) = 1" in result.stdout, result.stdout[-3000:]


def test_a_cpp_task_runs_on_the_node_that_got_the_token_from_its_environment(cluster):
    """Node b (RAY_AUTH_TOKEN, no file) runs a C++ task for a driver of node a's token."""
    code = (f"import ray, goray\ngoray.init({str(RAYAPP_LIBRARY)!r}, cluster=True, address={cluster['address']!r})\n"
            "square = goray.golang_task('Square', resources={'node_b': 1})\n"
            "node = ray.get(ray.remote(resources={'node_b': 0.01})(lambda: ray.get_runtime_context().get_node_id()).remote())\n"
            "print('RESULT', ray.get(square.remote(7.0)), node)\n")
    result = _run([sys.executable, "-c", code], cluster["env"])
    assert result.returncode == 0, result.stderr[-4000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    assert line == f"RESULT 49.0 {cluster['node_b']}", result.stdout[-2000:]


def test_ray_job_submit_of_a_goray_job(cluster, tmp_path):
    staged = tmp_path / "deploy"
    staged_made = _run([sys.executable, "-m", "goray.stage", staged, RAYAPP_LIBRARY,
                        "--py-defs", RAYAPP / "app.py"], cluster["env"])
    assert staged_made.returncode == 0, staged_made.stderr[-3000:]
    command = [BIN / "ray", "job", "submit", "--address", cluster["dashboard"], "--working-dir", staged,
               "--", "python", "-m", "goray", "--cluster", "--py-defs", "app.py", "./librayapp.so"]
    for _ in range(12):  # the job agent may still be starting: Ray answers "try again later"
        result = _run(command, cluster["env"], timeout=600)
        if "No available agent to submit job" not in result.stdout + result.stderr:
            break
        time.sleep(5)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "succeeded" in output, output[-4000:]
    assert DRIVER_LINE in output, output[-4000:]


def _get(url: str, headers: Dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_dashboard_takes_the_token_in_kuberays_header(cluster):
    url = f"{cluster['dashboard']}/api/jobs/"
    assert _get(url, {}) == 401
    assert _get(url, {"X-Ray-Authorization": "Bearer " + "0" * 32}) in (401, 403)
    assert _get(url, {"X-Ray-Authorization": f"Bearer {cluster['token']}"}) == 200
    assert _get(url, {"Authorization": f"Bearer {cluster['token']}"}) == 200


def test_a_client_without_the_token_is_refused_and_told_how_to_give_one(cluster):
    listed = _run([BIN / "ray", "job", "list", "--address", cluster["dashboard"]], cluster["stranger"])
    assert listed.returncode != 0
    assert "Unauthorized" in listed.stdout + listed.stderr, (listed.stdout + listed.stderr)[-2000:]
    # goray's CLI joining the cluster: Ray's refusal, naming where a token is read from.
    env = {**cluster["stranger"], "RAY_ADDRESS": cluster["address"], "RAY_AUTH_MODE": "token"}
    joined = _run([BIN / "goray", "--cluster", "--py-defs", "app.py", RAYAPP_LIBRARY], env,
                  cwd=RAYAPP, timeout=180)
    output = joined.stdout + joined.stderr
    assert joined.returncode != 0 and DRIVER_LINE not in output, output[-3000:]
    assert "no authentication token was found" in output and "RAY_AUTH_TOKEN" in output, output[-3000:]


def test_serve_deploy_of_a_cpp_deployment(cluster, tmp_path):
    pytest.importorskip("ray.serve")
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
        ray_actor_options: {{num_cpus: 0, resources: {{node_b: 0.01}}}}
""")
    serve = BIN / "serve"
    # (serve deploy returns once Serve's controller and proxy are up: minutes on a loaded machine)
    deployed = _run([serve, "deploy", "-a", cluster["dashboard"], config], cluster["env"], timeout=600)
    assert deployed.returncode == 0, deployed.stderr[-3000:]
    try:
        deadline = time.monotonic() + 180
        answer = None
        while time.monotonic() < deadline:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/model/Score", method="POST",
                                             data=json.dumps({"features": [1, 2, 3]}).encode(),
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = (response.status, json.loads(response.read()))
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        assert answer == (200, 1.75), answer
        refused = _run([serve, "status", "-a", cluster["dashboard"]], cluster["stranger"], timeout=60)
        assert refused.returncode != 0, refused.stdout[-2000:]
    finally:
        shutdown = _run([serve, "shutdown", "-a", cluster["dashboard"], "-y"], cluster["env"], timeout=120)
        assert shutdown.returncode == 0, shutdown.stdout[-2000:] + shutdown.stderr[-3000:]
