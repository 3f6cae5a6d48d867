"""Writing goray-gen's outputs so builds stay incremental.

A file whose content is unchanged is not touched (its mtime is kept, so nothing that
depends on it rebuilds); a changed one is replaced atomically (a temporary file in the
same directory, then rename). The depfile and the stamp serve build systems.

Tests: tests/renderers/test_gen_cli.py
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Dict, Iterable, List

__all__ = ["write_if_changed", "write_outputs", "write_depfile", "touch"]


def write_if_changed(path: Path, text: str) -> bool:
    """Writes ``text`` (UTF-8, ``\\n`` line ends) unless the file already holds exactly
    it. Returns True when the file was written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return True


def write_outputs(files: Dict[Path, str]) -> List[Path]:
    """Writes every file (all rendered before the first is written); returns those
    that changed."""
    return [path for path, text in files.items() if write_if_changed(path, text)]


def _escape_make(path: str) -> str:
    return path.replace("\\", "\\\\").replace(" ", "\\ ").replace("#", "\\#").replace("$", "$$")


def write_depfile(path: Path, target: str, dependencies: Iterable[str]) -> bool:
    """A Makefile-syntax depfile: ``target`` depends on ``dependencies``."""
    lines = [_escape_make(target) + ":"]
    lines += [" " + _escape_make(dependency) for dependency in sorted(set(dependencies))]
    return write_if_changed(path, " \\\n".join(lines) + "\n")


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
