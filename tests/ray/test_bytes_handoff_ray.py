"""Large bytes results on Ray (docs/refs.md, "Arrays on Ray"): a C++ task's byte
vector of at least 1 MiB is handed over (ext 72 owned, bytes flag); the worker's
Ray body stores that memory itself (StoredBytes, out of band: Ray copies it into its
store, no copy into a reply first) and releases it (ReleaseArray) once stored."""
import gc
import pickle

import ray

import goray
from goray._ray.worker import bodies
from goray._ray.values.objects import StoredBytes

LARGE = 1 << 20


def live_handoffs():
    return goray.golang_local_run_task("LiveHandoffs")


def test_an_echo_gives_the_bytes_back(lib):
    data = bytes(range(256)) * (16 * LARGE // 256)  # 16 MiB
    assert ray.get(goray.golang_task("EchoBytes").remote(data)) == data
    # Whichever workers ran it keep no handed-over buffer.
    assert ray.get([goray.golang_task("LiveHandoffs").remote() for _ in range(8)]) == [0] * 8


def test_the_body_stores_the_handed_over_memory(lib):
    data = bytes(range(256)) * (4 * LARGE // 256)
    gc.collect()
    before = live_handoffs()
    result = bodies.run_with_views("EchoBytes", [memoryview(data)])
    assert type(result) is StoredBytes
    assert live_handoffs() == before + 1  # the C++ vector's memory, held by the result
    assert bytes(result.data) == data
    buffers = []
    pickle.dumps(result, protocol=5, buffer_callback=buffers.append)  # as Ray stores it
    assert [buffer.raw().nbytes for buffer in buffers] == [len(data)]
    del result, buffers
    gc.collect()
    assert live_handoffs() == before
