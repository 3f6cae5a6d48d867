"""The Rays the scripts start run their workers at nice 0 (scripts/lib.sh exports
RAY_worker_niceness=0): at Ray's own 15 they got about 3% of a core beside CI's other lane's
compiles, and Ray 2.40's stream tests took 305 s under three busy loops against 56 s
(docs/testing.md, "Ray's workers at nice 0"). This checks that the setting reaches the
workers of every supported Ray; run by hand without it, they have Ray's 15."""
import os

import pytest
import ray

# Tier 2 (bash scripts/run-tests.sh --all): what the test scripts give Ray's workers, not goray's
# behaviour
pytestmark = pytest.mark.tier2


@ray.remote
def _niceness() -> int:
    return os.nice(0)


@ray.remote
class _Actor:
    def niceness(self) -> int:
        return os.nice(0)


@pytest.mark.ray_versions
def test_tasks_and_actors_run_at_the_niceness_in_ray_worker_niceness(lib):
    wanted = int(os.environ.get("RAY_worker_niceness", "15"))
    assert ray.get(_niceness.remote()) == wanted
    actor = _Actor.remote()
    assert ray.get(actor.niceness.remote()) == wanted
    ray.kill(actor)
