"""``python -m goray --cmake-dir``: the directory to give CMake as goray_DIR. Part of the
runtime package (the CMake package ships the runtime), so it needs no goray-gen.

Looked for, first match wins:
  1. $GORAY_CMAKE_DIR;
  2. ``<goray package>/lib/cmake/goray``: the goray-cpp wheel's own CMake package;
  3. ``<sys.prefix>/lib/cmake/goray``: the package installed into this Python's prefix
     (a virtualenv), by ``cmake --install build --component goray --prefix .venv``;
  4. ``<repo>/build/goray-config``: the build tree's package (an editable install of
     the repository's python/).

Tests: tests/python/test_package_layout.py, tests/renderers/test_gen_cmake.py,
tests/python/test_without_jinja2.py
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional, Sequence

__all__ = ["CMAKE_DIR_ENV", "candidates", "find_cmake_dir", "add_arguments", "main"]

CMAKE_DIR_ENV = "GORAY_CMAKE_DIR"
CONFIG_FILE = "gorayConfig.cmake"


def candidates() -> List[Path]:
    found = []
    from_env = os.environ.get(CMAKE_DIR_ENV)
    if from_env:
        found.append(Path(from_env))
    package = Path(__file__).resolve().parent
    found.append(package / "lib" / "cmake" / "goray")
    found.append(Path(sys.prefix) / "lib" / "cmake" / "goray")
    # python/goray/cmake_dir.py -> the repository is two levels above goray/.
    found.append(package.parents[1] / "build" / "goray-config")
    return found


def find_cmake_dir() -> Optional[Path]:
    """The first candidate holding gorayConfig.cmake, or None."""
    for directory in candidates():
        if (directory / CONFIG_FILE).is_file():
            return directory
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cmake-dir", action="store_true",
                        help="print the directory for CMake's goray_DIR and exit")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m goray")
    add_arguments(parser)
    parser.parse_args(argv)
    directory = find_cmake_dir()
    if directory is None:
        looked = ", ".join(str(path) for path in candidates())
        print(f"goray: error: goray's CMake package is not installed (looked in {looked}): "
              "run cmake --install build --component goray --prefix .venv, or set "
              f"{CMAKE_DIR_ENV}", file=sys.stderr)
        return 1
    print(directory)
    return 0
