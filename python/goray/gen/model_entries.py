"""The view model of the typed entries' module, NAME.entries.goray.cpp (docs/protocol.md §17):
one CPython function per task, one type per actor type with a method per method, each
calling the library's typed entry of the same C++ signature
(runtime/include/goray/python/entries.h does the work; this says which, with which
types and names).

Built from the C++ model (the types as generated code spells them, which signatures the
generated header can name) and the Python model (the names the stubs give, the
defaults Python shows). A callable the module cannot call typed (a generator, a type the
header cannot name) still gets its entry: one that takes the codec path.

Tests: tests/renderers/test_gen_typed_entries.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from .idl import Idl
from .model_cpp import CppCallable, CppModel
from .model_python import PyModel, PyParam

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
    params: str = ""       # the parameters' Python names, space-separated: keywords find their place


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
    doc: str = ""


def _typed(callable_: CppCallable) -> bool:
    """Whether the module can call it typed: not a generator, and every type nameable."""
    return callable_.wrapped and not callable_.stream


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


def _names(params: List[PyParam], callable_: CppCallable) -> str:
    """The names keywords find their parameters by, as the stub takes them: empty for the
    positional-only ones (up to one the stub renamed: a Python keyword, `self`); none at all
    (keywords then take the codec path) where the stub's parameters are not the C++ ones one
    for one."""
    names = [param.name for param in params]
    if not _typed(callable_) or len(names) != len(callable_.checked_params) or len(set(names)) != len(names):
        return ""
    last_positional = max((i for i, param in enumerate(params) if param.slash_after), default=-1)
    return " ".join("" if i <= last_positional else name for i, name in enumerate(names))


def _doc(signature: str, text: str) -> str:
    return f"{signature}\n--\n\n{text}" if text else f"{signature}\n--\n\n"


def _keeps_gil(declaration: Mapping[str, Any]) -> bool:
    return bool(declaration.get("keeps_gil", False))


def _spec_type(kind: str, callable_: CppCallable, keeps_gil: bool) -> str:
    """The entry's C++ type; GORAY_KEEP_GIL is the object's, not the type's."""
    if not _typed(callable_):
        return f"::goray::python::Untyped<::goray::detail::TypedKind::k{kind}>"
    params = list(callable_.checked_params)
    if kind == "Constructor":
        return "::goray::python::Constructor<" + ", ".join(params) + ">"
    result = callable_.checked_result or "void"
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
            callee=task.name, keeps_gil=keeps_gil, params=_names(stub.params, task)))
    actors = []
    py_actors = {actor.name: actor for actor in py.actors}
    for index, (declaration, actor) in enumerate(zip(idl["actors"], cpp.actors)):
        stub = py_actors[actor.name]
        constructor = EntryCallable(
            cpp_name=actor.name, attr=stub.attr, spec=f"kActor_{index}_new",
            spec_type=_spec_type("Constructor", actor.construction, False),
            doc=_doc(_text_signature(stub.attr, None, stub.params),
                     stub.doc or f"A {actor.name} actor in this process (a goray.LocalActor)."),
            callee=actor.name, params=_names(stub.params, actor.construction))
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
                params=_names(py_method.params, method)))
        actors.append(EntryActor(name=actor.name, attr=stub.attr, constructor=constructor,
                                 methods=methods, doc=constructor.doc,
                                 specs=f"kActor_{index}_methods"))
    return EntriesModel(module=module_name(name), header=cpp.header_file,
                        tasks=tasks, actors=actors, structs=list(cpp.header_structs),
                        doc=f'The typed in-process entries of the goray application "{name}".')
