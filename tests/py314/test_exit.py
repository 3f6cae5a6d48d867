"""CPython 3.14: a native thread that takes the GIL while the interpreter finalizes now
waits for ever (3.13 ended the thread). goray's native threads that call Python keep a
Python thread state between calls (the fast path's thread states); an exit must end
whatever they are doing: a process whose native threads keep calling Python, or hold
their kept thread states, exits at once, and a C++ static destructor that joins such
threads (a user's thread pool) returns."""
from __future__ import annotations

import subprocess

import pytest

from conftest import HERE, PYTHON, library, run

# Far above an exit's few tenths of a second: what fails here is a hang.
EXIT_LIMIT = 60


@pytest.mark.parametrize("keep_calling", [True, False], ids=["calling", "holding-states"])
@pytest.mark.parametrize("joined", [True, False], ids=["joined-at-exit", "detached"])
def test_native_threads_in_python_do_not_hang_the_exit(project, keep_calling, joined):
    command = [PYTHON, HERE / "exit_check.py", library(project, "py314app"), "4",
               str(int(keep_calling)), str(int(joined))]
    try:
        result = run(command, timeout=EXIT_LIMIT, check=False)
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"the process did not exit within {EXIT_LIMIT} s of its end:\n"
                    f"{(timeout.stdout or '')[-2000:]}\n{(timeout.stderr or '')[-4000:]}",
                    pytrace=False)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "exiting after" in result.stdout, result.stdout


def test_a_callback_after_gorays_exit_hook_is_refused_at_once(project):
    command = [PYTHON, HERE / "exit_after_hook.py", library(project, "py314app"), "4"]
    try:
        result = run(command, timeout=EXIT_LIMIT, check=False)
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"the process did not exit within {EXIT_LIMIT} s:\n{(timeout.stdout or '')[-2000:]}",
                    pytrace=False)
    assert result.returncode == 0, result.stderr[-4000:]
    # Each thread's call was refused (exit_threads.cpp counts it as an error): none ran.
    assert "calls after goray's exit hook: 0" in result.stdout, (result.stdout, result.stderr[-2000:])
