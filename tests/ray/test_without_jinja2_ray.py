"""Ray workers run goray's task bodies without Jinja2 (goray-gen's extra): the goray
command runs the test library's C++ driver, whose tasks (and the tasks they call) run in
Ray workers, with `import jinja2` failing in every process of the run (a sitecustomize
on PYTHONPATH, which Ray's processes inherit). An attempt from goray's code is logged
and fails the test."""
import os
import subprocess
import sys

import pytest

from conftest import DEFS, library_path

# Blocks jinja2 in each Python process that starts with it on its path; logs the
# process once (to show that Ray's workers had the block too) and every attempt that
# goray's code makes.
SITECUSTOMIZE = r'''
import os, sys, traceback

_LOG = os.environ["GORAY_TEST_JINJA2_LOG"]


def _log(line):
    with open(_LOG, "a") as log:
        log.write(line + "\n")


class _NoJinja2:
    def find_spec(self, name, path=None, target=None):
        if name != "jinja2" and not name.startswith("jinja2."):
            return None
        stack = traceback.format_stack()
        if any("/goray/" in frame for frame in stack):
            _log("IMPORT " + " ".join(sys.argv) + "\n" + "".join(stack))
        raise ImportError("jinja2 is blocked in this test")


sys.meta_path.insert(0, _NoJinja2())
_log("STARTED " + " ".join(sys.argv))
'''


@pytest.mark.long  # a whole C++ driver run again with Jinja2 blocked (in-process: tests/python)
def test_ray_workers_run_goray_without_jinja2(tmp_path):
    # One run of the goray command (one Ray start) checks both scenarios: the tasks, and
    # the nested ones (tasks calling tasks in workers).
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "jinja2.log"
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "GORAY_TEST_JINJA2_LOG": str(log),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path),
                                                       os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "goray", "--py-defs", str(DEFS),
                             library_path(), "--", "each", "tasks", "nested"],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SCENARIO tasks 0" in result.stdout and "SCENARIO nested 0" in result.stdout, \
        result.stdout[-3000:]
    text = log.read_text()
    assert "IMPORT" not in text, text
    workers = [line for line in text.splitlines()
               if line.startswith("STARTED") and "default_worker.py" in line]
    assert workers, "no Ray worker ran with jinja2 blocked:\n" + text
