// The byte buffer requests and replies are built in, and msgpack-c's packer over it.
#pragma once

#include "common.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace goray::fastpath {

// A growable malloc'ed byte buffer (msgpack-c's Stream concept). Small contents stay
// inline; release() hands over a malloc'ed block the library can free().
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer() {
    if (data_ != inline_) std::free(data_);
  }

  void write(const char *bytes, size_t size) {
    reserve(size);
    std::memcpy(data_ + size_, bytes, size);
    size_ += size;
  }
  void put_u64(uint64_t value) {
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
    write(bytes, 8);
  }
  void patch_u64(size_t at, uint64_t value) {
    for (int i = 0; i < 8; ++i) data_[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  // Room for `more` bytes after the contents.
  void reserve(size_t more) {
    if (more <= capacity_ - size_) return;
    if (more > SIZE_MAX / 2 - size_) throw std::bad_alloc();
    size_t capacity = capacity_ * 2;
    if (capacity < size_ + more) capacity = size_ + more;
    char *grown;
    if (data_ == inline_) {
      grown = static_cast<char *>(std::malloc(capacity));
      if (grown != nullptr) std::memcpy(grown, inline_, size_);
    } else {
      grown = static_cast<char *>(std::realloc(data_, capacity));
    }
    if (grown == nullptr) throw std::bad_alloc();
    data_ = grown;
    capacity_ = capacity;
  }
  char *data() { return data_; }
  size_t size() const { return size_; }
  // The contents as a malloc'ed block (NULL when empty or out of memory).
  char *release() {
    char *out;
    if (size_ == 0) return nullptr;
    if (data_ == inline_) {
      out = static_cast<char *>(std::malloc(size_));
      if (out != nullptr) std::memcpy(out, inline_, size_);
    } else {
      out = data_;
    }
    data_ = inline_;
    size_ = 0;
    capacity_ = sizeof inline_;
    return out;
  }

 private:
  char inline_[256];
  char *data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = sizeof inline_;
};

using Packer = msgpack::packer<Buffer>;

}  // namespace goray::fastpath
