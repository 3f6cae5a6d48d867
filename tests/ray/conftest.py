"""One Ray (on 127.0.0.1) for the whole Ray test session, with the raytest library."""
import os
import pathlib
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import tiers  # noqa: E402
import ray_leftovers  # noqa: E402

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
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    # Serve's controller kills a proxy not ready within 5 s and tries again: on two busy
    # cores (CI's lanes) that loop never ends, and the Serve tests wait on it.
    os.environ.setdefault("RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S", "120")
    library = goray.init(library_path(), py_defs_path=str(DEFS), num_cpus=4,
                         namespace="raytest", log_to_driver=True)
    yield library
    ray_leftovers.shutdown_ray()  # ray.shutdown(), then what of its processes is left, by id


@pytest.fixture(scope="session")
def defs(lib):
    """The py-defs module the driver imported (not in sys.modules, as in workers)."""
    from goray import _process_setup
    return _process_setup.import_py_defs(str(DEFS))


_cluster = None  # two_node_cluster.TwoNodeCluster, while a test may still ask for it
_last_cluster_test = None  # the node id of the last test of the run that asks for it


@pytest.fixture
def cluster(tmp_path_factory):
    """The 2-node cluster (two_node_cluster.py), one for every test of the run that asks for
    it: started by the first, stopped after the last (pytest_runtest_teardown)."""
    global _cluster
    if _cluster is None:
        from two_node_cluster import TwoNodeCluster
        try:
            _cluster = TwoNodeCluster(tmp_path_factory.mktemp("cluster"))
        except RuntimeError as error:
            pytest.fail(str(error), pytrace=False)
    return _cluster.info


def pytest_collection_finish(session):
    global _last_cluster_test
    users = [item.nodeid for item in session.items if "cluster" in getattr(item, "fixturenames", ())]
    _last_cluster_test = users[-1] if users else None


def pytest_runtest_teardown(item, nextitem):
    global _cluster
    if _cluster is not None and (item.nodeid == _last_cluster_test or nextitem is None):
        _cluster.stop()
        _cluster = None


def pytest_sessionfinish(session):
    global _cluster
    if _cluster is not None:  # (a run stopped early)
        _cluster.stop()
        _cluster = None
    ray_leftovers.clean_up_after_session()


def pytest_configure(config):
    tiers.register(config)
    ray_leftovers.note_session_start()
    config.addinivalue_line(
        "markers", "ray_versions: in the subset scripts/test-ray-versions.sh runs on each Ray "
                   "release (docs/testing.md)")


def pytest_collection_modifyitems(config, items):
    tiers.deselect(config, items)


def _has_task_names():
    from goray._ray.worker import bodies
    return bodies.task_names()


def _has_cancel_flag():
    from ray._raylet import CoreWorker
    from goray._ray.compat import internals
    return internals.cancel_flag(CoreWorker) is not None


#: Tests of streams in groups: a Ray without task names (2.40) sends one item per object
#: (goray._ray.compat.releases.FEATURES; the items themselves are tested there too).
needs_task_names = pytest.mark.skipif(
    not _has_task_names(), reason="this Ray has no task names (RuntimeContext.get_task_name, "
                                  "2.41): goray's streams go one item per Ray object")
#: Tests of ray.cancel reaching a running sync actor's stream: before Ray 2.54 Ray has no
#: cancel flag, and a sync actor's method (Python's too) runs to its end.
needs_cancel_flag = pytest.mark.skipif(
    not _has_cancel_flag(), reason="this Ray has no cancel flag (2.54): ray.cancel does not "
                                   "reach a running sync actor method, Python's or C++'s")
