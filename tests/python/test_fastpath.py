"""goray._fastpath is the one in-process route: a loaded library goes through it, the
public entry point is the compiled function, and the removed GORAY_NO_FASTPATH is an
error that says so rather than a silent switch."""

import inspect
import os
import subprocess
import sys

import goray
from goray import golang_local_run_task as run

HERE = os.path.dirname(os.path.abspath(__file__))


def test_every_call_goes_through_the_extension(lib):
    assert lib.uses_fastpath and goray._ffi.fastpath_active()
    assert lib.fastpath is goray._codec.fastpath_module()
    assert type(goray.golang_local_run_task).__name__ == "builtin_function_or_method"
    assert goray.golang_local_run_task.__name__ == "golang_local_run_task"


def test_the_entry_point_documents_itself():
    # help(goray.golang_local_run_task): the compiled function's text signature and docstring.
    parameters = inspect.signature(goray.golang_local_run_task).parameters.values()
    assert [(p.name, p.kind) for p in parameters] == [
        ("name", inspect.Parameter.POSITIONAL_ONLY), ("args", inspect.Parameter.VAR_POSITIONAL),
        ("kwargs", inspect.Parameter.VAR_KEYWORD)]
    assert "Keyword arguments name the C++ parameters." in inspect.getdoc(goray.golang_local_run_task)


def test_gorays_no_fastpath_is_an_error_that_says_it_was_removed(lib_path):
    # Set at start: `import goray` works (the generator and the CLI need no library), and
    # loading a library, or a call, raises an ImportError that says what to do.
    code = (
        "import goray, testapp_defs\n"
        "for attempt in (lambda: goray.load_library(" + repr(str(lib_path)) + "),\n"
        "                lambda: goray.golang_local_run_task('Add', 1, 2)):\n"
        "    try:\n"
        "        attempt()\n"
        "    except ImportError as error:\n"
        "        print(error)\n"
    )
    env = dict(os.environ, PYTHONPATH=HERE, GORAY_NO_FASTPATH="1")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0] == lines[1]
    assert lines[0].startswith("goray: GORAY_NO_FASTPATH was removed")
    assert "unset GORAY_NO_FASTPATH" in lines[0]


def test_native_threads_come_and_go(lib):
    # Each round starts 8 new C++ threads that call Python; their Python thread
    # states are kept between calls and dropped when the threads exit.
    for _ in range(30):
        assert run("PyFromThreads", "py_thread_value", 8, 10) == 80


def test_process_exits_cleanly_after_native_threads(lib_path):
    code = (
        "import goray, testapp_defs\n"
        f"goray.load_library({str(lib_path)!r})\n"
        "assert goray.golang_local_run_task('PyFromThreads', 'py_thread_value', 8, 50) == 400\n"
        "print('done')\n"
    )
    env = dict(os.environ, PYTHONPATH=HERE)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")
