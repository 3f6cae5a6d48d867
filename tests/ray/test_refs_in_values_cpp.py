"""ObjectRefs and actor handles inside values between Python and C++ on Ray: a list
of refs or a dict with a ref field reaches a C++ task unresolved (std::vector<
goray::ObjectRef>, a struct field), refs and handles C++ returns are ray.ObjectRefs
and Ray actor handles, a Python actor handle is called by C++ and a C++ handle by a
Python task; the referenced objects live while a holder does, and stores stay flat.
The C++ side is tests/apps/raytest.cpp (RefsSum ... HandToPython, scenario
"nested")."""
import gc

import pytest
import ray

import goray
from goray import _stores
from goray._ray import driver
from ref_table import reference_counts, wait_until


@pytest.fixture(scope="module")
def storage(defs):
    handle = defs.Storage.remote()
    yield handle
    ray.kill(handle)


def test_a_list_of_refs_reaches_a_cpp_task_unresolved(lib):
    a, b = ray.put(2.0), ray.put(3.0)
    assert ray.get(goray.golang_task("RefsSum").remote([a, b])) == 5.0
    assert ray.get(goray.golang_task("RefsEcho").remote([a, b, a])) == [a, b, a]


def test_a_dict_with_a_ref_field_is_a_struct_with_an_object_ref(lib):
    a = ray.put(2.5)
    job = {"input": a, "scale": 4, "label": "x"}
    assert ray.get(goray.golang_task("JobRun").remote(job)) == 10.0
    assert ray.get(goray.golang_task("JobEcho").remote(job)) == job


def test_refs_a_cpp_task_makes_are_read_by_python(lib):
    refs = ray.get(goray.golang_task("RefsMake").remote(4))
    assert len(refs) == 4 and all(isinstance(ref, ray.ObjectRef) for ref in refs)
    assert ray.get(refs) == [0.0, 1.0, 2.0, 9.0]  # Put 0, Square(1), Put 2, Square(3)
    # Passed back to C++ inside a list: read there.
    assert ray.get(goray.golang_task("RefsSum").remote(refs)) == 12.0


@pytest.mark.ray_versions
def test_a_cpp_actor_handle_returned_to_python_and_passed_back(lib):
    counter = ray.get(goray.golang_task("CounterMake").remote(5))
    assert ray.get(counter.Incr.remote(2)) == 7
    assert ray.get(goray.golang_task("CounterCall").remote(counter, 3)) == 10
    assert ray.get(goray.golang_task("CounterCall").remote(counter, 0)) == 10  # the same actor
    made = goray.golang_actor_class("Counter").remote(1)
    assert ray.get(goray.golang_task("CounterCall").remote(made, 4)) == 5


@pytest.mark.ray_versions
def test_a_python_actor_handle_is_called_by_a_cpp_task(lib, storage):
    text = ray.get(goray.golang_task("StorageCall").remote(storage, "k", "v"))
    assert text == "v|Storage|python"
    assert ray.get(storage.get.remote("k")) == "v"


def test_a_cpp_actor_handle_is_called_by_a_python_task(lib):
    assert ray.get(goray.golang_task("HandToPython").remote(10, 5)) == 15


def test_a_ref_inside_a_result_keeps_its_object_alive(lib):
    x = ray.put(b"kept" * 100)
    key = x.hex()
    held = goray.golang_task("RefsEcho").remote([x])
    ray.wait([held])
    del x
    gc.collect()
    inner, = ray.get(held)
    assert ray.get(inner) == b"kept" * 100
    del inner
    gc.collect()
    assert key in reference_counts()  # the stored result holds it
    del held
    wait_until(lambda: key not in reference_counts(), f"object {key} freed with its last holder")


def test_10000_in_process_round_trips_of_a_struct_holding_a_ref_stay_flat(lib):
    # In this process: Python packs the ref (a new id), C++ adopts it, echoes the struct
    # (pinning the id), Python reads it back and C++ releases it.
    x = ray.put(1.5)
    job = {"input": x, "scale": 2, "label": "j"}
    assert goray.golang_local_run_task("JobEcho", job) == job
    gc.collect()
    before = (len(_stores.objects), len(_stores.actors), len(reference_counts()))
    for _ in range(10_000):
        assert goray.golang_local_run_task("JobEcho", job)["input"] == x
    # C++ sends a dropped id's release in a batch of releases, within 20 ms
    # (runtime/src/calls_out/submission_queue.cpp): the last call's may still be on its way.
    wait_until(lambda: (len(_stores.objects), len(_stores.actors)) == before[:2],
               f"the objects and actors stores back to {before[:2]}")
    wait_until(lambda: len(reference_counts()) <= before[2], "Ray's reference table back")


def test_round_trips_through_ray_stay_flat(lib):
    x = ray.put(1.5)
    job = {"input": x, "scale": 2, "label": "j"}
    ray.get(goray.golang_task("JobEcho").remote(job))
    gc.collect()
    before = (len(_stores.objects), len(_stores.actors), len(reference_counts()))
    for _ in range(20):
        refs = [goray.golang_task("JobEcho").remote(job) for _ in range(25)]
        assert all(echoed["input"] == x for echoed in ray.get(refs))
        del refs
    gc.collect()
    assert (len(_stores.objects), len(_stores.actors)) == before[:2]
    wait_until(lambda: len(reference_counts()) <= before[2], "Ray's reference table back")


def test_nested_scenario_of_the_cpp_driver(lib):
    # Refs and handles inside values from the C++ driver (tests/apps/raytest.cpp).
    assert driver.run_driver(lib, ["nested"]) == 0


def test_a_cpp_actor_built_from_refs_keeps_them(lib):
    a, b = ray.put(2.0), ray.put(3.0)
    keys = {a.hex(), b.hex()}
    holder = goray.golang_actor_class("Keeper").remote([a, b])  # (raytest's nested scenario uses it too)
    assert ray.get(holder.Sum.remote()) == 5.0
    assert ray.get(holder.Refs.remote()) == [a, b]
    del a, b
    gc.collect()
    assert ray.get(holder.Sum.remote()) == 5.0  # the actor's ObjectRefs hold them
    assert keys <= set(reference_counts())
    ray.kill(holder)
    del holder
    wait_until(lambda: not keys & set(reference_counts()), "the refs freed with their holder")


def test_a_top_level_object_ref_parameter_takes_an_unresolved_ref(lib):
    a = ray.put(2.0)
    assert ray.get(goray.golang_task("RefValue").remote(goray.Unresolved(a))) == 2.0
    assert ray.get(goray.golang_task("RefForward").remote(goray.Unresolved(a))) == a
    # Unwrapped, Ray resolves it (as for any top-level ref): the C++ parameter gets a
    # number where it takes a ref.
    with pytest.raises(goray.ArgumentError, match="position 0"):
        ray.get(goray.golang_task("RefValue").remote(a))
    # In-process, a top-level ref is never resolved: wrapped or not, C++ gets the ref.
    assert goray.golang_local_run_task("RefValue", a) == 2.0
    assert goray.golang_local_run_task("RefValue", goray.Unresolved(a)) == 2.0
    with pytest.raises(TypeError, match="takes a ray.ObjectRef"):
        goray.Unresolved(2.0)
