"""goray/_ray/value_groups.py without Ray: how a values stream's body frames a batch of
items into objects, and how the caller's side (ItemOrder) hands each item out once, in
order, across the objects of a run Ray repeated, and says when items were lost."""

import pytest

from goray import GorayError
from goray._ray.value_groups import GROUP_BYTES, ItemOrder, end_mark, frame


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
    order = ItemOrder("Gen")
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
    order = ItemOrder("Gen")
    assert order.take([0, "a", "b"]) == ["a", "b"]
    with pytest.raises(GorayError, match="values stream of Gen: items 2 to 4 were lost"):
        order.take([5, "f"])


def test_a_stream_without_its_end_mark_is_an_error_not_a_short_stream():
    order = ItemOrder("Gen")
    order.take([0, "a", "b"])
    with pytest.raises(GorayError, match="ended without the stream's end mark, after item 1"):
        order.finish()


def test_an_end_before_items_already_handed_out_is_an_error():
    order = ItemOrder("Gen")
    order.take([0, "a", "b", "c"])
    with pytest.raises(GorayError, match="its end mark says 2 items, and 3 were handed out"):
        order.take([-2, "a"])


@pytest.mark.parametrize("bad", [5, [], ["x", 1], None, (0, 1)])
def test_an_object_that_is_not_a_group_is_named(bad):
    with pytest.raises(GorayError, match="values stream of Gen: object .* is not a "
                                         r"\[start, value, \.\.\.\] group"):
        ItemOrder("Gen").take(bad)
