"""Native crash reports in-process (runtime/src/crash/crash_report.cpp, its frames labelled
by crash_backtrace.cpp, docs/reliability.md
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
    # Its last line ends: a shell's "Segmentation fault" starts a line of its own.
    assert result.stderr.endswith(")\n") and result.stderr.count("goray: native crash") == 1
    if kind == "terminate":
        assert ("goray: std::terminate: uncaught exception of type std::runtime_error: "
                "raytest: thrown through noexcept") in result.stderr


def test_frames_are_labelled_by_where_their_code_lives(raytest_lib):
    # The fault is in std::vector::size(), inlined into the user's function: the first
    # frame is the standard library's code, then the user's (no label), and the runtime's
    # frames (relative source paths in an in-tree build) are counted, not shown as the user's.
    result = run_child(IN_PROCESS, raytest_lib, "stl")
    assert result.returncode == -signal.SIGSEGV, result.stderr
    frames = [line for line in result.stderr.splitlines() if line.startswith("  #")]
    assert "std::vector<int" in frames[0] and "stl_vector.h:" in frames[0], result.stderr
    assert frames[0].endswith("  [C++ standard library]"), result.stderr
    assert "CrashInStandardLibrary" in frames[1], result.stderr
    assert frames[1].endswith(f"crashes.cpp:{crash_line('stl')}"), result.stderr  # no label
    assert [frame.split()[1] for frame in frames[2:]] == ["CrashWith", "CrashTask"], result.stderr
    every = run_child(IN_PROCESS, raytest_lib, "stl", env_extra={"GORAY_CRASH_FRAMES": "all"})
    listed = [line for line in every.stderr.splitlines() if line.startswith("  #")]
    runtime = [line for line in listed if "/runtime/src/" in line or "/include/goray/" in line]
    assert runtime and all(line.endswith("  [goray runtime]") for line in runtime), every.stderr
    assert any(line.endswith("  [outside the application]") for line in listed), every.stderr


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


# ---------------------------------------------------------------------------
# goray.NativeCrash and the report's attachment to Ray's errors (no Ray started).

REPORT = """
goray: native crash: SIGBUS (bus error) at address 0x7f00
goray: in method Crasher.Crash, pid 12, thread 13
goray: native backtrace, most recent call first:
  #0  CrashBus at /src/crashes.cpp:52
  #1  CrashWith at /src/crashes.cpp:66
  (40 more frames of the goray runtime, Python or libc not shown; GORAY_CRASH_FRAMES=all lists every frame)
"""


def test_native_crash_reads_the_signal_and_frames_of_its_report():
    import pickle

    import goray
    error = goray.NativeCrash(REPORT, "ab12")
    assert (error.signal, error.task_id) == ("SIGBUS", "ab12")
    assert error.frames == ["#0  CrashBus at /src/crashes.cpp:52", "#1  CrashWith at /src/crashes.cpp:66"]
    assert str(error) == REPORT.strip("\n")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.report, copy.task_id, str(copy)) == (error.report, "ab12", str(error))


def test_rays_errors_get_the_report_their_task_left(tmp_path, monkeypatch):
    import pickle

    import ray.exceptions

    import goray
    from goray._ray.worker import crashes
    monkeypatch.setattr(crashes, "_dir", str(tmp_path))
    (tmp_path / "ab12.txt").write_text(REPORT)
    plain = ray.exceptions.WorkerCrashedError()
    crash = crashes.attach(plain, "ab12")
    assert isinstance(crash, goray.NativeCrash) and isinstance(crash, ray.exceptions.WorkerCrashedError)
    assert str(crash) == f"{plain}\n\n{REPORT.strip()}"
    assert crash.signal == "SIGBUS"
    copy = pickle.loads(pickle.dumps(crash))  # Ray ships errors between processes
    assert type(copy) is type(crash) and str(copy) == str(crash)
    died = crashes.attach(ray.exceptions.ActorDiedError(), "ab12")
    assert isinstance(died, crashes.NativeActorCrash) and isinstance(died, ray.exceptions.ActorDiedError)
    # No report for the task, or not a crash: the error as it was.
    assert crashes.attach(plain, "cd34") is plain
    other = ray.exceptions.GetTimeoutError()
    assert crashes.attach(other, "ab12") is other


def test_a_goray_error_through_ray_reads_with_its_own_text_first():
    import pickle

    import ray.exceptions

    import goray
    from goray._ray.worker import task_errors
    cause = goray.NativeError("Scorer.Divide", "std::domain_error", "division by zero")
    raw = ray.exceptions.RayTaskError(
        "ServeReplica:m:Scorer.handle_request_with_rejection",
        "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n"
        "goray.errors.NativeError: std::domain_error: division by zero (task Scorer.Divide)",
        cause, proctitle="ray::ServeReplica:m:Scorer.handle_request_with_rejection", pid=42,
        ip="127.0.0.1")
    ray_text = str(raw)
    led = task_errors.lead_with_cause(raw)
    assert str(led) == f"std::domain_error: division by zero (task Scorer.Divide)\n\n{ray_text}"
    raised = led.as_instanceof_cause()  # what ray.get and Serve's handles raise
    assert isinstance(raised, goray.NativeError) and isinstance(raised, ray.exceptions.RayTaskError)
    assert str(raised).startswith("std::domain_error: division by zero (task Scorer.Divide)\n\n")
    assert (raised.type, raised.message) == ("std::domain_error", "division by zero")
    assert str(pickle.loads(pickle.dumps(led))) == str(led)  # Ray ships errors on
    # Another cause, or a crash (its report is attached instead): Ray's error as it was.
    other = ray.exceptions.RayTaskError("f", "Traceback\nValueError: no", ValueError("no"))
    assert task_errors.lead_with_cause(other) is other and type(other) is ray.exceptions.RayTaskError
    crash = ray.exceptions.RayTaskError("f", "Traceback", goray.NativeCrash(REPORT))
    assert type(task_errors.lead_with_cause(crash)) is ray.exceptions.RayTaskError


def test_a_crash_under_another_error_makes_rays_error_a_native_crash_too():
    # Ray Data raises its UserCodeException from the UDF's NativeCrash: Ray's error keeps
    # that one as its cause, the crash as text. The caller's side makes the cause a
    # NativeCrash too (with the report the task filed), still a UserCodeException.
    import pickle

    import ray.exceptions

    import goray
    from goray._ray.worker import crashes
    wrapped = ray.exceptions.UserCodeException("UDF failed to process a data block.")
    text = ("Traceback (most recent call last):\n  File \"udf.py\", line 3, in f\n"
            f"goray.errors.NativeCrash: {REPORT.strip()}\n\nThe above exception was the direct "
            "cause of the following exception:\n\nTraceback (most recent call last):\n"
            "ray.exceptions.UserCodeException: UDF failed to process a data block.")
    raw = ray.exceptions.RayTaskError("MapBatches", text, wrapped)
    made = crashes._crash_cause(raw, "ab12")  # (what the wrapped deserializer does)
    raised = made.as_instanceof_cause()  # what ray.get raises
    assert isinstance(raised, goray.NativeCrash) and isinstance(raised, ray.exceptions.UserCodeException)
    assert isinstance(raised, ray.exceptions.RayTaskError)
    assert (raised.signal, raised.task_id, raised.frames[0]) == ("SIGBUS", "ab12", "#0  CrashBus at /src/crashes.cpp:52")
    cause = pickle.loads(pickle.dumps(made.cause))
    assert isinstance(cause, goray.NativeCrash) and isinstance(cause, ray.exceptions.UserCodeException)
    assert cause.report == REPORT.strip("\n") and str(cause) == REPORT.strip("\n")
    # A task error that shows no crash: as it was.
    other = ray.exceptions.RayTaskError("f", "Traceback\nValueError: no", wrapped)
    assert crashes._crash_cause(other, "ab12") is other and other.cause is wrapped


def test_a_crash_ends_a_worker_now_in_gorays_bodies_and_soon_elsewhere(monkeypatch):
    # In goray's own task and actor bodies the worker dies as the signal would have killed
    # it (Ray retries): under any other task the call raises the crash and the process ends
    # a moment later.
    import goray
    from goray._ray.worker import crashes
    done = []
    monkeypatch.setattr(crashes, "file_report", lambda report: done.append("filed"))
    monkeypatch.setattr(crashes, "file_report_and_exit", lambda crash: done.append("exit now"))
    monkeypatch.setattr(crashes, "_end_soon", lambda signal: done.append(f"exit soon {signal}"))
    # (No Ray runs here: ray.get_runtime_context() would start one in this process, where
    # the stand-in exit above returns and the tests after this one expect no Ray.)
    monkeypatch.setattr(crashes, "_running_task_id", lambda: "t0")
    monkeypatch.setattr(crashes, "_crashed_task", "")
    crash = goray.NativeCrash(REPORT)
    body = {"__name__": "goray._ray.worker.bodies", "crashes": crashes, "crash": crash}
    exec("def run_body():\n    crashes.on_crash(crash)\n", body)
    body["run_body"]()
    assert done[0] == "exit now"
    done.clear()
    monkeypatch.setattr(crashes, "_crashed_task", "")
    monkeypatch.setattr(crashes, "_running_task_id", lambda: "t1")
    crashes.on_crash(crash)
    assert done == ["filed", "exit soon SIGBUS"]
    # A later call of the same task, not run (the runtime runs nothing after a crash):
    # the same; one of another task, which reached the ending process meanwhile: it ends
    # now, so that Ray runs that task elsewhere.
    refused = goray.NativeCrash("goray: not run: this process is ending after an earlier "
                                "native crash:\n" + REPORT.strip())
    done.clear()
    crashes.on_crash(refused)
    assert done == ["filed", "exit soon SIGBUS"]
    monkeypatch.setattr(crashes, "_running_task_id", lambda: "t2")
    monkeypatch.setattr(crashes, "_exit_as", lambda signal: done.append(f"exit now {signal}"))
    done.clear()
    crashes.on_crash(refused)
    assert done[0] == "exit now SIGBUS"


# ---- Recovery (GorayRecoverCrashes, docs/protocol.md §14): what a Serve replica uses ----

RECOVER = """
import sys, goray
lib = goray.load_library(sys.argv[1])
assert lib.recover_crashes()
try:
    goray.golang_local_run_task("CrashTask", "none")  # a C++ exception: as ever
except goray.NativeError as error:
    print("exception", error.type, flush=True)
for kind in sys.argv[2:]:
    try:
        goray.golang_local_run_task("CrashTask", kind)
    except goray.NativeCrash as crash:
        print("recovered", crash.signal, crash.frames[0].split()[1], flush=True)
        print("where", crash.report.splitlines()[1], flush=True)
if "later" in sys.argv:
    import time
    time.sleep(3)
print("alive", flush=True)
"""


@pytest.mark.parametrize("kind", ["segv", "abort", "terminate", "fpe"])
def test_a_recovered_crash_raises_native_crash_from_its_call_and_the_process_goes_on(
        raytest_lib, kind):
    result = run_child(RECOVER, raytest_lib, kind)
    assert result.returncode == 0, result.stderr
    signum, function, _ = KINDS[kind]
    lines = result.stdout.splitlines()
    assert lines[0] == "exception std::invalid_argument", result.stdout
    assert lines[-3] == f"recovered {signal.Signals(signum).name} {function}", result.stdout
    assert lines[-2] == "where goray: in task CrashTask, pid " + lines[-2].split(" pid ")[1]
    assert lines[-1] == "alive"
    check_report(result.stderr, kind, "in task CrashTask")  # stderr has the report as ever


REFUSED = """
import sys, goray
lib = goray.load_library(sys.argv[1])
assert lib.recover_crashes()
reports = []
for kind in ("segv", "abort", "none"):
    try:
        goray.golang_local_run_task("CrashTask", kind)
    except goray.NativeCrash as crash:
        reports.append(crash.report)
        print(crash.signal, crash.frames[0].split()[1], crash.report.splitlines()[0], flush=True)
print("same report" if reports[1].endswith(reports[0]) and reports[2] == reports[1] else reports)
"""


def test_after_a_recovered_crash_no_call_runs_each_answers_with_that_crash(raytest_lib):
    # The process is ending (its state may be broken): a later call does not run (CrashTask
    # would abort, or throw), it raises the same crash, after a line saying so.
    result = run_child(REFUSED, raytest_lib)
    assert result.returncode == 0, result.stdout + result.stderr
    refused = "SIGSEGV CrashSegv goray: not run: this process is ending after an earlier native crash:"
    assert result.stdout.splitlines() == [
        "SIGSEGV CrashSegv goray: native crash: SIGSEGV (segmentation fault) at address 0x0",
        refused, refused, "same report"], result.stdout + result.stderr


def test_only_the_first_crash_is_recovered_and_a_second_ends_the_process(raytest_lib):
    # A thread of the user's crashes after the first crash was recovered: no call runs to
    # answer for it, and only one crash is recovered anyway.
    result = run_child(RECOVER, raytest_lib, "later", "segv")
    assert result.returncode == -signal.SIGSEGV, result.stdout + result.stderr
    assert "recovered SIGSEGV CrashSegv" in result.stdout
    assert "alive" not in result.stdout


def test_a_crash_on_a_users_thread_is_handed_to_the_call_running(raytest_lib):
    # CrashTask("thread") waits for a thread it started, which crashes: the call, the one
    # place a caller waits for, raises the crash (its report says where it happened).
    result = run_child(RECOVER, raytest_lib, "thread")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "recovered SIGSEGV CrashSegv" in result.stdout, result.stdout + result.stderr
    assert "where goray: on a thread running no goray call" in result.stdout, result.stdout
    assert result.stdout.splitlines()[-1] == "alive"


def test_a_crash_on_a_thread_outside_any_call_is_not_recovered(raytest_lib):
    # The thread crashes after its call returned, with no call running: no one to answer.
    result = run_child(RECOVER, raytest_lib, "later")
    assert result.returncode == -signal.SIGSEGV, result.stdout + result.stderr
    assert "recovered" not in result.stdout
    assert "alive" not in result.stdout
    assert "on a thread running no goray call" in result.stderr
