"""What C++ code's goray::serve::Handle runs (goray/serve.h), in the process the C++
code runs in: a call of a deployment's method, waited for, and a streaming call whose
items C++ reads as they come. Each deployment's DeploymentHandle is made once per
process.

Tests: tests/ray/test_serve.py
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Tuple

from .._ray.cancellation import stream_cancels
from ..errors import GorayError
from . import _replica

__all__ = ["call", "StreamingCall"]

_handles: Dict[Tuple[str, str], Any] = {}
_handles_lock = threading.Lock()


def _bound(app: str, deployment: str, method: str, stream: bool) -> Any:
    _replica.calls_out += 1  # (a replica's method calling this runs off the event loop)
    key = (app, deployment)
    found = _handles.get(key)
    if found is None:
        stream_cancels.install()  # Serve's cancels of calls run on Ray's IO thread
        try:
            from ray import serve
        except ImportError as error:
            raise GorayError("goray::serve::Handle needs Ray Serve, which is not installed "
                             f"here ({error}): pip install 'goray-cpp[serve]'") from None
        with _handles_lock:
            found = _handles.get(key)
            if found is None:
                found = _handles[key] = serve.get_deployment_handle(deployment, app_name=app)
    if stream:
        found = found.options(stream=True)
    return found if method == "__call__" else getattr(found, method)


def call(app: str, deployment: str, method: str, timeout_s: float, /, *args: Any) -> Any:
    """Calls `method` of deployment `deployment` in Serve application `app` and waits
    for its result, at most `timeout_s` seconds (negative: no limit)."""
    response = _bound(app, deployment, method, stream=False).remote(*args)
    return response.result(timeout_s=None if timeout_s < 0 else timeout_s)


class StreamingCall:
    """A call of streaming method `method` (a generator): next_items() waits for the
    next item and returns it in a list, [] at the end; cancel() cancels the call (a C++
    generator behind it stops at its next co_yield). Items are not timed: `timeout_s`
    applies to calls, and a stream's reader decides when to stop."""

    def __init__(self, app: str, deployment: str, method: str, timeout_s: float, /,
                 *args: Any) -> None:
        del timeout_s
        self._responses = _bound(app, deployment, method, stream=True).remote(*args)
        self._ended = False

    def next_items(self) -> List[Any]:
        if self._ended:
            return []
        try:
            return [next(self._responses)]
        except StopIteration:
            self._ended = True
            return []

    def cancel(self) -> None:
        if not self._ended:
            self._ended = True
            self._responses.cancel()
