"""Caches the test runs of every clone share, outside the checkout, the way ccache's is:
CI runs in a fresh clone, where a cache under build/ would start empty each time.
GORAY_TEST_CACHE moves them (default: $XDG_CACHE_HOME/goray-tests, else ~/.cache/goray-tests)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List


def root() -> Path:
    if os.environ.get("GORAY_TEST_CACHE"):
        return Path(os.environ["GORAY_TEST_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "goray-tests"


def mypy_cache_args(settings: str) -> List[str]:
    """mypy's options for its cache of runs with the same settings (mypy drops a cache
    written under other options; it keeps one folder per Python version inside).

    Safe to share between runs, even two at once from two clones:
    - the cache is mypy's file store (--no-sqlite-cache), which writes each entry whole (a
      temporary file renamed over it), not its SQLite store (mypy 2's default), where a
      second mypy on the same cache can meet a locked database;
    - mypy hashes each cached module's source when its path or time differs, and checks
      the module again when the hash differs too."""
    return ["--cache-dir", str(root() / "mypy" / settings), "--no-sqlite-cache"]
