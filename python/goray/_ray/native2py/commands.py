"""Native2Py commands 5-16, 32-36 and 48-52 (docs/protocol.md §3, §10-§13, §15):
native code using Ray through the driver. Installed into goray._handlers by
goray.init() in the driver, and by the first Ray command a process receives
(goray._handlers serves it then, through the hook goray._ray registers), e.g. in a
Ray worker; the loaded library is then asked for protocol version 3's features
(goray._ray.submission.features).

The commands, by family (each module's ``HANDLERS``):

- :mod:`.calls`: ExeRemoteTask 5, ActorMethodCall 13,
  ExePythonRemoteTask 16 (call payloads, submissions, the options caches);
- :mod:`.objects`: GetObject 6 (GetObject's lend), PutObject 7,
  WaitObject 8, CancelObject 9, ReleaseObject 10, GetObjects 34;
- :mod:`.actors`: NewActor 11, NewPythonActor 12, KillActor 14,
  GetActor 15, ReleaseActor 32, DescribeActor 35;
- :mod:`.batch`: SubmitBatch 33 (pipelined submissions);
- :mod:`.streams`: NextStreamRef 36;
- :mod:`.graphs`: GraphBuild 48 to GraphTeardown 52 (graphs of actor
  method calls, compiled or classic: a goray extension, §15).

Every failure of a task or actor is a real Ray failure; GetObject reports it as
code 5 with {"Message": "<type>: <message> (task <name>)", "Traceback": ...},
and timeouts, cancellation and unknown ids with codes 2, 3 and 4
(:mod:`.failures`). A pipelined submission (SubmitBatch) that fails
leaves a failure entry under its result id: GetObject(s) answer it with code 1 and
the text the synchronous command would have answered (:mod:`.entries`
reads the objects store's entries).

Tests: tests/ray/test_failure_payload_ray.py, tests/ray/test_native_objects.py,
tests/python/test_ray_layer.py, tests/python/test_submit_batch.py, tests/ray/test_arrays.py,
tests/ray/test_arrays_out_of_band_cpp.py
"""

from __future__ import annotations

import functools
import logging
from typing import Dict

import ray

from ... import _ffi, _handlers
from ..._handlers import Handler, Reply
from ..._protocol import Native2Py
from ..cancellation import stream_cancels
from ..submission import features
from ..worker import crashes
from . import actors, batch, calls, graphs, next_stream_ref, object_commands
from .calls import python_task, submit_native_task
from .failures import FailedSubmission, failure_reply

__all__ = ["install", "failure_reply", "FailedSubmission", "submit_native_task", "python_task"]

_log = logging.getLogger("goray")

_HANDLERS: Dict[Native2Py, Handler] = {
    **calls.HANDLERS,
    **object_commands.HANDLERS,
    **actors.HANDLERS,
    **batch.HANDLERS,
    **graphs.HANDLERS,
    **next_stream_ref.HANDLERS,
}


def _logged(command: Native2Py, handler: Handler) -> Handler:
    def logged(data: memoryview) -> Reply:
        reply: Reply = handler(data)
        _log.debug("native -> driver %s (%d bytes): code %d, %d bytes", command.name, len(data),
                    reply[0], len(reply[1]))
        return reply
    return logged


#: Commands served after ray.shutdown() as before: releases (the refs and handles go
#: quietly, Ray's too) and SubmitBatch (whose releases do, and whose submissions fail
#: one by one: batch).
_WITHOUT_RAY = frozenset({Native2Py.RELEASE_OBJECT, Native2Py.RELEASE_ACTOR,
                          Native2Py.SUBMIT_BATCH})


def _while_ray_runs(command: Native2Py, handler: Handler) -> Handler:
    """`handler`, while Ray runs in this process; after ray.shutdown() the request
    fails, saying so, instead of reaching Ray (whose .remote() would start a new local
    Ray for a C++ thread still submitting, which nothing stops)."""
    if command in _WITHOUT_RAY:
        return handler
    not_running = _handlers.ray_request_handler(command)

    @functools.wraps(handler)  # (its name, as the handler it guards: logs, tests)
    def guarded(data: memoryview) -> Reply:
        return handler(data) if ray.is_initialized() else not_running(data)
    return guarded


def install() -> None:
    """Serves the Ray commands in this process (idempotent), then turns the loaded
    library's version-3 features on (EnableFeatures, once). With GORAY_DEBUG_LOGGING
    set, each request is logged."""
    debug = _log.isEnabledFor(logging.DEBUG)
    crashes.install()  # Get failures of crashed native calls carry their reports
    stream_cancels.install()  # a C++ caller's cancelled stream ends cancelled
    for command, handler in _HANDLERS.items():
        handler = _while_ray_runs(command, handler)
        _handlers.register_handler(int(command), _logged(command, handler) if debug else handler)
    library = _ffi.loaded_library()
    if library is not None:
        features.enable_features(library)
