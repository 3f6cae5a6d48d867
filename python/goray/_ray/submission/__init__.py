"""What goes into a submission to Ray. Importing this package imports nothing.

- ``options``: Ray options from a call's JSON, and goray's environment for tasks;
- ``submit``: prepared submissions and their caches;
- ``features``: EnableFeatures, the protocol features turned on in the library.

Tests: tests/ray/test_refs_in_values.py, tests/ray/test_submit_batch_ray.py,
tests/python/test_arrays_scatter.py, tests/python/test_ray_layer.py,
tests/python/test_ray_releases.py, tests/python/test_submit_batch.py
"""
