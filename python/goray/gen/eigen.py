"""Eigen's dense types in the IDL: the ndarray forms "eigen" (an Eigen::Matrix or
Eigen::Array, owning), "eigen_ref" and "eigen_map" (Eigen::Ref<const M>, Eigen::Map<const
M>: parameters only, borrowed) of docs/idl.md. Which applications use them (only their
generated C++ includes goray's Eigen support, <goray/eigen.h>), and what each one is.

Tests: tests/renderers/test_gen_eigen.py
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .idl import Idl, inner_types

__all__ = ["EIGEN_FORMS", "is_eigen", "eigen_plain", "eigen_is_vector", "eigen_batches",
           "uses_eigen"]

EIGEN_FORMS = ("eigen", "eigen_ref", "eigen_map")

Type = Mapping[str, Any]


def is_eigen(type_: Type) -> bool:
    """Whether the type is an Eigen dense type itself (not one it holds)."""
    return type_.get("kind") == "ndarray" and type_.get("form") in EIGEN_FORMS


def eigen_plain(type_: Type) -> str:
    """The owning Eigen::Matrix or Eigen::Array of an Eigen type (for an "eigen_ref" or
    "eigen_map", the M it reads), as generated C++ spells it (not yet made global)."""
    return str(type_["eigen"]["spelling"])


def eigen_is_vector(type_: Type) -> bool:
    """Whether Python sees the Eigen type as a 1-D array: a vector (one row or one column
    at compile time). Others are 2-D."""
    shape = type_["eigen"]
    return bool(shape["rows"] == 1 or shape["cols"] == 1)


def eigen_batches(type_: Type) -> bool:
    """Whether a batch of elements fits the Eigen type (goray.serve's batch=): a vector
    of a dynamic size."""
    shape = type_["eigen"]
    return eigen_is_vector(type_) and -1 in (shape["rows"], shape["cols"])


def _holds_eigen(type_: Type) -> bool:
    return is_eigen(type_) or any(_holds_eigen(inner) for inner in inner_types(type_))


def _all_types(idl: Idl) -> Iterable[Type]:
    """Every type the IDL names: parameters, results and struct fields."""
    for task in idl["tasks"]:
        yield from (param["type"] for param in task["params"])
        yield task["result"]
    for actor in idl["actors"]:
        yield from (param["type"] for param in actor["params"])
        for method in actor["methods"]:
            yield from (param["type"] for param in method["params"])
            yield method["result"]
    for struct in idl["structs"]:
        yield from (field["type"] for field in struct["fields"])


def uses_eigen(idl: Idl) -> bool:
    """Whether any signature or struct field is or holds an Eigen type: the generated C++
    then includes goray's Eigen support (an application without pays nothing)."""
    return any(_holds_eigen(type_) for type_ in _all_types(idl))
