// The non-template parts of goray/detail/value_exts.h: complex numbers, paths and
// durations on the wire, which alternative of a variant a value is, and the DecodeError
// of a value that is not the type asked for (ThrowDecodeError).
// Tests: tests/cpp/value_exts_test.cpp, tests/scanner/rules_test.cpp
#include "goray/detail/value_exts.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "goray/detail/features.h"

namespace goray::codec::detail {
namespace {

void PutLe(char* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t GetLe(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

bool IsExt(const msgpack::object& object, std::int8_t type) {
  return object.type == msgpack::type::EXT && object.via.ext.type() == type;
}

// A number as a part of a complex: a float, or an int converted to the nearest double.
bool Part(const msgpack::object& object, double& out) {
  switch (object.type) {
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      out = object.via.f64;
      return true;
    case msgpack::type::POSITIVE_INTEGER:
      out = static_cast<double>(object.via.u64);
      return true;
    case msgpack::type::NEGATIVE_INTEGER:
      out = static_cast<double>(object.via.i64);
      return true;
    default:
      return false;
  }
}

// Floats by hand, as encode.h writes them (msgpack-c would write 2.0 as an int).
void PackFloat(Packer& packer, double value, bool single) {
  char bytes[9];
  if (single) {
    const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(value));
    bytes[0] = static_cast<char>(0xca);
    for (int i = 0; i < 4; ++i) bytes[1 + i] = static_cast<char>(bits >> (24 - 8 * i));
    packer.pack_bin_body(bytes, 5);
  } else {
    const auto bits = std::bit_cast<std::uint64_t>(value);
    bytes[0] = static_cast<char>(0xcb);
    for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
    packer.pack_bin_body(bytes, 9);
  }
}

std::uint32_t Length(std::size_t size, const char* what) {
  if (size > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error(std::string("goray: a ") + what + " of " + std::to_string(size) +
                            " bytes is over msgpack's limit of 4294967295 (2^32 - 1)");
  }
  return static_cast<std::uint32_t>(size);
}

bool FitsFloat(double value) noexcept { return std::fabs(value) < 0x1.ffffffp127 || !std::isfinite(value); }

std::string NanosText(WideInt nanoseconds) {
  const bool negative = nanoseconds < 0;
  WideUnsigned magnitude = negative ? static_cast<WideUnsigned>(-nanoseconds)
                                         : static_cast<WideUnsigned>(nanoseconds);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  return (negative ? "-" : "") + digits + " ns";
}

}  // namespace

// Declared in value_exts.h (and decode.h): the lowest codec header whose templates throw it.
void ThrowDecodeError(std::string expected, const msgpack::object& received) {
  throw DecodeError(std::move(expected), ReceivedDescription(received));
}

bool ValueExtsOn() noexcept { return goray::detail::FeatureOn(goray::detail::kFeatureValueExts); }

void EncodeComplexParts(Packer& packer, double re, double im, bool single) {
  if (!ValueExtsOn()) {  // GoRay's driver: [re, im], as nested complex array elements
    packer.pack_array(2);
    PackFloat(packer, re, single);
    PackFloat(packer, im, single);
    return;
  }
  char body[16];
  if (single) {
    PutLe(body, std::bit_cast<std::uint32_t>(static_cast<float>(re)), 4);
    PutLe(body + 4, std::bit_cast<std::uint32_t>(static_cast<float>(im)), 4);
  } else {
    PutLe(body, std::bit_cast<std::uint64_t>(re), 8);
    PutLe(body + 8, std::bit_cast<std::uint64_t>(im), 8);
  }
  const std::uint32_t size = single ? 8 : 16;
  packer.pack_ext(size, kExtComplex);
  packer.pack_ext_body(body, size);
}

void DecodeComplexParts(const msgpack::object& object, double& re, double& im, bool single,
                        const std::string& expected) {
  bool taken = false;
  if (IsExt(object, kExtComplex) && object.via.ext.size == 16) {
    re = std::bit_cast<double>(GetLe(object.via.ext.data(), 8));
    im = std::bit_cast<double>(GetLe(object.via.ext.data() + 8, 8));
    taken = true;
  } else if (IsExt(object, kExtComplex) && object.via.ext.size == 8) {
    re = std::bit_cast<float>(static_cast<std::uint32_t>(GetLe(object.via.ext.data(), 4)));
    im = std::bit_cast<float>(static_cast<std::uint32_t>(GetLe(object.via.ext.data() + 4, 4)));
    taken = true;
  } else if (Part(object, re)) {
    im = 0;
    taken = true;
  } else if (object.type == msgpack::type::ARRAY && object.via.array.size == 2) {
    taken = Part(object.via.array.ptr[0], re) && Part(object.via.array.ptr[1], im);
  }
  if (!taken || (single && (!FitsFloat(re) || !FitsFloat(im)))) ThrowDecodeError(expected, object);
}

void EncodePath(Packer& packer, const std::filesystem::path& path) {
  const std::string& bytes = path.native();
  const std::uint32_t size = Length(bytes.size(), "path");
  if (ValueExtsOn()) {
    packer.pack_ext(size, kExtPath);
    packer.pack_ext_body(bytes.data(), size);
    return;
  }
  // GoRay's driver: a str, or a bin for bytes that are not UTF-8 (Go takes either).
  bool utf8 = true;
  for (std::size_t i = 0; i < bytes.size() && utf8;) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    const std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 6 ? 2 : (byte >> 4) == 14 ? 3
                               : (byte >> 3) == 30 ? 4 : 0;
    utf8 = length != 0 && i + length <= bytes.size();
    for (std::size_t k = 1; utf8 && k < length; ++k) {
      utf8 = (static_cast<unsigned char>(bytes[i + k]) >> 6) == 2;
    }
    i += length;
  }
  if (utf8) {
    packer.pack_str(size);
    packer.pack_str_body(bytes.data(), size);
  } else {
    packer.pack_bin(size);
    packer.pack_bin_body(bytes.data(), size);
  }
}

void DecodePath(const msgpack::object& object, std::filesystem::path& out) {
  if (IsExt(object, kExtPath)) {
    out = std::filesystem::path(std::string(object.via.ext.data(), object.via.ext.size));
  } else if (object.type == msgpack::type::STR) {
    out = std::filesystem::path(std::string(object.via.str.ptr, object.via.str.size));
  } else if (object.type == msgpack::type::BIN) {
    out = std::filesystem::path(std::string(object.via.bin.ptr, object.via.bin.size));
  } else {
    ThrowDecodeError("std::filesystem::path", object);
  }
}

void EncodeDurationNanos(Packer& packer, WideInt nanoseconds, const std::string& type) {
  WideInt seconds = nanoseconds / kNanosPerSecond;
  WideInt remainder = nanoseconds % kNanosPerSecond;
  if (remainder < 0) {
    remainder += kNanosPerSecond;
    seconds -= 1;
  }
  if (seconds > std::numeric_limits<std::int64_t>::max() || seconds < std::numeric_limits<std::int64_t>::min()) {
    throw std::out_of_range("goray: a " + type + " of " + NanosText(nanoseconds) +
                            " is beyond the wire's 64-bit seconds");
  }
  if (!ValueExtsOn()) {  // GoRay's driver: an int of nanoseconds (Go's time.Duration)
    if (nanoseconds > std::numeric_limits<std::int64_t>::max() ||
        nanoseconds < std::numeric_limits<std::int64_t>::min()) {
      throw std::out_of_range("goray: a " + type + " of " + NanosText(nanoseconds) +
                              " is beyond an int64 of nanoseconds (Go's time.Duration)");
    }
    packer.pack_int64(static_cast<std::int64_t>(nanoseconds));
    return;
  }
  char body[12];
  PutLe(body, static_cast<std::uint64_t>(static_cast<std::int64_t>(seconds)), 8);
  PutLe(body + 8, static_cast<std::uint64_t>(remainder), 4);
  packer.pack_ext(sizeof body, kExtDuration);
  packer.pack_ext_body(body, sizeof body);
}

WideInt DecodeDurationNanos(const msgpack::object& object, const std::string& expected) {
  if (IsExt(object, kExtDuration) && object.via.ext.size == 12) {
    const auto seconds = static_cast<std::int64_t>(GetLe(object.via.ext.data(), 8));
    const auto nanos = static_cast<std::uint32_t>(GetLe(object.via.ext.data() + 8, 4));
    if (nanos >= kNanosPerSecond) ThrowDecodeError(expected, object);
    return static_cast<WideInt>(seconds) * kNanosPerSecond + nanos;
  }
  if (object.type == msgpack::type::POSITIVE_INTEGER) return static_cast<WideInt>(object.via.u64);
  if (object.type == msgpack::type::NEGATIVE_INTEGER) return static_cast<WideInt>(object.via.i64);
  ThrowDecodeError(expected, object);
}

void ThrowInexactDuration(const std::string& expected, WideInt nanoseconds) {
  throw DecodeError(expected, "a duration of " + NanosText(nanoseconds) +
                                  ", which it cannot hold exactly");
}

void ThrowUnencodableDuration(const std::string& type, long long count) {
  throw std::invalid_argument("goray: a " + type + " of " + std::to_string(count) +
                              " is no whole number of nanoseconds");
}

std::string_view DecodeStringView(const msgpack::object& object, const std::string& expected) {
  if (object.type == msgpack::type::STR) return {object.via.str.ptr, object.via.str.size};
  if (object.type == msgpack::type::BIN) return {object.via.bin.ptr, object.via.bin.size};
  ThrowDecodeError(expected, object);
}

int VariantClasses(const msgpack::object& object, VariantClass (&out)[4]) {
  using C = VariantClass;
  auto set = [&out](std::initializer_list<C> classes) {
    int count = 0;
    for (C c : classes) out[count++] = c;
    return count;
  };
  switch (object.type) {
    case msgpack::type::NIL: return set({C::kNil});
    case msgpack::type::BOOLEAN: return set({C::kBool});
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER: return set({C::kInteger, C::kFloat, C::kComplex});
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return set({C::kFloat, C::kComplex});
    case msgpack::type::STR: return set({C::kString, C::kPath, C::kBytes});
    case msgpack::type::BIN: return set({C::kBytes, C::kString, C::kPath});
    case msgpack::type::ARRAY: return set({C::kSequence, C::kArray});
    case msgpack::type::MAP: return set({C::kMap});
    case msgpack::type::EXT: {
      const std::int8_t type = object.via.ext.type();
      if (type == kExtComplex) return set({C::kComplex});
      if (type == kExtPath) return set({C::kPath});
      if (type == kExtDuration) return set({C::kDuration});
      if (type == -1) return set({C::kTime});
      if (type == kExtObjectRef) return set({C::kObjectRef});
      if (type == kExtActorHandle) return set({C::kActorHandle});
      if (IsArrayExt(object)) return set({C::kArray, C::kSequence, C::kBytes, C::kString});
      return 0;
    }
    default: return 0;
  }
}

}  // namespace goray::codec::detail
