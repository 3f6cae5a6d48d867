"""EnableFeatures (Py2Native 37, docs/protocol.md §11): the features the driver
turns on in a library before serving it on Ray (pipelined submissions, refs in
values; from version 6, arrays out of band), once per library. Sent by goray.init in the driver and by every
Ray task or actor body before its first call into the library.

Tests: tests/python/test_arrays_scatter.py, tests/python/test_submit_batch.py,
tests/ray/test_arrays_out_of_band_cpp.py, tests/ray/test_pipeline_cpp.py,
tests/ray/test_refs_in_values.py, tests/ray/test_submit_batch_ray.py
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Dict

from ... import _arrays, _arrow, _ffi
from ..._protocol import (COLUMN_MAJOR_VERSION, FEATURES_VERSION, VALUE_EXTS_VERSION, Code, Feature,
                          Py2Native, pack_u64, unpack_u64)

__all__ = ["WANTED_FEATURES", "enable_features", "features"]

_log = logging.getLogger("goray")

#: The features asked of a library of protocol version 3 or later (one that does
#: not know a bit leaves it off in its answer).
WANTED_FEATURES = int(Feature.PIPELINED | Feature.REFS_IN_VALUES | Feature.ARRAYS_OUT_OF_BAND
                      | Feature.GET_AHEAD | Feature.VALUE_EXTS | Feature.COLUMN_MAJOR | Feature.COLUMNS)
#: Arrays out of band, column-major arrays and string columns (ext 79 by address) need the
#: library to write arrays as ext (EnableArrays).
_NEEDS_ARRAYS = int(Feature.ARRAYS_OUT_OF_BAND | Feature.COLUMN_MAJOR | Feature.COLUMNS)
_features_lock = threading.Lock()
_features: Dict[int, int] = {}  # id(library) -> the bits it turned on


def enable_features(library: Any) -> int:
    """EnableFeatures (37) to `library`, once: the bits it turned on (0 for a library
    before version 3, or one that refuses the command: it then works as in version 2)."""
    with _features_lock:
        known = _features.get(id(library))
        if known is not None:
            return known
        turned_on = 0
        if getattr(library, "protocol_version", 1) >= FEATURES_VERSION:
            wanted = WANTED_FEATURES if getattr(library, "arrays", False) else WANTED_FEATURES & ~_NEEDS_ARRAYS
            if library.protocol_version < VALUE_EXTS_VERSION:  # (an older one ignores the bit)
                wanted &= ~int(Feature.VALUE_EXTS)
            if library.protocol_version < COLUMN_MAJOR_VERSION:
                wanted &= ~int(Feature.COLUMN_MAJOR | Feature.COLUMNS)
            if os.environ.get("GORAY_GET_AHEAD") == "0":  # docs/cli.md: Gets without reading ahead
                wanted &= ~int(Feature.GET_AHEAD)
            code, reply = library.execute(int(Py2Native.ENABLE_FEATURES), pack_u64(wanted))
            if code == Code.SUCCESS and len(reply) == 8:
                turned_on = unpack_u64(reply) & wanted
            else:
                _log.warning("goray: %s refused EnableFeatures (code %d): %s; its submissions stay "
                             "synchronous", getattr(library, "path", library), code,
                             bytes(reply[:200]).decode("utf-8", errors="replace"))
        _features[id(library)] = turned_on
        if wanted_column_major(library):
            _arrays.enable_column_major(bool(turned_on & Feature.COLUMN_MAJOR))
            _arrow.enable(bool(turned_on & Feature.COLUMNS))
        return turned_on


def wanted_column_major(library: Any) -> bool:
    """Whether the driver asks `library` for column-major arrays (it speaks arrays, at
    version 8 or later): its answer decides how this process sends F-ordered arrays."""
    return (getattr(library, "arrays", False)
            and getattr(library, "protocol_version", 1) >= COLUMN_MAJOR_VERSION)


def features(library: Any = None) -> int:
    """The feature bits the library (default: the loaded one) turned on; 0 before
    EnableFeatures was sent (no Ray commands served in this process)."""
    if library is None:
        library = _ffi.loaded_library()
    return _features.get(id(library), 0) if library is not None else 0
