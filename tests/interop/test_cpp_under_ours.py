"""The C++ interop app and py-defs that test_cpp_under_goray.py runs under GoRay's
driver, under ours: the same checks pass, and where GoRay's driver fails
(docs/protocol.md §6) ours does not. Run with .venv's Python."""
from interop_common import CPP_CHECKS, CPP_LIB, DEFS, OURS_PYTHON, assert_checks, require, run_driver


def test_cpp_driver_under_our_cli(tmp_path):
    status, checks, observed, output = run_driver(
        [str(OURS_PYTHON), "-m", "goray", "--py-defs", str(DEFS), require(CPP_LIB)], "all", tmp_path)
    assert status == 0, output[-5000:]
    assert_checks(checks, CPP_CHECKS, output)
    # A failure is a real Ray failure: retried (the first run failed, the second passed).
    assert observed["retry_exceptions"] == "ok runs=2", observed
    # A named actor created by plain Python is found.
    assert observed["plain_python_named_actor"] == "ok pong 3", observed
    # A 101 MiB argument to an in-process Python call arrives whole.
    assert observed["big_local_arg"] == f"ok len={101 << 20}", observed
