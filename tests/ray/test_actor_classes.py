"""Native actors as Ray classes: names that would collide are refused, unknown
methods name the actor's methods, wrong constructor arguments are ArgumentErrors, and a
constructor that throws gives every call an ActorDiedError that is a NativeError too."""
import pickle

import pytest
import ray

import goray
from goray._ray import driver
from goray._ray.worker.bodies import native_actor_class


def test_methods_m_and_m__are_refused_from_python(lib):
    # Both would need the Ray method Get__: a native call of Get would run Get__.
    with pytest.raises(goray.GorayError, match="methods 'Get' and 'Get__' both need the Ray method 'Get__'"):
        goray.golang_actor_class("Clash").remote()


def test_methods_m_and_m__are_refused_from_cpp(lib):
    assert driver.run_driver(lib, ["clash"]) == 0


def test_names_the_actor_class_uses_are_refused():
    with pytest.raises(goray.GorayError, match="'_goray_call' is a name Ray or goray uses"):
        native_actor_class("Odd", ["_goray_call"])


@pytest.mark.ray_versions
def test_an_unknown_method_lists_the_actors_methods(lib):
    counter = goray.golang_actor_class("Counter").remote(1)
    with pytest.raises(AttributeError) as info:
        getattr(counter, "Nope")
    assert str(info.value) == ("native actor Counter has no method 'Nope'; its methods: "
                               "Crash, Get, Incr, Pid, SleepMs, WaitFor, Where")
    assert not hasattr(counter, "Nope")
    assert ray.get(counter.Incr.remote(1)) == 2
    fetched_by_name = goray.golang_actor_class("Counter").options(name="listed").remote(0)
    with pytest.raises(AttributeError, match="its methods: Crash, Get, Incr"):
        ray.get_actor("listed").Nope  # noqa: B018
    ray.kill(fetched_by_name)
    ray.kill(counter)


def test_python_actor_handles_keep_rays_message(lib, defs):
    store = defs.Storage.remote()
    with pytest.raises(AttributeError, match="'ActorHandle' object has no attribute 'nope'"):
        store.nope  # noqa: B018
    ray.kill(store)


def test_wrong_constructor_arguments_are_argument_errors_from_python(lib):
    # Checked in the caller before the actor is submitted (Py2Native 32), not an
    # ActorDiedError with the worker's traceback at the first method call.
    with pytest.raises(goray.ArgumentError) as info:
        goray.golang_actor_class("Counter").remote("x")
    error = info.value
    assert (error.task, error.position, error.expected, error.received) == ("Counter", 0, "int64_t", "str")
    assert str(error) == "position 0: expected int64_t, received str (task Counter)"
    with pytest.raises(goray.ArgumentError, match=r"^expected 1 argument, received 2 \(task Counter\)$"):
        goray.golang_actor_class("Counter").remote(1, 2)
    counter = goray.golang_actor_class("Counter").remote(ray.put(3))  # a ref: checked in the worker
    assert ray.get(counter.Get.remote()) == 3
    ray.kill(counter)


def test_wrong_constructor_arguments_are_argument_errors_from_cpp(lib):
    assert driver.run_driver(lib, ["constructor_args"]) == 0


@pytest.mark.ray_versions
def test_a_constructor_that_throws_gives_a_native_error_first(lib):
    # Ray's ActorDiedError for every call, an instance of goray.NativeError too, typed as a
    # method's failure is, its text starting with the C++ type and message (not Ray's text
    # and goray's frames in the worker); through pickling as well.
    refused = goray.golang_actor_class("Crasher").remote(-2)  # raytest/crashes.cpp: throws
    for _ in range(2):
        with pytest.raises(goray.NativeError) as caught:
            ray.get(refused.Id.remote())
        error = caught.value
        assert isinstance(error, ray.exceptions.ActorDiedError) and error.actor_init_failed
        assert (error.type, error.message, error.task) == (
            "std::runtime_error", "raytest: cannot open store -2", "Crasher")
        text = str(error)
        assert text.startswith("std::runtime_error: raytest: cannot open store -2 (task Crasher)\n")
        assert "The actor died because of an error raised in its creation task" in text
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == text
    # A constructor crash stays a NativeCrash (test_crash_reports.py); a plain death Ray's own.
    killed = goray.golang_actor_class("Counter").remote(1)
    ray.kill(killed)
    with pytest.raises(ray.exceptions.RayActorError) as caught:
        ray.get(killed.Get.remote())
    assert not isinstance(caught.value, goray.GorayError)
