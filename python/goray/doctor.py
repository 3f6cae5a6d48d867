"""``python -m goray --doctor`` (or ``goray --doctor``): what this machine's goray runs
with, for a user checking their cluster's Ray before a job and for a problem report:
goray's and Ray's versions and whether Ray is in the tested range, Python, the C
library, the internal paths this Ray lets goray take (goray._ray.compat.internals) and the
features it has (goray._ray.compat.releases). ``--json`` prints the same as one JSON object.
Starts no Ray. Exit status 0, or 1 when Ray is missing or older than goray supports.

Tests: tests/python/test_ray_releases.py
"""

from __future__ import annotations

import json
import os
import platform
import sys
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["report", "main"]


def _glibc() -> str:
    name, version = platform.libc_ver()
    return f"{name} {version}" if name else "unknown"


def report() -> Dict[str, Any]:
    """Everything the doctor prints, as a dict."""
    from ._version import PROTOCOL_VERSION, __version__
    facts: Dict[str, Any] = {
        "goray": __version__, "protocol": PROTOCOL_VERSION,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": f"{platform.system()} {platform.machine()}", "libc": _glibc(),
    }
    try:
        import ray
    except ImportError as error:
        facts["ray"] = None
        facts["problem"] = f"Ray is not importable here: {error}"
        return facts
    from ._ray.compat import internals, releases
    facts["ray"] = ray.__version__
    # This Python's range: on CPython 3.14 it starts at Ray 2.58 (releases.FIRST_ON_PYTHON).
    facts["supported"] = releases.requirement()
    if facts["supported"] != releases.REQUIREMENT:
        facts["supported"] += f" on CPython {sys.version_info.major}.{sys.version_info.minor}"
    verdict = releases.tested(ray.__version__)
    facts["ray_status"] = {None: "tested", "newer": "newer than tested (may work)",
                           "older": "older than supported"}[verdict]
    if verdict == "older":
        facts["problem"] = (f"goray-cpp needs Ray {releases.first_release()} or later here: "
                            f"pip install '{releases.requirement()}'")
        return facts
    facts["speed_paths"] = "on" if internals.speed_paths_on() else f"off ({internals.ENV}=0)"
    facts["paths"] = [{"path": path.name, "taken": path.found, "needs": path.needs,
                       "tested": path.tested, "otherwise": path.fallback}
                      for path in internals.paths()]
    facts["features"] = [{"feature": feature.name, "available": feature.present(),
                          "first_ray": feature.first, "without": feature.without}
                         for feature in releases.FEATURES]
    return facts


def _lines(facts: Dict[str, Any]) -> List[str]:
    lines = [f"goray-cpp   {facts['goray']} (protocol {facts['protocol']})",
             f"Python      {facts['python']} on {facts['platform']}, {facts['libc']}"]
    if facts.get("ray") is None:
        return lines + [f"Ray         none: {facts['problem']}"]
    lines.append(f"Ray         {facts['ray']}: {facts['ray_status']} (goray-cpp supports "
                 f"{facts['supported']})")
    if "paths" not in facts:
        return lines + [f"problem     {facts['problem']}"]
    lines.append(f"speed paths {facts['speed_paths']}")
    lines += _section("Internal paths (taken: goray's own; otherwise: Ray's public API, same results)",
                      [(path["taken"], f"{path['path']}: needs {path['needs']} (tested {path['tested']})",
                        f"; instead {path['otherwise']}") for path in facts["paths"]], ("taken", "public"))
    lines += _section("Features", [(feature["available"], f"{feature['feature']} (Ray {feature['first_ray']}+)",
                                    f": {feature['without']}") for feature in facts["features"]],
                      ("yes", "no"))
    return lines


def _section(title: str, rows: List[Any], marks: Any) -> List[str]:
    """A titled list: per row (present, text, what instead), marked by marks[0] or [1]."""
    width = max(len(mark) for mark in marks) + 1
    return ["", title] + [f"  {marks[0] if present else marks[1]:<{width}}{text}"
                          + ("" if present else instead) for present, text, instead in rows]


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    unknown = [argument for argument in arguments if argument not in ("--doctor", "--json")]
    if unknown:
        print(f"goray --doctor: unknown argument {unknown[0]!r} (takes --json)", file=sys.stderr)
        return 2
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    facts = report()
    if "--json" in arguments:
        print(json.dumps(facts, indent=2))
    else:
        print("\n".join(_lines(facts)))
    return 1 if "problem" in facts else 0
