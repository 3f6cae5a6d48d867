"""Loading a goray application library and speaking its C ABI (docs/protocol.md §1).

One library per process. Loading opens it (dlopen, through ``ctypes.CDLL``), hands the
addresses of ``Execute`` and ``FreeMemory`` to goray's compiled extension
(``goray._fastpath``, required: :func:`goray._codec.fastpath_module`), through which every
``Execute`` goes with the GIL released, and registers the extension's C callback
(``RegisterCallback``), which serves Native2Py commands and hands the rest to
:mod:`goray._handlers`. No Ray here.

Tests: tests/python/test_ffi.py, tests/python/test_fastpath_py2native.py,
tests/python/test_streams_local.py, tests/python/test_codec_equivalence.py,
tests/python/test_errors.py, tests/python/test_fastpath_native2py.py
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from typing import Any, Callable, List, Optional, Tuple

from . import _arrays, _arrow, _handlers, _value_exts
from ._codec import NO_FASTPATH_ENV, fastpath_module
from ._protocol import (ARRAYS_VERSION, COLUMN_MAJOR_VERSION, COMMAND_BITS, VALUE_EXTS_VERSION, Code,
                        Feature, Py2Native, pack_u64, unpack_u64)
from .errors import GorayError

__all__ = ["Library", "load_library", "loaded_library", "get_library", "fastpath_active",
           "fastpath_module", "on_library_loaded", "BIN_PATH_ENV", "NO_FASTPATH_ENV"]

#: The environment variable holding the library's path (workers load it lazily).
BIN_PATH_ENV = "GORAY_BIN_PATH"

_REQUIRED_SYMBOLS = ("Execute", "FreeMemory", "RegisterCallback")

# Below this size one copy of an output is cheaper than a view of it (execute_view).
_COPY_BELOW = 1 << 16

#: Set to a non-empty value to treat the library as protocol version 1 (no array
#: ext: arrays go as nested lists), as with GoRay's libraries.
NO_ARRAYS_ENV = "GORAY_NO_ARRAYS"


class Library:
    """A loaded goray application library."""

    def __init__(self, path: str) -> None:
        self.path = path
        """The path it was loaded from, as given."""
        try:
            self._dll = ctypes.CDLL(path)
        except OSError as error:
            raise GorayError(f"cannot load goray library {path!r}: {error}") from None
        missing = [name for name in _REQUIRED_SYMBOLS if not hasattr(self._dll, name)]
        if missing:
            raise GorayError(
                f"{path!r} is not a goray library: it does not export "
                f"{', '.join(missing)} (a goray library exports Execute, FreeMemory "
                "and RegisterCallback)")
        register = self._dll.RegisterCallback
        register.argtypes = [ctypes.c_void_p]  # the C callback's address
        register.restype = None
        #: GorayTypedEntries' address (0: none), which an application's typed entries
        #: module calls on its first call (docs/protocol.md §17).
        self.typed_entries = self.symbol_address("GorayTypedEntries") \
            if self.has_symbol("GorayTypedEntries") else 0
        self._fast = fastpath_module()
        self._fast.bind(self.symbol_address("Execute"), self.symbol_address("FreeMemory"))
        _handlers.install_fastpath(self._fast)
        register(self._fast.callback_address())
        self.protocol_version = self._protocol_version()
        """The protocol version the library speaks (GorayProtocolVersion; 1 for GoRay's)."""
        #: True once the library accepted EnableArrays (ext 71/72 both ways; calls
        #: whose results Python reads use RunTaskForPython/ActorMethodCallForPython).
        self.arrays = False
        if self.protocol_version >= ARRAYS_VERSION and not os.environ.get(NO_ARRAYS_ENV):
            self._enable_arrays()
        if self.protocol_version >= VALUE_EXTS_VERSION:
            self._enable_value_features()

    def _protocol_version(self) -> int:
        """GorayProtocolVersion() (our extension), or 1 when the library lacks it."""
        if not hasattr(self._dll, "GorayProtocolVersion"):
            return 1
        function = self._dll.GorayProtocolVersion
        function.argtypes = []
        function.restype = ctypes.c_longlong
        return int(function())

    def recover_crashes(self) -> bool:
        """Turns on crash recovery (GorayRecoverCrashes, docs/protocol.md §14): the first
        native crash inside a call raises :class:`~goray.errors.NativeCrash` from that
        call, with its report, instead of ending the process, which must then be ended
        soon. False when the library cannot (a GoRay library, an older goray one)."""
        if not hasattr(self._dll, "GorayRecoverCrashes"):
            return False
        function = self._dll.GorayRecoverCrashes
        function.argtypes = [ctypes.c_longlong]
        function.restype = ctypes.c_longlong
        return bool(function(1))

    def _enable_value_features(self) -> None:
        # In this process too (no Ray yet): the library writes complex numbers, paths and
        # durations as ext 75/76/77, and column-major arrays as they are (version 8), once
        # a driver asks (EnableFeatures; GoRay's never does).
        # String and binary columns (ext 78/79), where the library knows them (one that
        # does not leaves the bit off in its answer).
        wanted = int(Feature.VALUE_EXTS)
        if self.arrays and self.protocol_version >= COLUMN_MAJOR_VERSION:
            wanted |= int(Feature.COLUMN_MAJOR) | int(Feature.COLUMNS)
        code, reply = self.execute(int(Py2Native.ENABLE_FEATURES), pack_u64(wanted))
        if code:
            raise GorayError(f"{self.path!r}: EnableFeatures failed (code {code}): "
                             f"{reply.decode('utf-8', errors='replace')}")
        _value_exts.enable()
        turned_on = unpack_u64(reply) if len(reply) == 8 else 0
        _arrays.enable_column_major(bool(turned_on & Feature.COLUMN_MAJOR))
        _arrow.enable(bool(turned_on & Feature.COLUMNS))

    def _enable_arrays(self) -> None:
        code, reply = self.execute(int(Py2Native.ENABLE_ARRAYS))
        if code:
            raise GorayError(f"{self.path!r}: EnableArrays failed (code {code}): "
                             f"{reply.decode('utf-8', errors='replace')}")
        self.arrays = True
        _arrays.enable(self.release_array)
        self._fast.set_commands(int(Py2Native.RUN_TASK_FOR_PYTHON),
                                int(Py2Native.ACTOR_METHOD_CALL_FOR_PYTHON), True)
        self._fast.set_inline_decoder(_arrays.decode_inline)

    def release_array(self, token: int) -> None:
        """ReleaseArray: the native buffer of an adopted array is freed. Runs from
        garbage collection, so it never raises (an unknown token is reported on
        stderr)."""
        try:
            code, reply = self.execute(int(Py2Native.RELEASE_ARRAY), pack_u64(token))
        except Exception as error:  # noqa: BLE001 - a finalizer must not raise
            code, reply = Code.FAILED, str(error).encode()
        if code and code != Code.CRASHED:  # (after a crash the process is ending: nothing runs)
            print(f"goray: ReleaseArray({token}) failed (code {code}): "
                  f"{reply.decode('utf-8', errors='replace')}", file=sys.stderr)

    @property
    def uses_fastpath(self) -> bool:
        """Always True: every call goes through goray._fastpath (kept for callers that ask)."""
        return True

    @property
    def fastpath(self) -> Any:
        """The goray._fastpath module this library is bound to."""
        return self._fast

    def execute(self, cmd: int, payload: bytes = b"", index: int = 0) -> Tuple[int, bytes]:
        """Calls ``Execute``; returns (return code, a copy of the output). The GIL is
        released during the call."""
        result: Tuple[int, bytes] = self._fast.execute(_request_word(cmd, index), payload)
        return result

    def execute_view(self, cmd: int, payload: bytes = b"", index: int = 0,
                     copy_below: int = _COPY_BELOW) -> Tuple[int, memoryview]:
        """As :meth:`execute`, but an output of `copy_below` bytes or more is not
        copied: the result is a read-only view of the library's buffer, freed
        (FreeMemory) when the last view of it is collected. For replies that are
        stored as they are (and read before FreeMemory: what the library keeps
        alive for a reply, such as the refs it names, lives until then)."""
        result: Tuple[int, memoryview] = self._fast.execute_view(_request_word(cmd, index), payload,
                                                                 copy_below)
        return result

    def execute_decoded(self, cmd: int, payload: Any, index: int,
                        decode: Callable[[memoryview], Any]) -> Tuple[int, Any]:
        """As :meth:`execute`, but on code 0 returns ``decode(view)`` of the output,
        read in place before it is freed (no copy of a large reply); `decode` must
        keep no reference to the view. On another code: a copy of the output."""
        result: Tuple[int, Any] = self._fast.execute_decoded(_request_word(cmd, index), payload,
                                                             decode)
        return result

    @property
    def handle(self) -> int:
        """The dlopen handle (for extensions that bind more symbols)."""
        return self._dll._handle

    def has_symbol(self, name: str) -> bool:
        """Whether the library exports `name`."""
        return hasattr(self._dll, name)

    def symbol_address(self, name: str) -> int:
        """The address of an exported symbol."""
        return ctypes.cast(getattr(self._dll, name), ctypes.c_void_p).value or 0

    def __repr__(self) -> str:
        return f"<goray.Library {self.path!r}>"


def _request_word(cmd: int, index: int) -> int:
    """Execute's request word (docs/protocol.md §1): the command in the low bits, the
    actor instance index above them, as the signed 64-bit integer Execute takes."""
    request = cmd | (index << COMMAND_BITS) if index else cmd
    return request - (1 << 64) if request >= (1 << 63) else request


_lock = threading.Lock()
_library: Optional[Library] = None
# Called with the library once it is loaded: what a higher layer registers (the Ray
# layer turns crash recovery on in a Ray worker, whatever loaded the library there).
_load_hooks: List[Callable[[Library], None]] = []


def on_library_loaded(hook: Callable[[Library], None]) -> None:
    """Calls `hook` with the library when it is loaded (at once if it is loaded)."""
    _load_hooks.append(hook)
    if _library is not None:
        hook(_library)


def _resolve(path: "os.PathLike[str] | str") -> str:
    text = os.fspath(path)
    if not isinstance(text, str):
        text = os.fsdecode(text)
    if not text:
        raise GorayError("cannot load goray library: empty path")
    # dlopen does not search the current directory for a bare file name: resolve it.
    absolute = os.path.abspath(os.path.expanduser(text))
    if not os.path.exists(absolute):
        raise GorayError(f"cannot load goray library {text!r}: no such file ({absolute})")
    if os.path.isdir(absolute):
        raise GorayError(f"cannot load goray library {text!r}: {absolute} is a directory")
    return absolute


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def load_library(path: "os.PathLike[str] | str | None" = None) -> Library:
    """Loads the application library for in-process calls and returns it.

    Without ``path``: the library already loaded, else the one ``GORAY_BIN_PATH``
    names. Loading the same file again returns the loaded library; another file
    raises ``GorayError`` (one library per process)."""
    global _library
    with _lock:
        if path is None:
            if _library is not None:
                return _library
            path = os.environ.get(BIN_PATH_ENV)
            if not path:
                raise GorayError("no goray library given: pass its path to "
                                 f"goray.load_library(path) or set {BIN_PATH_ENV}")
        absolute = _resolve(path)
        if _library is not None:
            if _same_file(_library.path, absolute):
                return _library
            raise GorayError(f"cannot load goray library {absolute!r}: {_library.path!r} "
                             "is already loaded (one library per process)")
        library = Library(absolute)
        _library = library
    for hook in _load_hooks:
        hook(library)
    return library


def loaded_library() -> Optional[Library]:
    """The loaded library, or None."""
    return _library


def fastpath_active() -> bool:
    """True once a library is loaded: every call goes through goray._fastpath."""
    return _library is not None


def _loaded_protocol_version() -> int:
    """The loaded library's protocol version; 1 when none is loaded."""
    return int(getattr(loaded_library(), "protocol_version", 1))


# The dispatcher below asks this module (which it never imports) what the loaded
# library speaks, for its failure replies.
_handlers.set_library_version(_loaded_protocol_version)


def get_library() -> Library:
    """The loaded library, loading it from ``GORAY_BIN_PATH`` on first use."""
    library = _library
    if library is not None:
        return library
    return load_library()
