"""goray.map's progress bar: tqdm's when it is installed, else one line of its own on the
terminal (items done, items/s, time left). Quiet unless stderr is a terminal, and for a
map that ends within DELAY_SECONDS.

Tests: tests/python/test_map_inputs.py
"""

from __future__ import annotations

import sys
import time
from typing import Any, Optional

__all__ = ["Progress", "DELAY_SECONDS"]

#: A bar appears only once a map has run this long.
DELAY_SECONDS = 1.0


def _on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """`enabled`: True shows it, False never, None on a terminal only."""

    def __init__(self, label: str, total: Optional[int], enabled: Optional[bool]) -> None:
        self._on = _on_terminal() if enabled is None else bool(enabled)
        self._label = label
        self._total = total
        self._done = 0
        self._started = time.monotonic()
        self._last = 0.0
        self._bar: Any = None
        self._drawn = False
        if self._on:
            try:
                from tqdm import tqdm  # type: ignore[import-untyped]
            except ImportError:
                return
            self._bar = tqdm(total=total, desc=label, unit="item", unit_scale=True,
                             delay=DELAY_SECONDS, file=sys.stderr)

    def update(self, items: int) -> None:
        if not self._on:
            return
        self._done += items
        if self._bar is not None:
            self._bar.update(items)
            return
        now = time.monotonic()
        elapsed = now - self._started
        if elapsed < DELAY_SECONDS or now - self._last < 0.2:
            return
        self._last = now
        rate = self._done / elapsed if elapsed > 0 else 0.0
        text = f"\r{self._label}: {self._done:,}"
        if self._total:
            left = (self._total - self._done) / rate if rate > 0 else float("inf")
            text += f"/{self._total:,} items, {rate:,.0f} items/s, ETA {left:.0f} s"
        else:
            text += f" items, {rate:,.0f} items/s"
        sys.stderr.write(text)
        sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._drawn = False
