"""The C++ API against a live Ray: the raytest driver's scenarios (each returns 0
when every check passed, printing what failed otherwise). Its actors, named ones both ways,
go through goray._ray.native2py.actors (NewActor, NewPythonActor, KillActor, GetActor); its
GetRuntimeContext is runtime/src/refs/runtime_context.cpp's."""
import logging

import pytest
import ray

import goray
from goray._ray import driver


@pytest.fixture(scope="module")
def plain_actor(lib):
    @ray.remote
    class Plain:
        def ping(self, x):
            return f"pong {x}"

    handle = Plain.options(name="plain_python_actor", namespace="raytest").remote()
    yield handle
    ray.kill(handle)


@pytest.mark.ray_versions
def test_tasks_scenario(lib):
    assert driver.run_driver(lib, ["tasks"]) == 0


@pytest.mark.ray_versions
def test_actors_scenario(lib, plain_actor):
    assert driver.run_driver(lib, ["actors"]) == 0


def test_lifetimes_scenario_keeps_stores_flat(lib):
    assert driver.run_driver(lib, ["lifetimes"]) == 0


def test_driver_exit_code_and_runtime_context(lib):
    assert driver.run_driver(lib, ["exit", "7"]) == 7
    assert driver.run_driver(lib, ["context"]) == 0


def test_the_runtime_context_in_the_driver_logs_no_warning(lib):
    # Ray's get_task_id warns when called outside a worker; the driver asks it no more.
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("ray.runtime_context")
    logger.addHandler(handler)
    try:
        for _ in range(3):
            assert driver.run_driver(lib, ["context"]) == 0
        # The logger is the one Ray warns through (the check could fail).
        ray.get_runtime_context().get_task_id()
    finally:
        logger.removeHandler(handler)
    warnings = [record.getMessage() for record in records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "only available when the process is a worker" in warnings[0], warnings


@pytest.mark.ray_versions
def test_named_actor_created_in_python_is_reachable_from_cpp_and_back(lib):
    counter = goray.golang_actor_class("Counter").options(name="py_made", lifetime="detached").remote(1)
    assert ray.get(counter.Incr.remote(1)) == 2
    fetched = ray.get_actor("py_made")
    assert ray.get(fetched.Incr.remote(1)) == 3
    ray.kill(counter)


@pytest.mark.ray_versions
def test_named_actors_both_ways(lib):
    assert driver.run_driver(lib, ["named", "make", "cpp_named"]) == 0
    fetched = ray.get_actor("cpp_named", namespace="raytest")  # created in C++, detached
    assert ray.get(fetched.Incr.remote(1)) == 102
    ray.kill(fetched)

    made = goray.golang_actor_class("Counter").options(name="py_named", namespace="raytest").remote(5)
    assert ray.get(made.Incr.remote(1)) == 6
    assert driver.run_driver(lib, ["named", "use", "py_named", "7"]) == 0
    ray.kill(made)


@pytest.mark.ray_versions
def test_options_and_their_json_forms(lib):
    from ray.util.placement_group import placement_group, remove_placement_group
    group = placement_group([{"CPU": 1}], name="raytest_pg")
    ray.get(group.ready())
    try:
        assert driver.run_driver(lib, ["options", ray.get_runtime_context().get_node_id()]) == 0
    finally:
        remove_placement_group(group)
