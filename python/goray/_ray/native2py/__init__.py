"""Native code using Ray through the driver: the Native2Py commands 5-16, 32-36 and
48-52 (docs/protocol.md §3, §10-§13, §15). Importing this package imports nothing.

- ``commands``: the commands' table and install() (goray._handlers' Ray handlers);
- the command families, each with its ``HANDLERS``: ``calls`` (task and method calls),
  ``object_commands`` (get, put, wait, cancel, release), ``actors``, ``batch`` (SubmitBatch),
  ``next_stream_ref`` (NextStreamRef), ``graphs`` (graphs of actor method calls);
- what the families share: ``store_entries`` (the objects store's entries by id),
  ``ahead`` (values read ahead for single Gets), ``failures`` (failures as native
  code reads them).

Tests: tests/ray/test_streams_cpp.py, tests/python/test_arrays_scatter.py,
tests/python/test_get_objects_lend.py, tests/python/test_ray_layer.py,
tests/python/test_submit_batch.py, tests/ray/test_arrays.py
"""
