"""goray::Graph from the C++ driver (docs/graphs.md, "Compiled graphs (ray.dag)"; the
commands: docs/protocol.md §15): the raytest driver's "graphs" scenario builds,
compiles, executes and tears down graphs of C++ and Python actors, "graph_errors"
meets bad input; then the driver's commands are given bad requests directly."""
import struct

import pytest

from goray import _handlers
from goray._protocol import Code, Native2Py, pack_u64
from goray._ray import driver
from goray._ray.native2py import graphs as native2py_graphs

# In the subset of scripts/test-ray-versions.sh, every Ray release's.
pytestmark = pytest.mark.ray_versions


def _compiled_graphs():
    from goray._ray.compat import releases
    return next(f for f in releases.FEATURES if f.name.startswith("compiled graphs")).present()


@pytest.mark.skipif(not _compiled_graphs(), reason="goray refuses compiled graphs on this Ray "
                                                   "(before 2.43: test_compiled_graphs_refused)")
def test_a_cpp_driver_builds_compiles_executes_and_tears_down_graphs(lib):
    assert driver.run_driver(lib, ["graphs"]) == 0
    # Every graph torn down and every result released when Driver() returned.
    assert (native2py_graphs.live_graphs(), native2py_graphs.live_results()) == (0, 0)


def test_compiled_graphs_refused_on_a_ray_that_lacks_them(lib, capfd, monkeypatch):
    # Ray 2.40-2.42 (their compiled graphs never tear down after a value outgrew the
    # channels): Compile is a goray::Error naming the first release, Classic runs.
    from goray._ray.compat import releases
    if _compiled_graphs():  # a Ray that has them: as if it had not
        feature = next(f for f in releases.FEATURES if f.name.startswith("compiled graphs"))
        monkeypatch.setattr(releases, "FEATURES", [
            releases.Feature(feature.name, feature.needs, feature.first, feature.without,
                             lambda: False)])
    assert driver.run_driver(lib, ["graphs_refused"]) == 0
    refused = [line for line in capfd.readouterr().out.splitlines() if line.startswith("REFUSED ")]
    assert len(refused) == 1 and f"this is Ray {__import__('ray').__version__}" in refused[0], refused
    assert (native2py_graphs.live_graphs(), native2py_graphs.live_results()) == (0, 0)


def test_bad_graphs_from_cpp_are_clear_errors_and_the_driver_goes_on(lib, capfd):
    assert driver.run_driver(lib, ["graph_errors"]) == 0
    errors = [line for line in capfd.readouterr().out.splitlines() if line.startswith("ERROR ")]
    assert len(errors) == 9, errors
    assert (native2py_graphs.live_graphs(), native2py_graphs.live_results()) == (0, 0)


def test_a_driver_without_the_graph_commands_is_named_so(lib, monkeypatch):
    monkeypatch.delitem(_handlers._handlers, int(Native2Py.GRAPH_BUILD))  # "unknown command 48"
    assert driver.run_driver(lib, ["graph_without_driver"]) == 0


def _call(command, payload):
    code, reply = _handlers.dispatch(int(command), memoryview(payload))
    return code, bytes(reply)


def _units(*units):
    return b"".join(pack_u64(len(unit)) + unit for unit in units)


@pytest.mark.parametrize("command, payload, text", [
    (Native2Py.GRAPH_BUILD, _units(b"{}"), "a request is 2 units"),
    (Native2Py.GRAPH_BUILD, _units(b"[1]", b""), "the description is not a JSON object"),
    (Native2Py.GRAPH_BUILD, _units(b'{"nodes": [], "outputs": []}', b""), "at least one output"),
    (Native2Py.GRAPH_BUILD, _units(b'{"nodes": [{"actor": 987654, "method": "Step", "args": []}],'
                                   b' "outputs": [0]}', b""), "unknown actor id 987654"),
    (Native2Py.GRAPH_EXECUTE, b"\x01", "starts with an 8-byte graph id"),
    (Native2Py.GRAPH_EXECUTE, pack_u64(1 << 40), "unknown graph id 1099511627776 (never built)"),
    (Native2Py.GRAPH_GET, pack_u64(1), "a request is 16 bytes"),
    (Native2Py.GRAPH_TEARDOWN, pack_u64(1 << 40), "unknown graph id"),
])
def test_bad_requests_answer_code_1_naming_what_was_wrong(lib, command, payload, text):
    code, reply = _call(command, payload)
    assert code == Code.FAILED and text in reply.decode(), reply


def test_unknown_results_answer_code_4(lib):
    code, reply = _call(Native2Py.GRAPH_GET, struct.pack("<Qd", 1 << 40, 0.0))
    assert (code, reply) == (Code.OBJECT_REF_NOT_FOUND, b"unknown graph result id 1099511627776")
    code, _ = _call(Native2Py.GRAPH_RELEASE, pack_u64(1 << 40))
    assert code == Code.OBJECT_REF_NOT_FOUND
