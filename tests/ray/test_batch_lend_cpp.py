"""A batch Get from the C++ driver lends the object store's memory (docs/protocol.md §10,
"GetObject lends", GetObjects' flags byte): goray::Get<ArrayView<double>> of two task
results (tests/apps/raytest/batch_lend.cpp, run in this process) gives views inside Ray's
plasma mapping, one lent entry per result, each gone with its own view."""
import pytest

from goray import _handlers
from goray._protocol import Feature, Native2Py
from goray._ray import features

ROWS = 1024  # 1024 x 1024 doubles: 8 MiB, over Ray's limit for objects kept inline


@pytest.fixture(scope="module")
def out_of_band(lib):
    if not features.features() & int(Feature.ARRAYS_OUT_OF_BAND):
        pytest.fail("the raytest library did not turn arrays out of band on (EnableFeatures bit 4)")
    return lib


def mapping_of(address):
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            begin, end = (int(bound, 16) for bound in fields[0].split("-"))
            if begin <= address < end:
                return fields[5].strip() if len(fields) > 5 else "[anonymous]"
    return ""


@pytest.fixture
def batch_requests(monkeypatch):
    """The trailing flags byte of each GetObjects request (None: no flags byte)."""
    seen = []
    real = _handlers._handlers[int(Native2Py.GET_OBJECTS)]

    def spy(data):
        count = int.from_bytes(bytes(data[8:12]), "little")
        seen.append(data[-1] if len(data) == 13 + 8 * count else None)
        return real(data)

    monkeypatch.setitem(_handlers._handlers, int(Native2Py.GET_OBJECTS), spy)
    return seen


def test_a_batch_get_of_views_reads_the_object_store_until_each_goes(out_of_band, batch_requests):
    import goray
    first, second, right, before, during, one_left, after = goray.golang_local_run_task(
        "OobBatchView", ROWS)
    assert right
    assert first != second
    assert "plasma" in mapping_of(first), mapping_of(first)
    assert "plasma" in mapping_of(second), mapping_of(second)
    assert during == before + 2  # one lent entry per result
    assert one_left == before + 1  # released with its own view
    assert after == before
    assert batch_requests == [1]  # one GetObjects, asking to lend
