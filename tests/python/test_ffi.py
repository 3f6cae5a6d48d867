"""Loading libraries and the C ABI rules (docs/protocol.md §1). Whatever needs a
fresh process (one library per process) runs in a subprocess."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import goray

HERE = os.path.dirname(os.path.abspath(__file__))


def python(code, cwd=None, env_extra=None, env_drop=()):
    env = {k: v for k, v in os.environ.items() if k not in env_drop}
    env.update(env_extra or {})
    env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_import_goray_imports_no_ray():
    result = python("""
        import sys, goray
        @goray.remote
        def f(x): return x
        @goray.local
        def g(x): return x
        assert f(1) == 1
        print(sorted(m for m in sys.modules if m == "ray" or m.startswith("ray.")))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_same_library_twice_is_the_same(lib, lib_path, tmp_path):
    assert goray.load_library(str(lib_path)) is lib
    assert goray.load_library() is lib  # no argument: the loaded one
    link = tmp_path / "link.so"
    link.symlink_to(lib_path)
    assert goray.load_library(link) is lib


def test_second_library_refused(lib, lib_path, tmp_path):
    copy = tmp_path / "libother.so"
    shutil.copy(lib_path, copy)
    with pytest.raises(goray.GorayError) as info:
        goray.load_library(copy)
    assert str(info.value) == (f"cannot load goray library {str(copy)!r}: {str(lib_path)!r} "
                               "is already loaded (one library per process)")


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.so"
    with pytest.raises(goray.GorayError) as info:
        goray.load_library(missing)
    assert str(info.value) == \
        f"cannot load goray library {str(missing)!r}: no such file ({missing})"


def test_directory(tmp_path):
    with pytest.raises(goray.GorayError, match="is a directory"):
        goray.load_library(tmp_path)


def test_not_a_shared_object(tmp_path):
    bogus = tmp_path / "bogus.so"
    bogus.write_text("not an ELF file")
    result = python(f"""
        import goray
        try:
            goray.load_library({str(bogus)!r})
        except goray.GorayError as error:
            print(error)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"cannot load goray library {str(bogus)!r}: ")
    assert str(bogus) in result.stdout


def test_shared_object_without_the_abi():
    import msgpack._cmsgpack as extension  # any shared object that is not a goray library

    result = python(f"""
        import goray
        try:
            goray.load_library({extension.__file__!r})
        except goray.GorayError as error:
            print(error)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{extension.__file__!r} is not a goray library: it does not export Execute, "
        "FreeMemory, RegisterCallback (a goray library exports Execute, FreeMemory and "
        "RegisterCallback)")


def test_bare_file_name_in_current_directory(lib_path):
    result = python(f"""
        import goray
        lib = goray.load_library({lib_path.name!r})
        print(lib.path)
        print(goray.golang_local_run_task("Add", 40, 2))
    """, cwd=str(lib_path.parent))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(lib_path), "42"]


def test_goray_bin_path(lib_path):
    # Explicit load_library() and lazy loading on first call both use it.
    result = python("""
        import goray
        print(goray.golang_local_run_task("Add", 1, 2))
        print(goray.load_library().path)
    """, env_extra={"GORAY_BIN_PATH": str(lib_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", str(lib_path)]


def test_no_library_anywhere():
    result = python("""
        import goray
        for call in (goray.load_library, lambda: goray.golang_local_run_task("Add", 1, 2)):
            try:
                call()
            except goray.GorayError as error:
                print(error)
    """, env_drop=("GORAY_BIN_PATH",))
    assert result.returncode == 0, result.stderr
    message = ("no goray library given: pass its path to goray.load_library(path) or set "
               "GORAY_BIN_PATH")
    assert result.stdout.splitlines() == [message, message]


def test_second_register_callback_keeps_the_first(lib_path):
    result = python(f"""
        import ctypes
        import goray, testapp_defs

        goray.load_library({str(lib_path)!r})
        calls = []
        # The protocol's callback (docs/protocol.md §1).
        CALLBACK_TYPE = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_longlong, ctypes.c_void_p,
                                         ctypes.c_longlong, ctypes.POINTER(ctypes.c_longlong),
                                         ctypes.POINTER(ctypes.c_longlong))

        @CALLBACK_TYPE
        def intruder(request, data, size, out_len, ret_code):
            calls.append(request)
            return None

        dll = ctypes.CDLL({str(lib_path)!r})  # the same handle
        dll.RegisterCallback.argtypes = [CALLBACK_TYPE]
        dll.RegisterCallback.restype = None
        dll.RegisterCallback(intruder)
        # C++ -> Python still reaches goray's callback.
        print(goray.golang_local_run_task("ViaPyI64", "py_echo", 5), calls)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5 []"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "RegisterCallback" in lines[0], result.stderr


def test_callback_failures_never_reach_c(lib, monkeypatch):
    from goray import _handlers

    def explode(data):
        raise KeyboardInterrupt("stop")  # not even a BaseException escapes

    monkeypatch.setitem(_handlers._handlers, 0, explode)
    type_, message, *_ = goray.golang_local_run_task("CatchPython", "task", "py_echo", 1)
    assert (type_, message) == ("KeyboardInterrupt", "stop")
