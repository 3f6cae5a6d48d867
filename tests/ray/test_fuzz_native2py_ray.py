"""The driver's Ray command handlers fuzzed (fuzz_ray_driver.py): a second driver joined
to this session's Ray sends hypothesis-made requests of every Ray command to its own
handlers; each is answered without raising, and no id outlives a failed request or the
release of a successful one (docs/reliability.md, "The Python driver's handlers")."""
import os
import re
import subprocess
import sys

import pytest
import ray

from conftest import DEFS, HERE, library_path

# Tier 2 (bash scripts/run-tests.sh --all): fuzzing on Ray; tests/python fuzzes the same handlers
# in tier 1
pytestmark = pytest.mark.tier2


def test_every_ray_command_answers_any_bytes_and_leaks_no_id(lib):
    env = {**os.environ, "RAY_ADDRESS": ray.get_runtime_context().gcs_address,
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(HERE / "fuzz_ray_driver.py"), library_path(),
                             str(DEFS), os.environ.get("GORAY_FUZZ_EXAMPLES", "150")],
                            cwd=HERE, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and re.search(r"^OK every_ray_command \d+$", result.stdout, re.M), \
        output[-6000:]
