// Encoding and decoding of goray::Array<T> / goray::ArrayView<T> /
// std::span<const T> (and std::vector<T> from an array ext). Included by
// goray/codec.h; the wire forms are in docs/protocol.md §10:
//
//   ext 71  array inline:     kind u8 | itemsize u8 | ndim u8 | order|pad u8 |
//                             shape ndim x i64 LE | pad zero bytes | data
//   ext 72  array by address: kind u8 | itemsize u8 | ndim u8 | order|flags u8 |
//                             shape ndim x i64 LE | address u64 LE | token u64 LE
//
// The 4th byte's bit 7 says the data is column-major (Fortran order; only with 2 or
// more dimensions). Readers take either order: every type but Eigen's matrices gets C
// order, transposed once from a column-major array. Writers send column-major data as
// it is only after EnableFeatures bit 32, else transposed into C order first.
//
// How an array is written depends on the thread and the process:
//   - before EnableArrays (GoRay's driver never sends it): nested msgpack
//     arrays by shape (0-d: the scalar; complex: [re, im]), no ext at all;
//   - after it: ext 71, its data 64-byte aligned in the buffer being written;
//   - while the results of a RunTaskForPython / ActorMethodCallForPython call
//     are encoded: ext 72 owned, the buffer handed over without a copy;
//   - inside a ScatterScope (below), into its buffer: an array of at least
//     kOutOfBandFrom bytes as its ext 71 header only, its data left out and
//     recorded (a scattered block, docs/protocol.md §10, "Arrays out of band").
// Decoding accepts ext 71, ext 72 (only after EnableArrays: its address is
// trusted like FreeMemory's pointer) and rectangular nested arrays.
#pragma once

#include <bit>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/array.h"
#include "goray/codec_decl.h"
#include "goray/detail/decode.h"
#include "goray/detail/encode.h"
#include "goray/detail/features.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/detail/type_name.h"

static_assert(std::endian::native == std::endian::little,
              "goray: arrays are written little-endian, as the host stores them");

namespace goray::codec {

namespace detail {

// The ext types (kExtArrayInline 71, kExtArrayAddress 72) and the 4th byte's bits
// (kArrayColumnMajor, kArrayPadMask, ext 72's flags) are protocol_numbers.h's, as are the
// sizes and limits of an array ext's layout.
using goray::detail::kArrayAddressBytes;
using goray::detail::kArrayDataAlign;
using goray::detail::kArrayExtentBytes;
using goray::detail::kArrayHeadBytes;
using goray::detail::kMaxArrayDims;
using goray::detail::kOutOfBandFrom;

// numpy's dtype.kind and dtype.itemsize of an element type.
template <class T>
struct ArrayDtype {
  static constexpr char kind = std::is_same_v<T, bool>       ? 'b'
                               : std::is_floating_point_v<T> ? 'f'
                               : std::is_signed_v<T>         ? 'i'
                                                             : 'u';
  static constexpr std::uint8_t itemsize = sizeof(T);
};
template <class F>
struct ArrayDtype<std::complex<F>> {
  static constexpr char kind = 'c';
  static constexpr std::uint8_t itemsize = sizeof(std::complex<F>);
};

// An array ext as read from the wire (bounds already checked).
struct ArrayHeader {
  char kind = 0;
  std::uint8_t itemsize = 0;
  std::vector<std::int64_t> shape;
  std::uint64_t count = 0;      // elements
  const char* data = nullptr;   // prod(shape) * itemsize bytes
  bool by_address = false;      // ext 72
  bool column_major = false;    // data in Fortran order (only read as sent, 2+ dims)
  std::shared_ptr<void> transposed;  // owns `data` when a column-major array was transposed
};

// How ReadArrayExt leaves a column-major array: transposed into a C-order copy (what
// every type but Eigen's matrices reads), or as it was sent (header.column_major).
enum class ArrayOrder { kRowMajor, kAsSent };

// "int32", "float64", ...; "dtype 'f2'" for a pair numpy has but goray does not.
std::string NumpyDtypeName(char kind, std::uint8_t itemsize);
// "ndarray of int32 (2, 3)".
std::string DescribeNdarray(char kind, std::uint8_t itemsize, const std::vector<std::int64_t>& shape);
// "ndarray of int32 (2, 3)" for a well-formed ext 71/72, else "".
std::string DescribeArrayExt(const msgpack::object& object);
// Whether `object` is ext 71 or 72.
bool IsArrayExt(const msgpack::object& object) noexcept;
// Reads ext 71/72 into `header`; throws DecodeError(expected, what is wrong)
// for a malformed one, or an ext 72 before EnableArrays.
void ReadArrayExt(const msgpack::object& object, ArrayHeader& header, const std::string& expected,
                  ArrayOrder order = ArrayOrder::kRowMajor);
// A C-order copy, in a fresh block (CopyBlock's), of the column-major array of `shape`
// and `count` elements of `itemsize` bytes at `data`.
std::shared_ptr<void> RowMajorCopy(const void* data, const std::vector<std::int64_t>& shape,
                                   std::size_t itemsize, std::uint64_t count);
// Whether C and Fortran order differ for `shape` (two or more extents over 1).
inline bool OrderMatters(const std::vector<std::int64_t>& shape) noexcept {
  int over_one = 0;
  for (std::int64_t extent : shape) over_one += extent > 1 ? 1 : 0;
  return over_one >= 2;
}
// Whether a driver turned on column-major arrays (EnableFeatures bit 32).
inline bool ColumnMajorOnWire() noexcept {
  return goray::detail::FeatureOn(goray::detail::kFeatureColumnMajor);
}
// Copies `bytes` bytes into a fresh block (detail/big_block.h: huge pages from 4 MiB).
std::shared_ptr<void> CopyBlock(const void* data, std::size_t bytes);
// The owner of the buffer being decoded if it holds [data, data + bytes)
// (set by Get on a driver reply, so a decoded Array shares it), else null.
std::shared_ptr<void> SourceOwnerFor(const void* data, std::size_t bytes);
// Whether a driver reply is being decoded on this thread (its ext 72 memory,
// if any, is not known to outlive the decoding, so views copy it).
bool InSourceBufferScope() noexcept;
// The owner of the reply being decoded if it is lent (its ext 72 memory lives
// as long as that owner), else null.
std::shared_ptr<void> LentSourceOwner() noexcept;

// How Encode writes an array on this thread now (see the top of this file).
enum class ArrayEncoding { kNestedLists, kInline, kHandoff };
ArrayEncoding CurrentArrayEncoding() noexcept;
// ext 71 with its data 64-byte aligned in the buffer being written (if known);
// inside a ScatterScope of that buffer, a large array's header only (`owner`,
// if any, is what keeps `data` alive; the scope records it).
void EncodeArrayInline(Packer& packer, char kind, std::uint8_t itemsize,
                       const std::vector<std::int64_t>& shape, const void* data, std::size_t bytes,
                       const std::shared_ptr<const void>& owner, bool column_major = false);
// ext 72 owned: `owner` (or a copy when null) is kept until ReleaseArray.
void EncodeArrayHandoff(Packer& packer, char kind, std::uint8_t itemsize,
                        const std::vector<std::int64_t>& shape, const void* data, std::size_t bytes,
                        std::shared_ptr<const void> owner, bool column_major = false);
// A byte-vector result (bin) of at least this many bytes is handed over as well
// (Python's LARGE_BYTES).
inline constexpr std::size_t kHandoffBytesFrom = std::size_t{1} << 20;
// ext 72 owned with flag bit 2 (bytes: the driver reads it back as bytes, not
// an array), kind 'u', itemsize 1, shape (bytes,): `owner` holds `data` until
// ReleaseArray. Only while CurrentArrayEncoding() is kHandoff.
void EncodeBytesHandoff(Packer& packer, const void* data, std::size_t bytes,
                        std::shared_ptr<const void> owner);

// Process-wide: set by the EnableArrays command (33); tests may reset it.
bool ArraysEnabled() noexcept;
void SetArraysEnabled(bool enabled) noexcept;
// Arrays handed over as ext 72 owned and not yet released (ReleaseArray).
std::size_t LiveArrayHandoffs();

// The buffer Encode writes into on this thread while the scope lives, so that
// ext 71 can align its data within it.
class EncodeTargetScope {
 public:
  explicit EncodeTargetScope(const Buffer& buffer) noexcept;
  ~EncodeTargetScope();
  EncodeTargetScope(const EncodeTargetScope&) = delete;
  EncodeTargetScope& operator=(const EncodeTargetScope&) = delete;

 private:
  const Buffer* previous_;
  std::uint64_t previous_pins_;  // PinCalls() when the previous target began
};


// One array's data left out of a scattered block (docs/protocol.md §10, "Arrays out of band").
struct ScatteredData {
  std::size_t offset = 0;  // in the compact block: just after the array's ext 71 header
  std::size_t length = 0;  // bytes
  const void* address = nullptr;
  std::shared_ptr<const void> owner;  // keeps the data alive; null: borrowed memory
};

// While it lives on this thread, what is encoded into `buffer` (while `buffer`
// is the encode target: an EncodeTargetScope or ResultEncodingScope on it, opened
// inside or outside this scope) is a *scattered block*: every Array, ArrayView or
// span of at least kOutOfBandFrom bytes, at any depth (tuples, struct fields,
// containers), is written as its whole ext 71 header (the length field counts
// the data; the pad is what the inline block would have) and its data is left
// out and recorded in datas(), in block order. Joining the compact block
// (`buffer` from `block_start`) with the datas at their offsets (JoinScattered)
// gives byte for byte what the encoding without the scope writes. Smaller arrays
// are written inline as usual; arrays encoded into another buffer (Put, nested
// calls, Value::From) are not affected.
//   - owner: the Array's owner, or the ArrayView's (null for borrowed memory);
//     with Unowned::kCopy a null owner's data is copied when recorded, so every
//     recorded data outlives the encoding (results handed to the driver);
//     with kBorrow it is only valid as long as the encoded value is.
//   - pinned(): whether an ObjectRef or ActorHandle was written (Pin was called,
//     goray/detail/pins.h) into `buffer` while the scope lived. Such a block is
//     never sent scattered (docs/protocol.md §10, "Arrays out of band"); once anything is pinned,
//     the arrays after it are written inline, and the caller joins the block.
// Scopes nest (the innermost applies).
class ScatterScope {
 public:
  enum class Unowned { kBorrow, kCopy };
  explicit ScatterScope(const Buffer& buffer, std::size_t block_start = 0,
                        Unowned unowned = Unowned::kBorrow) noexcept;
  ~ScatterScope();
  ScatterScope(const ScatterScope&) = delete;
  ScatterScope& operator=(const ScatterScope&) = delete;

  const std::vector<ScatteredData>& datas() const noexcept { return datas_; }
  std::vector<ScatteredData>& datas() noexcept { return datas_; }
  // Bytes left out so far (the sum of the datas' lengths).
  std::size_t left_out() const noexcept { return left_out_; }
  bool pinned() const noexcept;

 private:
  friend void EncodeArrayInline(Packer&, char, std::uint8_t, const std::vector<std::int64_t>&,
                                const void*, std::size_t, const std::shared_ptr<const void>&, bool);
  friend class EncodeTargetScope;

  const Buffer* buffer_;
  std::size_t block_start_;
  Unowned unowned_;
  std::size_t left_out_ = 0;
  std::uint64_t pins_ = 0;  // Pin calls counted into `buffer` by target scopes that ended
  std::vector<ScatteredData> datas_;
  ScatterScope* previous_;
};

// Appends to `out` the ordinary block a scattered one stands for: `compact` with
// each data put back at its offset. Throws std::invalid_argument for offsets out
// of order or past the compact block.
void JoinScattered(std::string_view compact, const std::vector<ScatteredData>& datas, Buffer& out);
// The number of top-level msgpack values in a compact block (each data is
// skipped as if present). Throws std::invalid_argument for a malformed block.
std::size_t CountScatteredValues(std::string_view compact, const std::vector<ScatteredData>& datas);

// While a call's results are encoded into `out`: `out` is the target, and the
// results of a RunTaskForPython / ActorMethodCallForPython call are handed
// over as ext 72 owned. Only results: arrays the callee encodes while it runs
// (Put, calls it makes) stay inline.
class ResultEncodingScope {
 public:
  explicit ResultEncodingScope(const Buffer& out) noexcept;
  ~ResultEncodingScope();
  ResultEncodingScope(const ResultEncodingScope&) = delete;
  ResultEncodingScope& operator=(const ResultEncodingScope&) = delete;

 private:
  EncodeTargetScope target_;
  void* previous_;
};

// While a buffer this process owns (a driver reply) is decoded on this thread:
// an Array<T> decoded from aligned ext 71 data inside it shares the buffer
// instead of copying it. With `lent` (a GetObject reply with a lent id,
// docs/protocol.md §10, "Arrays out of band"), the ext 72 in it point into memory the driver keeps
// alive until `owner` is gone: ArrayView<T> and std::span<const T> view it and
// keep `owner` (no copy); Array<T> (owning, writable) and std::vector<T> copy.
// Without `lent`, ext 72 in a reply is copied by every type.
class SourceBufferScope {
 public:
  SourceBufferScope(std::shared_ptr<void> owner, std::string_view bytes,
                    bool lent = false) noexcept;
  ~SourceBufferScope();
  SourceBufferScope(const SourceBufferScope&) = delete;
  SourceBufferScope& operator=(const SourceBufferScope&) = delete;

 private:
  std::shared_ptr<void> owner_;
  std::string_view bytes_;
  bool lent_;
  const SourceBufferScope* previous_;
  friend std::shared_ptr<void> SourceOwnerFor(const void* data, std::size_t bytes);
  friend std::shared_ptr<void> LentSourceOwner() noexcept;
};

// ---- Encoding ------------------------------------------------------------------

template <class T>
void EncodeNestedScalar(Packer& packer, const T& value) {
  if constexpr (IsComplex<T>::value) {
    packer.pack_array(2);
    Encode(packer, value.real());
    Encode(packer, value.imag());
  } else {
    Encode(packer, value);
  }
}

template <class T>
void EncodeNestedLevel(Packer& packer, const T*& cursor, const std::int64_t* dims,
                       std::size_t ndim) {
  if (ndim == 0) {
    EncodeNestedScalar(packer, *cursor++);
    return;
  }
  const std::uint32_t length = CheckedLength(static_cast<std::size_t>(dims[0]),
                                             "dimension of a nested-list array", "elements");
  packer.pack_array(length);
  for (std::uint32_t i = 0; i < length; ++i) EncodeNestedLevel(packer, cursor, dims + 1, ndim - 1);
}

// An empty array's nested-list form is one list per element of the extents
// before its first 0: throws std::length_error when that is over 65536 lists
// (a forged (2**40, 0) header must not turn into gigabytes of empty lists;
// after EnableArrays, ext 71 writes any empty shape in a few bytes).
void CheckNestedListCount(const std::vector<std::int64_t>& shape);

// `data` is in C order, or in Fortran order with `column_major` (2 or more dimensions),
// which is written as it is only where the driver reads it (ColumnMajorOnWire), else
// from one transposed copy.
template <class T>
void EncodeArrayData(Packer& packer, const T* data, const std::vector<std::int64_t>& shape,
                     std::int64_t size, const std::shared_ptr<const void>& owner,
                     bool column_major = false) {
  const std::size_t bytes = static_cast<std::size_t>(size) * sizeof(T);
  const ArrayEncoding encoding = CurrentArrayEncoding();
  column_major = column_major && OrderMatters(shape);
  if (column_major && (encoding == ArrayEncoding::kNestedLists || !ColumnMajorOnWire())) {
    std::shared_ptr<void> rows_first =
        RowMajorCopy(data, shape, sizeof(T), static_cast<std::uint64_t>(size));
    const T* copy = static_cast<const T*>(rows_first.get());
    EncodeArrayData(packer, copy, shape, size, std::shared_ptr<const void>(std::move(rows_first)));
    return;
  }
  switch (encoding) {
    case ArrayEncoding::kNestedLists:
      if (size == 0) CheckNestedListCount(shape);
      EncodeNestedLevel(packer, data, shape.data(), shape.size());
      return;
    case ArrayEncoding::kInline:
      EncodeArrayInline(packer, ArrayDtype<T>::kind, ArrayDtype<T>::itemsize, shape, data, bytes,
                        owner, column_major);
      return;
    case ArrayEncoding::kHandoff:
      EncodeArrayHandoff(packer, ArrayDtype<T>::kind, ArrayDtype<T>::itemsize, shape, data, bytes,
                         owner, column_major);
      return;
  }
}

// A result type whose value can move into the owner of its encoded array, so that a
// handed-over result (ext 72 owned) is the value's own memory, not a copy of it: a
// specialization derives from std::true_type and has
//   static void Encode(Packer&, T&& value);
// (goray/eigen.h specializes it for Eigen's matrices). Used by registry.h's EncodeResult.
template <class T>
struct MovableResult : std::false_type {};

template <class A>
void EncodeArrayValue(Packer& packer, const A& array) {
  // An ArrayView's owner, if any, keeps its data alive as an Array's does.
  EncodeArrayData(packer, array.data(), array.shape(), array.size(),
                  std::shared_ptr<const void>(array.owner()));
}

// ---- Decoding ------------------------------------------------------------------

[[noreturn, gnu::cold]] inline void ThrowNdarrayMismatch(const std::string& expected,
                                                         const ArrayHeader& header) {
  throw DecodeError(expected, DescribeNdarray(header.kind, header.itemsize, header.shape));
}

// The header of an array ext whose dtype is T's, else DecodeError naming both.
template <class T>
void ReadArrayExtOf(const msgpack::object& object, ArrayHeader& header,
                    const std::string& expected, ArrayOrder order = ArrayOrder::kRowMajor) {
  ReadArrayExt(object, header, expected, order);
  if (header.kind != ArrayDtype<T>::kind || header.itemsize != ArrayDtype<T>::itemsize) {
    ThrowNdarrayMismatch(expected, header);
  }
  if constexpr (std::is_same_v<T, bool>) {
    // Only 0 and 1 are bools; anything else read as bool is undefined behaviour.
    const auto* bytes = reinterpret_cast<const unsigned char*>(header.data);
    for (std::uint64_t i = 0; i < header.count; ++i) {
      if (bytes[i] > 1) {
        throw DecodeError(expected, "ndarray of bool holding the byte " +
                                        std::to_string(bytes[i]) + " at [" + std::to_string(i) + "]");
      }
    }
  }
}

// Whether `object` is one element of a nested array of T (not a deeper level).
template <class T>
bool IsNestedElement(const msgpack::object& object) {
  if constexpr (IsComplex<T>::value) {
    return object.type != msgpack::type::ARRAY ||
           (object.via.array.size == 2 && object.via.array.ptr[0].type != msgpack::type::ARRAY);
  } else {
    return object.type != msgpack::type::ARRAY;
  }
}

// The shape of a nested array of T, read down its first elements.
template <class T>
std::vector<std::int64_t> NestedShape(const msgpack::object& object, const std::string& expected) {
  std::vector<std::int64_t> shape;
  const msgpack::object* level = &object;
  while (!IsNestedElement<T>(*level)) {
    if (shape.size() == kMaxArrayDims) {
      throw DecodeError(expected, "nested arrays deeper than " + std::to_string(kMaxArrayDims));
    }
    shape.push_back(level->via.array.size);
    if (level->via.array.size == 0) break;
    level = &level->via.array.ptr[0];
  }
  return shape;
}

// Checks that every level has the shape's length (so the element count is
// what the input holds, never more).
template <class T>
void CheckNestedShape(const msgpack::object& object, const std::int64_t* dims, std::size_t ndim,
                      const std::string& expected) {
  if (ndim == 0) {
    if (!IsNestedElement<T>(object)) {
      throw DecodeError(expected, "a nested array that is not rectangular");
    }
    return;
  }
  if (object.type != msgpack::type::ARRAY ||
      object.via.array.size != static_cast<std::uint64_t>(dims[0])) {
    throw DecodeError(expected, "a nested array that is not rectangular");
  }
  for (std::uint32_t i = 0; i < object.via.array.size; ++i) {
    CheckNestedShape<T>(object.via.array.ptr[i], dims + 1, ndim - 1, expected);
  }
}

template <class T>
void DecodeNestedScalar(const msgpack::object& object, T& out) {
  if constexpr (IsComplex<T>::value) {
    typename T::value_type parts[2]{};
    if (object.type == msgpack::type::ARRAY) {
      for (std::uint32_t i = 0; i < 2; ++i) {
        try {
          DecodeInto(object.via.array.ptr[i], parts[i]);
        } catch (const DecodeError& error) {
          RethrowAtIndex(error, i);
        }
      }
    } else {
      DecodeInto(object, parts[0]);  // a real number
    }
    out = T(parts[0], parts[1]);
  } else {
    DecodeInto(object, out);
  }
}

template <class T>
void DecodeNestedLevel(const msgpack::object& object, T*& cursor, std::size_t ndim) {
  if (ndim == 0) {
    DecodeNestedScalar(object, *cursor++);
    return;
  }
  for (std::uint32_t i = 0; i < object.via.array.size; ++i) {
    try {
      DecodeNestedLevel(object.via.array.ptr[i], cursor, ndim - 1);
    } catch (const DecodeError& error) {
      RethrowAtIndex(error, i);
    }
  }
}

// A nested-array (or scalar) input as a fresh Array<T>.
template <class T>
goray::Array<T> DecodeNestedArray(const msgpack::object& object, const std::string& expected) {
  if (object.type == msgpack::type::NIL || object.type == msgpack::type::MAP ||
      object.type == msgpack::type::STR || object.type == msgpack::type::BIN ||
      object.type == msgpack::type::EXT) {
    throw DecodeError(expected, ReceivedDescription(object));
  }
  std::vector<std::int64_t> shape = NestedShape<T>(object, expected);
  CheckNestedShape<T>(object, shape.data(), shape.size(), expected);
  goray::Array<T> array = goray::Array<T>::Zeros(std::move(shape));
  T* cursor = array.data();
  DecodeNestedLevel(object, cursor, array.shape().size());
  return array;
}

template <class T>
void DecodeArray(const msgpack::object& object, goray::Array<T>& out) {
  if (!IsArrayExt(object)) {
    out = DecodeNestedArray<T>(object, TypeName<goray::Array<T>>());
    return;
  }
  ArrayHeader header;
  ReadArrayExtOf<T>(object, header, TypeName<goray::Array<T>>());
  const std::size_t bytes = header.count * sizeof(T);
  if (header.transposed) {  // a column-major array's C-order copy: this Array's own
    T* data = static_cast<T*>(header.transposed.get());
    out = goray::Array<T>::FromOwner(std::move(header.transposed), data, std::move(header.shape));
    return;
  }
  if (reinterpret_cast<std::uintptr_t>(header.data) % alignof(T) == 0 && !header.by_address) {
    if (std::shared_ptr<void> owner = SourceOwnerFor(header.data, bytes)) {
      // The bytes are a driver reply this process owns: share them.
      T* data = reinterpret_cast<T*>(const_cast<char*>(header.data));
      out = goray::Array<T>::FromOwner(std::move(owner), data, std::move(header.shape));
      return;
    }
  }
  std::shared_ptr<void> copy = CopyBlock(header.data, bytes);
  T* data = static_cast<T*>(copy.get());
  out = goray::Array<T>::FromOwner(std::move(copy), data, std::move(header.shape));
}

// With `column_major`, a column-major array is viewed as sent and *column_major says
// which order the view's data is in; without it, the view is always in C order.
template <class T>
void DecodeArrayView(const msgpack::object& object, goray::ArrayView<T>& out,
                     const std::string& expected, bool* column_major) {
  if (column_major != nullptr) *column_major = false;
  if (!IsArrayExt(object)) {
    goray::Array<T> array = DecodeNestedArray<T>(object, expected);
    const T* data = array.data();
    std::vector<std::int64_t> shape = array.shape();
    auto holder = std::make_shared<goray::Array<T>>(std::move(array));
    out = goray::ArrayView<T>(data, std::move(shape), std::move(holder));
    return;
  }
  ArrayHeader header;
  ReadArrayExtOf<T>(object, header, expected,
                    column_major != nullptr ? ArrayOrder::kAsSent : ArrayOrder::kRowMajor);
  if (column_major != nullptr) *column_major = header.column_major;
  if (header.transposed) {
    const T* data = static_cast<const T*>(header.transposed.get());
    out = goray::ArrayView<T>(data, std::move(header.shape), std::move(header.transposed));
    return;
  }
  if (reinterpret_cast<std::uintptr_t>(header.data) % alignof(T) == 0) {
    const auto* data = reinterpret_cast<const T*>(header.data);
    if (!header.by_address) {
      // Inline: a view of the request (valid for the call), or of a driver
      // reply it keeps alive (Get<ArrayView<T>>).
      std::shared_ptr<void> owner = SourceOwnerFor(header.data, header.count * sizeof(T));
      out = goray::ArrayView<T>(data, std::move(header.shape), std::move(owner));
      return;
    }
    if (!InSourceBufferScope()) {  // an argument: the memory is valid for the call
      out = goray::ArrayView<T>(data, std::move(header.shape));
      return;
    }
    if (std::shared_ptr<void> lender = LentSourceOwner()) {
      // A lent reply: the driver keeps the memory until the reply's owner is gone.
      out = goray::ArrayView<T>(data, std::move(header.shape), std::move(lender));
      return;
    }
  }
  // Misaligned data (views are always aligned), or an address in a reply not lent: copy.
  std::shared_ptr<void> copy = CopyBlock(header.data, header.count * sizeof(T));
  const T* data = static_cast<const T*>(copy.get());
  out = goray::ArrayView<T>(data, std::move(header.shape), std::move(copy));
}

template <class T>
void DecodeSpanArgument(const msgpack::object& object, SpanArgument<T>& out) {
  const std::string expected = TypeName<std::span<const T>>();
  DecodeArrayView(object, out.view, expected);
  if (out.view.ndim() != 1) {
    throw DecodeError(expected, IsArrayExt(object)
                                    ? DescribeNdarray(ArrayDtype<T>::kind, ArrayDtype<T>::itemsize,
                                                      out.view.shape())
                                    : "a nested array of " + std::to_string(out.view.ndim()) +
                                          " dimensions");
  }
}

// std::vector<T> from a 1-D array ext of T's dtype: one memcpy.
template <class Vector>
void DecodeVectorFromArrayExt(const msgpack::object& object, Vector& out) {
  using T = typename Vector::value_type;
  const std::string expected = TypeName<Vector>();
  ArrayHeader header;
  ReadArrayExtOf<T>(object, header, expected);
  if (header.shape.size() != 1) ThrowNdarrayMismatch(expected, header);
  out.resize(header.count);
  if (header.count != 0) std::memcpy(out.data(), header.data, header.count * sizeof(T));
}

}  // namespace detail
}  // namespace goray::codec

