"""Default arguments of tests/golden/defaults/defaults.cpp, called with
every accepted argument count and with too few and too many (run by test_gen_defaults.py
in its own process). Prints one JSON object: {"failures": [...]}.

    python defaults_check.py local LIBRARY STUBS_DIR   # in-process
    python defaults_check.py ray LIBRARY STUBS_DIR     # a local Ray: the stubs' .remote(),
                                                       # then the C++ driver's typed wrappers
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, List

failures: List[str] = []
report: dict = {}


def expect(what: str, call: Callable[[], Any], expected: Any) -> None:
    try:
        actual = call()
    except Exception as error:  # noqa: BLE001 - reported, not raised
        failures.append(f"{what} raised {type(error).__name__}: {error}")
        return
    if actual != expected:
        failures.append(f"{what}: {actual!r}, expected {expected!r}")


def expect_error(what: str, call: Callable[[], Any], message: str) -> None:
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the message is what is checked
        if message not in str(error):
            failures.append(f"{what} raised {type(error).__name__}: {error}; "
                            f"expected {message!r}")
        return
    failures.append(f"{what} did not fail")


def local(library: str) -> None:
    import goray

    goray.load_library(library)
    import defaultsapp as app

    run = app.local
    expect("Add(1)", lambda: run.Add(1), 3)
    expect("Add(1, 5)", lambda: run.Add(1, 5), 6)
    expect("Greet()", lambda: run.Greet(), "hello world")
    expect("Greet(bob, 2)", lambda: run.Greet("bob", 2), "hello bobhello bob")
    expect("Fill(3)", lambda: run.Fill(3), [1, 2, 0])
    expect("Fill(1, [7, 8])", lambda: run.Fill(1, [7, 8]), [7])
    with run.Counter() as counter:  # the factory's default: 5
        expect("Counter().Incr()", lambda: counter.Incr(), 7)
        expect("Counter().Incr(3)", lambda: counter.Incr(3), 10)
        expect_error("Counter().Incr(1, 2)", lambda: counter.Incr(1, 2),
                     "expected 0 to 1 arguments, received 2 (task Counter.Incr)")
    with run.Counter(100) as counter:
        expect("Counter(100).Incr()", lambda: counter.Incr(), 102)
    with run.Box("b") as box:  # the constructor's default: Scale::Factor()
        expect("Box(b).Describe()", lambda: box.Describe(), "box b10")
        expect("Box(b).Describe(>)", lambda: box.Describe(">"), ">b10")
    expect_error("Add()", lambda: goray.golang_local_run_task("Add"),
                 "expected 1 to 2 arguments, received 0 (task Add)")
    expect_error("Add(1, 2, 3)", lambda: goray.golang_local_run_task("Add", 1, 2, 3),
                 "expected 1 to 2 arguments, received 3 (task Add)")
    expect_error("Box()", lambda: goray.golang_local_new_actor("Box"),
                 "expected 1 to 2 arguments, received 0")
    expect_error("Greet(a, 1, 2)", lambda: goray.golang_local_run_task("Greet", "a", 1, 2),
                 "expected 0 to 2 arguments, received 3 (task Greet)")
    local_keywords(goray, run)
    # Every call above, its errors too, took the typed entries (no codec path).
    report["counters"] = dict(run.__goray_counters__())


#: What a keyword call gets wrong, and the message (str of the ArgumentError).
PAD = "the parameters: Pad(n, fill=<C++ default>, width=4) (task Pad)"
KEYWORD_ERRORS = [
    ("Pad(1, width=2)", "Pad", (1,), {"width": 2},
     "argument 'fill' (position 1) has a C++ default that is not a constant, so it cannot "
     f"be left out to give 'width' by keyword: pass 'fill' too; {PAD}"),
    ("Pad(1, widht=2)", "Pad", (1,), {"widht": 2}, f"unknown keyword argument 'widht'; {PAD}"),
    ("Pad(1, n=2)", "Pad", (1,), {"n": 2},
     f"argument 'n' (position 0) given by position and by keyword; {PAD}"),
    ("Pad(fill=2)", "Pad", (), {"fill": 2}, f"missing argument 'n' (position 0); {PAD}"),
]


def typed(what: str, run: Any, call: Callable[[], Any], expected: Any) -> None:
    """As expect, and the call took the typed entries' path (no codec call)."""
    before = dict(run.__goray_counters__())
    expect(what, call, expected)
    after = dict(run.__goray_counters__())
    if after["typed"] != before["typed"] + 1:
        failures.append(f"{what}: not the typed path ({before} -> {after})")


def local_keywords(goray: Any, run: Any) -> None:
    """Keyword arguments in-process: by the C++ names, constant defaults filled in, in C++
    (the typed path), errors included."""
    typed("Add(1, b=5)", run, lambda: run.Add(1, b=5), 6)
    typed("Add(a=1)", run, lambda: run.Add(a=1), 3)
    typed("Pad(n=1, fill=3)", run, lambda: run.Pad(n=1, fill=3), 134)
    expect("Line(a, end=?)", lambda: run.Line("a", end="?"), "3|15|l|a?")
    expect("Line(text=b, upper=True)", lambda: run.Line(text="b", upper=True), "3|15|U|b!")
    expect("Pad(1, fill=3)", lambda: run.Pad(1, fill=3), 134)
    expect("golang_local_run_task(Line, x, scale=2.0)",
           lambda: goray.golang_local_run_task("Line", "x", scale=2.0), "3|20|l|x!")
    for _ in range(3):  # call sites taking turns: each keeps its own places and defaults
        typed("Line(a, end=?) again", run, lambda: run.Line("a", end="?"), "3|15|l|a?")
        typed("Line(text=b, upper=True) again", run, lambda: run.Line(text="b", upper=True), "3|15|U|b!")
        typed("Add(a=1) again", run, lambda: run.Add(a=1), 3)
    for what, task, args, kwargs, message in KEYWORD_ERRORS:
        expect_error(what, lambda: goray.golang_local_run_task(task, *args, **kwargs), message)
    with run.Counter(n=100) as counter:
        expect("Counter(n=100).Incr(by=3)", lambda: counter.Incr(by=3), 103)
        expect_error("Counter.Incr(bx=1)", lambda: counter.Incr(bx=1),
                     "unknown keyword argument 'bx'; the parameters: Counter.Incr(by=2) "
                     "(task Counter.Incr)")
    with goray.golang_local_new_actor("Box", label="q") as box:
        expect("Box(label=q).Describe(prefix=>)", lambda: box.Describe(prefix=">"), ">q10")


def on_ray(library: str) -> None:
    import goray
    import ray
    from goray._ray.driver import run_driver

    from ray_check import ray_init_args  # beside this script

    loaded = goray.init(library, **ray_init_args())
    try:
        import defaultsapp as app

        expect("Add.remote(1)", lambda: ray.get(app.Add.remote(1)), 3)
        expect("Add.remote(1, 5)", lambda: ray.get(app.Add.remote(1, 5)), 6)
        expect("Greet.remote()", lambda: ray.get(app.Greet.remote()), "hello world")
        counter = app.Counter.remote()
        expect("Counter.remote().Incr.remote()", lambda: ray.get(counter.Incr.remote()), 7)
        box = app.Box.remote("b")
        expect("Box.remote(b).Describe.remote()", lambda: ray.get(box.Describe.remote()),
               "box b10")
        expect_error("Add.remote(1, 2, 3)", lambda: ray.get(app.Add.remote(1, 2, 3)),
                     "expected 1 to 2 arguments, received 3")
        # Keyword arguments: resolved here for tasks and actor creation, in the actor's
        # worker for methods (their errors arrive with ray.get).
        expect("Line.remote(a, end=?)", lambda: ray.get(app.Line.remote("a", end="?")),
               "3|15|l|a?")
        expect("golang_task(Add).remote(a=1, b=4)",
               lambda: ray.get(goray.golang_task("Add").remote(a=1, b=4)), 5)
        for what, task, args, kwargs, message in KEYWORD_ERRORS:
            expect_error(what, lambda: goray.golang_task(task).remote(*args, **kwargs), message)
        counter = goray.golang_actor_class("Counter").remote(n=10)
        expect("Counter(n=10).Incr.remote(by=3)", lambda: ray.get(counter.Incr.remote(by=3)), 13)
        expect_error("Counter.Incr.remote(bx=1)", lambda: ray.get(counter.Incr.remote(bx=1)),
                     "unknown keyword argument 'bx'; the parameters: Counter.Incr(by=2)")
        box = app.Box.remote(label="q")
        expect("Box(label=q).Describe.remote(prefix=>)",
               lambda: ray.get(box.Describe.remote(prefix=">")), ">q10")
        expect("the C++ driver's failures", lambda: run_driver(loaded), 0)
    finally:
        ray.shutdown()


def main() -> int:
    mode, library, stubs_dir = sys.argv[1:4]
    sys.path.insert(0, stubs_dir)
    (local if mode == "local" else on_ray)(library)
    print(json.dumps({"failures": failures, **report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
