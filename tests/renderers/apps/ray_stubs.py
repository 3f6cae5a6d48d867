"""The typed stub module through Ray (run by test_gen_compile_run.py in its own process):
tasks, options, ObjectRef arguments, actors with Ray options, typed handles, a method's
.bind (Ray DAGs), and the C++ driver's graph built with the typed wrappers' Bind.

    python ray_stubs.py LIBRARY STUBS_DIR
Prints one JSON object: {"failures": [...]}.
"""

from __future__ import annotations

import sys
import time

import ray_check
from ray_check import expect, run


def checks(app) -> None:
    import ray
    from goray import ArgumentError

    expect("task", ray.get(app.F64.remote(2.5)), 2.5)
    expect("several results", ray.get(app.Divide.remote(16, 5)), [3, 1])
    one_point = {"label": "", "points": [{"x": 1.0, "y": 0.0}], "color": 1,
                 "meta": {"version": 1, "tags": {}}}
    expect("struct", ray.get(app.Move.remote(one_point, {"x": 1.0, "y": 2.0}))["points"],
           [{"x": 2.0, "y": 2.0}])
    try:  # every field but an optional one must be there, through Ray too
        ray.get(app.Move.remote({"points": [{"x": 1.0}]}, {"x": 1.0, "y": 2.0}))
    except ArgumentError as error:
        expect("a struct without a field", (error.task, error.position, error.path, error.struct),
               ("Move", 0, ".label", "shapes::Shape"))
    else:
        expect("a struct without a field", "no error", "ArgumentError")
    expect("ref argument", ray.get(app.F64.remote(app.F64.remote(4.0))), 4.0)
    expect("options", ray.get(app.F64.options(num_cpus=1).remote(1.0)), 1.0)
    counter = app.Counter.remote(5)
    expect("actor", ray.get(counter.Incr.remote(2)), 7)
    # What the stubs type a handle as (its class derives from ray.actor.ActorHandle).
    expect("a handle is Ray's", isinstance(counter, ray.actor.ActorHandle), True)
    # What the stubs type for Ray DAGs: a method's .bind makes a ray.dag.ClassMethodNode
    # that runs it (here 7 + 1, then 8 + 8); a task object has no .bind.
    from ray.dag import ClassMethodNode, InputNode
    with InputNode() as inp:
        node = counter.Incr.bind(counter.Incr.bind(inp))
    expect("method .bind", type(node), ClassMethodNode)
    expect("a bound method runs", ray.get(node.execute(1)), 16)
    expect("a task has no .bind", hasattr(app.F64, "bind"), False)
    named = app.Accumulator.options(name="gen-acc").remote(1.0, "acc")
    expect("named actor", ray.get(named.Add.remote(2.0)), 3.0)
    expect("struct result", ray.get(named.Where.remote()), {"x": 3.0, "y": -3.0})
    expect("by name", ray.get(ray.get_actor("gen-acc").Name.remote()), "acc")
    ray.kill(named)  # typed: the handle is a ray.actor.ActorHandle
    # ray.kill returns before the actor is gone (the GCS kills it): a call sent at once may
    # still be answered on a loaded machine, so calls go on until one fails, for 60 s.
    outcome, deadline = "answered", time.monotonic() + 60
    while outcome == "answered" and time.monotonic() < deadline:
        try:
            ray.get(named.Name.remote(), timeout=30)
            time.sleep(0.1)
        except ray.exceptions.RayActorError:
            outcome = "RayActorError"
        except ray.exceptions.GetTimeoutError:
            pass  # (neither answered nor failed yet: try again)
    expect("a killed actor fails", outcome, "RayActorError")
    # The C++ driver's typed graph (wrappers.cpp RunTypedGraph): Bind on typed handles,
    # compiled and classic; its exit code is the number of failed checks.
    from goray._ray import driver
    expect("the typed C++ graph's failed checks", driver.run_driver(ray_check.library, ["graph"]), 0)


if __name__ == "__main__":
    sys.exit(run("typesapp", checks))
