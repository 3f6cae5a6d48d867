"""Native crashes in Ray workers that run goray code in-process (docs/errors.md, "Native
crashes"; docs/data.md, "Retries and crashes"): a goray.data task UDF, an actor UDF, a
user's own map_batches function and a user's own @ray.remote task and actor, each
calling C++ that dies of SIGSEGV. The caller (here the driver) gets goray.NativeCrash
with the report's signal, frames and file:line, and the job ends: Ray Data does not retry
the crashing batch for ever, as it would retry a dead worker. And an exception thrown for
one row of a batch (goray::ForEachRow) names the row, on Ray Data too.

Python's side: goray._ray.worker.crashes (recovery wherever the library loads in a worker,
the call's NativeCrash, the worker's end) and goray._ray.worker.task_errors (Ray Data's
UserCodeException made a NativeCrash too). The C++ side: tests/apps/raytest/data_batches.cpp (DataTotalOrCrash reads through a null
pointer for a row with a negative quantity; DataCheckedTotal throws for it) and
crashes.cpp (CrashTask)."""
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest
import ray

import goray
import goray.data

SOURCES = pathlib.Path(__file__).resolve().parents[1] / "apps" / "raytest"
ORDERS = {"price": "float64", "quantity": "int64"}


def marked_line(file: str, marker: str) -> int:
    for number, line in enumerate((SOURCES / file).read_text().splitlines(), start=1):
        if line.rstrip().endswith(f"// crash line: {marker}"):
            return number
    raise AssertionError(f"no '// crash line: {marker}' in {file}")


def check_data_crash(error: BaseException) -> None:
    """The report of DataTotalOrCrash's null read: SIGSEGV in ReadRowOrCrash, its line."""
    assert isinstance(error, goray.NativeCrash), (type(error).__mro__, str(error)[-3000:])
    assert error.signal == "SIGSEGV", error.report
    assert "ReadRowOrCrash" in error.frames[0], error.report
    assert f"data_batches.cpp:{marked_line('data_batches.cpp', 'data')}" in error.frames[0], error.report


@pytest.fixture(scope="module")
def ray_data(lib):
    pytest.importorskip("pyarrow", reason="Ray Data needs pyarrow: bash scripts/setup.sh installs it")
    pytest.importorskip("pandas", reason="Ray Data needs pandas: bash scripts/setup.sh installs it")
    import ray.data
    # This module's functions run in Ray Data's workers, where it is not importable: by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    return ray.data


def orders_with_a_bad_row(batch):
    """Ray Data's range column `id` as orders; id 5's quantity is -3 (the bad row)."""
    ids = batch["id"]
    return {"price": ids.astype(np.float64) / 4, "quantity": np.where(ids == 5, -3, ids % 7)}


def dataset(rows=16, blocks=2):
    import ray.data
    return ray.data.range(rows, override_num_blocks=blocks).map_batches(orders_with_a_bad_row,
                                                                        batch_format="numpy")


@pytest.mark.ray_versions
def test_a_crash_in_a_task_udf_fails_the_dataset_with_the_report(ray_data):
    udf = goray.data.task_udf("DataTotalOrCrash", ORDERS)
    with pytest.raises(goray.NativeCrash) as caught:
        dataset().map_batches(udf, batch_format="numpy").materialize()
    check_data_crash(caught.value)
    assert "in task DataTotalOrCrash" in caught.value.report
    # Ray Data's own checks still see its error for a UDF's failure (Ray's class, or in older
    # Rays Ray Data's own).
    import ray.data.exceptions
    user_code = getattr(ray.exceptions, "UserCodeException", None) or ray.data.exceptions.UserCodeException
    assert isinstance(caught.value, user_code)


@pytest.mark.ray_versions
def test_a_crash_in_an_actor_udf_fails_the_dataset_with_the_report(ray_data):
    # Ray Data's actors restart without end and retry their tasks without end: the crash
    # is the task's exception, which it does not retry.
    Pricer = goray.data.actor_udf("DataPricer", "ApplyOrCrash", ORDERS, args=(1.0,))
    with pytest.raises(goray.NativeCrash) as caught:
        dataset().map_batches(Pricer, batch_format="numpy",
                              compute=ray_data.ActorPoolStrategy(size=1)).materialize()
    check_data_crash(caught.value)
    assert "in method DataPricer.ApplyOrCrash" in caught.value.report


def totals_in_process(batch):
    """A user's own map_batches function calling goray in-process."""
    return goray.golang_local_run_task("DataTotalOrCrash", {"price": batch["price"],
                                                            "quantity": batch["quantity"]})


@pytest.mark.ray_versions
def test_a_crash_in_a_users_own_map_batches_function_fails_the_dataset_with_the_report(ray_data):
    with pytest.raises(goray.NativeCrash) as caught:
        dataset().map_batches(totals_in_process, batch_format="numpy").materialize()
    check_data_crash(caught.value)


@pytest.mark.ray_versions
def test_a_users_own_task_gets_the_crash_as_its_exception_and_ray_does_not_retry_it(lib):
    @ray.remote
    def crash_in_process(kind):
        return goray.golang_local_run_task("CrashTask", kind)

    with pytest.raises(goray.NativeCrash) as caught:
        ray.get(crash_in_process.remote("segv"))  # Ray's default: 3 retries of a dead worker
    error = caught.value
    assert isinstance(error, ray.exceptions.RayTaskError)  # the task's own exception
    assert error.signal == "SIGSEGV" and "CrashSegv" in error.frames[0], error.report
    assert "in task CrashTask" in error.report
    assert ray.get(goray.golang_task("Square").remote(3.0)) == 9.0


@pytest.mark.ray_versions
def test_a_users_own_actor_gets_the_crash_and_its_process_ends(lib):
    @ray.remote
    class InProcess:
        def pid(self):
            return os.getpid()

        def crash(self, kind):
            return goray.golang_local_run_task("CrashTask", kind)

    actor = InProcess.remote()
    pid = ray.get(actor.pid.remote())
    with pytest.raises(goray.NativeCrash) as caught:
        ray.get(actor.crash.remote("abort"))
    assert caught.value.signal == "SIGABRT", caught.value.report
    # The process ends a moment after its answer (its state may be broken): the actor dies.
    deadline = time.monotonic() + 60
    while True:
        try:
            assert ray.get(actor.pid.remote(), timeout=30) == pid
        except ray.exceptions.RayActorError:
            break
        assert time.monotonic() < deadline, "the crashed actor's process did not end"
        time.sleep(0.2)


@pytest.mark.ray_versions
def test_an_exception_for_one_row_names_the_row_on_ray_data(ray_data):
    udf = goray.data.task_udf("DataCheckedTotal", ORDERS)
    with pytest.raises(Exception) as caught:  # Ray Data's error for a UDF's, goray's text in it
        dataset(blocks=1).map_batches(udf, batch_format="numpy").materialize()
    assert ("row 5 failed: std::invalid_argument: quantity -3 is negative (task DataCheckedTotal)"
            in str(caught.value)), str(caught.value)[-3000:]


def test_making_a_udf_sets_up_its_process_for_the_reports():
    # goray.data._crash_reports: a pipeline built after a plain ray.init (no goray.init)
    # gets the crash as goray.NativeCrash too; without Ray imported nothing is imported.
    code = ("import sys, goray.data\n"
            "goray.data.task_udf('DataTotal', {'price': 'float64'})\n"
            "assert 'ray' not in sys.modules\n"
            "import ray\n"
            "from goray._ray.worker import crashes\n"
            "assert not crashes._installed\n"
            "goray.data.task_udf('DataTotal', {'price': 'float64'})\n"
            "assert crashes._installed\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
