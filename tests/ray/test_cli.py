"""The goray command: exit codes, bad input, Ctrl-C, a failed driver's message. The runs
of the exit code and of Ctrl-C start their own Ray on 127.0.0.1, as the command does by
default; the others join the session's Ray with --cluster (a job of their own): what
they check does not depend on who started Ray, and a Ray start costs each about 7 s of
CPU."""
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import DEFS, library_path

GORAY = [sys.executable, "-m", "goray"]


def run(*args, timeout=180, env=None, **kwargs):
    env = {**(os.environ if env is None else env), "RAY_USAGE_STATS_ENABLED": "0"}
    return subprocess.run([*GORAY, *args], capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


@pytest.fixture
def joined(lib):
    """run() with --cluster, joining the session's Ray (RAY_ADDRESS) as a job of its own."""
    import ray
    address = ray.get_runtime_context().gcs_address

    def run_joined(*args, env=None, **kwargs):
        env = {**(os.environ if env is None else env), "RAY_ADDRESS": address}
        return run("--cluster", *args, env=env, **kwargs)
    return run_joined


# Tier 2: the CLI's own Ray; tier 1's examples stage runs the CLI's driver
@pytest.mark.tier2
def test_exit_code_is_the_drivers_and_args_reach_it():
    result = run("--py-defs", str(DEFS), library_path(), "--", "exit", "3")
    assert result.returncode == 3, result.stderr[-2000:]


def test_bare_file_name_in_the_current_directory(tmp_path, joined):
    os.symlink(library_path(), tmp_path / "libapp.so")
    result = joined("--py-defs", str(DEFS), "libapp.so", "--", "context", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "JOB " in result.stdout


@pytest.mark.parametrize("args, message", [
    (["/no/such/lib.so"], "library '/no/such/lib.so' not found"),
    (["--py-defs", "/no/such/defs.py", "LIB"], "py-defs file '/no/such/defs.py' not found"),
    ([os.devnull], "cannot load goray library"),
    ([], "the following arguments are required: LIBRARY"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    args = [library_path() if arg == "LIB" else arg for arg in args]
    result = run(*args, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(error_lines) == 1, result.stderr


# Tier 2: the CLI's own Ray, interrupted
@pytest.mark.tier2
def test_ctrl_c_shuts_ray_down_and_exits_130():
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    # SIGINT as a terminal gives it: a shell starts background jobs (CI's, say) with SIGINT
    # ignored, which the child would inherit, and Python keeps an ignored SIGINT ignored.
    process = subprocess.Popen([*GORAY, "--py-defs", str(DEFS), library_path(), "--", "sleep", "600"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 120
        line = ""
        while time.time() < deadline and "SLEEPING" not in line:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
        assert "SLEEPING" in line, process.stderr.read()[-2000:]
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=120)
        assert code == 130
        assert "shutting Ray down" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()


# A Python function the C++ driver calls that fails (raytest's "call_py" scenario lets
# the error escape the driver): the message alone, goray's own traceback only with
# GORAY_DEBUG (docs/cli.md); a traceback reaching the user's code stays.

UNKNOWN = ("goray: the driver failed: goray.UnknownNameError: Python function "
           "'no_such_function' not found; known Python functions: ")


def driver_failure(joined, *driver_args, debug=None):
    env = {key: value for key, value in os.environ.items() if key != "GORAY_DEBUG"}
    if debug is not None:
        env["GORAY_DEBUG"] = debug
    result = joined("--py-defs", str(DEFS), library_path(), "--", "call_py", *driver_args, env=env)
    assert result.returncode == 1, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    failed = [at for at, line in enumerate(lines) if line.startswith("goray: the driver failed: ")]
    assert len(failed) == 1, result.stderr[-3000:]
    return lines[failed[0]:]  # (Ray's start-up lines come before)


@pytest.mark.parametrize("where", ["local", "remote"])
def test_an_unknown_python_function_is_one_message(joined, where):
    lines = driver_failure(joined, where)
    assert len(lines) == 1 and lines[0].startswith(UNKNOWN), "\n".join(lines)
    assert lines[0].endswith("py_square, py_text, raytest_map_length, record_graph_time, "
                             "store_sizes (task Driver)")


def test_goray_debug_shows_gorays_tracebacks(joined):
    lines = driver_failure(joined, "remote", debug="1")
    text = "\n".join(lines)
    assert lines[0].startswith(UNKNOWN), text
    assert "Traceback (most recent call last):" in text
    assert re.search(r'File ".*goray/_registry.py", line \d+, in find_function', text), text
    assert "GORAY_DEBUG is set: where the command received it:" in text
    assert re.search(r'File ".*goray/_ray/driver.py", line \d+, in run_driver', text), text
    assert lines[-1] == "goray.errors.NativeError", text


def test_a_traceback_through_the_users_code_is_shown(joined):
    lines = driver_failure(joined, "remote", "py_fail")
    text = "\n".join(lines)
    assert lines[0] == "goray: the driver failed: ValueError: boom (task Driver)", text
    assert re.search(r'File ".*tests/ray/defs.py", line \d+, in py_fail', text), text
    assert lines[-1] == "ValueError: boom", text
