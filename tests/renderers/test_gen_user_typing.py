"""The stubs as a strict user meets them, on one Ray release (issue 53): every golden
case's stubs check clean under mypy --strict; a user's program (user_program/geo_user.py,
against tests/golden/geo), the uses of handles and of the value types below pass mypy
--strict and pyright strict with no ignore; and wrong uses fail under both checkers, each
with its message. The stubs spell the types as goray.gen.model_python_types writes them, and
their map forms (goray.gen.model_python_maps) are matched by goray._map.types' records.

The Ray is the one whose interpreter GORAY_TYPING_PYTHON names (scripts/test-ray-versions.sh
sets it to each release's virtualenv: CI's ray-oldest stage checks 2.40.0), else this
pytest's (.venv's, the newest, in the gen stage). One mypy run (its caches shared,
tests/shared_caches.py) and one pyright run check everything. Uses the golden stubs, so no
build."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Dict, List, Optional, Tuple

import pytest

from conftest import GOLDEN, copy_stubs, mypy_cache_args, run

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from pyright_runner import pyright  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
MYPY = pathlib.Path(sys.executable).parent / "mypy"
PYTHON = pathlib.Path(os.environ.get("GORAY_TYPING_PYTHON") or sys.executable)
CASES = ["app", "types", "actors", "docs", "driver", "project", "shared", "naming", "defaults",
         "arrays", "refs", "concurrency", "geo"]

# Handles are Ray's (issue 39 §5.3): what NAME.Type.remote() returns passes wherever Ray
# takes an ActorHandle. {handle_type}: ActorHandle[Any] where Ray's ActorHandle is generic,
# ActorHandle where it is not (2.40: a type argument there is an error of the user's file).
HANDLES = """\
# pyright: strict
from typing import Any

import ray
from ray.actor import ActorHandle

import app
import refs

counter = app.Counter.remote(1)
n: ray.ObjectRef[int] = counter.Incr.remote(2)


def stop(handle: {handle_type}) -> None:
    # (pyright strict calls ray.kill itself partially unknown on Rays whose ActorHandle is
    # generic, whatever its argument: Ray's annotation leaves out the type argument.)
    ray.kill(handle, no_restart=True)  # pyright: ignore[reportUnknownMemberType]


def first(handles: list[{handle_type}]) -> {handle_type}:
    return handles[0]


spawned = ray.get(refs.Spawn.remote(1))                  # a handle as a task's result
absorbed: ray.ObjectRef[int] = spawned.Absorb.remote(refs.Counter.remote(2))
ray.kill(counter)  # pyright: ignore[reportUnknownMemberType]
ray.kill(app.Counter.options(name="c").remote(0))  # pyright: ignore[reportUnknownMemberType]
stop(spawned)
handles: list[{handle_type}] = [counter, spawned,
                               ray.get_actor("c")]  # pyright: ignore[reportUnknownMemberType]
stop(first(handles))
print(n, absorbed, Any)
"""

# The value types libraries use (the types case's Complex, Path, Duration, View, Variant
# and Read): complex, str or any PathLike in and pathlib.Path out, timedelta, str, a union
# of the alternatives (None for std::monostate), a struct of them.
VALUE_TYPES = """\
# pyright: strict
import datetime
import pathlib

import ray

import types_

z: complex = types_.local.Complex(1 + 2j)
z_of_float: ray.ObjectRef[complex] = types_.Complex.remote(1.5)
p: pathlib.Path = types_.local.Path("/tmp/x")
p_of_pathlike: pathlib.Path = types_.local.Path(pathlib.PurePosixPath("/tmp"))
d: datetime.timedelta = types_.local.Duration(datetime.timedelta(seconds=1))
s: str = types_.local.View("abc", "!")
v: int | str | types_.Point | None = types_.local.Variant(True)
v_of_list = types_.local.Variant(["a", "b"])
r: types_.Reading = types_.local.Read({"z": 1j, "file": pathlib.Path("f"),
                                      "age": datetime.timedelta(0), "note": None})
note: str | types_.Color | None = r["note"]
print(z, z_of_float, p, p_of_pathlike, d, s, v, v_of_list, note)
"""

# Each wrong use: its code (after `import geo`, `import goray` and a few values), and what
# mypy and pyright say (None: that checker does not see it).
PRELUDE = """\
# pyright: strict
import goray
import goray.serve
import numpy as np
import ray
import geo

P: geo.Point = {"lat": 1.0, "lon": 2.0}
INDEX = geo.GeoIndex.remote([])
"""
BAD: Dict[str, Tuple[str, Optional[str], Optional[str]]] = {
    "missing_key": ('p: geo.Point = {"lat": 52.5}\n',
                    'Missing key "lon" for TypedDict "Point"',
                    '"lon" is required in "Point"'),
    "missing_key_in_input_shape": ('f: geo.FenceIn = {"name": "x", "ring": []}\n',
                                   'Missing key "kind" for TypedDict "FenceIn"',
                                   '"kind" is required in "FenceIn"'),
    "unknown_key": ('p: geo.Point = {"lat": 1.0, "lon": 2.0, "alt": 3.0}\n',
                    'Extra key "alt" for TypedDict "Point"',
                    '"alt" is an undefined item in type "Point"'),
    "field_read_as_wrong_type": ('f: geo.Fence = ray.get(INDEX.Get.remote("x"))\n'
                                 'n: int = f["name"]\n',
                                 'Incompatible types in assignment (expression has type "str", '
                                 'variable has type "int")',
                                 'Type "str" is not assignable to declared type "int"'),
    "optional_field_read_as_present": ('f: geo.Fence = ray.get(INDEX.Get.remote("x"))\n'
                                       'note: str = f["note"]\n',
                                       'Incompatible types in assignment (expression has type '
                                       '"str | None", variable has type "str")',
                                       'Type "str | None" is not assignable to declared type '
                                       '"str"'),
    # (pyright strict: an input shape's optional key may be absent; mypy does not check.)
    "input_optional_key_read": ('def note(f: geo.FenceIn) -> str | None:\n'
                                '    return f["note"]\n',
                                None,
                                '"note" is not a required key in "FenceIn"'),
    "int_for_enum": ('INDEX.Count.remote(1)\n',
                     'Argument 1 to "remote" of "_Method_GeoIndex_Count" has incompatible type '
                     '"int"; expected "Kind | ObjectRef[Kind]"',
                     'Argument of type "Literal[1]" cannot be assigned to parameter "kind" of '
                     'type "Kind | ObjectRef[Kind]"'),
    "enum_result_as_str": ('k: str = geo.local.Classify({"name": "x", "kind": geo.Kind.kCity, '
                           '"ring": []})\n',
                           'Incompatible types in assignment (expression has type "Kind", '
                           'variable has type "str")',
                           'Type "Kind" is not assignable to declared type "str"'),
    # (mypy infers goray.map's result from the declared type first, then finds the task's
    # results are not that: it names the callee.)
    "map_result": ('m: list[str] = goray.map(geo.DistanceM, [1.0], [2.0], lat0=0.0, lon0=0.0)\n',
                   'Argument 1 to "map" has incompatible type "_Task_DistanceM"; expected '
                   '"MapsArrays[str, Never]"',
                   'Type "list[float]" is not assignable to declared type "list[str]"'),
    "array_map_result_as_list": ('m: list[float] = geo.DistanceM.map(np.zeros(3), lat0=0.0, '
                                 'lon0=0.0)\n',
                                 'Incompatible types in assignment (expression has type '
                                 '"ndarray[tuple[Any, ...], dtype[float64]]", variable has '
                                 'type "list[float]")',
                                 'is not assignable to declared type "list[float]"'),
    "collect_result_as_results": ('r: list[bool] = geo.InRing.map([P], ring=[], '
                                  'errors="collect")\n',
                                  'Incompatible types in assignment (expression has type '
                                  '"tuple[list[bool | None], list[tuple[int, MapItemError]]]", '
                                  'variable has type "list[bool]")',
                                  'is not assignable to declared type "list[bool]"'),
    "pool_map_result": ('pool = goray.ActorPool([INDEX])\n'
                        'r: list[int] = pool.map(INDEX.Locate, [P])\n',
                        'Argument 1 to "map" of "ActorPool" has incompatible type '
                        '"_Method_GeoIndex_Locate"; expected "MapsList[int]"',
                        'Type "list[list[str]]" is not assignable to declared type "list[int]"'),
    "batched_result": ('def first(h: object) -> str:\n'
                       '    return goray.serve.handle(geo.GeoIndex, h).LocateMany.remote(P)'
                       '.result()\n',
                       'Incompatible return value type (got "list[str]", expected "str")',
                       'Type "list[str]" is not assignable to return type "str"'),
    "int_for_path": ('import types_\ntypes_.local.Path(1)\n',
                     'Argument 1 to "Path" of "_Local" has incompatible type "int"; expected '
                     '"str | PathLike[str]"',
                     'Argument of type "Literal[1]" cannot be assigned to parameter "p" of '
                     'type "str | PathLike[str]"'),
    "path_result_as_str": ('import types_\nq: str = types_.local.Path("x")\n',
                           'Incompatible types in assignment (expression has type "Path", '
                           'variable has type "str")',
                           'Type "Path" is not assignable to declared type "str"'),
    "float_for_duration": ('import types_\ntypes_.local.Duration(1.5)\n',
                           'Argument 1 to "Duration" of "_Local" has incompatible type '
                           '"float"; expected "timedelta"',
                           'Argument of type "float" cannot be assigned to parameter "d" of '
                           'type "timedelta"'),
    "bytes_for_variant": ('import types_\ntypes_.local.Variant(b"x")\n',
                          'Argument 1 to "Variant" of "_Local" has incompatible type "bytes"; '
                          'expected "bool | float | list[str]"',
                          'cannot be assigned to parameter "v" of type "bool | float | '
                          'list[str]"'),
    "misspelt_method": ('INDEX.Lokate.remote(P)\n',
                        '"_Handle_GeoIndex" has no attribute "Lokate"',
                        'Cannot access attribute "Lokate" for class "_Handle_GeoIndex"'),
}

MYPY_ERROR = re.compile(r"^(?P<file>[^:\n]+):\d+: error: (?P<message>.*?)(  \[[a-z-]+\])?$",
                        re.M)
# (pyright's detail lines follow an error's, indented further: they say which key, which
# member.)
PYRIGHT_ERROR = re.compile(
    r"^  (?P<file>/[^:\n]+):\d+:\d+ - error: (?P<message>.*(?:\n  (?!/).*)*)", re.M)


def ray_facts(python: pathlib.Path) -> Tuple[str, bool]:
    """The Ray release `python` imports, and whether its ActorHandle is generic."""
    answer = subprocess.run(
        [str(python), "-c", "import typing, ray; from ray.actor import ActorHandle; "
         "print(ray.__version__, issubclass(ActorHandle, typing.Generic))"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout.split()
    return answer[0], answer[1] == "True"


def by_file(output: str, pattern: "re.Pattern[str]") -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for match in pattern.finditer(output):
        found.setdefault(pathlib.Path(match["file"]).name, []).append(
            " ".join(match["message"].split()))
    return found


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> Dict[str, object]:
    """The stubs, the user's program, the handles' uses and every wrong use in one folder,
    checked once by each checker: {"ray": release, "mypy"/"pyright": file -> messages}."""
    if not PYTHON.is_file():
        pytest.fail(f"GORAY_TYPING_PYTHON={PYTHON} is not an interpreter", pytrace=False)
    release, generic = ray_facts(PYTHON)
    work = tmp_path_factory.mktemp("typing")
    stubs: List[str] = []
    for case in CASES:
        module = "types_" if case == "types" else case  # "types" would shadow the stdlib's
        copy_stubs(GOLDEN / case, case, work, module)
        stubs += [f"{module}.pyi", f"_{case}_types.pyi"]
    shutil.copy(HERE / "user_program" / "geo_user.py", work / "geo_user.py")
    (work / "handles.py").write_text(HANDLES.format(
        handle_type="ActorHandle[Any]" if generic else "ActorHandle"))
    (work / "value_types.py").write_text(VALUE_TYPES)
    for name, (code, _, _) in BAD.items():
        (work / f"bad_{name}.py").write_text(PRELUDE + code)
    files = [*stubs, "geo_user.py", "handles.py", "value_types.py",
             *(f"bad_{name}.py" for name in BAD)]
    checked_mypy = run([str(MYPY), "--strict", "--no-error-summary",
                        f"--python-executable={PYTHON}",
                        *mypy_cache_args(f"user-typing-{release}"), *files], cwd=work,
                       env={**os.environ, "MYPYPATH": str(work)})
    assert checked_mypy.returncode in (0, 1), checked_mypy.stdout + checked_mypy.stderr
    checked_pyright = pyright(work, *files, python=PYTHON)
    assert "error" in checked_pyright.stdout or checked_pyright.returncode == 0, \
        checked_pyright.stdout + checked_pyright.stderr
    return {"ray": release, "stubs": stubs, "mypy": by_file(checked_mypy.stdout, MYPY_ERROR),
            "pyright": by_file(checked_pyright.stdout, PYRIGHT_ERROR)}


# Tier 2: every case's stubs under mypy --strict; test_gen_typecheck.py checks an application's in
# tier 1
@pytest.mark.tier2
def test_every_cases_stubs_check_clean_under_mypy_strict(checked):
    mypy = checked["mypy"]
    assert {name: mypy[name] for name in checked["stubs"] if name in mypy} == {}, \
        f"on Ray {checked['ray']}"


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
@pytest.mark.parametrize("program", ["geo_user.py", "handles.py", "value_types.py"])
def test_the_users_program_passes(checked, checker, program):
    assert checked[checker].get(program, []) == [], f"{checker} on Ray {checked['ray']}"


@pytest.mark.parametrize("name, checker", [
    (name, checker) for name in sorted(BAD) for checker, expected in
    (("mypy", BAD[name][1]), ("pyright", BAD[name][2])) if expected is not None])
def test_a_wrong_use_fails(checked, checker, name):
    expected = BAD[name][1 if checker == "mypy" else 2]
    said = checked[checker].get(f"bad_{name}.py", [])
    assert expected is not None and any(expected in message for message in said), \
        f"{checker} on Ray {checked['ray']}: expected {expected!r}, said {said!r}"


def test_the_generator_class_has_only_what_rays_has():
    """The stubs' _ObjectRefGenerator declares methods of Ray's ObjectRefGenerator, which
    this release has (by name: Ray's class is untyped)."""
    stub = (GOLDEN / "concurrency" / "_concurrency_types.pyi").read_text()
    body = stub[stub.index("class _ObjectRefGenerator("):]
    body = body[:body.index("\n\n\n")]
    declared = sorted(set(re.findall(r"def (\w+)\(", body)))
    assert "completed" in declared and "__anext__" in declared, declared
    result = run([str(PYTHON), "-c", "import ray, sys\n"
                  "print(' '.join(n for n in sys.argv[1:] "
                  "if not callable(getattr(ray.ObjectRefGenerator, n, None))))", *declared])
    assert result.returncode == 0 and result.stdout.strip() == "", \
        f"Ray {ray_facts(PYTHON)[0]} lacks: {result.stdout} {result.stderr}"
