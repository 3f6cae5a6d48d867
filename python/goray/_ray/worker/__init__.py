"""What runs in a Ray worker for goray, and how its failures read. Importing this
package imports nothing.

- ``bodies``: the Ray task and actor bodies of native and Python callees;
- ``py_defs``: the modules a py-defs file imports from its folder, by value;
- ``crashes``: native crash reports (recovery in the worker, reports in the caller);
- ``task_errors``: goray's errors raised through Ray, their own text first.
"""
