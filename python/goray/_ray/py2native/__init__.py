"""Python calling native tasks and actors through Ray. Importing this package imports
nothing.

- ``callees``: native tasks and actors as Python callers' Ray functions and classes
  (what goray.golang_task(...).remote and goray.golang_actor_class(...).remote submit);
- ``value_streams``: goray.stream, a native generator's items as Python values;
- ``map_chunks``: goray.map's chunks where they run.

Tests: tests/python/test_streams_local.py, tests/python/test_ray_layer.py,
tests/python/test_ray_releases.py, tests/ray/test_concurrency_groups.py, tests/ray/test_map.py,
tests/ray/test_streams.py
"""
