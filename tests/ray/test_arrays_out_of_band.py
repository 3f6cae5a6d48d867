"""How native bytes travel through Ray: NativeBlocks, args blocks and large bytes go
out of band (pickle protocol 5), so Ray writes them into its object store once and a
reader gets a view of the store, not a copy; small ones stay in band (plain bytes)."""
import gc
import pickle

import msgpack
import pytest
import ray

import goray
from goray._ray import bodies
from goray._ray.objects import NativeBlock, StoredBytes, Travelling

BIG = 1 << 20


def dumps(value):
    buffers = []
    data = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    return data, buffers


@pytest.mark.parametrize("make", [NativeBlock, Travelling, StoredBytes])
def test_large_blocks_pickle_out_of_band_and_load_without_a_copy(make):
    source = bytearray(msgpack.packb(b"x" * BIG))
    in_band, buffers = dumps(make(source))
    assert len(buffers) == 1 and len(in_band) < 200
    loaded = pickle.loads(in_band, buffers=buffers)
    if make is StoredBytes:  # the reader gets bytes: its one copy
        assert loaded == bytes(source)
        return
    data = loaded.data if make is NativeBlock else loaded
    assert isinstance(data, memoryview)
    source[-1] = ord("y")  # the loaded value is a view of the buffer, not a copy
    assert bytes(data[-1:]) == b"y"


@pytest.mark.parametrize("make", [NativeBlock, Travelling])
def test_small_blocks_stay_in_band_as_bytes(make):
    in_band, buffers = dumps(make(memoryview(b"\x01\x02")))
    assert buffers == []
    loaded = pickle.loads(in_band)
    assert (loaded.data if make is NativeBlock else loaded) == b"\x01\x02"


def test_call_units_frame_each_form_of_a_resolved_block():
    # One value as is, none as nil, several as an array: joined once into the request.
    units = bodies._call_units("T", memoryview(b"\x07"), (1, 2, 3),
                                    [NativeBlock(b"\x05"), NativeBlock(b""), NativeBlock(b"\x01\x02")], [])
    assert units == goray._protocol.pack_units(b"T", b"\x07", b"\x01" + bytes(7) + b"\x05",
                                               b"\x02" + bytes(7) + b"\xc0",
                                               b"\x03" + bytes(7) + b"\x92\x01\x02")


def test_a_native_block_read_from_ray_is_a_view_of_the_store(lib):
    block = NativeBlock(msgpack.packb(b"z" * (4 * BIG)))
    got = ray.get(ray.put(block))
    assert type(got) is NativeBlock and isinstance(got.data, memoryview) and got.data.readonly
    assert got.to_python() == b"z" * (4 * BIG)


def test_large_bytes_reach_a_task_as_a_view_of_the_store(lib, defs):
    assert ray.get(defs.py_kind.remote(Travelling(b"q" * (4 * BIG)))) == ["memoryview", False]
    assert ray.get(defs.py_kind.remote(Travelling(b"q" * 10))) == ["bytes", False]
    # Between the out-of-band threshold and Ray's limit for inline objects.
    middle = b"m" * (80 << 10)
    assert ray.get(defs.py_kind.remote(Travelling(middle)))[0] == "memoryview"
    assert ray.get(ray.put(NativeBlock(middle))).data == middle


def test_a_large_bytes_result_is_left_in_the_reply_buffer(lib):
    # In the worker: the argument framed as it is, the reply not copied (a view).
    data = bytes(range(256)) * (4 * BIG // 256)
    result = bodies.run_with_views("EchoBytes", [memoryview(data)])
    assert type(result) is StoredBytes and isinstance(result.data, memoryview)
    assert result.data == data
    pattern = bytes((i * 7 + 3) & 255 for i in range(256)) * (BIG // 256)
    assert bodies.run_with_views("CheckBytes", [pattern]) == BIG  # other results: decoded


def test_large_bytes_through_a_cpp_task_from_python(lib):
    data = bytes(range(256)) * (4 * BIG // 256)
    back = ray.get(goray.golang_task("EchoBytes").remote(data))
    assert type(back) is bytes and back == data
    back = ray.get(goray.golang_task("EchoBytes").remote(memoryview(bytearray(data))))
    assert back == data
    made = ray.get(goray.golang_task("MakeBytes").remote(4 * BIG))
    assert type(made) is bytes and len(made) == 4 * BIG


def rss_mib():
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS")).split()[1]) // 1024


def test_reply_buffers_left_in_place_are_freed(lib):
    # Replies kept as views (native blocks, large bytes results) and handed-over
    # buffers are freed once the last view goes: 40 rounds of 8 MiB + 4 MiB would leak
    # ~480 MiB.
    import numpy as np
    from goray import _arrays, _codec
    block = b"".join(_codec.pack_args("Twice", [np.arange(1 << 20, dtype=np.float64)], _arrays.INLINE))
    data = memoryview(bytes(4 * BIG))

    def round_trip():
        result = bodies.run_native_task("Twice", memoryview(block), ())
        # Arrays out of band: the array is a buffer handed over (released with the block).
        assert result.segments is not None and isinstance(result.datas[0], memoryview)
        assert result.to_python()[3] == 6.0
        assert len(bodies.run_with_views("EchoBytes", [data]).data) == 4 * BIG

    round_trip()
    adopted, released = _arrays.stats()
    before = rss_mib()
    for _ in range(40):
        round_trip()
    assert rss_mib() - before < 100
    gc.collect()
    now_adopted, now_released = _arrays.stats()
    assert now_adopted - adopted >= 40 and now_adopted - now_released == adopted - released
    assert goray.golang_local_run_task("LiveHandoffs") == 0  # every token released
