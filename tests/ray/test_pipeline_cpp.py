"""Pipelined submissions and batches from the C++ driver on a live Ray: the raytest
driver's 'batches', 'as_completed' and 'pipelined' scenarios (each returns 0 when
every check passed, printing what failed otherwise)."""
from goray._ray import driver
from goray._ray.submission import features
from goray._protocol import Feature


def test_the_library_turned_pipelining_on(lib):
    assert features.features(lib) & int(Feature.PIPELINED)


def test_get_of_a_vector_in_one_round_trip(lib):
    assert driver.run_driver(lib, ["batches"]) == 0


def test_as_completed_yields_in_completion_order(lib):
    assert driver.run_driver(lib, ["as_completed"]) == 0


def test_pipelined_errors_surface_at_get_and_order_is_kept(lib):
    assert driver.run_driver(lib, ["pipelined"]) == 0


def test_tasks_and_options_scenarios_with_pipelining(lib):
    # Errors the driver finds in options now surface at Get.
    assert driver.run_driver(lib, ["tasks"]) == 0
    assert driver.run_driver(lib, ["lifetimes"]) == 0
