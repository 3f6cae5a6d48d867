"""The msgpack walker that finds ObjectRefs (ext 73) and actor handles (ext 74)
inside packed values (goray._fastpath.find_ref_exts, through goray._codec.find_ref_exts):
exactly the exts of random values, never look-alike bytes inside str/bin/ext payloads,
and cut or invalid input read up to its first bad item, whatever buffer holds the bytes."""
import random

import msgpack
import pytest

from goray import _codec

LOOK_ALIKE = b"\xd7\x49" + bytes(8) + b"\xd7\x4a" + bytes(8)


def implementations(data):
    """What the walk finds in `data` held as bytes, as a memoryview and as a bytearray."""
    return [_codec.find_ref_exts(data), _codec.find_ref_exts(memoryview(data)),
            _codec.find_ref_exts(bytearray(data))]


def random_value(rng, marks, depth=0):
    """A random msgpack-able value; each ext 73/74 gets a unique payload recorded in
    `marks` (payload -> type), so what the walk finds can be checked exactly."""
    choice = rng.randrange(12 if depth < 4 else 8)
    if choice == 0:
        return rng.choice([None, True, False, 0, -1, 127, -33, 2**63, -2**63, 1.5, 255, 65536])
    if choice == 1:  # str with look-alike bytes (as text) of every length class
        return ("\u00d7I" * rng.randrange(0, 3)) + "x" * rng.choice([0, 5, 31, 32, 300, 70000])
    if choice == 2:  # bin holding what looks like ext 73/74
        return LOOK_ALIKE * rng.randrange(0, 4) + bytes(rng.choice([0, 3, 300, 70000]))
    if choice in (3, 4):
        code = rng.choice([73, 74])
        payload = rng.getrandbits(64).to_bytes(8, "little")
        marks[payload] = code
        return msgpack.ExtType(code, payload)
    if choice == 5:  # other exts, some of type 73/74 but not fixext 8, some holding look-alikes
        return msgpack.ExtType(rng.choice([1, 71, 73, 74, 100]),
                               rng.choice([b"", b"a", LOOK_ALIKE, bytes(16), LOOK_ALIKE * 20]))
    if choice == 6:
        return rng.uniform(-1e9, 1e9)
    if choice == 7:
        return rng.randrange(-2**31, 2**32)
    if choice in (8, 9):
        return [random_value(rng, marks, depth + 1) for _ in range(rng.choice([0, 1, 3, 16, 20]))]
    return {rng.choice(["k", "\u00d7J", str(i)]) + str(i): random_value(rng, marks, depth + 1)
            for i in range(rng.choice([0, 2, 16, 17]))}


@pytest.mark.parametrize("seed", range(60))
def test_the_walk_finds_exactly_the_ref_exts_of_random_values(seed):
    rng = random.Random(seed)
    marks = {}
    values = [random_value(rng, marks) for _ in range(rng.randrange(1, 6))]
    data = b"".join(msgpack.packb(value, use_bin_type=True) for value in values)
    results = implementations(data)
    assert all(result == results[0] for result in results)
    found = {bytes(data[offset:offset + 8]): code for offset, code in results[0]}
    assert found == marks
    assert all(data[offset - 2] == 0xd7 and data[offset - 1] == code for offset, code in results[0])


@pytest.mark.parametrize("seed", range(40))
def test_cut_and_corrupted_blocks_read_alike_from_every_buffer(seed):
    rng = random.Random(1000 + seed)
    marks = {}
    data = bytearray(b"".join(msgpack.packb(random_value(rng, marks), use_bin_type=True)
                              for _ in range(3)))
    for _ in range(20):
        mutated = bytearray(data)
        if rng.random() < 0.5 and mutated:
            del mutated[rng.randrange(len(mutated)):]
        for _ in range(rng.randrange(0, 4)):
            if mutated:
                mutated[rng.randrange(len(mutated))] = rng.choice([0xc1, 0xd7, 0x49, 0xdb, 0xc6, rng.randrange(256)])
        results = implementations(bytes(mutated))
        assert all(result == results[0] for result in results), bytes(mutated).hex()


def test_look_alike_bytes_inside_bin_and_str_are_not_refs():
    # A C++ std::string is any bytes: a str whose payload looks like the exts.
    raw_str = bytes((0xa0 | len(LOOK_ALIKE),)) + LOOK_ALIKE
    raw_str8 = b"\xd9" + bytes((len(LOOK_ALIKE) * 2,)) + LOOK_ALIKE * 2
    blocks = [raw_str, raw_str8, b"\x92" + raw_str + raw_str8]
    for value in (LOOK_ALIKE, [LOOK_ALIKE] * 3, {"k": LOOK_ALIKE}, msgpack.ExtType(5, LOOK_ALIKE)):
        blocks.append(msgpack.packb(value, use_bin_type=True))
    for data in blocks:
        assert b"\xd7\x49" in data
        assert implementations(data) == [[]] * len(implementations(data))


def test_the_walk_stops_at_a_truncated_item_and_keeps_what_came_before():
    ref = msgpack.packb(msgpack.ExtType(73, bytes(range(8))))
    data = ref + msgpack.packb(b"x" * 10)[:-3]
    assert implementations(data)[0] == [(2, 73)]
    assert all(result == [(2, 73)] for result in implementations(data))
    cut_ref = ref + ref[:-1]
    assert all(result == [(2, 73)] for result in implementations(cut_ref))
    assert all(result == [] for result in implementations(b"\xc1" + ref))


def test_memoryviews_and_large_blocks():
    ref = msgpack.packb(msgpack.ExtType(74, bytes(8)))
    big = msgpack.packb([b"\x00" * (1 << 17), msgpack.ExtType(73, bytes(8))], use_bin_type=True)
    for data in (ref, big):
        results = [_codec.find_ref_exts(memoryview(data)), *implementations(data)]
        assert all(result == results[0] for result in results)
        assert len(results[0]) == 1


def test_the_walk_refuses_non_buffers():
    with pytest.raises(TypeError):
        _codec.find_ref_exts(12)
