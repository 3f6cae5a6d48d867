"""Whether a source file needs goray-scan: it uses a GORAY_ marker itself, or one of the
project headers it includes (``#include "..."``, followed transitively) does. A file that
only defines what an included header declares (``int64_t Tasks::Add(...) {...}`` with
``struct GORAY_TASKS Tasks`` in tasks.h) must be scanned, or the header's tasks are lost.

Quoted includes resolve as the compiler's ``-I root`` does: next to the including file,
then in the root. ``<...>`` includes are system or library headers, never followed.
"""

from __future__ import annotations

import os
import re
from typing import Optional, Set

from .app_name import MARKER

__all__ = ["reaches_marker"]

QUOTED_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.MULTILINE)


def _resolve(name: str, directory: str, root: Optional[str]) -> Optional[str]:
    for base in (directory, root):
        if base is None:
            continue
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate):
            return os.path.realpath(candidate)
    return None


def reaches_marker(source: str, root: Optional[str] = None) -> bool:
    """True when ``source`` or a project header it reaches through quoted includes uses a
    marker; an unreadable file counts as marked (the scanner reports it)."""
    pending = [os.path.realpath(source)]
    seen: Set[str] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            with open(path, "rb") as stream:
                text = stream.read()
        except OSError:
            return True
        if MARKER.search(text):
            return True
        directory = os.path.dirname(path)
        for match in QUOTED_INCLUDE.finditer(text):
            name = match.group(1).decode("utf-8", "surrogateescape")
            found = _resolve(name, directory, root)
            if found is not None:
                pending.append(found)
    return False
