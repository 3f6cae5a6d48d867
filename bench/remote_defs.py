"""py-defs for bench/remote_calls.py: the Python side of each pair."""
import goray

times = {}


@goray.remote
def py_noop():
    return None


@goray.local
def record_time(kind, seconds):
    times.setdefault(kind, []).append(seconds)
