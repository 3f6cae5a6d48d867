"""Running goray-scan, the Clang LibTooling scanner (generator/scanner/), for goray-gen.

Where goray-scan is found, first match wins:
  1. ``--scanner PATH`` (goray_add_app passes the one its package recorded);
  2. $GORAY_SCAN;
  3. the goray package's own, ``<goray package>/bin/goray-scan`` (the goray-cpp wheel);
  4. next to the Python executable (a virtualenv's bin/, where the CMake install
     step puts it);
  5. on $PATH;
  6. the repository's build tree, ``<repo>/build/bin/goray-scan`` (an editable install).

During the scan, ``#include "NAME.goray.h"`` finds an empty stand-in (an ``-iquote``
directory, searched before every ``-I`` one), so sources that include the generated
header scan before it exists and never see a stale one. (The scan skips function
bodies, so the wrappers may be used there.)

Tests: tests/renderers/test_gen_cli.py, tests/python/test_package_layout.py,
tests/aarch64/test_scan_aarch64.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from .._scan_tool import scanner_path

__all__ = ["SCANNER_ENV", "ScanError", "ScanRequest", "find_scanner", "relative_source", "run_scan",
           "sources_root"]

SCANNER_ENV = "GORAY_SCAN"
SCANNER_NAME = "goray-scan"


class ScanError(Exception):
    """The scan failed: ``diagnostics`` is what to show (clang-style lines)."""

    def __init__(self, diagnostics: str, exit_code: int = 1) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics
        self.exit_code = exit_code


@dataclass
class ScanRequest:
    sources: Sequence[str]
    name: str                           # outputs' name: NAME.goray.h gets a stand-in
    root: Optional[str] = None
    goray_include: Optional[str] = None
    build_dir: Optional[str] = None
    clang_args: Sequence[str] = ()
    scanner: Optional[str] = None


def _package_scanner() -> Optional[Path]:
    candidate = scanner_path()  # the one the goray-scan command runs
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def _repo_build_scanner() -> Optional[Path]:
    # python/goray/gen/scanner.py -> the repository root is three levels above goray/.
    repo = Path(__file__).resolve().parents[3]
    candidate = repo / "build" / "bin" / SCANNER_NAME
    return candidate if candidate.is_file() else None


def find_scanner(explicit: Optional[str] = None) -> str:
    """The goray-scan executable to run (see the module's docstring)."""
    if explicit:
        return explicit
    from_env = os.environ.get(SCANNER_ENV)
    if from_env:
        return from_env
    in_package = _package_scanner()
    if in_package is not None:
        return str(in_package)
    beside_python = Path(sys.executable).parent / SCANNER_NAME
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    on_path = shutil.which(SCANNER_NAME)
    if on_path:
        return on_path
    in_repo = _repo_build_scanner()
    if in_repo is not None:
        return str(in_repo)
    raise ScanError(f"goray-gen: error: cannot find {SCANNER_NAME}: set {SCANNER_ENV}, pass "
                    f"--scanner, or install it (cmake --install build --prefix .venv)", 2)


def sources_root(sources: Sequence[str]) -> Path:
    """The deepest directory containing every input (goray-scan's default root)."""
    directories = [str(Path(s).resolve() if Path(s).is_dir() else Path(s).resolve().parent)
                   for s in sources]
    return Path(os.path.commonpath(directories))


def relative_source(source: str, root: str) -> str:
    """A source's path from the root, as the scanner spells it (real paths, ``/``)."""
    return Path(os.path.relpath(os.path.realpath(source), os.path.realpath(root))).as_posix()


def scan_command(request: ScanRequest, output: str, stand_in_dir: str) -> List[str]:
    command = [find_scanner(request.scanner), *request.sources, "-o", output]
    if request.root:
        command += ["--root", request.root]
    if request.goray_include:
        command += ["--goray-include", request.goray_include]
    if request.build_dir:
        command += ["-p", request.build_dir]
    command += ["--", "-iquote", stand_in_dir, *request.clang_args]
    return command


def run_scan(request: ScanRequest) -> str:
    """Scans the sources; returns the IDL's text. Raises ScanError with the scanner's
    diagnostics when the sources are bad (exit code 1) or the command is (2)."""
    with tempfile.TemporaryDirectory(prefix="goray-gen-") as work:
        stand_in_dir = os.path.join(work, "stand-in")
        os.mkdir(stand_in_dir)
        with open(os.path.join(stand_in_dir, f"{request.name}.goray.h"), "w") as stand_in:
            stand_in.write("// goray-gen: an empty stand-in for the generated header during the scan\n"
                           "#pragma once\n")
        output = os.path.join(work, "scan.idl.json")
        command = scan_command(request, output, stand_in_dir)
        try:
            completed = subprocess.run(command, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as error:
            raise ScanError(f"goray-gen: error: cannot run {command[0]}: {error}", 2) from None
        diagnostics = (completed.stdout + completed.stderr).decode("utf-8", "replace")
        if completed.returncode != 0:
            if not diagnostics.strip():
                diagnostics = f"goray-gen: error: {command[0]} failed with exit code " \
                              f"{completed.returncode}\n"
            raise ScanError(diagnostics, 1 if completed.returncode == 1 else 2)
        if diagnostics:  # warnings: members the scanner rules skip
            sys.stderr.write(diagnostics)
        with open(output, encoding="utf-8") as idl:
            return idl.read()
