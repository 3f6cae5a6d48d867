// goray::codec::Buffer: the growable byte buffer values are encoded into
// (msgpack-c's Stream: write). Like msgpack::sbuffer it is malloc/realloc
// memory, so release() hands over a block the driver frees with free(); unlike
// it, once it is 4 MiB or more it is madvised for huge pages (big_block.h), so
// writing a large array into fresh memory does not fault 4 KiB at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "goray/detail/big_block.h"

namespace goray::codec {

class Buffer {
 public:
  // msgpack::sbuffer's default first allocation.
  static constexpr std::size_t kDefaultInitialBytes = 8192;

  explicit Buffer(std::size_t initial_bytes = kDefaultInitialBytes) {
    if (initial_bytes != 0) Reallocate(initial_bytes);
  }
  ~Buffer() { std::free(data_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      std::free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }

  void write(const char* bytes, std::size_t length) {
    if (length == 0) return;
    if (capacity_ - size_ < length) Grow(length);
    std::memcpy(data_ + size_, bytes, length);
    size_ += length;
  }
  char* data() noexcept { return data_; }
  const char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  // The contents as a malloc'ed block the caller frees with free() (null when
  // nothing was ever allocated); the buffer is left empty, with no storage.
  char* release() noexcept {
    size_ = 0;
    capacity_ = 0;
    return std::exchange(data_, nullptr);
  }
  // Empties the buffer, keeping its storage.
  void clear() noexcept { size_ = 0; }

 private:
  // Doubles the capacity until `length` more bytes fit, as sbuffer does.
  void Grow(std::size_t length) {
    if (length > SIZE_MAX - size_) throw std::bad_alloc();
    const std::size_t needed = size_ + length;
    std::size_t capacity = capacity_ > 0 ? capacity_ : kDefaultInitialBytes;
    while (capacity < needed) capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
    Reallocate(capacity);
  }
  void Reallocate(std::size_t capacity) {
    void* grown = std::realloc(data_, capacity);
    if (grown == nullptr) throw std::bad_alloc();
    data_ = static_cast<char*>(grown);
    capacity_ = capacity;
    // The whole block, so realloc can keep moving it by remapping (no copy).
    ::goray::detail::AdviseMallocBlock(data_, capacity_);
  }

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace goray::codec
