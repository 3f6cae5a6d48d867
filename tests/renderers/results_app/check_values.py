"""Calls every task and actor method of resultsapp and checks each value returned against
the annotation the generated resultsapp.pyi gives it (typeguard, every item of every
collection). Run by test_gen_stub_values.py in its own process (one library a process):

    python check_values.py local LIBRARY STUBS_DIR    # in-process: resultsapp.local
    python check_values.py ray LIBRARY STUBS_DIR      # through a local Ray: .remote()

Prints one JSON object: {"called": [...], "failures": [...]}.
"""

from __future__ import annotations

import __future__
import enum
import json
import os
import sys
import typing
from types import ModuleType
from typing import Any, Callable, Dict, List, Tuple

from typeguard import CollectionCheckStrategy, TypeCheckError, check_type

called: List[str] = []
failures: List[str] = []

# Each task's arguments (every task must be here: the test compares with the IDL).
TASKS: Dict[str, Tuple[Any, ...]] = {
    "Nothing": (), "Flag": (), "Whole": (), "Real": (), "Text": (), "Bytes": (), "When": (),
    "NoValues": (), "OneValue": (), "OneStruct": (), "OneOptional": (True,),
    "SameTypes": (), "MixedTypes": (), "Maybe": (True,), "Struct": (), "Enum": (),
    "Items": (), "Modes": (), "ModeMap": (), "Pair": (), "Nested": (),
    "TakeMode": (0,), "TakeModes": ([1],), "TakeModeMap": ({"k": 1},),
    "TakeItem": ({"name": "n", "mode": 1, "history": []},),  # every field but the optional
    "ModeOf": (-1,),
}
# A generator task: its items are checked one by one (its local call, goray.stream, and
# Ray's ObjectRefGenerator).
STREAMS: Dict[str, Tuple[Any, ...]] = {"ItemStream": (3,)}
# The same tasks again with other arguments (the other branch of an optional).
AGAIN: Dict[str, Tuple[Any, ...]] = {"OneOptional": (False,), "Maybe": (False,)}
# Box's methods and their arguments, called in this order.
METHODS: List[Tuple[str, Tuple[Any, ...]]] = [
    ("Get", ()), ("Set", (-7,)), ("Single", ()), ("Both", ()), ("Clear", ()), ("Get", ()),
]


def load_pyi(path: str, companion: str, app: ModuleType) -> ModuleType:
    """The .pyi executed as a module (annotations postponed, as a type checker reads
    them), so typing.get_type_hints can evaluate its annotations; its private companion
    (the classes it imports) first, as the module the .pyi imports. Its enums are the
    runtime module's (`app`): the classes the stub declares for them."""
    module = ModuleType("resultsapp_pyi")
    module.__file__ = path
    sys.modules[module.__name__] = module  # where get_type_hints finds a class's globals
    classes = ModuleType("_resultsapp_types")
    classes.__file__ = companion
    sys.modules[classes.__name__] = classes
    for file_name, namespace in ((companion, classes), (path, module)):
        with open(file_name, encoding="utf-8") as stub:
            code = compile(stub.read(), file_name, "exec",
                           flags=__future__.annotations.compiler_flag, dont_inherit=True)
        exec(code, namespace.__dict__)  # noqa: S102 - the generated stubs under test
        if namespace is classes:
            for name, value in list(vars(classes).items()):
                if isinstance(value, type) and issubclass(value, enum.IntEnum):
                    setattr(classes, name, getattr(app, name))
    # typeguard evaluates a TypedDict's string annotations in the caller's globals: give
    # it the evaluated ones.
    for value in list(vars(module).values()):
        if typing.is_typeddict(value):
            value.__annotations__ = typing.get_type_hints(value)
    return module


def returns(function: Callable[..., Any]) -> Any:
    return typing.get_type_hints(function)["return"]


def inside_ref(annotation: Any) -> Any:
    """T of ray.ObjectRef[T]."""
    (inner,) = typing.get_args(annotation)
    return inner


def check(what: str, value: Any, annotation: Any) -> None:
    try:
        check_type(value, annotation, collection_check_strategy=CollectionCheckStrategy.ALL_ITEMS)
    except TypeCheckError as error:
        failures.append(f"{what} returned {value!r}, which is not {annotation!r}: {error}")


def enum_calls(app: ModuleType) -> List[Tuple[str, Tuple[Any, ...], Any]]:
    """The module's IntEnum members as arguments, alone and inside a list, a dict and a
    TypedDict value: (task, arguments, the result expected)."""
    mode = app.Mode
    return [
        ("TakeMode", (mode.kAuto,), -7),
        ("TakeModes", ([mode.kOn, mode.kAuto],), [1, -7]),
        ("TakeModeMap", ({"a": mode.kOff},), {"a": 0}),
        ("TakeItem", ({"name": "n", "mode": mode.kAuto, "history": [mode.kOn]},),
         {"name": "n", "mode": -7, "weight": None, "history": [1]}),
    ]


def check_items(what: str, items: List[Any], item_annotation: Any, count: int) -> None:
    if len(items) != count:
        failures.append(f"{what} gave {len(items)} items, not {count}")
    for index, item in enumerate(items):
        check(f"{what} item {index}", item, item_annotation)


def stream_item(function: Callable[..., Any]) -> Any:
    """T of the Iterator[T] a local generator call returns."""
    (inner,) = typing.get_args(returns(function))
    return inner


def route_counters(app: ModuleType) -> Any:
    """The typed entries module's counters of its calls (None: no module)."""
    local = app.local
    counters = getattr(local, "__goray_counters__", None)
    return None if counters is None else counters()


def check_enum_results_stay_typed(app: ModuleType) -> None:
    """A task whose result is an enum declared in the .cpp file alone stays on the typed
    route (its result packed by the library), and gives the enum's member."""
    before = route_counters(app)
    result = app.local.Enum()
    after = route_counters(app)
    if before is not None and after["typed"] != before["typed"] + 1:
        failures.append(f"local.Enum() did not take the typed route: {before} -> {after}")
    if not isinstance(result, app.Mode) or result != app.Mode.kAuto:
        failures.append(f"local.Enum() returned {result!r}, expected Mode.kAuto")


def run_local(app: ModuleType, pyi: ModuleType) -> None:
    check_enum_results_stay_typed(app)
    for name, args, expected in enum_calls(app):
        result = getattr(app.local, name)(*args)
        if result != expected:
            failures.append(f"local.{name}{args!r} returned {result!r}, expected {expected!r}")
    for name, args in list(TASKS.items()) + list(AGAIN.items()):
        called.append(name)
        check(f"local.{name}{args!r}", getattr(app.local, name)(*args),
              returns(getattr(pyi._Local, name)))
    for name, args in STREAMS.items():
        called.append(name)
        check_items(f"local.{name}{args!r}", list(getattr(app.local, name)(*args)),
                    stream_item(getattr(pyi._Local, name)), args[0])
    called.append("Box")
    local_cls = returns(pyi._Local.Box)
    with app.local.Box(1) as box:
        for method, args in METHODS:
            called.append(f"Box.{method}")
            check(f"local Box.{method}{args!r}", getattr(box, method)(*args),
                  returns(getattr(local_cls, method)))
        box.Set(app.Mode.kAuto)
        if box.Get() != -7:
            failures.append("local Box.Set(Mode.kAuto) did not set -7")


def run_ray(app: ModuleType, pyi: ModuleType) -> None:
    import ray

    task_classes = typing.get_type_hints(pyi)
    for name, args in list(TASKS.items()) + list(AGAIN.items()):
        called.append(name)
        annotation = inside_ref(returns(task_classes[name].remote))
        check(f"{name}.remote{args!r}", ray.get(getattr(app, name).remote(*args)), annotation)
    import goray

    for name, args in STREAMS.items():
        called.append(name)
        item = stream_item(getattr(pyi._Local, name))
        check_items(f"{name}.remote{args!r}", [ray.get(ref) for ref in
                                               getattr(app, name).remote(*args)], item, args[0])
        check_items(f"goray.stream({name}, ...)", list(goray.stream(getattr(app, name), *args)),
                    item, args[0])
    mapped = app.ModeOf.map([1, 0, -1])  # a native map loop's results
    check("ModeOf.map([1, 0, -1])", mapped, typing.List[app.Mode])
    if mapped != [app.Mode.kOn, app.Mode.kOff, app.Mode.kAuto]:
        failures.append(f"ModeOf.map([1, 0, -1]) returned {mapped!r}")
    called.append("Box")
    handle_cls = returns(task_classes["Box"].remote)
    method_classes = typing.get_type_hints(handle_cls)
    box = app.Box.remote(1)
    for method, args in METHODS:
        called.append(f"Box.{method}")
        annotation = inside_ref(returns(method_classes[method].remote))
        check(f"Box.{method}.remote{args!r}",
              ray.get(getattr(box, method).remote(*args)), annotation)

    # Ray pickles the enum arguments, and the worker cannot import resultsapp.
    mode = app.Mode
    for name, args, expected in enum_calls(app):
        try:
            result = ray.get(getattr(app, name).remote(*args))
        except Exception as error:  # noqa: BLE001 - reported, not raised
            failures.append(f"{name}.remote{args!r} raised {type(error).__name__}: "
                            f"{str(error)[-500:]}")
            continue
        if result != expected:
            failures.append(f"{name}.remote{args!r} returned {result!r}, expected {expected!r}")
    box = app.Box.remote(mode.kOn)
    try:
        ray.get(box.Set.remote(mode.kAuto))
        if ray.get(box.Get.remote()) != -7:
            failures.append("Box.Set.remote(Mode.kAuto) did not set -7")
    except Exception as error:  # noqa: BLE001
        failures.append(f"Box.Set.remote(Mode.kAuto) raised {type(error).__name__}: "
                        f"{str(error)[-500:]}")


def main() -> int:
    how, library, stubs_dir = sys.argv[1:4]
    import goray

    sys.path.insert(0, stubs_dir)
    import resultsapp

    pyi = load_pyi(f"{stubs_dir}/resultsapp.pyi", f"{stubs_dir}/_resultsapp_types.pyi",
                   resultsapp)
    if how == "local":
        goray.load_library(library)
        run_local(resultsapp, pyi)
    else:
        import ray

        # The test session's Ray when it gave its address (tests/renderers/shared_ray.py).
        address = os.environ.get("GORAY_TEST_RAY_ADDRESS")
        goray.init(library, **({"address": address} if address else
                               {"num_cpus": 2, "include_dashboard": False}))
        try:
            run_ray(resultsapp, pyi)
        finally:
            ray.shutdown()
    print(json.dumps({"called": sorted(set(called)), "failures": failures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
