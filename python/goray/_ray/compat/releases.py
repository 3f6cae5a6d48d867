"""Which Ray releases goray-cpp supports, what it does with others, and the goray
features a supported release lacks (docs/install.md, "Which Ray").

goray-cpp declares ``ray>=2.40.0,<2.61`` (REQUIREMENT): every release it was tested with,
and no newer minor release, which pip then refuses. On CPython 3.14 the range starts later
(FIRST_ON_PYTHON: ``ray>=2.58.0; python_version >= '3.14'``, PYTHON_REQUIREMENTS), and
goray.init and the doctor judge a Ray by this interpreter's range (requirement()). A Ray newer than the range (installed
over that refusal) gets one warning at goray.init and runs, on Ray's public API wherever an
internal goray uses is missing (goray._ray.compat.internals); an older Ray is refused at
goray.init. A goray feature that needs something a supported release lacks is emulated, or
refused with a GorayError naming the feature and the first release that has it: FEATURES
says which, and how goray finds out (feature detection: never the version string).

Tests: tests/python/test_ray_releases.py, tests/python/test_streams_local.py,
tests/ray/test_cancel_stress.py, tests/ray/test_compiled_graphs.py,
tests/ray/test_graphs_cpp.py, tests/python/test_data_types.py
"""

from __future__ import annotations

import functools
import re
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import ray

from ..._version import __version__
from ...errors import GorayError
from . import internals

__all__ = ["FIRST", "LAST", "REQUIREMENT", "FIRST_ON_PYTHON", "PYTHON_REQUIREMENTS",
           "first_release", "requirement", "MATRIX", "release", "tested", "check_release",
           "Feature", "FEATURES", "require", "require_options", "UntestedRayWarning"]

#: The first release goray supports, and the last minor release it was tested with (each
#: of its patch releases included).
FIRST = "2.40.0"
LAST = "2.60"
#: What the wheel, the sdist and python/pyproject.toml declare (tests/python checks).
REQUIREMENT = "ray>=2.40.0,<2.61"
#: Where a newer CPython needs a later first release, (major, minor) -> that release. 3.14:
#: Ray has cp314 wheels from 2.55, leaks about 0.5 MiB per async-actor task on 3.14 before
#: 2.58 (Ray PR 64772), and 2.58-2.60 are what the py314 stage tests (docs/install.md).
FIRST_ON_PYTHON: Dict[Tuple[int, int], str] = {(3, 14): "2.58.0"}
#: Declared after REQUIREMENT, with their environment markers (tests/python checks both
#: pyprojects): pip applies both lines where the marker holds.
PYTHON_REQUIREMENTS = tuple(f"ray>={first}; python_version >= '{major}.{minor}'"
                            for (major, minor), first in sorted(FIRST_ON_PYTHON.items()))
#: The releases scripts/test-ray-versions.sh runs by default (docs/testing.md).
MATRIX = ("2.40.0", "2.46.0", "2.50.0", "2.55.0", "2.60.0")
#: Where to report a problem (the warning and the doctor say it).
REPORT_TO = "goray-cpp's issue tracker, with the output of `python -m goray --doctor`"


def release(version: str) -> Tuple[int, ...]:
    """(major, minor, patch) of a version string ("2.60.0", "3.0.0.dev0", "2.61.0rc1")."""
    numbers = re.findall(r"\d+", version.split("+", 1)[0])[:3]
    return tuple(int(number) for number in numbers) + (0,) * (3 - len(numbers))


def first_release(python: Optional[Tuple[int, int]] = None) -> str:
    """The first supported Ray on CPython `python` (major, minor; default this one)."""
    python = python or (sys.version_info.major, sys.version_info.minor)
    firsts = [FIRST] + [first for version, first in FIRST_ON_PYTHON.items() if python >= version]
    return max(firsts, key=release)


def requirement(python: Optional[Tuple[int, int]] = None) -> str:
    """The Ray requirement on CPython `python` (default this one), without a marker."""
    return REQUIREMENT.replace(f">={FIRST},", f">={first_release(python)},")


def tested(version: str, python: Optional[Tuple[int, int]] = None) -> Optional[str]:
    """None for a release in the tested range on CPython `python` (default this one);
    else "older" or "newer"."""
    number = release(version)
    if number < release(first_release(python)):
        return "older"
    if number[:2] > release(LAST)[:2]:
        return "newer"
    return None


class UntestedRayWarning(UserWarning):
    """goray.init under a Ray newer than the releases goray-cpp was tested with."""


@functools.lru_cache(maxsize=None)
def check_release(version: str = "") -> None:
    """What goray.init does about this Ray's release (once per process): nothing within
    the range; one UntestedRayWarning for a newer one; a GorayError for an older one."""
    version = version or ray.__version__
    verdict = tested(version)
    if verdict == "older":
        raise GorayError(f"goray-cpp {__version__} needs Ray {first_release()} or later{_on_python()}; "
                         f"this is Ray {version}: pip install '{requirement()}'")
    if verdict == "newer":
        warnings.warn(f"goray-cpp {__version__} was tested with Ray {first_release()}–{LAST}; Ray {version} "
                      f"may work; report problems to {REPORT_TO}", UntestedRayWarning,
                      stacklevel=3)


def _on_python() -> str:
    """" on CPython 3.X" where this Python's first release is not FIRST."""
    if first_release() == FIRST:
        return ""
    return f" on CPython {sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True)
class Feature:
    """A goray feature that needs something of Ray: the first release that has it, what
    goray does on a release without it, and how goray tells."""
    name: str
    needs: str
    first: str
    without: str
    present: Callable[[], bool]


def _has_option(name: str) -> Callable[[], bool]:
    def present() -> bool:
        helpers = internals.submit_helpers()
        if helpers is None:
            return True  # (Ray refuses it itself)
        utils = helpers.option_utils
        return name in utils.task_options or name in getattr(utils, "actor_options", {})
    return present


def _compiled_graphs() -> bool:
    """Compiled graphs goray can drive: DAGNode.experimental_compile, and a teardown that
    ends after a value outgrew its channels' buffers (Ray 2.40-2.42 wait for ever there:
    a fix, not a name, so this one feature is told by its release)."""
    try:
        from ray.dag import DAGNode
    except ImportError:
        return False
    return hasattr(DAGNode, "experimental_compile") and release(ray.__version__) >= release("2.43.0")


@functools.lru_cache(maxsize=None)
def generator_raises_cancel() -> bool:
    """Whether a cancelled stream's body raises TaskCancelledError, so that the stream's
    completed() ref says cancelled too, as for a Python generator. Ray 2.54 to 2.59 take
    a generator's own TaskCancelledError for its end (the caller's iteration ends as if
    finished): there the body returns, and Ray ends the caller's iteration with
    TaskCancelledError itself. A fix, not a name: told by the release."""
    number = release(ray.__version__)[:2]
    return not (2, 54) <= number < (2, 60)


def _has_ray_data() -> bool:
    import importlib.util
    return importlib.util.find_spec("ray.data") is not None


#: Ray options goray passes through, by the first release that takes them (a native
#: caller's option this Ray lacks is refused with a GorayError naming it).
RAY_OPTIONS: Dict[str, str] = {
    "label_selector": "2.45.0",
    "enable_tensor_transport": "2.49.0",
    "allow_out_of_order_execution": "2.49.0",
    "fallback_strategy": "2.51.0",
    "_num_objects_per_yield": "2.57.0",
}

FEATURES: List[Feature] = [
    Feature("Python callers of C++ tasks told apart by the Ray task name",
            "RuntimeContext.get_task_name", "2.41.0",
            "emulated: Python callers submit through a Ray function of their own, "
            "GolangTask.<name>/py, whose body takes every call for theirs",
            lambda: internals.running_task_name() is not None),
    Feature("streams in groups (goray.stream's values, C++ consumers' NextStreamRef)",
            "RuntimeContext.get_task_name", "2.41.0",
            "emulated: one item per Ray object, read in order as with a caller-named call "
            "(Ray's own speed per item)", lambda: internals.running_task_name() is not None),
    Feature("ray.cancel of a sync C++ actor's stream between items",
            "the core worker's cancel flag (RuntimeContext.is_canceled)", "2.54.0",
            "emulated: the stream ends when its caller stops reading, as Ray ends it",
            lambda: internals.cancel_flag(internals.core_worker_class()) is not None),
    Feature("a stream's consumer waiting without telling the raylet",
            "ObjectRef._on_ready", "2.60.0", "emulated: waits with ray.wait",
            internals.ref_callbacks),
    Feature("compiled graphs from C++ (goray::Graph::Compile)",
            "DAGNode.experimental_compile, and a teardown that ends after a value outgrew "
            "the channels", "2.43.0",
            "refused with GorayError (Graph::Classic runs the same graph through Ray's "
            "object store; Python's experimental_compile is Ray's own)", _compiled_graphs),
    Feature("Ray Data UDFs (goray.data)", "ray.data", "2.0.0", "refused with GorayError",
            _has_ray_data),
] + [Feature(f"the Ray option {name}", f"{name} in Ray's option table", first,
             "refused with GorayError", _has_option(name)) for name, first in RAY_OPTIONS.items()]


def _feature(name: str) -> Feature:
    for feature in FEATURES:
        if feature.name.startswith(name):
            return feature
    raise KeyError(name)


def require(name: str) -> None:
    """Raises GorayError naming the feature and its first release when this Ray lacks the
    feature whose name starts with `name`."""
    feature = _feature(name)
    if not feature.present():
        raise GorayError(f"{feature.name} needs Ray {feature.first} or later ({feature.needs}); "
                         f"this is Ray {ray.__version__}")


def require_options(options: Dict[str, Any], what: str) -> None:
    """Raises GorayError for an option of `options` (Ray's, for `what`) that this Ray does
    not take but a later one does, naming the first release that does."""
    for name in options:
        first = RAY_OPTIONS.get(name)
        if first is not None and not _has_option(name)():
            raise GorayError(f"the Ray option {name!r} of {what} needs Ray {first} or later; "
                             f"this is Ray {ray.__version__}")
