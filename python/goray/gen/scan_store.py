"""The scan store: goray-scan's IDLs kept by what they were scanned from, shared by every
build tree and project of the user (docs/generator.md, "The scan store").

A scan reads the annotated sources and the project headers they reach (goray's own
included), with the scanner and its arguments. The store's key is a hash of exactly that:
the scanner's contents, the outputs' name, the arguments (with the sources' root, goray's
include directory and the output directory written as placeholders, so that two trees or
two clones of one project agree), and each file's path from its root and its contents.
Another tree, a fresh clone or a test project that scans the same code finds the IDL
there instead of scanning: the IDL names files by their paths from the sources' root, so
it is the same text wherever the tree is.

Not stored: a scan that printed warnings (they would not be shown again), nor one with a
compilation database (``-p``: its flags are not part of the key). The system's and
libraries' headers are not followed, as for goray-gen's body-edit cache (scan_cache.py).

    $GORAY_SCAN_STORE   the store's folder (default: $XDG_CACHE_HOME/goray/scans, or
                        ~/.cache/goray/scans); 0 or off: no store

Tests: tests/renderers/test_gen_scan_store.py
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from .includes import reached_files
from .scanner import ScanError, ScanRequest, find_scanner, relative_source

__all__ = ["STORE_ENV", "ScanStore", "store_folder"]

STORE_ENV = "GORAY_SCAN_STORE"
_VERSION = 1
# The newest entries kept; older ones go when a scan is stored (each is one IDL, a few KiB).
KEPT_ENTRIES = 4000


def store_folder() -> Optional[Path]:
    """The store's folder, or None when $GORAY_SCAN_STORE turns it off."""
    setting = os.environ.get(STORE_ENV, "").strip()
    if setting.lower() in ("0", "off", "no", "false"):
        return None
    if setting:
        return Path(setting)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "goray" / "scans"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _scanner_digest(folder: Path, scanner: str) -> Optional[str]:
    """The scanner executable's content hash, remembered by its path, size and mtime (the
    executable is large: it is hashed once per build of it)."""
    try:
        status = os.stat(scanner)
    except OSError:
        return None
    memo = folder / "scanners.json"
    stamp = f"{os.path.realpath(scanner)}:{status.st_size}:{status.st_mtime_ns}"
    try:
        known: Dict[str, str] = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if stamp in known:
        return known[stamp]
    try:
        with open(scanner, "rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest() \
                if hasattr(hashlib, "file_digest") else _digest(stream.read())
    except OSError:
        return None
    known = dict(list(known.items())[-63:])  # a few builds' scanners
    known[stamp] = digest
    _write_atomically(memo, json.dumps(known, indent=0, sort_keys=True))
    return digest


def _write_atomically(path: Path, text: str) -> None:
    """Writes a whole file or nothing: another process reads either the old or the new."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        pass  # a store that cannot be written only scans again


class ScanStore:
    """The store's entry for one scan request: ``lookup()`` its IDL, or ``save()`` one."""

    def __init__(self, folder: Path, key: str, reached: List[str]) -> None:
        self.folder, self.key, self.reached = folder, key, reached

    @property
    def path(self) -> Path:
        return self.folder / self.key[:2] / f"{self.key}.idl.json"

    @classmethod
    def for_request(cls, request: ScanRequest, unscanned: Sequence[str], root: Path,
                    outdir: str, directories: Sequence[str]) -> Optional["ScanStore"]:
        """The entry of this request, or None where the store is off or cannot key it."""
        folder = store_folder()
        if folder is None or request.build_dir:
            return None
        try:
            scanner = find_scanner(request.scanner)
        except ScanError:
            return None
        scanner_digest = _scanner_digest(folder, scanner)
        if scanner_digest is None:
            return None
        places = _Places(root, request.goray_include, outdir)
        files: List[Tuple[str, str]] = []
        reached: List[str] = []
        for path, contents in reached_files(request.sources, directories):
            if contents is None:
                return None
            reached.append(path)
            files.append((places.name(path), _digest(contents)))
        key = {
            "version": _VERSION, "scanner": scanner_digest, "name": request.name,
            "root": request.root is not None, "unscanned": list(unscanned),
            "sources": [relative_source(source, str(root)) for source in request.sources],
            "arguments": [places.argument(argument) for argument in request.clang_args],
            "goray_include": places.name(request.goray_include) if request.goray_include else None,
            "files": sorted(files),
        }
        return cls(folder, _digest(json.dumps(key, sort_keys=True).encode()), reached)

    def lookup(self) -> Optional[str]:
        """The stored IDL's text, or None."""
        try:
            text = self.path.read_text(encoding="utf-8")
            json.loads(text)
        except (OSError, ValueError):
            return None
        try:
            os.utime(self.path)  # the newest entries are kept
        except OSError:
            pass
        return text

    def save(self, idl_text: str) -> None:
        _write_atomically(self.path, idl_text)
        self._trim()

    def _trim(self) -> None:
        try:
            entries = [entry for entry in self.folder.glob("??/*.idl.json")]
            if len(entries) <= KEPT_ENTRIES:
                return
            entries.sort(key=lambda entry: entry.stat().st_mtime)
            for entry in entries[:len(entries) - KEPT_ENTRIES]:
                entry.unlink()
        except OSError:
            pass


class _Places:
    """Paths written by the place they are in, so that the key is the same wherever the
    tree is: the sources' root, goray's include directory, the output directory."""

    def __init__(self, root: Path, goray_include: Optional[str], outdir: str) -> None:
        bases = [("<root>", str(root))]
        if goray_include:
            bases.append(("<goray>", os.path.realpath(goray_include)))
        bases.append(("<out>", os.path.realpath(outdir)))
        # the longest first: the output directory is often inside the root
        self.bases = sorted(bases, key=lambda base: -len(base[1]))

    def name(self, path: str) -> str:
        real = os.path.realpath(path)
        for label, base in self.bases:
            if real == base or real.startswith(base + os.sep):
                return label + real[len(base):]
        return real

    def argument(self, argument: str) -> str:
        for flag in ("-I", "-iquote", "-isystem", "-idirafter"):
            if argument.startswith(flag) and len(argument) > len(flag) and \
                    os.path.isabs(argument[len(flag):]):
                return flag + self.name(argument[len(flag):])
        return self.name(argument) if os.path.isabs(argument) else argument
