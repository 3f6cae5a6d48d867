"""Order pricing on Ray Data: a C++ task, then a C++ actor pool, as map_batches UDFs.

Usage: python main.py path/to/liborders.so [--rows N]
"""
import argparse
import sys
import time

import numpy as np
import ray
import ray.data

import goray
import goray.data

ORDERS = {"price": "float64", "quantity": "int64"}  # Price's parameters, the struct Orders' fields


def make_orders(batch):
    """Ray Data's `id` column as orders: a price and a quantity per row."""
    ids = batch["id"]
    return {"id": ids, "price": 1.0 + (ids % 100) / 4, "quantity": ids % 9}


def expected(ids, discount, threshold):
    price, quantity = 1.0 + (ids % 100) / 4, ids % 9
    return price * quantity * np.where(quantity >= threshold, 1 - discount, 1)


def check(name, rows, discount, threshold, seconds):
    ids = np.array([row["id"] for row in rows])
    totals = np.array([row["total"] for row in rows])
    good = len(rows) > 0 and np.allclose(totals, expected(ids, discount, threshold))
    bulk = sum(bool(row["bulk"]) for row in rows)
    print(f"{name}: {len(rows)} orders priced in {seconds:.2f} s, {bulk} bulk, "
          f"revenue {totals.sum():.2f}: {'matches NumPy' if good else 'DIFFERS from NumPy'}")
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("--rows", type=int, default=20_000)
    options = parser.parse_args()

    goray.init(options.library, num_cpus=2)  # Ray Data's workers load the library from the job
    ray.data.DataContext.get_current().enable_progress_bars = False
    orders = ray.data.range(options.rows, override_num_blocks=2).map_batches(make_orders, batch_format="numpy")

    # A C++ task per batch, in the worker holding the batch: each column to the parameter
    # of its name (read in place); the input columns kept beside the result's.
    start = time.perf_counter()
    price = goray.data.task_udf("Price", ORDERS, columns_as="parameters", keep_columns=True)
    rows = orders.map_batches(price, batch_format="numpy").take_all()
    ok = check("task Price", rows, 0.10, 5, time.perf_counter() - start)

    # A C++ actor per Ray Data actor, its terms (15% from 3 units) set once; the batch is
    # its method's struct Orders.
    start = time.perf_counter()
    Pricer = goray.data.actor_udf("Pricer", "Apply", ORDERS, args=(0.15, 3), keep_columns=True)
    pool = ray.data.ActorPoolStrategy(size=1)
    rows = orders.map_batches(Pricer, batch_format="numpy", compute=pool).take_all()
    ok = check("actor Pricer", rows, 0.15, 3, time.perf_counter() - start) and ok

    # A batch whose quantity is int32: refused before C++ runs, naming the column.
    try:
        orders.map_batches(lambda b: {**b, "quantity": b["quantity"].astype(np.int32)}, batch_format="numpy") \
              .map_batches(price, batch_format="numpy").materialize()
        print("a wrong dtype was NOT refused")
        ok = False
    except Exception as error:  # Ray Data wraps the UDF's goray.data.ColumnError
        message = str(error)
        refused = "column 'quantity': expected int64, received int32" in message
        print("wrong dtype refused:", "column 'quantity': expected int64, received int32" if refused
              else message.splitlines()[-1])
        ok = ok and refused
    ray.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
