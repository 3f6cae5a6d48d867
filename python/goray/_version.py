"""goray's version, read from the one place it is written: the runtime's
``goray/version.h`` (GORAY_VERSION_MAJOR/MINOR/PATCH and GORAY_PROTOCOL_VERSION).

The header is looked for in the installed package first (a wheel ships it as
``goray/include/goray/version.h``), then in the repository this package sits in
(``runtime/include/goray/version.h``, for the editable install of python/). A package
directory copied on its own has neither: its version is then the installed metadata's.
This module imports nothing of goray's, so python/pyproject.toml can read
``goray._version.__version__`` while the package is being installed.

Tests: tests/python/test_version.py, tests/renderers/test_gen_protocol_numbers.py,
tests/python/test_wheel_config.py, tests/wheel/test_install.py,
tests/aarch64/test_install_aarch64.py
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional

__all__ = ["__version__", "PROTOCOL_VERSION", "header_candidates", "read_header"]

_PACKAGE = Path(__file__).resolve().parent
_NAMES = ("GORAY_VERSION_MAJOR", "GORAY_VERSION_MINOR", "GORAY_VERSION_PATCH",
          "GORAY_PROTOCOL_VERSION")
_DEFINE = re.compile(r"^#define (" + "|".join(_NAMES) + r") +([0-9]+)\s*$", re.MULTILINE)


def header_candidates() -> List[Path]:
    return [_PACKAGE / "include" / "goray" / "version.h",
            # python/goray/_version.py -> the repository is two levels above goray/.
            _PACKAGE.parents[1] / "runtime" / "include" / "goray" / "version.h"]


def read_header(path: Path) -> Dict[str, int]:
    """The numbers version.h defines, by macro name; ValueError if one is missing."""
    found = {name: int(value) for name, value in _DEFINE.findall(path.read_text())}
    missing = [name for name in _NAMES if name not in found]
    if missing:
        raise ValueError(f"{path}: no '#define {missing[0]} <number>' line")
    return found


def _find() -> Optional[Dict[str, int]]:
    for path in header_candidates():
        if path.is_file():
            return read_header(path)
    return None


def _installed_version() -> str:
    # The package directory copied on its own (Ray's py_modules with python/goray): no
    # header beside it. Workers need no version; the installed metadata's, if any.
    try:
        from importlib.metadata import PackageNotFoundError, version
        return version("goray-cpp")
    except (ImportError, PackageNotFoundError):
        return "0.0.0+unknown"


_numbers = _find()
if _numbers is not None:
    __version__ = "{GORAY_VERSION_MAJOR}.{GORAY_VERSION_MINOR}.{GORAY_VERSION_PATCH}".format(
        **_numbers)
else:
    __version__ = _installed_version()
#: The GoRay FFI protocol version of the runtime headers shipped with this package
#: (None when the package was copied without them).
PROTOCOL_VERSION: Optional[int] = None if _numbers is None else _numbers["GORAY_PROTOCOL_VERSION"]
