"""The compiled fast path (goray._fastpath) and the ctypes path pass the same tests:
this suite runs with whichever the environment selects, and reruns the library tests
with GORAY_NO_FASTPATH=1 in a subprocess."""

import importlib.util
import inspect
import os
import subprocess
import sys

import pytest

import goray
from goray import golang_local_run_task as run

HERE = os.path.dirname(os.path.abspath(__file__))
FASTPATH_BUILT = importlib.util.find_spec("goray._fastpath") is not None


def test_mode_matches_environment(lib):
    expected = FASTPATH_BUILT and not os.environ.get("GORAY_NO_FASTPATH")
    assert lib.uses_fastpath == expected
    assert goray._ffi.fastpath_active() == expected
    # In fast mode the public entry point is the compiled one.
    compiled = type(goray.golang_local_run_task).__name__ == "builtin_function_or_method"
    assert compiled == expected
    assert goray.golang_local_run_task.__name__ == "golang_local_run_task"


@pytest.mark.skipif(not FASTPATH_BUILT, reason="goray._fastpath is not built")
def test_both_implementations_document_the_entry_point_alike():
    # help(goray.golang_local_run_task) says the same with and without the fast path.
    from goray import _fastpath
    assert inspect.getdoc(_fastpath.golang_local_run_task) == \
        inspect.getdoc(goray._local._python_run_task)
    compiled, python = (inspect.signature(function).parameters.values()
                        for function in (_fastpath.golang_local_run_task, goray._local._python_run_task))
    assert [(p.name, p.kind) for p in compiled] == [(p.name, p.kind) for p in python]


def test_fastpath_disabled_after_import(lib_path):
    # GORAY_NO_FASTPATH set between `import goray` and loading: the library goes
    # through ctypes, and the compiled golang_local_run_task hands every call to the
    # Python one.
    code = (
        "import os, goray, testapp_defs\n"
        "os.environ['GORAY_NO_FASTPATH'] = '1'\n"
        f"lib = goray.load_library({str(lib_path)!r})\n"
        "assert not lib.uses_fastpath\n"
        "assert goray.golang_local_run_task('Add', 1, 2) == 3\n"
        "assert goray.golang_local_run_task('ViaPyI64', 'py_echo', 5) == 5\n"
        "with goray.golang_local_new_actor('Counter', 1) as c:\n"
        "    assert c.Incr(2) == 3\n"
        "print('done')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GORAY_NO_FASTPATH"}
    env["PYTHONPATH"] = HERE
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")


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


@pytest.mark.skipif(not FASTPATH_BUILT, reason="goray._fastpath is not built")
@pytest.mark.skipif(bool(os.environ.get("GORAY_NO_FASTPATH")), reason="already the ctypes run")
def test_library_tests_pass_without_fastpath(lib_path):
    env = dict(os.environ, GORAY_NO_FASTPATH="1", GORAY_TEST_LIB=str(lib_path))
    files = ["test_values.py", "test_local_calls.py", "test_ffi.py", "test_fastpath.py",
             "test_fastpath_py2native.py", "test_handlers.py", "test_arrays.py"]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             *files], cwd=HERE, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
