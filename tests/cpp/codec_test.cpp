// The value codec (goray/codec.h): every row of docs/protocol.md §5 both
// ways, with limits, error messages and paths, and user struct adaptors.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <source_location>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "goray/codec.h"

// ---- A user struct with a hand-written adaptor (the shape goray-gen emits) --

// Not in the anonymous namespace: the tests check the names the compiler gives these
// types ("geo::Shape"). No other test file may define a namespace geo
// (check_test_symbols.py).
namespace geo {

enum class Color : std::uint8_t { kRed = 1, kGreen = 2, kBlue = 200 };
enum Level : std::int8_t { kLow = -5, kHigh = 5 };

struct Inner {
  std::int32_t x = 0;
  std::int32_t y = 0;
  friend bool operator==(const Inner&, const Inner&) = default;
};

struct Shape {
  std::string name = "unnamed";
  Inner inner;
  Color color = Color::kRed;
  std::optional<double> weight;
  std::vector<Inner> points;
  std::map<std::string, std::int64_t> tags;
  friend bool operator==(const Shape&, const Shape&) = default;
};

// A hand-written adaptor that reports failure the msgpack-c way.
struct Legacy {
  int value = 0;
};

// A hand-written adaptor of the pattern before StructDecoder::End().
struct OldStyle {
  std::int64_t value = 0;
};

// More fields than the decoder marks in one word: f0 ... f69.
struct Wide {
  std::array<std::int32_t, 70> values{};
};

}  // namespace geo

namespace {
namespace renamed {
struct Thing {
  int value = 0;
};
}  // namespace renamed
}  // namespace

template <>
struct goray::codec::TypeNameOverride<renamed::Thing> {
  static constexpr std::string_view value = "my::Thing";
};

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <>
struct pack<::geo::Inner> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer, const ::geo::Inner& value) const {
    goray::codec::EncodeStructHeader(packer, 2);
    goray::codec::EncodeField(packer, "x", value.x);
    goray::codec::EncodeField(packer, "y", value.y);
    return packer;
  }
};

template <>
struct convert<::geo::Inner> {
  const msgpack::object& operator()(const msgpack::object& object, ::geo::Inner& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("x", value.x);
    decoder.Field("y", value.y);
    decoder.End();
    return object;
  }
};

template <>
struct pack<::geo::Shape> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer, const ::geo::Shape& value) const {
    goray::codec::EncodeStructHeader(packer, 6);
    goray::codec::EncodeField(packer, "name", value.name);
    goray::codec::EncodeField(packer, "inner", value.inner);
    goray::codec::EncodeField(packer, "color", value.color);
    goray::codec::EncodeField(packer, "weight", value.weight);
    goray::codec::EncodeField(packer, "points", value.points);
    goray::codec::EncodeField(packer, "tags", value.tags);
    return packer;
  }
};

template <>
struct convert<::geo::Shape> {
  const msgpack::object& operator()(const msgpack::object& object, ::geo::Shape& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("name", value.name);
    decoder.Field("inner", value.inner);
    decoder.Field("color", value.color);
    decoder.Field("weight", value.weight);
    decoder.Field("points", value.points);
    decoder.Field("tags", value.tags);
    decoder.End();
    return object;
  }
};

template <>
struct convert<::geo::OldStyle> {
  const msgpack::object& operator()(const msgpack::object& object, ::geo::OldStyle& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("value", value.value);
    return object;
  }
};

template <>
struct convert<::geo::Wide> {
  const msgpack::object& operator()(const msgpack::object& object, ::geo::Wide& value) const {
    static const std::array<std::string, 70> names = [] {
      std::array<std::string, 70> made;
      for (std::size_t i = 0; i < made.size(); ++i) made[i] = "f" + std::to_string(i);
      return made;
    }();
    goray::codec::StructDecoder decoder(object, value);
    for (std::size_t i = 0; i < names.size(); ++i) decoder.Field(names[i], value.values[i]);
    decoder.End();
    return object;
  }
};

template <>
struct convert<::geo::Legacy> {
  const msgpack::object& operator()(const msgpack::object& object, ::geo::Legacy& value) const {
    if (object.type != msgpack::type::POSITIVE_INTEGER) throw msgpack::type_error();
    value.value = static_cast<int>(object.via.u64);
    return object;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

namespace {

using goray::codec::Buffer;
using goray::codec::Decode;
using goray::codec::DecodeError;
using goray::codec::DecodeInto;
using goray::codec::Encode;
using goray::codec::Packer;
using goray::codec::TypeName;
using TimePoint = std::chrono::system_clock::time_point;

// ---- Helpers ---------------------------------------------------------------

template <class T>
std::string Pack(const T& value) {
  Buffer buffer;
  Packer packer(buffer);
  Encode(packer, value);
  return std::string(buffer.data(), buffer.size());
}

// Bytes written by hand through msgpack-c's packer.
template <class Write>
std::string Raw(Write write) {
  Buffer buffer;
  Packer packer(buffer);
  write(packer);
  return std::string(buffer.data(), buffer.size());
}

std::string Hex(std::initializer_list<int> bytes) {
  std::string out;
  for (int byte : bytes) out += static_cast<char>(byte);
  return out;
}

template <class T>
T Unpack(std::string_view bytes) {
  const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  return Decode<T>(handle.get());
}

template <class T>
T RoundTrip(const T& value) {
  return Unpack<T>(Pack(value));
}

// The DecodeError that decoding `bytes` as T throws.
template <class T>
DecodeError FailureOf(std::string_view bytes) {
  try {
    (void)Unpack<T>(bytes);
  } catch (const DecodeError& error) {
    return error;
  }
  ADD_FAILURE() << "decoding as " << TypeName<T>() << " did not fail";
  return DecodeError("", "");
}

// Expects decoding `bytes` as T to fail with exactly these parts.
template <class T>
void ExpectDecodeError(std::string_view bytes, std::string_view expected,
                       std::string_view received, std::string_view path,
                       std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                    "decoding as " + TypeName<T>());
  const DecodeError error = FailureOf<T>(bytes);
  EXPECT_EQ(error.expected(), expected);
  EXPECT_EQ(error.received(), received);
  EXPECT_EQ(error.path(), path);
}

// ---- Type names ------------------------------------------------------------

TEST(TypeName, Scalars) {
  EXPECT_EQ(TypeName<bool>(), "bool");
  EXPECT_EQ(TypeName<std::int8_t>(), "int8_t");
  EXPECT_EQ(TypeName<std::int16_t>(), "int16_t");
  EXPECT_EQ(TypeName<std::int32_t>(), "int32_t");
  EXPECT_EQ(TypeName<std::int64_t>(), "int64_t");
  EXPECT_EQ(TypeName<std::uint8_t>(), "uint8_t");
  EXPECT_EQ(TypeName<std::uint16_t>(), "uint16_t");
  EXPECT_EQ(TypeName<std::uint32_t>(), "uint32_t");
  EXPECT_EQ(TypeName<std::uint64_t>(), "uint64_t");
  EXPECT_EQ(TypeName<int>(), "int32_t");
  EXPECT_EQ(TypeName<char>(), "char");
  EXPECT_EQ(TypeName<float>(), "float");
  EXPECT_EQ(TypeName<double>(), "double");
  EXPECT_EQ(TypeName<std::string>(), "std::string");
  EXPECT_EQ(TypeName<std::byte>(), "std::byte");
  EXPECT_EQ(TypeName<TimePoint>(), "std::chrono::system_clock::time_point");
  EXPECT_EQ(TypeName<goray::Value>(), "goray::Value");
  // cv and references are not spelled.
  EXPECT_EQ(TypeName<const std::string&>(), "std::string");
}

TEST(TypeName, BuiltinsThatAreNotFixedWidthKeepTheirSpelling) {
  // Exactly one of long / long long is int64_t; the other keeps its own name.
  if constexpr (std::is_same_v<long, std::int64_t>) {
    EXPECT_EQ(TypeName<long>(), "int64_t");
    EXPECT_EQ(TypeName<long long>(), "long long");
    EXPECT_EQ(TypeName<unsigned long long>(), "unsigned long long");
  } else {
    EXPECT_EQ(TypeName<long long>(), "int64_t");
    EXPECT_EQ(TypeName<long>(), "long");
  }
}

TEST(TypeName, Containers) {
  EXPECT_EQ(TypeName<std::vector<std::int32_t>>(), "std::vector<int32_t>");
  EXPECT_EQ(TypeName<std::vector<std::byte>>(), "std::vector<std::byte>");
  EXPECT_EQ(TypeName<std::vector<std::uint8_t>>(), "std::vector<uint8_t>");
  EXPECT_EQ((TypeName<std::array<double, 3>>()), "std::array<double, 3>");
  EXPECT_EQ(TypeName<std::list<std::string>>(), "std::list<std::string>");
  EXPECT_EQ(TypeName<std::set<std::int64_t>>(), "std::set<int64_t>");
  EXPECT_EQ(TypeName<std::deque<std::uint8_t>>(), "std::deque<uint8_t>");
  EXPECT_EQ(TypeName<std::unordered_set<std::string>>(), "std::unordered_set<std::string>");
  EXPECT_EQ((TypeName<std::pair<std::string, double>>()), "std::pair<std::string, double>");
  EXPECT_EQ((TypeName<std::map<std::string, std::int64_t>>()), "std::map<std::string, int64_t>");
  EXPECT_EQ((TypeName<std::unordered_map<std::int32_t, std::vector<bool>>>()),
            "std::unordered_map<int32_t, std::vector<bool>>");
  EXPECT_EQ(TypeName<std::optional<std::uint16_t>>(), "std::optional<uint16_t>");
  EXPECT_EQ((TypeName<std::tuple<std::int64_t, std::string, bool>>()),
            "std::tuple<int64_t, std::string, bool>");
  EXPECT_EQ(TypeName<std::tuple<>>(), "std::tuple<>");
  EXPECT_EQ((TypeName<std::vector<std::map<std::string, std::optional<geo::Inner>>>>()),
            "std::vector<std::map<std::string, std::optional<geo::Inner>>>");
}

TEST(TypeName, UserTypesAreNamedByTheCompilerOrTheOverride) {
  EXPECT_EQ(TypeName<geo::Inner>(), "geo::Inner");
  EXPECT_EQ(TypeName<geo::Shape>(), "geo::Shape");
  EXPECT_EQ(TypeName<geo::Color>(), "geo::Color");
  EXPECT_EQ(TypeName<geo::Level>(), "geo::Level");
  EXPECT_EQ(TypeName<renamed::Thing>(), "my::Thing");
  EXPECT_EQ(TypeName<std::vector<renamed::Thing>>(), "std::vector<my::Thing>");
}

// ---- DecodeError and descriptions -------------------------------------------

TEST(DecodeError, MessageAndWithin) {
  const DecodeError error("int8_t", "int 300");
  EXPECT_STREQ(error.what(), "expected int8_t, received int 300");
  const DecodeError nested = error.Within("[2]").Within(".inner");
  EXPECT_EQ(nested.path(), ".inner[2]");
  EXPECT_EQ(nested.expected(), "int8_t");
  EXPECT_EQ(nested.received(), "int 300");
  EXPECT_STREQ(nested.what(), "expected int8_t, received int 300 (at .inner[2])");
}

TEST(DecodeError, ReceivedTypeNamesAndDescriptions) {
  struct Case {
    std::string bytes;
    std::string_view word;
    std::string description;
  };
  const Case cases[] = {
      {Hex({0xc0}), "nil", "nil"},
      {Hex({0xc3}), "bool", "bool"},
      {Hex({0xcd, 0x01, 0x2c}), "int", "int 300"},
      {Hex({0xff}), "int", "int -1"},
      {Pack(1.5f), "float32", "float32 1.5"},
      {Pack(2.5), "float64", "float64 2.5"},
      {Pack(std::string("x")), "str", "str"},
      {Pack(std::vector<std::uint8_t>{1}), "bin", "bin"},
      {Hex({0x90}), "array", "array"},
      {Hex({0x80}), "map", "map"},
      {Hex({0xd4, 0x05, 0x00}), "ext", "ext 5"},
      {Hex({0xd6, 0xff, 0, 0, 0, 1}), "ext", "timestamp"},
  };
  for (const Case& c : cases) {
    const msgpack::object_handle handle = msgpack::unpack(c.bytes.data(), c.bytes.size());
    EXPECT_EQ(goray::codec::ReceivedTypeName(handle.get()), c.word);
    EXPECT_EQ(goray::codec::ReceivedDescription(handle.get()), c.description);
  }
}

// ---- bool ------------------------------------------------------------------

TEST(Codec, Bool) {
  EXPECT_EQ(Pack(true), Hex({0xc3}));
  EXPECT_EQ(Pack(false), Hex({0xc2}));
  EXPECT_TRUE(RoundTrip(true));
  EXPECT_FALSE(RoundTrip(false));
  ExpectDecodeError<bool>(Hex({0x01}), "bool", "int 1", "");
  ExpectDecodeError<bool>(Hex({0xc0}), "bool", "nil", "");
}

// ---- Integers --------------------------------------------------------------

template <class T>
class IntegerTest : public ::testing::Test {};
using IntegerTypes = ::testing::Types<std::int8_t, std::int16_t, std::int32_t, std::int64_t,
                                      std::uint8_t, std::uint16_t, std::uint32_t, std::uint64_t>;
TYPED_TEST_SUITE(IntegerTest, IntegerTypes);

TYPED_TEST(IntegerTest, LimitsRoundTrip) {
  using T = TypeParam;
  for (T value : {std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), T{0}, T{1},
                  T{100}}) {
    EXPECT_EQ(RoundTrip(value), value);
  }
}

TYPED_TEST(IntegerTest, OnePastTheLimitsIsAnError) {
  using T = TypeParam;
  const std::string name = TypeName<T>();
  if constexpr (sizeof(T) < 8) {
    using Wide = std::int64_t;
    const Wide above = static_cast<Wide>(std::numeric_limits<T>::max()) + 1;
    ExpectDecodeError<T>(Pack(above), name, "int " + std::to_string(above), "");
    const Wide below = static_cast<Wide>(std::numeric_limits<T>::min()) - 1;
    ExpectDecodeError<T>(Pack(below), name, "int " + std::to_string(below), "");
  } else if constexpr (std::is_signed_v<T>) {
    const std::uint64_t above = std::uint64_t{1} << 63;
    ExpectDecodeError<T>(Pack(above), name, "int 9223372036854775808", "");
  } else {
    ExpectDecodeError<T>(Pack(std::int64_t{-1}), name, "int -1", "");
    ExpectDecodeError<T>(Pack(std::numeric_limits<std::int64_t>::min()), name,
                         "int -9223372036854775808", "");
  }
}

TYPED_TEST(IntegerTest, FloatsBoolsAndStringsAreNotIntegers) {
  using T = TypeParam;
  const std::string name = TypeName<T>();
  ExpectDecodeError<T>(Pack(2.0), name, "float64 2", "");
  ExpectDecodeError<T>(Pack(2.5f), name, "float32 2.5", "");
  ExpectDecodeError<T>(Pack(true), name, "bool", "");
  ExpectDecodeError<T>(Pack(std::string("7")), name, "str", "");
}

TYPED_TEST(IntegerTest, EveryIntFormatDecodes) {
  using T = TypeParam;
  // 5 written in every width, signed and unsigned.
  for (const std::string& bytes :
       {Hex({0x05}), Hex({0xcc, 5}), Hex({0xcd, 0, 5}), Hex({0xce, 0, 0, 0, 5}),
        Hex({0xcf, 0, 0, 0, 0, 0, 0, 0, 5}), Hex({0xd0, 5}), Hex({0xd1, 0, 5}),
        Hex({0xd2, 0, 0, 0, 5}), Hex({0xd3, 0, 0, 0, 0, 0, 0, 0, 5})}) {
    EXPECT_EQ(Unpack<T>(bytes), T{5});
  }
}

TEST(Codec, IntegersUseTheSmallestForm) {
  EXPECT_EQ(Pack(0), Hex({0x00}));
  EXPECT_EQ(Pack(std::int8_t{127}), Hex({0x7f}));
  EXPECT_EQ(Pack(std::int64_t{127}), Hex({0x7f}));
  EXPECT_EQ(Pack(128), Hex({0xcc, 0x80}));
  EXPECT_EQ(Pack(std::uint64_t{255}), Hex({0xcc, 0xff}));
  EXPECT_EQ(Pack(300), Hex({0xcd, 0x01, 0x2c}));
  EXPECT_EQ(Pack(-1), Hex({0xff}));
  EXPECT_EQ(Pack(-32), Hex({0xe0}));
  EXPECT_EQ(Pack(std::int64_t{-33}), Hex({0xd0, 0xdf}));
  EXPECT_EQ(Pack(std::int16_t{-129}), Hex({0xd1, 0xff, 0x7f}));
  EXPECT_EQ(Pack(std::numeric_limits<std::uint64_t>::max()),
            Hex({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Pack(std::numeric_limits<std::int64_t>::min()),
            Hex({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Pack(std::numeric_limits<std::int64_t>::max()),
            Hex({0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
}

TEST(Codec, Int64AndUint64Extremes) {
  EXPECT_EQ(RoundTrip(std::numeric_limits<std::int64_t>::min()),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(RoundTrip(std::numeric_limits<std::uint64_t>::max()),
            std::numeric_limits<std::uint64_t>::max());
  ExpectDecodeError<std::int64_t>(Pack(std::numeric_limits<std::uint64_t>::max()), "int64_t",
                                  "int 18446744073709551615", "");
  EXPECT_EQ(Unpack<std::uint64_t>(Pack(std::numeric_limits<std::int64_t>::max())),
            std::uint64_t{9223372036854775807u});
}

TEST(Codec, LongLongAndCharEncodeAsInts) {
  EXPECT_EQ(RoundTrip(-5LL), -5LL);
  EXPECT_EQ(RoundTrip(18446744073709551615ULL), 18446744073709551615ULL);
  EXPECT_EQ(Pack('A'), Hex({0x41}));
  EXPECT_EQ(RoundTrip('A'), 'A');
}

// ---- Floats ----------------------------------------------------------------

TEST(Codec, FloatIsFloat32AndDoubleIsFloat64) {
  EXPECT_EQ(Pack(1.5f), Hex({0xca, 0x3f, 0xc0, 0x00, 0x00}));
  EXPECT_EQ(Pack(1.5), Hex({0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(RoundTrip(0.1f), 0.1f);
  EXPECT_EQ(RoundTrip(0.1), 0.1);
  EXPECT_EQ(RoundTrip(std::numeric_limits<double>::max()), std::numeric_limits<double>::max());
  EXPECT_EQ(RoundTrip(std::numeric_limits<double>::denorm_min()),
            std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(RoundTrip(std::numeric_limits<float>::lowest()), std::numeric_limits<float>::lowest());
}

TEST(Codec, SpecialFloatsSurviveBitExact) {
  const double doubles[] = {std::numeric_limits<double>::quiet_NaN(),
                            -std::numeric_limits<double>::quiet_NaN(),
                            std::bit_cast<double>(std::uint64_t{0x7ff8000000000123}),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(), -0.0, 0.0};
  for (double value : doubles) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(RoundTrip(value)), std::bit_cast<std::uint64_t>(value));
  }
  const float floats[] = {std::numeric_limits<float>::quiet_NaN(),
                          std::bit_cast<float>(std::uint32_t{0x7fc00042}),
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(), -0.0f, 0.0f};
  for (float value : floats) {
    EXPECT_EQ(std::bit_cast<std::uint32_t>(RoundTrip(value)), std::bit_cast<std::uint32_t>(value));
  }
  EXPECT_EQ(Pack(-0.0), Hex({0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Codec, DoubleAcceptsFloat32AndInts) {
  EXPECT_EQ(Unpack<double>(Pack(1.25f)), 1.25);
  EXPECT_EQ(Unpack<double>(Pack(2)), 2.0);
  EXPECT_EQ(Unpack<double>(Pack(-3)), -3.0);
  EXPECT_EQ(Unpack<double>(Pack(std::numeric_limits<std::uint64_t>::max())),
            18446744073709551616.0);
  EXPECT_TRUE(std::isnan(Unpack<double>(Pack(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(Unpack<double>(Pack(-std::numeric_limits<float>::infinity())),
            -std::numeric_limits<double>::infinity());
}

TEST(Codec, FloatNarrowsFloat64AndAcceptsInts) {
  EXPECT_EQ(Unpack<float>(Pack(0.1)), 0.1f);  // precision is lost, as documented
  EXPECT_EQ(Unpack<float>(Pack(7)), 7.0f);
  EXPECT_EQ(Unpack<float>(Pack(std::numeric_limits<std::uint64_t>::max())), 0x1p64f);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(Unpack<float>(Pack(-0.0))),
            std::bit_cast<std::uint32_t>(-0.0f));
  constexpr float kMax = std::numeric_limits<float>::max();
  EXPECT_EQ(Unpack<float>(Pack(static_cast<double>(kMax))), kMax);
  EXPECT_EQ(Unpack<float>(Pack(-static_cast<double>(kMax))), -kMax);
  // Just below the midpoint between FLT_MAX and 2^128: rounds to FLT_MAX.
  EXPECT_EQ(Unpack<float>(Pack(std::nextafter(0x1.ffffffp127, 0.0))), kMax);
  EXPECT_EQ(Unpack<float>(Pack(1e-50)), 0.0f);  // underflow is rounding, not overflow
  EXPECT_TRUE(std::isnan(Unpack<float>(Pack(std::numeric_limits<double>::quiet_NaN()))));
  EXPECT_EQ(Unpack<float>(Pack(std::numeric_limits<double>::infinity())),
            std::numeric_limits<float>::infinity());
  EXPECT_EQ(Unpack<float>(Pack(-std::numeric_limits<double>::infinity())),
            -std::numeric_limits<float>::infinity());
}

TEST(Codec, FloatRefusesFloat64BeyondItsRange) {
  ExpectDecodeError<float>(Pack(1e40), "float", "float64 1e+40", "");
  ExpectDecodeError<float>(Pack(-1e300), "float", "float64 -1e+300", "");
  ExpectDecodeError<float>(Pack(0x1.ffffffp127), "float", "float64 3.4028235677973366e+38", "");
  ExpectDecodeError<std::vector<float>>(Pack(std::vector<double>{1, 1e40}), "float",
                                        "float64 1e+40", "[1]");
  ExpectDecodeError<std::map<std::string, float>>(Pack(std::map<std::string, double>{{"k", 1e40}}),
                                                  "float", "float64 1e+40", "[\"k\"]");
  EXPECT_EQ(Unpack<double>(Pack(1e300)), 1e300);  // double has the range
}

TEST(Codec, FloatErrors) {
  ExpectDecodeError<double>(Pack(std::string("1.5")), "double", "str", "");
  ExpectDecodeError<float>(Pack(true), "float", "bool", "");
  ExpectDecodeError<double>(Hex({0xc0}), "double", "nil", "");
}

// ---- Strings ---------------------------------------------------------------

TEST(Codec, Strings) {
  EXPECT_EQ(Pack(std::string("abc")), Hex({0xa3, 'a', 'b', 'c'}));
  EXPECT_EQ(Pack(std::string()), Hex({0xa0}));
  const std::string unicode = "h\xc3\xa9llo, \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x8c\x8d";
  EXPECT_EQ(RoundTrip(unicode), unicode);
  const std::string with_nul("a\0b\0", 4);
  EXPECT_EQ(RoundTrip(with_nul), with_nul);
  const std::string invalid_utf8("\xff\xfe\x80", 3);
  EXPECT_EQ(RoundTrip(invalid_utf8), invalid_utf8);
  for (std::size_t size : {31u, 32u, 255u, 256u, 65535u, 65536u}) {
    const std::string text(size, 'x');
    EXPECT_EQ(RoundTrip(text), text);
  }
  EXPECT_EQ(Pack(std::string(32, 'x')).substr(0, 2), Hex({0xd9, 32}));
  EXPECT_EQ(Pack(std::string(256, 'x')).substr(0, 3), Hex({0xda, 1, 0}));
  EXPECT_EQ(Pack(std::string(65536, 'x')).substr(0, 5), Hex({0xdb, 0, 1, 0, 0}));
}

TEST(Codec, StringLikeArgumentsEncodeAsStr) {
  EXPECT_EQ(Pack("abc"), Hex({0xa3, 'a', 'b', 'c'}));
  const char* pointer = "ab";
  EXPECT_EQ(Pack(pointer), Hex({0xa2, 'a', 'b'}));
  EXPECT_EQ(Pack(std::string_view("a\0b", 3)), Hex({0xa3, 'a', 0, 'b'}));
  const char buffer[8] = "xy";
  EXPECT_EQ(Pack(buffer), Hex({0xa2, 'x', 'y'}));
}

TEST(Codec, StringAcceptsBin) {
  EXPECT_EQ(Unpack<std::string>(Hex({0xc4, 3, 'a', 0, 'c'})), std::string("a\0c", 3));
  ExpectDecodeError<std::string>(Pack(5), "std::string", "int 5", "");
  ExpectDecodeError<std::string>(Hex({0x91, 0xa1, 'a'}), "std::string", "array", "");
}

// ---- Bytes -----------------------------------------------------------------

TEST(Codec, BytesAreBin) {
  const std::vector<std::uint8_t> u8 = {0, 1, 0xff, 0x80};
  EXPECT_EQ(Pack(u8), Hex({0xc4, 4, 0, 1, 0xff, 0x80}));
  EXPECT_EQ(RoundTrip(u8), u8);
  const std::vector<std::byte> bytes = {std::byte{0}, std::byte{0xfe}};
  EXPECT_EQ(Pack(bytes), Hex({0xc4, 2, 0, 0xfe}));
  EXPECT_EQ(RoundTrip(bytes), bytes);
  EXPECT_EQ(Pack(std::vector<std::uint8_t>()), Hex({0xc4, 0}));
  EXPECT_TRUE(RoundTrip(std::vector<std::byte>()).empty());
  const std::vector<std::uint8_t> big(70000, 7);
  EXPECT_EQ(RoundTrip(big), big);
}

TEST(Codec, BytesAcceptStrAndIntArrays) {
  const std::vector<std::uint8_t> expected = {'h', 0, 'i'};
  EXPECT_EQ(Unpack<std::vector<std::uint8_t>>(Hex({0xa3, 'h', 0, 'i'})), expected);
  EXPECT_EQ(Unpack<std::vector<std::uint8_t>>(Hex({0x93, 'h', 0x00, 'i'})), expected);
  EXPECT_EQ(Unpack<std::vector<std::uint8_t>>(Hex({0x92, 0x00, 0xcc, 0xff})),
            (std::vector<std::uint8_t>{0, 255}));
  EXPECT_EQ(Unpack<std::vector<std::byte>>(Hex({0x92, 0x01, 0xcc, 0xff})),
            (std::vector<std::byte>{std::byte{1}, std::byte{255}}));
  EXPECT_TRUE(Unpack<std::vector<std::uint8_t>>(Hex({0x90})).empty());
}

TEST(Codec, BytesErrors) {
  ExpectDecodeError<std::vector<std::uint8_t>>(Hex({0x92, 0x01, 0xcd, 0x01, 0x00}), "uint8_t",
                                               "int 256", "[1]");
  ExpectDecodeError<std::vector<std::uint8_t>>(Hex({0x92, 0x01, 0xff}), "uint8_t", "int -1", "[1]");
  ExpectDecodeError<std::vector<std::byte>>(Hex({0x91, 0xa1, 'a'}), "std::byte", "str", "[0]");
  ExpectDecodeError<std::vector<std::uint8_t>>(Pack(3), "std::vector<uint8_t>", "int 3", "");
  ExpectDecodeError<std::vector<std::byte>>(Hex({0xc0}), "std::vector<std::byte>", "nil", "");
}

// ---- Arrays ----------------------------------------------------------------

TEST(Codec, Vectors) {
  const std::vector<std::int32_t> numbers = {1, -2, 300};
  EXPECT_EQ(Pack(numbers), Hex({0x93, 0x01, 0xfe, 0xcd, 0x01, 0x2c}));
  EXPECT_EQ(RoundTrip(numbers), numbers);
  EXPECT_EQ(Pack(std::vector<std::int32_t>()), Hex({0x90}));
  EXPECT_TRUE(RoundTrip(std::vector<std::string>()).empty());
  const std::vector<std::vector<std::string>> nested = {{}, {"a"}, {"b", "c"}};
  EXPECT_EQ(RoundTrip(nested), nested);
  const std::vector<bool> flags = {true, false, true};
  EXPECT_EQ(Pack(flags), Hex({0x93, 0xc3, 0xc2, 0xc3}));
  EXPECT_EQ(RoundTrip(flags), flags);
  const std::vector<double> reals(1000, 0.5);
  EXPECT_EQ(RoundTrip(reals), reals);
}

TEST(Codec, ArrayErrorsCarryPaths) {
  ExpectDecodeError<std::vector<std::int8_t>>(Pack(std::vector<int>{1, 2, 300}), "int8_t",
                                              "int 300", "[2]");
  ExpectDecodeError<std::vector<std::vector<std::int8_t>>>(
      Pack(std::vector<std::vector<int>>{{1}, {2, -129}}), "int8_t", "int -129", "[1][1]");
  ExpectDecodeError<std::vector<std::int32_t>>(Hex({0x80}), "std::vector<int32_t>", "map", "");
  ExpectDecodeError<std::vector<std::int32_t>>(Hex({0xa1, 'a'}), "std::vector<int32_t>", "str", "");
  const DecodeError error = FailureOf<std::vector<std::int8_t>>(Pack(std::vector<int>{1, 300}));
  EXPECT_STREQ(error.what(), "expected int8_t, received int 300 (at [1])");
}

TEST(Codec, StdArrayNeedsTheExactLength) {
  const std::array<std::int32_t, 3> triple = {7, 8, 9};
  EXPECT_EQ(Pack(triple), Hex({0x93, 7, 8, 9}));
  EXPECT_EQ(RoundTrip(triple), triple);
  EXPECT_EQ(RoundTrip(std::array<std::string, 0>{}).size(), 0u);
  ExpectDecodeError<std::array<std::int32_t, 3>>(Pack(std::vector<int>{1, 2}),
                                                 "std::array<int32_t, 3>", "array of 2", "");
  ExpectDecodeError<std::array<std::int32_t, 3>>(Pack(std::vector<int>{1, 2, 3, 4}),
                                                 "std::array<int32_t, 3>", "array of 4", "");
  ExpectDecodeError<std::array<std::int32_t, 3>>(Hex({0x93, 1, 2, 0xa1, 'x'}), "int32_t", "str",
                                                 "[2]");
  ExpectDecodeError<std::array<std::uint8_t, 2>>(Pack(std::vector<int>{1, 256}), "uint8_t",
                                                 "int 256", "[1]");
  ExpectDecodeError<std::array<bool, 1>>(Pack(true), "std::array<bool, 1>", "bool", "");
  // Byte arrays also take a bin of the exact size.
  EXPECT_EQ((Unpack<std::array<std::uint8_t, 2>>(Hex({0xc4, 2, 9, 0xff}))),
            (std::array<std::uint8_t, 2>{9, 255}));
  ExpectDecodeError<std::array<std::uint8_t, 2>>(Hex({0xc4, 1, 9}), "std::array<uint8_t, 2>",
                                                 "array of 1", "");
}

TEST(Codec, ListsDequesAndSets) {
  const std::list<std::string> words = {"x", "", "zz"};
  EXPECT_EQ(RoundTrip(words), words);
  const std::deque<std::int16_t> queue = {-1, 2};
  EXPECT_EQ(RoundTrip(queue), queue);
  const std::set<std::int64_t> sorted = {3, 1, 2};
  EXPECT_EQ(Pack(sorted), Hex({0x93, 1, 2, 3}));
  EXPECT_EQ(RoundTrip(sorted), sorted);
  EXPECT_EQ(Unpack<std::set<std::int64_t>>(Hex({0x93, 2, 1, 2})), (std::set<std::int64_t>{1, 2}));
  const std::unordered_set<std::string> bag = {"a", "b"};
  EXPECT_EQ(RoundTrip(bag), bag);
  EXPECT_EQ(Unpack<std::unordered_set<std::int64_t>>(Hex({0x93, 2, 1, 2})),
            (std::unordered_set<std::int64_t>{1, 2}));
  EXPECT_EQ(Pack(std::deque<std::int64_t>{1, 2}), Hex({0x92, 1, 2}));
  EXPECT_EQ(Unpack<std::deque<std::deque<std::int8_t>>>(Hex({0x92, 0x90, 0x91, 0x05})),
            (std::deque<std::deque<std::int8_t>>{{}, {5}}));
  ExpectDecodeError<std::deque<std::int8_t>>(Hex({0x92, 0x05, 0xcc, 0xc8}), "int8_t", "int 200",
                                             "[1]");
  ExpectDecodeError<std::unordered_set<std::string>>(Hex({0x91, 0x05}), "std::string", "int 5",
                                                     "[0]");
  ExpectDecodeError<std::deque<std::int8_t>>(Hex({0x80}), "std::deque<int8_t>", "map", "");
  ExpectDecodeError<std::list<std::string>>(Hex({0x92, 0xa0, 0x05}), "std::string", "int 5", "[1]");
  ExpectDecodeError<std::set<std::uint8_t>>(Hex({0x92, 0x05, 0xff}), "uint8_t", "int -1", "[1]");
}

TEST(Codec, PairsAndTuples) {
  const std::pair<std::string, double> pair = {"pi", 3.14};
  EXPECT_EQ(Pack(pair).substr(0, 4), Hex({0x92, 0xa2, 'p', 'i'}));
  EXPECT_EQ(RoundTrip(pair), pair);
  const std::tuple<std::int64_t, std::string, bool, std::optional<int>> tuple = {-7, "t", true,
                                                                                  std::nullopt};
  EXPECT_EQ(RoundTrip(tuple), tuple);
  EXPECT_EQ(Pack(std::tuple<>()), Hex({0x90}));
  EXPECT_EQ(RoundTrip(std::tuple<>()), std::tuple<>());
  ExpectDecodeError<std::pair<std::string, double>>(Pack(std::vector<int>{1, 2, 3}),
                                                    "std::pair<std::string, double>", "array of 3",
                                                    "");
  ExpectDecodeError<std::pair<std::string, double>>(Hex({0x92, 0xa0, 0xa0}), "double", "str",
                                                    "[1]");
  ExpectDecodeError<std::tuple<std::int64_t, std::string>>(Pack(5),
                                                           "std::tuple<int64_t, std::string>",
                                                           "int 5", "");
  ExpectDecodeError<std::tuple<std::int64_t, std::string>>(Hex({0x91, 0x01}),
                                                           "std::tuple<int64_t, std::string>",
                                                           "array of 1", "");
}

// ---- Maps ------------------------------------------------------------------

TEST(Codec, MapsWithStringKeys) {
  const std::map<std::string, std::int64_t> counts = {{"a", 1}, {"b", -2}};
  EXPECT_EQ(Pack(counts), Hex({0x82, 0xa1, 'a', 0x01, 0xa1, 'b', 0xfe}));
  EXPECT_EQ(RoundTrip(counts), counts);
  EXPECT_EQ(Pack(std::map<std::string, int>()), Hex({0x80}));
  EXPECT_TRUE(RoundTrip(std::map<std::string, int>()).empty());
  const std::unordered_map<std::string, std::vector<double>> series = {{"x", {1.0, 2.0}},
                                                                        {"y", {}}};
  EXPECT_EQ(RoundTrip(series), series);
  // A repeated key: the last one wins, as in a Python dict.
  EXPECT_EQ((Unpack<std::map<std::string, int>>(Hex({0x82, 0xa1, 'k', 1, 0xa1, 'k', 2}))),
            (std::map<std::string, int>{{"k", 2}}));
  // Keys given as bin decode as strings.
  EXPECT_EQ((Unpack<std::map<std::string, int>>(Hex({0x81, 0xc4, 1, 'k', 1}))),
            (std::map<std::string, int>{{"k", 1}}));
}

TEST(Codec, MapsWithIntegerKeys) {
  const std::map<std::int32_t, std::string> names = {{-1, "minus"}, {0, "zero"}, {70000, "big"}};
  EXPECT_EQ(RoundTrip(names), names);
  const std::unordered_map<std::uint64_t, bool> flags = {
      {std::numeric_limits<std::uint64_t>::max(), true}, {0, false}};
  EXPECT_EQ(RoundTrip(flags), flags);
  const std::map<std::uint8_t, std::map<std::int8_t, int>> nested = {{1, {{-1, 2}}}, {2, {}}};
  EXPECT_EQ(RoundTrip(nested), nested);
}

TEST(Codec, MapErrorsCarryPaths) {
  ExpectDecodeError<std::map<std::string, std::int64_t>>(Hex({0x81, 0xa1, 'k', 0xa1, 'v'}),
                                                         "int64_t", "str", "[\"k\"]");
  ExpectDecodeError<std::map<std::string, std::int64_t>>(Hex({0x90}),
                                                         "std::map<std::string, int64_t>", "array",
                                                         "");
  ExpectDecodeError<std::map<std::int32_t, std::int8_t>>(Hex({0x81, 0x05, 0xcd, 0x01, 0x2c}),
                                                         "int8_t", "int 300", "[5]");
  ExpectDecodeError<std::map<std::int32_t, std::int8_t>>(Hex({0x81, 0xa1, 'a', 0x01}), "int32_t",
                                                         "str", "[key \"a\"]");
  ExpectDecodeError<std::unordered_map<std::string, std::vector<std::int8_t>>>(
      Hex({0x81, 0xa3, 'a', '"', 'b', 0x92, 0x01, 0xcc, 0xc8}), "int8_t", "int 200",
      "[\"a\\\"b\"][1]");
  const DecodeError error = FailureOf<std::map<std::string, std::int64_t>>(
      Hex({0x81, 0xa1, 'k', 0xa1, 'v'}));
  EXPECT_STREQ(error.what(), "expected int64_t, received str (at [\"k\"])");
}

// ---- Optional --------------------------------------------------------------

TEST(Codec, Optional) {
  EXPECT_EQ(Pack(std::optional<int>()), Hex({0xc0}));
  EXPECT_EQ(Pack(std::optional<int>(5)), Hex({0x05}));
  EXPECT_EQ(RoundTrip(std::optional<std::string>()), std::nullopt);
  EXPECT_EQ(RoundTrip(std::optional<std::string>("")), std::optional<std::string>(""));
  EXPECT_EQ(Unpack<std::optional<std::int8_t>>(Hex({0x05})), std::int8_t{5});
  EXPECT_EQ(Unpack<std::optional<std::int8_t>>(Hex({0xc0})), std::nullopt);
  ExpectDecodeError<std::optional<std::int8_t>>(Hex({0xcd, 0x01, 0x2c}), "int8_t", "int 300", "");
  const std::vector<std::optional<double>> holes = {1.0, std::nullopt, -0.5};
  EXPECT_EQ(RoundTrip(holes), holes);
  EXPECT_EQ(Pack(nullptr), Hex({0xc0}));
  EXPECT_EQ(Pack(std::nullopt), Hex({0xc0}));
  EXPECT_EQ(Pack(std::monostate{}), Hex({0xc0}));
}

// ---- Enums -----------------------------------------------------------------

TEST(Codec, EnumsAreTheirUnderlyingInteger) {
  EXPECT_EQ(Pack(geo::Color::kBlue), Hex({0xcc, 0xc8}));
  EXPECT_EQ(RoundTrip(geo::Color::kGreen), geo::Color::kGreen);
  EXPECT_EQ(Pack(geo::kLow), Hex({0xfb}));
  EXPECT_EQ(RoundTrip(geo::kLow), geo::kLow);
  // Values without an enumerator still fit the underlying type.
  EXPECT_EQ(Unpack<geo::Color>(Hex({0x07})), static_cast<geo::Color>(7));
  ExpectDecodeError<geo::Color>(Hex({0xcd, 0x01, 0x2c}), "geo::Color", "int 300", "");
  ExpectDecodeError<geo::Color>(Hex({0xff}), "geo::Color", "int -1", "");
  EXPECT_EQ(Unpack<geo::Level>(Hex({0xd0, 0x80})), static_cast<geo::Level>(-128));
  ExpectDecodeError<geo::Level>(Hex({0xcc, 0x80}), "geo::Level", "int 128", "");
  ExpectDecodeError<geo::Level>(Hex({0xd1, 0xff, 0x7f}), "geo::Level", "int -129", "");
}

// ---- Timestamps ------------------------------------------------------------

TimePoint At(std::int64_t seconds, std::int64_t nanoseconds = 0) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanoseconds)));
}

TEST(Codec, TimestampsUseTheSmallestExactForm) {
  EXPECT_EQ(Pack(At(5)), Hex({0xd6, 0xff, 0, 0, 0, 5}));
  EXPECT_EQ(Pack(At(0)), Hex({0xd6, 0xff, 0, 0, 0, 0}));
  EXPECT_EQ(Pack(At(0xffffffff)), Hex({0xd6, 0xff, 0xff, 0xff, 0xff, 0xff}));
  // 64-bit: nanoseconds in the top 30 bits, seconds in the low 34.
  EXPECT_EQ(Pack(At(5, 1)), Hex({0xd7, 0xff, 0, 0, 0, 0x04, 0, 0, 0, 5}));
  EXPECT_EQ(Pack(At(0x100000000)), Hex({0xd7, 0xff, 0, 0, 0, 1, 0, 0, 0, 0}));
  // 96-bit: before 1970 (or beyond 34 bits of seconds, past a nanosecond clock's
  // range: see value_test.cpp).
  EXPECT_EQ(Pack(At(-1)), Hex({0xc7, 12, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff}));
  // -0.5 s is -1 s + 500000000 ns.
  EXPECT_EQ(Pack(At(0, -500000000)), Hex({0xc7, 12, 0xff, 0x1d, 0xcd, 0x65, 0x00, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
}

TEST(Codec, TimestampsRoundTripWithNanoseconds) {
  for (TimePoint time :
       {At(0), At(1700000000, 123456789), At(1, 999999999), At(0xffffffff, 1),
        At(0x100000000, 0), At(-1, 1), At(-86400LL * 365 * 100, 999999999),
        At(-1234567890, 0), At(4102444800, 5), TimePoint::min(), TimePoint::max()}) {
    EXPECT_EQ(RoundTrip(time), time) << time.time_since_epoch().count();
  }
}

TEST(Codec, TimestampsDecodeFromAllThreeForms) {
  EXPECT_EQ(Unpack<TimePoint>(Hex({0xd6, 0xff, 0x65, 0x53, 0xf1, 0x00})), At(1700000000));
  // 64-bit: ns = 123456789 (0x075bcd15) << 34 | 1700000000.
  const std::uint64_t packed = (std::uint64_t{123456789} << 34) | 1700000000u;
  std::string form64 = Hex({0xd7, 0xff});
  for (int shift = 56; shift >= 0; shift -= 8) {
    form64 += static_cast<char>((packed >> shift) & 0xff);
  }
  EXPECT_EQ(Unpack<TimePoint>(form64), At(1700000000, 123456789));
  // 96-bit, also for times a smaller form could hold.
  EXPECT_EQ(Unpack<TimePoint>(Hex({0xc7, 12, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5})),
            At(5, 1));
  EXPECT_EQ(Unpack<TimePoint>(Hex({0xc7, 12, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xfe})),
            At(-2));
}

TEST(Codec, TimestampErrors) {
  const std::string expected = "std::chrono::system_clock::time_point";
  ExpectDecodeError<TimePoint>(Pack(5), expected, "int 5", "");
  ExpectDecodeError<TimePoint>(Hex({0xd4, 0x05, 0x00}), expected, "ext 5", "");
  // Nanoseconds of 1e9 or more, or a body of another length: not a timestamp.
  ExpectDecodeError<TimePoint>(Hex({0xd7, 0xff, 0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0}), expected,
                               "timestamp", "");
  ExpectDecodeError<TimePoint>(Hex({0xd5, 0xff, 0, 0}), expected, "timestamp", "");
  // 2^34 s (year 2514) and 10^12 s are beyond a nanosecond clock.
  ExpectDecodeError<TimePoint>(Hex({0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0}), expected,
                               "timestamp 17179869184s (out of the clock's range)", "");
  ExpectDecodeError<TimePoint>(
      Hex({0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xe8, 0xd4, 0xa5, 0x10, 0x00}), expected,
      "timestamp 1000000000000s (out of the clock's range)", "");
}

// ---- User structs ----------------------------------------------------------

geo::Shape SampleShape() {
  geo::Shape shape;
  shape.name = "triangle";
  shape.inner = {3, -4};
  shape.color = geo::Color::kBlue;
  shape.weight = 2.5;
  shape.points = {{0, 0}, {1, 0}, {0, 1}};
  shape.tags = {{"sides", 3}};
  return shape;
}

TEST(Codec, StructRoundTrip) {
  const geo::Shape shape = SampleShape();
  EXPECT_EQ(RoundTrip(shape), shape);
  EXPECT_EQ(RoundTrip(geo::Shape()), geo::Shape());
  const std::vector<geo::Inner> inners = {{1, 2}, {3, 4}};
  EXPECT_EQ(RoundTrip(inners), inners);
  const std::map<std::string, std::optional<geo::Inner>> named = {{"a", geo::Inner{5, 6}},
                                                                  {"b", std::nullopt}};
  EXPECT_EQ(RoundTrip(named), named);
}

TEST(Codec, StructIsAMapKeyedByFieldName) {
  EXPECT_EQ(Pack(geo::Inner{1, 2}), Hex({0x82, 0xa1, 'x', 0x01, 0xa1, 'y', 0x02}));
  const goray::Value value = Unpack<goray::Value>(Pack(SampleShape()));
  ASSERT_TRUE(value.is_map());
  EXPECT_EQ(value.size(), 6u);
  EXPECT_EQ(value["name"].as_str(), "triangle");
  EXPECT_EQ(value["inner"]["y"].as_int64(), -4);
  EXPECT_EQ(value["color"].as_uint64(), 200u);
  EXPECT_EQ(value["weight"].as_double(), 2.5);
  EXPECT_EQ(value["points"].size(), 3u);
  EXPECT_EQ(value["tags"]["sides"].as_int64(), 3);
}

// SampleShape()'s map of fields, for tests that take one away, change one or add one.
goray::Value::Map ShapeFields() { return Unpack<goray::Value>(Pack(SampleShape())).as_map(); }

std::string PackFields(goray::Value::Map fields) { return Pack(goray::Value(std::move(fields))); }

goray::Value::Map Without(goray::Value::Map fields, std::string_view name) {
  std::erase_if(fields, [&](const auto& field) { return field.first.as_str() == name; });
  return fields;
}

goray::Value::Map With(goray::Value::Map fields, std::string_view name, goray::Value value) {
  for (auto& field : fields) {
    if (field.first.as_str() == name) {
      field.second = std::move(value);
      return fields;
    }
  }
  fields.emplace_back(goray::Value(std::string(name)), std::move(value));
  return fields;
}

// Expects decoding `bytes` as T to fail with a struct field problem of these parts.
template <class T>
void ExpectFieldError(std::string_view bytes, DecodeError::Kind kind, std::string_view path,
                      std::string_view struct_name, std::string_view what,
                      std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                    "decoding as " + TypeName<T>());
  const DecodeError error = FailureOf<T>(bytes);
  EXPECT_EQ(error.kind(), kind);
  EXPECT_EQ(error.path(), path);
  EXPECT_EQ(error.struct_name(), struct_name);
  EXPECT_EQ(error.what(), what);
}

TEST(Codec, StructMissingFieldIsAnErrorNamingItAndItsStruct) {
  ExpectFieldError<geo::Inner>(Pack(std::map<std::string, int>{{"x", 1}}),
                               DecodeError::Kind::kMissingField, ".y", "geo::Inner",
                               "missing field .y (int32_t, in geo::Inner)");
  ExpectFieldError<geo::Inner>(Hex({0x80}), DecodeError::Kind::kMissingField, ".x", "geo::Inner",
                               "missing field .x (int32_t, in geo::Inner)");
  ExpectFieldError<geo::Shape>(PackFields(Without(ShapeFields(), "name")),
                               DecodeError::Kind::kMissingField, ".name", "geo::Shape",
                               "missing field .name (std::string, in geo::Shape)");
  // Inside a field, a container and a map: the path leads to it, the struct is the inner one.
  ExpectFieldError<geo::Shape>(
      PackFields(With(ShapeFields(), "inner", goray::Value(goray::Value::Map{{"x", 1}}))),
      DecodeError::Kind::kMissingField, ".inner.y", "geo::Inner",
      "missing field .inner.y (int32_t, in geo::Inner)");
  ExpectFieldError<std::vector<geo::Shape>>(
      Pack(std::vector<goray::Value>{goray::Value(ShapeFields()),
                                     goray::Value(Without(ShapeFields(), "tags"))}),
      DecodeError::Kind::kMissingField, "[1].tags", "geo::Shape",
      "missing field [1].tags (std::map<std::string, int64_t>, in geo::Shape)");
  ExpectFieldError<std::map<std::string, geo::Inner>>(
      Pack(std::map<std::string, std::map<std::string, int>>{{"k", {{"y", 2}}}}),
      DecodeError::Kind::kMissingField, "[\"k\"].x", "geo::Inner",
      "missing field [\"k\"].x (int32_t, in geo::Inner)");
}

TEST(Codec, StructOptionalFieldMayBeLeftOut) {
  const geo::Shape shape = Unpack<geo::Shape>(PackFields(Without(ShapeFields(), "weight")));
  EXPECT_EQ(shape.weight, std::nullopt);
  EXPECT_EQ(shape.name, "triangle");
  // nil is an empty optional too; DecodeInto empties an optional left out.
  EXPECT_EQ(Unpack<geo::Shape>(PackFields(With(ShapeFields(), "weight", goray::Value()))).weight,
            std::nullopt);
  geo::Shape existing = SampleShape();
  const std::string bytes = PackFields(Without(ShapeFields(), "weight"));
  const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  DecodeInto(handle.get(), existing);
  EXPECT_EQ(existing.weight, std::nullopt);
}

TEST(Codec, StructNilForAFieldThatIsNotOptionalIsATypeError) {
  ExpectDecodeError<geo::Shape>(PackFields(With(ShapeFields(), "name", goray::Value())),
                                "std::string", "nil", ".name");
  ExpectDecodeError<geo::Shape>(
      PackFields(With(ShapeFields(), "inner", goray::Value(goray::Value::Map{{"x", 1}, {"y", nullptr}}))),
      "int32_t", "nil", ".inner.y");
}

TEST(Codec, StructUnknownKeyIsAnErrorNamingIt) {
  ExpectFieldError<geo::Inner>(Pack(std::map<std::string, int>{{"x", 1}, {"y", 2}, {"z", 3}}),
                               DecodeError::Kind::kUnknownField, ".z", "geo::Inner",
                               "unknown field .z (not in geo::Inner)");
  ExpectFieldError<geo::Shape>(
      PackFields(With(ShapeFields(), "inner",
                      goray::Value(goray::Value::Map{{"x", 1}, {"colour", "red"}, {"y", 2}}))),
      DecodeError::Kind::kUnknownField, ".inner.colour", "geo::Inner",
      "unknown field .inner.colour (not in geo::Inner)");
  // A key that is not a plain name shows as a map key; so does one that is not a string.
  ExpectFieldError<geo::Inner>(
      PackFields(goray::Value::Map{{"x", 1}, {"y", 2}, {"a b", 3}}),
      DecodeError::Kind::kUnknownField, "[\"a b\"]", "geo::Inner",
      "unknown field [\"a b\"] (not in geo::Inner)");
  ExpectFieldError<geo::Inner>(PackFields(goray::Value::Map{{"x", 1}, {5, 3}, {"y", 2}}),
                               DecodeError::Kind::kUnknownField, "[5]", "geo::Inner",
                               "unknown field [5] (not in geo::Inner)");
}

TEST(Codec, StructKeyTwiceIsAnError) {
  ExpectFieldError<geo::Inner>(PackFields(goray::Value::Map{{"x", 1}, {"x", 2}, {"y", 3}}),
                               DecodeError::Kind::kRepeatedField, ".x", "geo::Inner",
                               "repeated field .x (in geo::Inner)");
}

TEST(Codec, StructErrorsDescribeWhatArrived) {
  const std::string missing = Pack(std::vector<std::map<std::string, int>>{{{"x", 1}}});
  const msgpack::object_handle handle = msgpack::unpack(missing.data(), missing.size());
  try {
    (void)Decode<std::vector<geo::Inner>>(handle.get());
    ADD_FAILURE() << "decoded";
  } catch (const DecodeError& error) {
    EXPECT_EQ(goray::codec::DescribeReceived(error, "array"),
              "array without field [0].y (int32_t, in geo::Inner)");
  }
  const DecodeError unknown =
      FailureOf<geo::Inner>(Pack(std::map<std::string, int>{{"x", 1}, {"y", 2}, {"z", 3}}));
  EXPECT_EQ(goray::codec::DescribeReceived(unknown, "map"),
            "map with unknown field .z (not in geo::Inner)");
  const DecodeError twice = FailureOf<geo::Inner>(PackFields(goray::Value::Map{{"y", 1}, {"x", 2}, {"y", 3}}));
  EXPECT_EQ(goray::codec::DescribeReceived(twice, "map"), "map with field .y twice (in geo::Inner)");
  const DecodeError value = FailureOf<geo::Inner>(PackFields(goray::Value::Map{{"x", "no"}, {"y", 2}}));
  EXPECT_EQ(goray::codec::DescribeReceived(value, "map"),
            "map (at .x: expected int32_t, received str)");
}

TEST(Codec, StructOfManyFieldsChecksEveryKey) {
  // 70 fields: past the 64 the decoder marks in one word.
  goray::Value::Map fields;
  for (int i = 0; i < 70; ++i) fields.emplace_back(goray::Value("f" + std::to_string(i)), goray::Value(i));
  const geo::Wide wide = Unpack<geo::Wide>(PackFields(fields));
  EXPECT_EQ(wide.values[69], 69);
  ExpectFieldError<geo::Wide>(PackFields(Without(fields, "f66")), DecodeError::Kind::kMissingField,
                              ".f66", "geo::Wide", "missing field .f66 (int32_t, in geo::Wide)");
  ExpectFieldError<geo::Wide>(PackFields(With(fields, "g", goray::Value(1))),
                              DecodeError::Kind::kUnknownField, ".g", "geo::Wide",
                              "unknown field .g (not in geo::Wide)");
  // Out of field order: every entry is marked, beyond the 64th too.
  goray::Value::Map reversed(fields.rbegin(), fields.rend());
  EXPECT_EQ(Unpack<geo::Wide>(PackFields(reversed)).values[69], 69);
  ExpectFieldError<geo::Wide>(PackFields(With(reversed, "g", goray::Value(1))),
                              DecodeError::Kind::kUnknownField, ".g", "geo::Wide",
                              "unknown field .g (not in geo::Wide)");
  goray::Value::Map reversed_twice = reversed;
  reversed_twice.emplace_back(goray::Value("f66"), goray::Value(0));
  ExpectFieldError<geo::Wide>(PackFields(reversed_twice), DecodeError::Kind::kRepeatedField,
                              ".f66", "geo::Wide", "repeated field .f66 (in geo::Wide)");
  goray::Value::Map twice = fields;
  twice.emplace_back(goray::Value("f68"), goray::Value(0));
  ExpectFieldError<geo::Wide>(PackFields(twice), DecodeError::Kind::kRepeatedField, ".f68",
                              "geo::Wide", "repeated field .f68 (in geo::Wide)");
}

TEST(Codec, StructAdaptorWithoutEndRefusesMissingFieldsOnly) {
  // A hand-written adaptor of the pattern before End(): missing fields are errors, keys
  // that are no field pass.
  ExpectFieldError<geo::OldStyle>(Hex({0x80}), DecodeError::Kind::kMissingField, ".value",
                                  "geo::OldStyle", "missing field .value (int64_t, in geo::OldStyle)");
  EXPECT_EQ(Unpack<geo::OldStyle>(Pack(std::map<std::string, int>{{"value", 4}, {"zzz", 1}})).value, 4);
}

TEST(Codec, StructFieldsListsTheAdaptorsFields) {
  const auto fields = goray::codec::StructFields<geo::Shape>();
  ASSERT_TRUE(fields.has_value());
  std::vector<std::string> names;
  for (const goray::codec::StructField& field : *fields) {
    names.push_back(field.name + (field.optional ? "?" : ""));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"name", "inner", "color", "weight?", "points", "tags"}));
  const auto inner = goray::codec::StructFields<std::optional<geo::Inner>>();
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(inner->size(), 2u);
  EXPECT_EQ(goray::codec::StructFields<geo::OldStyle>()->size(), 1u);
  // Not a struct, or a struct whose adaptor does not use StructDecoder.
  EXPECT_FALSE((goray::codec::StructFields<std::map<std::string, int>>().has_value()));
  EXPECT_EQ(goray::codec::StructFields<std::vector<geo::Inner>>(), std::nullopt);
  EXPECT_EQ(goray::codec::StructFields<goray::Value>(), std::nullopt);
  EXPECT_EQ(goray::codec::StructFields<geo::Legacy>(), std::nullopt);
  // Decoding goes on as before after a listing.
  EXPECT_EQ(RoundTrip(SampleShape()), SampleShape());
}

TEST(Codec, StructKeysInAnyOrder) {
  EXPECT_EQ(Unpack<geo::Inner>(Hex({0x82, 0xa1, 'y', 0x02, 0xa1, 'x', 0x01})), (geo::Inner{1, 2}));
  EXPECT_EQ(Unpack<geo::Inner>(Hex({0x82, 0xc4, 1, 'y', 0x02, 0xc4, 1, 'x', 0x01})),
            (geo::Inner{1, 2}));
  goray::Value::Map reversed = ShapeFields();
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(Unpack<geo::Shape>(PackFields(reversed)), SampleShape());
}

TEST(Codec, StructErrorsCarryFieldPaths) {
  auto shape_with = [](std::string_view name, goray::Value value) {
    return PackFields(With(ShapeFields(), name, std::move(value)));
  };
  using Fields = goray::Value::Map;
  ExpectDecodeError<geo::Shape>(shape_with("inner", goray::Value(Fields{{"x", "no"}, {"y", 1}})),
                                "int32_t", "str", ".inner.x");
  ExpectDecodeError<geo::Shape>(shape_with("color", goray::Value(300)), "geo::Color", "int 300",
                                ".color");
  ExpectDecodeError<geo::Shape>(
      shape_with("points", goray::Value(goray::Value::Array{
                               goray::Value(Fields{{"x", 0}, {"y", 0}}),
                               goray::Value(Fields{{"x", 0}, {"y", goray::Value(1.5f)}})})),
      "int32_t", "float32 1.5", ".points[1].y");
  ExpectDecodeError<geo::Shape>(shape_with("tags", goray::Value(Fields{{"k", true}})), "int64_t",
                                "bool", ".tags[\"k\"]");
  // An out-of-range int in a map field.
  ExpectDecodeError<geo::Shape>(
      shape_with("tags", goray::Value(Fields{{"a", 1}, {"b", std::uint64_t{18446744073709551615u}}})),
      "int64_t", "int 18446744073709551615", ".tags[\"b\"]");
  ExpectDecodeError<std::vector<std::map<std::string, std::uint8_t>>>(
      Pack(std::vector<std::map<std::string, int>>{{}, {{"a", 1}, {"b", 300}}}), "uint8_t",
      "int 300", "[1][\"b\"]");
  ExpectDecodeError<geo::Shape>(shape_with("inner", goray::Value(5)), "geo::Inner", "int 5",
                                ".inner");
  ExpectDecodeError<geo::Shape>(Hex({0x90}), "geo::Shape", "array", "");
  ExpectDecodeError<std::vector<geo::Shape>>(
      Pack(std::vector<goray::Value>{goray::Value(ShapeFields()),
                                     goray::Value(With(ShapeFields(), "inner",
                                                       goray::Value(Fields{{"x", "no"}, {"y", 1}})))}),
      "int32_t", "str", "[1].inner.x");
  const DecodeError error =
      FailureOf<geo::Shape>(shape_with("inner", goray::Value(Fields{{"x", "no"}, {"y", 1}})));
  EXPECT_STREQ(error.what(), "expected int32_t, received str (at .inner.x)");
  EXPECT_EQ(error.kind(), DecodeError::Kind::kValue);
}

TEST(Codec, HandWrittenAdaptorTypeErrorsBecomeDecodeErrors) {
  EXPECT_EQ(Unpack<geo::Legacy>(Hex({0x07})).value, 7);
  ExpectDecodeError<geo::Legacy>(Hex({0xa1, 'x'}), "geo::Legacy", "str", "");
  ExpectDecodeError<std::vector<geo::Legacy>>(Hex({0x92, 0x01, 0xc0}), "geo::Legacy", "nil", "[1]");
}

// ---- DecodeInto and goray::Value through the codec ---------------------------

TEST(Codec, DecodeIntoReplacesContainers) {
  std::vector<int> numbers = {9, 9, 9, 9};
  const std::string bytes = Pack(std::vector<int>{1, 2});
  const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  DecodeInto(handle.get(), numbers);
  EXPECT_EQ(numbers, (std::vector<int>{1, 2}));

  std::vector<std::string> words = {"a", "b", "c"};
  const std::string word_bytes = Pack(std::vector<std::string>{"x", ""});
  const msgpack::object_handle word_handle = msgpack::unpack(word_bytes.data(), word_bytes.size());
  DecodeInto(word_handle.get(), words);
  EXPECT_EQ(words, (std::vector<std::string>{"x", ""}));

  std::vector<geo::Inner> inners = {{7, 7}};
  const std::string inner_bytes = Hex({0x91, 0x82, 0xa1, 'x', 0x01, 0xa1, 'y', 0x00});
  const msgpack::object_handle inner_handle =
      msgpack::unpack(inner_bytes.data(), inner_bytes.size());
  DecodeInto(inner_handle.get(), inners);
  EXPECT_EQ(inners, (std::vector<geo::Inner>{{1, 0}}));

  std::map<std::string, int> counts = {{"old", 1}};
  const std::string map_bytes = Pack(std::map<std::string, int>{{"new", 2}});
  const msgpack::object_handle map_handle = msgpack::unpack(map_bytes.data(), map_bytes.size());
  DecodeInto(map_handle.get(), counts);
  EXPECT_EQ(counts, (std::map<std::string, int>{{"new", 2}}));
}

TEST(Codec, ValueTakesAnything) {
  const std::string bytes = Pack(SampleShape());
  const goray::Value value = Unpack<goray::Value>(bytes);
  EXPECT_EQ(Pack(value), bytes);
  EXPECT_EQ(value.As<geo::Shape>(), SampleShape());
  const std::vector<goray::Value> mixed = {goray::Value(1), goray::Value("two"),
                                           goray::Value(3.0)};
  EXPECT_EQ(RoundTrip(mixed), mixed);
  const std::map<std::string, goray::Value> by_name = {{"n", goray::Value()},
                                                       {"b", goray::Value(false)}};
  EXPECT_EQ(RoundTrip(by_name), by_name);
}

TEST(Codec, EncodeAppendsToTheBuffer) {
  Buffer buffer;
  Packer packer(buffer);
  Encode(packer, 1);
  Encode(packer, std::string("a"));
  Encode(packer, std::vector<int>{});
  EXPECT_EQ(std::string(buffer.data(), buffer.size()), Hex({0x01, 0xa1, 'a', 0x90}));
}

}  // namespace

// Of runtime/src, this file exercises codec/codec_decl.cpp, codec/decode.cpp, codec/encode.cpp,
// codec/key_text.h, codec/struct_adaptor.cpp, codec/struct_fields.cpp most directly
// (docs/testing.md, "Finding a module's tests").
