"""Python definitions for concurrency.cpp (--py-defs): imported by the driver and every
worker."""
import goray


@goray.remote               # a Python generator task: C++ consumes it as a stream
def countdown(n):
    for i in range(n, 0, -1):
        yield i
