#!/usr/bin/env python3
"""Runs pytest, and when Ray aborts the pytest process itself, runs the tests it had not
finished in a new one (scripts/run-tests.sh runs every pytest stage through this).

Tests that drive Ray in-process (tests/python, tests/ray) share pytest's process with
Ray's core worker. Ray aborts that process on a failed internal check of its own, as Ray
2.60's task manager did once in test_faults ("task_manager.cc: Check failed: ... Tried to
complete task that was not pending", which a cancel meeting its task's end fails; goray's
cancels now go from Ray's IO thread, where they cannot). One such abort used to end the
whole stage with no report.

Here a pytest that dies of a signal is followed by another that deselects every test the
first one passed or skipped (the test that was running when it died runs again, and so
does each that failed, for its report), up to --resumes times. Each run writes its own
JUnit report and temporary folder (REPORT.resumed-N.xml, BASETEMP-resumed-N). The exit
status is pytest's last one, or 1 when a test failed in a run that died, or when a death
has no evidence that Ray's own check caused it: a line "Check failed" of a Ray source
file in a log that --abort-log (a glob with {pid}, the dead process's id) names. A death
by any other cause, goray's own crashes among them, fails the run, after the rest has run.

    python3 scripts/pytest-resume.py [--python PY] [--abort-log GLOB] [--resumes N] -- ARGS
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

PROGRESS_PLUGIN = Path(__file__).resolve().parent / "pytest_progress.py"
# Ray's RAY_CHECK lines: "[time] [pid] task_manager.cc:1329: Check failed: ..." (the source
# file and line before it); goray writes no such line.
RAY_CHECK = re.compile(r"\w+\.cc:\d+.*Check failed")
# pytest, with the progress plugin: each test's start, failure and end, as they happen.
BOOT = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('goray_pytest_progress', sys.argv[1])\n"
    "plugin = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(plugin)\n"
    "import pytest\n"
    "sys.exit(pytest.main(sys.argv[2:], plugins=[plugin]))\n"
)


def log(message: str) -> None:
    print(f"[goray] pytest-resume: {message}", file=sys.stderr, flush=True)


def with_suffix(arguments: list[str], option: str, suffix) -> list[str]:
    """ARGUMENTS with the value of `--option=VALUE` (or `--option VALUE`) passed through
    suffix(VALUE)."""
    changed, index = [], 0
    while index < len(arguments):
        argument = arguments[index]
        if argument.startswith(option + "="):
            changed.append(option + "=" + suffix(argument[len(option) + 1:]))
        elif argument == option and index + 1 < len(arguments):
            changed += [argument, suffix(arguments[index + 1])]
            index += 1
        else:
            changed.append(argument)
        index += 1
    return changed


def resumed_arguments(arguments: list[str], attempt: int) -> list[str]:
    """The arguments of resume number ATTEMPT: its own JUnit report and temporary folder
    (pytest empties --basetemp at its start, which held the dead run's files)."""
    def report(value: str) -> str:
        path = Path(value)
        return str(path.with_name(f"{path.stem}.resumed-{attempt}{path.suffix}"))
    arguments = with_suffix(arguments, "--junitxml", report)
    return with_suffix(arguments, "--basetemp", lambda value: f"{value}-resumed-{attempt}")


def read_progress(path: Path) -> tuple[list[str], set[str], set[str]]:
    """(tests started in order, tests finished, tests failed) from the plugin's file."""
    started, finished, failed = [], set(), set()
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            kind, _, node_id = line.partition("\t")
            if kind == "start":
                started.append(node_id)
            elif kind == "end":
                finished.add(node_id)
            elif kind == "failed":
                failed.add(node_id)
    return started, finished, failed


def ray_check_lines(pattern: str, pid: int) -> list[str]:
    """Ray's failed-check lines in the logs PATTERN names for process PID."""
    lines = []
    for log_path in sorted(glob.glob(pattern.replace("{pid}", str(pid)), recursive=True)):
        with open(log_path, errors="replace") as log_file:
            lines += [f"{log_path}: {line.rstrip()}" for line in log_file if RAY_CHECK.search(line)]
    return lines


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_once(python: str, arguments: list[str], progress: Path) -> tuple[int, int]:
    """(pytest's exit status, its pid); the status is -N when signal N ended it."""
    progress.unlink(missing_ok=True)
    env = dict(os.environ, GORAY_PYTEST_PROGRESS=str(progress))
    process = subprocess.Popen([python, "-c", BOOT, str(PROGRESS_PLUGIN), *arguments], env=env)
    return process.wait(), process.pid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the Python that runs pytest")
    parser.add_argument("--abort-log", default="",
                        help="glob of the logs of pytest's process ({pid}: its id), where a "
                             "death must show Ray's failed check to count as Ray's")
    parser.add_argument("--resumes", type=int, default=2, help="most new runs (default 2)")
    parser.add_argument("pytest_arguments", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    arguments = options.pytest_arguments
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    unexplained = 0
    passed_before: set[str] = set()  # passed or skipped in a run that died
    failed_before: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="goray-pytest-resume-") as scratch:
        progress = Path(scratch) / "progress"
        run_arguments = arguments
        for attempt in range(options.resumes + 1):
            status, pid = run_once(options.python, run_arguments, progress)
            if status == 5 and attempt > 0:
                status = 0  # every test had ended before the death: none left to run
            if status >= 0:
                break
            started, finished, failed = read_progress(progress)
            running = [node for node in started if node not in finished]
            where = running[-1] if running else "no test (collection or a fixture's end)"
            log(f"pytest (pid {pid}) died of {signal_name(-status)} in {where}")
            checks = ray_check_lines(options.abort_log, pid) if options.abort_log else []
            for line in checks[-5:]:
                log(f"  {line}")
            if checks:
                log("  Ray's own check aborted the process (a Ray defect, not goray's)")
            else:
                unexplained += 1
                log("  no failed check of Ray's in its logs: counted as a failure")
            if failed:
                log(f"  failed before it died (run again for their reports; the run fails): "
                    f"{', '.join(sorted(failed))}")
            failed_before |= failed
            passed_before |= finished - failed
            if attempt == options.resumes or not started:
                status = 1
                log("no more new runs" if started else "it started no test: no new run")
                break
            deselect = Path(scratch) / f"deselect-{attempt + 1}"
            deselect.write_text("".join(f"--deselect\n{node}\n" for node in sorted(passed_before)))
            log(f"running the tests but the {len(passed_before)} that passed or were skipped "
                f"in a new pytest (resume {attempt + 1})")
            run_arguments = resumed_arguments(arguments, attempt + 1) + [f"@{deselect}"]
    return 1 if unexplained or failed_before else status


if __name__ == "__main__":
    sys.exit(main())
