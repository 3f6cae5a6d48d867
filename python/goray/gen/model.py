"""The view model the templates render: a pure function of the IDL and the output name.

Everything a template needs that is not a plain copy of the IDL is decided here, once:
the names (through goray.gen.naming, so nothing collides), which declarations the
generated header can see, C++ and Python spellings of types. Templates only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
import textwrap
from typing import (Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set,
                    Tuple)

from . import version
from .idl import Idl, inner_types, type_refs
from .naming import (CPP, PYTHON, Scope, cpp_identifier, qualify_std, unit_file,
                     unit_key, unqualified_identifiers)

__all__ = ["build_model", "check_namespace", "NamespaceClash", "Model", "HEADER_EXTENSIONS"]

# Files the generated header may #include (everything else is compiled through
# NAME.goray.cpp, which includes it).
HEADER_EXTENSIONS = (".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp", ".tcc", ".inc")

Type = Mapping[str, Any]


def is_header(path: str) -> bool:
    return path.lower().endswith(HEADER_EXTENSIONS)


# ---- C++ -----------------------------------------------------------------------------

@dataclass
class CppParam:
    ident: str          # the wrapper's parameter name
    tparam: str         # its template parameter (deduced argument type)
    type: str           # the value type, spelled for generated code
    has_default: bool = False
    # What the typed wrapper takes: the value type, but goray::Array<T> for every array
    # parameter (ArrayView<T>, std::span<const T>): an Array, a view, or a Future of an
    # Array from another task.
    wrapper_type: str = ""
    # A goray::ObjectRef or goray::Future parameter: the wrapper passes a ref unresolved.
    takes_ref: bool = False

    def __post_init__(self) -> None:
        self.wrapper_type = self.wrapper_type or self.type


@dataclass
class CppField:
    name: str           # the C++ member and the wire key


@dataclass
class CppStruct:
    name: str           # "::geo::Point"
    type_name: str      # "geo::Point": TypeNameOverride, error messages
    fields: List[CppField]


@dataclass
class CppEnum:
    name: str
    type_name: str


@dataclass
class CppCallable:
    """A task, an actor type's construction, or a method."""

    name: str                     # the wire name ("Square")
    ident: str                    # the wrapper's C++ name
    params: List[CppParam]
    future: str                   # "::goray::Future<double>"
    doc: List[str]
    check_params: bool            # the invokers section checks the parameters...
    checked_params: List[str]     # ...against these spellings
    checked_result: Optional[str]  # and the result against this (None: not checked)
    function: str                 # "&::Tasks::Square"
    display: str                  # what messages and comments call it: "::Tasks::Square"
    wrapped: bool = True
    not_wrapped_because: str = ""
    # Default arguments: the calls with fewer arguments (shortest first), each a
    # callable the registry gets after `function` that calls the user's function in
    # its own context, so C++ evaluates the defaults as written.
    shorter: List[str] = field(default_factory=list)
    source: Optional[str] = None  # the file that declares it (from the sources' root)
    # A goray::Generator<T> result: the wrapper's call streams (Remote() gives a
    # goray::Stream of `future`, the future of one item).
    stream: bool = False
    concurrency_group: Optional[str] = None  # a method's GORAY_IN_GROUP

    @property
    def required(self) -> int:
        """How many arguments a call needs (the parameters before the defaulted ones)."""
        return len(self.params) - sum(1 for p in self.params if p.has_default)

    @property
    def arities(self) -> List[List[CppParam]]:
        """The parameter lists a typed wrapper accepts, shortest first."""
        return [self.params[:count] for count in range(self.required, len(self.params) + 1)]


@dataclass
class CppActor:
    name: str
    ident: str                    # the builder function: NAME::Counter(1)
    handle: str                   # the typed handle class: NAME::CounterHandle
    class_name: str               # "::Counter"
    registration: str             # the factory expression AddActor gets
    construction: CppCallable
    methods: List[CppCallable]
    doc: List[str]
    wrapped: bool
    not_wrapped_because: str
    # Whether a signature names goray::ActorHandleOf<class_name> and the header can name
    # the class: the handle then converts to and from it.
    converts_to_handle_of: bool = False
    # GORAY_THREADSAFE and GORAY_CONCURRENCY_GROUP(name, size), in declaration order.
    thread_safe: bool = False
    concurrency_groups: List[Tuple[str, int]] = field(default_factory=list)

    @property
    def grouped_methods(self) -> List[CppCallable]:
        return [method for method in self.methods if method.concurrency_group is not None]


@dataclass
class CppUnit:
    """One generated translation unit: a source file of the application (#included),
    the adaptors of the structs declared there, and the registration of its tasks,
    actor types and driver. Editing that source recompiles this unit only."""

    source: str                   # the source, by path from the sources' root
    file: str                     # NAME.<source as an identifier>.goray.cpp
    function: str                 # its registration function, in NAMESPACE::goray_detail
    structs: List["CppStruct"]
    enums: List["CppEnum"]
    tasks: List[CppCallable]
    actors: List["CppActor"]
    driver: Optional[str]

    @property
    def registers(self) -> bool:
        return bool(self.tasks or self.actors or self.driver)


@dataclass
class CppModel:
    namespace: str
    header_file: str
    header_includes: List[str]
    header_structs: List[CppStruct]
    source_structs: List[CppStruct]   # each unit adapts those its source reaches
    header_enums: List[CppEnum]
    tasks: List[CppCallable]
    actors: List[CppActor]
    init_options: Optional[str]
    units: List[CppUnit] = field(default_factory=list)
    # What the table (NAME.goray.cpp) registers itself: the declarations of headers.
    table_tasks: List[CppCallable] = field(default_factory=list)
    table_actors: List["CppActor"] = field(default_factory=list)
    table_driver: Optional[str] = None
    # Whether a signature names a typed handle (the header declares the handles first).
    uses_handles: bool = False


# ---- Python ---------------------------------------------------------------------------

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
    optional: bool = False  # the C++ parameter has a default argument


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

    @property
    def note(self) -> str:
        """What the .pyi class's docstring adds after its first line."""
        return _paragraph(_stream_note(self.item))


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

    @property
    def note(self) -> str:
        group = (f"It runs in the concurrency group {self.concurrency_group!r}."
                 if self.concurrency_group is not None else "")
        return _paragraph(" ".join(filter(None, [_stream_note(self.item), group])))


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

    @property
    def method_groups(self) -> Dict[str, str]:
        """Method (wire name) -> its concurrency group."""
        return {method.name: method.concurrency_group for method in self.methods
                if method.concurrency_group is not None}

    @property
    def note(self) -> str:
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
    # Whether the .pyi names NumPy types (only then does it import numpy), and whether
    # the .py's TypedDicts do (it imports numpy for type checkers only).
    uses_numpy: bool = False
    structs_use_numpy: bool = False
    # Whether the .py's TypedDicts name ray.ObjectRef (it imports ray for type checkers).
    structs_use_ray: bool = False
    # Whether a parameter is a ref (its .remote() takes a goray.Unresolved).
    takes_unresolved: bool = False
    # Whether a task or method streams (the .pyi imports Iterator for local calls).
    streams: bool = False


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
    has_driver: bool
    init_options_text: Optional[str]
    summary: Dict[str, int] = field(default_factory=dict)


# ---- Visibility from the generated header ---------------------------------------------

def _location_file(declaration: Mapping[str, Any]) -> Optional[str]:
    location = declaration.get("location")
    return location["file"] if location else None


def _signature_types(callable_: Mapping[str, Any]) -> Iterable[Type]:
    for param in callable_["params"]:
        yield param["type"]
    if "result" in callable_:
        yield callable_["result"]


def _closure(refs: Iterable[str], structs: Mapping[str, Mapping[str, Any]]) -> Set[str]:
    """``refs`` and everything their fields reach."""
    seen: Set[str] = set()
    pending = list(refs)
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        struct = structs.get(ref)
        if struct is not None:
            for field_ in struct["fields"]:
                pending.extend(type_refs(field_["type"]))
    return seen


def _declaration_files(node: object, files: Set[str]) -> None:
    """Every file a ``location`` in ``node`` names (declarations of tasks, actor types,
    methods, the driver, and the structs and enums the signatures reach)."""
    if isinstance(node, dict):
        location = node.get("location")
        if isinstance(location, dict) and "file" in location:
            files.add(location["file"])
        for value in node.values():
            _declaration_files(value, files)
    elif isinstance(node, list):
        for value in node:
            _declaration_files(value, files)


def _owner_files_unknown(idl: Idl) -> bool:
    """Whether a class the table names may live where no location says: the GORAY_TASKS
    struct of an inherited task (its location is the base's), or the class a factory
    builds when none of its methods is declared in it."""
    for task in idl["tasks"]:
        if task.get("declaring_class", task["owner"]) != task["owner"]:
            return True
    for actor in idl["actors"]:
        if actor["construction"]["kind"] == "factory" and not any(
                method.get("declaring_class") == actor["class"] for method in actor["methods"]):
            return True
    return False


def header_includes(idl: Idl) -> List[str]:
    """The scanned headers NAME.goray.h includes: those declaring something goray
    registers or names. A project header the scan found through an #include but that
    declares nothing goray needs is left out: it may not compile on its own (it can
    rely on a macro its includer defines first). When the IDL cannot say where a class
    the table names is declared, every scanned header is included."""
    headers = [source for source in idl["sources"] if is_header(source)]
    if _owner_files_unknown(idl):
        return headers
    files: Set[str] = set()
    _declaration_files(idl, files)
    return [header for header in headers if header in files]


def header_visible_types(idl: Idl) -> Set[str]:
    """The structs and enums the generated header can name: those declared in a scanned
    header (the generated header includes those), and those that a declaration in a
    scanned header reaches (through its signature or fields: the header includes what
    declares them)."""
    scanned_headers = {source for source in idl["sources"] if is_header(source)}

    def in_scanned_header(declaration: Mapping[str, Any]) -> bool:
        return _location_file(declaration) in scanned_headers

    structs = {struct["name"]: struct for struct in idl["structs"]}
    roots: List[str] = []
    for task in idl["tasks"]:
        if in_scanned_header(task):
            for type_ in _signature_types(task):
                roots.extend(type_refs(type_))
    for actor in idl["actors"]:
        actor_in_header = in_scanned_header(actor)
        if actor_in_header:
            for param in actor["params"]:
                roots.extend(type_refs(param["type"]))
        for method in actor["methods"]:
            if in_scanned_header(method) if "location" in method else actor_in_header:
                for type_ in _signature_types(method):
                    roots.extend(type_refs(type_))
    for declaration in idl["structs"] + idl["enums"]:
        if in_scanned_header(declaration):
            roots.append(declaration["name"])
    return _closure(roots, structs)


# ---- Types ------------------------------------------------------------------------------

def cpp_type(type_: Type) -> str:
    """The type as generated code spells it (std:: and goray:: made global)."""
    return qualify_std(type_["spelling"])


def _handle_classes(type_: Type) -> Iterable[Type]:
    """The typed actor handles (goray::ActorHandleOf<Actor>) in a type."""
    if type_["kind"] == "actor_handle" and type_["actor"] is not None:
        yield type_
    for inner in inner_types(type_):
        yield from _handle_classes(inner)


def cpp_header_type(type_: Type, handles: Mapping[str, str]) -> str:
    """The type as the generated header spells it: a typed actor handle
    (goray::ActorHandleOf<Actor>) as the generated handle class of its actor type, so
    the header need not see Actor (it may be declared in a .cpp). ``handles``: actor
    type name -> the handle class, qualified."""
    spelling = cpp_type(type_)
    for handle in _handle_classes(type_):
        spelling = spelling.replace(cpp_type(handle), handles[handle["actor"]])
    return spelling


def cpp_wrapper_type(type_: Type, handles: Mapping[str, str]) -> str:
    """What a typed wrapper takes for a parameter of this type: an array parameter of any
    form as ``goray::Array<T>`` (see goray.h.j2's ValueFor: a view converts too)."""
    if type_["kind"] == "ndarray":
        return f"::goray::Array<{qualify_std(type_['element'])}>"
    return cpp_header_type(type_, handles)


def cpp_future(result: Type, handles: Mapping[str, str]) -> str:
    """The future of a call's results; of one item for a goray::Generator<T>."""
    kind = result["kind"]
    if kind == "generator":
        return "::goray::Future<" + cpp_header_type(result["element"], handles) + ">"
    if kind == "void":
        return "::goray::Future<>"
    if kind == "tuple":
        return "::goray::Future<" + ", ".join(cpp_header_type(e, handles)
                                             for e in result["elements"]) + ">"
    return "::goray::Future<" + cpp_header_type(result, handles) + ">"


# NumPy's scalar type of each dtype the IDL names.
NUMPY_SCALARS = {"bool": "bool_", "int8": "int8", "int16": "int16", "int32": "int32",
                 "int64": "int64", "uint8": "uint8", "uint16": "uint16", "uint32": "uint32",
                 "uint64": "uint64", "float32": "float32", "float64": "float64",
                 "complex64": "complex64", "complex128": "complex128"}


def uses_arrays(type_: Type) -> bool:
    """Whether the type is or holds an array (through containers, not struct fields)."""
    if type_["kind"] == "ndarray":
        return True
    inner = [type_[key] for key in ("element", "key", "value") if isinstance(type_.get(key), dict)]
    return any(uses_arrays(t) for t in inner + list(type_.get("elements", [])))


def uses_refs(type_: Type) -> bool:
    """Whether the type is or holds an ObjectRef (through containers, not struct fields)."""
    if type_["kind"] == "object_ref":
        return True
    inner = [type_[key] for key in ("element", "key", "value") if isinstance(type_.get(key), dict)]
    return any(uses_refs(t) for t in inner + list(type_.get("elements", [])))


class PyTypes:
    """Python spellings of IDL types, through the stub's ``_``-aliased imports."""

    def __init__(self, struct_names: Mapping[str, str],
                 handle_names: Optional[Callable[[str], str]] = None) -> None:
        self.struct_names = struct_names
        # Actor type name -> the .pyi class of its handles; None: handles are Any (the .py).
        self.handle_names = handle_names

    def value(self, type_: Type, incoming: bool = False) -> str:
        """A value of the type: as Python receives it, or (``incoming``) what a
        Python caller may pass."""
        kind = type_["kind"]
        if kind == "bool":
            return "_bool"
        if kind in ("int", "enum"):
            return "_int"
        if kind == "float":
            return "_float"
        if kind == "string":
            return "_str"
        if kind == "bytes":
            return "_bytes"
        if kind in ("vector", "array", "list", "deque", "set", "unordered_set"):
            return f"_list[{self.value(type_['element'], incoming)}]"
        if kind == "pair":
            first, second = (self.value(e, incoming) for e in type_["elements"])
            either = first if first == second else f"{first} | {second}"
            if incoming:
                return f"_tuple[{first}, {second}] | _list[{either}]"
            return f"_list[{either}]"
        if kind in ("map", "unordered_map"):
            return f"_dict[{self.value(type_['key'], incoming)}, " \
                   f"{self.value(type_['value'], incoming)}]"
        if kind == "optional":
            return f"{self.value(type_['element'], incoming)} | None"
        if kind == "time_point":
            return "_datetime"
        if kind == "value":
            return "_Any"
        if kind == "struct":
            return self.struct_names[type_["ref"]]
        if kind == "tuple":
            # A result: no value is None, one value is itself, several arrive as a list
            # (list[T] when they share a type).
            elements = [self.value(e, incoming) for e in type_["elements"]]
            if not elements:
                return "None"
            if len(elements) == 1:
                return elements[0]
            return f"_list[{elements[0]}]" if len(set(elements)) == 1 else "_list[_Any]"
        if kind == "void":
            return "None"
        if kind == "generator":
            # A local call's result: the items, one by one.
            return f"_Iterator[{self.value(type_['element'])}]"
        if kind == "object_ref":
            # A ref is never resolved inside a value: Python holds the ray.ObjectRef.
            held = "_Any" if type_["value"] is None else self.value(type_["value"])
            return f"_ray.ObjectRef[{held}]"
        if kind == "actor_handle":
            if type_["actor"] is None or self.handle_names is None:
                return "_Any"
            return self.handle_names(type_["actor"])
        if kind == "ndarray":
            array = f"_npt.NDArray[_numpy.{NUMPY_SCALARS[type_['dtype']]}]"
            if not incoming:
                return array
            # What goray accepts too: a 1-D buffer (array.array, memoryview) and (nested)
            # lists of numbers. Not any buffer: an ndarray of another dtype is one.
            dtype = type_["dtype"]
            buffers = ["_array[_int]"] if dtype.startswith(("int", "uint")) else \
                ["_array[_float]"] if dtype.startswith("float") else []
            return " | ".join([array, *buffers, "_memoryview", "_list[_Any]"])
        raise ValueError(f"unknown IDL type kind {kind!r}")

    def remote_arg(self, type_: Type) -> str:
        """A remote call's argument: the value or a ray.ObjectRef holding one. Ray
        resolves a ref given at the top level, so a ref parameter (goray::ObjectRef,
        goray::Future) takes the ref wrapped in goray.Unresolved, or a ray.ObjectRef whose
        value is the ref."""
        if type_["kind"] == "object_ref":
            return f"_goray.Unresolved | _ray.ObjectRef[{self.value(type_)}]"
        return f"{self.value(type_, incoming=True)} | _ray.ObjectRef[{self.value(type_)}]"


# ---- Building --------------------------------------------------------------------------

# Names the generated Python modules bind themselves (imports and helpers).
PY_RESERVED = ("_bool", "_bytes", "_dict", "_float", "_int", "_list", "_str", "_tuple",
               "_datetime", "_IntEnum", "_NativeEnum", "_Any", "_TypedDict", "_ray", "_goray",
               "_Task", "_ActorClass", "annotations", "_numpy", "_npt", "_array",
               "_memoryview", "_TYPE_CHECKING", "_Iterator", "_Generic", "_TypeVar", "_T",
               "_RayObjectRefGenerator", "_ObjectRefGenerator")
# Attributes of goray.LocalActor: a method with one of these names is reached
# through actor.call(name, ...) only.
LOCAL_ACTOR_ATTRIBUTES = ("call", "close", "closed", "type_name", "index")
CPP_DETAIL = "goray_detail"
# What every typed handle class declares besides the method wrappers.
HANDLE_MEMBERS = ("kThreadSafe", "kConcurrencyGroups", "ConcurrencyGroupOf")
# The stubs' import aliases, as a docstring names a type (``_list[_int]`` -> ``list[int]``).
_ALIAS = re.compile(r"\b_(bool|bytes|dict|float|int|list|str|tuple|datetime|Any|numpy|npt|"
                    r"ray|array|memoryview|Iterator)\b")


def py_display(type_: str) -> str:
    """A stub's type spelled for a docstring, without the ``_`` import aliases."""
    return _ALIAS.sub(r"\1", type_)


def _is_generator(type_: Optional[Type]) -> bool:
    return type_ is not None and type_["kind"] == "generator"


def _groups(actor: Mapping[str, Any]) -> List[Tuple[str, int]]:
    """An actor type's concurrency groups (none before IDL version 4)."""
    return [(group["name"], group["size"]) for group in actor.get("concurrency_groups", [])]


def _remote_result(result: Type, types: "PyTypes") -> str:
    """What a stub's .remote() returns: a ref of the local call's result, or for a
    generator a ray.ObjectRefGenerator, as the .pyi's generic subclass of it whose items
    are typed refs (Ray's class is not generic)."""
    if _is_generator(result):
        return f"_ObjectRefGenerator[{types.value(result['element'])}]"
    return f"_ray.ObjectRef[{types.value(result)}]"


def _doc_lines(text: str) -> List[str]:
    return text.split("\n") if text else []


def _type_name(qualified: str) -> str:
    return qualified[2:] if qualified.startswith("::") else qualified


def _short_names(qualified_names: List[str]) -> Dict[str, str]:
    """The last component of each name where unambiguous, else the whole name joined
    with ``_`` (``::geo::Point`` -> ``Point`` or ``geo_Point``)."""
    last = {name: _type_name(name).split("::")[-1] for name in qualified_names}
    counts: Dict[str, int] = {}
    for short in last.values():
        counts[short] = counts.get(short, 0) + 1
    return {name: (short if counts[short] == 1 else _type_name(name).replace("::", "_"))
            for name, short in last.items()}


def _shorter_calls(params: List[CppParam], call: str,
                   self_type: Optional[str] = None, stream: bool = False) -> List[str]:
    """For each argument count a call may stop at (before the last parameter), a
    lambda taking that many decoded arguments that calls the function with them, so the
    compiler fills in the rest from the declaration's defaults. A generator's lambda
    takes the arguments by reference: the stream keeps the decoded values for the
    generator's life, and a generator taking a const reference must refer to those, not
    to the lambda's own parameters (gone when it returns the generator)."""
    required = len(params) - sum(1 for p in params if p.has_default)
    lambdas = []
    passing = "& " if stream else " "
    for count in range(required, len(params)):
        declared = [f"{self_type}& goray_self"] if self_type else []
        declared += [f"{p.type}{passing}goray_a{i}" for i, p in enumerate(params[:count])]
        arguments = ", ".join(f"::std::move(goray_a{i})" for i in range(count))
        target = f"goray_self.{call}" if self_type else call
        lambdas.append(f"[]({', '.join(declared)}) -> decltype(auto) "
                       f"{{ return {target}({arguments}); }}")
    return lambdas


def _task_function(task: Mapping[str, Any]) -> str:
    """The member function the table registers for a task. One that a public base of the
    GORAY_TASKS struct declares is converted to a member of the struct, so that it runs
    on the struct's shared instance (not on one of the base's own)."""
    function = f"&{task['owner']}::{task['name']}"
    if not task["static"] and task.get("declaring_class", task["owner"]) != task["owner"]:
        return f"::goray::detail::MemberOf<{task['owner']}>({function})"
    return function


def _member_call(owner: str, function: str, static: bool) -> str:
    """How generated code calls a member of a GORAY_TASKS / GORAY_ACTORS struct: the
    runtime calls a non-static one on the struct's shared instance."""
    if static:
        return f"{owner}::{function}"
    return f"::goray::detail::SharedInstance<{owner}>().{function}"


class _Builder:
    def __init__(self, idl: Idl, name: str, unscanned: Sequence[str] = ()) -> None:
        self.idl = idl
        self.name = name
        self.unscanned = list(unscanned)
        self.visible = header_visible_types(idl)
        self.handles: Dict[str, str] = {}  # actor type name -> its generated C++ handle

    # -- C++ --

    def _invisible(self, types: Iterable[Type]) -> List[str]:
        """The structs and enums among ``types`` the header cannot name."""
        structs = {struct["name"]: struct for struct in self.idl["structs"]}
        missing = []
        for type_ in types:
            for ref in sorted(_closure(type_refs(type_), structs)):
                if ref not in self.visible and ref not in missing:
                    missing.append(ref)
        return missing

    def _cpp_params(self, params: List[Mapping[str, Any]], scope: Scope) -> List[CppParam]:
        for param in params:
            scope.reserve_all(unqualified_identifiers(cpp_type(param["type"])))
        idents = [scope.claim(param["name"]) for param in params]
        tparams = [scope.claim(f"A{index}") for index in range(len(params))]
        return [CppParam(ident, tparam, cpp_type(param["type"]),
                         bool(param.get("has_default", False)),
                         cpp_wrapper_type(param["type"], self.handles),
                         param["type"]["kind"] == "object_ref")
                for ident, tparam, param in zip(idents, tparams, params)]

    def _cpp_callable(self, declaration: Mapping[str, Any], wire_name: str, ident: str,
                      function: str, display: str, result: Optional[Type], doc: str,
                      call: Optional[str] = None, self_type: Optional[str] = None
                      ) -> CppCallable:
        """``display`` names the user's function in messages (``::Tasks::Add``, whatever
        expression ``function`` registers it with). ``call`` is what calls it
        (``::Tasks::Add``, or a member name called on ``self_type``): the shorter calls
        that defaults allow use it."""
        params = self._cpp_params(declaration["params"], Scope(CPP))
        types = [param["type"] for param in declaration["params"]]
        if result is not None:
            types.append(result)
        missing = self._invisible(types)
        return CppCallable(
            name=wire_name, ident=ident, params=params,
            future=cpp_future(result, self.handles) if result is not None else "",
            doc=_doc_lines(doc),
            check_params=True,
            checked_params=[cpp_type(param["type"]) for param in declaration["params"]],
            checked_result=cpp_type(result) if result is not None else None,
            function=function,
            display=display,
            wrapped=not missing,
            not_wrapped_because=(", ".join(missing) + " cannot be named from a header: "
                                 "declare it in a header the scan reads") if missing else "",
            shorter=(_shorter_calls(params, call, self_type, _is_generator(result))
                     if call else []),
            source=_location_file(declaration),
            stream=_is_generator(result),
            concurrency_group=declaration.get("concurrency_group"))

    def cpp(self) -> CppModel:
        idl = self.idl
        namespace = Scope(CPP)
        namespace.reserve(CPP_DETAIL, "goray", "std", "msgpack")
        for type_ in self._all_types():
            namespace.reserve_all(unqualified_identifiers(cpp_type(type_)))
        task_idents = [namespace.claim(task["name"]) for task in idl["tasks"]]
        actor_idents = [namespace.claim(actor["name"]) for actor in idl["actors"]]
        handle_idents = [namespace.claim(ident + "Handle") for ident in actor_idents]
        self.handles = {actor["name"]: f"::{cpp_identifier(self.name)}::{handle}"
                        for actor, handle in zip(idl["actors"], handle_idents)}

        tasks = []
        for task, ident in zip(idl["tasks"], task_idents):
            tasks.append(self._cpp_callable(
                task, task["name"], ident, _task_function(task),
                f"{task['owner']}::{task['name']}", task["result"], task["doc"],
                call=_member_call(task["owner"], task["name"], task["static"])))
        actors = []
        for actor, ident, handle in zip(idl["actors"], actor_idents, handle_idents):
            construction = actor["construction"]
            if construction["kind"] == "factory":
                registration = f"&{construction['owner']}::{construction['function']}"
                builder = self._cpp_callable(
                    actor, actor["name"], ident, registration, registration[1:], None,
                    actor["doc"],
                    call=_member_call(construction["owner"], construction["function"],
                                      construction["static"]))
            else:
                def constructor(count: int) -> str:
                    arguments = "".join(", " + cpp_type(p["type"])
                                        for p in actor["params"][:count])
                    return f"&::goray::Constructor<{actor['class']}{arguments}>::Create"
                registration = constructor(len(actor["params"]))
                builder = self._cpp_callable(actor, actor["name"], ident, registration,
                                             registration[1:], None, actor["doc"])
                builder.check_params = False
                # make_unique with fewer arguments: the constructor's defaults apply.
                builder.shorter = [constructor(count) for count in
                                   range(builder.required, len(actor["params"]))]
            class_scope = Scope(CPP)
            class_scope.reserve(handle, CPP_DETAIL, *HANDLE_MEMBERS)
            for method in actor["methods"]:
                for type_ in _signature_types(method):
                    class_scope.reserve_all(unqualified_identifiers(cpp_type(type_)))
            methods = []
            for method in actor["methods"]:
                method_ident = class_scope.claim(method["name"])
                methods.append(self._cpp_callable(
                    method, method["name"], method_ident,
                    f"&{actor['class']}::{method['name']}",
                    f"{actor['class']}::{method['name']}", method["result"], method["doc"],
                    call=method["name"], self_type=actor["class"]))
            actors.append(CppActor(
                name=actor["name"], ident=ident, handle=handle, class_name=actor["class"],
                registration=registration, construction=builder, methods=methods,
                doc=_doc_lines(actor["doc"]), wrapped=builder.wrapped,
                not_wrapped_because=builder.not_wrapped_because,
                converts_to_handle_of=(actor["class"] in self._handle_of_classes() and
                                       self._class_in_header(actor)),
                thread_safe=bool(actor.get("thread_safe", False)),
                concurrency_groups=_groups(actor)))

        structs_h: List[CppStruct] = []
        structs_cpp: List[CppStruct] = []
        for struct in idl["structs"]:
            view = CppStruct(struct["name"], _type_name(struct["name"]),
                             [CppField(f["name"]) for f in struct["fields"]])
            (structs_h if struct["name"] in self.visible else structs_cpp).append(view)
        enums_h: List[CppEnum] = []
        enums_cpp: List[CppEnum] = []
        for enum in idl["enums"]:
            view_enum = CppEnum(enum["name"], _type_name(enum["name"]))
            (enums_h if enum["name"] in self.visible else enums_cpp).append(view_enum)

        init = idl["init_options"]
        namespace_name = cpp_identifier(self.name)
        driver = idl["driver"]
        sources = [source for source in idl["sources"] if not is_header(source)]
        sources += [source for source in self.unscanned if source not in sources]
        units = []
        for source in sources:
            unit_tasks = [task for task in tasks if task.source == source]
            unit_actors = [actor for actor in actors if actor.construction.source == source]
            reached = _closure(self._unit_refs(source), {
                struct["name"]: struct for struct in idl["structs"]})
            units.append(CppUnit(
                source=source, file=unit_file(self.name, source),
                function=f"Register_{unit_key(source)}",
                structs=[s for s in structs_cpp if s.name in reached],
                enums=[e for e in enums_cpp if e.name in reached],
                tasks=unit_tasks, actors=unit_actors,
                driver=driver["name"] if driver and _location_file(driver) == source
                else None))
        in_units = {id(c) for unit in units for c in unit.tasks + unit.actors}
        return CppModel(
            namespace=namespace_name,
            header_file=f"{self.name}.goray.h",
            header_includes=header_includes(idl),
            header_structs=structs_h, source_structs=structs_cpp,
            header_enums=enums_h,
            tasks=tasks, actors=actors,
            init_options=init["text"] if init else None,
            units=units,
            table_tasks=[task for task in tasks if id(task) not in in_units],
            table_actors=[actor for actor in actors if id(actor) not in in_units],
            table_driver=driver["name"] if driver and _location_file(driver) not in sources
            else None,
            uses_handles=any(True for type_ in self._signatures()
                             for _ in _handle_classes(type_)))

    def _handle_of_classes(self) -> Set[str]:
        """The classes some goray::ActorHandleOf<Actor> names (in signatures or fields)."""
        classes: Set[str] = set()
        types = list(self._signatures())
        types += [f["type"] for struct in self.idl["structs"] for f in struct["fields"]]
        for type_ in types:
            classes.update(handle["class"] for handle in _handle_classes(type_))
        return classes

    def _class_in_header(self, actor: Mapping[str, Any]) -> bool:
        """Whether the generated header sees the actor type's class: a GORAY_ACTOR class
        declared in a scanned header, or a class one of whose own methods is."""
        headers = {source for source in self.idl["sources"] if is_header(source)}
        if actor["construction"]["kind"] == "constructor":
            return _location_file(actor) in headers
        return any(method.get("declaring_class") == actor["class"] and
                   _location_file(method) in headers for method in actor["methods"])

    def _unit_refs(self, source: str) -> List[str]:
        """The structs and enums the registrations of one source file reach directly,
        and those it declares."""
        refs: List[str] = []
        for task in self.idl["tasks"]:
            if _location_file(task) == source:
                for type_ in _signature_types(task):
                    refs.extend(type_refs(type_))
        for actor in self.idl["actors"]:
            if _location_file(actor) == source:
                for param in actor["params"]:
                    refs.extend(type_refs(param["type"]))
                for method in actor["methods"]:
                    for type_ in _signature_types(method):
                        refs.extend(type_refs(type_))
        for declaration in self.idl["structs"] + self.idl["enums"]:
            if _location_file(declaration) == source:
                refs.append(declaration["name"])
        return refs

    def _signatures(self) -> Iterable[Type]:
        """Every parameter and result type of the tasks, actor types and methods."""
        for task in self.idl["tasks"]:
            yield from _signature_types(task)
        for actor in self.idl["actors"]:
            yield from (param["type"] for param in actor["params"])
            for method in actor["methods"]:
                yield from _signature_types(method)

    def _all_types(self) -> Iterable[Type]:
        for task in self.idl["tasks"]:
            yield from _signature_types(task)
        for actor in self.idl["actors"]:
            yield from (param["type"] for param in actor["params"])

    # -- Python --

    def _py_params(self, params: List[Mapping[str, Any]], types: PyTypes) -> List[PyParam]:
        """Parameters of a stub method (after ``self``), positional-only."""
        scope = Scope(PYTHON)
        scope.reserve("self")
        return [PyParam(scope.claim(param["name"]), types.value(param["type"], incoming=True),
                        types.remote_arg(param["type"]), bool(param.get("has_default", False)))
                for param in params]

    def py(self) -> PyModel:
        idl = self.idl
        module = Scope(PYTHON)
        module.reserve(*PY_RESERVED)
        task_attrs = [module.claim(task["name"]) for task in idl["tasks"]]
        actor_attrs = [module.claim(actor["name"]) for actor in idl["actors"]]
        local_attr = module.claim("local")
        short = _short_names([s["name"] for s in idl["structs"]] +
                             [e["name"] for e in idl["enums"]])

        def type_name(qualified: str) -> str:
            # The short name; if a task or actor took it, the qualified one (geo_Point).
            wanted = short[qualified]
            if PYTHON.escape(wanted) in module.taken:
                wanted = _type_name(qualified).replace("::", "_")
            return module.claim(wanted)

        struct_names = {s["name"]: type_name(s["name"]) for s in idl["structs"]}
        enum_names = {e["name"]: type_name(e["name"]) for e in idl["enums"]}
        actor_attr_of = {actor["name"]: attr for actor, attr in zip(idl["actors"], actor_attrs)}
        handle_classes: Dict[str, str] = {}

        def handle_class(actor_name: str) -> str:
            # Claimed when first named (by a signature, or by the actor type itself below).
            if actor_name not in handle_classes:
                handle_classes[actor_name] = module.claim(f"_Handle_{actor_attr_of[actor_name]}")
            return handle_classes[actor_name]

        types = PyTypes(struct_names, handle_class)
        runtime_types = PyTypes(struct_names)  # the .py: no handle classes there

        def item(result: Type) -> Optional[str]:
            return py_display(types.value(result["element"])) if _is_generator(result) else None

        tasks = []
        for task, attr in zip(idl["tasks"], task_attrs):
            result = types.value(task["result"])
            tasks.append(PyTask(task["name"], attr, module.claim(f"_Task_{attr}"),
                                self._py_params(task["params"], types),
                                result, task["doc"], _remote_result(task["result"], types),
                                item(task["result"])))
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
                methods.append(PyMethod(
                    method["name"], method_attr,
                    module.claim(f"_Method_{attr}_{method_attr}"),
                    self._py_params(method["params"], types),
                    result, method["doc"],
                    local_scope.claim(method["name"]) if reachable else None,
                    _remote_result(method["result"], types), item(method["result"]),
                    method.get("concurrency_group")))
            actors.append(PyActor(actor["name"], attr, cls, handle_cls, local_cls,
                                  self._py_params(actor["params"], types), methods,
                                  actor["doc"], bool(actor.get("thread_safe", False)),
                                  _groups(actor)))
        local_cls = module.claim("_Local")

        structs = []
        for struct in idl["structs"]:
            fields = [PyField(f["name"], types.value(f["type"]), f["doc"],
                              runtime_types.value(f["type"]))
                      for f in struct["fields"]]
            class_syntax = all(PYTHON.is_identifier(f.key) and not f.key.startswith("_")
                               for f in fields)
            structs.append(PyStruct(struct_names[struct["name"]], _type_name(struct["name"]),
                                    fields, class_syntax, struct["doc"]))
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
            enums.append(PyEnum(enum_names[enum["name"]], _type_name(enum["name"]), members,
                                enum["doc"]))

        exported = (task_attrs + actor_attrs + [local_attr] + list(struct_names.values()) +
                    list(enum_names.values()))
        structs_use_numpy = any(uses_arrays(f["type"]) for struct in idl["structs"]
                                for f in struct["fields"])
        signatures_use_numpy = any(uses_arrays(type_) for type_ in self._signatures())
        structs_use_ray = any(uses_refs(f["type"]) for struct in idl["structs"]
                              for f in struct["fields"])
        streams = any(task.item is not None for task in tasks) or any(
            method.item is not None for actor in actors for method in actor.methods)
        return PyModel(tasks, actors, structs, enums, local_attr, local_cls, exported,
                       streams=streams,
                       uses_numpy=structs_use_numpy or signatures_use_numpy,
                       structs_use_numpy=structs_use_numpy, structs_use_ray=structs_use_ray,
                       takes_unresolved=any(
                           param["type"]["kind"] == "object_ref"
                           for callable_ in idl["tasks"] + idl["actors"] +
                           [m for a in idl["actors"] for m in a["methods"]]
                           for param in callable_["params"]))


class NamespaceClash(ValueError):
    """The user's code declares something in (or as) the generated namespace."""


def _declarations(idl: Idl) -> Iterable[tuple[str, str, Mapping[str, Any]]]:
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


def generated_names(model: "Model") -> Dict[str, str]:
    """The names the generated header declares directly in its namespace, each with
    what it is (for messages)."""
    names = {CPP_DETAIL: "goray's helpers"}
    for task in model.cpp.tasks:
        names[task.ident] = f"the wrapper of task {task.name}"
    for actor in model.cpp.actors:
        names[actor.ident] = f"the wrapper of actor type {actor.name}"
        names[actor.handle] = f"the typed handle of actor type {actor.name}"
    return names


def check_namespace(idl: Idl, model: "Model") -> None:
    """Refuses outputs whose generated names would clash with the user's: a class,
    enum or function ``::NAME`` (the wrappers' ``namespace NAME`` cannot be declared
    beside it), or a declaration ``NAME::X`` where the header declares ``X`` itself
    (a wrapper ``NAME::Corpus()`` would hide the class ``NAME::Corpus``). A user
    namespace NAME holding other names is fine: the wrappers join it."""
    name = model.name
    namespace = model.cpp.namespace
    generated = generated_names(model)
    errors = []
    seen: Set[str] = set()
    for what, qualified, declaration in _declarations(idl):
        components = _type_name(qualified).split("::")
        if components[0] != namespace or qualified in seen:
            continue
        if len(components) > 1 and components[1] not in generated:
            continue
        seen.add(qualified)
        location = declaration.get("location")
        where = (f"{location['file']}:{location['line']}:{location['column']}: "
                 if location else "")
        if len(components) > 1:
            clash = (f"{what} {_type_name(qualified)} is declared in namespace {namespace}, "
                     f"where the generated header declares {namespace}::{components[1]}, "
                     f"{generated[components[1]]}")
        else:
            clash = (f"{what} {namespace} is declared, which is also the namespace of the "
                     f"generated C++ wrappers")
        errors.append(
            f"{where}error: {clash} (outputs named '{name}'): the two would clash. Name the "
            f"outputs differently (goray-gen --name {name}_app, or "
            f"goray_add_app(<target> NAME {name}_app ...)) or rename "
            f"{'your declaration' if len(components) > 1 else 'it'}")
    if errors:
        raise NamespaceClash("\n".join(errors))


def build_model(idl: Idl, name: str, unscanned: Sequence[str] = ()) -> Model:
    """The view model of ``idl`` for outputs named ``name``; ``unscanned``: source files
    (from the root) given but not scanned (no annotations), which get units too."""
    builder = _Builder(idl, name, unscanned)
    generator = idl["generator"]
    init = idl["init_options"]
    return Model(
        name=name, tool=version.TOOL, version=version.VERSION,
        runtime_major=version.RUNTIME_MAJOR, runtime_minor=version.RUNTIME_MINOR,
        idl_version=idl["idl_version"],
        scanner=f"{generator['name']} {generator['version']}",
        sources=list(idl["sources"]), cpp=builder.cpp(), py=builder.py(),
        has_driver=idl["driver"] is not None,
        init_options_text=init["text"] if init else None,
        summary={"tasks": len(idl["tasks"]), "actors": len(idl["actors"]),
                 "structs": len(idl["structs"]), "enums": len(idl["enums"])})
