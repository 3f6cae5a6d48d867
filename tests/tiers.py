"""Which tests a run selects (docs/testing.md, "Two tiers"):

- tier 1, the landing run (`bash scripts/run-tests.sh`, what CI runs on every stop): every
  test but those marked `tier2` or `long`;
- tier 2 (`bash scripts/run-tests.sh --all`, on demand): the tests marked `tier2` too;
- the long runs (`--long`, with either): the tests marked `long` too. A long run repeats,
  on another path or at a scale, what another test covers (a soak, a second compiler).

scripts/run-tests.sh exports GORAY_TEST_TIER (1 or 2) and GORAY_LONG_TESTS (0 or 1). A
pytest run by hand, without them, runs every test."""
from __future__ import annotations

import os
from typing import List

import pytest

MARKERS = (
    "tier2: in tier 2 only (bash scripts/run-tests.sh --all), left out of the landing run "
    "(GORAY_TEST_TIER=1; docs/testing.md, \"Two tiers\")",
    "long: a long run, left out unless asked for (GORAY_LONG_TESTS=0); "
    "bash scripts/run-tests.sh --long runs it (docs/testing.md, \"Long runs\")",
)


def tier() -> int:
    """2 unless GORAY_TEST_TIER says 1 (a pytest run by hand runs tier 2)."""
    return 1 if os.environ.get("GORAY_TEST_TIER", "2").strip() == "1" else 2


def long_wanted() -> bool:
    """Unset: wanted (a pytest run by hand runs every test). Set: wanted unless empty or 0,
    as scripts/run-tests.sh and scripts/test-reliability.sh read it."""
    return os.environ.get("GORAY_LONG_TESTS", "1") not in ("", "0")


def register(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


def deselect(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Drops the tests this run leaves out (reported as deselected, so pytest's summary
    counts them)."""
    left_out = set()
    if tier() == 1:
        left_out.add("tier2")
    if not long_wanted():
        left_out.add("long")
    if not left_out:
        return
    kept, dropped = [], []
    for item in items:
        leaves = any(item.get_closest_marker(name) for name in left_out)
        (dropped if leaves else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
