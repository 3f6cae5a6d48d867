"""The outputs' name when goray-gen is given no ``--name``: the stem of the first source
file, or for a directory, of the first annotated source file in it (``src/`` holding
``rayapp.cpp`` -> ``rayapp``), so a layout's folder name never names the application.

Files in a directory are taken as goray-scan takes them (docs/generator.md): the C++
extensions below, recursively, in the order of their paths, skipping names starting with
``.`` and generated ``*.goray.h``/``*.goray.cpp``. "Annotated" means the text uses one of
goray's markers; it is read before the scan, which needs the name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator, NamedTuple, Optional, Sequence

__all__ = ["DefaultName", "default_name"]

EXTENSIONS = (".h", ".hpp", ".hh", ".cpp", ".cc", ".cxx")
MARKER = re.compile(rb"\bGORAY_(?:TASKS|ACTORS|ACTOR|DRIVER|INIT_OPTIONS)\b")


class DefaultName(NamedTuple):
    name: str
    source: str     # the file (or, with no annotated file found, directory) it came from


def _stem(path: Path) -> str:
    base = path.resolve().name if path.name in ("", ".", "..") else path.name
    return base.split(".")[0] or base


def _source_files(directory: Path) -> Iterator[Path]:
    found = []
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            if (name.endswith(EXTENSIONS) and not name.startswith(".") and
                    not name.endswith((".goray.h", ".goray.cpp"))):
                found.append(Path(folder, name))
    yield from sorted(found, key=lambda path: path.relative_to(directory).as_posix())


def _first_annotated(directory: Path) -> Optional[Path]:
    for path in _source_files(directory):
        try:
            if MARKER.search(path.read_bytes()):
                return path
        except OSError:
            continue
    return None


def default_name(sources: Sequence[str]) -> DefaultName:
    """The name for these inputs (see the module's docstring)."""
    first = Path(sources[0])
    if first.is_dir():
        annotated = _first_annotated(first)
        if annotated is not None:
            return DefaultName(_stem(annotated), str(annotated))
    return DefaultName(_stem(first), str(first))
