"""goray.data's UDFs type-check as Ray Data's map_batches takes them (issue 39 §5.4):
a user's file passing a task UDF and an actor UDF class to Dataset.map_batches with each
batch format Ray Data allows ("numpy", "pandas", "pyarrow", "default", None, and none
given) checks clean under mypy --strict and pyright strict. Ray types map_batches' fn as
a function of any batch (a dict of NumPy arrays, a pandas DataFrame or a pyarrow Table),
whatever batch_format says, so the UDFs take every batch (docs/data.md).

Checked against the Ray of .venv (the newest supported) and, when its virtualenv is there
(scripts/test-ray-versions.sh --oldest makes it), the oldest, 2.40.0, whose map_batches
types an actor UDF class otherwise. Runs the checkers only: no library, no Ray."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import Dict, List

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import shared_caches  # noqa: E402
from pyright_runner import pyright  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
MYPY = pathlib.Path(sys.executable).parent / "mypy"
OLDEST = "2.40.0"  # goray._ray.compat.releases.FIRST

# Each map_batches line carries an ignore for pyright strict: Ray's own type of
# map_batches is "partially unknown" there whatever fn is (its DataBatch names
# "pyarrow.Table", which pyright cannot resolve in pyarrow's compiled module).
RAY_OWN = "  # pyright: ignore[reportUnknownMemberType]"
USE = f"""\
# pyright: strict
from typing import Any, Optional

import numpy as np
import ray.data

import goray.data

ORDERS = {{"price": "float64", "quantity": "int64"}}
total = goray.data.task_udf("Total", ORDERS)
price = goray.data.task_udf("Price", ORDERS, columns_as="parameters", keep_columns=True)
Pricer = goray.data.actor_udf("Pricer", "Apply", ORDERS, args=(1.2,))
pool = ray.data.ActorPoolStrategy(size=2)
orders = ray.data.range(8)

with_numpy = orders.map_batches(total, batch_format="numpy"){RAY_OWN}
with_pandas = orders.map_batches(total, batch_format="pandas"){RAY_OWN}
with_pyarrow = orders.map_batches(price, batch_format="pyarrow"){RAY_OWN}
with_default = orders.map_batches(total, batch_format="default"){RAY_OWN}
with_blocks = orders.map_batches(total, batch_format=None){RAY_OWN}
unsaid = orders.map_batches(total){RAY_OWN}
pooled_numpy = orders.map_batches(Pricer, batch_format="numpy", compute=pool){RAY_OWN}
pooled_pandas = orders.map_batches(Pricer, batch_format="pandas", compute=pool){RAY_OWN}
pooled_pyarrow = orders.map_batches(Pricer, batch_format="pyarrow", compute=pool){RAY_OWN}
pooled_default = orders.map_batches(Pricer, compute=pool){RAY_OWN}


def priced(dataset: ray.data.Dataset, batch_format: Optional[str]) -> None:
    dataset.map_batches(total, batch_format=batch_format).materialize(){RAY_OWN}


columns: dict[str, Any] = total({{"price": np.zeros(2), "quantity": np.zeros(2, np.int64)}})
pricer = Pricer()
again: dict[str, Any] = pricer(columns)
datasets: list[ray.data.Dataset] = [with_numpy, with_pandas, with_pyarrow, with_default,
                                    with_blocks, unsaid, pooled_numpy, pooled_pandas,
                                    pooled_pyarrow, pooled_default]
priced(orders, "numpy")
"""


def rays() -> List[pytest.param]:
    oldest = ROOT / f".venv-ray-{OLDEST}" / "bin" / "python"
    return [pytest.param((pathlib.Path(sys.executable), "newest"), id="newest"),
            # The oldest Ray's types in tier 2, beside its ray-oldest stage.
            pytest.param((oldest, OLDEST), id=OLDEST, marks=[pytest.mark.tier2, pytest.mark.skipif(
                not oldest.is_file(), reason=f"no .venv-ray-{OLDEST}: run "
                "bash scripts/test-ray-versions.sh --oldest to make it")])]


@pytest.fixture(params=rays())
def user(request, tmp_path) -> Dict[str, object]:
    python, ray = request.param
    (tmp_path / "use.py").write_text(USE)
    return {"dir": tmp_path, "python": python, "ray": ray}


def run(command: List[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=600, **kwargs)


def test_map_batches_takes_the_udfs_under_mypy_strict(user):
    # (mypy's cache, per Ray, shared by every clone's runs (shared_caches.py): Ray's, NumPy's
    # and pandas' types are read once.)
    cache = shared_caches.mypy_cache_args(f"data-{user['ray']}")
    result = run([str(MYPY), "--strict", f"--python-executable={user['python']}", *cache,
                  "use.py"], cwd=user["dir"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_map_batches_takes_the_udfs_under_pyright_strict(user):
    result = pyright(user["dir"], "use.py", python=user["python"], timeout=600)
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout
