"""Ray Data UDFs made of native tasks and actors (docs/data.md).

A batch in ``map_batches(..., batch_format="numpy")`` is a dict of NumPy columns; a
native task or method taking a struct of arrays (one field per column) reads it in
place and returns a struct of arrays, a dict of columns again. Batches of the other
formats (a pandas DataFrame, a pyarrow Table) are read as NumPy columns first, by Ray
Data's own conversion; the result is a dict of columns whatever the batch was::

    import goray.data
    total = goray.data.task_udf("Total", columns={"price": "float64", "quantity": "int64"})
    ds.map_batches(total, batch_format="numpy")                        # Ray tasks
    Pricer = goray.data.actor_udf("Pricer", "Apply", columns={...}, args=(1.2,))
    ds.map_batches(Pricer, batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=2))

The call runs in the process that holds the batch (Ray Data's worker), in-process,
through ``goray.golang_local_run_task`` (a task taking one array parameter per column
takes them with ``columns_as="parameters"``): the library is loaded there from the
job's ``GORAY_BIN_PATH``, which ``goray.init`` sets. The declared columns are checked
first, so a missing column or a wrong dtype is a :class:`ColumnError` naming the
column, both dtypes and the task. Only the declared columns are sent. Importing this
module needs neither Ray nor NumPy, and ``import goray`` does not import it.

Its modules (private; the names above are its API): ``_udfs`` (the UDFs and the
column checks), ``_crash_reports`` (a C++ crash in a UDF as goray.NativeCrash where the
pipeline is built).
"""
# Tests: tests/ray/test_ray_data.py, tests/python/test_data_types.py,
# tests/docs/test_docs_site.py

from ._udfs import ActorUDF, ColumnError, TaskUDF, actor_udf, task_udf

__all__ = ["task_udf", "actor_udf", "TaskUDF", "ActorUDF", "ColumnError"]
