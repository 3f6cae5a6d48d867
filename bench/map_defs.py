"""py-defs for bench/map.py: where its C++ driver (bench/bench_map.cpp's Driver) reports
each goray::Map's time."""
import goray

times = {}


@goray.local
def record_time(kind, seconds):
    times.setdefault(kind, []).append(seconds)
