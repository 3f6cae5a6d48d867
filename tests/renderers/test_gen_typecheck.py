"""mypy over the generated stubs: the stubs themselves check clean under --strict, a correct
use passes, and a wrong argument type, an unknown task and an unknown method each fail
with mypy's message. Uses the golden stubs (tests/golden/<case>/), so no build."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import sys
import textwrap
from typing import Dict, List

import pytest

from conftest import GOLDEN, ROOT, mypy_cache_args, run

CASES = ["app", "types", "actors", "docs", "driver", "project", "shared", "naming", "defaults",
         "arrays", "refs", "concurrency", "actor_options"]

GOOD = """\
from typing import Any

import ray

import app
import types_ as types

ref: ray.ObjectRef[float] = app.Square.remote(2.0)
chained: ray.ObjectRef[float] = app.Square.remote(ref)           # a ref of the right type
x: float = ray.get(app.Square.remote(2))                        # an int is a float
several: list[int] = ray.get(app.Divide.remote(16, 5))          # several ints: list[int]
tuned: ray.ObjectRef[float] = app.Square.options(num_cpus=1).remote(3.0)
counter = app.Counter.remote(1)
n: ray.ObjectRef[int] = counter.Incr.remote(2)
m: ray.ObjectRef[int] = app.Counter.options(name="c").remote(0).Incr.options().remote(1)
y: float = app.local.Square(2.0)
with app.local.Counter(5) as local_counter:
    z: int = local_counter.Incr(1)

point: types.Point = {"x": 1.0, "y": 2.0}                        # every field
shape: types.Shape = {"label": "s", "points": [point], "color": types.Color.kRed,
                      "meta": {"version": 1}}
moved: types.Shape = types.local.Move(shape, {"x": 1.0, "y": 2.0})
again: types.Shape = types.local.Move(moved, point)              # a result goes back in
colour: types.Color = moved["color"]                             # an enum field is the enum
tree: types.Tree = types.local.Grow({"name": "root", "children": [{"name": "leaf",
                                                                   "children": []}]})
text: str | None = types.local.Opt(None)
raw: bytes = types.local.Bytes(b"abc")
pair: list[str | float] = types.local.Pair(("k", 1.0))
mapping: dict[str, list[float]] = types.local.Map({"a": [1.0]})
types.local.Nothing()
color: int = types.local.Paint(types.Color.kBlue, types.Plain.kOne)

import defaults                                                  # C++ default arguments
short: ray.ObjectRef[int] = defaults.Add.remote(1)
full: ray.ObjectRef[int] = defaults.Add.remote(1, 2)
greeting: str = defaults.local.Greet()
box = defaults.Box.remote("b")
described: ray.ObjectRef[str] = box.Describe.remote()

import array                                                     # NumPy arrays
import numpy as np
import numpy.typing as npt
import arrays
samples: npt.NDArray[np.float64] = np.arange(4.0)
scaled: npt.NDArray[np.float64] = arrays.local.Scale(samples, 2.0)   # an ArrayView<double>
scaled_ref: ray.ObjectRef[npt.NDArray[np.float64]] = arrays.Scale.remote(samples, 2.0)
total: ray.ObjectRef[float] = arrays.Sum.remote(scaled_ref)      # a span<const double>
summed: float = arrays.local.Sum(array.array("d", [1.0])) + arrays.local.Sum([1.0, 2.0])
viewed: float = arrays.local.Sum(memoryview(array.array("d", [2.0])))
chunks: list[npt.NDArray[np.int64]] = arrays.local.Chunks(np.zeros(3, np.uint64), 2)
tile: arrays.Tile = {"pixels": np.zeros((2, 2), np.uint8), "source": "s", "mask": None}
unmasked: arrays.TileIn = {"pixels": np.zeros((2, 2), np.uint8), "source": "s"}  # optional
counts: npt.NDArray[np.uint64] = arrays.local.Histogram(samples).Counts()

import goray
import refs                                                      # refs and handles as values
parts: list[ray.ObjectRef[float]] = [ray.put(1.0), ray.put(2.5)]
summed_ref: ray.ObjectRef[float] = refs.Sum.remote(parts)        # a vector<Future<double>>
point_ref: ray.ObjectRef[refs.Point] = ray.put({"x": 1.0, "y": 2.0})
def chain(held: ray.ObjectRef[ray.ObjectRef[refs.Point]]) -> ray.ObjectRef[ray.ObjectRef[refs.Point]]:
    return refs.Later.remote(refs.Later.remote(held))           # a ref whose value is a ref
later = refs.Later.remote(goray.Unresolved(point_ref))          # the ref itself
job: refs.JobIn = {"input": ray.put(b"data"), "origin": point_ref, "parts": parts,
                   "logger": None}                                # progress: optional
planned: refs.Job = ray.get(refs.Plan.remote(job))
first: ray.ObjectRef[float] = ray.get(refs.Plan.remote(job))["parts"][0]
spawned = ray.get(refs.Spawn.remote(1))                          # the generated handle
bumped: ray.ObjectRef[int] = refs.Bump.remote(spawned, refs.Counter.remote(0))
absorbed: ray.ObjectRef[int] = spawned.Absorb.remote(refs.Counter.remote(2))
tracked: refs.JobIn = {"input": ray.put(1), "origin": point_ref, "parts": [],
                       "progress": spawned, "logger": object()}  # untyped handles: Any
refs.Plan.remote(planned)                                        # a result goes back in
from ray.actor import ActorHandle                                # handles are Ray's
ray.kill(spawned)
everyone: list[ActorHandle[Any]] = [counter, spawned, ray.get_actor("c")]

from ray.dag import ClassMethodNode, InputNode                   # Ray DAGs: a method's .bind
with InputNode() as inp:
    node: ClassMethodNode = counter.Incr.bind(inp)
    chained_node: ClassMethodNode = counter.Incr.bind(counter.Incr.bind(inp))
    valued: ClassMethodNode = counter.Incr.options(name="i").bind(2)
    by_keyword: ClassMethodNode = box.Describe.bind(prefix=inp[0])
    by_ref: ClassMethodNode = counter.Incr.bind(n)
    fetched: ClassMethodNode = spawned.Absorb.bind(refs.Counter.remote(2))
compiled = node.experimental_compile()

import concurrency                                               # goray.stream: typed values
counted: goray.ItemStream[int] = goray.stream(concurrency.CountUp, 5)
first_count: int = next(counted)
by_name: goray.ItemStream[int] = goray.stream(concurrency.CountUp.options(num_cpus=1), n=5)
lines: goray.ItemStream[str] = goray.stream(concurrency.Fetcher.remote("u").Lines, "p")
feed: list[concurrency.Item] = list(goray.stream(concurrency.Fetcher.remote("u").Items, 2))
untyped: goray.ItemStream[Any] = goray.stream(goray.golang_task("CountUp"), 5)

import actor_options                                             # declared Ray options
restarts: dict[str, Any] = actor_options.Ledger.declared_options
ledger = actor_options.Ledger.options(max_restarts=0).remote("dsn")  # still typed
posted: ray.ObjectRef[int] = ledger.Post.remote(5)

import goray.serve                                               # Ray Serve: typed handles
from ray.serve import Application
counter_app: Application = goray.serve.deployment(app.Counter, num_replicas=2).bind(1)
tuned_app: Application = goray.serve.deployment(app.Counter).options(name="c").bind(n=3)
def serve_calls(given: Any) -> None:
    served = goray.serve.handle(app.Counter, given)
    bumped_now: int = served.Incr.remote(2).result()
    bumped_soon: int = served.options(multiplexed_model_id="m").Incr.remote(by=1).result(timeout_s=5)
    for served_line in goray.serve.handle(concurrency.Fetcher, given).options(stream=True).Lines.remote("p"):
        line_text: str = served_line
async def serve_awaits(given: Any) -> int:
    return await goray.serve.handle(app.Counter, given).Incr.remote(1)
untyped_app: Any = goray.serve.deployment("Counter").bind(1)
"""

BAD = {
    "wrong_serve_bind": ("import app, goray.serve\ngoray.serve.deployment(app.Counter).bind('one')\n",
                         'Argument 1 to "bind" of "_ServeDeployment_Counter" has incompatible type '
                         '"str"; expected "int"'),
    "wrong_serve_result": ("import app, goray.serve\n"
                           "x: str = goray.serve.handle(app.Counter, None).Incr.remote(1).result()\n",
                           'Incompatible types in assignment (expression has type "int", variable '
                           'has type "str")'),
    "unknown_serve_method": ("import app, goray.serve\ngoray.serve.handle(app.Counter, None).Decr\n",
                             '"_ServeHandle_Counter" has no attribute "Decr"'),
    "wrong_type": ("import app\napp.Square.remote('two')\n",
                   'Argument 1 to "remote" of "_Task_Square" has incompatible type "str"; '
                   'expected "float | ObjectRef[float]"'),
    "wrong_local_type": ("import app\napp.local.Square('two')\n",
                         'Argument 1 to "Square" of "_Local" has incompatible type "str"; '
                         'expected "float"'),
    "wrong_arity": ("import app\napp.Divide.remote(1)\n",
                    'Missing positional argument "b" in call to "remote" of "_Task_Divide"'),
    "too_few_with_defaults": ("import defaults\ndefaults.Add.remote()\n",
                              'Missing positional argument "a" in call to "remote" of '
                              '"_Task_Add"'),
    "unknown_keyword": ("import defaults\ndefaults.Add.remote(1, c=2)\n",
                        'Unexpected keyword argument "c" for "remote" of "_Task_Add"'),
    "too_many_with_defaults": ("import defaults\ndefaults.local.Add(1, 2, 3)\n",
                               'Too many arguments for "Add" of "_Local"'),
    "unknown_task": ("import app\napp.Cube.remote(2.0)\n", 'Module has no attribute "Cube"'),
    "wrong_bind_type": ("import app\napp.Counter.remote(1).Incr.bind('two')\n",
                        'Argument 1 to "bind" of "_Method_Counter_Incr" has incompatible type '
                        '"str"; expected "int | ObjectRef[int] | DAGNode"'),
    "bind_unknown_keyword": ("import defaults\ndefaults.Box.remote('b').Describe.bind(pre='>')\n",
                             'Unexpected keyword argument "pre" for "bind" of '
                             '"_Method_Box_Describe"'),
    # goray's task objects have no .bind (Ray's remote functions do), nor do streaming
    # methods (Ray's .bind refuses num_returns="streaming").
    "task_bind": ("import app\napp.Square.bind(2.0)\n",
                  '"_Task_Square" has no attribute "bind"'),
    "stream_bind": ("import concurrency\nconcurrency.Fetcher.remote('u').Lines.bind('p')\n",
                    '"_Method_Fetcher_Lines" has no attribute "bind"'),
    "stream_wrong_type": ("import goray\nimport concurrency\ngoray.stream(concurrency.CountUp, 'five')\n",
                          'Argument 2 to "stream" has incompatible type "str"; expected '
                          '"int | ObjectRef[int]"'),
    "stream_wrong_value": ("import goray\nimport concurrency\n"
                           "s: goray.ItemStream[str] = goray.stream(concurrency.CountUp, 5)\n",
                           # (mypy infers the item type from the target first)
                           'Argument 1 to "stream" has incompatible type "_Task_CountUp"; '
                           'expected "_Streaming[[int], str]"'),
    "unknown_method": ("import app\napp.Counter.remote(1).Decr.remote(1)\n",
                       '"_Handle_Counter" has no attribute "Decr"'),
    "unknown_local_method": ("import app\napp.local.Counter(1).Decr(1)\n",
                             '"_LocalActor_Counter" has no attribute "Decr"'),
    "wrong_result": ("import app\nimport ray\ns: str = ray.get(app.Square.remote(1.0))\n",
                     'Incompatible types in assignment (expression has type "float", '
                     'variable has type "str")'),
    "str_for_array": ("import arrays\narrays.local.Scale('abc', 2.0)\n",
                      'Argument 1 to "Scale" of "_Local" has incompatible type "str"; '
                      'expected "ndarray[tuple[Any, ...], dtype[float64]] | array[float] | '
                      'memoryview[int] | list[Any]"'),
    "wrong_dtype": ("import arrays\nimport numpy as np\nimport numpy.typing as npt\n"
                    "a: npt.NDArray[np.int32] = np.zeros(3, np.int32)\n"
                    "arrays.Scale.remote(a, 2.0)\n",
                    'Argument 1 to "remote" of "_Task_Scale" has incompatible type '
                    '"ndarray[tuple[Any, ...], dtype[signedinteger[_32Bit]]]"'),
    "wrong_array_result": ("import arrays\nimport numpy as np\nimport numpy.typing as npt\n"
                           "r: npt.NDArray[np.float32] = arrays.local.Scale(np.zeros(2), 1.0)\n",
                           'Incompatible types in assignment (expression has type '
                           '"ndarray[tuple[Any, ...], dtype[float64]]", variable has type '
                           '"ndarray[tuple[Any, ...], dtype[floating[_32Bit]]]")'),
    "value_for_ref_list": ("import refs\nrefs.Sum.remote([1.0, 2.0])\n",
                           'List item 0 has incompatible type "float"; expected '
                           '"ObjectRef[float]"'),
    "wrong_ref_type": ("import ray\nimport refs\nr: ray.ObjectRef[int] = ray.put(1)\n"
                       "refs.Sum.remote([r])\n",
                       'List item 0 has incompatible type "ObjectRef[int]"; expected '
                       '"ObjectRef[float]"'),
    "ref_field_value": ("import refs\nj: refs.JobIn = {'input': None, "
                        "'origin': {'x': 1.0, 'y': 2.0}, 'parts': [], 'logger': None}\n",
                        'Incompatible types (expression has type "dict[str, float]", '
                        'TypedDict item "origin" has type "ObjectRef[Point]")'),
    "untyped_for_typed_handle": ("import refs\nimport ray\n"
                                 "refs.Bump.remote(ray.get_actor('c'), None)\n",
                                 'Argument 1 to "remote" of "_Task_Bump" has incompatible type '
                                 '"ActorHandle[Any]"'),
    "wrong_handle": ("import refs\nimport app\n"
                     "refs.Bump.remote(app.Counter.remote(1), None)\n",
                     # (mypy names each handle class by its module: the companion's)
                     'Argument 1 to "remote" of "_Task_Bump" has incompatible type '
                     '"_app_types._Handle_Counter"; expected '
                     '"_refs_types._Handle_Counter | ObjectRef[_refs_types._Handle_Counter]"'),
    "top_level_ref_resolved": ("import ray\nimport refs\n"
                               "r: ray.ObjectRef[refs.Point] = ray.put({'x': 1.0, 'y': 2.0})\n"
                               "refs.Later.remote(r)\n",
                               'Argument 1 to "remote" of "_Task_Later" has incompatible '
                               'type "ObjectRef[Point]"; expected "Unresolved | '
                               'ObjectRef[ObjectRef[Point]]"'),
    "wrong_field": ("import types_ as types\np: types.Point = {'x': 'one', 'y': 2.0}\n",
                    'Incompatible types (expression has type "str", TypedDict item "x" has '
                    'type "float")'),
    # Every field a call needs (issue 53): a struct has no optional keys but its
    # std::optional fields (JobIn.progress), and a result holds every field.
    "missing_field": ("import types_ as types\np: types.Point = {'x': 1.0}\n",
                      'Missing key "y" for TypedDict "Point"'),
    "unknown_field": ("import types_ as types\np: types.Point = {'x': 1.0, 'y': 2.0, 'z': 3.0}\n",
                      'Extra key "z" for TypedDict "Point"'),
    "int_for_enum": ("import types_ as types\ntypes.local.Paint(2, types.Plain.kOne)\n",
                     'Argument 1 to "Paint" of "_Local" has incompatible type "int"; expected '
                     '"Color"'),
    "enum_result_as_str": ("import types_ as types\n"
                           "s: str = types.local.Move({'label': 's', 'points': [], "
                           "'color': types.Color.kRed, 'meta': {'version': 1}}, "
                           "{'x': 1.0, 'y': 1.0})['color']\n",
                           'Incompatible types in assignment (expression has type "Color", '
                           'variable has type "str")'),
}

ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*?)(  \[[a-z-]+\])?$",
                   re.M)


@pytest.fixture(scope="module")
def mypy_run(tmp_path_factory) -> Dict[str, List[str]]:
    """One mypy run over the stubs and every use: file name -> its error messages."""
    mypy = shutil.which("mypy", path=os.path.dirname(sys.executable))
    if mypy is None:
        pytest.fail("mypy is not installed next to this Python (python/requirements-dev.txt)",
                    pytrace=False)
    work = tmp_path_factory.mktemp("mypy")
    stubs, runtime, uses = work / "stubs", work / "runtime", work / "uses"
    for directory in (stubs, runtime, uses):
        directory.mkdir()
    for case in CASES:
        # "types" would shadow the standard library's module: import it as types_.
        module = "types_" if case == "types" else case
        shutil.copy(GOLDEN / case / f"{case}.pyi", stubs / f"{module}.pyi")
        shutil.copy(GOLDEN / case / f"_{case}_types.pyi", stubs / f"_{case}_types.pyi")
        shutil.copy(GOLDEN / case / f"{case}.py", runtime / f"{module}.py")
    (uses / "good.py").write_text(GOOD)
    for name, (code, _) in BAD.items():
        (uses / f"{name}.py").write_text(code)
    errors: Dict[str, List[str]] = {}
    # The stubs and their users; then the runtime modules on their own.
    for files, path in ((sorted(stubs.iterdir()) + sorted(uses.iterdir()), stubs),
                        (sorted(runtime.iterdir()), runtime)):
        result = run([mypy, "--strict", "--no-error-summary", "--follow-imports=silent",
                      *mypy_cache_args("typecheck"), *map(str, files)], cwd=work,
                     env={**os.environ, "MYPYPATH": f"{path}{os.pathsep}{ROOT / 'python'}"})
        assert result.returncode in (0, 1), result.stdout + result.stderr
        for match in ERROR.finditer(result.stdout):
            name = pathlib.Path(match["file"]).name
            errors.setdefault(f"{pathlib.Path(match['file']).parent.name}/{name}",
                              []).append(match["message"])
    return errors


@pytest.mark.parametrize("case", CASES)
def test_generated_stubs_check_clean_under_strict(mypy_run, case):
    module = "types_" if case == "types" else case
    assert mypy_run.get(f"stubs/{module}.pyi", []) == []
    assert mypy_run.get(f"stubs/_{case}_types.pyi", []) == []
    assert mypy_run.get(f"runtime/{module}.py", []) == []


def test_correct_use_passes(mypy_run):
    assert mypy_run.get("uses/good.py", []) == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_wrong_use_fails_with_mypys_message(mypy_run, name):
    expected = BAD[name][1]
    messages = mypy_run.get(f"uses/{name}.py", [])
    assert any(expected in message for message in messages), \
        f"expected {expected!r}, mypy said {messages!r}"
