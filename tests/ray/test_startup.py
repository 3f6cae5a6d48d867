"""How a program starts goray, each in its own process: ray.init before goray.init (its
own Ray), a py-defs file importing a module beside it (driver and workers), and no
py-defs file at all (these two join the session's Ray as jobs of their own: goray.init
with cluster=True, which sets a job's py-defs up as a Ray of its own does)."""
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import DEFS, library_path

# Tier 2 (bash scripts/run-tests.sh --all): Rays started by their own scripts (ray.init before
# goray.init)
pytestmark = pytest.mark.tier2

LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
                "RAY_ADDRESS": "local"}

# Native commands as the library's callback sends them: ExePythonRemoteTask, GetObject.
CALL_PYTHON_TASK = textwrap.dedent("""
    import json
    import msgpack
    from goray import _handlers
    from goray._protocol import Native2Py, pack_units, unpack_u64

    def call_python_task(name, *args):
        payload = pack_units(b"".join(msgpack.packb(a) for a in args),
                             json.dumps({"task_name": name, "go_ray_arg_pos_to_object": {}}).encode())
        code, reply = _handlers.dispatch(int(Native2Py.EXE_PYTHON_REMOTE_TASK), memoryview(payload))
        if code:
            return int(code), reply.decode()
        request = json.dumps([unpack_u64(reply), -1, True]).encode()
        code, reply = _handlers.dispatch(int(Native2Py.GET_OBJECT), memoryview(request))
        # The handlers' codes are _protocol.Code members: printed as the numbers C sees.
        return int(code), msgpack.unpackb(reply) if code == 0 else reply.decode()
""")


def run_script(tmp_path, body, join=None, preexec_fn=None):
    """Runs `body` in a process of its own; with `join` (the `lib` fixture), its goray.init
    (cluster=True) joins the session's Ray; `preexec_fn` runs in the child before it
    starts (subprocess's)."""
    script = tmp_path / "script.py"
    script.write_text(CALL_PYTHON_TASK + textwrap.dedent(body))
    env = {key: value for key, value in os.environ.items()
           if key not in ("GORAY_BIN_PATH", "GORAY_PY_MUDULE_PATH")}
    env.update(LOOPBACK_ENV)
    if join is not None:
        import ray
        env["RAY_ADDRESS"] = ray.get_runtime_context().gcs_address
    result = subprocess.run([sys.executable, str(script), library_path()], cwd=str(tmp_path),
                            env=env, preexec_fn=preexec_fn, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return result.stdout


def test_ray_init_before_goray_init_works(tmp_path):
    output = run_script(tmp_path, f"""
        import sys
        import ray
        ray.init(address="local", num_cpus=4, include_dashboard=False, _node_ip_address="127.0.0.1")
        import goray
        from goray._ray import driver
        library = goray.init(sys.argv[1], py_defs_path={str(DEFS)!r})
        assert ray.get(goray.golang_task("Square").remote(3.0)) == 9.0
        counter = goray.golang_actor_class("Counter").remote(1)
        assert ray.get(counter.Incr.remote(1)) == 2
        assert call_python_task("py_square", 7) == (0, 49)
        # The C++ driver: C++ and Python tasks, nested ones, refs, failures.
        print("DRIVER", driver.run_driver(library, ["tasks"]))
    """)
    assert "DRIVER 0" in output


def test_py_defs_imports_a_module_beside_it_in_the_driver_and_workers(tmp_path, lib):
    # Not the script's folder nor the working directory, which Ray puts on workers' paths.
    folder = tmp_path / "defs_folder"
    folder.mkdir()
    (folder / "startup_helpers.py").write_text("def double(x):\n    return 2 * x\n")
    (folder / "defs.py").write_text(textwrap.dedent("""
        import goray
        import startup_helpers

        @goray.remote
        def py_helped(x):
            return startup_helpers.double(x)
    """))
    output = run_script(tmp_path, f"""
        import sys
        import goray
        goray.init(sys.argv[1], py_defs_path={str(folder / "defs.py")!r}, cluster=True)
        print("RESULT", call_python_task("py_helped", 7))   # runs in a worker
    """, join=lib)
    assert "RESULT (0, 14)" in output


def test_a_missing_python_task_without_py_defs_says_none_was_given(tmp_path, lib):
    output = run_script(tmp_path, """
        import sys
        import goray
        goray.init(sys.argv[1], cluster=True)
        code, text = call_python_task("py_square", 7)
        print("CODE", code)
        print("TEXT", text)
    """, join=lib)
    assert "CODE 1" in output
    assert "Python function 'py_square' not found" in output
    assert "No py-defs file was given" in output and "goray --py-defs FILE LIBRARY" in output
