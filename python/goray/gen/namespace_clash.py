"""The generated C++ namespace against the user's declarations.

The wrappers live in one namespace: the outputs' name by default (``--name``, goray_add_app's
NAME, which also names the Python module), or one chosen apart from it (``--namespace``,
NAMESPACE). A team's target is often named like its own namespace, so the default can
meet the user's declarations: the error names the option that keeps the module's name
and gives the wrappers a namespace of their own.

Tests: tests/renderers/test_gen_corpus.py
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Set, Tuple

from .idl import Idl
from .model_cpp import CppModel, generated_names
from .model_shared import type_name

__all__ = ["NamespaceClash", "check_cpp_namespace"]


class NamespaceClash(ValueError):
    """The user's code declares something in (or as) the generated namespace."""


def _declarations(idl: Idl) -> Iterable[Tuple[str, str, Mapping[str, Any]]]:
    """(what, qualified name, declaration) of every declaration the IDL names."""
    for struct in idl["structs"]:
        yield "struct", struct["name"], struct
    for enum in idl["enums"]:
        yield "enum", enum["name"], enum
    for task in idl["tasks"]:
        yield "GORAY_TASKS struct", task["owner"], task
    for actor in idl["actors"]:
        yield "class", actor["class"], actor
        construction = actor["construction"]
        if construction["kind"] == "factory":
            yield "GORAY_ACTORS struct", construction["owner"], actor
    if idl["driver"]:
        yield "driver", idl["driver"]["name"], idl["driver"]


class _Clash:
    """One user declaration in the way of namespace ``namespace``."""

    def __init__(self, what: str, qualified: str, declaration: Mapping[str, Any],
                 namespace: str, generated: Mapping[str, str]) -> None:
        self.declaration = declaration
        components = type_name(qualified).split("::")
        parts = namespace.split("::")
        self.depth = len(components)
        # Declared in the namespace (a user namespace the wrappers join), under a name the
        # header declares there; else named as the namespace or one enclosing it.
        self.member = len(components) > len(parts)
        if self.member:
            self.text = (f"{what} {type_name(qualified)} is declared in namespace {namespace}, "
                         f"where the generated header declares "
                         f"{namespace}::{components[len(parts)]}, "
                         f"{generated[components[len(parts)]]}")
        elif len(components) == len(parts):
            self.text = (f"{what} {type_name(qualified)} is declared, which is also the "
                         f"namespace of the generated C++ wrappers")
        else:
            self.text = (f"{what} {type_name(qualified)} is declared, which is also the name "
                         f"of a namespace enclosing the generated C++ wrappers ({namespace})")

    def where(self) -> str:
        location = self.declaration.get("location")
        return f"{location['file']}:{location['line']}:{location['column']}: " if location else ""


def _clashes(idl: Idl, namespace: str, generated: Mapping[str, str]) -> List[_Clash]:
    parts = namespace.split("::")
    found: List[_Clash] = []
    seen: Set[str] = set()
    for what, qualified, declaration in _declarations(idl):
        components = type_name(qualified).split("::")
        if qualified in seen:
            continue
        encloses = components == parts[:len(components)]
        inside = (len(components) > len(parts) and components[:len(parts)] == parts and
                  components[len(parts)] in generated)
        if encloses or inside:
            seen.add(qualified)
            found.append(_Clash(what, qualified, declaration, namespace, generated))
    return found


def _free_namespace(idl: Idl, namespace: str, generated: Mapping[str, str],
                    clashes: List[_Clash]) -> str:
    """A namespace close to ``namespace`` that clashes with nothing: nested in it when
    the wrappers met names of the user's namespace of that name, else beside the
    outermost declaration named as (an enclosing part of) it."""
    if all(clash.member for clash in clashes):
        candidate = f"{namespace}::gen"
    else:
        parts = namespace.split("::")
        depth = min(clash.depth for clash in clashes if not clash.member)
        candidate = "::".join(parts[:depth - 1] + [parts[depth - 1] + "_gen"])
    for _ in range(100):  # each "_" is a name no declaration had yet
        if not _clashes(idl, candidate, generated):
            break
        candidate += "_"
    return candidate


def check_cpp_namespace(idl: Idl, name: str, cpp: CppModel, chosen: bool = False) -> None:
    """Refuses outputs whose generated names would clash with the user's: a class,
    enum or function named as the wrappers' namespace or one enclosing it (``namespace
    NAME`` cannot be declared beside it), or a declaration ``NAME::X`` where the header
    declares ``X`` itself (a wrapper ``NAME::Corpus()`` would hide the class
    ``NAME::Corpus``). A user namespace NAME holding other names is fine: the wrappers
    join it. ``name``: the outputs' name; ``chosen``: the namespace was given
    (--namespace) rather than taken from ``name``. Raises NamespaceClash."""
    namespace = cpp.namespace
    generated: Dict[str, str] = generated_names(cpp)
    clashes = _clashes(idl, namespace, generated)
    if not clashes:
        return
    suggestion = _free_namespace(idl, namespace, generated, clashes)
    if chosen:
        origin = f"the namespace chosen by --namespace {namespace}"
        fix = (f"Choose another (goray-gen --namespace {suggestion}, or "
               f"goray_add_app(<target> NAMESPACE {suggestion} ...))")
    else:
        origin = f"outputs named '{name}', whose C++ namespace is {namespace} too"
        fix = (f"Give the wrappers a namespace of their own and keep the Python module "
               f"'{name}' (goray-gen --namespace {suggestion}, or "
               f"goray_add_app(<target> NAMESPACE {suggestion} ...))")
    errors = [f"{clash.where()}error: {clash.text} ({origin}): the two would clash. {fix}, or "
              f"rename {'your declaration' if clash.member else 'it'}" for clash in clashes]
    raise NamespaceClash("\n".join(errors))
