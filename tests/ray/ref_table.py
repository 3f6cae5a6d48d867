"""The driver's view of Ray's reference table, for tests that check objects are
held while a holder lives and freed after."""
import gc
import time

import pytest
import ray


def reference_counts():
    """This driver's core worker reference table: {hex id: counts}. An object
    contained in another (a ref inside a stored value) stays in it while that does."""
    worker = ray._private.worker.global_worker
    counts = worker.core_worker.get_all_reference_counts()
    return {(key.decode() if isinstance(key, bytes) else key): value for key, value in counts.items()}


def wait_until(condition, what, seconds=30.0):
    """Ray frees asynchronously: poll `condition` (no timing is asserted)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {seconds:.0f} s: {what}")
        gc.collect()
        time.sleep(0.05)
