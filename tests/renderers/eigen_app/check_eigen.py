"""Calls eigenapp's Eigen tasks with ndarrays, in this process (its typed entries, and
the codec path for Ref and Map) or on Ray, and prints what came back as JSON. Run by
test_gen_eigen_app.py:

    python check_eigen.py local LIBRARY STUBS_DIR
    python check_eigen.py ray LIBRARY STUBS_DIR      # through a local Ray: .remote()
"""

from __future__ import annotations

import json
import os
import re
import sys

import numpy as np


def describe(value):
    value = np.asarray(value)
    return {"dtype": str(value.dtype), "shape": list(value.shape),
            "values": value.ravel(order="C").tolist()}


def run(call, inputs):
    """The report of every task, each called through `call(name, *args)`."""
    m, f_ordered, row = inputs["m"], inputs["f_ordered"], inputs["row"]
    report = {
        "Trace": call("Trace", m),
        "Trace_f": call("Trace", f_ordered),
        "Trace_strided": call("Trace", np.arange(18.0).reshape(3, 6)[:, ::2]),
        # 8 MiB: through Ray by the object store, where a const MatrixXd& of an F-ordered
        # array (and a row-major one of a C-ordered array) is the stored elements in place.
        "Trace_big_f": call("Trace", np.asfortranarray(np.arange(1024.0 * 1024).reshape(1024, 1024))),
        "Twice_big_sum": float(call("Twice", np.arange(1024.0 * 1024).reshape(1024, 1024)).sum()),
        "Transpose": describe(call("Transpose", m)),
        "Twice": describe(call("Twice", row)),
        "Predict": describe(call("Predict", {"weights": np.array([1.0, -1.0, 0.5]), "bias": 2.0}, m)),
        "RowSum": call("RowSum", row),
        "Rotate": describe(call("Rotate", np.eye(3, dtype=np.float32),
                                np.arange(9, dtype=np.float32).reshape(3, 3))),
        "Clip": describe(call("Clip", np.array([[1, 9], [5, -2]], dtype=np.int32), 4)),
        "Means": describe(call("Means", m)),
        "Corners": [describe(c) for c in call("Corners", np.array([0.0, 0.0]), np.array([2.0, 1.0]))],
        "Fitted": {k: (describe(v) if k == "weights" else v) for k, v in call("Fitted", 3).items()},
        # A column-major result comes back as stored: an F-ordered ndarray.
        "Transpose_order": "F" if call("Transpose", m).flags.f_contiguous else "C",
        "Twice_order": "C" if call("Twice", row).flags.c_contiguous else "F",
    }
    for name, args in {"wrong_dtype": ("Trace", np.zeros((2, 2), dtype=np.int64)),
                       "wrong_size": ("Rotate", np.eye(2, dtype=np.float32), np.eye(3, dtype=np.float32)),
                       "one_dimensional": ("Trace", np.zeros(4))}.items():
        try:
            call(*args)
            report[name] = "accepted"
        except Exception as error:  # noqa: BLE001  (the report names its type)
            # Through Ray: a RayTaskError that is also the task's ArgumentError.
            import goray

            kind = "ArgumentError" if isinstance(error, goray.ArgumentError) else type(error).__name__
            text = re.sub(r"^RayTaskError\(\w+\): ", "", str(error).splitlines()[0])
            report[name] = f"{kind}: {text}"
    return report


def main() -> int:
    how, library, stubs_dir = sys.argv[1:4]
    import goray

    sys.path.insert(0, stubs_dir)
    import eigenapp

    m = np.arange(9.0).reshape(3, 3)
    inputs = {"m": m, "f_ordered": np.asfortranarray(m), "row": np.arange(6.0).reshape(2, 3)}
    if how == "local":
        goray.load_library(library)
        report = run(lambda name, *args: getattr(eigenapp.local, name)(*args), inputs)
        # Every call takes the typed entries; Ref and Map parameters cross packed, a
        # C-ordered array lent by address: Ref<const RowMajor> reads it in place.
        import _eigenapp_entries as entries

        def path_of(name, *args):
            before = dict(entries.__goray_counters__())
            getattr(eigenapp.local, name)(*args)
            after = dict(entries.__goray_counters__())
            return "typed" if after["typed"] > before["typed"] else "codec"

        row = inputs["row"]
        report["paths"] = {"Trace": path_of("Trace", m), "Transpose": path_of("Transpose", m),
                           "RowSum": path_of("RowSum", row)}
        report["where_in_place"] = eigenapp.local.WhereRef(row) == row.ctypes.data
        # An F-ordered array crosses as it is (column-major arrays, protocol version 8):
        # a Ref<const MatrixXd> reads the caller's own elements.
        f_ordered = inputs["f_ordered"]
        report["column_ref_in_place"] = eigenapp.local.WhereColumnRef(f_ordered) == f_ordered.ctypes.data
        report["column_ref_of_c_copies"] = eigenapp.local.WhereColumnRef(m) != m.ctypes.data
        made = eigenapp.local.Made(3, 2)
        report["result_moved"] = (made.ctypes.data == eigenapp.local.LastMade()
                                  and made.flags.f_contiguous and made.shape == (3, 2))
    else:
        import ray

        address = os.environ.get("GORAY_TEST_RAY_ADDRESS")
        goray.init(library, **({"address": address} if address else
                               {"num_cpus": 2, "include_dashboard": False}))
        try:
            report = run(lambda name, *args: ray.get(getattr(eigenapp, name).remote(*args)), inputs)
        finally:
            ray.shutdown()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
