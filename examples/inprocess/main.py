"""In-process example: Python calls C++ and C++ calls Python, no Ray.

Usage: python main.py path/to/libinprocess.so
"""
import sys

import goray


@goray.local
def shout(word):
    return word.upper() + "!"


@goray.local
def fail(text):
    raise ValueError(f"cannot handle {text!r}")


def main(library_path: str) -> int:
    goray.load_library(library_path)

    print("Square(1.5)         =", goray.golang_local_run_task("Square", 1.5))
    print("Divide(17, 5)       =", goray.golang_local_run_task("Divide", 17, 5))
    print("Summarize([...])    =", goray.golang_local_run_task("Summarize", [2.0, 4.0, 4.0, 5.0]))

    with goray.golang_local_new_actor("Counter", 10) as counter:
        counter.Incr(5)
        print("Counter after +5    =", counter.Get())

    print("C++ -> Python tour  =", goray.golang_local_run_task("TourOfPython", ["ray", "cpp", "ray"]))
    print("Python error in C++ =", goray.golang_local_run_task("CatchPythonError"))

    try:
        goray.golang_local_run_task("Divide", 1, 0)
    except goray.NativeError as error:
        print("C++ error in Python =", f"{error.type}: {error.message} (task {error.task})")
    try:
        goray.golang_local_run_task("Square", "two")
    except goray.ArgumentError as error:
        print("bad argument        =", error)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
