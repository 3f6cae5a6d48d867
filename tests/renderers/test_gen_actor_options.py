"""Ray actor options declared in C++ (GORAY_ACTOR_OPTIONS) from the marker to Ray: the
IDL and the stub module say them, and an actor of a class declaring max_restarts=1
comes back after a kill with no_restart=False however it is created (the stub module,
goray.golang_actor_class, the C++ driver's NewActor), while a creation's own
max_restarts=0 wins (apps/restarts/, apps/ray_restarts.py)."""

from __future__ import annotations

import json

from conftest import APPS, PYTHON, run


def test_the_idl_and_the_stubs_carry_the_declared_options(built_apps):
    idl = json.loads((built_apps["restartsapp_gen"] / "restartsapp.idl.json").read_text())
    assert [actor.get("options") for actor in idl["actors"]] == [{"max_restarts": 1}]
    stub = (built_apps["restartsapp_stubs"] / "restartsapp.py").read_text()
    assert "declared_options={'max_restarts': 1})" in stub
    table = (built_apps["restartsapp_gen"] / "restartsapp.goray.cpp").read_text()
    assert '.Options("{\\"max_restarts\\":1}")' in table


def test_declared_restarts_are_honoured_and_a_creations_own_win_on_ray(built_apps, ray_env):
    result = run([PYTHON, str(APPS / "ray_restarts.py"), str(built_apps["restartsapp"]),
                  str(built_apps["restartsapp_stubs"])], timeout=300, env=ray_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1])["failures"] == []
