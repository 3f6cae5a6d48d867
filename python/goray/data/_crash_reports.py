"""Crash reports for the process that builds the pipeline (docs/data.md, "Retries and
crashes"): a UDF whose C++ crashed fails its task with goray.NativeCrash, which Ray Data
raises from as its UserCodeException; in a process where goray has set up Ray's error
objects (goray._ray.worker.crashes.install) the error the pipeline raises is a
goray.NativeCrash too. goray.init does that; so does making a UDF in a process where Ray
is imported (a plain ``ray.init``), so that ``except goray.NativeCrash`` catches it there
as well.

Tests: tests/ray/test_data_crashes.py
"""

from __future__ import annotations

import sys

__all__ = ["in_this_process"]


def in_this_process() -> None:
    """Turns the reports on here when Ray is imported (nothing otherwise: no Ray import)."""
    if "ray" in sys.modules:
        from .._ray.worker import crashes
        crashes.install()
