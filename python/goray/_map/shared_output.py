"""goray.map's results written where the caller reads them (docs/map.md, "Results"): the
array map returns lives in a file of /dev/shm, and each chunk that runs
on the driver's node writes its results into it at its own offset (os.pwrite, from the
worker), so the driver neither copies them nor touches their pages. A chunk that ran on
another node, or could not write, sends its results back as before and the driver copies
them into place.

The file is removed from /dev/shm when the map ends, however it ends (the array keeps its
memory as long as it lives). Only a driver killed mid-map leaves one behind
(/dev/shm/goray-map-<pid>-*). A map whose results are small, or a machine without room in
/dev/shm, uses a plain array.

Tests: tests/ray/test_map.py
"""

from __future__ import annotations

import mmap
import os
import uuid
from typing import Any, List, Optional

__all__ = ["SharedOutput", "DIRECTORY", "MIN_BYTES"]

#: Where the files are made (a tmpfs: shared memory; Linux).
DIRECTORY = "/dev/shm"
#: Results smaller than this go to a plain array (a file and a mapping cost more than a copy).
MIN_BYTES = 1 << 20
#: Room left free in DIRECTORY beside the results (Ray's object store may live there too).
SPARE_BYTES = 1 << 30


def _node_id() -> Optional[str]:
    import ray
    try:
        return ray.get_runtime_context().get_node_id()
    except Exception:  # noqa: BLE001 (no node known: every chunk sends its results back)
        return None


class SharedOutput:
    """The results of one map: `array` (`total` items of `dtype`), and what a chunk's
    header carries to write its part in place (`header(start)`)."""

    def __init__(self, path: str, node: str, array: Any) -> None:
        self.path = path
        self.node = node
        self.array = array

    @classmethod
    def create(cls, total: int, dtype: Any) -> Optional["SharedOutput"]:
        """The output file and its array, None where a plain array serves (small results,
        no /dev/shm, not enough room in it, no node id)."""
        size = total * dtype.itemsize
        if size < MIN_BYTES or not os.path.isdir(DIRECTORY):
            return None
        try:
            room = os.statvfs(DIRECTORY)
        except OSError:
            return None
        if room.f_bavail * room.f_frsize < size + SPARE_BYTES:
            return None
        node = _node_id()
        if not node:
            return None
        import numpy
        path = os.path.join(DIRECTORY, f"goray-map-{os.getpid()}-{uuid.uuid4().hex}")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            return None
        try:
            os.ftruncate(fd, size)
            memory = mmap.mmap(fd, size)
        except OSError:
            os.close(fd)
            os.unlink(path)
            return None
        os.close(fd)
        return cls(path, node, numpy.ndarray((total,), dtype=dtype, buffer=memory))

    def header(self, start: int) -> List[Any]:
        """The chunk header's last field: [file, node id, index of its first item, dtype]."""
        return [self.path, self.node, start, self.array.dtype.str]

    def close(self) -> None:
        """Removes the file (chunks still running then send their results back instead)."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
