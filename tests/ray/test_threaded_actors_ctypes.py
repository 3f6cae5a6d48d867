"""The threaded-actor tests (test_threaded_actors.py) on the ctypes path
(GORAY_NO_FASTPATH=1): threaded_ctypes_driver.py runs each of them in a second driver
joined to this session's Ray, its job's workers and itself without the compiled fast
path. The session keeps one Ray: the driver joins it rather than starting its own."""
import os
import re
import subprocess
import sys

import pytest

import ray

import test_threaded_actors
from conftest import DEFS, HERE, library_path

TESTS = sorted(name for name in vars(test_threaded_actors) if name.startswith("test_"))


@pytest.mark.long  # test_threaded_actors.py's tests again, on the ctypes path
def test_threaded_actor_tests_pass_on_the_ctypes_path(lib):
    env = {**os.environ, "GORAY_NO_FASTPATH": "1",
           "RAY_ADDRESS": ray.get_runtime_context().gcs_address,
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # the driver stays on 127.0.0.1
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(HERE / "threaded_ctypes_driver.py"),
                             library_path(), str(DEFS)], cwd=HERE, env=env,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert "MODE driver=False worker=False" in result.stdout, output[-4000:]
    passed = re.findall(r"^OK (\w+)$", result.stdout, re.M)
    assert result.returncode == 0 and passed == TESTS, output[-6000:]
