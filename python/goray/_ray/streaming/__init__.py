"""Streaming generators on Ray, in both directions (docs/protocol.md §13). Importing
this package imports nothing.

- ``generators``: native generators as Ray generator tasks and methods, and native
  callers' streams (StoredStream);
- ``value_groups``: many items of a native generator to one Ray object;
- ``stream_waits``: waiting for a stream's next item without telling the raylet.

Tests: tests/python/test_streams_local.py, tests/ray/test_streams.py,
tests/python/test_stream_waits.py, tests/python/test_ray_releases.py,
tests/ray/test_cancel_stress.py, tests/ray/test_value_streams.py
"""
