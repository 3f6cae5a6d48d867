"""Array parameters from any DLPack exporter (docs/types.md, "Arrays"): read in place
through numpy.from_dlpack, by address in-process; a tensor outside CPU memory is an
ArgumentError naming its device. Exporters: NumPy itself (2-D), PyArrow (1-D), and a
stand-in for a GPU tensor."""
import numpy as np
import pytest

import goray

pa = pytest.importorskip("pyarrow")


def run(name, *args):
    return goray.golang_local_run_task(name, *args)


class _OnTheGpu:
    """What a CUDA tensor's DLPack methods say, without a GPU."""

    def __dlpack__(self, **kwargs):
        raise AssertionError("never exported: the device is checked first")

    def __dlpack_device__(self):
        return (2, 1)  # kDLCUDA, device 1


class _Exported:
    """An object that only exports DLPack (no buffer protocol), as PyTorch's tensors do."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, **kwargs):
        return self.array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


def test_a_dlpack_only_tensor_is_read_in_place(lib):
    arr = np.arange(12.0).reshape(3, 4)
    assert run("ViewAddress", _Exported(arr)) == arr.ctypes.data
    assert run("ViewShape", _Exported(arr)) == [3, 4]
    assert run("ArrayTotal", _Exported(arr)) == 66.0


def test_a_pyarrow_array_is_read_through_dlpack(lib):
    column = pa.array([1.0, 2.5, 4.0])
    assert run("ArrayTotal", column) == 7.5
    assert run("ViewShape", column) == [3]


def test_a_strided_tensor_is_copied_once(lib):
    arr = np.arange(20.0).reshape(4, 5)[:, ::2]
    assert run("ViewShape", _Exported(arr)) == [4, 3]
    assert run("ArrayTotal", _Exported(arr)) == float(arr.sum())


def test_a_gpu_tensor_is_refused_naming_its_device(lib):
    with pytest.raises(goray.ArgumentError) as caught:
        run("ArrayTotal", _OnTheGpu())
    text = str(caught.value)
    assert "position 0" in text and "on cuda:1" in text and "CPU memory" in text, text
    assert "(task ArrayTotal)" in text, text
