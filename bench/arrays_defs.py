"""py-defs for bench/arrays.py: where the C++ driver reports its timings."""
import goray

times = []


@goray.local
def record_time(seconds):
    times.append(seconds)
