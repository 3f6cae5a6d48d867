"""Library.execute_view: a reply of copy_below bytes or more stays in the library's
buffer until its last view goes (native results are read there before FreeMemory,
while the refs they name are still pinned (goray._fastpath.execute_view)."""
import gc

import msgpack

from goray._protocol import Py2Native, pack_units


def run(lib, size, copy_below):
    payload = pack_units(b"EchoBytes", msgpack.packb(b"x" * size, use_bin_type=True))
    return lib.execute_view(int(Py2Native.RUN_TASK), payload, 0, copy_below)


def test_views_of_owned_and_copied_replies(lib):
    for size, copy_below in ((10, 1 << 16), (10, 0), (1 << 17, 1 << 16), (0, 0)):
        code, view = run(lib, size, copy_below)
        assert code == 0 and view.readonly and view.format == "B"
        assert msgpack.unpackb(view) == b"x" * size
        kept = len(view) >= copy_below
        assert isinstance(view.obj, bytes) != kept or len(view) == 0
        del view
        gc.collect()
    code, view = run_unknown(lib)
    assert code == 5 and b"UnknownNameError" in bytes(view)


def run_unknown(lib):
    return lib.execute_view(int(Py2Native.RUN_TASK), pack_units(b"NoSuchTask", b""), 0, 0)


def test_an_owned_view_outlives_its_slices(lib):
    code, view = run(lib, 1 << 17, 0)
    part = view[5:10]  # (after the bin 32 header)
    del view
    gc.collect()
    assert bytes(part) == b"xxxxx"  # the buffer is freed only with its last view
