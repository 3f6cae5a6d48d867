"""NumPy arrays through goray-gen's outputs, in this process: arraysapp (arrays_app/,
built with goray_add_app by the tree's build) is called through its generated stub
module (arraysapp.local) with ndarrays, a strided view, array.array and lists, and every
value that comes back is checked: dtype, shape and elements; the stub types each as
NDArray of that dtype."""

from __future__ import annotations

import json
import pathlib

import pytest

from conftest import HERE, PYTHON, built, run

APP = HERE / "arrays_app"


@pytest.fixture(scope="module")
def arrays_app() -> pathlib.Path:
    """Its build directory in the tree's build (libarraysapp.so and arraysapp.py/.pyi)."""
    return built("arraysapp") / "arrays_app"


def array(dtype: str, shape: list, values: list) -> dict:
    return {"dtype": dtype, "shape": shape, "values": [str(v) for v in values]}


def test_array_tasks_called_through_the_stub_return_the_right_arrays(arrays_app, tmp_path):
    result = run([PYTHON, str(APP / "check_arrays.py"), str(arrays_app / "libarraysapp.so"),
                  str(arrays_app)], cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["Scale"] == array("float64", [2, 3], [0.0, 2.0, 4.0, 6.0, 8.0, 10.0])
    assert report["Scale_strided"] == array("float64", [2, 2], [0.0, 20.0, 30.0, 50.0])
    assert (report["Sum"], report["Sum_buffer"], report["Sum_list"]) == (3.5, 6.0, 9.0)
    assert report["Sum_start"] == 11.0
    assert report["Count"] == 2
    assert report["Conjugate"] == array("complex128", [2], [1 - 2j, 2 + 3j])
    assert report["Split"] == [array("int32", [2], [-1, 7]),
                               array("uint64", [2], [18446744073709551614, 14])]
    assert report["Invert"] == {"pixels": array("uint8", [2, 2], [255, 245, 55, 0]),
                                "weights": array("float32", [1], [0.5]), "name": "t!"}
    assert report["Accumulator"] == array("float32", [2], [1.5, 2.25])
    assert report["wrong_dtype"].startswith("position 0: expected goray::ArrayView<double>, "
                                            "received ndarray of int32 (3,)"), report


def test_the_stub_types_each_array_by_its_dtype(arrays_app):
    stub = (arrays_app / "_arraysapp_types.pyi").read_text()  # the .pyi's classes
    assert ("def Scale(self, a: _npt.NDArray[_numpy.float64] | _array[_float] | _memoryview | "
            "_list[_Any], factor: _float) -> _npt.NDArray[_numpy.float64]:") in stub
    assert ("def Split(self, values: _npt.NDArray[_numpy.int64] | _array[_int] | _memoryview | "
            "_list[_Any]) -> _list[_Any]:") in stub
    assert "    pixels: _npt.NDArray[_numpy.uint8]\n" in stub
    assert "    weights: _npt.NDArray[_numpy.float32] | None\n" in stub
    assert "def Total(self) -> _npt.NDArray[_numpy.float32]:" in stub
