"""A pytest plugin of scripts/pytest-resume.py: writes each test's start, failure (of its
set-up, call or tear-down) and end to the file GORAY_PYTEST_PROGRESS names, as they
happen, so that what a process killed mid-run had finished, and how, is known."""
from __future__ import annotations

import os

_progress = None


def _write(kind: str, node_id: str) -> None:
    global _progress
    path = os.environ.get("GORAY_PYTEST_PROGRESS")
    if not path:
        return
    if _progress is None:
        _progress = open(path, "a", buffering=1)  # a line at a time: the process may die
    _progress.write(f"{kind}\t{node_id}\n")


def pytest_runtest_logstart(nodeid, location):
    _write("start", nodeid)


def pytest_runtest_logreport(report):
    if report.failed:
        _write("failed", report.nodeid)


def pytest_runtest_logfinish(nodeid, location):
    _write("end", nodeid)
