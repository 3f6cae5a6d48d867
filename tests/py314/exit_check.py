"""Run by test_exit.py: `python exit_check.py LIBRARY COUNT KEEP_CALLING JOINED` starts
COUNT native threads calling `tick` in this process (tests/py314/project/exit_threads.cpp),
then lets the interpreter exit while they run."""
import sys
import time

import goray


@goray.local
def tick(index: int) -> int:
    return index


def main(library: str, count: int, keep_calling: bool, joined: bool) -> None:
    goray.load_library(library)
    calls = goray.golang_local_run_task("StartCallers", count, keep_calling, joined)
    time.sleep(0.1)
    print(f"exiting after {calls} calls", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1")
