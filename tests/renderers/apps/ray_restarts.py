"""Ray actor options declared in C++ (GORAY_ACTOR_OPTIONS, apps/restarts/) on Ray (run by
test_gen_actor_options.py in its own process): vault::Keeper declares max_restarts=1, so
an actor killed with no_restart=False comes back in another process, whether the stub
module, goray.golang_actor_class or the C++ driver's NewActor created it; .options()
(Remote()'s options in C++) given max_restarts=0 wins and it stays dead.

    python ray_restarts.py LIBRARY STUBS_DIR
Prints one JSON object: {"failures": [...]}.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Optional

import ray_check
from ray_check import expect, run


def pid_after_kill(handle: Any, before: int, expect_restart: bool) -> Optional[int]:
    """The actor's pid once it answers from another process (restarted), or None when
    its calls keep failing (dead) or the wait runs out. Expecting it dead, the first
    ActorDiedError says so; expecting a restart, that is one more failed call (a call in
    flight when the actor died)."""
    import ray

    ray.kill(handle, no_restart=False)
    deadline = time.monotonic() + 60
    failed_in_a_row = 0
    while time.monotonic() < deadline and failed_in_a_row < 25:  # 5 s of failures: dead
        try:
            pid = ray.get(handle.Pid.remote(), timeout=30)
            if pid != before:
                return pid
            failed_in_a_row = 0
        except ray.exceptions.ActorDiedError:
            if not expect_restart:
                return None
            failed_in_a_row += 1
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            failed_in_a_row += 1  # unavailable while it restarts
        time.sleep(0.2)
    return None


def restarted(actor_class: Any, expected: bool) -> bool:
    import ray

    handle = actor_class.remote()
    return pid_after_kill(handle, ray.get(handle.Pid.remote()), expected) is not None


def checks(restartsapp) -> None:
    import goray
    from goray._ray.driver import run_driver

    expect("declared on the stub module's class", restartsapp.Keeper.declared_options,
           {"max_restarts": 1})
    expect("the stub's actor restarts", restarted(restartsapp.Keeper, True), True)
    expect("golang_actor_class's actor restarts",
           restarted(goray.golang_actor_class("Keeper"), True), True)
    expect(".options(max_restarts=0) wins",
           restarted(restartsapp.Keeper.options(max_restarts=0), False), False)
    expect("golang_actor_class .options(max_restarts=0) wins",
           restarted(goray.golang_actor_class("Keeper").options(max_restarts=0), False), False)
    expect("the C++ driver's failures", run_driver(ray_check.library), 0)


if __name__ == "__main__":
    sys.exit(run("restartsapp", checks))
