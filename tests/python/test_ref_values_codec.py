"""goray._codec's hooks for ObjectRefs and actor handles inside values, without Ray:
a fake hooks module stands in for goray._ray.nested. Packing writes each distinct ref
once as an index and hands the indexes to the hooks only when the whole pack
succeeded (nothing is registered otherwise); unpacking asks the hooks, with the
block's lists when it decodes a stored block."""
import msgpack
import pytest

from goray import _codec


class FakeRef:
    def __init__(self, name):
        self.name = name


class FakeHandle(FakeRef):
    pass


class Hooks:
    """kind / to_native_many / decode as goray._ray.nested has them; ids are 100 + index."""

    def __init__(self):
        self.registered = []
        self.decoded = []

    def kind(self, value):
        if isinstance(value, FakeHandle):
            return 74
        return 73 if isinstance(value, FakeRef) else 0

    def to_native_many(self, pieces, refs, actors, native=b""):
        self.registered.append(([r.name for r in refs], [a.name for a in actors]))
        out = []
        for piece in pieces:
            buffer = bytearray(piece)
            for offset, _ in _codec.find_ref_exts(piece):
                index = int.from_bytes(buffer[offset:offset + 8], "little")
                buffer[offset:offset + 8] = (100 + index).to_bytes(8, "little")
            out.append(bytes(buffer))
        return out

    def decode(self, code, key, lists):
        self.decoded.append((code, key, lists))
        return ("decoded", code, key)


@pytest.fixture
def hooks(monkeypatch):
    fake = Hooks()
    monkeypatch.setattr(_codec, "ref_hooks", fake)
    return fake


def ext(code, key):
    return msgpack.ExtType(code, key.to_bytes(8, "little"))


def test_one_index_per_distinct_ref_and_ids_written_by_the_hooks(hooks):
    a, b, h = FakeRef("a"), FakeRef("b"), FakeHandle("h")
    data = _codec.pack([a, b, a, {"h": h}])
    assert hooks.registered == [(["a", "b"], ["h"])]
    assert msgpack.unpackb(data) == [ext(73, 100), ext(73, 101), ext(73, 100), {"h": ext(74, 100)}]


def test_nothing_is_registered_when_the_pack_fails(hooks):
    with pytest.raises(TypeError):
        _codec.pack([FakeRef("a"), object()])
    with pytest.raises(_codec.ArgumentError):
        _codec.pack_args("T", [[FakeRef("a")], object()])
    with pytest.raises(_codec.ArgumentError):
        _codec.pack_args("T", [[FakeRef("a")], object()], refs_met=_codec.RefsMet())
    assert hooks.registered == []
    assert _codec._refs_tls.collected is None  # no refs left behind
    assert msgpack.unpackb(_codec.pack(1)) == 1 and hooks.registered == []


def test_args_pieces_share_indexes_and_leave_large_bytes_alone(hooks):
    a = FakeRef("a")
    large = b"\xd7\x49" + bytes(1 << 17)  # a top-level bytes piece, never walked
    pieces = _codec.pack_args("T", [[a], large, {"again": a}])
    assert hooks.registered == [(["a"], [])]
    assert pieces[2] is large
    stream = msgpack.Unpacker(raw=False)
    stream.feed(b"".join(bytes(p) for p in pieces))
    assert list(stream) == [[ext(73, 100)], large, {"again": ext(73, 100)}]


def test_the_stored_form_keeps_indexes_and_registers_nothing(hooks):
    a, h = FakeRef("a"), FakeHandle("h")
    met = _codec.RefsMet()
    block = b"".join(_codec.pack_args("T", [[a, a], h], refs_met=met))
    assert (met.refs, met.actors) == ([a], [h]) and hooks.registered == []
    assert _codec._refs_tls.collected is None
    stream = msgpack.Unpacker(raw=False)
    stream.feed(block)
    assert list(stream) == [[ext(73, 0), ext(73, 0)], ext(74, 0)]


def test_unpacking_asks_the_hooks_with_the_lists_of_a_stored_block(hooks):
    data = msgpack.packb([ext(73, 5), ext(74, 6), ext(1, 7)])
    assert _codec.unpack(data)[:2] == [("decoded", 73, 5), ("decoded", 74, 6)]
    lists = (["r"], ["h"], b"")
    assert _codec.unpack_result_block_with(data, lists)[0] == ("decoded", 73, 5)
    assert [entry[2] for entry in hooks.decoded] == [None, None, lists, lists]
    assert _codec._refs_tls.lists is None
    with pytest.raises(_codec.CodecError, match="expected 8"):
        _codec.unpack(msgpack.packb(msgpack.ExtType(73, b"abc")))


def test_without_hooks_exts_stay_ext_types(monkeypatch):
    monkeypatch.setattr(_codec, "ref_hooks", None)
    assert _codec.unpack(msgpack.packb(ext(73, 5))) == ext(73, 5)
