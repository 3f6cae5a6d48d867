"""Python spellings of IDL types for the stubs (model_python's PyTypes), and the shapes of
the user structs as TypedDicts.

A struct is one TypedDict, every key required, when it has no ``std::optional`` field
(directly or in a struct it holds): what a call takes and what a result gives are the
same. A struct with one has two: ``Point``, what results give (total: every key is there,
an optional field as None), and ``PointIn``, what a call takes (its optional fields
``NotRequired``). A parameter takes either (``PointIn | Point``), so a result goes back
into a call as it came.

Tests: tests/renderers/test_gen_user_typing.py
"""

from __future__ import annotations

from typing import Callable, Iterable, List, Mapping, Optional, Set

from .model_shared import Type

__all__ = ["NUMPY_SCALARS", "PyTypes", "handle_free", "union", "union_members", "struct_refs",
           "structs_needing_inputs", "uses_arrays", "uses_arrow", "uses_refs", "value_ext_imports"]

# NumPy's scalar type of each dtype the IDL names.
NUMPY_SCALARS = {"bool": "bool_", "int8": "int8", "int16": "int16", "int32": "int32",
                 "int64": "int64", "uint8": "uint8", "uint16": "uint16", "uint32": "uint32",
                 "uint64": "uint64", "float32": "float32", "float64": "float64",
                 "complex64": "complex64", "complex128": "complex128"}

_CONTAINERS = ("vector", "array", "list", "deque", "set", "unordered_set")


def _inner(type_: Type) -> List[Type]:
    """The types a type holds directly (elements, keys, values), not through refs."""
    if type_["kind"] == "object_ref":
        return []
    inner = [type_[key] for key in ("element", "key", "value") if isinstance(type_.get(key), dict)]
    return inner + list(type_.get("elements", [])) + list(type_.get("alternatives", []))


# The imports the spellings of the value types without a builtin name need (the kinds
# complex, path and duration), under the stubs' `_` names.
_VALUE_EXT_IMPORTS = {
    "complex": ("from builtins import complex as _complex",),
    "duration": ("from datetime import timedelta as _timedelta",),
    "path": ("from os import PathLike as _PathLike", "from pathlib import Path as _Path"),
}


def _kinds(type_: Type) -> Set[str]:
    found = {type_["kind"]}
    for inner in _inner(type_):
        found |= _kinds(inner)
    if type_["kind"] == "object_ref" and isinstance(type_.get("value"), dict):
        found |= _kinds(type_["value"])
    return found


def value_ext_imports(types: Iterable[Type]) -> List[str]:
    """The import lines the stubs need for ``types`` (every signature's and field's),
    sorted."""
    kinds: Set[str] = set()
    for type_ in types:
        kinds |= _kinds(type_)
    return sorted(line for kind in kinds for line in _VALUE_EXT_IMPORTS.get(kind, ()))


def uses_arrays(type_: Type) -> bool:
    """Whether the type is or holds an array (through containers, not struct fields)."""
    return type_["kind"] == "ndarray" or any(uses_arrays(t) for t in _inner(type_))


def _views_strings(type_: Type) -> bool:
    """A std::vector<std::string_view> (or of optionals of them): a parameter reading a
    column too."""
    element = type_.get("element") if type_["kind"] == "vector" else None
    if isinstance(element, dict) and element["kind"] == "optional":
        element = element.get("element")
    return isinstance(element, dict) and element["kind"] == "string_view"


def uses_arrow(type_: Type) -> bool:
    """Whether the type is or holds a string or binary column (pyarrow in Python), or is a
    vector of string views (which takes one)."""
    return (type_["kind"] == "column" or _views_strings(type_)
            or any(uses_arrow(t) for t in _inner(type_)))


def uses_refs(type_: Type) -> bool:
    """Whether the type is or holds an ObjectRef (through containers, not struct fields)."""
    if type_["kind"] == "object_ref":
        return True
    return any(uses_refs(t) for t in _inner(type_))


def struct_refs(type_: Type) -> Set[str]:
    """The structs a value of the type holds (through containers and optionals; not what
    a ref's value would be)."""
    found = {type_["ref"]} if type_["kind"] == "struct" else set()
    for inner in _inner(type_):
        found |= struct_refs(inner)
    return found


def structs_needing_inputs(structs: List[Mapping]) -> Set[str]:
    """The structs (qualified names) whose input shape differs from their result shape:
    those with an optional field, or holding such a struct."""
    needing: Set[str] = set()
    changed = True
    while changed:
        changed = False
        for struct in structs:
            if struct["name"] in needing:
                continue
            if any(f["type"]["kind"] == "optional" or struct_refs(f["type"]) & needing
                   for f in struct["fields"]):
                needing.add(struct["name"])
                changed = True
    return needing


def union_members(spelled: str) -> List[str]:
    """The members of a spelled type union, split at bracket depth 0."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(spelled):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and spelled.startswith(" | ", index):
            members.append(spelled[start:index])
            start = index + 3
    members.append(spelled[start:])
    return members


def union(*spelled: str) -> str:
    """The union of spelled types, each member once, None last."""
    members: List[str] = []
    for one in spelled:
        members.extend(m for m in union_members(one) if m not in members)
    if "None" in members:
        members.remove("None")
        members.append("None")
    return " | ".join(members)


class PyTypes:
    """Python spellings of IDL types, through the stub's ``_``-aliased imports."""

    def __init__(self, struct_names: Mapping[str, str], enum_names: Mapping[str, str],
                 input_names: Optional[Mapping[str, str]] = None,
                 handle_names: Optional[Callable[[str], str]] = None) -> None:
        self.struct_names = struct_names
        self.enum_names = enum_names
        # Struct -> its input shape's TypedDict, for those that have one.
        self.input_names: Mapping[str, str] = input_names or {}
        # Actor type name -> the .pyi class of its handles; None: handles are Any (the .py).
        self.handle_names = handle_names

    def value(self, type_: Type) -> str:
        """A value of the type as Python receives it (a result)."""
        return self._spell(type_, incoming=False, inputs=False)

    def accepted(self, type_: Type) -> str:
        """What a Python caller may pass for the type: its input spelling (input shapes of
        structs, tuples for pairs, buffers for arrays) or, where that names an input
        shape, the same with the result shapes (a value a result gave)."""
        given = self._spell(type_, incoming=True, inputs=True)
        as_result = self._spell(type_, incoming=True, inputs=False)
        return given if given == as_result else union(given, as_result)

    def remote_arg(self, type_: Type) -> str:
        """A remote call's argument: the value or a ray.ObjectRef holding one. Ray
        resolves a ref given at the top level, so a ref parameter (goray::ObjectRef,
        goray::Future) takes the ref wrapped in goray.Unresolved, or a ray.ObjectRef whose
        value is the ref."""
        if type_["kind"] == "object_ref":
            return f"_goray.Unresolved | _ray.ObjectRef[{self.value(type_)}]"
        return f"{self.accepted(type_)} | _ray.ObjectRef[{self.value(type_)}]"

    def _spell(self, type_: Type, incoming: bool, inputs: bool) -> str:
        kind = type_["kind"]

        def spell(inner: Type) -> str:
            return self._spell(inner, incoming, inputs)

        if kind == "bool":
            return "_bool"
        if kind == "int":
            return "_int"
        if kind == "enum":
            return self.enum_names[type_["ref"]]
        if kind == "float":
            return "_float"
        if kind == "string":
            return "_str"
        if kind == "bytes":
            return "_bytes"
        if kind == "column":
            # goray reads any Arrow exporter of strings or bytes, and a list; it gives a
            # pyarrow array (past 2 GiB of data, its large_ twin).
            text = type_["values"] == "string"
            if incoming:
                items = "_str | None" if text else "_bytes | _str | None"
                return f"_pyarrow.Array | _pyarrow.ChunkedArray | _list[{items}]"
            return "_pyarrow.StringArray" if text else "_pyarrow.BinaryArray"
        if kind == "vector" and incoming and _views_strings(type_):
            return f"_list[{spell(type_['element'])}] | _pyarrow.Array | _pyarrow.ChunkedArray"
        if kind in _CONTAINERS:
            return f"_list[{spell(type_['element'])}]"
        if kind == "pair":
            first, second = (spell(e) for e in type_["elements"])
            either = union(first, second)
            if incoming:
                return f"_tuple[{first}, {second}] | _list[{either}]"
            return f"_list[{either}]"
        if kind in ("map", "unordered_map"):
            return f"_dict[{spell(type_['key'])}, {spell(type_['value'])}]"
        if kind == "optional":
            return union(spell(type_["element"]), "None")
        if kind == "time_point":
            return "_datetime"
        if kind == "complex":
            return "_complex"
        if kind == "path":
            # goray takes a str or any os.PathLike (its fspath), and gives a pathlib.Path.
            return "_str | _PathLike[_str]" if incoming else "_Path"
        if kind == "duration":
            return "_timedelta"
        if kind == "string_view":
            return "_str"
        if kind == "monostate":
            return "None"
        if kind == "variant":
            return union(*(spell(alternative) for alternative in type_["alternatives"]))
        if kind == "value":
            return "_Any"
        if kind == "struct":
            ref = type_["ref"]
            return self.input_names.get(ref, self.struct_names[ref]) if inputs \
                else self.struct_names[ref]
        if kind == "tuple":
            # A result: no value is None, one value is itself, several arrive as a list
            # (list[T] when they share a type).
            elements = [spell(e) for e in type_["elements"]]
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


def handle_free(types: PyTypes) -> PyTypes:
    """The same spellings with actor handles as Any (the .py, where the .pyi's handle
    classes do not exist)."""
    return PyTypes(types.struct_names, types.enum_names, types.input_names)

