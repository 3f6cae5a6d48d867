"""scripts/soak.sh (docs/reliability.md "Mixed soak on Ray"): its duration argument (Ns,
Nm, Nh, a bare N in seconds) and its refusals, checked with -n, which runs nothing; and
bench/soak_mix.py's report of the kinds of errors, the known defect's kind among them
(imported in a child process: it imports goray's Ray side)."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "soak.sh"


def soak(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *arguments], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("duration, seconds", [
    ("30m", 1800), ("45s", 45), ("2h", 7200), ("90", 90), ("08m", 480)])
def test_durations_in_seconds_minutes_and_hours(duration, seconds):
    result = soak("-n", duration)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(seconds)]


@pytest.mark.parametrize("duration", ["30x", "m", "1.5h", "-5m", "0s", ""])
def test_a_bad_duration_is_a_usage_error_before_any_set_up(duration):
    result = soak("-n", duration)
    assert result.returncode == 2
    assert "usage: bash scripts/soak.sh" in result.stderr or "more than 0" in result.stderr
    assert "set-up" not in result.stderr and result.stdout == ""


def test_no_duration_is_a_usage_error():
    result = soak()
    assert result.returncode == 2 and "usage: bash scripts/soak.sh" in result.stderr


def test_the_soak_counts_a_cancelled_stream_that_ended_normally_as_unexpected():
    # The kind's text is what the lead reads in the report: fixed here.
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('soak_mix', {str(ROOT / 'bench' / 'soak_mix.py')!r})\n"
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
            "print(module.STREAM_ENDED_NORMALLY)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cancelled stream ended normally"
    source = (ROOT / "bench" / "soak_mix.py").read_text()
    assert "self.unexpected_error(STREAM_ENDED_NORMALLY" in source
