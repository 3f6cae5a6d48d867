"""The outputs' name when goray-gen is given no ``--name``. The sources say it first: a
source that includes a generated header (``#include "rayapp.goray.h"``) compiles only if
the outputs have that name. Otherwise the stem of the first source file, or for a
directory, of the first annotated source file in it (``src/`` holding ``rayapp.cpp`` ->
``rayapp``), so a layout's folder name never names the application.

Files in a directory are taken as goray-scan takes them (docs/generator.md): the C++
extensions below, recursively, in the order of their paths, skipping names starting with
``.`` and generated ``*.goray.h``/``*.goray.cpp``. "Annotated" means the text uses one of
goray's markers; it is read before the scan, which needs the name.

Tests: tests/renderers/test_gen_default_name.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator, NamedTuple, Optional, Sequence

__all__ = ["DefaultName", "default_name", "MARKER"]

EXTENSIONS = (".h", ".hpp", ".hh", ".cpp", ".cc", ".cxx")
# What makes a source file annotated (the markers of <goray/annotations.h>).
MARKER = re.compile(rb"\bGORAY_(?:TASKS|ACTORS|ACTOR|DRIVER|INIT_OPTIONS)\b")


INCLUDED_OUTPUT = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*["<](?:[^">\n]*/)?'
                             rb'([A-Za-z0-9_][A-Za-z0-9_+-]*)\.goray\.h[">]', re.MULTILINE)


class DefaultName(NamedTuple):
    name: str
    source: str     # the file (or, with no annotated file found, directory) it came from
    why: str        # how the source gave it, for the note


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


def _files(sources: Sequence[str]) -> Iterator[Path]:
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from _source_files(path)
        else:
            yield path


def _included_output(sources: Sequence[str]) -> Optional[DefaultName]:
    for path in _files(sources):
        try:
            found = INCLUDED_OUTPUT.search(path.read_bytes())
        except OSError:
            continue
        if found:
            name = found.group(1).decode()
            return DefaultName(name, str(path), f"{path} includes {name}.goray.h")
    return None


def default_name(sources: Sequence[str]) -> DefaultName:
    """The name for these inputs (see the module's docstring)."""
    included = _included_output(sources)
    if included is not None:
        return included
    first = Path(sources[0])
    if first.is_dir():
        annotated = _first_annotated(first)
        if annotated is not None:
            return DefaultName(_stem(annotated), str(annotated), f"the stem of {annotated}")
    return DefaultName(_stem(first), str(first), f"the stem of {first}")
