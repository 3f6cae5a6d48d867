"""refsapp through Ray (run by test_gen_refs.py in its own process): the typed stubs with
refs and handles from Python, and RefTasks::Orchestrate, which calls the typed C++
wrappers from a task.

    python ray_refs.py LIBRARY STUBS_DIR
Prints one JSON object: {"failures": [...]}.
"""

from __future__ import annotations

import sys

from ray_check import expect, failures, run


def checks(app) -> None:
    import goray
    import ray

    parts = [app.Square.remote(1.0), ray.put(2.5)]
    expect("a list of refs", ray.get(app.Sum.remote(parts)), 3.5)
    later = app.Later.remote(4.0)   # a ref whose value is a ref: Ray resolves to the ref
    expect("a ref to a top-level ref parameter", ray.get(app.Deref.remote(later)), 4.0)
    try:
        ray.get(app.Deref.remote(ray.put(4.0)))  # a bare ref: Ray resolves it to 4.0
        failures.append("a bare ref to a top-level ref parameter was accepted")
    except Exception as error:  # noqa: BLE001 (Ray wraps the task's error)
        expect("the refusal names the parameter's type",
               "goray::Future<double>" in str(error), True)
    expect("goray.Unresolved to a top-level ref parameter",
           ray.get(app.Deref.remote(goray.Unresolved(ray.put(4.5)))), 4.5)
    inner = ray.get(later)
    expect("a Future result is a ray.ObjectRef", isinstance(inner, ray.ObjectRef), True)
    expect("its value", ray.get(inner), 4.0)
    counter = ray.get(app.Spawn.remote(10))
    expect("a typed handle to a task", ray.get(app.Bump.remote(counter, 5)), 15)
    expect("the handle's methods", ray.get(counter.Incr.remote(1)), 16)
    made = app.Counter.remote(2)
    expect("a handle from the stub", ray.get(app.Bump.remote(made, 1)), 3)
    job = {"input": app.Square.remote(3.0), "extras": [ray.put(1.0)], "progress": counter}
    expect("a TypedDict of refs and a handle", ray.get(app.RunJob.remote(job)), 10.0)
    expect("the job bumped the counter", ray.get(counter.Incr.remote(0)), 17)
    expect("the typed C++ wrappers in a task", ray.get(app.Orchestrate.remote()), "")


if __name__ == "__main__":
    sys.exit(run("refsapp", checks))
