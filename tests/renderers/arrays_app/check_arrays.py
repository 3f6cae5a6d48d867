"""Calls arraysapp's array tasks in this process through the generated stub module
(arraysapp.local) and prints what came back as JSON. Run by test_gen_arrays.py:

    python check_arrays.py LIBRARY STUBS_DIR
"""

from __future__ import annotations

import array
import json
import sys

import numpy as np

import goray

goray.load_library(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import arraysapp  # noqa: E402  (the stub module goray-gen wrote)

local = arraysapp.local
report = {}


def describe(value):
    return {"dtype": str(value.dtype), "shape": list(value.shape),
            "values": [str(v) for v in value.ravel().tolist()]}


grid = np.arange(6.0).reshape(2, 3)
report["Scale"] = describe(local.Scale(grid, 2.0))
report["Scale_strided"] = describe(local.Scale(grid[:, ::2], 10.0))
report["Sum"] = local.Sum(np.array([1.0, 2.5]))
report["Sum_buffer"] = local.Sum(array.array("d", [1.0, 2.0, 3.0]))
report["Sum_list"] = local.Sum([4.0, 5.0])
report["Sum_start"] = local.Sum(np.array([1.0]), 10.0)
report["Count"] = local.Count(np.array([True, False, True]))
report["Conjugate"] = describe(local.Conjugate(np.array([1 + 2j, 2 - 3j])))
low, high = local.Split(np.array([-1, 7], dtype=np.int64))
report["Split"] = [describe(low), describe(high)]
tile = local.Invert({"pixels": np.array([[0, 10], [200, 255]], dtype=np.uint8),
                     "weights": np.array([0.5], dtype=np.float32), "name": "t"})
report["Invert"] = {"pixels": describe(tile["pixels"]), "weights": describe(tile["weights"]),
                    "name": tile["name"]}
with local.Accumulator(np.array([1.0, 2.0], dtype=np.float32)) as accumulator:
    accumulator.Add(np.array([0.5, 0.25], dtype=np.float32))
    report["Accumulator"] = describe(accumulator.Total())
try:
    local.Scale(np.zeros(3, dtype=np.int32), 1.0)
    report["wrong_dtype"] = "accepted"
except goray.ArgumentError as error:
    report["wrong_dtype"] = str(error)
print(json.dumps(report))
