// The non-template parts of the value codec: DecodeError, descriptions of
// received msgpack values, error paths, and timestamps (ext -1).
#include "goray/codec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace goray::codec {
namespace {

constexpr std::int8_t kTimestampType = -1;
constexpr std::uint32_t kNanosPerSecond = 1000000000;

std::string Message(const std::string& expected, const std::string& received,
                    const std::string& path) {
  std::string message = "expected " + expected + ", received " + received;
  if (!path.empty()) message += " (at " + path + ")";
  return message;
}

// "without field .lon (double, in geo::Point)" and the like: a struct's field problem
// after the word for what was received.
std::string FieldProblem(DecodeError::Kind kind, const std::string& struct_name,
                         const std::string& field_type, const std::string& path) {
  switch (kind) {
    case DecodeError::Kind::kMissingField:
      return "without field " + path + " (" + field_type + ", in " + struct_name + ")";
    case DecodeError::Kind::kUnknownField:
      return "with unknown field " + (path.empty() ? "(a key)" : path) + " (not in " + struct_name + ")";
    case DecodeError::Kind::kRepeatedField:
      return "with field " + path + " twice (in " + struct_name + ")";
    case DecodeError::Kind::kValue:
      break;
  }
  return {};
}

// The what() of a struct's field problem: "missing field .lon (double, in geo::Point)".
std::string FieldMessage(DecodeError::Kind kind, const std::string& struct_name,
                         const std::string& field_type, const std::string& path) {
  switch (kind) {
    case DecodeError::Kind::kMissingField:
      return "missing field " + path + " (" + field_type + ", in " + struct_name + ")";
    case DecodeError::Kind::kUnknownField:
      return "unknown field " + (path.empty() ? "(a key)" : path) + " (not in " + struct_name + ")";
    case DecodeError::Kind::kRepeatedField:
      return "repeated field " + path + " (in " + struct_name + ")";
    case DecodeError::Kind::kValue:
      break;
  }
  return {};
}

template <class Number>
void AppendNumber(std::string& out, Number number) {
  char digits[64];
  const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, result.ptr);
}

// A map key as it appears in a path: "\"k\"" for strings (escaped), "5" for ints.
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

void StoreBigEndian(char* out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

std::uint64_t LoadBigEndian(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

}  // namespace

DecodeError::DecodeError(std::string expected, std::string received, std::string path)
    : std::runtime_error(Message(expected, received, path)),
      expected_(std::move(expected)),
      received_(std::move(received)),
      path_(std::move(path)) {}

DecodeError::DecodeError(Kind kind, std::string struct_name, std::string expected,
                         std::string path)
    : std::runtime_error(FieldMessage(kind, struct_name, expected, path)),
      expected_(std::move(expected)),
      path_(std::move(path)),
      struct_name_(std::move(struct_name)),
      kind_(kind) {}

DecodeError DecodeError::Within(std::string_view prefix) const {
  std::string path;
  path.reserve(prefix.size() + path_.size());
  path.append(prefix);
  path.append(path_);
  if (kind_ != Kind::kValue) return DecodeError(kind_, struct_name_, expected_, std::move(path));
  return DecodeError(expected_, received_, std::move(path));
}

std::string DescribeReceived(const DecodeError& error, std::string_view outer) {
  if (error.kind() != DecodeError::Kind::kValue) {
    return std::string(outer) + " " +
           FieldProblem(error.kind(), error.struct_name(), error.expected(), error.path());
  }
  if (error.path().empty()) return error.received();
  return std::string(outer) + " (at " + error.path() + ": expected " + error.expected() +
         ", received " + error.received() + ")";
}

std::string_view ReceivedTypeName(const msgpack::object& object) {
  switch (object.type) {
    case msgpack::type::NIL:
      return "nil";
    case msgpack::type::BOOLEAN:
      return "bool";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
      return "int";
    case msgpack::type::FLOAT32:
      return "float32";
    case msgpack::type::FLOAT64:
      return "float64";
    case msgpack::type::STR:
      return "str";
    case msgpack::type::BIN:
      return "bin";
    case msgpack::type::ARRAY:
      return "array";
    case msgpack::type::MAP:
      return "map";
    case msgpack::type::EXT:
      return "ext";
  }
  return "unknown";
}

std::string ReceivedDescription(const msgpack::object& object) {
  std::string text(ReceivedTypeName(object));
  switch (object.type) {
    case msgpack::type::POSITIVE_INTEGER:
      text += ' ';
      AppendNumber(text, object.via.u64);
      break;
    case msgpack::type::NEGATIVE_INTEGER:
      text += ' ';
      AppendNumber(text, object.via.i64);
      break;
    case msgpack::type::FLOAT32:
      text += ' ';
      AppendNumber(text, static_cast<float>(object.via.f64));
      break;
    case msgpack::type::FLOAT64:
      text += ' ';
      AppendNumber(text, object.via.f64);
      break;
    case msgpack::type::EXT:
      if (object.via.ext.type() == kTimestampType) {
        text = "timestamp";
      } else if (object.via.ext.type() == detail::kExtObjectRef && object.via.ext.size == 8) {
        text = "ObjectRef (ext 73)";
      } else if (object.via.ext.type() == detail::kExtActorHandle && object.via.ext.size == 8) {
        text = "ActorHandle (ext 74)";
      } else if (std::string array = detail::DescribeArrayExt(object); !array.empty()) {
        text = std::move(array);
      } else if (object.via.ext.type() == detail::kExtComplex) {
        text = "complex (ext 75)";
      } else if (object.via.ext.type() == detail::kExtPath) {
        text = "path (ext 76)";
      } else if (object.via.ext.type() == detail::kExtDuration) {
        text = "duration (ext 77)";
      } else {
        text += ' ';
        AppendNumber(text, static_cast<int>(object.via.ext.type()));
      }
      break;
    default:
      break;
  }
  return text;
}

namespace detail {

void ThrowDecodeError(std::string expected, const msgpack::object& received) {
  throw DecodeError(std::move(expected), ReceivedDescription(received));
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

void ThrowMissingField(std::string struct_name, std::string field_type, std::string_view name) {
  std::string path;
  path.reserve(name.size() + 1);
  path += '.';
  path.append(name);
  throw DecodeError(DecodeError::Kind::kMissingField, std::move(struct_name),
                    std::move(field_type), std::move(path));
}

namespace {

[[noreturn]] void ThrowUnmatchedKey(std::string struct_name, const msgpack::object& key,
                                    bool repeated) {
  // ".name" for a plain name, else the key as a map path shows it: ["a b"], [5].
  const char* data = nullptr;
  std::size_t size = 0;
  bool plain = RawBytes(key, data, size) && size > 0;
  for (std::size_t i = 0; plain && i < size; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    plain = std::isalnum(byte) != 0 || byte == '_';
  }
  throw DecodeError(repeated ? DecodeError::Kind::kRepeatedField : DecodeError::Kind::kUnknownField,
                    std::move(struct_name), "",
                    plain ? "." + std::string(data, size) : "[" + KeyText(key) + "]");
}

bool SameKey(const msgpack::object& a, const msgpack::object& b) {
  const char* a_data = nullptr;
  const char* b_data = nullptr;
  std::size_t a_size = 0;
  std::size_t b_size = 0;
  return RawBytes(a, a_data, a_size) && RawBytes(b, b_data, b_size) && a_size == b_size &&
         (a_size == 0 || std::memcmp(a_data, b_data, a_size) == 0);
}

}  // namespace

void CheckStructKeys(const std::string& struct_name, const msgpack::object_kv* entries,
                     std::uint32_t count, const std::vector<StructField>* fields) {
  auto is_field = [&](const msgpack::object& key) {
    const char* data = nullptr;
    std::size_t size = 0;
    if (!RawBytes(key, data, size)) return false;
    const std::string_view name(data, size);
    return std::any_of(fields->begin(), fields->end(),
                       [&](const StructField& field) { return field.name == name; });
  };
  if (fields != nullptr) {
    for (std::uint32_t index = 0; index < count; ++index) {
      if (!is_field(entries[index].key)) ThrowUnmatchedKey(struct_name, entries[index].key, false);
    }
  }
  for (std::uint32_t index = 1; index < count; ++index) {
    for (std::uint32_t earlier = 0; earlier < index; ++earlier) {
      if (SameKey(entries[earlier].key, entries[index].key)) {
        ThrowUnmatchedKey(struct_name, entries[index].key, true);
      }
    }
  }
  if (fields == nullptr) {
    throw DecodeError(DecodeError::Kind::kUnknownField, struct_name, "", "");
  }
}

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

}  // namespace detail
}  // namespace goray::codec
