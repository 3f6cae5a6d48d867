"""What both view models (model_cpp, model_python) read from the IDL the same way: which
sources are headers, the types of a signature, generators, concurrency groups, declared
actor options, and a declaration's name without its leading ``::``. Spellings stay in
each target's module.

Tests: tests/renderers/test_gen_golden.py
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from .idl import Idl

__all__ = ["HEADER_EXTENSIONS", "Type", "is_header", "signature_types", "idl_signatures",
           "is_generator", "concurrency_groups", "actor_options", "actor_options_json",
           "type_name"]

# Files the generated header may #include (everything else is compiled through
# NAME.goray.cpp, which includes it).
HEADER_EXTENSIONS = (".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp", ".tcc", ".inc")

Type = Mapping[str, Any]


def is_header(path: str) -> bool:
    return path.lower().endswith(HEADER_EXTENSIONS)


def signature_types(callable_: Mapping[str, Any]) -> Iterable[Type]:
    """The parameter types of a task, actor type or method, then its result (if any)."""
    for param in callable_["params"]:
        yield param["type"]
    if "result" in callable_:
        yield callable_["result"]


def idl_signatures(idl: Idl) -> Iterable[Type]:
    """Every parameter and result type of the tasks, actor types and methods."""
    for task in idl["tasks"]:
        yield from signature_types(task)
    for actor in idl["actors"]:
        yield from (param["type"] for param in actor["params"])
        for method in actor["methods"]:
            yield from signature_types(method)


def is_generator(type_: Optional[Type]) -> bool:
    return type_ is not None and type_["kind"] == "generator"


def actor_options(actor: Mapping[str, Any]) -> Dict[str, Any]:
    """The Ray options GORAY_ACTOR_OPTIONS declares for the actor type ({} if none)."""
    return dict(actor.get("options", {}))


def actor_options_json(actor: Mapping[str, Any]) -> Optional[str]:
    """actor_options as compact JSON with sorted keys, or None when there are none."""
    options = actor_options(actor)
    return json.dumps(options, sort_keys=True, separators=(",", ":")) if options else None


def concurrency_groups(actor: Mapping[str, Any]) -> List[Tuple[str, int]]:
    """An actor type's concurrency groups (none before IDL version 4)."""
    return [(group["name"], group["size"]) for group in actor.get("concurrency_groups", [])]


def type_name(qualified: str) -> str:
    """A declaration's name as its source spells it: ``::geo::Point`` -> ``geo::Point``."""
    return qualified[2:] if qualified.startswith("::") else qualified
