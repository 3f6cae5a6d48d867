"""goray.submit: the same submissions through the prepared path (Ray's core worker
called as this Ray's own layer calls it, goray._ray.internals) and through Ray's public
API give the same results and the same effects of their options; what cannot be
mirrored takes the public path. Runs on every Ray of scripts/test-ray-versions.sh."""
import os
import sys

import msgpack
import pytest
import ray
import ray.cloudpickle
from ray.util.placement_group import placement_group, remove_placement_group
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

from goray._ray import native2py, objects, submit

pytestmark = [pytest.mark.ray_versions, pytest.mark.skipif(not submit.enabled(),
                                reason="this Ray's submit call is not one goray knows: only "
                                       "the public path runs (tests/python covers that)")]


# The workers cannot import this module (tests/ray is not on their path): its remote
# functions and classes travel by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


#: Whether a task can read its name here (not on Ray 2.40: there both paths read None).
NAMES = hasattr(ray.runtime_context.RuntimeContext, "get_task_name")


def task_name(context):
    """The running task's name (None on Ray 2.40, which cannot say)."""
    read = getattr(context, "get_task_name", None)
    return read() if read is not None else None


@pytest.fixture
def internals(monkeypatch):
    monkeypatch.delenv(submit.ENV, raising=False)
    assert submit.enabled()


def both(function, options, *args):
    """The results of one call through each path (internal first), and the paths."""
    internal = submit.task_submitter(function, options)
    public = submit.PublicTask(function, options)
    results = []
    for submitter in (internal, public):
        refs = submitter.remote(*args)
        results.append(ray.get(refs) if isinstance(refs, list) else ray.get(refs))
    return results, submit.describe(internal)


@ray.remote
def probe(*args):
    context = ray.get_runtime_context()
    resources = {k: v for k, v in context.get_assigned_resources().items() if not k.startswith("node:")}
    return task_name(context), resources, args


@ray.remote
def pair(a):
    return a, a + 1


@ray.remote
def numbers():
    yield 1


@pytest.mark.parametrize("options", [
    {}, {"num_cpus": 2}, {"name": "probe-named"}, {"num_cpus": 0.5, "name": "half"},
    {"resources": {"node:127.0.0.1": 0.01}}, {"max_retries": 0, "retry_exceptions": True},
    {"scheduling_strategy": "SPREAD"}, {"scheduling_strategy": "DEFAULT"},
])
def test_a_task_has_the_same_effects_through_both_paths(lib, internals, options):
    ray.get(probe.remote())  # exported once (the first call of a job is Ray's own)
    (internal, public), path = both(probe, options, 1, "two")
    assert path == "internal"
    assert internal == public
    if "name" in options and NAMES:
        assert internal[0] == options["name"]
    if "num_cpus" in options:
        assert internal[1].get("CPU") == options["num_cpus"]


def test_num_returns_through_both_paths(lib, internals):
    ray.get(pair.remote(0))
    (internal, public), path = both(pair, {"num_returns": 2}, 5)
    assert path == "internal" and internal == public == [5, 6]


def test_max_retries_and_retry_exceptions_through_both_paths(lib, internals, tmp_path):
    @ray.remote
    def flaky(marker, kind):
        if not os.path.exists(marker):
            open(marker, "w").close()
            if kind == "crash":
                os._exit(1)
            raise ValueError("first attempt")
        return "second attempt"

    open(tmp_path / "warm", "w").close()
    ray.get(flaky.remote(str(tmp_path / "warm"), "raise"), timeout=60)  # exported
    for kind, options in (("crash", {"max_retries": 1}),
                          ("raise", {"max_retries": 1, "retry_exceptions": [ValueError]})):
        outcomes = []
        for name, submitter in (("internal", submit.task_submitter(flaky, options)),
                                ("public", submit.PublicTask(flaky, options))):
            outcomes.append(ray.get(submitter.remote(str(tmp_path / f"{kind}-{name}"), kind), timeout=120))
        assert outcomes == ["second attempt", "second attempt"]
    failures = []
    for name, submitter in (("internal", submit.task_submitter(flaky, {"max_retries": 0})),
                            ("public", submit.PublicTask(flaky, {"max_retries": 0}))):
        with pytest.raises(ray.exceptions.RayError) as caught:
            ray.get(submitter.remote(str(tmp_path / f"none-{name}"), "crash"), timeout=120)
        failures.append(type(caught.value))
    assert failures[0] is failures[1]


def test_options_ray_refuses_raise_the_same_error_when_prepared(lib, internals):
    errors = []
    for make in (submit.task_submitter, submit.PublicTask):
        with pytest.raises(Exception) as caught:
            make(probe, {"num_cpus": -1})
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


def test_wrong_argument_counts_take_rays_path_and_its_error(lib, internals):
    ray.get(pair.remote(0))
    submitter = submit.task_submitter(pair, {})
    assert submit.describe(submitter) == "internal"
    with pytest.raises(TypeError, match="missing a required argument"):
        submitter.remote()


def test_what_cannot_be_mirrored_takes_the_public_path(lib, internals, monkeypatch):
    group = placement_group([{"CPU": 1}])
    ray.get(group.ready(), timeout=60)
    try:
        strategy = PlacementGroupSchedulingStrategy(placement_group=group)
        submitter = submit.task_submitter(probe, {"scheduling_strategy": strategy})
        assert submit.describe(submitter) == "public"
        assert ray.get(submitter.remote(3))[2] == (3,)
    finally:
        remove_placement_group(group)
    env = {"runtime_env": {"env_vars": {"GORAY_PROBE": "1"}}}
    assert submit.describe(submit.task_submitter(probe, env)) == "public"
    assert submit.describe(submit.task_submitter(numbers, {})) == "public"
    monkeypatch.setenv(submit.ENV, "0")
    assert submit.describe(submit.task_submitter(probe, {})) == "public"


@ray.remote
class Probe:
    def where(self, *args):
        context = ray.get_runtime_context()
        return task_name(context), args

    def pair(self, a):
        return a, a * 2

    def count(self):
        return 1


@pytest.mark.parametrize("method, options, args", [
    ("where", {}, (1, 2)), ("where", {"name": "named-call"}, ("x",)),
    ("pair", {"num_returns": 2}, (4,)), ("count", {"max_task_retries": 0}, ()),
])
def test_an_actor_method_has_the_same_effects_through_both_paths(lib, internals, method, options, args):
    actor = Probe.remote()
    internal = submit.method_submitter(actor, method, options)
    public = submit.PublicMethod(actor, method, options)
    assert submit.describe(internal) == "internal"
    results = [ray.get(s.remote(*args)) for s in (internal, public)]
    assert results[0] == results[1]
    if "name" in options and NAMES:
        assert results[0][0] == options["name"]
    with pytest.raises(TypeError):  # Ray's own argument check, through the public path
        internal.remote(*args, 1, 2, 3) if method != "where" else submit.method_submitter(
            actor, "count", {}).remote(1)
    ray.kill(actor)


def test_goray_submissions_give_the_same_results_through_both_paths(lib, monkeypatch):
    results = {}
    for mode in ("1", "0"):
        monkeypatch.setenv(submit.ENV, mode)
        monkeypatch.setattr(submit, "_submitters", {})
        native = native2py.submit_native_task("Square", {"num_cpus": 1}, msgpack.packb(3.0), (), [])
        python = native2py.python_task("py_square", {"max_retries": 1}).remote("py_square", 6)
        results[mode] = (bytes(objects.native_value(ray.get(native)).data), ray.get(python))
        paths = {submit.describe(s) for s in submit._submitters.values()}
        assert paths == {"internal" if mode == "1" else "public"}
    assert results["1"] == results["0"] == (msgpack.packb(9.0), 36)
