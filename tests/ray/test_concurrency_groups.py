"""Concurrency groups declared in C++ (Grouped: io=2 with Meet, compute=1 with Work):
the driver makes the Ray class with them, each grouped method (m and m__) in its
group; a caller's groups merge over the declared ones; per-call concurrency_group
works from Python and from C++."""
import dataclasses
import ray

import goray
from goray import _traits
from goray._ray.py2native import callees as py2native
from goray._ray.worker import bodies


def _meets(handle, group=None, timeout_s=5.0):
    method = handle.Meet if group is None else handle.Meet.options(concurrency_group=group)
    return ray.get([method.remote(2, timeout_s) for _ in range(2)])


def test_groups_are_visible_through_traits(lib):
    grouped = _traits.actor_traits(lib, "Grouped")
    assert grouped.thread_safe is True
    assert grouped.concurrency_groups == {"io": 2, "compute": 1}
    assert grouped.groups == {"Meet": "io", "Work": "compute"}
    serial = _traits.actor_traits(lib, "Serial")  # no traits beyond its methods' names and loops
    assert set(serial.method_maps) == {"Incr"}
    assert dataclasses.replace(serial, methods=frozenset(), method_maps={}) == _traits.ActorTraits()
    assert serial.methods


def test_the_ray_class_has_the_groups_and_both_method_forms_in_them(lib):
    cls = bodies.native_actor_class("Grouped", py2native.native_actor_methods("Grouped"))
    meta = cls.__ray_metadata__
    assert meta.concurrency_groups == {"io": 2, "compute": 1}
    assert meta.method_meta.concurrency_group_for_methods == {
        "Meet": "io", "Meet__": "io", "Work": "compute", "Work__": "compute"}
    merged = bodies.native_actor_class("Grouped", py2native.native_actor_methods("Grouped"),
                                       {"io": 1, "extra": 3})
    assert merged is not cls  # cached per groups
    assert merged.__ray_metadata__.concurrency_groups == {"io": 1, "compute": 1, "extra": 3}


def test_meet_calls_meet_in_io_while_work_runs_in_compute(lib):
    grouped = goray.golang_actor_class("Grouped").remote()
    work = grouped.Work.remote(200_000_000)  # holds compute's one thread meanwhile
    assert _meets(grouped) == [True, True]
    assert ray.get(work) == 200_000_000
    ray.kill(grouped)


def test_per_call_group_from_python(lib):
    grouped = goray.golang_actor_class("Grouped").remote()
    # compute has one thread: two Meet calls sent there cannot meet.
    assert _meets(grouped, group="compute", timeout_s=0.5) == [False, False]
    assert _meets(grouped, group="io") == [True, True]
    ray.kill(grouped)


def test_per_call_group_from_cpp(lib):
    assert ray.get(goray.golang_task("GroupedMeetsIn").remote("")) is True
    assert ray.get(goray.golang_task("GroupedMeetsIn").remote("io")) is True
    assert ray.get(goray.golang_task("GroupedMeetsIn").remote("compute")) is False


def test_callers_groups_merge_over_the_declared_ones(lib):
    narrowed = goray.golang_actor_class("Grouped").options(concurrency_groups={"io": 1}).remote()
    assert _meets(narrowed, timeout_s=0.5) == [False, False]
    widened = goray.golang_actor_class("Grouped").options(concurrency_groups={"extra": 2}).remote()
    assert _meets(widened) == [True, True]  # io is still declared
    assert _meets(widened, group="extra") == [True, True]
    ray.kill(narrowed)
    ray.kill(widened)


def test_callers_groups_from_cpp(lib):
    # NewActor("Grouped", Option("concurrency_groups", {"io": n})): io resized to n.
    assert ray.get(goray.golang_task("GroupedMeetsWithIo").remote(2)) is True
    assert ray.get(goray.golang_task("GroupedMeetsWithIo").remote(1)) is False
