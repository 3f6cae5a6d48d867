"""goray/_ray/streaming/value_groups.py without Ray: how a values stream's body frames a batch of
items into objects, and how the caller's side (ItemOrder) hands each item out once, in
order, across the objects of a run Ray repeated, and says when items were lost."""

import pytest

from goray import GorayError
from goray._ray.streaming.value_groups import GROUP_BYTES, ItemOrder, NativeFrames, end_mark, frame


def test_a_batch_of_small_items_is_one_object():
    assert list(frame(10, ["a", "b", "c"], [2, 2, 2], one_each=False, last=False)) == [[10, "a", "b", "c"]]


def test_the_last_batch_marks_its_last_object():
    assert list(frame(0, [1, 2], [1, 1], one_each=False, last=True)) == [[-1, 1, 2]]
    assert list(frame(5, [1, 2], [1, 1], one_each=True, last=True)) == [[5, 1], [-7, 2]]
    assert end_mark(7) == [-8]


def test_groups_stop_at_group_bytes_and_a_larger_item_goes_alone():
    half = GROUP_BYTES // 2
    sizes = [half, half, 1, GROUP_BYTES + 1, 1, 1]
    objects = list(frame(0, list("abcdef"), sizes, one_each=False, last=False))
    assert objects == [[0, "a", "b"], [2, "c"], [3, "d"], [4, "e", "f"]]


def test_a_repeated_run_makes_one_item_per_object():
    assert list(frame(3, ["x", "y"], [1, 1], one_each=True, last=False)) == [[3, "x"], [4, "y"]]


def _read(objects):
    order = ItemOrder("values stream of Gen")
    values = [value for group in objects for value in order.take(group)]
    order.finish()
    return values


def test_the_items_of_groups_come_in_order_once():
    assert _read([[0, "a", "b"], [2, "c"], [-4, "d"]]) == ["a", "b", "c", "d"]
    assert _read([[0, "a"], [-2]]) == ["a"]  # the end alone
    assert _read([[-1]]) == []  # an empty stream


def test_a_retry_after_grouped_objects_is_skipped_up_to_the_items_handed_out():
    # The first run's objects 0 and 1 held items 0-4; Ray takes the retry's objects from
    # index 2 on, which hold item 2, 3, ...: items 2-4 again, skipped.
    first_run = [[0, "i0", "i1"], [2, "i2", "i3", "i4"]]
    retry = [[2, "i2"], [3, "i3"], [4, "i4"], [5, "i5"], [-7, "i6"]]
    assert _read(first_run + retry) == [f"i{n}" for n in range(7)]


def test_a_retry_whose_end_repeats_items_already_handed_out_ends_there():
    first_run = [[0, "a", "b", "c"]]  # its end mark was lost with the worker
    assert _read(first_run + [[1, "b"], [-3, "c"]]) == ["a", "b", "c"]


def test_an_object_past_the_next_item_says_which_items_were_lost():
    order = ItemOrder("values stream of Gen")
    assert order.take([0, "a", "b"]) == ["a", "b"]
    with pytest.raises(GorayError, match="values stream of Gen: items 2 to 4 were lost"):
        order.take([5, "f"])
    assert order.failure.startswith("values stream of Gen: items 2 to 4 were lost")
    single = ItemOrder("stream of Gen")
    with pytest.raises(GorayError, match="stream of Gen: item 0 was lost"):
        single.take([1, "b"])


def test_a_stream_without_its_end_mark_is_an_error_not_a_short_stream():
    order = ItemOrder("values stream of Gen")
    order.take([0, "a", "b"])
    with pytest.raises(GorayError, match="ended without the stream's end mark, after item 1"):
        order.finish()


def test_an_end_before_items_already_handed_out_is_an_error():
    order = ItemOrder("values stream of Gen")
    order.take([0, "a", "b", "c"])
    with pytest.raises(GorayError, match="its end mark says 2 items, and 3 were handed out"):
        order.take([-2, "a"])


@pytest.mark.parametrize("bad", [5, [], ["x", 1], None, (0, 1)])
def test_an_object_that_is_not_a_group_is_named(bad):
    with pytest.raises(GorayError, match="values stream of Gen: object .* is not a "
                                         r"\[start, item, \.\.\.\] group"):
        ItemOrder("values stream of Gen").take(bad)


def test_a_native_stream_sends_items_alone_until_its_first_group_then_groups_and_an_end_mark():
    block = object()  # a NativeBlock: never grouped
    frames = NativeFrames(repeated=False)
    assert list(frames.frames([b"a"])) == [b"a"]  # object 0 is item 0: alone
    assert list(frames.frames([block])) == [block]
    assert frames.end() is None  # no group: no end mark needed
    assert list(frames.frames([b"b", b"c", block, b"d"])) == [[2, b"b", b"c"], [4, block], [5, b"d"]]
    assert frames.end() == [-7]  # after a group: everything a group, and an end mark


def test_a_native_streams_group_stops_at_group_bytes():
    half = b"x" * (GROUP_BYTES // 2)
    frames = NativeFrames(repeated=False)
    assert list(frames.frames([half, half, b"y", b"z"])) == [[0, half, half], [2, b"y", b"z"]]


def test_a_repeated_native_run_sends_every_item_alone_then_an_end_mark():
    frames = NativeFrames(repeated=True)
    assert list(frames.frames([b"a", b"b", b"c"])) == [b"a", b"b", b"c"]
    assert frames.end() == [-4]


def test_items_alone_and_groups_read_in_order():
    # A first run: items 0 and 1 alone, then a group of 2-4; its retry from object 3 on:
    # items 3, 4 (again), 5, then its end mark.
    order = ItemOrder("stream of Gen")
    assert [order.take_alone(0), order.take_alone(1)] == [True, True]
    assert order.take([2, "c", "d", "e"]) == ["c", "d", "e"]
    assert [order.take_alone(3), order.take_alone(4), order.take_alone(5)] == [False, False, True]
    assert order.take([-7]) == [] and order.ended
    order.finish()


def test_a_stream_of_items_alone_needs_no_end_mark():
    order = ItemOrder("stream of Gen")
    assert all(order.take_alone(index) for index in range(3))
    order.finish()  # never grouped: Ray's end is the stream's
