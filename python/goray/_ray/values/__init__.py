"""goray's values in Ray's object store: the object model and how bytes travel.
Importing this package imports nothing.

- ``objects``: what Ray stores for goray (NativeBlock) and how values cross;
- ``nested``: ObjectRefs and actor handles inside values (ext 73/74);
- ``scatter``: scattered blocks, large arrays out of band (docs/protocol.md §10);
- ``reads``: ray.get for native readers, reading unpickled values below Ray's API.

Tests: tests/python/test_ref_values_codec.py, tests/ray/test_refs_in_values.py,
tests/ray/test_reads.py, tests/python/test_arrays_scatter.py,
tests/python/test_get_objects_lend.py, tests/python/test_reads_decode.py
"""
