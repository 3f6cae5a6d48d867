"""Native crash reports in-process (runtime/src/crash_report.cpp, docs/reliability.md
"Native crashes"): a C++ task called in-process, or the C++ driver, dies of each signal
(tests/apps/raytest/crashes.cpp, no Ray started) and stderr names the signal, the task,
the function and its source line; the process still dies of the same signal, Python's
faulthandler (a previous handler) still runs, and GORAY_CRASH_HANDLER=0 turns it off.
Each crash runs in a child Python."""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "apps" / "raytest" / "crashes.cpp"

# kind -> (signal, the function that crashes, its "crash line" marker in crashes.cpp)
KINDS = {
    "segv": (signal.SIGSEGV, "CrashSegv", "segv"),
    "bus": (signal.SIGBUS, "CrashBus", "bus"),
    "fpe": (signal.SIGFPE, "CrashFpe", "fpe"),
    "ill": (signal.SIGILL, "CrashIll", "ill"),
    "abort": (signal.SIGABRT, "CrashAbort", "abort"),
    "terminate": (signal.SIGABRT, "ThrowFromNoexcept", "terminate"),
    "thread": (signal.SIGSEGV, "CrashSegv", "segv"),
}


def crash_line(marker: str) -> int:
    for number, line in enumerate(SOURCE.read_text().splitlines(), start=1):
        if line.rstrip().endswith(f"// crash line: {marker}"):
            return number
    raise AssertionError(f"no '// crash line: {marker}' in {SOURCE}")


@pytest.fixture(scope="module")
def raytest_lib() -> str:
    path = os.environ.get("GORAY_RAYTEST_LIB", str(ROOT / "build" / "tests" / "apps" / "libraytest.so"))
    if not os.path.isfile(path):
        pytest.fail(f"{path} is not built (ninja -C build raytest)", pytrace=False)
    return path


def run_child(code: str, *args: str, env_extra=None, python_flags=()) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GORAY_CRASH_HANDLER", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *python_flags, "-c", code, *args], env=env,
                          capture_output=True, text=True, timeout=120)


IN_PROCESS = "import sys, goray; goray.load_library(sys.argv[1]); goray.golang_local_run_task('CrashTask', sys.argv[2])"
DRIVER = ("import json, sys, goray; from goray._protocol import Py2Native; "
          "lib = goray.load_library(sys.argv[1]); "
          "lib.execute(int(Py2Native.START_DRIVER), json.dumps(['crash', sys.argv[2]]).encode())")


def check_report(stderr: str, kind: str, where: str) -> None:
    signum, function, marker = KINDS[kind]
    name = signal.Signals(signum).name
    assert f"goray: native crash: {name} (" in stderr, stderr
    assert where in stderr, stderr
    assert re.search(r"pid \d+, thread \d+", stderr), stderr
    frames = [line for line in stderr.splitlines() if line.startswith("  #")]
    assert frames, stderr
    # The user's frame first, with its source line (the app is built with -g).
    assert function in frames[0], stderr
    assert f"crashes.cpp:{crash_line(marker)}" in frames[0], stderr


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_signal_in_an_in_process_call_is_reported(raytest_lib, kind):
    result = run_child(IN_PROCESS, raytest_lib, kind)
    assert result.returncode == -KINDS[kind][0], result.stderr
    where = "on a thread running no goray call" if kind == "thread" else "in task CrashTask"
    check_report(result.stderr, kind, where)
    if kind == "terminate":
        assert ("goray: std::terminate: uncaught exception of type std::runtime_error: "
                "raytest: thrown through noexcept") in result.stderr


def test_the_cpp_driver_crashing_is_reported(raytest_lib):
    result = run_child(DRIVER, raytest_lib, "fpe")
    assert result.returncode == -signal.SIGFPE, result.stderr
    check_report(result.stderr, "fpe", "in the driver Driver()")


def test_pythons_faulthandler_still_runs_after_the_report(raytest_lib):
    result = run_child(IN_PROCESS, raytest_lib, "segv", python_flags=("-X", "faulthandler"))
    assert result.returncode == -signal.SIGSEGV, result.stderr
    report = result.stderr.find("goray: native crash: SIGSEGV")
    python = result.stderr.find("Fatal Python error: Segmentation fault")
    assert 0 <= report < python, result.stderr


def test_gorays_handler_can_be_turned_off(raytest_lib):
    result = run_child(IN_PROCESS, raytest_lib, "segv", env_extra={"GORAY_CRASH_HANDLER": "0"})
    assert result.returncode == -signal.SIGSEGV, result.stderr
    assert "goray: native crash" not in result.stderr, result.stderr
