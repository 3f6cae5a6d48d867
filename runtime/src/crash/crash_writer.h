// Text for crash reports, written with write(2) only: no allocation, no locks, so it
// works inside a signal handler. Lines go to stderr and, when open, the report file.
// Tests: tests/cpp/crash_report_test.cpp
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace goray::detail::crash {

class Writer {
 public:
  explicit Writer(int file) : file_(file) {}
  // Also keeps a copy of what is written in `into` (at most `capacity` - 1 bytes, then a
  // NUL), for a report that is handed back rather than only printed.
  Writer(int file, char* into, std::size_t capacity) : file_(file), copy_(into), copy_capacity_(capacity) {
    if (copy_ != nullptr && copy_capacity_ > 0) copy_[0] = '\0';
  }
  ~Writer() { Flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Writer& Text(const char* text) { return Bytes(text, text == nullptr ? 0 : std::strlen(text)); }

  Writer& Bytes(const char* data, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
      if (used_ == sizeof(buffer_)) Flush();
      buffer_[used_++] = data[i];
    }
    return *this;
  }

  Writer& Decimal(std::int64_t value) {
    char digits[24];
    std::size_t n = 0;
    std::uint64_t magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : value;
    do {
      digits[n++] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0) digits[n++] = '-';
    while (n > 0) Bytes(&digits[--n], 1);
    return *this;
  }

  Writer& Hex(std::uintptr_t value) {
    char digits[2 + 2 * sizeof(value)];
    std::size_t n = 0;
    do {
      digits[n++] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    } while (value != 0);
    Text("0x");
    while (n > 0) Bytes(&digits[--n], 1);
    return *this;
  }

  // Writes what is buffered: to stderr, and to the report file when there is one.
  void Flush() {
    WriteAll(STDERR_FILENO);
    if (file_ >= 0) WriteAll(file_);
    KeepCopy();
    used_ = 0;
  }

 private:
  void WriteAll(int fd) const {
    std::size_t done = 0;
    while (done < used_) {
      ssize_t n = ::write(fd, buffer_ + done, used_ - done);
      if (n <= 0) return;  // EINTR included: a report is not worth a loop that may not end
      done += static_cast<std::size_t>(n);
    }
  }

  void KeepCopy() {
    if (copy_ == nullptr || copy_capacity_ == 0) return;
    std::size_t room = copy_capacity_ - 1 - copied_;
    std::size_t n = used_ < room ? used_ : room;
    std::memcpy(copy_ + copied_, buffer_, n);
    copied_ += n;
    copy_[copied_] = '\0';
  }

  int file_;
  char* copy_ = nullptr;
  std::size_t copy_capacity_ = 0;
  std::size_t copied_ = 0;
  char buffer_[1024];
  std::size_t used_ = 0;
};

}  // namespace goray::detail::crash
