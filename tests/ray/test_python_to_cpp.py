"""Python calling C++ tasks and actors through Ray: values, options, failures."""
import os

import pytest
import ray

import goray

# In the subset of scripts/test-ray-versions.sh, every Ray release's.
pytestmark = pytest.mark.ray_versions


def test_task_results_are_python_values(lib):
    assert ray.get(goray.golang_task("Square").remote(2.0)) == 4.0
    assert ray.get(goray.golang_task("Divide").remote(17, 5)) == [3, 2]  # several results: a list
    assert ray.get(goray.golang_task("Noop").remote()) is None            # none: None
    assert ray.get(goray.golang_task("Scale").remote({"x": 1.0, "y": 2.0, "label": "p"}, 3.0)) == \
        {"x": 3.0, "y": 6.0, "label": "p*"}


def test_options_pass_through(lib):
    task = goray.golang_task("Square", num_cpus=0.5).options(max_retries=0, name="custom")
    assert ray.get(task.remote(3.0)) == 9.0


def test_object_refs_as_arguments_from_every_producer(lib, defs):
    counter = goray.golang_actor_class("Counter").remote(4)

    @ray.remote
    def plain_ray():
        return 5.0

    producers = {
        "cpp task": goray.golang_task("Square").remote(2.0),      # 4.0
        "cpp actor": counter.Incr.remote(0),                      # 4
        "python task": defs.py_square.remote(3),                  # 9
        "put": ray.put(6.0),
        "plain ray": plain_ray.remote(),
    }
    expected = {"cpp task": 4.0, "cpp actor": 4, "python task": 9, "put": 6.0, "plain ray": 5.0}
    for name, ref in producers.items():
        value = expected[name]
        assert ray.get(ref) == value, name
        assert ray.get(goray.golang_task("Square").remote(ref)) == value * value, name
        assert ray.get(defs.py_identity.remote(ref)) == value, name  # a Python consumer


def test_actor_from_python(lib):
    counter = goray.golang_actor_class("Counter").remote(10)
    assert ray.get(counter.Incr.remote(5)) == 15
    assert ray.get([counter.Incr.remote(1) for _ in range(10)])[-1] == 25
    assert ray.get(counter.Get.remote()) == 25


def test_native_failure_is_a_ray_task_error_caused_by_native_error(lib):
    with pytest.raises(goray.NativeError) as caught:
        ray.get(goray.golang_task("Divide").remote(1, 0))
    error = caught.value
    assert isinstance(error, ray.exceptions.RayTaskError)
    assert error.type == "std::domain_error"
    assert error.message == "divide by zero"
    assert error.task == "Divide"


def test_a_string_result_that_is_not_utf8_names_the_task_through_ray(lib):
    # (In-process, every route: tests/python/test_not_utf8.py.) The worker decodes the
    # result for its Python caller: its NotUTF8Error is the task's error.
    with pytest.raises(goray.NotUTF8Error) as caught:
        ray.get(goray.golang_task("Concat").remote(b"ab", b"\xff"))
    assert isinstance(caught.value, ray.exceptions.RayTaskError)
    assert (caught.value.task, caught.value.data, caught.value.offset) == ("Concat", b"ab\xff", 2)
    assert "(task Concat)" in str(caught.value) and "return bytes" in str(caught.value)
    assert ray.get(goray.golang_task("Concat").remote(b"ab", b"c")) == "abc"


def test_bad_argument_through_ray(lib):
    with pytest.raises(goray.ArgumentError) as caught:
        ray.get(goray.golang_task("Square").remote("two"))
    assert caught.value.position == 0
    assert caught.value.expected == "double"


def test_retries_apply_to_native_failures(lib, tmp_path):
    marker = str(tmp_path / "flaky")
    task = goray.golang_task("Flaky").options(max_retries=3, retry_exceptions=True)
    assert ray.get(task.remote(marker, 2)) == 3  # failed twice, succeeded on the third run
    with pytest.raises(goray.NativeError):
        ray.get(goray.golang_task("Flaky").options(max_retries=0).remote(str(tmp_path / "once"), 1))


def test_worker_crash_is_worker_died_and_driver_survives(lib):
    with pytest.raises(ray.exceptions.WorkerCrashedError):
        ray.get(goray.golang_task("Crash").options(max_retries=0).remote())
    assert ray.get(goray.golang_task("Square").remote(3.0)) == 9.0


def test_crashed_worker_is_retried(lib, tmp_path):
    marker = str(tmp_path / "crashy")
    assert ray.get(goray.golang_task("CrashyTask").options(max_retries=2).remote(marker, 1)) == 2


def test_values_over_100_mib_survive(lib):
    size = 150 * 1024 * 1024
    data = ray.get(goray.golang_task("MakeBytes").remote(size))
    assert len(data) == size
    assert ray.get(goray.golang_task("CheckBytes").remote(data)) == size
    assert ray.get(goray.golang_task("CheckBytes").remote(ray.put(data))) == size
    del data


def test_unknown_names(lib):
    with pytest.raises(goray.UnknownNameError):
        goray.golang_actor_class("NoSuchType").remote()
    with pytest.raises(goray.UnknownNameError):
        ray.get(goray.golang_task("NoSuchTask").remote())


def test_num_returns_is_refused(lib):
    with pytest.raises(goray.GorayError, match="num_returns"):
        goray.golang_task("Divide").options(num_returns=2).remote(1, 1)


def test_ray_stays_on_loopback(lib):
    assert [node["NodeManagerAddress"] for node in ray.nodes()] == ["127.0.0.1"]

    @ray.remote
    def worker_address():
        return ray.util.get_node_ip_address()

    assert ray.get(worker_address.remote()) == "127.0.0.1"
    place = ray.get(goray.golang_task("Where").remote())
    assert place["node_id"] == ray.nodes()[0]["NodeID"]
