"""Run by test_exit.py: `python exit_after_hook.py LIBRARY COUNT`. An atexit function
registered before goray is imported runs after goray's own (atexit runs the last
registered first), when callbacks from native threads are closed: the COUNT native threads
it starts (tests/py314/project/exit_threads.cpp) are refused at once instead of waiting
for a GIL that CPython 3.14 never gives them once it finalizes."""
import atexit
import sys


def after_gorays_exit_hook() -> None:
    import goray

    calls = goray.golang_local_run_task("StartCallers", int(sys.argv[2]), False, False)
    print(f"calls after goray's exit hook: {calls}", flush=True)


atexit.register(after_gorays_exit_hook)

import goray  # noqa: E402  (after the atexit function above, on purpose)

goray.load_library(sys.argv[1])
