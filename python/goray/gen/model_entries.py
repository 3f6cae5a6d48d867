"""The view model of the typed entries' module, NAME.entries.goray.cpp (docs/protocol.md §17):
one CPython function per task, one type per actor type with a method per method, each
calling the library's typed entry of the same C++ signature
(runtime/include/goray/python/entries.h does the work; this says which, with which
types and names).

Built from the C++ model (the types as generated code spells them, which signatures the
generated header can name), the Python model (the names the stubs give, the defaults
Python shows) and the IDL (each parameter's C++ name and constant default: keyword
arguments are resolved in C++). A type the header cannot name is spelled
::goray::python::Unnamed: such arguments and results (a generator's items) cross packed.

`signatures` is the fingerprint of every entry's C++ signature: the registration
(goray.cpp.j2) gives the library the same text, so the module binds a library built from
the same IDL once, by that text, never form by form.

Tests: tests/renderers/test_gen_typed_entries.py
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .idl import Idl
from .model_cpp import CppCallable, CppModel
from .model_python import PyModel, PyParam
from .naming import cpp_string_literal

__all__ = ["EntriesModel", "EntryCallable", "EntryActor", "build_entries_model"]


@dataclass
class EntryCallable:
    cpp_name: str          # the wire name: "Square", "Incr", an actor type's for its constructor
    attr: str              # its Python name (the stubs')
    spec: str              # the static object the entry's template names: "kTask_0"
    spec_type: str         # its type: "::goray::python::Task<double, double>"
    doc: str               # the docstring, its first line the text signature
    callee: str            # as errors name it: "Square", "Counter.Incr", "Counter"
    keeps_gil: bool = False  # GORAY_KEEP_GIL
    params: List[str] = field(default_factory=list)  # C++ initializers of its gp::Param table


@dataclass
class EntryActor:
    name: str
    attr: str
    constructor: EntryCallable
    methods: List[EntryCallable]
    doc: str
    specs: str             # the name of its method table


@dataclass
class EntriesModel:
    module: str                          # "_rayapp_entries"
    header: str                          # the generated header it includes
    tasks: List[EntryCallable]
    actors: List[EntryActor]
    structs: List[Any] = field(default_factory=list)  # model_cpp.CppStruct, header-visible
    enums: List[Any] = field(default_factory=list)    # model_cpp.CppEnum, header-visible
    doc: str = ""
    signatures: str = ""   # the fingerprint of every entry's signature (the library's too)


def _param(param: Mapping[str, Any]) -> str:
    """One parameter's gp::Param: its C++ name (what a keyword names) and its default."""
    name = cpp_string_literal(param["name"])
    if not param.get("has_default"):
        return f"gp::Param::Required({name})"
    if "default" not in param:
        return f"gp::Param::Cpp({name})"
    value = param["default"]
    if isinstance(value, bool):
        return f"gp::Param::Bool({name}, {'true' if value else 'false'})"
    if isinstance(value, int):
        if value > 2**63 - 1:
            return f"gp::Param::Uint({name}, {value}ULL)"
        literal = "(-9223372036854775807LL - 1)" if value == -2**63 else f"{value}LL"
        return f"gp::Param::Int({name}, {literal})"
    if isinstance(value, float):
        return f"gp::Param::Float({name}, {value!r})"
    return f"gp::Param::Str({name}, {cpp_string_literal(value)})"


def _params(params: Sequence[Mapping[str, Any]]) -> List[str]:
    return [_param(param) for param in params]


def module_name(name: str) -> str:
    """The typed entries' module of outputs named ``name`` (goray._entries.module_name's)."""
    return "_" + "".join(c if c.isalnum() or c == "_" else "_" for c in name) + "_entries"


def _text_signature(name: str, first: Optional[str], params: List[PyParam]) -> str:
    """inspect.signature's text: ``Square($module, /, x, y=2.0)``; a type's without the
    first parameter: ``Counter(n)``."""
    parts = [first, "/"] if first else []
    for param in params:
        parts.append(f"{param.name}={param.default}" if param.optional else param.name)
    return f"{name}({', '.join(parts)})"


def _doc(signature: str, text: str) -> str:
    return f"{signature}\n--\n\n{text}" if text else f"{signature}\n--\n\n"


def _keeps_gil(declaration: Mapping[str, Any]) -> bool:
    return bool(declaration.get("keeps_gil", False))


def _spec_type(kind: str, callable_: CppCallable, keeps_gil: bool) -> str:
    """The entry's C++ type; GORAY_KEEP_GIL is the object's, not the type's."""
    params = list(callable_.entry_params)
    if kind == "Constructor":
        return "::goray::python::Constructor<" + ", ".join(params) + ">"
    result = callable_.entry_result or "void"
    return f"::goray::python::{kind}<" + ", ".join([result] + params) + ">"


def build_entries_model(idl: Idl, name: str, cpp: CppModel, py: PyModel) -> EntriesModel:
    tasks = []
    py_tasks = {task.name: task for task in py.tasks}
    for index, (declaration, task) in enumerate(zip(idl["tasks"], cpp.tasks)):
        stub = py_tasks[task.name]
        keeps_gil = _keeps_gil(declaration)
        tasks.append(EntryCallable(
            cpp_name=task.name, attr=stub.attr, spec=f"kTask_{index}",
            spec_type=_spec_type("Task", task, keeps_gil),
            doc=_doc(_text_signature(stub.attr, "$module", stub.params), stub.doc),
            callee=task.name, keeps_gil=keeps_gil, params=_params(declaration["params"])))
    actors = []
    py_actors = {actor.name: actor for actor in py.actors}
    for index, (declaration, actor) in enumerate(zip(idl["actors"], cpp.actors)):
        stub = py_actors[actor.name]
        constructor = EntryCallable(
            cpp_name=actor.name, attr=stub.attr, spec=f"kActor_{index}_new",
            spec_type=_spec_type("Constructor", actor.construction, False),
            doc=_doc(_text_signature(stub.attr, None, stub.params),
                     stub.doc or f"A {actor.name} actor in this process (a goray.LocalActor)."),
            callee=actor.name, params=_params(declaration["params"]))
        methods = []
        py_methods = {method.name: method for method in stub.methods}
        for method_index, (method_declaration, method) in enumerate(
                zip(declaration["methods"], actor.methods)):
            py_method = py_methods[method.name]
            if py_method.local_attr is None:
                continue  # reached through call("name") (the stub leaves it out as well)
            keeps_gil = _keeps_gil(method_declaration)
            methods.append(EntryCallable(
                cpp_name=method.name, attr=py_method.local_attr,
                spec=f"kActor_{index}_{method_index}",
                spec_type=_spec_type("Method", method, keeps_gil),
                doc=_doc(_text_signature(py_method.local_attr, "$self", py_method.params),
                         py_method.doc),
                callee=f"{actor.name}.{method.name}", keeps_gil=keeps_gil,
                params=_params(method_declaration["params"])))
        actors.append(EntryActor(name=actor.name, attr=stub.attr, constructor=constructor,
                                 methods=methods, doc=constructor.doc,
                                 specs=f"kActor_{index}_methods"))
    return EntriesModel(module=module_name(name), header=cpp.header_file,
                        tasks=tasks, actors=actors, structs=list(cpp.header_structs),
                        enums=list(cpp.header_enums),
                        doc=f'The typed in-process entries of the goray application "{name}".',
                        signatures=_fingerprint(tasks, actors))


def _fingerprint(tasks: List[EntryCallable], actors: List[EntryActor]) -> str:
    """What both sides are built from: each entry's kind, names, C++ types and parameters."""
    callables = tasks + [c for actor in actors for c in [actor.constructor, *actor.methods]]
    text = json.dumps([[c.callee, c.spec_type, c.params] for c in callables])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
