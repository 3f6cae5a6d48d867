"""py-defs part for the concurrency tests (imported by defs.py): Python async actors
C++ calls, and a local function threaded C++ actors call back."""
import asyncio
import sys

import ray.cloudpickle

import goray

# Ray pickles Python actor classes; this module is importable in the driver only (it is
# beside the py-defs file, which workers load after unpickling), so by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])

__all__ = ["AsyncBarrier", "AsyncSleeper", "local_square"]


@goray.remote
class AsyncBarrier:
    """arrive() returns True once `parties` calls are inside at the same time. A call
    that times out breaks the barrier (the rest return at once), so a caller whose
    calls do not overlap learns so in one timeout, not one per call."""

    def __init__(self, parties, timeout_s=20.0):
        self.parties = parties
        self.timeout_s = timeout_s
        self.inside = 0
        self.most = 0
        self.open = asyncio.Event()

    async def arrive(self):
        self.inside += 1
        self.most = max(self.most, self.inside)
        if self.inside >= self.parties:
            self.open.set()
        try:
            await asyncio.wait_for(self.open.wait(), self.timeout_s)
            return True
        except asyncio.TimeoutError:
            self.open.set()
            return False
        finally:
            self.inside -= 1

    async def max_in_flight(self):
        return self.most


@goray.remote
class AsyncSleeper:
    """pause(ms) sleeps without blocking the actor's event loop; returns 1."""

    async def pause(self, ms):
        await asyncio.sleep(ms / 1000.0)
        return 1


@goray.local
def local_square(x):
    return x * x
