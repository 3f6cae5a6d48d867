"""The wheel reaches a cluster's workers the Ray way: a 2-node cluster on 127.0.0.1 whose
nodes have Ray but no goray runs `ray job submit --runtime-env-json ... -- python -m goray
--cluster ...` with each runtime_env of docs/cluster.md's "Getting goray onto the
workers" (py_modules with the wheel, py_modules with its unpacked package, pip with the
wheel), and the C++ tasks pinned to node b run in workers that imported the wheel's goray
from node b's runtime_resources.

The nodes: each is `ray start --block` run by its own virtualenv (node a's and node b's,
so no virtualenv is shared between the nodes' workers), each with its own --temp-dir (so
its own runtime_resources). Neither venv has goray: both reach a goray-free view of the
checkout's installed packages (a directory of symlinks to .venv's site-packages entries,
less goray's editable install and metadata), the way a node image's system packages
would, so the test needs no download: Ray, msgpack and Jinja2 are there, goray is not
(checked before the cluster starts). Both stay on 127.0.0.1: they run with Ray's
loopback switch, and node b's `ray start` through ray_start_loopback.py (under the switch
Ray refuses a non-head node). The nodes are stopped by their own process ids.

py_modules with the wheel: Ray installs it with `pip install <wheel> --target=<dir>` (the
pip on the node's PATH), which ignores what the node has installed and would fetch every
dependency of the wheel again (Ray itself included) from the package index; the nodes run
with PIP_NO_DEPS=1, as docs/cluster.md says. pip: Ray clones the node's virtualenv per
runtime_env and runs pip in the clone (with dependencies: PIP_NO_DEPS=0 in the job's
env_vars), which finds Ray, msgpack and Jinja2 installed and adds only goray-cpp from the
wheel shipped in the working directory.

Each process that imports the job's py-defs file (the driver and every worker that runs a
C++ task) writes where its goray came from into a directory the test reads. The test
prints each job's time and how long each node took to make its runtime env."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from conftest import REPO, clean_environment

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from loopback_ports import free_port  # noqa: E402
from ray_leftovers import stop_ray_start  # noqa: E402

# Tier 2 (bash scripts/run-tests.sh --all): a 2-node cluster of the wheel's own virtualenv
pytestmark = pytest.mark.tier2

DEV_SITE = Path(sysconfig.get_paths()["purelib"])  # the checkout's .venv: Ray and goray
DEV_RAY = REPO / ".venv" / "bin" / "ray"  # the submitting client (any Ray CLI would do)
LOOPBACK_START = Path(__file__).resolve().parent / "ray_start_loopback.py"
LIBRARY = Path(os.environ.get("GORAY_RAYTEST_LIB", REPO / "build" / "tests" / "apps" / "libraytest.so"))

# Written into the job's working directory as its py-defs file.
PROBE_DEFS = '''"""Records where this process's goray came from (GORAY_PROBE_DIR/<pid>.json)."""
import json
import os
import sys

import goray
import ray


def _fastpath():
    try:
        from goray import _fastpath  # noqa: F401  (the wheel's compiled fast path)
    except ImportError as error:
        return str(error)
    return "loaded"


def _record():
    node = ray.get_runtime_context().get_node_id() if ray.is_initialized() else ""
    path = os.path.join(os.environ["GORAY_PROBE_DIR"], f"{os.getpid()}.json")
    with open(path, "w") as out:
        json.dump({"goray": goray.__file__, "node": node, "python": sys.executable, "fastpath": _fastpath(),
                   "version": getattr(goray, "__version__", None)}, out)


_record()
'''


def goray_free_view(view: Path) -> Path:
    """A directory of symlinks to every entry of .venv's site-packages except goray's."""
    view.mkdir()
    for entry in DEV_SITE.iterdir():
        name = entry.name.lower()
        if "goray" in name or name.startswith("__editable__") or name == "__pycache__":
            continue
        (view / entry.name).symlink_to(entry)
    return view


def node_venv(root: Path, view: Path) -> Path:
    """A venv of its own whose site-packages adds the goray-free view, with a `pip`
    command (Ray's py_modules runs the `pip` on PATH). Returns its python."""
    venv.EnvBuilder(with_pip=False, clear=True, symlinks=True).create(root)
    python = root / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "node_packages.pth").write_text(f"import site; site.addsitedir({str(view)!r})\n")
    pip = root / "bin" / "pip"
    pip.write_text(f"#!{python}\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n")
    pip.chmod(0o755)
    return python


@pytest.fixture(scope="module")
def nodes(tmp_path_factory) -> Iterator[Dict]:
    if not LIBRARY.is_file():
        pytest.fail(f"the Ray test library {LIBRARY} is not built: run bash scripts/run-tests.sh "
                    "(or set GORAY_RAYTEST_LIB)", pytrace=False)
    tmp = tmp_path_factory.mktemp("cluster-wheel")
    view = goray_free_view(tmp / "node-packages")
    pythons = {name: node_venv(tmp / f"venv-{name}", view) for name in ("a", "b")}
    for python in pythons.values():
        check = subprocess.run([python, "-c", "import ray, msgpack, jinja2; print(ray.__version__)\n"
                                "try:\n import goray\nexcept ImportError:\n pass\n"
                                "else:\n raise SystemExit('goray importable: ' + goray.__file__)"],
                               capture_output=True, text=True, cwd=tmp)
        assert check.returncode == 0, f"{python}: {check.stdout}{check.stderr}"
    gcs, dashboard = free_port(), free_port()
    # Short temp dirs: Ray's socket paths must fit in 107 bytes.
    temp = {name: tempfile.mkdtemp(prefix=f"gw{name}", dir="/tmp") for name in ("a", "b")}
    common = ["--block", "--node-ip-address=127.0.0.1", "--num-cpus=2", "--disable-usage-stats"]
    commands = {
        "a": ["--head", f"--port={gcs}", '--resources={"node_a": 1}', "--include-dashboard=true",
              "--dashboard-host=127.0.0.1", f"--dashboard-port={dashboard}",
              f"--ray-client-server-port={free_port()}"],  # not 10001, which another Ray may hold
        "b": [f"--address=127.0.0.1:{gcs}", '--resources={"node_b": 1}'],
    }
    started: Dict[str, subprocess.Popen] = {}
    environments: Dict[str, Dict[str, str]] = {}
    logs = {name: open(tmp / f"node-{name}.log", "w") for name in ("a", "b")}
    try:
        for name in ("a", "b"):
            env = clean_environment(first_on_path=pythons[name].parent)
            # RAY_AUTH_MODE: `ray start` turns token authentication on by default; this
            # cluster listens on 127.0.0.1 only, as the other cluster tests' do.
            env.update(RAY_AUTH_MODE="disabled", PIP_NO_DEPS="1",
                       VIRTUAL_ENV=str(pythons[name].parents[1]))
            environments[name] = env
            # Node a: `ray start`; node b through a launcher that gets past Ray's refusal of
            # a non-head node under the loopback switch (ray_start_loopback.py).
            launcher = ["-m", "ray.scripts.scripts", "start"] if name == "a" else [str(LOOPBACK_START)]
            started[name] = subprocess.Popen(
                [pythons[name], *launcher, *common, *commands[name],
                 f"--temp-dir={temp[name]}", f"--dashboard-agent-listen-port={free_port()}"],
                env=env, stdout=logs[name], stderr=subprocess.STDOUT, cwd=tmp)
            if name == "a":
                wait_for_nodes(pythons["a"], environments["a"], gcs, 1, started, tmp)
        node_ids = wait_for_nodes(pythons["a"], environments["a"], gcs, 2, started, tmp)
        yield {"dashboard": f"http://127.0.0.1:{dashboard}", "tmp": tmp, "node_ids": node_ids,
               "env": environments["a"], "pythons": pythons, "temp": temp, "address": f"127.0.0.1:{gcs}"}
    finally:
        for name in ("b", "a"):
            if name in started:
                stop_ray_start(started[name])
            logs[name].close()
        for name, directory in temp.items():  # the nodes' logs stay with the test's tmp
            try:
                shutil.copytree(Path(directory) / "session_latest" / "logs", tmp / f"logs-{name}",
                                ignore_dangling_symlinks=True, dirs_exist_ok=True)
            except (OSError, shutil.Error):
                pass  # a node that never started has none
            shutil.rmtree(directory, ignore_errors=True)


def wait_for_nodes(python: Path, env: Dict[str, str], gcs: int, count: int,
                   started: Dict[str, subprocess.Popen], tmp: Path) -> Dict[str, str]:
    """Waits until `count` nodes are alive; returns their ids by custom resource."""
    code = (f"import json, time, ray\nray.init(address='127.0.0.1:{gcs}', logging_level='ERROR')\n"
            "for _ in range(240):\n"
            "    alive = [n for n in ray.nodes() if n['Alive']]\n"
            f"    if len(alive) >= {count}: break\n"
            "    time.sleep(0.5)\n"
            "outward = [n['NodeManagerAddress'] for n in alive if n['NodeManagerAddress'] != '127.0.0.1']\n"
            "assert not outward, f'nodes bound {outward}, not 127.0.0.1'\n"
            "print(json.dumps({r: n['NodeID'] for n in alive for r in n['Resources'] if r.startswith('node_')}))")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        dead = [name for name, process in started.items() if process.poll() is not None]
        if dead:
            pytest.fail(f"ray start for node {dead} exited:\n" + "\n".join(
                (tmp / f"node-{name}.log").read_text()[-3000:] for name in dead), pytrace=False)
        result = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True,
                                cwd=tmp, timeout=180)
        if "not 127.0.0.1" in result.stderr:
            pytest.fail(result.stderr[-2000:], pytrace=False)
        if result.returncode == 0:
            # The JSON line: Ray's own log lines may come after it on stdout at exit.
            ids = json.loads(next(line for line in reversed(result.stdout.splitlines())
                                  if line.startswith("{")))
            if len(ids) >= count:
                return ids
        time.sleep(1)
    pytest.fail(f"the cluster did not reach {count} nodes:\n{result.stderr[-3000:]}", pytrace=False)


def stage(directory: Path, extra: List[Path]) -> Path:
    """python -m goray.stage: the library, the probe py-defs file and `extra`."""
    defs = directory.parent / f"{directory.name}-defs" / "probe_defs.py"
    defs.parent.mkdir()
    defs.write_text(PROBE_DEFS)
    subprocess.run([sys.executable, "-m", "goray.stage", str(directory), str(LIBRARY),
                    "--py-defs", str(defs), *map(str, extra)], check=True, capture_output=True)
    return directory


def submit(nodes: Dict, staged: Path, runtime_env: Dict) -> subprocess.CompletedProcess:
    command = [str(DEV_RAY), "job", "submit", "--address", nodes["dashboard"],
               "--working-dir", str(staged), "--runtime-env-json", json.dumps(runtime_env), "--",
               "python", "-m", "goray", "--cluster", "--py-defs", "probe_defs.py",
               f"./{LIBRARY.name}", "--", "where", "node_a", "node_b"]
    for _ in range(12):  # the job agent may still be starting: Ray answers "try again later"
        result = subprocess.run(command, env=nodes["env"], capture_output=True, text=True, timeout=600)
        if "No available agent to submit job" not in result.stdout + result.stderr:
            break
        time.sleep(5)
    return result


def records(directory: Path) -> List[Dict]:
    return [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]


DOCS = REPO / "docs" / "cluster.md"


def documented_runtime_envs() -> Dict[str, Dict]:
    """The --runtime-env-json values of docs/cluster.md's "Getting goray onto the
    workers", by way: py_modules (the wheel), py_modules_dir (its package) and pip."""
    found: Dict[str, Dict] = {}
    for text in re.findall(r"--runtime-env-json '([^']*)'", DOCS.read_text(encoding="utf-8")):
        runtime_env = json.loads(text)
        if "pip" in runtime_env:
            found["pip"] = runtime_env
        elif runtime_env["py_modules"][0].endswith(".whl"):
            found["py_modules"] = runtime_env
        else:
            found["py_modules_dir"] = runtime_env
    assert set(found) == {"py_modules", "py_modules_dir", "pip"}, found
    return found


def for_this_wheel(way: str, wheel: Path, tmp: Path) -> tuple:
    """The documented runtime_env with this wheel's name and paths put in; the files to
    stage with the job; the part of the workers' goray path that says which plugin
    installed it."""
    runtime_env = documented_runtime_envs()[way]
    if way == "py_modules":  # uploaded by the client, pip --target on each node
        assert re.fullmatch(r"dist/goray_cpp-[^/]+\.whl", runtime_env["py_modules"][0]), runtime_env
        return {"py_modules": [str(wheel)]}, [], "py_modules_files"
    if way == "py_modules_dir":  # the unpacked package, zipped and uploaded: no pip
        assert runtime_env["py_modules"] == ["wheel/goray"], runtime_env
        subprocess.run([sys.executable, "-m", "zipfile", "-e", str(wheel), str(tmp / "wheel")], check=True)
        return {"py_modules": [str(tmp / "wheel" / "goray")]}, [], "py_modules_files"
    # pip: the wheel shipped in the working directory, installed into a virtualenv
    [entry] = runtime_env["pip"]
    prefix = "${RAY_RUNTIME_ENV_CREATE_WORKING_DIR}/"
    assert entry.startswith(prefix) and re.fullmatch(r"goray_cpp-[^/]+\.whl", entry[len(prefix):]), entry
    return {"pip": [prefix + wheel.name]}, [wheel], os.sep + "pip" + os.sep


def setup_seconds(nodes: Dict, marker: str) -> Dict[str, float]:
    """How long each node's runtime env agent took to make the job's runtime env (the
    first one whose JSON holds `marker`), from its log."""
    found = {}
    for name, directory in nodes["temp"].items():
        log = Path(directory) / "session_latest" / "logs" / "runtime_env_agent.log"
        began = None
        for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
            if marker not in line:
                continue
            stamp = time.mktime(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S")) + int(line[20:23]) / 1000
            if "Creating runtime env" in line and began is None:
                began = stamp
            elif "Successfully created runtime env" in line and began is not None:
                found[name] = round(stamp - began, 2)
                break
    return found


# CI runs the wheel by py_modules; the folder and pip ways repeat the same job through
# another runtime_env (long runs: docs/testing.md, "Long runs").
@pytest.mark.parametrize("way", ["py_modules", pytest.param("py_modules_dir", marks=pytest.mark.long),
                                 pytest.param("pip", marks=pytest.mark.long)])
def test_cpp_tasks_on_node_b_run_with_the_wheels_goray(nodes, wheel_path, tmp_path, way):
    runtime_env, extra, marker = for_this_wheel(way, wheel_path, tmp_path)
    probe = tmp_path / "probe"
    probe.mkdir()
    runtime_env["env_vars"] = {"GORAY_PROBE_DIR": str(probe)}
    if way == "pip":  # pip with the wheel's dependencies, which the node has: no download
        runtime_env["env_vars"]["PIP_NO_DEPS"] = "0"
    staged = stage(tmp_path / "job", extra)
    began = time.monotonic()
    result = submit(nodes, staged, runtime_env)
    took = time.monotonic() - began
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    where = dict(re.findall(r"WHERE (\w+) task (\w+) actor \w+", result.stdout))
    assert where == {"node_a": nodes["node_ids"]["node_a"], "node_b": nodes["node_ids"]["node_b"]}, output[-3000:]

    seen = records(probe)
    on_b = [record for record in seen if record["node"] == nodes["node_ids"]["node_b"]]
    drivers = [record for record in seen if record["node"] == ""]
    assert on_b and drivers, seen
    for record in seen:  # the driver's and every worker's: the wheel's, as Ray installed it
        assert "runtime_resources" in record["goray"] and marker in record["goray"], record
        assert not record["goray"].startswith(str(REPO)), record
        assert record["fastpath"] == "loaded", record  # the nodes' Python is the wheel's (cp311)
    if way == "pip":  # workers run the virtualenv Ray made, not the node's own python,
        assert all("runtime_resources" in record["python"] for record in on_b), on_b
        # and pip added goray-cpp to it, not a second Ray (the node's is found installed)
        site = Path(on_b[0]["goray"]).parents[1]
        assert not (site / "ray").exists(), sorted(path.name for path in site.iterdir())
    print(f"{way}: job took {took:.1f} s; runtime env made in {setup_seconds(nodes, str(probe))} s; "
          f"node b's workers imported {on_b[0]['goray']}")


def test_without_the_wheel_the_job_cannot_import_goray(nodes, tmp_path):
    # The control: with no runtime_env bringing goray, the nodes' Python has none.
    probe = tmp_path / "probe"
    probe.mkdir()
    result = submit(nodes, stage(tmp_path / "job", []), {"env_vars": {"GORAY_PROBE_DIR": str(probe)}})
    assert result.returncode != 0
    assert "No module named goray" in result.stdout + result.stderr, (result.stdout + result.stderr)[-3000:]
    assert not records(probe)


def test_goray_start_gives_its_runtime_env_to_the_workers(nodes, wheel_path, tmp_path):
    # A Python driver that has goray (the checkout's) joins the cluster itself, no job
    # submission: goray.start(..., runtime_env=...) merges goray's env_vars into the
    # caller's runtime_env, whose py_modules bring the wheel to the workers.
    probe = tmp_path / "probe"
    probe.mkdir()
    staged = stage(tmp_path / "job", [])
    runtime_env = {"py_modules": [str(wheel_path)], "env_vars": {"GORAY_PROBE_DIR": str(probe)}}
    code = ("import json, sys, goray\n"
            "code = goray.start(sys.argv[1], sys.argv[2], ['where', 'node_a', 'node_b'], cluster=True,\n"
            "                   address=sys.argv[3], runtime_env=json.loads(sys.argv[4]))\n"
            "sys.exit(code)")
    env = {**nodes["env"], "GORAY_PROBE_DIR": str(probe)}  # the driver's own record
    result = subprocess.run([sys.executable, "-c", code, str(staged / LIBRARY.name), str(staged / "probe_defs.py"),
                             nodes["address"], json.dumps(runtime_env)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    where = dict(re.findall(r"WHERE (\w+) task (\w+) actor \w+", result.stdout))
    assert where == {"node_a": nodes["node_ids"]["node_a"], "node_b": nodes["node_ids"]["node_b"]}
    seen = records(probe)
    [driver] = [record for record in seen if record["node"] == ""]
    assert driver["goray"].startswith(str(REPO)), driver  # the driver runs the checkout's goray
    on_b = [record for record in seen if record["node"] == nodes["node_ids"]["node_b"]]
    assert on_b, seen
    for record in seen:
        if record is not driver:
            assert "runtime_resources" in record["goray"] and "py_modules_files" in record["goray"], record
