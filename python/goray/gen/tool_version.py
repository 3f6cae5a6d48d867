"""goray-gen's version and the runtime version its output targets.

Generated C++ checks the runtime at compile time: same major version, a minor
version at least RUNTIME_MINOR (runtime/include/goray/version.h).

Tests: tests/python/test_layers.py
"""

from __future__ import annotations

from .. import __version__

__all__ = ["TOOL", "VERSION", "RUNTIME_MAJOR", "RUNTIME_MINOR"]

TOOL = "goray-gen"
VERSION = __version__
RUNTIME_MAJOR, RUNTIME_MINOR = (int(part) for part in VERSION.split(".")[:2])
