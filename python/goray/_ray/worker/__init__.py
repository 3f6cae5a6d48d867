"""What runs in a Ray worker for goray, and how its failures read. Importing this
package imports nothing.

- ``bodies``: the Ray task and actor bodies of native and Python callees;
- ``py_defs``: the modules a py-defs file imports from its folder, by value;
- ``crashes``: native crash reports (recovery in the worker, reports in the caller);
- ``task_errors``: goray's errors raised through Ray, their own text first.

Tests: tests/python/test_crash_reports.py, tests/ray/test_one_body.py,
tests/python/test_arrays_scatter.py, tests/python/test_ray_layer.py,
tests/python/test_ray_releases.py, tests/python/test_streams_local.py
"""
