"""Following ``#include`` directives through a project's files, as goray-gen needs it twice:
whether a source reaches a marker (marked.py) and which project files a scan depended on
(the scan cache in generate.py). Each file is read once; a directive names a file when it
exists in the including file's directory (quoted includes only) or in one of the given
directories, tried in order. Headers found nowhere (system and library headers, whose
directories are not given) are not followed.

Tests: tests/renderers/test_gen_cli.py
"""

from __future__ import annotations

import os
import re
from typing import Iterable, Iterator, Optional, Sequence, Set, Tuple

__all__ = ["INCLUDE", "reached_files"]

INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include(?:_next)?[ \t]*([<"])([^>"\n]+)[>"]', re.MULTILINE)


def reached_files(sources: Iterable[str], directories: Sequence[str], *, angled: bool = True
                  ) -> Iterator[Tuple[str, Optional[bytes]]]:
    """(real path, contents) of every file the sources reach, sources first; contents is
    None for a file that cannot be read (not followed further). ``angled=False`` follows
    quoted includes only."""
    pending = [os.path.realpath(source) for source in sources][::-1]
    seen: Set[str] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            with open(path, "rb") as stream:
                text: Optional[bytes] = stream.read()
        except OSError:
            text = None
        yield path, text
        if text is None:
            continue
        for match in INCLUDE.finditer(text):
            quoted = match.group(1) == b'"'
            if not quoted and not angled:
                continue
            name = match.group(2).decode("utf-8", "surrogateescape")
            bases = ([os.path.dirname(path)] if quoted else []) + list(directories)
            for base in bases:
                candidate = os.path.join(base, name)
                if os.path.isfile(candidate):
                    pending.append(os.path.realpath(candidate))
                    break
