"""Shared by the interop tests: paths, the loopback environment, running a
driver command and reading its CHECK / OBSERVED lines."""
import os
import pathlib
import subprocess
import sys
from typing import Dict, List, Tuple

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD = pathlib.Path(os.environ.get("INTEROP_BUILD", ROOT / "build-interop"))
CPP_LIB = BUILD / "cpp" / "libinterop.so"
GO_LIB = BUILD / "go" / "libgoapp.so"
DEFS = HERE / "defs.py"  # the py-defs of both apps
OURS_PYTHON = ROOT / ".venv" / "bin" / "python"
GORAY_PYTHON = ROOT / ".venv-goray" / "bin" / "python"

# Every Ray these tests start stays on 127.0.0.1 (the switch must be set before
# Ray is imported), sends no usage stats, and starts a new local Ray rather than
# joining one found on the machine.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
# The checks of the C++ app's driver (cpp/app.cpp) that pass under both drivers.
CPP_CHECKS = ["cpp_task", "cpp_task_multi", "nested_cpp_task", "put_ref_arg", "put_get",
              "cpp_ref_arg", "py_task", "py_ref_arg", "py_actor", "get_actor_py", "cpp_actor",
              "get_actor_cpp", "actor_ref_arg", "wait", "get_timeout", "cancel", "failure",
              "local_py_task", "local_py_instance", "py_code", "local_py_calls_cpp"]
RAY_INIT = dict(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")


def set_loopback_env() -> None:
    os.environ.update(LOOPBACK_ENV)
    os.environ["RAY_ADDRESS"] = "local"


def require(path: pathlib.Path) -> str:
    if not path.is_file():
        import pytest
        pytest.exit(f"{path} is not built: run bash scripts/test-interop.sh", returncode=2)
    return str(path)


def run_driver(command: List[str], scenario: str, tmp_path: pathlib.Path,
               timeout: float = 300) -> Tuple[int, Dict[str, str], Dict[str, str], str]:
    """Runs a driver command; returns its exit status, {check: "ok" | "FAIL ..."},
    {observation: text} and the whole output."""
    env = dict(os.environ, **LOOPBACK_ENV, RAY_ADDRESS="local", INTEROP_SCENARIO=scenario,
               INTEROP_TMP=str(tmp_path))
    env.pop("GORAY_BIN_PATH", None)
    env.pop("GORAY_PY_MUDULE_PATH", None)
    proc = subprocess.run(command, cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout)
    checks: Dict[str, str] = {}
    observed: Dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("CHECK "):
            _, name, result = (line.split(" ", 2) + [""])[:3]
            checks[name] = result
        elif line.startswith("OBSERVED "):
            _, name, text = (line.split(" ", 2) + [""])[:3]
            observed[name] = text
    sys.stdout.write(proc.stdout[-20000:])
    return proc.returncode, checks, observed, proc.stdout


def assert_checks(checks: Dict[str, str], expected: List[str], output: str) -> None:
    missing = [name for name in expected if name not in checks]
    failed = {name: result for name, result in checks.items() if result != "ok"}
    assert not missing and not failed, f"missing {missing}, failed {failed}\n{output[-5000:]}"


def check_python_to_native_tasks() -> None:
    """Python -> native tasks on Ray, the same for both apps under either driver: values,
    several results, ObjectRefs as arguments (ray.put and a native result), ray.wait,
    ray.cancel and a failure. Call it after the driver's init (Ray imported on loopback)."""
    import goray
    import pytest
    import ray
    square = goray.golang_task("Square")
    assert ray.get(square.remote(2.0)) == 4.0
    assert ray.get(goray.golang_task("Divide").remote(17, 5)) == [3, 2]
    assert ray.get(square.remote(ray.put(3.0))) == 9.0
    assert ray.get(square.remote(square.remote(2.0))) == 16.0
    slow = goray.golang_task("SleepMs").remote(20000)
    fast = goray.golang_task("SleepMs").remote(1)
    ready, pending = ray.wait([slow, fast], num_returns=1, timeout=60)
    assert ready == [fast] and pending == [slow]
    ray.cancel(slow, force=True)
    with pytest.raises(ray.exceptions.RayError):
        ray.get(slow, timeout=60)
    with pytest.raises(ray.exceptions.RayTaskError, match="boom"):
        ray.get(goray.golang_task("Fail").remote("boom"))
