"""Cancelling calls on Ray (docs/errors.md, "Timeouts and cancellation"). Importing
this package imports nothing.

- ``cancels``: every ray.cancel goray makes, on the core worker's IO thread;
- ``stream_cancels``: a cancelled stream ends with TaskCancelledError, every time;
- ``interrupts``: Ray's cancel reaches a running task in a worker that ignores SIGINT.

Tests: tests/ray/test_cancel_stress.py, tests/ray/test_value_streams.py
"""
