"""Which Ray releases goray supports, and the Ray internals it uses on each
(docs/install.md, "Which Ray"). Importing this package imports nothing.

- ``releases``: the supported releases, and the goray features a release lacks;
- ``internals``: the internals goray uses below Ray's public API, found by feature
  detection, with the releases each was tested on and the public fallback;
- ``ray_source``: how Ray's own Python layer calls its core worker, read from Ray's source.

Tests: tests/ray/test_graphs_cpp.py, tests/python/test_ray_releases.py,
tests/python/test_stream_waits.py, tests/python/test_streams_local.py,
tests/python/test_submit_batch.py, tests/ray/test_cancel_stress.py
"""
