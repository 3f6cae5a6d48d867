"""Jinja2, goray-gen's one dependency beyond goray: an extra (``pip install 'goray-cpp[gen]'``),
so the goray package that Ray workers import never needs it. Imported only when rendering.

Tests: tests/renderers/test_gen_cli.py
"""

from __future__ import annotations

import sys
from types import ModuleType

__all__ = ["INSTALL_HINT", "MissingJinja2", "load_jinja2"]

INSTALL_HINT = "pip install 'goray-cpp[gen]'"


class MissingJinja2(RuntimeError):
    """goray-gen cannot render: Jinja2 is not importable in this Python."""


def load_jinja2() -> ModuleType:
    try:
        import jinja2
    except ImportError as error:
        raise MissingJinja2(
            f"goray-gen: error: goray-gen renders with Jinja2, which {sys.executable} cannot "
            f"import ({error}): {INSTALL_HINT}") from None
    return jinja2
