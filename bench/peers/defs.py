"""py-defs of the peer benchmark apps (bench/peers/cpp and go), imported by the
driver and by every worker, under our driver and under GoRay's: only the API both
packages share. The harness (bench/peers.py) picks the native driver's measurement
through the environment, read here at call time."""
import os

import goray


@goray.local
def bench_scenario():
    """[name, rounds, count] for the native driver; "none" returns at once."""
    return [os.environ.get("BENCH_SCENARIO", "none"), int(os.environ.get("BENCH_ROUNDS", "0")),
            int(os.environ.get("BENCH_COUNT", "0"))]


@goray.local
def py_square(x):
    return x * x
