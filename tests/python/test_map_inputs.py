"""goray.map's planning and inputs, without Ray (goray._map.plan, goray._map.inputs):
chunk sizes from the measured cost, columns and shared values, zipping, conversions and
the refused inputs. tests/ray/test_map.py runs maps on Ray."""
import math

import numpy as np
import pytest

from goray._keywords import NOT_CONSTANT, Param
from goray._map.inputs import Inputs, Shared
from goray._map.plan import (FLOOR_SECONDS, PROBE_ITEMS, PROBED_SECONDS, TAIL_SECONDS,
                             TARGET_SECONDS, Planner)
from goray._traits import MapLoop
from goray.errors import ArgumentError

PARAMS = (Param("x", False, NOT_CONSTANT), Param("weight", True, 1.0))
LOOP = MapLoop(("f8", "f8"), "f8", False)


def test_a_probe_first_then_sizes_from_the_measured_cost():
    planner = Planner(20_000_000, slots=2)
    assert not planner.calibrated and planner.probing()
    assert planner.next_size(20_000_000) == PROBE_ITEMS
    assert planner.room(4) == 2  # a probe per slot, sent together
    planner.observe(64, 64 * 250, probe=True)  # 0.25 us an item
    assert planner.calibrated and not planner.probing()
    assert planner.room(4) == 2  # sized from a probe only: one per slot still
    assert planner.next_size(20_000_000) == int(PROBED_SECONDS / 250e-9)
    planner.observe(800_000, 800_000 * 250)
    assert planner.room(4) == 4
    assert planner.next_size(20_000_000) == int(TARGET_SECONDS / 250e-9)
    # The tail (at most TAIL_SECONDS of work a slot): cut once into one equal chunk a
    # slot...
    tail = int(TAIL_SECONDS * 2 / 250e-9)  # 4,000,000 items: 0.5 s a slot
    size = planner.next_size(tail)
    assert size == math.ceil(tail / 2)
    assert planner.next_size(tail - size) == size  # ...kept until the input ends
    assert planner.next_size(100) == 100
    slow = Planner(None, slots=4)
    slow.observe(10, 10 * 10_000_000)  # 10 ms an item: a handful per chunk
    assert slow.next_size(None) == 5
    assert slow.room(8) == 8
    assert Planner(10, slots=1, fixed=3).next_size(10) == 3
    assert Planner(10, slots=1, fixed=3).room(2) == 2
    with pytest.raises(ValueError, match="chunk_size"):
        Planner(10, slots=1, fixed=0)


def test_chunks_aim_at_the_target_until_the_tail():
    planner = Planner(None, slots=2)
    planner.observe(1000, 1000 * 250)
    assert planner.next_size(None) == int(TARGET_SECONDS / 250e-9)
    known = Planner(100_000_000, slots=2)
    known.observe(1000, 1000 * 250)
    assert known.next_size(100_000_000) == int(TARGET_SECONDS / 250e-9)
    assert known.next_size(6_000_000) == int(TARGET_SECONDS / 250e-9)  # 0.75 s a slot left
    assert int(FLOOR_SECONDS / 250e-9) < int(TARGET_SECONDS / 250e-9)


def test_a_probe_is_an_upper_bound_that_the_first_larger_chunk_replaces():
    planner = Planner(50_000_000, slots=2)
    # A probe's few items carry its loop's fixed costs: 1 us an item, where 50 ns is true.
    planner.observe(64, 64 * 1_000, probe=True)
    assert planner.next_size(50_000_000) == int(PROBED_SECONDS / 1e-6)
    planner.observe(200_000, 200_000 * 50)
    assert planner.room(4) == 4
    assert planner.next_size(50_000_000) == int(TARGET_SECONDS / 50e-9)
    # A small input's probes leave work for the chunks after them.
    assert Planner(40, slots=2).next_size(40) == 10
    # 5,000,000 items of 50 ns: two probes, two chunks the probes sized, then the rest in
    # one chunk a slot (85 ms of work each).
    cheap = Planner(5_000_000, slots=2)
    cheap.observe(64, 64 * 250, probe=True)
    first = cheap.next_size(5_000_000 - 128)
    assert first == int(PROBED_SECONDS / 250e-9)
    cheap.observe(first, first * 50)
    rest = 5_000_000 - 128 - 2 * first
    assert cheap.next_size(rest) == math.ceil(rest / 2)


def test_a_short_input_is_cut_into_its_tail_by_the_probes_bound():
    # 2,000,000 items of 0.25 us: 0.25 s a slot by the probes' bound, so the rest goes out
    # at once as one chunk a slot (the best fixed size), queued without waiting for a
    # larger chunk's report.
    planner = Planner(2_000_000, slots=2)
    assert planner.next_size(2_000_000) == PROBE_ITEMS
    planner.observe(64, 64 * 250, probe=True)
    rest = 2_000_000 - 2 * PROBE_ITEMS
    assert planner.next_size(rest) == math.ceil(rest / 2)
    assert planner.room(4) == 4
    assert planner.next_size(rest - math.ceil(rest / 2)) == rest - math.ceil(rest / 2)
    # Twice that work a slot (the tail's most): still one chunk a slot.
    twice = Planner(4_000_000, slots=2)
    twice.observe(64, 64 * 250, probe=True)
    rest = 4_000_000 - 2 * PROBE_ITEMS
    assert twice.next_size(rest) == math.ceil(rest / 2)
    # Once a chunk the bound sized is out, the tail waits for a measured cost: cut now, it
    # would not count that chunk, and its slot would finish last. 100,000 items of 10 us:
    # the first probe's bound (0.5 s a slot) is no tail; after that chunk the rest is.
    mid = Planner(100_000, slots=2)
    mid.observe(64, 64 * 10_500, probe=True)
    first = mid.next_size(100_000 - 128)
    assert first == int(PROBED_SECONDS / 10.5e-6)
    mid.observe(64, 64 * 10_500, probe=True)
    rest = 100_000 - 128 - first
    assert mid.next_size(rest) == min(int(PROBED_SECONDS / 10.5e-6), math.ceil(rest / 4))
    assert mid.room(4) == 2
    mid.observe(first, first * 10_000)
    assert mid.next_size(40_000) == 20_000  # measured: the tail, one chunk a slot
    # A bound above the tail: the probes size one chunk a slot, as before.
    long = Planner(5_000_000, slots=2)
    long.observe(64, 64 * 250, probe=True)
    assert long.next_size(5_000_000 - 128) == int(PROBED_SECONDS / 250e-9)
    assert long.room(4) == 2


def test_columns_zip_and_keywords_are_shared():
    inputs = Inputs("Weighted", PARAMS, LOOP, [np.arange(5.0)], {"weight": 2.0})
    assert inputs.columns == (True, False) and inputs.total == 5 and inputs.arrays
    first = inputs.take(3)
    assert first.start == 0 and first.count == 3 and first.values[1] == 2.0
    np.testing.assert_array_equal(first.values[0], [0.0, 1.0, 2.0])
    assert first.item(2) == 2.0
    second = inputs.take(3)
    assert (second.start, second.count) == (3, 2) and inputs.take(3) is None
    zipped = Inputs("Weighted", PARAMS, LOOP, [[1.0, 2.0], (3.0, 4.0)], {})
    assert zipped.take(10).item(1) == (2.0, 4.0)
    shared = Inputs("Weighted", PARAMS, LOOP, [[1.0], Shared(5.0)], {})
    assert shared.columns == (True, False)


def test_generators_are_read_a_chunk_at_a_time():
    read = []

    def items():
        for value in range(10):
            read.append(value)
            yield float(value)

    inputs = Inputs("Weighted", PARAMS, LOOP, [items()], {})
    assert inputs.total is None
    assert inputs.take(4).values[0] == [0.0, 1.0, 2.0, 3.0] and len(read) == 4
    assert inputs.take(100).count == 6 and inputs.take(1) is None
    uneven = Inputs("Weighted", PARAMS, LOOP, [iter([1.0, 2.0]), [1.0, 2.0, 3.0]], {})
    with pytest.raises(ValueError, match="different lengths"):
        uneven.take(10)


def test_an_array_of_another_dtype_converts_only_when_every_item_survives():
    ints = Inputs("Weighted", PARAMS, LOOP, [np.arange(3)], {}).take(3).values[0]
    assert ints.dtype == np.float64
    loop = MapLoop(("i4",), "i4", False)
    with pytest.raises(ArgumentError, match=r"item 1: .*int32.*2\.5"):
        Inputs("Negate", None, loop, [np.array([1.0, 2.5])], {})
    with pytest.raises(ArgumentError, match=r"item 0: .*int32.*3000000000"):
        Inputs("Negate", None, loop, [np.array([3_000_000_000])], {})
    with pytest.raises(ArgumentError, match="1-D"):
        Inputs("Negate", None, loop, [np.zeros((2, 2))], {})


def test_refused_inputs_say_what_was_wrong_before_anything_runs():
    with pytest.raises(ValueError, match="argument 0 has 2 items, argument 1 has 3"):
        Inputs("Weighted", PARAMS, LOOP, [[1.0, 2.0], [1.0, 2.0, 3.0]], {})
    with pytest.raises(ArgumentError, match="one value, not items"):
        Inputs("Label", None, None, ["text"], {})
    with pytest.raises(TypeError, match="no iterable"):
        Inputs("Weighted", PARAMS, LOOP, [], {"x": 1.0})
    with pytest.raises(ArgumentError, match="unknown keyword argument 'wieght'"):
        Inputs("Weighted", PARAMS, LOOP, [[1.0]], {"wieght": 2.0})
    with pytest.raises(ValueError, match="fields .* different lengths"):
        Inputs("Norm", None, None, [{"x": [1.0], "y": [1.0, 2.0]}], {})
    with pytest.raises(ArgumentError, match="an iterable of items"):
        Inputs("Weighted", PARAMS, LOOP, [3.0], {})


def test_a_struct_of_arrays_is_sliced_field_by_field():
    inputs = Inputs("Norm", None, None, [{"x": np.arange(4.0), "label": list("abcd")}], {})
    taken = inputs.take(2)
    taken = inputs.take(2)
    assert taken.values[0]["label"] == ["c", "d"]
    assert taken.item(1) == {"x": 3.0, "label": "d"}


def test_the_progress_line_counts_items_and_is_quiet_off_a_terminal(monkeypatch, capsys):
    from goray._map import progress
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)  # its own line, not tqdm's
    shown = progress.Progress("Score", 1_000, True)
    shown.update(250)
    shown.close()
    line = capsys.readouterr().err
    assert "Score: 250/1,000 items" in line and "items/s" in line and "ETA" in line
    quiet = progress.Progress("Score", 1_000, None)  # stderr is not a terminal here
    quiet.update(1_000)
    quiet.close()
    assert capsys.readouterr().err == ""


def test_a_map_without_ray_refuses_rather_than_starting_one():
    import ray

    import goray
    assert not ray.is_initialized()
    with pytest.raises(RuntimeError, match=r"goray.map\(Square\): Ray is not initialized"):
        goray.map("Square", [1.0])
    with pytest.raises(RuntimeError, match="call goray.init"):
        goray.map(lambda x: x, [1])
    assert not ray.is_initialized()


def test_a_python_function_takes_its_parameters_by_keyword():
    from goray._map.targets import _python_params

    def weighted(x, weight=2.0, *rest):
        return x * weight

    params = _python_params(weighted)
    assert [param.name for param in params] == ["x", "weight"]
    inputs = Inputs("weighted", params, None, [[1.0, 2.0]], {"weight": 3.0})
    assert inputs.columns == (True, False)


def test_an_empty_chunk_keeps_each_column_kind_and_every_shared_value():
    inputs = Inputs("Weighted", PARAMS, LOOP, [np.arange(5)], {"weight": "x"})
    empty = inputs.empty()
    assert empty.count == 0 and empty.columns == (True, False)
    assert empty.values[0].dtype == np.float64 and empty.values[0].size == 0
    assert empty.values[1] == "x"
    lazy = Inputs("Norm", None, None, [iter([{"x": 1.0}]), {"x": np.ones(1)}], {})
    assert lazy.empty().values[0] == [] and lazy.empty().values[1]["x"].size == 0


def test_the_stub_docstring_says_how_each_parameter_of_a_map_travels():
    from goray.gen.model_python import _map_note

    def param(name, kind, **more):
        return {"name": name, "type": {"kind": kind, **more}}

    mixed = [param("lat", "float", bits=64), param("lon", "float", bits=64),
             param("unit", "string")]
    note = _map_note(mixed, ["float64", "float64", None])
    assert "NumPy arrays for lat and lon travel as slices, read in place" in note
    assert "unit is not a number or bool: a column of it travels as msgpack values" in note
    assert "shared by keyword is decoded once per chunk" in note
    assert "not as array slices" not in note
    structs = _map_note([{"name": "p", "type": {"kind": "struct", "name": "geo::Point"}}], [None])
    assert "a dict of arrays for p, a struct of arrays, is read field by field" in structs
    assert "travel as slices" in _map_note(mixed[:2], ["float64", "float64"])
