"""One Ray (on 127.0.0.1) for the whole Ray test session, with the raytest library."""
import os
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFS = HERE / "defs.py"


def library_path() -> str:
    path = os.environ.get("GORAY_RAYTEST_LIB", str(ROOT / "build" / "tests" / "apps" / "libraytest.so"))
    if not os.path.isfile(path):
        pytest.exit(f"the Ray test library {path} is not built: run bash scripts/run-tests.sh "
                    "(or set GORAY_RAYTEST_LIB)", returncode=2)
    return path


@pytest.fixture(scope="session")
def lib():
    import goray
    import ray
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    library = goray.init(library_path(), py_defs_path=str(DEFS), num_cpus=4,
                         namespace="raytest", log_to_driver=True)
    yield library
    ray.shutdown()


@pytest.fixture(scope="session")
def defs(lib):
    """The py-defs module the driver imported (not in sys.modules, as in workers)."""
    from goray import _worker
    return _worker.import_py_defs(str(DEFS))
