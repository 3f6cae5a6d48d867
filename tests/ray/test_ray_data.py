"""goray.data: C++ tasks and actors as Ray Data map_batches UDFs (docs/data.md).

The C++ side is tests/apps/raytest/data_batches.cpp: DataTotal takes a struct of
two array views (price float64, quantity int64) and returns a struct of two arrays
(total, quantity); DataPricer is an actor doing the same times a factor.
The in-process tests need no Ray Data; the others run tiny datasets (Ray Data's
start-up is what they cost).
"""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import ray

import goray
import goray.data

ORDERS = {"price": "float64", "quantity": "int64"}


def address(array):
    return array.__array_interface__["data"][0]


def orders(rows, start=0):
    price = np.arange(start, start + rows, dtype=np.float64) / 4
    quantity = np.arange(start, start + rows, dtype=np.int64) % 7
    return price, quantity


# In-process: the function map_batches gets, called in this process.

def test_a_batch_reaches_cpp_and_comes_back_without_copies(lib):
    price, quantity = orders(1000)
    seen = goray.data.task_udf("DataAddresses", ORDERS)({"price": price, "quantity": quantity})
    assert seen["price"][0] == address(price)          # C++ read the NumPy buffers themselves
    assert seen["quantity"][0] == address(quantity)

    out = goray.data.task_udf("DataTotal", ORDERS)({"price": price, "quantity": quantity, "name": ["x"]})
    assert sorted(out) == ["quantity", "total"]
    np.testing.assert_array_equal(out["total"], price * quantity)
    # The result is the C++ array itself, adopted by NumPy (writable: no store behind it).
    assert address(out["total"]) == goray.golang_local_run_task("DataLastTotalAddress")
    assert out["total"].flags.writeable and out["total"].dtype == np.float64


def test_columns_as_parameters_passes_each_column_to_its_parameter_by_name(lib):
    price, quantity = orders(100)
    udf = goray.data.task_udf("DataAddressesOf", {"quantity": "int64", "price": "float64"},
                              columns_as="parameters")
    seen = udf({"price": price, "quantity": quantity})
    assert (seen["price"][0], seen["quantity"][0]) == (address(price), address(quantity))
    again = pickle.loads(pickle.dumps(udf))  # as Ray ships it: the positions are found anew
    assert again({"quantity": quantity, "price": price})["price"][0] == address(price)
    # A task whose library does not name its parameters cannot take them by name.
    with pytest.raises(goray.ArgumentError, match="the library does not name DataTotal's parameters"):
        goray.data.task_udf("DataTotal", ORDERS, columns_as="parameters")({"price": price, "quantity": quantity})


def test_an_actor_udf_creates_its_cpp_actor_and_calls_the_method_per_batch(lib):
    price, quantity = orders(10)
    for method, columns_as in (("Apply", "struct"), ("ApplyOf", "parameters")):
        Pricer = goray.data.actor_udf("DataPricer", method, ORDERS, args=(3.0,), columns_as=columns_as)
        udf = Pricer()  # as Ray Data's actor does
        np.testing.assert_array_equal(udf({"quantity": quantity, "price": price})["total"], price * quantity * 3)
        with pytest.raises(goray.data.ColumnError,
                           match=rf"^the batch has no column 'price' .* \(task DataPricer\.{method}\)$"):
            udf({"quantity": quantity})


def test_keep_columns_keeps_the_input_beside_the_result(lib):
    price, quantity = orders(5)
    batch = {"price": price, "quantity": quantity, "note": np.array(list("abcde"))}
    out = goray.data.task_udf("DataTotal", {"price": np.float64, "quantity": np.dtype("int64")},
                              keep_columns=True)(batch)
    assert list(out) == ["price", "quantity", "note", "total"]
    assert out["price"] is price and out["note"] is batch["note"]
    np.testing.assert_array_equal(out["quantity"], quantity)   # the result's replaces the input's


def test_a_missing_column_or_a_wrong_dtype_names_the_column(lib):
    udf = goray.data.task_udf("DataTotal", ORDERS)
    price, quantity = orders(3)
    with pytest.raises(goray.data.ColumnError) as missing:
        udf({"price": price, "qty": quantity})
    assert str(missing.value) == ("the batch has no column 'quantity' (expected int64; its columns: "
                                  "'price', 'qty') (task DataTotal)")
    with pytest.raises(goray.data.ColumnError) as wrong:
        udf({"price": price.astype(np.float32), "quantity": quantity})
    assert str(wrong.value) == "column 'price': expected float64, received float32 (3,) (task DataTotal)"
    assert (wrong.value.column, wrong.value.expected, wrong.value.task) == ("price", "float64", "DataTotal")
    with pytest.raises(goray.data.ColumnError, match=r"column 'quantity': expected int64, received list"):
        udf({"price": price, "quantity": [1, 2, 3]})
    with pytest.raises(goray.GorayError, match=r'expected a batch of columns \(a dict of NumPy arrays, a '
                                               r'pandas DataFrame or a pyarrow Table: .*\), received list '
                                               r'\(task DataTotal\)'):
        udf([price, quantity])
    with pytest.raises(goray.GorayError, match=r"expected the native result to be a struct of arrays "
                                               r"\(a dict of columns\), received int \(task DataRows\)"):
        goray.data.task_udf("DataRows", ORDERS)({"price": price, "quantity": quantity})
    # A declaration the C++ struct disagrees with: C++ names the field.
    with pytest.raises(goray.ArgumentError, match=r"at \.price: expected goray::ArrayView<double>, "
                                                  r"received ndarray of int64 \(3,\)"):
        goray.data.task_udf("DataTotal", {"price": "int64"})({"price": quantity})
    # The declared columns must be the struct's fields: the batch is refused before C++
    # runs, naming the field left out (or the column that is no field), the struct, the
    # task or method, and the position.
    struct = "position 0: expected raytest::OrderColumns, received map"
    with pytest.raises(goray.ArgumentError) as undeclared:
        goray.data.task_udf("DataTotal", {"price": "float64"})({"price": price, "quantity": quantity})
    assert str(undeclared.value) == (f"{struct} without field .quantity (goray::ArrayView<int64_t>, "
                                     "in raytest::OrderColumns) (task DataTotal)")
    assert (undeclared.value.path, undeclared.value.struct) == (".quantity", "raytest::OrderColumns")
    with pytest.raises(goray.ArgumentError) as extra:
        goray.data.task_udf("DataTotal", {**ORDERS, "discount": "float64"})(
            {"price": price, "quantity": quantity, "discount": price})
    assert str(extra.value) == (f"{struct} with unknown field .discount (not in "
                                "raytest::OrderColumns) (task DataTotal)")
    pricer = goray.data.actor_udf("DataPricer", "Apply", {"price": "float64"}, args=(1.0,))()
    with pytest.raises(goray.ArgumentError) as method:
        pricer({"price": price})
    assert (method.value.task, method.value.position) == ("DataPricer.Apply", 0)
    assert "without field .quantity" in str(method.value)


def table_batches(price, quantity, **more):
    """The same columns as a pandas DataFrame and a pyarrow Table (batch_format "pandas",
    "pyarrow")."""
    import pandas
    import pyarrow
    columns = {"price": price, "quantity": quantity, **more}
    return {"pandas": pandas.DataFrame(columns), "pyarrow": pyarrow.table(columns)}


def as_columns(out, kind):
    """A UDF's output as a dict of NumPy columns: a pyarrow batch gives a pyarrow Table,
    a pandas one a dict."""
    if kind != "pyarrow":
        assert isinstance(out, dict)
        return out
    assert type(out).__name__ == "Table"
    return {name: out.column(name).to_numpy() for name in out.column_names}


@pytest.mark.parametrize("kind", ["pandas", "pyarrow"])
def test_a_pandas_or_pyarrow_batch_is_read_as_numpy_columns(lib, kind):
    pytest.importorskip(kind)
    price, quantity = orders(6)
    batch = table_batches(price, quantity, note=list("abcdef"))[kind]
    out = as_columns(goray.data.task_udf("DataTotal", ORDERS)(batch), kind)
    assert sorted(out) == ["quantity", "total"]                # the result's columns
    np.testing.assert_array_equal(out["total"], price * quantity)
    by_name = as_columns(goray.data.task_udf("DataAddressesOf", ORDERS, columns_as="parameters")(batch), kind)
    assert sorted(by_name) == ["price", "quantity"]
    Pricer = goray.data.actor_udf("DataPricer", "Apply", ORDERS, args=(2.0,), keep_columns=True)
    kept = Pricer()(batch)
    if kind == "pyarrow":  # the table's own columns, untouched: Arrow, not objects
        assert kept.column("note") is batch.column("note") or kept.column("note").equals(batch.column("note"))
    kept = as_columns(kept, kind)
    assert list(kept) == ["price", "quantity", "note", "total"]   # every input column
    assert list(kept["note"]) == list("abcdef")
    np.testing.assert_array_equal(kept["total"], price * quantity * 2)
    # The checks name the column, with every column of the batch.
    wrong = table_batches(price.astype(np.float32), quantity)[kind]
    with pytest.raises(goray.data.ColumnError, match=r"^column 'price': expected float64, received float32 "):
        goray.data.task_udf("DataTotal", ORDERS)(wrong)
    missing = table_batches(price, quantity, note=list("abcdef"))[kind]
    with pytest.raises(goray.data.ColumnError) as error:
        goray.data.task_udf("DataTotal", {**ORDERS, "discount": "float64"})(missing)
    assert str(error.value) == ("the batch has no column 'discount' (expected float64; its columns: "
                                "'price', 'quantity', 'note') (task DataTotal)")


def test_bad_declarations_are_refused_when_the_udf_is_made():
    with pytest.raises(goray.GorayError, match=r"column 'price': 'float' is not a dtype goray carries"):
        goray.data.task_udf("DataTotal", {"price": "float"})
    with pytest.raises(goray.GorayError, match="columns must be a non-empty dict"):
        goray.data.task_udf("DataTotal", ["price"])
    with pytest.raises(goray.GorayError, match="the task name must be a non-empty str"):
        goray.data.task_udf("", ORDERS)
    with pytest.raises(goray.GorayError, match=r"columns_as must be \"struct\" .* got 'fields'"):
        goray.data.task_udf("DataTotal", ORDERS, columns_as="fields")
    with pytest.raises(goray.GorayError, match="args must be a tuple or list"):
        goray.data.actor_udf("DataPricer", "Apply", ORDERS, args=2.0)


def test_a_process_without_the_library_is_told_how_to_get_it():
    code = ("import numpy, goray.data\n"
            "goray.data.task_udf('DataTotal', {'price': 'float64'})({'price': numpy.ones(2)})")
    env = {k: v for k, v in os.environ.items() if k not in ("GORAY_BIN_PATH", "GORAY_PY_MUDULE_PATH")}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        "goray.errors.GorayError: no goray library in this process: start Ray with goray.init(library), "
        "which gives Ray Data's workers GORAY_BIN_PATH, or set it")


def test_errors_keep_their_parts_through_pickling():
    error = goray.data.ColumnError("DataTotal", "price", "float64", "int32 (3,)")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.column == "price"


# On Ray Data: the UDFs run in its workers, which load the library themselves.

def order_batches(batch):
    """Ray Data's range column `id` as the orders' price and quantity."""
    ids = batch["id"]
    return {"price": ids.astype(np.float64) / 4, "quantity": ids % 7}


def dataset(rows, blocks=2):
    import ray.data
    return ray.data.range(rows, override_num_blocks=blocks).map_batches(order_batches, batch_format="numpy")


def expected_totals(rows, factor=1.0):
    price, quantity = orders(rows)
    return price * quantity * factor


@pytest.fixture(scope="module")
def ray_data(lib):
    pytest.importorskip("pyarrow", reason="Ray Data needs pyarrow: bash scripts/setup.sh installs it")
    pytest.importorskip("pandas", reason="Ray Data needs pandas: bash scripts/setup.sh installs it")
    import ray.data
    # This module's UDFs run in Ray Data's workers, where it is not importable: by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    return ray.data


def zero_copy_in_worker(batch):
    """Runs in Ray Data's worker: does C++ read the batch's own buffers, which Ray Data
    lends read-only (zero_copy_batch) from the stored blocks?"""
    seen = goray.data.task_udf("DataAddresses", ORDERS)(batch)
    same = bool(seen["price"][0] == address(batch["price"]) and seen["quantity"][0] == address(batch["quantity"]))
    lent = not batch["price"].flags.writeable and not batch["quantity"].flags.writeable
    return {"same": np.full(len(batch["price"]), same), "lent": np.full(len(batch["price"]), lent)}


@pytest.mark.ray_versions
def test_map_batches_runs_the_cpp_task_in_ray_datas_workers(ray_data):
    rows = dataset(64).map_batches(goray.data.task_udf("DataTotal", ORDERS), batch_format="numpy").take_all()
    totals = np.array(sorted(row["total"] for row in rows))
    np.testing.assert_array_equal(totals, np.sort(expected_totals(64)))
    assert all(row.keys() == {"total", "quantity"} for row in rows)
    stored = dataset(64).materialize()  # the blocks in the object store, then batches of them
    seen = stored.map_batches(zero_copy_in_worker, batch_format="numpy").take_all()
    assert len(seen) == 64 and all(row["same"] and row["lent"] for row in seen)


@pytest.mark.ray_versions
def test_an_actor_pool_runs_a_cpp_actor_per_ray_data_actor(ray_data):
    Pricer = goray.data.actor_udf("DataPricer", "Apply", ORDERS, args=(0.5,), keep_columns=True)
    pool = ray_data.ActorPoolStrategy(size=1)
    rows = dataset(32).map_batches(Pricer, batch_format="numpy", compute=pool).take_all()
    assert {row["total"] for row in rows} == set(expected_totals(32, 0.5))
    assert rows[0].keys() == {"price", "quantity", "total"}


@pytest.mark.ray_versions
def test_a_wrong_column_fails_the_dataset_naming_the_column(ray_data):
    wrong = dataset(8, blocks=1).map_batches(lambda b: {**b, "quantity": b["quantity"].astype(np.int32)},
                                             batch_format="numpy")
    with pytest.raises(Exception) as failure:
        wrong.map_batches(goray.data.task_udf("DataTotal", ORDERS), batch_format="numpy").materialize()
    assert "column 'quantity': expected int64, received int32 (8,) (task DataTotal)" in str(failure.value)


def ray_data_makes_pandas_batches():
    """Whether this Ray Data can give a UDF a pandas batch: Rays before 2.55 cannot with
    pandas 3 (their batch conversion reads pandas.errors.SettingWithCopyWarning, which
    pandas 3 removed), whatever the UDF."""
    import pyarrow
    from ray.data.block import BlockAccessor
    try:
        BlockAccessor.for_block(pyarrow.table({"a": [1]})).to_batch_format("pandas")
    except AttributeError:
        return False
    return True


@pytest.mark.ray_versions
def test_every_batch_format_of_map_batches_runs_the_cpp_task(ray_data):
    """batch_format "numpy", "default" (numpy), "pandas", "pyarrow" and None (the blocks'
    own format): the same totals from a task UDF, and from an actor pool given tables."""
    formats = ["numpy", "default", "pandas", "pyarrow", None]
    if not ray_data_makes_pandas_batches():
        formats.remove("pandas")
    stored = dataset(16, blocks=1).materialize()
    Pricer = goray.data.actor_udf("DataPricer", "Apply", ORDERS, args=(2.0,))
    pool = ray_data.ActorPoolStrategy(size=1)
    for batch_format in formats:
        rows = stored.map_batches(goray.data.task_udf("DataTotal", ORDERS), batch_format=batch_format).take_all()
        assert sorted(row["total"] for row in rows) == sorted(expected_totals(16)), batch_format
    for batch_format in {"pandas", "pyarrow"} & set(formats):
        rows = stored.map_batches(Pricer, batch_format=batch_format, compute=pool).take_all()
        assert sorted(row["total"] for row in rows) == sorted(expected_totals(16, 2.0)), batch_format
