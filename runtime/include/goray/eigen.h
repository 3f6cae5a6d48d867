// Eigen's dense matrices and arrays in task signatures: numpy.ndarray in Python
// (docs/types.md, "Eigen"). goray-gen includes this header in an application's
// generated code only when its signatures name an Eigen type, so goray itself takes
// no dependency on Eigen and an application without it pays nothing.
//
//   Eigen::Matrix / Eigen::Array (any sizes and order)   a parameter, a result, a field
//   Eigen::Ref<const M>, Eigen::Map<const M>              parameters only
//
// On the wire an Eigen value is the array ext of its scalar's dtype (docs/protocol.md
// §10): 1-D for a vector type, 2-D (rows, cols) otherwise, in the matrix's own order
// (a column-major one with the column-major bit, once the driver turned on
// EnableFeatures bit 32; before that, and for GoRay's driver, transposed into C order).
// So:
//   - a result is written from its own memory (a result moves into the owner of the
//     array handed over: no copy on Ray);
//   - a parameter reads the received data in its order: Ref<const M> and Map<const M>
//     in place when it is M's order (an F-ordered ndarray for a column-major M, a
//     C-ordered one for a row-major M, any 1-D one for a vector), else from one copy; a
//     const M& of a dynamic-size M in place too when the data is also aligned as Eigen
//     assumes (EigenBorrowedArgument); any other owning M is its own copy (one memcpy
//     when the orders match);
//   - the shape must fit M (a vector type takes (n,) or its (n, 1) / (1, n) form; fixed
//     sizes must match) and the dtype must be the scalar's, else an ArgumentError
//     naming both sides.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/arg_list.h"
#include "goray/detail/big_block.h"

namespace goray::detail {

template <class T>
struct EigenDense : std::false_type {};
template <class S, int R, int C, int O, int MR, int MC>
struct EigenDense<Eigen::Matrix<S, R, C, O, MR, MC>> : std::true_type {
  template <class Scalar>
  using RowMajorDynamic = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
};
template <class S, int R, int C, int O, int MR, int MC>
struct EigenDense<Eigen::Array<S, R, C, O, MR, MC>> : std::true_type {
  template <class Scalar>
  using RowMajorDynamic = Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
};

// Eigen::Matrix and Eigen::Array of an array element type (goray/array.h).
template <class T>
inline constexpr bool kIsEigenDense = EigenDense<T>::value;

// Read-only elements of a rows x cols source, strides in elements between rows and
// between columns (C order: row_stride = cols, col_stride = 1).
template <class S>
struct EigenSource {
  const S* data = nullptr;
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  Eigen::Index row_stride = 0;
  Eigen::Index col_stride = 1;
};

// The rows and columns of M that an ndarray of `shape` is, or false when it is not one
// (a vector type: (n,), or (n, 1) / (1, n); otherwise (rows, cols); fixed sizes match).
template <class M>
bool EigenDims(const std::vector<std::int64_t>& shape, Eigen::Index& rows, Eigen::Index& cols) {
  if (M::IsVectorAtCompileTime && shape.size() == 1) {
    const bool column = M::ColsAtCompileTime == 1;
    rows = column ? shape[0] : 1;
    cols = column ? 1 : shape[0];
  } else if (shape.size() == 2) {
    rows = shape[0];
    cols = shape[1];
  } else {
    return false;
  }
  const auto fits = [](Eigen::Index extent, int fixed, int most) {
    return (fixed == Eigen::Dynamic || extent == fixed) &&
           (most == Eigen::Dynamic || extent <= most);
  };
  return fits(rows, M::RowsAtCompileTime, M::MaxRowsAtCompileTime) &&
         fits(cols, M::ColsAtCompileTime, M::MaxColsAtCompileTime);
}

template <class M>
bool EigenLaidOutAs(const EigenSource<typename M::Scalar>& source);

// M's elements as the source holds them (one copy, in M's own order: a memcpy when the
// source is laid out as M, into huge pages when large, as goray's own arrays are).
template <class M>
void AssignEigen(M& out, const EigenSource<typename M::Scalar>& source) {
  using S = typename M::Scalar;
  if (EigenLaidOutAs<M>(source)) {
    out.resize(source.rows, source.cols);
    const std::size_t bytes = static_cast<std::size_t>(out.size()) * sizeof(S);
    if (bytes >= kBigBlockBytes) AdviseHugePages(out.data(), bytes);
    if (bytes != 0) std::memcpy(out.data(), source.data, bytes);
    return;
  }
  using Strided = typename EigenDense<M>::template RowMajorDynamic<typename M::Scalar>;
  using StridedMap = Eigen::Map<const Strided, Eigen::Unaligned,
                                Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
  out = StridedMap(source.data, source.rows, source.cols,
                   Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(source.row_stride, source.col_stride));
}

// Whether the source is laid out as M stores its elements: contiguous in M's order.
template <class M>
bool EigenLaidOutAs(const EigenSource<typename M::Scalar>& source) {
  if (source.rows <= 1 || source.cols <= 1) {
    const Eigen::Index step = source.rows <= 1 ? source.col_stride : source.row_stride;
    return step == 1 || source.rows * source.cols <= 1;
  }
  return M::IsRowMajor ? source.col_stride == 1 && source.row_stride == source.cols
                       : source.row_stride == 1 && source.col_stride == source.rows;
}

// An Eigen::Ref<const M> parameter's storage while the call runs: the elements it reads
// (kept alive by `view`), bound in place where M's order allows, else copied once by Ref.
template <class RefType>
struct EigenRefArgument;
template <class M, int Options, class Stride>
struct EigenRefArgument<Eigen::Ref<const M, Options, Stride>> {
  using Ref = Eigen::Ref<const M, Options, Stride>;
  goray::ArrayView<typename M::Scalar> view;
  EigenSource<typename M::Scalar> source;

  operator Ref() const {  // NOLINT(google-explicit-constructor): how the call receives it
    const Eigen::Index inner = M::IsRowMajor ? source.col_stride : source.row_stride;
    const Eigen::Index outer = M::IsRowMajor ? source.row_stride : source.col_stride;
    if (inner == 1 || source.rows * source.cols <= 1) {
      return Ref(Eigen::Map<const M, Eigen::Unaligned, Eigen::OuterStride<>>(
          source.data, source.rows, source.cols, Eigen::OuterStride<>(outer)));
    }
    // Ref copies what its stride cannot describe (a column-major M from C order).
    return Ref(Eigen::Map<const M, Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>(
        source.data, source.rows, source.cols,
        Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(outer, inner)));
  }
};

// Whether `data` is aligned as Eigen assumes of a matrix's own memory and of an aligned
// Map (EIGEN_MAX_ALIGN_BYTES; 0 where Eigen vectorizes nothing, and any address will do).
template <class Scalar>
bool EigenAligned(const Scalar* data) {
  constexpr std::uintptr_t kAlign = EIGEN_MAX_ALIGN_BYTES > 0 ? EIGEN_MAX_ALIGN_BYTES : 1;
  return reinterpret_cast<std::uintptr_t>(data) % kAlign == 0;
}

// An Eigen::Map<const M> parameter's storage: the received elements when they are laid
// out as M stores them, else one copy in M's order (`copy`).
template <class MapType>
struct EigenMapArgument;
template <class M, int MapOptions>
struct EigenMapArgument<Eigen::Map<const M, MapOptions, Eigen::Stride<0, 0>>> {
  using Map = Eigen::Map<const M, MapOptions, Eigen::Stride<0, 0>>;
  goray::ArrayView<typename M::Scalar> view;
  std::shared_ptr<const M> copy;
  EigenSource<typename M::Scalar> source;

  operator Map() const {  // NOLINT(google-explicit-constructor): how the call receives it
    return copy ? Map(copy->data(), copy->rows(), copy->cols())
                : Map(source.data, source.rows, source.cols);
  }
  // After decoding: copy unless the elements are laid out as M's and aligned as asked.
  void Settle() {
    const bool aligned = MapOptions == Eigen::Unaligned || EigenAligned(source.data);
    if (aligned && EigenLaidOutAs<M>(source)) return;
    auto owned = std::make_shared<M>();
    AssignEigen(*owned, source);
    copy = std::move(owned);
  }
};

// A `const M&` parameter of a dynamic-size M may be the received elements themselves:
// an M object whose data pointer is theirs, made by writing the words that Eigen's
// dynamic DenseStorage is (the data pointer, then each dynamic extent). That layout is
// checked once per M against a real matrix (EigenBorrowingFits); where it differs, or the
// elements are not laid out as M's and aligned as Eigen assumes of a matrix's own memory,
// the parameter is one copy, as a by-value M always is (its callee may move from it).
template <class M, bool = kIsEigenDense<M>>
struct EigenBorrowable : std::false_type {};
template <class M>
struct EigenBorrowable<M, true>
    : std::bool_constant<M::MaxSizeAtCompileTime == Eigen::Dynamic &&
                         sizeof(M) == sizeof(void*) + sizeof(Eigen::Index) *
                                                          ((M::RowsAtCompileTime == Eigen::Dynamic) +
                                                           (M::ColsAtCompileTime == Eigen::Dynamic))> {};
template <class M>
inline constexpr bool kEigenBorrowable = EigenBorrowable<M>::value;

// Writes the words of an M over `data`, rows x cols, into `out` (sizeof(M) bytes).
template <class M>
void WriteEigenWords(unsigned char* out, const void* data, Eigen::Index rows, Eigen::Index cols) {
  std::memcpy(out, &data, sizeof(data));
  out += sizeof(data);
  if constexpr (M::RowsAtCompileTime == Eigen::Dynamic) {
    std::memcpy(out, &rows, sizeof(rows));
    out += sizeof(rows);
  }
  if constexpr (M::ColsAtCompileTime == Eigen::Dynamic) std::memcpy(out, &cols, sizeof(cols));
}

// Whether an M's bytes are the words WriteEigenWords writes (probed once, on a 3 x 5).
template <class M>
bool EigenBorrowingFits() {
  static const bool fits = [] {
    const Eigen::Index rows = M::RowsAtCompileTime == Eigen::Dynamic ? 3 : M::RowsAtCompileTime;
    const Eigen::Index cols = M::IsVectorAtCompileTime ? 1 : 5;
    M probe;
    if constexpr (M::IsVectorAtCompileTime) {
      probe.resize(rows * cols);
    } else {
      probe.resize(rows, cols);
    }
    unsigned char expected[sizeof(M)];
    WriteEigenWords<M>(expected, probe.data(), probe.rows(), probe.cols());
    return std::memcmp(expected, static_cast<const void*>(&probe), sizeof(M)) == 0;
  }();
  return fits;
}

template <class M>
class EigenBorrowedArgument {
 public:
  using Scalar = typename M::Scalar;
  goray::ArrayView<Scalar> view;  // keeps the elements alive while the call runs

  EigenBorrowedArgument() { ::new (static_cast<void*>(storage_)) M(); }
  EigenBorrowedArgument(EigenBorrowedArgument&& other) noexcept : view(std::move(other.view)) {
    ::new (static_cast<void*>(storage_)) M();
    if (other.borrowed_) {
      std::memcpy(storage_, other.storage_, sizeof(M));
      borrowed_ = true;
      other.Forget();
    } else {
      matrix() = std::move(other.matrix());
    }
  }
  EigenBorrowedArgument& operator=(EigenBorrowedArgument&&) = delete;
  ~EigenBorrowedArgument() {
    Forget();
    matrix().~M();
  }

  operator const M&() const { return matrix(); }  // NOLINT(google-explicit-constructor): by design
  bool borrowed() const noexcept { return borrowed_; }

  // After decoding: the received elements in place where they can be, else one copy.
  void Settle(const EigenSource<Scalar>& source) {
    if (source.rows * source.cols > 0 && EigenAligned(source.data) && EigenLaidOutAs<M>(source) &&
        EigenBorrowingFits<M>()) {
      WriteEigenWords<M>(storage_, source.data, source.rows, source.cols);
      borrowed_ = true;
      return;
    }
    AssignEigen(matrix(), source);
  }

 private:
  M& matrix() { return *std::launder(reinterpret_cast<M*>(storage_)); }
  const M& matrix() const { return *std::launder(reinterpret_cast<const M*>(storage_)); }
  // An empty M again, so that its destructor frees nothing it does not own.
  void Forget() {
    if (!borrowed_) return;
    WriteEigenWords<M>(storage_, nullptr, 0, 0);
    borrowed_ = false;
  }

  alignas(M) unsigned char storage_[sizeof(M)];
  bool borrowed_ = false;
};

template <class M>
struct ParameterStorage<const M&, std::enable_if_t<kEigenBorrowable<M>>> {
  using type = EigenBorrowedArgument<M>;
};

template <class M, int Options, class Stride>
struct ArgumentStorage<Eigen::Ref<const M, Options, Stride>> {
  using type = EigenRefArgument<Eigen::Ref<const M, Options, Stride>>;
};
template <class M, int MapOptions>
struct ArgumentStorage<Eigen::Map<const M, MapOptions, Eigen::Stride<0, 0>>> {
  using type = EigenMapArgument<Eigen::Map<const M, MapOptions, Eigen::Stride<0, 0>>>;
};

}  // namespace goray::detail

namespace goray::codec::detail {

inline std::string EigenExtent(int extent) {
  return extent == Eigen::Dynamic ? std::string("Dynamic") : std::to_string(extent);
}

inline std::string EigenShapeText(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

template <class M>
std::string EigenTypeName(const char* family) {
  return std::string("Eigen::") + family + "<" + TypeName<typename M::Scalar>() + ", " +
         EigenExtent(M::RowsAtCompileTime) + ", " + EigenExtent(M::ColsAtCompileTime) +
         (M::IsRowMajor && !M::IsVectorAtCompileTime ? ", RowMajor>" : ">");
}

template <class S, int R, int C, int O, int MR, int MC>
struct TypeNamer<Eigen::Matrix<S, R, C, O, MR, MC>> {
  static std::string Get() { return EigenTypeName<Eigen::Matrix<S, R, C, O, MR, MC>>("Matrix"); }
};
template <class S, int R, int C, int O, int MR, int MC>
struct TypeNamer<Eigen::Array<S, R, C, O, MR, MC>> {
  static std::string Get() { return EigenTypeName<Eigen::Array<S, R, C, O, MR, MC>>("Array"); }
};
template <class M, int Options, class Stride>
struct TypeNamer<Eigen::Ref<const M, Options, Stride>> {
  static std::string Get() { return "Eigen::Ref<const " + TypeName<M>() + ">"; }
};
template <class M, int MapOptions, class Stride>
struct TypeNamer<Eigen::Map<const M, MapOptions, Stride>> {
  static std::string Get() { return "Eigen::Map<const " + TypeName<M>() + ">"; }
};
template <class M>
struct TypeNamer<goray::detail::EigenBorrowedArgument<M>> {
  static std::string Get() { return TypeName<M>(); }
};
template <class RefType>
struct TypeNamer<goray::detail::EigenRefArgument<RefType>> {
  static std::string Get() { return TypeName<RefType>(); }
};
template <class MapType>
struct TypeNamer<goray::detail::EigenMapArgument<MapType>> {
  static std::string Get() { return TypeName<MapType>(); }
};

// The received elements for M (an ArrayView of its scalar, in C order), their rows and
// columns checked against M; DecodeError naming `expected` and what arrived otherwise.
template <class M>
goray::detail::EigenSource<typename M::Scalar> DecodeEigenSource(
    const msgpack::object& object, goray::ArrayView<typename M::Scalar>& view,
    const std::string& expected) {
  using S = typename M::Scalar;
  bool column_major = false;
  DecodeArrayView(object, view, expected, &column_major);
  goray::detail::EigenSource<S> source;
  if (!goray::detail::EigenDims<M>(view.shape(), source.rows, source.cols)) {
    throw DecodeError(expected, IsArrayExt(object)
                                    ? DescribeNdarray(ArrayDtype<S>::kind, ArrayDtype<S>::itemsize,
                                                      view.shape())
                                    : "a nested array of shape " + EigenShapeText(view.shape()));
  }
  source.data = view.data();
  source.row_stride = column_major ? 1 : source.cols;
  source.col_stride = column_major ? source.rows : 1;
  return source;
}

// M's elements in its own order; `owner`, if any, keeps value's memory alive (a moved
// result), so that a handed-over array is that memory.
template <class M>
void EncodeEigen(Packer& packer, const M& value, std::shared_ptr<const void> owner = {}) {
  std::vector<std::int64_t> shape;
  if constexpr (M::IsVectorAtCompileTime) {
    shape = {static_cast<std::int64_t>(value.size())};
  } else {
    shape = {static_cast<std::int64_t>(value.rows()), static_cast<std::int64_t>(value.cols())};
  }
  const bool column_major = !M::IsRowMajor && !M::IsVectorAtCompileTime;
  EncodeArrayData(packer, value.data(), shape, value.size(), owner, column_major);
}

// A matrix result moves into the owner of its encoded array (MovableResult).
template <class M>
struct EigenMovableResult : std::true_type {
  static void Encode(Packer& packer, M&& value) {
    auto owner = std::make_shared<M>(std::move(value));
    const M& moved = *owner;
    EncodeEigen(packer, moved, std::shared_ptr<const void>(std::move(owner)));
  }
};
template <class S, int R, int C, int O, int MR, int MC>
struct MovableResult<Eigen::Matrix<S, R, C, O, MR, MC>>
    : EigenMovableResult<Eigen::Matrix<S, R, C, O, MR, MC>> {};
template <class S, int R, int C, int O, int MR, int MC>
struct MovableResult<Eigen::Array<S, R, C, O, MR, MC>>
    : EigenMovableResult<Eigen::Array<S, R, C, O, MR, MC>> {};

// The msgpack-c adaptors' bodies (below): T written as the owning Plain (a Ref or Map is
// evaluated into one, as its memory may be strided), and an owning M read back.
template <class T, class Plain = T>
struct EigenPackAdaptor {
  Packer& operator()(Packer& packer, const T& value) const {
    if constexpr (std::is_same_v<T, Plain>) {
      EncodeEigen(packer, value);
    } else {
      EncodeEigen(packer, Plain(value));
    }
    return packer;
  }
};
template <class M>
struct EigenConvertAdaptor {
  const msgpack::object& operator()(const msgpack::object& object, M& value) const {
    goray::ArrayView<typename M::Scalar> view;
    goray::detail::AssignEigen(value, DecodeEigenSource<M>(object, view, TypeName<M>()));
    return object;
  }
};

}  // namespace goray::codec::detail

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <class S, int R, int C, int O, int MR, int MC>
struct pack<Eigen::Matrix<S, R, C, O, MR, MC>>
    : goray::codec::detail::EigenPackAdaptor<Eigen::Matrix<S, R, C, O, MR, MC>> {};
template <class S, int R, int C, int O, int MR, int MC>
struct pack<Eigen::Array<S, R, C, O, MR, MC>>
    : goray::codec::detail::EigenPackAdaptor<Eigen::Array<S, R, C, O, MR, MC>> {};
// A Ref or Map argument from the C++ driver: its elements, as the matrix they view.
template <class M, int Options, class Stride>
struct pack<Eigen::Ref<const M, Options, Stride>>
    : goray::codec::detail::EigenPackAdaptor<Eigen::Ref<const M, Options, Stride>, M> {};
template <class M, int MapOptions, class Stride>
struct pack<Eigen::Map<const M, MapOptions, Stride>>
    : goray::codec::detail::EigenPackAdaptor<Eigen::Map<const M, MapOptions, Stride>, M> {};

template <class S, int R, int C, int O, int MR, int MC>
struct convert<Eigen::Matrix<S, R, C, O, MR, MC>>
    : goray::codec::detail::EigenConvertAdaptor<Eigen::Matrix<S, R, C, O, MR, MC>> {};
template <class S, int R, int C, int O, int MR, int MC>
struct convert<Eigen::Array<S, R, C, O, MR, MC>>
    : goray::codec::detail::EigenConvertAdaptor<Eigen::Array<S, R, C, O, MR, MC>> {};
template <class M>
struct convert<goray::detail::EigenBorrowedArgument<M>> {
  const msgpack::object& operator()(const msgpack::object& object,
                                    goray::detail::EigenBorrowedArgument<M>& value) const {
    value.Settle(goray::codec::detail::DecodeEigenSource<M>(object, value.view,
                                                            goray::codec::TypeName<M>()));
    return object;
  }
};
template <class M, int Options, class Stride>
struct convert<goray::detail::EigenRefArgument<Eigen::Ref<const M, Options, Stride>>> {
  using Ref = Eigen::Ref<const M, Options, Stride>;
  const msgpack::object& operator()(const msgpack::object& object,
                                    goray::detail::EigenRefArgument<Ref>& value) const {
    value.source = goray::codec::detail::DecodeEigenSource<M>(object, value.view,
                                                              goray::codec::TypeName<Ref>());
    return object;
  }
};
template <class M, int MapOptions>
struct convert<goray::detail::EigenMapArgument<Eigen::Map<const M, MapOptions, Eigen::Stride<0, 0>>>> {
  using Map = Eigen::Map<const M, MapOptions, Eigen::Stride<0, 0>>;
  const msgpack::object& operator()(const msgpack::object& object,
                                    goray::detail::EigenMapArgument<Map>& value) const {
    value.source = goray::codec::detail::DecodeEigenSource<M>(object, value.view,
                                                              goray::codec::TypeName<Map>());
    value.Settle();
    return object;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
