"""The long runs: tests marked `long` repeat a path other tests cover in CI, on another
path or at a scale (a fallback path's whole suite again, a soak of thousands of round
trips, a fault injected into a multi-node Serve deployment, a second compiler's sanitizer
build). They are tests like any other, run by `bash scripts/run-tests.sh --long` (before
a release, and after a change to the path they repeat), and left out of CI's run, which
has a 25-minute budget: docs/testing.md, "Long runs", lists them with their reasons.

scripts/run-tests.sh exports GORAY_LONG_TESTS=0 unless --long (or GORAY_LONG_TESTS=1) is
given; a pytest run without it (a test file run by hand) runs every test, the long ones
included."""
from __future__ import annotations

import os
from typing import List

import pytest

MARKER = ("long: a long run, left out of CI's run (GORAY_LONG_TESTS=0); "
          "bash scripts/run-tests.sh --long runs it (docs/testing.md, \"Long runs\")")


def register(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


def wanted() -> bool:
    """Unset: wanted (a pytest run by hand runs every test). Set: wanted unless empty or 0,
    as scripts/run-tests.sh and scripts/test-reliability.sh read it."""
    return os.environ.get("GORAY_LONG_TESTS", "1") not in ("", "0")


def deselect(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Drops the long runs from the session's items unless they are wanted (reported as
    deselected, so pytest's summary counts them)."""
    if wanted():
        return
    long_runs = [item for item in items if item.get_closest_marker("long")]
    if long_runs:
        config.hook.pytest_deselected(items=long_runs)
        items[:] = [item for item in items if not item.get_closest_marker("long")]
