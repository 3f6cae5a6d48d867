// The non-template parts of goray/detail/decode.h: the cold paths that throw DecodeError
// with where in the value it happened, and timestamps (ext -1) read.
// Tests: tests/cpp/codec_test.cpp
#include "goray/detail/decode.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "codec/key_text.h"

namespace goray::codec::detail {
namespace {

// msgpack's timestamp ext type.
constexpr std::int8_t kTimestampType = -1;

template <class Number>
void AppendNumber(std::string& out, Number number) {
  char digits[64];
  const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, result.ptr);
}

std::uint64_t LoadBigEndian(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

}  // namespace

std::string KeyText(const msgpack::object& key) {
  std::string text;
  const char* data = nullptr;
  std::size_t size = 0;
  if (detail::RawBytes(key, data, size)) {
    text.reserve(size + 2);
    text += '"';
    for (std::size_t i = 0; i < size; ++i) {
      const auto byte = static_cast<unsigned char>(data[i]);
      if (byte == '"' || byte == '\\') {
        text += '\\';
        text += static_cast<char>(byte);
      } else if (byte < 0x20 || byte == 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        text += "\\x";
        text += kHex[byte >> 4];
        text += kHex[byte & 0xf];
      } else {
        text += static_cast<char>(byte);
      }
    }
    text += '"';
  } else if (key.type == msgpack::type::POSITIVE_INTEGER) {
    AppendNumber(text, key.via.u64);
  } else if (key.type == msgpack::type::NEGATIVE_INTEGER) {
    AppendNumber(text, key.via.i64);
  } else {
    text = ReceivedDescription(key);
  }
  return text;
}

void ThrowDecodeErrorAtIndex(std::string expected, const msgpack::object& received,
                             std::size_t index) {
  throw DecodeError(std::move(expected), ReceivedDescription(received),
                    "[" + std::to_string(index) + "]");
}

void ThrowLengthMismatch(std::string expected, std::size_t received_length) {
  throw DecodeError(std::move(expected), "array of " + std::to_string(received_length));
}

void RethrowAtIndex(const DecodeError& error, std::size_t index) {
  throw error.Within("[" + std::to_string(index) + "]");
}

void RethrowAtKey(const DecodeError& error, const msgpack::object& key) {
  throw error.Within("[" + KeyText(key) + "]");
}

void RethrowInKey(const DecodeError& error, const msgpack::object& key) {
  throw error.Within("[key " + KeyText(key) + "]");
}

void RethrowAtField(const DecodeError& error, std::string_view name) {
  std::string prefix;
  prefix.reserve(name.size() + 1);
  prefix += '.';
  prefix.append(name);
  throw error.Within(prefix);
}

bool ReadTimestamp(const msgpack::object& object, std::int64_t& seconds,
                   std::uint32_t& nanoseconds) {
  if (object.type != msgpack::type::EXT || object.via.ext.type() != kTimestampType) return false;
  const char* data = object.via.ext.data();
  switch (object.via.ext.size) {
    case 4:
      seconds = static_cast<std::int64_t>(LoadBigEndian(data, 4));
      nanoseconds = 0;
      return true;
    case 8: {
      const std::uint64_t packed = LoadBigEndian(data, 8);
      seconds = static_cast<std::int64_t>(packed & ((std::uint64_t{1} << 34) - 1));
      nanoseconds = static_cast<std::uint32_t>(packed >> 34);
      return nanoseconds < kNanosPerSecond;
    }
    case 12:
      nanoseconds = static_cast<std::uint32_t>(LoadBigEndian(data, 4));
      seconds = static_cast<std::int64_t>(LoadBigEndian(data + 4, 8));
      return nanoseconds < kNanosPerSecond;
    default:
      return false;
  }
}

bool TimestampToTimePoint(std::int64_t seconds, std::uint32_t nanoseconds, TimePoint& out) {
  // Nanoseconds since the epoch, computed so that the negative end does not
  // overflow early: (s + 1) * 1e9 - (1e9 - ns) when s < 0 and ns > 0.
  std::int64_t whole = seconds;
  std::int64_t fraction = nanoseconds;
  if (seconds < 0 && nanoseconds > 0) {
    whole = seconds + 1;
    fraction = static_cast<std::int64_t>(nanoseconds) - kNanosPerSecond;
  }
  std::int64_t total = 0;
  if (__builtin_mul_overflow(whole, std::int64_t{kNanosPerSecond}, &total) ||
      __builtin_add_overflow(total, fraction, &total)) {
    return false;
  }
  const std::chrono::nanoseconds since_epoch(total);
  if constexpr (std::ratio_less_v<TimePoint::period, std::nano>) {
    // A clock finer than nanoseconds: check its range.
    if (since_epoch > std::chrono::duration_cast<std::chrono::nanoseconds>(
                          TimePoint::duration::max()) ||
        since_epoch < std::chrono::duration_cast<std::chrono::nanoseconds>(
                          TimePoint::duration::min())) {
      return false;
    }
  }
  out = TimePoint(std::chrono::floor<TimePoint::duration>(since_epoch));
  return true;
}

void DecodeTimePoint(const msgpack::object& object, TimePoint& out) {
  std::int64_t seconds = 0;
  std::uint32_t nanoseconds = 0;
  if (!ReadTimestamp(object, seconds, nanoseconds)) {
    ThrowMismatch<TimePoint>(object);
  }
  if (!TimestampToTimePoint(seconds, nanoseconds, out)) {
    throw DecodeError(TypeName<TimePoint>(),
                      "timestamp " + std::to_string(seconds) + "s (out of the clock's range)");
  }
}

}  // namespace goray::codec::detail
