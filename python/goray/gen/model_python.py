"""The Python view model: what stub.py.j2 (NAME.py), stub.pyi.j2 (NAME.pyi) and
stub_types.pyi.j2 (_NAME_types.pyi, the stub's private companion) render.

From the IDL it decides the stub modules' names (module attributes, stub classes, struct
and enum names, each through goray.gen.naming's scopes so no name hides another or the
stubs' own ``_`` imports), the Python type of every value, and the docstrings' notes.
It needs nothing from the C++ view model.

Tests: tests/python/test_map_inputs.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
import textwrap
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .eigen import eigen_batches, is_eigen
from .idl import Idl
from .model_python_maps import MapColumn, MapOverload, map_overloads, map_params, map_record
from .model_python_types import (NUMPY_SCALARS, PyTypes, handle_free, structs_needing_inputs,
                                 union_members, uses_arrays, uses_arrow, uses_refs,
                                 value_ext_imports)
from .model_shared import (Type, actor_options, concurrency_groups, idl_signatures, is_generator,
                           type_name)
from .naming import PYTHON, Scope, stub_types_module

__all__ = ["PyParam", "PyTask", "PyMethod", "PyActor", "PyField", "PyStruct", "PyMember",
           "PyEnum", "PyModel", "PyTypes", "build_python_model", "py_display"]


# ---- The records the templates read ----------------------------------------------------

def _stream_note(item: Optional[str]) -> str:
    if item is None:
        return ""
    return (f"A streaming generator: .remote() returns a ray.ObjectRefGenerator of refs of "
            f"{item}, one per item as it is produced; a local call, an iterator of {item}.")


def _paragraph(text: str) -> str:
    """A docstring paragraph after the first line (wrapped for an indented class body),
    or nothing."""
    return "\n\n" + textwrap.fill(text, 80) if text else ""


@dataclass
class PyParam:
    name: str
    type: str           # the value (local calls)
    remote_type: str    # the value or a ray.ObjectRef of it (remote calls)
    bind_type: str      # that or a Ray DAG node (an actor method's .bind, for ray.dag)
    optional: bool = False  # the C++ parameter has a default argument
    default: str = "..."    # its value as a Python literal when the IDL records a constant
    # The last positional-only parameter: this one or a later one has a name that is not
    # the C++ name (a Python keyword, `self`), so it cannot be given by keyword.
    slash_after: bool = False


@dataclass
class PyMap:
    """goray.map's forms of a task or method (.map, .imap, ...): its columns' parameters as
    the stub types them, .map's overloads (model_python_maps), the type goray.map reads
    the results' types from, and what the docstring says of its loop."""

    params: str                 # ", x: _Sequence[_float] | ..., /" after self: every form
    overloads: List[MapOverload]  # .map's and .map_chunks' (by the columns' types)
    item: str                   # one result
    record: str                 # the type of the class's __goray_map__
    note: str = ""


@dataclass
class PyTask:
    name: str           # the wire name
    attr: str           # the module attribute
    cls: str            # the .pyi class of the attribute
    params: List[PyParam]
    result: str         # what a local call returns
    doc: str
    remote_result: str = ""  # what .remote() returns
    # A streaming generator: the type of one item, as a docstring names it.
    item: Optional[str] = None
    map: Optional[PyMap] = None  # None for a streaming generator

    @property
    def note(self) -> str:
        """What the .pyi class's docstring adds after its first line."""
        return _paragraph(_stream_note(self.item)) + (
            _paragraph(self.map.note) if self.map is not None else "")


@dataclass
class PyMethod:
    name: str
    attr: str
    cls: str
    params: List[PyParam]
    result: str
    doc: str
    local_attr: Optional[str]   # None: not reachable as an attribute of a LocalActor
    remote_result: str = ""
    item: Optional[str] = None
    concurrency_group: Optional[str] = None
    serve_cls: str = ""         # the .pyi class of the method on a Serve handle
    serve_result: str = ""      # what a Serve handle's .remote() returns
    map: Optional[PyMap] = None
    # Batched by goray.serve (batch=...), a Serve handle's call takes one element of the
    # vector: (the parameter's name, its element's type, the response's), None if the
    # method cannot be batched (one vector parameter, a vector result).
    serve_item: Optional[Tuple[str, str, str]] = None

    @property
    def binds(self) -> bool:
        """Whether the stub types Ray's .bind() (ray.dag): not for a streaming method,
        whose .bind Ray refuses (its num_returns is "streaming")."""
        return self.item is None

    @property
    def note(self) -> str:
        group = (f"It runs in the concurrency group {self.concurrency_group!r}."
                 if self.concurrency_group is not None else "")
        return _paragraph(" ".join(filter(None, [_stream_note(self.item), group]))) + (
            _paragraph(self.map.note) if self.map is not None else "")


@dataclass
class PyActor:
    name: str
    attr: str
    cls: str            # the actor class (module attribute's type)
    handle_cls: str     # what .remote() returns
    local_cls: str      # what local.<name>() returns
    params: List[PyParam]
    methods: List[PyMethod]
    doc: str
    thread_safe: bool = False
    concurrency_groups: List[Tuple[str, int]] = field(default_factory=list)
    serve_cls: str = ""          # what goray.serve.deployment(<actor class>) returns
    serve_handle_cls: str = ""   # a Serve handle to that deployment (goray.serve.handle)
    declared_options: Dict[str, Any] = field(default_factory=dict)  # GORAY_ACTOR_OPTIONS

    @property
    def declared_options_literal(self) -> str:
        """declared_options as a Python literal (JSON's true is True)."""
        return repr(dict(sorted(self.declared_options.items())))

    @property
    def method_groups(self) -> Dict[str, str]:
        """Method (wire name) -> its concurrency group."""
        return {method.name: method.concurrency_group for method in self.methods
                if method.concurrency_group is not None}

    @property
    def note(self) -> str:
        note = self._concurrency_note()
        if self.declared_options:
            note += _paragraph(
                "Created with " + ", ".join(f"{name}={value!r}" for name, value
                                            in sorted(self.declared_options.items())) +
                " (GORAY_ACTOR_OPTIONS) unless .options() gives its own.")
        return note

    def _concurrency_note(self) -> str:
        if not self.thread_safe:
            return _paragraph("Not thread-safe: one method at a time (max_concurrency > 1 "
                              "is refused).")
        text = ("Thread-safe (GORAY_THREADSAFE): an actor may run its methods "
                "concurrently (max_concurrency > 1).")
        if self.concurrency_groups:
            text += " Concurrency groups: " + ", ".join(
                f"{name!r} ({size} at once)" for name, size in self.concurrency_groups) + "."
        if self.method_groups:
            members: Dict[str, List[str]] = {}
            for method, group in self.method_groups.items():
                members.setdefault(group, []).append(method)
            text += " In " + "; in ".join(f"{group!r}: {', '.join(methods)}"
                                          for group, methods in members.items()) + "."
        return _paragraph(text)


@dataclass
class PyField:
    key: str
    type: str
    doc: str
    # The type in the .py, where the .pyi's actor handle classes do not exist (Any).
    runtime_type: str = ""

    def __post_init__(self) -> None:
        self.runtime_type = self.runtime_type or self.type


@dataclass
class PyStruct:
    name: str
    cpp_name: str
    fields: List[PyField]
    class_syntax: bool   # False: a field name needs TypedDict's functional form
    doc: str
    # The input shape (model_python_types), for a struct with an optional field (or holding
    # such a struct): its name and fields (an optional field NotRequired); else None.
    input_name: Optional[str] = None
    input_fields: List[PyField] = field(default_factory=list)

    @property
    def optional_keys(self) -> List[str]:
        """The fields a call may leave out (std::optional), as the input shape's doc
        names them."""
        return [f.key for f in self.input_fields if f.type.startswith("_NotRequired[")]


@dataclass
class PyMember:
    name: str
    value: int
    doc: str


@dataclass
class PyEnum:
    name: str
    cpp_name: str
    members: List[PyMember]
    doc: str


@dataclass
class PyModel:
    tasks: List[PyTask]
    actors: List[PyActor]
    structs: List[PyStruct]
    enums: List[PyEnum]
    local_attr: str
    local_cls: str
    exported: List[str]
    # The private companion stub NAME.pyi imports its helper classes and types from
    # (naming.stub_types_module): a stub's own classes are offered by pyright's
    # completion on the module, names it imports without re-exporting are not.
    types_module: str = ""
    # Whether the .pyi names NumPy types (only then does it import numpy), and whether
    # the .py's TypedDicts do (it imports numpy for type checkers only).
    uses_numpy: bool = False
    # Whether some task or method has map forms (.map, ...), and whether they name NumPy.
    maps: bool = False
    maps_numpy: bool = False
    structs_use_numpy: bool = False
    # Whether the .pyi names pyarrow types (string and binary columns): only then does it
    # import pyarrow.
    uses_arrow: bool = False
    # Whether the .py's TypedDicts name pyarrow types (it imports pyarrow for type checkers).
    structs_use_arrow: bool = False
    # Whether the .py's TypedDicts name ray.ObjectRef (it imports ray for type checkers).
    structs_use_ray: bool = False
    # Whether a parameter is a ref (its .remote() takes a goray.Unresolved).
    takes_unresolved: bool = False
    # Whether a task or method streams (the .pyi imports Iterator for local calls).
    streams: bool = False
    # Whether a method has .bind() (the companion imports ray.dag's node types).
    binds: bool = False
    # Whether a struct has an input shape (the modules import NotRequired).
    struct_inputs: bool = False
    # The imports of complex, timedelta, PathLike and Path, where a type needs them.
    ext_imports: List[str] = field(default_factory=list)


# ---- Building --------------------------------------------------------------------------

# Names the generated Python modules bind themselves (imports and helpers).
PY_RESERVED = ("_bool", "_bytes", "_dict", "_float", "_int", "_list", "_str", "_tuple",
               "_datetime", "_IntEnum", "_NativeEnum", "_Any", "_TypedDict", "_ray", "_goray",
               "_Task", "_ActorClass", "annotations", "_numpy", "_npt", "_array",
               "_memoryview", "_TYPE_CHECKING", "_Iterator", "_Generic", "_TypeVar", "_T",
               "_RayObjectRefGenerator", "_ObjectRefGenerator", "_ClassMethodNode", "_DAGNode",
               "_RayActorHandle", "_ActorHandle", "_property", "_MapIterator", "_Mapping",
               "_Sequence", "_Literal", "_overload", "_Application", "_ServeResponse",
               "_ServeResponseGenerator", "_AsyncIterator", "_Generator", "_NotRequired",
               "_goray_map_types", "_complex", "_timedelta", "_PathLike", "_Path")
# Attributes of goray.LocalActor: a method with one of these names is reached
# through actor.call(name, ...) only.
LOCAL_ACTOR_ATTRIBUTES = ("call", "close", "closed", "type_name", "index")
# The stubs' import aliases, as a docstring names a type (``_list[_int]`` -> ``list[int]``).
_ALIAS = re.compile(r"\b_(bool|bytes|dict|float|int|list|str|tuple|datetime|Any|numpy|npt|"
                    r"ray|array|memoryview|Iterator|complex|timedelta|PathLike|Path)\b")


def py_display(type_: str) -> str:
    """A stub's type spelled for a docstring, without the ``_`` import aliases."""
    return _ALIAS.sub(r"\1", type_)


def _wrapped_result(result: Type, types: "PyTypes", value_cls: str, stream_cls: str) -> str:
    """`value_cls[T]` of a result T, or for a generator `stream_cls[T]` of its items."""
    if is_generator(result):
        return f"{stream_cls}[{types.value(result['element'])}]"
    return f"{value_cls}[{types.value(result)}]"


def _serve_result(result: Type, types: "PyTypes") -> str:
    """What a Serve handle's call of a method returns: a response of its value, or (a
    generator, called with .options(stream=True)) a response generator of its items."""
    return _wrapped_result(result, types, "_ServeResponse", "_ServeResponseGenerator")


def _remote_result(result: Type, types: "PyTypes") -> str:
    """What a stub's .remote() returns: a ref of the local call's result, or for a
    generator a ray.ObjectRefGenerator, as the .pyi's generic subclass of it whose items
    are typed refs (Ray's class is not generic)."""
    return _wrapped_result(result, types, "_ray.ObjectRef", "_ObjectRefGenerator")


def _short_names(qualified_names: List[str]) -> Dict[str, str]:
    """The last component of each name where unambiguous, else the whole name joined
    with ``_`` (``::geo::Point`` -> ``Point`` or ``geo_Point``)."""
    last = {name: type_name(name).split("::")[-1] for name in qualified_names}
    counts: Dict[str, int] = {}
    for short in last.values():
        counts[short] = counts.get(short, 0) + 1
    return {name: (short if counts[short] == 1 else type_name(name).replace("::", "_"))
            for name, short in last.items()}


def _default_literal(param: Mapping[str, Any]) -> str:
    """A constant default (the IDL's "default") as a Python literal of the parameter's
    type, else ``...`` (an enum's is an int, which its IntEnum type would not accept)."""
    kind = param["type"].get("kind")
    value = param.get("default")
    if kind == "string_view":
        kind = "string"
    if "default" not in param or kind not in ("int", "float", "bool", "string"):
        return "..."
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))
    if (kind == "int" and type(value) is int) or (kind == "bool" and type(value) is bool) or \
            (kind == "string" and isinstance(value, str)):
        return repr(value)
    return "..."


def _stub_params(params: List[Mapping[str, Any]], types: PyTypes) -> List[PyParam]:
    """Parameters of a stub method (after ``self``): by position or by their C++ name
    (goray resolves keywords to positions), positional-only up to the last one whose
    Python name is not its C++ name (``with`` -> ``with_``)."""
    scope = Scope(PYTHON)
    scope.reserve("self")
    made = [PyParam(scope.claim(param["name"]), types.accepted(param["type"]),
                    types.remote_arg(param["type"]), types.remote_arg(param["type"]) +
                    " | _DAGNode", bool(param.get("has_default", False)),
                    _default_literal(param))
            for param in params]
    renamed = [index for index, (view, param) in enumerate(zip(made, params))
               if view.name != param["name"]]
    if renamed:
        made[renamed[-1]].slash_after = True
    return made


def _map_scalar(type_: Type) -> Optional[str]:
    """NumPy's scalar type of a number or bool the native map loop reads as a column, else
    None (such values travel as msgpack values)."""
    kind = type_["kind"]
    if kind == "bool":
        return "bool_"
    if kind == "int" and type_.get("bits") in (8, 16, 32, 64):
        return ("int" if type_.get("signed", True) else "uint") + str(type_["bits"])
    if kind == "float" and type_.get("bits") in (32, 64):
        return f"float{type_['bits']}"
    return None


def _names(names: List[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _map_note(params: List[Mapping[str, Any]], scalars: List[Optional[str]]) -> str:
    """What the docstring says of a callable's map forms: how each parameter's values
    travel (docs/map.md, "The columnar rule")."""
    sliced = [param["name"] for param, scalar in zip(params, scalars) if scalar is not None]
    listed = [param["name"] for param, scalar in zip(params, scalars) if scalar is None]
    if not listed:
        return ("goray.map (.map, .imap, ...): columnar; NumPy arrays of its parameters' "
                "types travel as slices, read in place by a loop in C++.")
    note = "goray.map (.map, .imap, ...): the loop runs in C++. "
    if sliced:
        note += (f"NumPy arrays for {_names(sliced)} travel as slices, read in place; ")
    structs = [param["name"] for param in params if param["type"]["kind"] == "struct"]
    note += (f"{_names(listed)} {'is' if len(listed) == 1 else 'are'} not a number or bool: "
             f"a column of {'it' if len(listed) == 1 else 'them'} travels as msgpack values, "
             "decoded one by one in C++")
    if structs:
        note += (f" (a dict of arrays for {_names(structs)}, a struct of arrays, is read "
                 "field by field)")
    return note + "; a value shared by keyword is decoded once per chunk."


def _map_forms(params: List[Mapping[str, Any]], stub: List[PyParam], result: Type,
               types: PyTypes) -> Optional[PyMap]:
    """The map forms of a callable, None for a streaming generator."""
    if result["kind"] == "generator" or not params:
        return None
    columns = []
    for index, (param, view) in enumerate(zip(params, stub)):
        scalar = _map_scalar(param["type"])
        columns.append(MapColumn(view.name, types.accepted(param["type"]),
                                 f"_npt.NDArray[_numpy.{scalar}]" if scalar else None,
                                 param["type"]["kind"] == "struct", index > 0))
    item = types.value(result)
    void = result["kind"] == "void"
    scalars = [_map_scalar(param["type"]) for param in params]
    result_scalar = _map_scalar(result)
    array_result = f"_npt.NDArray[_numpy.{result_scalar}]" if result_scalar else None
    forms = PyMap(params=map_params(columns),
                  overloads=map_overloads(columns, item, void, array_result), item=item,
                  record=map_record(item, void, array_result, columns))
    forms.note = _map_note(params, scalars)
    return forms


def _input_field(type_: Type, types: PyTypes) -> str:
    """A field of a struct's input shape: what a caller may give, NotRequired when the
    field is optional."""
    accepted = types.accepted(type_)
    return f"_NotRequired[{accepted}]" if type_["kind"] == "optional" else accepted


# A batched method's element types of a 1-D array, by dtype (complex: not batched).
_ARRAY_ITEMS = {"bool": "_bool", "float32": "_float", "float64": "_float"}
_BATCH_LISTS = ("vector", "list", "deque")


def _batch_element(type_: Type, types: PyTypes, incoming: bool) -> Optional[str]:
    """One element of a batched method's vector (or 1-D array) parameter or result."""
    if type_["kind"] in _BATCH_LISTS:
        element = type_["element"]
        return types.accepted(element) if incoming else types.value(element)
    if type_["kind"] == "ndarray":
        if is_eigen(type_) and not eigen_batches(type_):
            return None  # a matrix, or a vector of a fixed size: no batch of any length
        dtype = type_["dtype"]
        if not incoming:
            return f"_numpy.{NUMPY_SCALARS[dtype]}"
        return _ARRAY_ITEMS.get(dtype, "_int" if dtype.startswith(("int", "uint")) else None)
    return None


def _serve_item(params: List[Mapping[str, Any]], stub: List[PyParam], result: Type,
                types: PyTypes) -> Optional[Tuple[str, str, str]]:
    """The per-element call of a method goray.serve may batch (one vector or array
    parameter, a vector or array result): (parameter, element, the result's element). None
    for another method, and where an element could pass for the whole vector (Any, a
    list of Any: the two forms would overlap)."""
    if len(params) != 1:
        return None
    element = _batch_element(params[0]["type"], types, incoming=True)
    answer = _batch_element(result, types, incoming=False)
    if element is None or answer is None:
        return None
    if any(member == "_Any" or member.startswith(("_list[_Any", "_memoryview", "_array["))
           for member in union_members(element)):
        return None
    return stub[0].name, element, answer


def build_python_model(idl: Idl, name: str) -> PyModel:
    """The Python view model of ``idl`` for the stub module ``name``: the stubs' names,
    types and docstrings."""
    module = Scope(PYTHON)
    module.reserve(*PY_RESERVED)
    task_attrs = [module.claim(task["name"]) for task in idl["tasks"]]
    actor_attrs = [module.claim(actor["name"]) for actor in idl["actors"]]
    local_attr = module.claim("local")
    short = _short_names([s["name"] for s in idl["structs"]] +
                         [e["name"] for e in idl["enums"]])

    def stub_type_name(qualified: str) -> str:
        # The short name; if a task or actor took it, the qualified one (geo_Point).
        wanted = short[qualified]
        if PYTHON.escape(wanted) in module.taken:
            wanted = type_name(qualified).replace("::", "_")
        return module.claim(wanted)

    struct_names = {s["name"]: stub_type_name(s["name"]) for s in idl["structs"]}
    enum_names = {e["name"]: stub_type_name(e["name"]) for e in idl["enums"]}
    # A struct with an optional field has an input shape too (model_python_types).
    needing_inputs = structs_needing_inputs(idl["structs"])
    input_names = {s["name"]: module.claim(f"{struct_names[s['name']]}In")
                   for s in idl["structs"] if s["name"] in needing_inputs}
    actor_attr_of = {actor["name"]: attr for actor, attr in zip(idl["actors"], actor_attrs)}
    handle_classes: Dict[str, str] = {}

    def handle_class(actor_name: str) -> str:
        # Claimed when first named (by a signature, or by the actor type itself below).
        if actor_name not in handle_classes:
            handle_classes[actor_name] = module.claim(f"_Handle_{actor_attr_of[actor_name]}")
        return handle_classes[actor_name]

    types = PyTypes(struct_names, enum_names, input_names, handle_class)
    runtime_types = handle_free(types)  # the .py: no handle classes there

    def item(result: Type) -> Optional[str]:
        return py_display(types.value(result["element"])) if is_generator(result) else None

    tasks = []
    for task, attr in zip(idl["tasks"], task_attrs):
        result = types.value(task["result"])
        stub = _stub_params(task["params"], types)
        tasks.append(PyTask(task["name"], attr, module.claim(f"_Task_{attr}"), stub,
                            result, task["doc"], _remote_result(task["result"], types),
                            item(task["result"]),
                            _map_forms(task["params"], stub, task["result"], types)))
    actors = []
    for actor, attr in zip(idl["actors"], actor_attrs):
        cls = module.claim(f"_ActorClass_{attr}")
        handle_cls = handle_class(actor["name"])
        local_cls = module.claim(f"_LocalActor_{attr}")
        handle_scope = Scope(PYTHON)
        local_scope = Scope(PYTHON)
        local_scope.reserve(*LOCAL_ACTOR_ATTRIBUTES)
        methods = []
        for method in actor["methods"]:
            method_attr = handle_scope.claim(method["name"])
            reachable = (PYTHON.is_identifier(method["name"]) and
                         not method["name"].startswith("_") and
                         method["name"] not in LOCAL_ACTOR_ATTRIBUTES)
            result = types.value(method["result"])
            method_stub = _stub_params(method["params"], types)
            methods.append(PyMethod(
                method["name"], method_attr,
                module.claim(f"_Method_{attr}_{method_attr}"),
                method_stub,
                result, method["doc"],
                local_scope.claim(method["name"]) if reachable else None,
                _remote_result(method["result"], types), item(method["result"]),
                method.get("concurrency_group"),
                module.claim(f"_ServeMethod_{attr}_{method_attr}"),
                _serve_result(method["result"], types),
                _map_forms(method["params"], method_stub, method["result"], types),
                _serve_item(method["params"], method_stub, method["result"], types)))
        actors.append(PyActor(actor["name"], attr, cls, handle_cls, local_cls,
                              _stub_params(actor["params"], types), methods,
                              actor["doc"], bool(actor.get("thread_safe", False)),
                              concurrency_groups(actor),
                              module.claim(f"_ServeDeployment_{attr}"),
                              module.claim(f"_ServeHandle_{attr}"),
                              actor_options(actor)))
    local_cls = module.claim("_Local")

    structs = []
    for struct in idl["structs"]:
        fields = [PyField(f["name"], types.value(f["type"]), f["doc"],
                          runtime_types.value(f["type"]))
                  for f in struct["fields"]]
        class_syntax = all(PYTHON.is_identifier(f.key) and not f.key.startswith("_")
                           for f in fields)
        input_fields = [PyField(f["name"], _input_field(f["type"], types), f["doc"],
                                _input_field(f["type"], runtime_types))
                        for f in struct["fields"]] if struct["name"] in input_names else []
        structs.append(PyStruct(struct_names[struct["name"]], type_name(struct["name"]),
                                fields, class_syntax, struct["doc"],
                                input_names.get(struct["name"]), input_fields))
    enums = []
    for enum in idl["enums"]:
        member_scope = Scope(PYTHON)
        member_scope.reserve("name", "value")
        members = []
        for enumerator in enum["enumerators"]:
            wanted = enumerator["name"]
            if wanted.startswith("_"):
                wanted = "m" + wanted
            members.append(PyMember(member_scope.claim(wanted), enumerator["value"],
                                    enumerator["doc"]))
        enums.append(PyEnum(enum_names[enum["name"]], type_name(enum["name"]), members,
                            enum["doc"]))

    exported = (task_attrs + actor_attrs + [local_attr] +
                [shape for struct in structs for shape in (struct.name, struct.input_name)
                 if shape is not None] + list(enum_names.values()))
    structs_use_numpy = any(uses_arrays(f["type"]) for struct in idl["structs"]
                            for f in struct["fields"])
    signatures_use_numpy = any(uses_arrays(type_) for type_ in idl_signatures(idl))
    structs_use_ray = any(uses_refs(f["type"]) for struct in idl["structs"]
                          for f in struct["fields"])
    streams = any(task.item is not None for task in tasks) or any(
        method.item is not None for actor in actors for method in actor.methods)
    map_forms = [task.map for task in tasks] + [method.map for actor in actors
                                                for method in actor.methods]
    return PyModel(tasks, actors, structs, enums, local_attr, local_cls, exported,
                   maps=any(forms is not None for forms in map_forms),
                   maps_numpy=any(forms is not None and "_npt." in forms.params + "".join(
                                      o.params + o.result for o in forms.overloads)
                                  for forms in map_forms),
                   types_module=stub_types_module(name), streams=streams,
                   binds=any(method.binds for actor in actors for method in actor.methods),
                   uses_numpy=structs_use_numpy or signatures_use_numpy,
                   structs_use_arrow=any(uses_arrow(f["type"]) for struct in idl["structs"]
                                         for f in struct["fields"]),
                   uses_arrow=any(uses_arrow(type_) for type_ in [
                       *idl_signatures(idl), *(f["type"] for struct in idl["structs"] for f in struct["fields"])]),
                   structs_use_numpy=structs_use_numpy, structs_use_ray=structs_use_ray,
                   struct_inputs=bool(input_names),
                   ext_imports=value_ext_imports(
                       [*idl_signatures(idl), *(f["type"] for struct in idl["structs"]
                                                for f in struct["fields"])]),
                   takes_unresolved=any(
                       param["type"]["kind"] == "object_ref"
                       for callable_ in idl["tasks"] + idl["actors"] +
                       [m for a in idl["actors"] for m in a["methods"]]
                       for param in callable_["params"]))
