"""ray.cancel stops a running C++ stream in a Ray started by a program that ignores
SIGINT, as a background job of a non-interactive shell does (`goray ... &` in a script,
nohup, many CI runners). Every worker of that Ray inherits the ignored SIGINT, and Ray's
interrupt of a running task (`_thread.interrupt_main`) then does nothing: before Ray 2.54
each cancelled stream ran to its end (CI's ray-oldest stage, every run until
2026-11-26). goray puts Python's handler back in its workers (goray/_ray/cancellation/interrupts.py)."""
import signal

import pytest

from conftest import DEFS
from test_startup import run_script

# Tier 2 (bash scripts/run-tests.sh --all): a Ray of its own started with SIGINT ignored
pytestmark = pytest.mark.tier2

SCRIPT = """
import signal
import sys
import time

import ray

import goray

assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN, "not started as a background job"
ray.init(address="local", num_cpus=1, include_dashboard=False, _node_ip_address="127.0.0.1")
goray.init(sys.argv[1], py_defs_path={defs!r}, cluster=True)


@ray.remote
def sigint_handler():
    return "ignored" if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else "python's"


print("BEFORE", ray.get(sigint_handler.remote()))
for round in range(3):
    generator = goray.golang_task("SlowCount").remote(1000, 20)  # 20 s to its end
    assert ray.get(next(generator)) == 0
    started = time.monotonic()
    ray.cancel(generator)
    try:
        for ref in generator:
            ray.get(ref)
    except ray.exceptions.TaskCancelledError:
        pass
    try:
        ray.get(generator._generator_ref, timeout=60)
        outcome = "ran to its end"
    except ray.exceptions.TaskCancelledError:
        outcome = "cancelled"
    print("ROUND", round, outcome, time.monotonic() - started)
ray.shutdown()
"""


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.ray_versions
def test_a_cancelled_stream_stops_in_a_ray_started_with_sigint_ignored(tmp_path):
    output = run_script(tmp_path, SCRIPT.format(defs=str(DEFS)), preexec_fn=_ignore_sigint)
    lines = [line.split() for line in output.splitlines()]
    # The worker inherited the ignored SIGINT (what made Ray's interrupt do nothing) ...
    assert ["BEFORE", "ignored"] in lines, output
    # ... and each cancelled stream's task ended cancelled, long before its 20 s (without
    # goray's handler, on Ray 2.40: "ran to its end", 20.7 s each round; from Ray 2.54 the
    # body reads the worker's cancel flag too, so there this passes either way).
    rounds = [line for line in lines if line[0] == "ROUND"]
    assert len(rounds) == 3, output
    for line in rounds:
        assert line[2] == "cancelled" and float(line[-1]) < 10, output
