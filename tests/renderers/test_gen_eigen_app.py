"""Eigen's dense types through a built application (eigen_app/, goray_add_app with
Eigen3::Eigen, built by the tree where Eigen is installed): ndarrays in, ndarrays out, in
this process and on Ray; shapes and dtypes checked with errors naming both sides; an
F-ordered or strided array into a column-major matrix; an owning matrix through the typed
entries, Ref and Map through the codec path, a C-ordered array read in place by a
Ref<const RowMajor> and an F-ordered one by a Ref<const MatrixXd>; column-major results
come back F-ordered."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

from conftest import HERE, PYTHON, built, run

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tests/
from doc_samples import assert_sample  # noqa: E402

APP = HERE / "eigen_app"
pytestmark = pytest.mark.skipif(
    not pathlib.Path("/usr/include/eigen3/Eigen/Core").is_file(),
    reason="Eigen's headers are not installed (libeigen3-dev)")


@pytest.fixture(scope="module")
def eigen_app() -> pathlib.Path:
    return built("eigenapp", "eigenapp_entries") / "eigen_app"


def check(how: str, build: pathlib.Path, cwd: pathlib.Path, env=None) -> dict:
    result = run([PYTHON, str(APP / "check_eigen.py"), how, str(build / "libeigenapp.so"),
                  str(build)], cwd=cwd, timeout=600, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def array(dtype: str, shape: list, values: list) -> dict:
    return {"dtype": dtype, "shape": shape, "values": values}


def assert_values(report: dict) -> None:
    assert report["Trace"] == report["Trace_f"] == 12.0
    assert report["Trace_strided"] == 0.0 + 8.0 + 16.0
    assert report["Trace_big_f"] == sum(i * 1025.0 for i in range(1024))
    assert report["Twice_big_sum"] == 1024.0 * 1024 * (1024 * 1024 - 1)
    assert report["Transpose"] == array("float64", [3, 3], [0, 3, 6, 1, 4, 7, 2, 5, 8])
    assert report["Twice"] == array("float64", [2, 3], [0, 2, 4, 6, 8, 10])
    assert report["Predict"] == array("float64", [3], [2.0, 3.5, 5.0])
    assert report["RowSum"] == 15.0
    assert report["Rotate"] == array("float32", [3, 3], list(range(9)))
    assert report["Clip"] == array("int32", [2, 2], [1, 4, 4, -2])
    assert report["Means"] == array("float64", [3], [3.0, 4.0, 5.0])
    assert report["Corners"] == [array("float64", [2], v) for v in
                                 ([0, 0], [2, 0], [2, 1], [0, 1])]
    assert report["Fitted"] == {"weights": array("float64", [3], [0.0, 0.5, 1.0]), "bias": 0.5}
    assert (report["Transpose_order"], report["Twice_order"]) == ("F", "C")
    assert report["wrong_dtype"] == (
        "ArgumentError: position 0: expected Eigen::Matrix<double, Dynamic, Dynamic>, "
        "received ndarray of int64 (2, 2) (task Trace)")
    # types.md shows it (tests/docs/test_docs_samples.py lists who checks each sample).
    assert_sample("docs/types.md", "goray.ArgumentError: position 0: expected Eigen",
                  "goray." + report["wrong_dtype"], wrapped=True)
    assert report["wrong_size"].startswith(
        "ArgumentError: position 0: expected Eigen::Matrix<float, 3, 3>, "
        "received ndarray of float32 (2, 2)"), report["wrong_size"]
    assert report["one_dimensional"].startswith(
        "ArgumentError: position 0: expected Eigen::Matrix<double, Dynamic, Dynamic>, "
        "received ndarray of float64 (4,)"), report["one_dimensional"]


def test_eigen_tasks_in_process(eigen_app, tmp_path):
    report = check("local", eigen_app, tmp_path)
    assert_values(report)
    assert report["paths"] == {"Trace": "typed", "Transpose": "typed", "RowSum": "typed"}
    assert report["where_in_place"] is True
    assert report["column_ref_in_place"] is True
    assert report["column_ref_of_c_copies"] is True
    assert report["result_moved"] is True  # the matrix's own memory, F-ordered: no copy


def test_eigen_tasks_on_ray(eigen_app, tmp_path, ray_env):
    assert_values(check("ray", eigen_app, tmp_path, env=ray_env))
