"""The C++ view model: what goray.h.j2, goray.cpp.j2 and unit.cpp.j2 render.

From the IDL and the outputs' name it decides the C++ names (the namespace, wrappers,
typed handles, each through goray.gen.naming's scopes so nothing collides), which
declarations the generated header can see (and so which calls get a typed wrapper),
how generated code spells each type, and which translation unit registers what.

Tests: tests/renderers/test_gen_naming.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from .eigen import eigen_plain, is_eigen, uses_eigen
from .idl import Idl, inner_types, type_refs
from .model_shared import (Type, actor_options_json, concurrency_groups, idl_signatures,
                           is_generator, is_header,
                           signature_types, type_name)
from .naming import CPP, Scope, cpp_identifier, qualify_std, unit_file, unit_key, \
    unqualified_identifiers
from .parameters import parameter_pieces

__all__ = ["CppParam", "CppField", "CppStruct", "CppEnum", "CppCallable", "CppActor",
           "CppUnit", "CppModel", "build_cpp_model", "header_includes",
           "header_visible_types", "cpp_type", "generated_names", "CPP_DETAIL"]

CPP_DETAIL = "goray_detail"
# What every typed handle class declares besides the method wrappers.
HANDLE_MEMBERS = ("kThreadSafe", "kConcurrencyGroups", "ConcurrencyGroupOf")


# ---- The records the templates read ----------------------------------------------------

@dataclass
class CppParam:
    ident: str          # the wrapper's parameter name
    tparam: str         # its template parameter (deduced argument type)
    type: str           # the value type, spelled for generated code
    has_default: bool = False
    # What the typed wrapper takes: the value type, but goray::Array<T> for every array
    # parameter (ArrayView<T>, std::span<const T>): an Array, a view, or a Future of an
    # Array from another task; and the Eigen::Matrix (or Array) M for an Eigen::Ref<const
    # M> or Eigen::Map<const M> parameter.
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
    # The typed entries' spellings: checked_params / checked_result, with
    # ::goray::python::Unnamed for each type the header cannot name.
    entry_params: List[str] = field(default_factory=list)
    entry_result: Optional[str] = None
    # Default arguments: the calls with fewer arguments (shortest first), each a
    # callable the registry gets after `function` that calls the user's function in
    # its own context, so C++ evaluates the defaults as written.
    shorter: List[str] = field(default_factory=list)
    source: Optional[str] = None  # the file that declares it (from the sources' root)
    # A goray::Generator<T> result: the wrapper's call streams (Remote() gives a
    # goray::Stream of `future`, the future of one item).
    stream: bool = False
    concurrency_group: Optional[str] = None  # a method's GORAY_IN_GROUP
    # A task's goray::TaskOf descriptor for goray::Map (NAME::SquareTask), "" for none.
    map_ident: str = ""

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
    deployment: str               # the typed Serve client class: NAME::CounterDeployment
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
    # GORAY_ACTOR_OPTIONS, as compact JSON (the registry's Options()), or None.
    options: Optional[str] = None

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
    # The parameters' names and constant defaults as JSON pieces (gen/parameters.py).
    parameters: List[str] = field(default_factory=list)
    # Whether a signature or field is or holds an Eigen type: the header includes
    # <goray/eigen.h> (Eigen's codecs), which no other application needs.
    uses_eigen: bool = False


# ---- Visibility from the generated header ---------------------------------------------

def _location_file(declaration: Mapping[str, Any]) -> Optional[str]:
    location = declaration.get("location")
    return location["file"] if location else None


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
            for type_ in signature_types(task):
                roots.extend(type_refs(type_))
    for actor in idl["actors"]:
        actor_in_header = in_scanned_header(actor)
        if actor_in_header:
            for param in actor["params"]:
                roots.extend(type_refs(param["type"]))
        for method in actor["methods"]:
            if in_scanned_header(method) if "location" in method else actor_in_header:
                for type_ in signature_types(method):
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
    form as ``goray::Array<T>`` (see goray.h.j2's ValueFor: a view converts too), an Eigen
    one as its Eigen::Matrix or Eigen::Array (any Eigen expression converts to it)."""
    if is_eigen(type_):
        return qualify_std(eigen_plain(type_))
    if type_["kind"] == "ndarray":
        return f"::goray::Array<{qualify_std(type_['element'])}>"
    return cpp_header_type(type_, handles)


def cpp_future(result: Type, handles: Mapping[str, str]) -> str:
    """The future of a call's results; of one item for a goray::Generator<T>; of a
    std::string for a std::string_view."""
    kind = result["kind"]
    if kind == "generator":
        return "::goray::Future<" + cpp_header_type(result["element"], handles) + ">"
    if kind == "void":
        return "::goray::Future<>"
    if kind == "string_view":  # the caller gets its own copy of the viewed bytes
        return "::goray::Future<::std::string>"
    if kind == "tuple":
        return "::goray::Future<" + ", ".join(cpp_header_type(e, handles)
                                             for e in result["elements"]) + ">"
    return "::goray::Future<" + cpp_header_type(result, handles) + ">"


# ---- Building --------------------------------------------------------------------------

def _doc_lines(text: str) -> List[str]:
    return text.split("\n") if text else []


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


def _holds_handles(type_: Optional[Type]) -> bool:
    """Whether a type is or holds a ref or an actor handle (whose classes the header may not
    see, and which a map would not take item by item)."""
    if not isinstance(type_, dict):
        return False
    if type_.get("kind") in ("object_ref", "actor_handle"):
        return True
    return any(_holds_handles(t) for t in inner_types(type_))


def _mappable(task: Mapping[str, Any]) -> bool:
    """Whether a task gets a goray::TaskOf descriptor for goray::Map: it takes parameters,
    does not stream nor return a std::string_view (goray::Map would decode views of
    freed replies), and neither they nor its result hold refs or actor handles."""
    return (bool(task["params"]) and not is_generator(task["result"]) and
            task["result"]["kind"] != "string_view" and
            not any(_holds_handles(param["type"]) for param in task["params"]) and
            not _holds_handles(task["result"]))


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


class _CppBuilder:
    """Builds the C++ view model once; ``visible`` and ``handles`` are what every
    callable's wrapper needs to know (which types the header can name, and how)."""

    def __init__(self, idl: Idl, name: str, unscanned: Sequence[str] = (),
                 namespace: Optional[str] = None) -> None:
        self.idl = idl
        self.name = name
        self.namespace = namespace or cpp_identifier(name)
        self.unscanned = list(unscanned)
        self.visible = header_visible_types(idl)
        self.handles: Dict[str, str] = {}  # actor type name -> its generated C++ handle

    def _invisible(self, types: Iterable[Type]) -> List[str]:
        """The structs and enums among ``types`` the header cannot name."""
        structs = {struct["name"]: struct for struct in self.idl["structs"]}
        missing = []
        for type_ in types:
            for ref in sorted(_closure(type_refs(type_), structs)):
                if ref not in self.visible and ref not in missing:
                    missing.append(ref)
        return missing

    def _entry_type(self, type_: Type) -> str:
        if not self._invisible([type_]):
            return cpp_type(type_)
        if type_["kind"] == "generator":  # its items cross packed
            return "::goray::Generator<::goray::python::Unnamed>"
        return "::goray::python::Unnamed"

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
            entry_params=[self._entry_type(type_) for type_ in types[:len(params)]],
            entry_result=self._entry_type(result) if result is not None else None,
            function=function,
            display=display,
            wrapped=not missing,
            not_wrapped_because=(", ".join(missing) + " cannot be named from a header: "
                                 "declare it in a header the scan reads") if missing else "",
            shorter=(_shorter_calls(params, call, self_type, is_generator(result))
                     if call else []),
            source=_location_file(declaration),
            stream=is_generator(result),
            concurrency_group=declaration.get("concurrency_group"))

    def build(self) -> CppModel:
        idl = self.idl
        namespace = Scope(CPP)
        namespace.reserve(CPP_DETAIL, "goray", "std", "msgpack")
        for type_ in self._all_types():
            namespace.reserve_all(unqualified_identifiers(cpp_type(type_)))
        task_idents = [namespace.claim(task["name"]) for task in idl["tasks"]]
        actor_idents = [namespace.claim(actor["name"]) for actor in idl["actors"]]
        handle_idents = [namespace.claim(ident + "Handle") for ident in actor_idents]
        deployment_idents = [namespace.claim(ident + "Deployment") for ident in actor_idents]
        map_idents = [namespace.claim(ident + "Task") for ident in task_idents]
        self.handles = {actor["name"]: f"::{self.namespace}::{handle}"
                        for actor, handle in zip(idl["actors"], handle_idents)}

        tasks = []
        for task, ident, map_ident in zip(idl["tasks"], task_idents, map_idents):
            callable_ = self._cpp_callable(
                task, task["name"], ident, _task_function(task),
                f"{task['owner']}::{task['name']}", task["result"], task["doc"],
                call=_member_call(task["owner"], task["name"], task["static"]))
            if _mappable(task):
                callable_.map_ident = map_ident
            tasks.append(callable_)
        actors = []
        for actor, ident, handle, deployment in zip(idl["actors"], actor_idents, handle_idents,
                                                    deployment_idents):
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
                for type_ in signature_types(method):
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
                name=actor["name"], ident=ident, handle=handle, deployment=deployment,
                class_name=actor["class"],
                registration=registration, construction=builder, methods=methods,
                doc=_doc_lines(actor["doc"]), wrapped=builder.wrapped,
                not_wrapped_because=builder.not_wrapped_because,
                converts_to_handle_of=(actor["class"] in self._handle_of_classes() and
                                       self._class_in_header(actor)),
                thread_safe=bool(actor.get("thread_safe", False)),
                concurrency_groups=concurrency_groups(actor),
                options=actor_options_json(actor)))

        structs_h: List[CppStruct] = []
        structs_cpp: List[CppStruct] = []
        for struct in idl["structs"]:
            view = CppStruct(struct["name"], type_name(struct["name"]),
                             [CppField(f["name"]) for f in struct["fields"]])
            (structs_h if struct["name"] in self.visible else structs_cpp).append(view)
        enums_h: List[CppEnum] = []
        enums_cpp: List[CppEnum] = []
        for enum in idl["enums"]:
            view_enum = CppEnum(enum["name"], type_name(enum["name"]))
            (enums_h if enum["name"] in self.visible else enums_cpp).append(view_enum)

        init = idl["init_options"]
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
            namespace=self.namespace,
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
            uses_handles=any(True for type_ in idl_signatures(self.idl)
                             for _ in _handle_classes(type_)),
            parameters=parameter_pieces(idl),
            uses_eigen=uses_eigen(idl))

    def _handle_of_classes(self) -> Set[str]:
        """The classes some goray::ActorHandleOf<Actor> names (in signatures or fields)."""
        classes: Set[str] = set()
        types = list(idl_signatures(self.idl))
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
                for type_ in signature_types(task):
                    refs.extend(type_refs(type_))
        for actor in self.idl["actors"]:
            if _location_file(actor) == source:
                for param in actor["params"]:
                    refs.extend(type_refs(param["type"]))
                for method in actor["methods"]:
                    for type_ in signature_types(method):
                        refs.extend(type_refs(type_))
        for declaration in self.idl["structs"] + self.idl["enums"]:
            if _location_file(declaration) == source:
                refs.append(declaration["name"])
        return refs

    def _all_types(self) -> Iterable[Type]:
        """The tasks' and constructions' types: the wrappers' namespace leaves their
        names to them."""
        for task in self.idl["tasks"]:
            yield from signature_types(task)
        for actor in self.idl["actors"]:
            yield from (param["type"] for param in actor["params"])


def build_cpp_model(idl: Idl, name: str, unscanned: Sequence[str] = (),
                    namespace: Optional[str] = None) -> CppModel:
    """The C++ view model of ``idl`` for outputs named ``name``; ``unscanned``: source
    files (from the root) given but not scanned, which get units too; ``namespace``: the
    wrappers' C++ namespace (naming.cpp_namespace's; default: ``name`` as an identifier)."""
    return _CppBuilder(idl, name, unscanned, namespace).build()


def generated_names(cpp: CppModel) -> Dict[str, str]:
    """The names the generated header declares directly in its namespace, each with
    what it is (for messages)."""
    names = {CPP_DETAIL: "goray's helpers"}
    for task in cpp.tasks:
        names[task.ident] = f"the wrapper of task {task.name}"
    for actor in cpp.actors:
        names[actor.ident] = f"the wrapper of actor type {actor.name}"
        names[actor.handle] = f"the typed handle of actor type {actor.name}"
    return names
