"""Ray's cancel reaches a running task in this worker even when the worker started with
SIGINT ignored.

Ray cancels a running task by interrupting its worker's main thread
(`_thread.interrupt_main()`), which raises KeyboardInterrupt there through Python's
SIGINT handler, and which does nothing at all where SIGINT is ignored (Python 3.10 on).
A program started in the background by a non-interactive shell (`goray ... &` in a
script, nohup, many CI runners) ignores SIGINT, and so do the Ray it starts and every
worker of it, since an ignored signal stays ignored across fork and exec: there each
cancelled task ran to its end, and before Ray 2.54, which adds a cancel flag that stream
bodies read, each cancelled stream too (docs/reliability.md, "Cancelled streams").

Ray blocks SIGINT in the processes it starts (its workers among them), so the terminal's
Ctrl-C never reaches a worker either way: Python's handler, put back here, only serves
Ray's own interrupt. Drivers are left as their user started them.

Tests: tests/ray/test_cancel_ignored_sigint.py, tests/ray/test_streams.py,
tests/ray/test_value_streams.py
"""

from __future__ import annotations

import signal
import threading

__all__ = ["restore_in_worker"]


def restore_in_worker() -> bool:
    """In a Ray worker's main thread whose SIGINT is ignored, Python's own handler again
    (True when it was put back). bodies.ready_library calls it once, when the worker loads
    the library: in its first goray task's body, after Ray deserialized the arguments
    (with SIGINT deferred) and in the main thread, where Ray runs tasks."""
    if signal.getsignal(signal.SIGINT) != signal.SIG_IGN:
        return False
    if threading.current_thread() is not threading.main_thread():
        return False  # (only the main thread may set a handler; Ray interrupts that one)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return True
