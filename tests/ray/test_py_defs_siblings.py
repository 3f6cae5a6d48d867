"""A py-defs file's own folder is on sys.path only while the file runs (as under GoRay),
so a worker cannot import the modules beside it by name: goray._ray.worker.py_defs makes them
travel by value. Found by GoRay's own suite (its registry.py imports go2py.py, whose
Python actors Go creates). Runs a child driver of its own from another directory, a job
of its own on the session's Ray (fresh workers: a job's workers are its own)."""
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

# Tier 2 (bash scripts/run-tests.sh --all): a driver of its own whose py-defs file has sibling
# modules
pytestmark = pytest.mark.tier2

LIBRARY = ROOT / "build" / "tests" / "apps" / "libraytest.so"

CHILD = textwrap.dedent("""\
    import sys
    import goray, ray
    goray.init(sys.argv[1], py_defs_path=sys.argv[2], cluster=True)
    defs = goray._process_setup.import_py_defs(sys.argv[2])
    keeper = defs.SiblingKeeper.remote(5)
    print("KEPT", ray.get(keeper.add.remote(2)), ray.get(defs.sibling_twice.remote(21)),
          ray.get(keeper.spawn.remote(9)))
""")


def test_classes_and_functions_from_modules_beside_the_py_defs_file_reach_fresh_workers(tmp_path, lib):
    import ray
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "beside_py_defs_mod.py").write_text(textwrap.dedent("""\
        import goray

        @goray.remote
        class SiblingKeeper:
            def __init__(self, value):
                self.value = value

            def add(self, more):
                return self.value + more

            def spawn(self, value):  # names its own class, a global of its module
                import ray
                return ray.get(SiblingKeeper.remote(value).add.remote(0))

        @goray.remote
        def sibling_twice(x):
            return 2 * x
    """))
    (folder / "defs.py").write_text("from beside_py_defs_mod import SiblingKeeper, sibling_twice\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RAY_ADDRESS")}
    env.update(RAY_USAGE_STATS_ENABLED="0", RAY_ADDRESS=ray.get_runtime_context().gcs_address)
    result = subprocess.run([sys.executable, "-c", CHILD, str(LIBRARY), str(folder / "defs.py")],
                            cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "KEPT 7 42 9" in result.stdout, (result.stdout + result.stderr)[-4000:]
