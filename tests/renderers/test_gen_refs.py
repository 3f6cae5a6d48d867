"""Refs and actor handles as values through goray-gen on Ray: apps/refs built with
goray_add_app; from Python through the typed stubs (a list of refs, a ref to a top-level
ref parameter, a Future result, a typed handle returned and passed back, a TypedDict of
refs and a handle), and from a C++ task through the typed C++ wrappers (a vector of
futures, a Future passed unresolved, typed handles as arguments and results, a struct
holding refs and a handle); goray::Unresolved through the untyped API, and a bare ref to a
ref parameter refused naming its type (C++ and Python). Runs in its own process (this one
must not start Ray)."""

from __future__ import annotations

import json

from conftest import APPS, PYTHON, run


def test_refs_and_handles_through_ray(built_apps, ray_env):
    idl = json.loads((built_apps["refsapp_gen"] / "refsapp.idl.json").read_text())
    bump = next(task for task in idl["tasks"] if task["name"] == "Bump")
    assert bump["params"][0]["type"]["actor"] == "Counter"
    result = run([PYTHON, str(APPS / "ray_refs.py"), str(built_apps["refsapp"]),
                  str(built_apps["refsapp_stubs"])], timeout=300, env=ray_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1])["failures"] == []
