"""Run by tests/aarch64/test_userapp.py with the aarch64 virtualenv's Python, under
emulation: `python check.py libarmapp.so [crash]`. Prints one JSON object of what each
in-process call returned; with `crash`, calls the task that crashes instead."""
import json
import platform
import sys

import numpy as np

import goray


@goray.local
def shout(word):
    return word.upper() + "!"


@goray.local
def fail(text):
    raise ValueError(f"cannot handle {text!r}")


def main(library: str, crash: bool) -> None:
    loaded = goray.load_library(library)
    if crash:
        goray.golang_local_run_task("Crash")
        return
    run = goray.golang_local_run_task
    values = np.arange(12.0).reshape(3, 4)
    scaled, address = run("Scaled", values, 0.5)
    results = {
        "machine": platform.machine(),
        "fastpath": loaded.uses_fastpath,
        "positional": run("Label", "ab", 4, "-"),
        "keyword": run("Label", "ab", fill="*"),
        "keyword_only_skipping_a_default": run("Label", name="ab", fill="+"),
        "cpp_to_python": list(run("AskPython", "arm")),
        "view_in_place": run("ViewAddress", values) == values.ctypes.data,
        "result_adopted": scaled.ctypes.data == address,
        "scaled": scaled.tolist(),
        "python_error_in_cpp": run("CatchPython"),
    }
    try:
        run("Divide", 1, 0)
    except goray.NativeError as error:
        results["cpp_error"] = f"{error.type}: {error.message} (task {error.task})"
    try:
        run("Label", "ab", widht=3)
    except goray.ArgumentError as error:
        results["bad_keyword"] = str(error)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] == ["crash"])
