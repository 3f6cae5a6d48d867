"""bench/rounds.py: what the Ray benchmarks share (one timed call, interleaved rounds,
the per-round spread), and the benchmarks that time calls use its `timed`, not a copy.

The benchmark scripts import Ray at the top: they are imported in a child process
(the python stage's own process stays without Ray)."""
import importlib.util
import pathlib
import subprocess
import sys

BENCH = pathlib.Path(__file__).resolve().parents[2] / "bench"


def _load_rounds():
    # By path: bench/ on sys.path would shadow modules for the rest of the session.
    spec = importlib.util.spec_from_file_location("bench_rounds", BENCH / "rounds.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rounds = _load_rounds()


def test_timed_returns_the_seconds_of_one_call():
    calls = []
    seconds = rounds.timed(lambda: calls.append(1))
    assert calls == [1]
    assert isinstance(seconds, float) and seconds >= 0.0


def test_interleaved_alternates_which_runs_first():
    order = []
    ours, theirs = rounds.interleaved((lambda: order.append("o") or 1.0,
                                       lambda: order.append("t") or 2.0), 3)
    assert order == ["o", "t", "t", "o", "o", "t"]
    assert ours == [1.0, 1.0, 1.0] and theirs == [2.0, 2.0, 2.0]
    assert rounds.spread([1.0, 2.0], [2.0, 2.0]) == "spread 1.00..2.00"


def test_the_benchmarks_share_timed():
    code = ("import concurrency, remote_calls, rounds\n"
            "assert concurrency.timed is rounds.timed, concurrency.timed\n"
            "assert remote_calls.timed is rounds.timed, remote_calls.timed\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=BENCH, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def test_cpu_meter_counts_this_process_and_its_descendants_apart():
    """A child process spinning 0.3 s of CPU shows in the session's seconds and not in
    this process's; this process spinning shows in both."""
    import time

    import psutil

    meter = rounds.CpuMeter()
    spin = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    before = meter.read()
    # The child spins, then waits on stdin: read while it is alive (an exited child's
    # time goes with it).
    child = subprocess.Popen([sys.executable, "-c", spin + "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            times = psutil.Process(child.pid).cpu_times()
            if times.user + times.system >= 0.3:
                break
            time.sleep(0.05)
        after = meter.read()
    finally:
        child.communicate(b"")
    own, session = after[0] - before[0], after[1] - before[1]
    assert session >= 0.25 + own, (own, session)

    result, own, session = meter.measured(lambda: exec(spin) or "done")
    assert result == "done"
    assert own >= 0.25 and session >= own - 0.02, (own, session)
