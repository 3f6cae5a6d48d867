"""Arrays where the other side cannot take them, each in its own process (one
library per process): without NumPy, and with a library treated as protocol
version 1 (GoRay's libraries: no array ext, nested lists both ways)."""

import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))


def run_script(lib_path, body, **env):
    code = textwrap.dedent(f"""\
        import sys
        {env.pop('prelude', '')}
        import goray, testapp_defs
        lib = goray.load_library({str(lib_path)!r})
        """) + textwrap.dedent(body) + "\nprint('done')\n"
    environ = dict(os.environ, PYTHONPATH=HERE, **env)
    result = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                            text=True, timeout=300)
    assert (result.returncode, result.stdout.splitlines()[-1:], result.stderr) == \
        (0, ["done"], ""), result.stdout + result.stderr


def test_without_numpy_arrays_are_clear_errors(lib_path):
    run_script(lib_path, """
        import array
        assert lib.arrays and "numpy" not in [m for m in sys.modules if sys.modules[m]]
        run = goray.golang_local_run_task
        assert run("Add", 1, 2) == 3 and run("VectorTotal", [1.0, 2.0]) == 3.0

        # An array result: names the task and the position, says what to install.
        try:
            run("MakeArray", [2, 3])
        except goray.GorayError as error:
            assert str(error) == ("result of MakeArray: position 0: ndarray of float64 (2, 3) "
                                  "cannot be built: NumPy is not installed: pip install numpy"), error
        else:
            raise AssertionError("no error")
        # ... and the native buffer it came in is released all the same.
        try:
            run("MakeTracked", 10)
        except goray.GorayError:
            pass
        assert run("TrackedAlive") == 0

        # An array argument (a buffer that needs NumPy to be sent).
        try:
            run("ArrayTotal", 1, array.array("d", [1.0]))
        except goray.ArgumentError as error:
            assert (error.task, error.position) == ("ArrayTotal", 1), error
            assert "pip install numpy" in str(error) and "array.array of 'd' (1,)" in str(error)
        else:
            raise AssertionError("no error")

        # C++ calling a Python function with an array: the function is named.
        try:
            run("ArrayViaPython", "py_echo", [1.0, 2.0])
        except goray.NativeError as error:
            text = str(error)
            assert "position 0: expected NumPy installed to receive an array (pip install numpy), " \\
                   "received ndarray of float64 (2,) (task py_echo)" in text, text
        else:
            raise AssertionError("no error")
        """, prelude="sys.modules['numpy'] = None")


def test_version_1_library_gets_nested_lists(lib_path):
    run_script(lib_path, """
        import array
        import numpy as np
        assert lib.protocol_version >= 2 and not lib.arrays
        run = goray.golang_local_run_task
        # Arguments go as nested lists; the library, never sent EnableArrays,
        # answers with nested lists too.
        arr = np.arange(6.0).reshape(2, 3)
        assert run("EchoArrF64", arr) == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        assert run("EchoArrC64", np.array([1 + 2j], dtype=np.complex64)) == [[1.0, 2.0]]
        assert run("ViewShape", arr) == [2, 3]
        assert run("ViewAddress", arr) != arr.ctypes.data  # decoded from a list: a copy
        assert run("ArrayTotal", array.array("d", [1.0, 2.5])) == 3.5
        result, _ = run("MakeArray", [2])
        assert result == [0.0, 1.0]
        with goray.golang_local_new_actor("Accumulator", 2) as acc:
            acc.Add(np.ones(2))
            assert acc.Total() == [1.0, 1.0]
        """, GORAY_NO_ARRAYS="1")
