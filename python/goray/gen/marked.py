"""Whether a source file needs goray-scan: it uses a GORAY_ marker itself, or one of the
project headers it includes (``#include "..."``, followed transitively) does. A file that
only defines what an included header declares (``int64_t Tasks::Add(...) {...}`` with
``struct GORAY_TASKS Tasks`` in tasks.h) must be scanned, or the header's tasks are lost.

Quoted includes resolve as the compiler's ``-I root`` does: next to the including file,
then in the root. ``<...>`` includes are system or library headers, never followed.

Tests: tests/renderers/test_gen_cli.py
"""

from __future__ import annotations

from typing import Optional

from .app_name import MARKER
from .includes import reached_files

__all__ = ["reaches_marker"]


def reaches_marker(source: str, root: Optional[str] = None) -> bool:
    """True when ``source`` or a project header it reaches through quoted includes uses a
    marker; an unreadable file counts as marked (the scanner reports it)."""
    for _, text in reached_files([source], [root] if root else [], angled=False):
        if text is None or MARKER.search(text):
            return True
    return False
