"""The Python side of tests/apps/testapp.cpp: functions and classes its tasks call
in-process (a py-defs module)."""

import threading

import goray

# How often each PyCounter was closed (its last reference dropped), by start value.
closed_counters = {}
_closed_lock = threading.Lock()


@goray.local
def py_echo(value):
    return value


@goray.local
def py_without_color(record):
    """A Record (testapp.cpp) with its color left out: C++ reads it back as a result."""
    return {key: value for key, value in record.items() if key != "color"}


@goray.local
def py_plus_one(value):
    return value + 1


@goray.remote
def py_thread_value(thread, i):
    return thread * 1000 + i


@goray.local
def py_reenter(n):
    # Python -> C++ while C++ -> Python is still running on this thread.
    return goray.golang_local_run_task("Reenter", n - 1) + 1


@goray.local
def py_add_native(a, b):
    return goray.golang_local_run_task("Add", a, b)


@goray.local
def py_fail(message):
    raise ValueError(message)


@goray.local
def py_pair():
    return (42, "answer")


@goray.local
def py_unpackable():
    return {1, 2}


@goray.remote
class PyCounter:
    def __init__(self, start):
        self.start = start
        self.n = start

    def incr(self, by):
        self.n += by
        return self.n

    def __del__(self):
        with _closed_lock:
            closed_counters[self.start] = closed_counters.get(self.start, 0) + 1


# What py_array_double received last (ArrayViaPython: C++ -> Python with an array).
seen_arrays = []


@goray.local
def py_array_double(values):
    seen_arrays.append(values)
    return values * 2


@goray.local
def py_column_upper(column):
    """A string column from C++ (a pyarrow array), upper-cased by pyarrow: C++ reads the
    result back as a column."""
    import pyarrow.compute as pc

    return pc.utf8_upper(column)
