"""The ``goray-scan`` command of the wheel: runs the scanner the package ships,
``<goray package>/bin/goray-scan``, with the same arguments (exec, so its exit status
and output are the scanner's own).

Tests: tests/python/test_package_layout.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional, Sequence

__all__ = ["scanner_path", "main"]


def scanner_path() -> Path:
    return Path(__file__).resolve().parent / "bin" / "goray-scan"


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    scanner = scanner_path()
    if not (scanner.is_file() and os.access(scanner, os.X_OK)):
        print(f"goray-scan: error: {scanner} is missing: this goray package has no scanner "
              "(only the goray-cpp wheel ships one; in a checkout it is build/bin/goray-scan)",
              file=sys.stderr)
        return 2
    os.execv(str(scanner), [str(scanner), *arguments])
    return 0  # not reached
