// NumPy-compatible N-dimensional arrays: goray::Array<T> (owning, value
// semantics) and goray::ArrayView<T> (borrowed, read-only). Python sees both as
// numpy.ndarray of the matching dtype and shape. Included by goray/goray.h.
//
// T: bool, every signed and unsigned integer of 8, 16, 32 or 64 bits, float,
// double, std::complex<float>, std::complex<double>. C order, little-endian.
//
// Storage is a shared_ptr<void> owner plus a T* into it, so an Array can hold
// a zero-filled block (huge pages from 4 MiB), a moved-in std::vector or a
// runtime buffer without copying. Copying an Array copies the elements; moving it is cheap.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/detail/big_block.h"
#include "goray/detail/type_name.h"

namespace goray {

namespace detail {

template <class T>
inline constexpr bool kIsArrayInteger =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
    !std::is_same_v<T, wchar_t> && !std::is_same_v<T, char8_t> &&
    !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t> &&
    (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);

// Whether T may be the element type of an Array/ArrayView.
template <class T>
inline constexpr bool kIsArrayElement =
    std::is_same_v<T, bool> || kIsArrayInteger<T> || std::is_same_v<T, float> ||
    std::is_same_v<T, double> || std::is_same_v<T, std::complex<float>> ||
    std::is_same_v<T, std::complex<double>>;

// The number of elements of `shape`; throws std::invalid_argument on a
// negative extent or when the byte size of `element_size` elements overflows.
inline std::int64_t ShapeElementCount(const std::vector<std::int64_t>& shape,
                                      std::size_t element_size) {
  bool empty = false;
  for (std::int64_t extent : shape) {
    if (extent < 0) throw std::invalid_argument("goray::Array: negative extent in shape");
    if (extent == 0) empty = true;
  }
  if (empty) return 0;  // any other extent is fine: there is no data
  std::int64_t count = 1;
  const std::int64_t limit =
      std::numeric_limits<std::int64_t>::max() / static_cast<std::int64_t>(element_size);
  for (std::int64_t extent : shape) {
    if (count > limit / extent) throw std::invalid_argument("goray::Array: shape too large");
    count *= extent;
  }
  return count;
}

// A zero-filled block of `bytes` bytes (at least 1, so data() is never null),
// aligned to at least 16 bytes, from fresh zero pages (no memset pass); blocks
// of 4 MiB or more are backed by huge pages (detail/big_block.h).
inline std::shared_ptr<void> CallocBlock(std::size_t bytes) { return ZeroedBlock(bytes); }

}  // namespace detail

// An owning N-dimensional array of T (numpy.ndarray in Python): copies copy the elements.
template <class T>
class Array {
  static_assert(detail::kIsArrayElement<T>,
                "goray::Array<T>: T must be bool, an integer of 8, 16, 32 or 64 bits, float, "
                "double, std::complex<float> or std::complex<double>");

 public:
  using value_type = T;

  // An empty 1-D array: shape {0}.
  Array() : Array(std::vector<std::int64_t>{0}, Uninitialized{}) {}

  // Zero-filled, of the given shape ({} is 0-d: one element).
  static Array Zeros(std::vector<std::int64_t> shape) {
    return Array(std::move(shape), Uninitialized{});
  }

  // A 1-D array that takes over the vector's storage (no copy; std::vector<bool>
  // is bit-packed, so it is copied).
  explicit Array(std::vector<T> data) {
    const auto count = static_cast<std::int64_t>(data.size());
    Adopt(std::move(data), {count});
  }

  // Takes over the vector's storage as an array of `shape`; throws
  // std::invalid_argument when the sizes disagree.
  Array(std::vector<T> data, std::vector<std::int64_t> shape) {
    const std::int64_t count = detail::ShapeElementCount(shape, sizeof(T));
    if (count != static_cast<std::int64_t>(data.size())) {
      throw std::invalid_argument("goray::Array: " + std::to_string(data.size()) +
                                  " elements do not fill the shape (" +
                                  std::to_string(count) + " elements)");
    }
    Adopt(std::move(data), std::move(shape));
  }

  // An array over memory someone else keeps alive through `owner` (used by the
  // runtime for decoded buffers). `data` must be aligned for T and hold
  // prod(shape) elements.
  static Array FromOwner(std::shared_ptr<void> owner, T* data, std::vector<std::int64_t> shape) {
    Array array(NoStorage{});
    array.size_ = detail::ShapeElementCount(shape, sizeof(T));
    array.shape_ = std::move(shape);
    array.owner_ = std::move(owner);
    array.data_ = data;
    return array;
  }

  Array(const Array& other) : Array(other.shape_, Uninitialized{}) {
    if (size_ != 0) std::memcpy(static_cast<void*>(data_), other.data_, ByteSize());
  }
  Array& operator=(const Array& other) {
    if (this != &other) *this = Array(other);
    return *this;
  }
  // A moved-from Array is empty with shape {0}.
  Array(Array&& other) noexcept
      : shape_(std::exchange(other.shape_, {0})),
        size_(std::exchange(other.size_, 0)),
        owner_(std::move(other.owner_)),
        data_(std::exchange(other.data_, nullptr)) {}
  Array& operator=(Array&& other) noexcept {
    if (this != &other) {
      shape_ = std::exchange(other.shape_, {0});
      size_ = std::exchange(other.size_, 0);
      owner_ = std::move(other.owner_);
      data_ = std::exchange(other.data_, nullptr);
    }
    return *this;
  }

  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  std::int64_t ndim() const noexcept { return static_cast<std::int64_t>(shape_.size()); }
  std::int64_t size() const noexcept { return size_; }
  std::size_t ByteSize() const noexcept { return static_cast<std::size_t>(size_) * sizeof(T); }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  std::span<T> span() noexcept { return {data_, static_cast<std::size_t>(size_)}; }
  std::span<const T> span() const noexcept { return {data_, static_cast<std::size_t>(size_)}; }
  T& operator[](std::int64_t index) noexcept { return data_[index]; }
  const T& operator[](std::int64_t index) const noexcept { return data_[index]; }
  T* begin() noexcept { return data_; }
  T* end() noexcept { return data_ + size_; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }

  // What keeps data() alive; the runtime shares it to hand the buffer over.
  const std::shared_ptr<void>& owner() const noexcept { return owner_; }

 private:
  struct Uninitialized {};
  struct NoStorage {};
  explicit Array(NoStorage) {}
  Array(std::vector<std::int64_t> shape, Uninitialized)
      : shape_(std::move(shape)), size_(detail::ShapeElementCount(shape_, sizeof(T))) {
    owner_ = detail::CallocBlock(ByteSize());
    data_ = static_cast<T*>(owner_.get());
  }

  void Adopt(std::vector<T>&& data, std::vector<std::int64_t> shape) {
    shape_ = std::move(shape);
    size_ = static_cast<std::int64_t>(data.size());
    if constexpr (std::is_same_v<T, bool>) {
      owner_ = detail::CallocBlock(data.size());
      data_ = static_cast<bool*>(owner_.get());
      for (std::size_t i = 0; i < data.size(); ++i) data_[i] = data[i];
    } else if (data.empty()) {
      owner_ = detail::CallocBlock(0);
      data_ = static_cast<T*>(owner_.get());
    } else {
      auto vector = std::make_shared<std::vector<T>>(std::move(data));
      data_ = vector->data();
      owner_ = std::move(vector);
    }
  }

  std::vector<std::int64_t> shape_{0};
  std::int64_t size_ = 0;
  std::shared_ptr<void> owner_;
  T* data_ = nullptr;
};

// A read-only view of array data, valid while the memory it points into is:
// for a task parameter, the duration of the call. It may keep a copy alive
// itself (owner) when the runtime had to copy (nested lists, misaligned data).
template <class T>
class ArrayView {
  static_assert(detail::kIsArrayElement<T>,
                "goray::ArrayView<T>: T must be bool, an integer of 8, 16, 32 or 64 bits, "
                "float, double, std::complex<float> or std::complex<double>");

 public:
  using value_type = T;

  // An empty 1-D view: shape {0}.
  ArrayView() = default;
  // A view of an Array (so an Array can be passed where a view is taken).
  ArrayView(const Array<T>& array)  // NOLINT(google-explicit-constructor): by design
      : shape_(array.shape()), size_(array.size()), data_(array.data()) {}
  // A view of `data` with `shape`; `owner`, if any, keeps the data alive.
  ArrayView(const T* data, std::vector<std::int64_t> shape, std::shared_ptr<const void> owner = {})
      : shape_(std::move(shape)),
        size_(detail::ShapeElementCount(shape_, sizeof(T))),
        owner_(std::move(owner)),
        data_(data) {}

  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  std::int64_t ndim() const noexcept { return static_cast<std::int64_t>(shape_.size()); }
  std::int64_t size() const noexcept { return size_; }
  std::size_t ByteSize() const noexcept { return static_cast<std::size_t>(size_) * sizeof(T); }
  const T* data() const noexcept { return data_; }
  std::span<const T> span() const noexcept { return {data_, static_cast<std::size_t>(size_)}; }
  const T& operator[](std::int64_t index) const noexcept { return data_[index]; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }
  // What keeps the data alive, if the view holds it (null: borrowed memory).
  const std::shared_ptr<const void>& owner() const noexcept { return owner_; }

 private:
  std::vector<std::int64_t> shape_{0};
  std::int64_t size_ = 0;
  std::shared_ptr<const void> owner_;
  const T* data_ = nullptr;
};

}  // namespace goray

namespace goray::codec::detail {

template <class T>
struct TypeNamer<goray::Array<T>> {
  static std::string Get() { return "goray::Array<" + TypeName<T>() + ">"; }
};
template <class T>
struct TypeNamer<goray::ArrayView<T>> {
  static std::string Get() { return "goray::ArrayView<" + TypeName<T>() + ">"; }
};
template <class T>
struct TypeNamer<std::span<const T>> {
  static std::string Get() { return "std::span<const " + TypeName<T>() + ">"; }
};
template <class T>
struct TypeNamer<std::complex<T>> {
  static std::string Get() { return "std::complex<" + TypeName<T>() + ">"; }
};

}  // namespace goray::codec::detail
