// The non-template parts of goray/detail/encode.h: timestamps (ext -1) written, and a
// value too large for msgpack's 32-bit lengths reported.
// Tests: tests/cpp/codec_test.cpp
#include "goray/detail/encode.h"

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace goray::codec::detail {
namespace {

// msgpack's timestamp ext type.
constexpr std::int8_t kTimestampType = -1;

void StoreBigEndian(char* out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

}  // namespace

void ThrowTooLarge(std::size_t size, const char* kind, const char* unit) {
  throw std::length_error("goray: a " + std::string(kind) + " of " + std::to_string(size) + " " + unit +
                          " is over msgpack's limit of 4294967295 (2^32 - 1)");
}

void ThrowTooLargeIn(std::string_view where, const std::length_error& error) {
  std::string_view text = error.what();
  if (text.starts_with("goray: ")) text.remove_prefix(7);
  throw std::length_error("goray: " + std::string(where) + ": " + std::string(text));
}

std::size_t WriteTimestamp(char* out, std::int64_t seconds, std::uint32_t nanoseconds) {
  const auto unsigned_seconds = static_cast<std::uint64_t>(seconds);
  if (seconds >= 0 && (unsigned_seconds >> 34) == 0) {
    if (nanoseconds == 0 && (unsigned_seconds >> 32) == 0) {
      StoreBigEndian(out, unsigned_seconds, 4);
      return 4;
    }
    StoreBigEndian(out, (std::uint64_t{nanoseconds} << 34) | unsigned_seconds, 8);
    return 8;
  }
  StoreBigEndian(out, nanoseconds, 4);
  StoreBigEndian(out + 4, unsigned_seconds, 8);
  return 12;
}

void EncodeTimestamp(Packer& packer, std::int64_t seconds, std::uint32_t nanoseconds) {
  char bytes[12];
  const auto size = static_cast<std::uint32_t>(WriteTimestamp(bytes, seconds, nanoseconds));
  packer.pack_ext(size, kTimestampType);
  packer.pack_ext_body(bytes, size);
}

void SplitTimePoint(TimePoint time, std::int64_t& seconds, std::uint32_t& nanoseconds) {
  using Duration = TimePoint::duration;
  const Duration since_epoch = time.time_since_epoch();
  // Seconds rounded toward negative infinity, computed without overflow at the
  // ends of the clock's range.
  auto whole = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  Duration rest = since_epoch - std::chrono::duration_cast<Duration>(whole);
  if (rest < Duration::zero()) {
    whole -= std::chrono::seconds(1);
    rest += std::chrono::duration_cast<Duration>(std::chrono::seconds(1));
  }
  seconds = whole.count();
  nanoseconds = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(rest).count());
}

void EncodeTimePoint(Packer& packer, TimePoint time) {
  std::int64_t seconds = 0;
  std::uint32_t nanoseconds = 0;
  SplitTimePoint(time, seconds, nanoseconds);
  EncodeTimestamp(packer, seconds, nanoseconds);
}

}  // namespace goray::codec::detail
