"""Caches the test runs of every clone share, outside the checkout, the way ccache's is:
CI runs in a fresh clone, where a cache under build/ would start empty each time.
GORAY_TEST_CACHE moves them (default: $XDG_CACHE_HOME/goray-tests, else ~/.cache/goray-tests)."""
from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    if os.environ.get("GORAY_TEST_CACHE"):
        return Path(os.environ["GORAY_TEST_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "goray-tests"


def mypy_cache(settings: str) -> Path:
    """mypy's cache for runs of the same settings (mypy drops a cache written under other
    options; it keeps one folder per Python version inside). Safe to share: mypy checks
    each cached module against its source's hash (a module moved to another folder, or
    the same module name with other contents, is checked again), and writes each entry
    whole (a temporary file renamed over it)."""
    return root() / "mypy" / settings
