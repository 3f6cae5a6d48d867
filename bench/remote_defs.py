"""py-defs for bench/remote_calls.py: where the C++ driver reports its rounds."""
import goray

times = {}


@goray.local
def record_time(kind, seconds):
    times.setdefault(kind, []).append(seconds)
