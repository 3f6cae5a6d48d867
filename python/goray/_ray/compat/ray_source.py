"""How Ray's own Python layer calls its core worker, read from Ray's source.

goray's internal paths call Ray's core worker (a Cython class whose methods carry no
signature before Ray 2.46) with the arguments Ray's own code passes. Which arguments, in
which order, changes between releases (submit_task took 15 arguments in 2.40 and 18 in
2.60); rather than a table keyed by version strings, goray reads Ray's own call from the
installed Ray's source (its abstract syntax tree), and maps each argument expression to
one it knows how to work out. An expression it does not know means that Ray does something
goray has not mirrored: that internal path is then off and the public API takes over.

Tests: tests/python/test_ray_releases.py
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from typing import Any, Dict, Iterator, List, Optional, Tuple

__all__ = ["call_arguments", "calls_named", "methods_called_like", "parameters", "argument_keys"]


@functools.lru_cache(maxsize=None)
def _tree(function: Any) -> Optional[ast.AST]:
    """The syntax tree of `function`'s source (through its decorators), or None when
    Ray was installed without its .py files."""
    try:
        source = inspect.getsource(inspect.unwrap(function))
    except (OSError, TypeError):
        return None
    try:
        return ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None


def calls_named(function: Any, method: str) -> Iterator[ast.Call]:
    """The calls of a method named `method` (``anything.method(...)``) in `function`."""
    return (call for call, name in _method_calls(function) if name == method)


def methods_called_like(function: Any, part: str) -> List[str]:
    """The names of the methods `function` calls whose name holds `part`."""
    return [name for _call, name in _method_calls(function) if part in name]


def _method_calls(function: Any) -> Iterator[Tuple[ast.Call, str]]:
    tree = _tree(function)
    if tree is None:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node, node.func.attr


def call_arguments(function: Any, method: str) -> Optional[Tuple[str, ...]]:
    """The argument expressions (as source text) of `function`'s one call of `method`;
    None when it has none, several, or passes arguments by keyword or by ``*``."""
    found = list(calls_named(function, method))
    if len(found) != 1:
        return None
    call = found[0]
    if call.keywords or any(isinstance(argument, ast.Starred) for argument in call.args):
        return None
    return tuple(ast.unparse(argument) for argument in call.args)


def argument_keys(expressions: Optional[Tuple[str, ...]],
                  known: Dict[str, str]) -> Optional[Tuple[str, ...]]:
    """Each of Ray's argument expressions as the key goray knows it by (`known`), in
    Ray's order; None when one is not known (or there are none)."""
    if expressions is None:
        return None
    keys = tuple(known.get(expression, "") for expression in expressions)
    return None if "" in keys else keys


def parameters(function: Any) -> Tuple[str, ...]:
    """The parameter names of a Python function of Ray's (empty when unreadable)."""
    try:
        return tuple(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return ()
