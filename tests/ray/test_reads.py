"""goray._ray.values.reads: ray.get for native readers, with the values Ray keeps unpickled
(msgpack "XLANG", "RAW" bytes) read from the core worker directly. Every value and
every error must be what ray.get gives, in the fast path and with GORAY_RAY_INTERNALS=0."""
import time

import pytest
import ray

import goray
from goray._ray.values import reads
from goray._ray.values.objects import NativeBlock

# In the subset of scripts/test-ray-versions.sh, every Ray release's.
pytestmark = pytest.mark.ray_versions

# Stored as XLANG (msgpack), RAW (bytes), or pickled (PYTHON: tuples, big ints, objects).
# The long ones take each length form of the header of Ray's layout (1, 2 and 4 bytes).
VALUES = [None, 0, -5, 2 ** 63 - 1, 1.5, True, "text", "", b"raw bytes", b"", [1, [2, "x"]],
          {"a": 1, "b": [None]}, {1: "int key"}, {1.5: [2.5]}, (1, 2), 2 ** 70, NativeBlock(b"\x01"),
          "é" * 100, list(range(300)), "y" * 70_000]


@pytest.fixture(params=["fast", "ray.get"])
def path(request, lib, monkeypatch):
    if request.param == "ray.get":
        monkeypatch.setenv("GORAY_RAY_INTERNALS", "0")
    assert reads.fast_reads() == (request.param == "fast")
    return request.param


@ray.remote
def fails():
    raise ValueError("read me")


@ray.remote
def sleeps(seconds):
    time.sleep(seconds)
    return seconds


def same(a, b):
    if type(a) is NativeBlock:
        return type(b) is NativeBlock and bytes(a.data) == bytes(b.data)
    return type(a) is type(b) and a == b


def test_every_kind_of_value_reads_as_ray_get_reads_it(path):
    refs = [ray.put(value) for value in VALUES]
    expected = ray.get(refs)
    got = reads.get_many(refs, None)
    assert all(same(a, b) for a, b in zip(got, expected)), (got, expected)
    assert all(same(reads.get(ref, None), value) for ref, value in zip(refs, expected))


def test_results_of_tasks_native_and_python_read_as_ray_get_reads_them(path):
    # A void C++ result (None), C++ values for a Python caller, a Python task's value.
    refs = [goray.golang_task("Noop").remote(), goray.golang_task("Square").remote(7),
            sleeps.remote(0)]
    assert [reads.get(ref, None) for ref in refs] == ray.get(refs)


def test_an_error_among_fast_values_raises_as_ray_get_does(path):
    refs = [ray.put(1), fails.remote(), ray.put("x")]
    with pytest.raises(ValueError, match="read me") as from_reads:
        reads.get_many(refs, None)
    with pytest.raises(ValueError) as from_ray:
        ray.get(refs)
    # RayTaskError(ValueError): a class Ray makes at each raise, the same by name.
    assert type(from_reads.value).__name__ == type(from_ray.value).__name__
    assert str(from_reads.value.cause) == str(from_ray.value.cause) == "read me"
    with pytest.raises(ray.exceptions.RayTaskError):
        reads.get(refs[1], None)


def test_a_timeout_raises_get_timeout_error_and_the_value_reads_later(path):
    ref = sleeps.remote(1.5)
    with pytest.raises(ray.exceptions.GetTimeoutError):
        reads.get_many([ray.put(1), ref], 0.05)
    with pytest.raises(ray.exceptions.GetTimeoutError):
        reads.get(ref, 0)
    assert reads.get(ref, None) == 1.5


def test_a_read_at_timeout_0_answers_as_ray_get_for_ready_missing_and_failed_objects(path):
    # At timeout 0 the fast path asks the core worker whether each object is here
    # before reading: its answers must be ray.get's.
    # (`running` sleeps long enough to be still running under any load: 1.5 s was not, once,
    # in a full CI run; it is cancelled at the end.)
    running, ready, failed = sleeps.remote(60), ray.put([1, "x"]), fails.remote()
    big = ray.put(b"b" * (1 << 20))  # in the node's store, not the process's
    ray.wait([failed])
    for refs in ([running], [ready, running], [running, ready]):
        with pytest.raises(ray.exceptions.GetTimeoutError) as error:
            reads.get_many(refs, 0)
        with pytest.raises(ray.exceptions.GetTimeoutError) as from_ray:
            ray.get(refs, timeout=0)
        assert str(error.value) == str(from_ray.value)
    assert reads.get_many([ready, big], 0) == [[1, "x"], b"b" * (1 << 20)]
    with pytest.raises(ValueError, match="read me"):
        reads.get(failed, 0)
    ray.cancel(running)


def test_an_empty_list_reads_as_an_empty_list(path):
    assert reads.get_many([], None) == []
