"""One system's measurements, in this process (bench/peers.py runs one of these
per system, with that system's Python: one goray package and one library per
process). Starts one local Ray on 127.0.0.1 and runs every requested
measurement (phase) in it; each result is printed as a "METRIC <name>" line
followed by a "BENCH {json}" line (the native driver prints the BENCH line
itself). A phase that outlives --phase-timeout ends the process with a
"TIMEOUT <name>" line; the parent starts a new one for the phases left.

  python child.py --system ours|goray|python|nanobind --library LIB [--metrics a,b] ...

"nanobind" is plain Python on Ray whose tasks and actors call the C++ functions through
a nanobind module (bench/peers/nanobind; --library names the module's folder).
"""
import argparse
import ctypes
import json
import os
import pathlib
import re
import sys
import threading
import time

os.environ.update(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_USAGE_STATS_ENABLED="0",
                  RAY_ADDRESS="local")  # before Ray is imported: every Ray here is on loopback
import ray  # noqa: E402
import psutil  # noqa: E402  (Ray's own copy, on the path once ray is imported)

DEFS = pathlib.Path(__file__).resolve().parent / "defs.py"
RAY_INIT = dict(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
                log_to_driver=False)
MIB = 1 << 20


def per_call_us(call, rounds: int, count: int) -> list:
    call()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            call()
        samples.append((time.perf_counter() - start) / count * 1e6)
    return samples


def throughput(submit, rounds: int, count: int) -> list:
    """Calls per second: `count` submitted, then all fetched; one warm-up round."""
    samples = []
    for round_number in range(rounds + 1):
        start = time.perf_counter()
        ray.get([submit() for _ in range(count)])
        if round_number:
            samples.append(count / (time.perf_counter() - start))
    return samples


def memcpy_gbps(size: int) -> list:
    source = ctypes.create_string_buffer(b"\x01" * size, size)
    target = ctypes.create_string_buffer(size)
    ctypes.memmove(target, source, size)  # touch the pages first
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        ctypes.memmove(target, source, size)
        samples.append(size / 1e9 / (time.perf_counter() - start))
    return samples


def payload(kind: str, size: int) -> object:
    if kind == "bytes":
        return bytes(range(256)) * (size // 256)
    return [float(i) for i in range(size // 8)]


def describe(error: Exception) -> str:
    """The error's class and the innermost cause (Ray wraps task errors)."""
    cause = getattr(error, "cause", None) or error
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(cause)).strip().splitlines()
    return f"{type(error).__name__}: {type(cause).__name__}: {(text[-1] if text else '')[:200]}"


def round_trips(echo, value, size: int, rounds: int, timeout: float) -> dict:
    """GB/s of value -> task -> back in the driver; an error (lost value) ends it."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        try:
            result = ray.get(echo.remote(value), timeout=timeout)
        except Exception as error:  # noqa: BLE001  a lost value is a result here
            return {"error": describe(error)}
        seconds = time.perf_counter() - start
        if len(result) != len(value) or result[0] != value[0] or result[-1] != value[-1]:
            return {"error": f"wrong value back: {len(result)} items, expected {len(value)}"}
        del result
        samples.append(size / 1e9 / seconds)
    return {"samples": samples}


def scale_round_trips(scale, a, size: int, rounds: int, timeout: float) -> dict:
    """GB/s of ray.get(scale.remote(a)) for `2 * a` on `size` bytes of float64 (`a` made
    before the clock starts, the result checked after it stops); round 0 is a warm-up."""
    samples = []
    for round_number in range(rounds + 1):
        start = time.perf_counter()
        try:
            result = ray.get(scale.remote(a), timeout=timeout)
        except Exception as error:  # noqa: BLE001  a failure is a result here
            return {"error": describe(error)}
        seconds = time.perf_counter() - start
        if len(result) != size // 8 or result[-1] != 2 * a[-1] or result[1] != 2 * a[1]:
            return {"error": f"wrong value back: {len(result)} items, expected {size // 8}"}
        del result
        if round_number:
            samples.append(size / 1e9 / seconds)
    return {"samples": samples}


@ray.remote
def py_scale(a):
    return a * 2.0


@ray.remote
def py_noop():
    return None


@ray.remote
def py_echo(value):
    return value


# The nanobind peer: plain Python Ray tasks calling the C++ functions through nanobind
# (the module's folder is on every worker's PYTHONPATH, set before Ray starts).
@ray.remote
def nb_noop():
    import peers_nanobind
    return peers_nanobind.Noop()


@ray.remote
def nb_echo_bytes(value):
    import peers_nanobind
    return peers_nanobind.EchoBytes(value)


@ray.remote
def nb_echo_floats(value):
    import peers_nanobind
    return peers_nanobind.EchoFloats(value)


@ray.remote
def nb_scale(a):
    import peers_nanobind
    return peers_nanobind.Scale2(a)


@ray.remote
class NbSink:
    def __init__(self):
        import peers_nanobind
        self.sink = peers_nanobind.Sink()

    def Noop(self):
        return self.sink.Noop()


NB_TASKS = {"Noop": nb_noop, "EchoBytes": nb_echo_bytes, "EchoFloats": nb_echo_floats}


class System:
    """The calls one system offers; plain Python is the reference."""

    def __init__(self, name: str, library: str):
        self.name = name
        self.loaded = None
        if name == "python":
            ray.init(**RAY_INIT)
            return
        if name == "nanobind":  # Ray's workers inherit PYTHONPATH from this process
            os.environ["PYTHONPATH"] = os.pathsep.join(
                filter(None, [library, os.environ.get("PYTHONPATH")]))
            sys.path.insert(0, library)
            import peers_nanobind
            self.nanobind = peers_nanobind
            ray.init(**RAY_INIT)
            return
        import goray
        self.goray = goray
        if name == "ours":
            self.loaded = goray.init(library, str(DEFS), **RAY_INIT)
        else:  # GoRay's driver: start() is init plus the native driver ("none" returns)
            assert goray.start(library, str(DEFS), **RAY_INIT) == 0
        # Each system runs with its own package: ours has load_library, GoRay's not.
        assert hasattr(goray, "load_library") == (name == "ours"), goray.__file__

    def local_square(self):
        if self.name == "python":
            def square(x):
                return x * x
            return lambda: square(2.0)
        if self.name == "nanobind":
            return lambda: self.nanobind.Square(2.0)
        return lambda: self.goray.golang_local_run_task("Square", 2.0)

    def task(self, name: str):
        if self.name == "python":
            return py_noop if name == "Noop" else py_echo
        if self.name == "nanobind":
            return NB_TASKS[name]
        return self.goray.golang_task(name)

    def actor_noop(self):
        if self.name == "python":
            @ray.remote
            class Sink:
                def Noop(self):
                    return None
            return Sink.remote().Noop
        if self.name == "nanobind":
            return NbSink.remote().Noop
        return self.goray.golang_actor_class("Sink").remote().Noop

    def array_input(self, count: int):
        """A NumPy float64 array for plain Python and ours; a list of floats for GoRay,
        whose driver packs Python values with msgpack (a []float64 in Go) and has no
        NumPy in its virtualenv."""
        if self.name == "goray":
            return [float(i % 1000) for i in range(count)]
        import numpy
        return numpy.arange(count, dtype=numpy.float64) % 1000

    def scale_task(self):
        if self.name == "nanobind":
            return nb_scale
        return py_scale if self.name == "python" else self.goray.golang_task("Scale2")

    def run_native(self, scenario: str, rounds: int, count: int) -> None:
        """The native driver measures and prints its own BENCH line."""
        os.environ.update(BENCH_SCENARIO=scenario, BENCH_ROUNDS=str(rounds), BENCH_COUNT=str(count))
        try:
            if self.name == "ours":
                from goray._ray.driver import run_driver
                code = run_driver(self.loaded)
            else:
                from goray import common
                message, code = common.load_go_lib().start_driver()
                code = code or int(message)
        finally:
            os.environ["BENCH_SCENARIO"] = "none"
        if code:
            raise RuntimeError(f"native driver {scenario}: exit {code}")


def phases(system: "System", options) -> list:
    """[(name, measure)]: every measurement this system takes, in order; measure()
    returns the result, or None when the native driver printed it."""
    rounds, calls, tasks = options.rounds, options.calls, options.tasks
    native = options.system not in ("python", "nanobind")  # these have no native driver
    found = [("local_py_to_native", lambda: {"samples": per_call_us(system.local_square(), rounds, calls)})]
    if native:
        found.append(("local_native_to_py", lambda: system.run_native("local_py", rounds, calls)))
    found.append(("task_py", lambda: {"samples": throughput(system.task("Noop").remote, rounds, tasks)}))
    if native:
        found.append(("task_native", lambda: system.run_native("task", rounds, tasks)))
    found.append(("actor_py", lambda: {"samples": throughput(system.actor_noop().remote, rounds, tasks)}))
    if native:
        found.append(("actor_native", lambda: system.run_native("actor", rounds, tasks)))
    for size_mib in (int(size) for size in options.sizes.split(",")):
        size = size_mib * MIB
        found.append((f"memcpy/{size_mib}", lambda size=size: {"samples": memcpy_gbps(size)}))
        for kind in ("bytes", "floats"):
            def measure(kind=kind, size=size):
                echo = system.task("EchoBytes" if kind == "bytes" else "EchoFloats")
                return round_trips(echo, payload(kind, size), size, options.payload_rounds,
                                   options.payload_timeout)
            found.append((f"payload/{kind}/{size_mib}", measure))
    for size_mib in (int(size) for size in options.array_sizes.split(",")):
        size = size_mib * MIB
        def measure_array(size=size):
            return scale_round_trips(system.scale_task(), system.array_input(size // 8), size,
                                     options.payload_rounds, options.payload_timeout)
        found.append((f"arrays/{size_mib}", measure_array))
        if options.system == "ours":  # the C++ driver builds its Array<double> and times 2 * a
            found.append((f"arrays_native/{size_mib}",
                          lambda size_mib=size_mib: system.run_native("array", options.payload_rounds, size_mib)))
    return found


def watchdog(phase: str, seconds: float) -> threading.Timer:
    """Ends this process when a phase outlives its time (a native driver cannot be
    interrupted): says so, then stops this process's Ray so nothing is left behind."""
    def expire() -> None:
        print(f"TIMEOUT {phase} {seconds:.0f}", flush=True)
        for process in psutil.Process().children(recursive=True):  # Ray's, and its agents and workers
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        os._exit(124)
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--system", choices=["ours", "goray", "python", "nanobind"], required=True)
    parser.add_argument("--library", default="")
    parser.add_argument("--metrics", default="local,task,actor,payload",
                        help="workload groups: local, task, actor, payload, arrays")
    parser.add_argument("--skip", default="", help="phases not to run (done or given up)")
    parser.add_argument("--phase-timeout", type=float, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--sizes", default="1,64,256")
    parser.add_argument("--array-sizes", default="64,256", help="MiB of float64 for 2 * a")
    parser.add_argument("--payload-rounds", type=int, default=5)
    parser.add_argument("--payload-timeout", type=float, default=180)
    options = parser.parse_args()
    groups = options.metrics.split(",")

    system = System(options.system, options.library)
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
    todo = [(name, measure) for name, measure in phases(system, options)
            if name.split("_")[0].split("/")[0] in groups or
            (name.startswith("memcpy") and "payload" in groups)]
    skip = set(options.skip.split(","))
    todo = [(name, measure) for name, measure in todo if name not in skip]
    for name, measure in todo:
        print(f"METRIC {name}", flush=True)
        # A payload phase is bounded per round (--payload-timeout) as well.
        limit = options.phase_timeout + (options.payload_rounds * options.payload_timeout
                                         if name.startswith(("payload", "arrays")) else 0)
        timer = watchdog(name, limit)
        result = measure()
        timer.cancel()
        if result is not None:
            print("BENCH " + json.dumps(result), flush=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
