"""The compiled templates, kept between goray-gen runs.

Compiling the six templates takes about 0.5 s of every run, as long as rendering them; a
build runs goray-gen once per application and again after each edit. Jinja2's own
bytecode cache keeps each compiled template under a key of its name and file, checked
against a hash of its source and the Python version, so an edited template or another
Python compiles again. The cache is Jinja2's per-user directory in the system's temp
directory, or $GORAY_GEN_TEMPLATE_CACHE; "off" there compiles every time. A cache that
cannot be made or written costs the time and nothing else.

Tests: tests/renderers/test_gen_template_cache.py
"""

from __future__ import annotations

import os
from typing import Any, Optional

__all__ = ["TEMPLATE_CACHE_ENV", "bytecode_cache"]

TEMPLATE_CACHE_ENV = "GORAY_GEN_TEMPLATE_CACHE"


def bytecode_cache(jinja2: Any) -> Optional[Any]:
    """A jinja2 BytecodeCache for the Environment, or None (no caching)."""
    chosen = os.environ.get(TEMPLATE_CACHE_ENV, "")
    if chosen.lower() == "off":
        return None

    class _Tolerant(jinja2.FileSystemBytecodeCache):  # type: ignore[misc]
        """Unreadable or unwritable entries are compiled instead, never an error."""

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError):
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    try:
        if chosen:
            os.makedirs(chosen, exist_ok=True)
            return _Tolerant(chosen)
        return _Tolerant()  # Jinja2's private per-user directory under the temp directory
    except (OSError, RuntimeError):
        return None
