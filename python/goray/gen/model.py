"""The view model the templates render: a pure function of the IDL and the output name.

Everything a template needs that is not a plain copy of the IDL is decided once, in one
view model per target (as protoc has one generator per language), so nothing collides
and templates only lay it out:

- ``model_cpp``: the C++ outputs' (NAME.goray.h, NAME.goray.cpp, the units): names,
  which declarations the generated header can see, C++ spellings of types;
- ``model_python``: the stubs' (NAME.py, NAME.pyi, _NAME_types.pyi): names, Python
  types, docstring notes;
- ``model_entries``: the typed entries' module's (NAME.entries.goray.cpp), from the other two;
- ``model_shared``: what both read from the IDL the same way.

This module joins them into the ``Model`` every template gets as ``m`` (``m.cpp``,
``m.py`` and the banner's facts).

Tests: tests/renderers/test_gen_concurrency.py, tests/renderers/test_gen_eigen.py,
tests/renderers/test_gen_naming.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from . import tool_version
from .idl import Idl
from .model_cpp import CppModel, CppUnit, build_cpp_model
from .model_entries import EntriesModel, build_entries_model
from .model_python import PyModel, build_python_model
from .namespace_clash import NamespaceClash, check_cpp_namespace
from .model_shared import HEADER_EXTENSIONS, is_header

# CppUnit and is_header: the pipeline (generate.py) takes them from here.
__all__ = ["build_model", "check_namespace", "NamespaceClash", "Model", "HEADER_EXTENSIONS",
           "CppUnit", "is_header"]


@dataclass
class Model:
    name: str                       # the output stem: NAME.goray.h, NAME.py, ...
    tool: str                       # "goray-gen"
    version: str                    # goray-gen's version
    runtime_major: int
    runtime_minor: int
    idl_version: int
    scanner: str                    # "goray-scan 0.1.0"
    sources: List[str]
    cpp: CppModel
    py: PyModel
    entries: EntriesModel
    has_driver: bool
    init_options_text: Optional[str]
    summary: Dict[str, int] = field(default_factory=dict)
    namespace_chosen: bool = False  # the C++ namespace was given apart from the name


def check_namespace(idl: Idl, model: Model) -> None:
    """Refuses outputs whose generated C++ names would clash with the user's
    (namespace_clash.check_cpp_namespace says which); raises NamespaceClash."""
    check_cpp_namespace(idl, model.name, model.cpp, model.namespace_chosen)


def build_model(idl: Idl, name: str, unscanned: Sequence[str] = (),
                namespace: Optional[str] = None) -> Model:
    """The view model of ``idl`` for outputs named ``name``; ``unscanned``: source files
    (from the root) given but not scanned (no annotations), which get units too;
    ``namespace``: the C++ wrappers' namespace when chosen apart from ``name``
    (naming.cpp_namespace's form)."""
    generator = idl["generator"]
    init = idl["init_options"]
    cpp = build_cpp_model(idl, name, unscanned, namespace)
    py = build_python_model(idl, name)
    return Model(
        name=name, tool=tool_version.TOOL, version=tool_version.VERSION,
        runtime_major=tool_version.RUNTIME_MAJOR, runtime_minor=tool_version.RUNTIME_MINOR,
        idl_version=idl["idl_version"],
        scanner=f"{generator['name']} {generator['version']}",
        sources=list(idl["sources"]), cpp=cpp, py=py,
        entries=build_entries_model(idl, name, cpp, py),
        has_driver=idl["driver"] is not None,
        init_options_text=init["text"] if init else None,
        summary={"tasks": len(idl["tasks"]), "actors": len(idl["actors"]),
                 "structs": len(idl["structs"]), "enums": len(idl["enums"])},
        namespace_chosen=namespace is not None)
