"""Calls every task and actor of the generator test apps in this process and checks the
values come back, each task through both routes an in-process call takes: the typed
entries (goray.golang_local_run_task finds them) and the codec path (msgpack, Execute:
a library without them). Run by test_gen_compile_run.py in its own process (one library
per process). Prints one JSON object: {"called": [...], "failures": [...], "detours":
[...]} (the typed route's calls the typed entries did not make).

    python roundtrip.py typesapp LIBRARY STUBS_DIR
    python roundtrip.py onefile LIBRARY STUBS_DIR
"""

from __future__ import annotations

import datetime
import json
import math
import sys
from typing import Any, Callable, List

import goray
from goray import _ffi
from goray._protocol import Py2Native

called: List[str] = []
failures: List[str] = []
detours: List[str] = []  # typed-route calls the entries module did not make (its counters)


ROUTES = {"typed": goray.golang_local_run_task, "codec": goray._local.codec_run_task}


def check(name: str, args: List[Any], expected: Any,
          compare: Callable[[Any, Any], bool] = lambda a, b: a == b) -> None:
    called.append(name)
    for route, run in ROUTES.items():
        before = typed_calls()
        try:
            actual = run(name, *args)
            if route == "typed" and typed_calls() != before + 1:
                detours.append(name)
        except Exception as error:  # noqa: BLE001 - reported, not raised
            failures.append(f"{name}{tuple(args)!r} ({route}) raised {type(error).__name__}: {error}")
            continue
        if not compare(actual, expected) or not (isinstance(actual, type(expected)) or iterable(actual)):
            failures.append(f"{name}{tuple(args)!r} ({route}) returned {actual!r}, expected {expected!r}")


def iterable(value: Any) -> bool:
    """A generator task's stream (its items compared by `compare`)."""
    return hasattr(value, "__next__")


def typed_calls() -> int:
    """The calls the loaded application's typed entries module has made so far."""
    from goray import _entries
    module = _entries.entries_module(_ffi.get_library())
    return module.__goray_counters__()["typed"] if module is not None else 0


def expect_error(what: str, call: Callable[[], Any], error_type: type, *parts: str) -> None:
    try:
        call()
    except error_type as error:
        for part in parts:
            if part not in str(error):
                failures.append(f"{what}: {part!r} not in {error}")
        return
    except Exception as error:  # noqa: BLE001
        failures.append(f"{what}: raised {type(error).__name__}: {error}, "
                        f"not {error_type.__name__}")
        return
    failures.append(f"{what}: no error")


def expect(what: str, actual: Any, expected: Any) -> None:
    if actual != expected:
        failures.append(f"{what}: {actual!r}, expected {expected!r}")


def init_options(library: Any) -> Any:
    code, reply = library.execute(int(Py2Native.GET_INIT_OPTIONS))
    return json.loads(reply) if code == 0 else f"code {code}: {reply!r}"


def task_actor_list(library: Any) -> Any:
    code, reply = library.execute(int(Py2Native.GET_TASK_ACTOR_LIST))
    return json.loads(reply) if code == 0 else f"code {code}: {reply!r}"


def typesapp(library: Any) -> None:
    import typesapp as app

    utc = datetime.timezone.utc
    point = {"x": 1.5, "y": -2.0}
    shape = {"label": "tri", "points": [point, {"x": 0.0, "y": 0.0}], "color": -300,
             "weight": 2.5, "anchor": {"x": 1.0, "y": 1.0},
             "meta": {"version": 3, "tags": {"k": "v"}}}
    tree = {"name": "root", "children": [{"name": "a", "children": []},
                                         {"name": "b", "children": [{"name": "c",
                                                                     "children": []}]}]}
    nan_safe: Callable[[Any, Any], bool] = lambda a, b: (math.isnan(a) and math.isnan(b)) or \
        (a == b and math.copysign(1, a) == math.copysign(1, b))

    # Each value type once (docs/test_types_doc.py runs every one through both routes):
    # typesapp's tasks, one call each, and what only they show (the sign of -0.0, NaN, the
    # C++ bodies that change the value).
    check("Bool", [True], True)
    for name, value in [("I8", -128), ("I16", -32768), ("I32", 2**31 - 1), ("I64", -2**63), ("U8", 255),
                        ("U16", 65535), ("U32", 2**32 - 1), ("U64", 2**64 - 1)]:
        check(name, [value], value)
    check("F32", [1.5], 1.5)
    check("F64", [-0.0], -0.0, nan_safe)
    check("F64", [float("nan")], float("nan"), nan_safe)
    check("Str", ["héllo, wörld"], "héllo, wörld")
    check("RawBytes", [b"\x00\xff\x10"], b"\x00\xff\x10")
    check("Bytes", [b"abc"], b"abc")
    check("Vec", [[1, -2, 3]], [1, -2, 3])
    check("Arr", [[1.0, 2.0, 3.0]], [1.0, 2.0, 3.0])
    check("List", [["a", "b"]], ["a", "b"])
    check("Set", [[3, 1, 2, 3]], [1, 2, 3])
    check("Deque", [["a", "b"]], ["front", "a", "b"])
    check("USet", [[3, 1, 3]], [1, 3, 7], lambda a, b: sorted(a) == b)
    check("Pair", [("k", 2.5)], ["k", 2.5])
    check("Map", [{"a": [1.0, 2.0], "b": []}], {"a": [1.0, 2.0], "b": []})
    check("UMap", [{1: "one", -2: "two"}], {1: "one", -2: "two"})
    check("Opt", ["x"], "x")
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=utc)
    check("When", [when], when)
    check("Any", [{"k": [1, 2.5, "s", None, True, b"b", {"n": -1}]}],
          {"k": [1, 2.5, "s", None, True, b"b", {"n": -1}]})
    check("Paint", [-300], -300)
    check("Paint", [app.Color.kGreen], int(app.Color.kGreen))
    check("Flip", [app.Plain.kZero], 1)
    check("Point", [point], point)
    check("Shape", [shape], shape)
    check("Shape", [{"label": "l", "points": [], "color": 1, "meta": {"version": 7, "tags": {}}}],
          {"label": "l", "points": [], "color": 1, "weight": None,   # optional fields left out
           "anchor": None, "meta": {"version": 7, "tags": {}}})
    check("Tree", [tree], tree)
    check("Grid", [[[point], []]], [[point], []])
    check("Named", [{"s": shape}], {"s": shape})
    check("Move", [shape, {"x": 1.0, "y": 1.0}],
          {**shape, "points": [{"x": 2.5, "y": -1.0}, {"x": 1.0, "y": 1.0}]})
    check("Divide", [16, 5], [3, 1])
    check("Several", [], ["several", {"x": 1.5, "y": -2.5}, None])
    check("Nothing", [], None)
    check("Static", [4], 5)
    check("AddOffset", [1], 1001)  # inherited: on Echo's instance, not an Offsets of its own
    check("Twice", [21], 42)       # inherited, static

    # The typed stub module: the same calls, local actors, enums as IntEnums.
    expect("stub local task", app.local.Divide(17, 5), [3, 2])
    one_point = {"label": "", "points": [{"x": 1.0, "y": 0.0}], "color": 1,
                 "meta": {"version": 1, "tags": {}}}
    expect("stub struct", app.local.Move(one_point, {"x": 1.0, "y": 1.0})["points"],
           [{"x": 2.0, "y": 1.0}])
    with app.local.Accumulator(1.0, "acc") as accumulator:
        expect("Accumulator.Add", accumulator.Add(2.5), 3.5)
        expect("Accumulator.Where", accumulator.Where(), {"x": 3.5, "y": -3.5})
        expect("Accumulator.Name", accumulator.Name(), "acc")
    counter = app.local.Counter(5)
    expect("Counter.Incr", counter.Incr(2), 7)
    expect("Counter.Get", counter.Get(), 7)
    counter.close()
    called.extend(["Accumulator", "Counter"])

    # Errors name the C++ types as spelled in source (TypeNameOverride).
    expect_error("I8 overflow", lambda: app.local.I8(300), goray.ArgumentError, "int8_t")
    expect_error("Point not a map", lambda: app.local.Point("not a map"), goray.ArgumentError,
                 "shapes::Point")
    expect_error("Shape bad field", lambda: app.local.Shape({**shape, "meta": {"version": "x",
                                                                             "tags": {}}}),
                 goray.ArgumentError, "meta.version")
    # Every field but an optional one must be there (a base's too), and no other key.
    expect_error("Point without y", lambda: app.local.Point({"x": 1.0}), goray.ArgumentError,
                 "position 0: expected shapes::Point, received map without field .y (double, "
                 "in shapes::Point) (task Point)")
    expect_error("Point with z", lambda: app.local.Point({**point, "z": [1]}), goray.ArgumentError,
                 "received map with unknown field .z (not in shapes::Point)")
    expect_error("Shape without its base's label",
                 lambda: app.local.Shape({k: v for k, v in shape.items() if k != "label"}),
                 goray.ArgumentError, "received map without field .label (std::string, in "
                 "shapes::Shape)")
    expect_error("Shape's Meta without tags",
                 lambda: app.local.Shape({**shape, "meta": {"version": 1}}), goray.ArgumentError,
                 "received map without field .meta.tags (std::map<std::string, std::string>, in "
                 "shapes::Shape::Meta)")
    expect_error("Divide by zero", lambda: app.local.Divide(1, 0), goray.NativeError,
                 "divide by zero")

    # The table's init options and names.
    expect("init options", init_options(library), {"num_cpus": 1, "namespace": 'goray "gen" test'})
    expect("names", task_actor_list(library), [sorted(t for t in set(called) if t not in
                                                      ("Accumulator", "Counter")),
                                               ["Accumulator", "Counter"]])


def onefile(library: Any) -> None:
    import onefile as app

    check("Square", [3.0], 9.0)
    check("Divide", [16, 5], [3, 1])
    check("Summarize", [{"name": "s", "values": [1.0, 2.0], "mood": 1}],
          {"name": "s!", "values": [1.0, 2.0], "mood": 2})
    moods = [{"name": "m0", "values": [0.0], "mood": app.Mood.kCalm},
             {"name": "m1", "values": [1.0], "mood": app.Mood.kBusy}]
    check("Moods", [2], moods, lambda stream, expected: list(stream) == expected)
    expect("stub", app.local.Square(4.0), 16.0)
    expect("Counter", app.local.Counter(1).Incr(2), 3)
    called.append("Counter")
    expect("init options", init_options(library), {"num_cpus": 2})
    expect("names", task_actor_list(library), [["Divide", "Moods", "Square", "Summarize"], ["Counter"]])


def main() -> int:
    which, library_path, stubs_dir = sys.argv[1:4]
    sys.path.insert(0, stubs_dir)
    goray.load_library(library_path)
    library = _ffi.get_library()
    {"typesapp": typesapp, "onefile": onefile}[which](library)
    print(json.dumps({"called": sorted(set(called)), "failures": failures,
                      "detours": sorted(set(detours))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
