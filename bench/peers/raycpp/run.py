"""Ray's own C++ API (the ray-cpp wheel) measured on a Ray head of its own on 127.0.0.1.

  .venv-raycpp/bin/python bench/peers/raycpp/run.py [--rounds 7] [--tasks 2000]
      [--sizes 1,64,256] [--payload-rounds 5] [--metrics task,actor,payload,arrays]
      [--array-sizes 64,256] [--map-items 20000]

Builds nothing (scripts/setup-raycpp.sh does). Starts `ray start --head --block` as a child
in its own process group, runs the C++ driver build-raycpp/raycpp_bench (and a Python
driver for the cross-language calls) against it, then stops that group by its id. Prints
one JSON line: {"task_native": [...], "actor_native": [...], "payload": {"bytes": {...},
"floats": {...}}, "memcpy": {...}, "arrays": {...}, "task_py": [...], "actor_py": [...],
"map": [...], "notes": "..."} (only the groups --metrics names; "map", items/s of one
Poly task per item, only when asked for: bench/map.py does)
or {"unavailable": "<reason>"}. A phase that fails is {"error": "<message>"} in place of
its samples.
"""
import argparse
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[3]
BUILD = ROOT / "build-raycpp"
DRIVER = BUILD / "raycpp_bench"
LIBDIR = BUILD / "lib"  # holds only the worker library: the code search path
HEAD_START_TIMEOUT = 120
DRIVER_TIMEOUT = 900


class Unavailable(Exception):
    pass


def progress(message: str):
    print(f"[raycpp] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ray_env() -> dict:
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)
    env.update({
        "RAY_USAGE_STATS_ENABLED": "0",
        # Without it Ray 2.60 resolves 127.0.0.1 to this machine's outward address.
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        # Ray 2.60 turns token auth on when ~/.ray/auth_token exists, and the C++ driver
        # only sends a token when told to: one per run, for this head only.
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": secrets.token_hex(32),
    })
    return env


def tail(path: pathlib.Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


class Head:
    """A Ray head on 127.0.0.1 whose every process this runner started and stops."""

    def __init__(self, env: dict):
        self.env = env
        self.temp_dir = tempfile.mkdtemp(prefix="raycpp")  # short: socket paths live here
        self.log = pathlib.Path(self.temp_dir) / "head.log"
        self.port = free_port()
        self.proc = None

    def start(self):
        ray = pathlib.Path(sys.executable).parent / "ray"
        ports = {flag: free_port() for flag in (
            "--dashboard-port", "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port",
            "--metrics-export-port", "--runtime-env-agent-port", "--ray-client-server-port",
            "--node-manager-port", "--object-manager-port")}
        cmd = [str(ray), "start", "--head", "--block", "--node-ip-address=127.0.0.1",
               f"--port={self.port}", "--num-cpus=2", "--include-dashboard=false",
               "--dashboard-host=127.0.0.1", "--disable-usage-stats",
               "--object-store-memory=2000000000", f"--temp-dir={self.temp_dir}"]
        cmd += [f"{flag}={port}" for flag, port in ports.items()]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + HEAD_START_TIMEOUT
        while time.monotonic() < deadline:
            if "Ray runtime started" in self.log.read_text(errors="replace"):
                progress(f"Ray head up on 127.0.0.1:{self.port}")
                return
            if self.proc.poll() is not None:
                raise Unavailable(f"ray start exited with {self.proc.returncode}: {tail(self.log)}")
            time.sleep(0.5)
        raise Unavailable(f"ray start not ready after {HEAD_START_TIMEOUT}s: {tail(self.log)}")

    def stop(self):
        if self.proc is not None:
            start = time.monotonic()
            self._stop_group()
            progress(f"Ray head stopped in {time.monotonic() - start:.1f}s")
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def _stop_group(self):
        pgid = self.proc.pid  # start_new_session: the group id is the child's pid
        # SIGTERM to `ray start` alone first: it drains the node and stops its children;
        # a SIGTERM to the whole group kills the GCS under it and stalls that drain.
        self._signal(self.proc.pid, signal.SIGTERM, group=False)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._signal(pgid, signal.SIGKILL)
            self.proc.wait()
        self._signal(pgid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self._signal(pgid, 0):
            time.sleep(0.2)
        self._signal(pgid, signal.SIGKILL)
        self._kill_strays()
        self.proc = None

    @staticmethod
    def _signal(pid: int, sig: int, group: bool = True) -> bool:
        try:
            (os.killpg if group else os.kill)(pid, sig)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def _kill_strays(self):
        # Workers the raylet started may sit in another group; they carry our temp dir.
        for entry in pathlib.Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if self.temp_dir.encode() in cmdline:
                self._signal(int(entry.name), signal.SIGKILL, group=False)


# ---------------------------------------------------------------------------
# Python driver (child process): node check and cross-language calls.

def py_child(address: str, rounds: int, tasks: int) -> dict:
    import ray
    from ray.job_config import JobConfig
    ray.init(address=address, _node_ip_address="127.0.0.1", log_to_driver=False,
             job_config=JobConfig(code_search_path=[str(LIBDIR)]))
    out = {"node_ips": sorted({n["NodeManagerAddress"] for n in ray.nodes()})}
    try:
        noop = ray.cross_language.cpp_function("Noop")
        sink = ray.cross_language.cpp_actor_class("Sink::Create", "Sink").remote()

        def measure(submit):
            samples = []
            for round_ in range(rounds + 1):  # round 0: warm-up
                start = time.perf_counter()
                ray.get([submit() for _ in range(tasks)])
                if round_:
                    samples.append(tasks / (time.perf_counter() - start))
            return samples

        out["task_py"] = measure(noop.remote)
        out["actor_py"] = measure(sink.Noop.remote)
        ray.kill(sink)
    except Exception as exc:  # reported, not fatal: the native figures still stand
        out["py_unavailable"] = f"{type(exc).__name__}: {exc}"
    ray.shutdown()
    return out


def run_py(head: Head, args, procs: list) -> dict:
    cmd = [sys.executable, __file__, "--py-child", f"127.0.0.1:{head.port}",
           "--rounds", str(args.rounds), "--tasks", str(args.tasks)]
    err = pathlib.Path(head.temp_dir) / "py.err"
    with open(err, "wb") as err_file:
        proc = subprocess.Popen(cmd, env=head.env, stdout=subprocess.PIPE, stderr=err_file,
                                stdin=subprocess.DEVNULL, text=True)
        procs.append(proc)
        try:
            out, _ = proc.communicate(timeout=DRIVER_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return {"py_unavailable": f"Python driver timed out after {DRIVER_TIMEOUT}s"}
    for line in out.splitlines():
        if line.startswith("RAYCPP_PY "):
            return json.loads(line[len("RAYCPP_PY "):])
    return {"py_unavailable": f"Python driver exited with {proc.returncode}: {tail(err)}"}


# ---------------------------------------------------------------------------
# C++ driver: phases, restarted after a crash with the phases left.

def crash_reason(err: pathlib.Path, returncode: int) -> str:
    how = (f"driver killed by signal {-returncode}" if returncode < 0
           else f"driver exited with {returncode}")
    lines = err.read_text(errors="replace").splitlines() if err.exists() else []
    # Ray's own message if it left one: a failed check, an exception, an E/C log line.
    for pattern in (r"Check failed: .*", r"what\(\): .*", r"Unhandled exception: .*",
                    r"\[[^]]* [EC] \d+ \d+\] .*"):
        for line in reversed(lines):
            match = re.search(pattern, line)
            if match:
                return f"{how}: {match.group(0)[:400]}"
    return how


def read_lines(proc, deadline: float):
    """The child's stdout lines as they come, then None if the deadline passed. Reads
    in this (the only) thread with select, so a SIGTERM interrupts the wait at once."""
    fd, pending = proc.stdout.fileno(), b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            yield None
            return
        if not select.select([fd], [], [], min(remaining, 1.0))[0]:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            yield line.decode(errors="replace")


def run_driver(head: Head, args, phases: list, procs: list) -> dict:
    results, restarts = {}, 0
    while phases and restarts < 4:
        cmd = [str(DRIVER), "--phases=" + ",".join(phases), f"--rounds={args.rounds}",
               f"--tasks={args.tasks}", f"--payload-rounds={args.payload_rounds}",
               f"--ray_address=127.0.0.1:{head.port}", "--ray_node_ip_address=127.0.0.1",
               f"--ray_code_search_path={LIBDIR}"]
        err = pathlib.Path(head.temp_dir) / f"driver{restarts}.err"
        current = None
        with open(err, "wb") as err_file:
            proc = subprocess.Popen(cmd, env=head.env, stdout=subprocess.PIPE, stderr=err_file,
                                    stdin=subprocess.DEVNULL, bufsize=0)
            procs.append(proc)
            timed_out = False
            for line in read_lines(proc, time.monotonic() + DRIVER_TIMEOUT):
                if line is None:
                    timed_out = True
                    proc.kill()
                elif line.startswith("RAYCPP_BEGIN "):
                    current = line.split(None, 1)[1].strip()
                elif line.startswith("RAYCPP_RESULT "):
                    result = json.loads(line[len("RAYCPP_RESULT "):])
                    results[result["phase"]] = result
                    progress(f"{result['phase']}: {result.get('samples', result.get('error'))}")
                    phases.remove(result["phase"])
                    current = None
            proc.wait()
        if not phases:
            break
        if timed_out:
            reason = f"timed out after {DRIVER_TIMEOUT}s"
        else:
            reason = crash_reason(err, proc.returncode)
        if current is None and not results:
            raise Unavailable(f"the C++ driver could not start: {reason}")
        failed = current or phases[0]
        results[failed] = {"error": reason}
        phases.remove(failed)
        restarts += 1
    for phase in phases:
        results[phase] = {"error": "not run: too many driver crashes"}
    return results


def samples_or_error(result: dict):
    return result["samples"] if "samples" in result else {"error": result["error"]}


def measure(args, procs: list) -> dict:
    # ray is not imported here: it would bring threads, and SIGTERM must reach this one.
    spec = importlib.util.find_spec("ray")
    ray_dir = pathlib.Path(spec.origin).parent if spec and spec.origin else None
    if ray_dir is None or not (ray_dir / "cpp" / "default_worker").exists():
        raise Unavailable("the ray-cpp wheel is not installed in this Python "
                          "(run scripts/setup-raycpp.sh)")
    if not DRIVER.exists():
        raise Unavailable(f"{DRIVER} is not built (run scripts/setup-raycpp.sh)")
    groups = set(args.metrics.split(","))
    head = Head(ray_env())
    try:
        head.start()
        # The Python driver's cross-language calls (and the node check) with task/actor.
        py = run_py(head, args, procs) if groups & {"task", "actor"} else {}
        progress(f"Python driver: {py}")
        node_ips = py.get("node_ips")
        if node_ips is not None and node_ips != ["127.0.0.1"]:
            raise Unavailable(f"the Ray node is not on loopback: {node_ips}")
        sizes = [int(s) for s in args.sizes.split(",") if s] if "payload" in groups else []
        array_sizes = [int(s) for s in args.array_sizes.split(",") if s] if "arrays" in groups else []
        phases = [group for group in ("task", "actor") if group in groups]
        for size in sizes:
            phases += [f"memcpy:{size}", f"bytes:{size}", f"floats:{size}"]
        phases += [f"scale:{size}" for size in array_sizes]
        if "map" in groups:
            phases.append(f"map:{args.map_items}")
        results = run_driver(head, args, list(phases), procs)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the clean-up finish
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        head.stop()
    out = {f"{group}_native": samples_or_error(results[group])
           for group in ("task", "actor") if group in results}
    out.update({"payload": {kind: {str(s): samples_or_error(results[f"{kind}:{s}"]) for s in sizes}
                            for kind in ("bytes", "floats")},
                "memcpy": {str(s): samples_or_error(results[f"memcpy:{s}"]) for s in sizes},
                "arrays": {str(s): samples_or_error(results[f"scale:{s}"]) for s in array_sizes}})
    if "map" in groups:
        out["map"] = samples_or_error(results[f"map:{args.map_items}"])
    for key in ("task_py", "actor_py", "py_unavailable"):
        if key in py:
            out[key] = py[key]
    out["notes"] = (
        f"Ray {importlib.metadata.version('ray')} C++ API (ray-cpp wheel), built with CMake and g++ -O2 "
        "-D_GLIBCXX_USE_CXX11_ABI=0 against the wheel's headers and libray_api.so; head on "
        f"127.0.0.1 (nodes: {node_ips}), 2 CPUs. No-op task and actor method return void, "
        "fetched with ObjectRef<void>::Get per ref (ray::Get has no batched void form). "
        "bytes = std::string (msgpack str), floats = std::vector<double> (msgpack packs each "
        "double); Echo takes and returns by value. memcpy: 5 samples of one copy each. "
        "arrays: Scale2(std::vector<double>) doubling in place and returning it, from the C++ "
        "driver, the vector built before the clock starts. "
        "task_py/actor_py: Python driver, ray.cross_language.cpp_function('Noop') and "
        "cpp_actor_class('Sink::Create', 'Sink').")
    if "map" in groups:
        out["notes"] += (" map: one ray::Task(Poly).Remote(x) per item (bench/map_poly.h's "
                         "~0.25 us function of a double), all submitted, then one ray::Get of "
                         "every ref, items/s per round.")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--sizes", default="1,64,256")
    parser.add_argument("--payload-rounds", type=int, default=5)
    parser.add_argument("--metrics", default="task,actor,payload,arrays")
    parser.add_argument("--array-sizes", default="64,256")
    parser.add_argument("--map-items", type=int, default=20000,
                        help="items of the map group (one Poly task each) per round")
    parser.add_argument("--py-child", metavar="ADDRESS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.py_child:
        print("RAYCPP_PY " + json.dumps(py_child(args.py_child, args.rounds, args.tasks)),
              flush=True)
        return

    def on_sigterm(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that stops the head

    signal.signal(signal.SIGTERM, on_sigterm)
    procs = []
    try:
        out = measure(args, procs)
    except Unavailable as exc:
        out = {"unavailable": str(exc)}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
