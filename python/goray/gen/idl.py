"""Reading the IDL that goray-scan writes (docs/idl.md, generator/idl/idl.schema.json).

The renderers see only this document. A version this generator does not know is
refused, so a newer scanner never produces silently wrong code.

Tests: tests/renderers/test_gen_concurrency.py, tests/renderers/test_gen_eigen.py
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, Mapping

__all__ = ["IDL_VERSION", "READABLE_VERSIONS", "IdlError", "parse_idl", "load_idl",
           "type_refs"]

# The version goray-scan writes. Version 3 added the kinds object_ref and actor_handle;
# version 4 the kind generator and an actor type's thread_safe, concurrency_groups and a
# method's concurrency_group; version 5 the kinds complex, path, duration, string_view,
# variant and monostate; version 6 the ndarray forms eigen, eigen_ref and eigen_map (with
# their "eigen" object). An older IDL has none of them and renders as before (not
# thread-safe, no groups, no generators).
IDL_VERSION = 6
READABLE_VERSIONS = (2, 3, 4, 5, 6)

Idl = Dict[str, Any]

_TOP_LEVEL_KEYS = ("idl_version", "generator", "sources", "tasks", "actors", "driver",
                   "init_options", "structs", "enums")


class IdlError(ValueError):
    """The IDL is not one this generator can render."""


def parse_idl(text: str, origin: str = "the IDL") -> Idl:
    """Parses and checks the IDL's version and top-level shape."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise IdlError(f"{origin} is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise IdlError(f"{origin} is not a JSON object")
    version = document.get("idl_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise IdlError(f"{origin} has idl_version {version!r}; this goray-gen renders "
                       f"versions {', '.join(map(str, READABLE_VERSIONS))}: use the "
                       f"goray-scan of the same release")
    missing = [key for key in _TOP_LEVEL_KEYS if key not in document]
    if missing:
        raise IdlError(f"{origin} lacks {', '.join(missing)}")
    return document


def load_idl(path: str) -> Idl:
    with open(path, encoding="utf-8") as stream:
        return parse_idl(stream.read(), path)


def inner_types(type_: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The types a container type holds directly: its element, key and value, then a
    pair's or tuple's elements, then a variant's alternatives."""
    for key in ("element", "key", "value"):
        inner = type_.get(key)
        if isinstance(inner, dict):
            yield inner
    yield from type_.get("elements", [])
    yield from type_.get("alternatives", [])


def type_refs(type_: Mapping[str, Any]) -> Iterator[str]:
    """The qualified names of the structs and enums a type reaches directly (through
    containers, not through struct fields)."""
    kind = type_["kind"]
    if kind in ("struct", "enum"):
        yield type_["ref"]
    for inner in inner_types(type_):
        yield from type_refs(inner)
