"""The parameters of the application's tasks, actor types and methods as the generated
table gives them to the registry (Registry::SetParameters): their names and constant
defaults, which DescribeApplication answers so Python can take keyword arguments
(docs/protocol.md §13), and where results hold enums ("result_enums": result_enums.py).
One JSON object, cut into pieces (one per task, actor type) that the template writes as
adjacent C++ string literals.

Tests: tests/renderers/test_gen_defaults.py
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Sequence

from .result_enums import result_enums

__all__ = ["parameter_pieces"]


def _param(param: Mapping[str, Any]) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"name": param["name"]}
    if param.get("has_default"):
        entry["has_default"] = True
        if "default" in param:
            entry["default"] = param["default"]
    return entry


def _params(params: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    return [_param(param) for param in params]


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def parameter_pieces(idl: Mapping[str, Any]) -> List[str]:
    """The JSON object's text in pieces whose concatenation is the object; [] when the
    application has no task or actor type."""
    if not idl["tasks"] and not idl["actors"]:
        return []
    pieces = ['{"actors":{']
    for index, actor in enumerate(idl["actors"]):
        body = {"params": _params(actor["params"]),
                "methods": {method["name"]: _params(method["params"])
                            for method in actor["methods"]}}
        comma = "," if index < len(idl["actors"]) - 1 else ""
        pieces.append(f"{_text(actor['name'])}:{_text(body)}{comma}")
    pieces.append('},"tasks":{')
    for index, task in enumerate(idl["tasks"]):
        comma = "," if index < len(idl["tasks"]) - 1 else ""
        pieces.append(f"{_text(task['name'])}:{_text(_params(task['params']))}{comma}")
    enums = result_enums(idl)
    pieces.append("}" + (f',"result_enums":{_text(enums)}' if enums is not None else "") + "}")
    return pieces
