"""The driver's id stores (goray._stores): ids never reused, and no memory kept
after a burst once they are empty again."""
import sys

import pytest

from goray._stores import IdStore


def test_ids_are_never_reused_and_released_ids_are_unknown():
    store = IdStore("object ref")
    first = store.add("a")
    assert store.pop(first) == "a"
    second = store.add("b")
    assert second == first + 1
    with pytest.raises(KeyError, match=f"unknown object ref id {first} "):
        store.get(first)
    assert len(store) == 1


def test_an_emptied_store_gives_back_its_table():
    store = IdStore("object ref")
    empty_size = sys.getsizeof(store._items)
    ids = [store.add(i) for i in range(20_000)]
    assert sys.getsizeof(store._items) > 100 * empty_size
    for key in ids:
        store.pop(key)
    assert len(store) == 0
    assert sys.getsizeof(store._items) == empty_size
    assert store.add("next") == ids[-1] + 1
