// Eigen's owning types (Eigen::Matrix, Eigen::Array) for the typed entries
// (goray/python/convert.h): a parameter is copied once from any buffer of its scalar's
// dtype and a shape that fits, whatever its strides (an F-ordered array into a
// column-major matrix is one straight copy); a result becomes an ndarray over the
// matrix's own memory (moved, no copy; a copy for a matrix inside another result),
// F-ordered for a column-major matrix. goray-gen includes this header
// in an application's entries module only when its signatures name an Eigen type.
//
// Ref<const M> and Map<const M> parameters, and buffers with strides that are not
// positive multiples of the item size, go through the codec path (goray/eigen.h).
#pragma once

#include <memory>
#include <vector>

#include "goray/eigen.h"
#include "goray/python/convert.h"

namespace goray::python {

namespace detail {

// The elements of `object`'s buffer as an EigenSource for M, copied into `out`; false
// (no exception set) when the buffer's dtype, shape or strides do not fit.
template <class M>
bool CopyBufferInto(PyObject* object, M& out) {
  using S = typename M::Scalar;
  if (!IsArrayObject(object, false)) return false;
  Py_buffer view;
  if (PyObject_GetBuffer(object, &view, PyBUF_RECORDS_RO) != 0) {
    PyErr_Clear();
    return false;
  }
  const auto release = std::unique_ptr<Py_buffer, void (*)(Py_buffer*)>(&view, PyBuffer_Release);
  if (static_cast<std::size_t>(view.itemsize) != sizeof(S) ||
      !FormatIs(view.format, DtypeKind<S>(), sizeof(S))) {
    return false;
  }
  std::vector<std::int64_t> shape(view.shape, view.shape + view.ndim);
  goray::detail::EigenSource<S> source;
  if (!goray::detail::EigenDims<M>(shape, source.rows, source.cols)) return false;
  Py_ssize_t strides[2] = {0, 0};
  for (int i = 0; i < view.ndim; ++i) {
    if (view.strides[i] <= 0 || view.strides[i] % view.itemsize != 0) return false;
    strides[i] = view.strides[i] / view.itemsize;
  }
  const bool one_dimensional = view.ndim == 1;
  const bool column = source.cols == 1;
  source.data = static_cast<const S*>(view.buf);
  source.row_stride = one_dimensional ? (column ? strides[0] : 0) : strides[0];
  source.col_stride = one_dimensional ? (column ? 1 : strides[0]) : strides[1];
  goray::detail::AssignEigen(out, source);
  return true;
}

template <class M>
PyObject* EigenToNdarray(std::shared_ptr<M> owner) {
  using S = typename M::Scalar;
  const M& value = *owner;
  // A column-major matrix: the C-ordered (cols, rows) array of its memory, transposed.
  constexpr bool kTransposed = !M::IsVectorAtCompileTime && !M::IsRowMajor;
  const auto rows = static_cast<std::int64_t>(value.rows());
  const auto cols = static_cast<std::int64_t>(value.cols());
  std::vector<std::int64_t> shape;
  if constexpr (M::IsVectorAtCompileTime) {
    shape = {rows * cols};
  } else {
    shape = kTransposed ? std::vector<std::int64_t>{cols, rows} : std::vector<std::int64_t>{rows, cols};
  }
  const S* data = owner->data();
  PyObject* array = AdoptArray(std::move(owner), data, DtypeKind<S>(), sizeof(S), shape);
  if (!kTransposed || array == nullptr) return array;
  PyObject* transposed = PyObject_GetAttrString(array, "T");
  Py_DECREF(array);
  return transposed;
}

}  // namespace detail

template <class M>
struct Converter<M, std::enable_if_t<goray::detail::kIsEigenDense<M>>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, M& out) { return detail::CopyBufferInto(object, out); }
  static PyObject* To(const M& value) { return detail::EigenToNdarray(std::make_shared<M>(value)); }
  // A result the caller discards: its memory becomes the ndarray's.
  static PyObject* Take(M&& value) {
    return detail::EigenToNdarray(std::make_shared<M>(std::move(value)));
  }
};

}  // namespace goray::python
