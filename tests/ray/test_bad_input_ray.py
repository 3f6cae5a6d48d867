"""The bad-input catalogue for remote calls (docs/reliability.md): bad Ray options for
golang_task / golang_actor_class fail at submission with Ray's or goray's message;
bad arguments and unknown names fail the task with the goray error (a RayTaskError
that is also the goray class), and the driver keeps working.
test_python_to_cpp.py covers the first wrong-type case and failures inside tasks."""

import pytest
import ray

import goray


@pytest.fixture(autouse=True)
def still_serving(lib):
    yield
    assert ray.get(goray.golang_task("Square").remote(3.0)) == 9.0


@pytest.mark.parametrize("options, error, text", [
    ({"bogus_option": 1}, ValueError, "Invalid option keyword bogus_option for remote functions."),
    ({"num_cpus": "x"}, TypeError, "The type of keyword 'num_cpus' must be"),
    ({"num_cpus": -1}, ValueError, "The quantity of resource num_cpus cannot be negative"),
    ({"max_retries": "x"}, TypeError, "The type of keyword 'max_retries' must be"),
    ({"num_returns": 2}, goray.GorayError,
     "num_returns=2 is not supported: a goray task returns one object (several C++ results "
     "arrive as one list)"),
])
def test_bad_task_options(options, error, text):
    with pytest.raises(error) as info:
        goray.golang_task("Square", **options).remote(2.0)
    assert str(info.value).startswith(text)
    with pytest.raises(error) as info:  # the same through .options()
        goray.golang_task("Square").options(**options).remote(2.0)
    assert str(info.value).startswith(text)


def test_bad_actor_options_and_unknown_actor_type():
    with pytest.raises(ValueError) as info:
        goray.golang_actor_class("Counter", bogus=1).remote(0)
    assert str(info.value).startswith("Invalid option keyword bogus for actors.")
    with pytest.raises(goray.UnknownNameError) as info:
        goray.golang_actor_class("Nope").remote()
    assert str(info.value) == "actor type 'Nope' not found; known actor types: Clash, Counter, Crasher, DataPricer, GraphStage, Grouped, Keeper, MapAccumulator, MapScaler, OobScaler, Scaler, Serial, Spinner, Streamer, StringRowCounter"


def test_task_name_of_the_wrong_type():
    with pytest.raises(TypeError) as info:
        goray.golang_task(5)
    assert str(info.value) == "golang_task needs a task name (str), got 5"


def test_unknown_task_fails_the_task():
    with pytest.raises(goray.UnknownNameError) as info:
        ray.get(goray.golang_task("Nope").remote(2.0))
    assert "task 'Nope' not found; known tasks: AddPoint, " in str(info.value)


@pytest.mark.parametrize("args, text", [
    ((), "expected 1 argument, received 0 (task Square)"),
    ((1.0, 2.0), "expected 1 argument, received 2 (task Square)"),
    ((None,), "position 0: expected double, received nil (task Square)"),
    ((2**70,), "position 0: expected an integer in [-2**63, 2**64), received int "
               "1180591620717411303424 (task Square)"),
])
def test_bad_arguments_fail_the_task(args, text):
    with pytest.raises(goray.ArgumentError) as info:
        ray.get(goray.golang_task("Square").remote(*args))
    assert text in str(info.value)


@pytest.mark.parametrize("point, received, path, struct", [
    ({"x": 1.0, "label": "p"}, "map without field .y (double, in raytest::Point)",
     ".y", "raytest::Point"),
    ({"x": 1.0, "y": 2.0, "label": "p", "z": 3.0}, "map with unknown field .z (not in raytest::Point)",
     ".z", "raytest::Point"),
    ({"x": 1.0, "y": None, "label": "p"}, "map (at .y: expected double, received nil)", ".y", ""),
])
def test_a_struct_without_a_field_or_with_another_fails_the_task_naming_it(point, received, path,
                                                                          struct):
    with pytest.raises(goray.ArgumentError) as info:
        ray.get(goray.golang_task("Scale").remote(point, 2.0))
    error = info.value
    assert (error.task, error.position, error.expected, error.received) == (
        "Scale", 0, "raytest::Point", received)
    assert (error.path, error.struct) == (path, struct)
    assert f"position 0: expected raytest::Point, received {received} (task Scale)" in str(error)


def test_a_struct_without_a_field_fails_an_actor_method_naming_it():
    pricer = goray.golang_actor_class("DataPricer").remote(1.0)
    with pytest.raises(goray.ArgumentError) as info:
        ray.get(pricer.Apply.remote({"price": [1.0]}))
    error = info.value
    assert (error.task, error.position, error.expected) == ("DataPricer.Apply", 0, "raytest::OrderColumns")
    assert error.received == ("map without field .quantity (goray::ArrayView<int64_t>, in "
                              "raytest::OrderColumns)")
    ray.kill(pricer)
