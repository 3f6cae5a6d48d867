// The value exts (goray/detail/value_exts.h, docs/protocol.md §5 "Value exts"): complex
// numbers (ext 75), paths (ext 76) and durations (ext 77) to a driver that turned them on,
// Go's forms to one that did not, every form decoded; std::variant by the value's kind;
// std::string_view parameters.
#include <gtest/gtest.h>

#include <chrono>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/features.h"

namespace {

using goray::codec::Buffer;
using goray::codec::Decode;
using goray::codec::DecodeError;
using goray::codec::Encode;
using goray::codec::Packer;
using goray::detail::kFeatureValueExts;
using goray::detail::SetFeatures;
using namespace std::chrono_literals;

template <class T>
std::string Pack(const T& value) {
  Buffer buffer;
  Packer packer(buffer);
  Encode(packer, value);
  return std::string(buffer.data(), buffer.size());
}

template <class T>
T Unpack(std::string_view bytes) {
  const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  return Decode<T>(handle.get());
}

template <class T>
std::string DecodeFailure(std::string_view bytes) {
  try {
    (void)Unpack<T>(bytes);
  } catch (const DecodeError& error) {
    return error.what();
  }
  return "(no error)";
}

std::string Hex(std::initializer_list<int> bytes) {
  std::string out;
  for (int byte : bytes) out += static_cast<char>(byte);
  return out;
}

// Writes `write` through msgpack-c's own packer: the forms other writers use.
template <class Write>
std::string Raw(Write write) {
  Buffer buffer;
  Packer packer(buffer);
  write(packer);
  return std::string(buffer.data(), buffer.size());
}

class ValueExts : public ::testing::Test {
 protected:
  void SetUp() override { SetFeatures(kFeatureValueExts); }
  void TearDown() override { SetFeatures(0); }
};

class GoForms : public ::testing::Test {  // no EnableFeatures: GoRay's driver
 protected:
  void SetUp() override { SetFeatures(0); }
};

// ---- complex numbers -----------------------------------------------------------------------

TEST_F(ValueExts, ComplexDoubleIsExt75OfTwoLittleEndianFloat64) {
  const std::string packed = Pack(std::complex<double>(1.0, -2.0));
  ASSERT_EQ(packed.size(), 18u);
  EXPECT_EQ(packed.substr(0, 2), Hex({0xd8, 75}));
  EXPECT_EQ(packed.substr(2, 8), Hex({0, 0, 0, 0, 0, 0, 0xf0, 0x3f}));
  EXPECT_EQ(packed.substr(10, 8), Hex({0, 0, 0, 0, 0, 0, 0, 0xc0}));
  EXPECT_EQ(Unpack<std::complex<double>>(packed), std::complex<double>(1.0, -2.0));
}

TEST_F(ValueExts, ComplexFloatIsExt75OfEightBytes) {
  const std::string packed = Pack(std::complex<float>(0.5f, 4.0f));
  EXPECT_EQ(packed.substr(0, 2), Hex({0xd7, 75}));
  EXPECT_EQ(Unpack<std::complex<float>>(packed), std::complex<float>(0.5f, 4.0f));
  // Each precision reads the other's ext.
  EXPECT_EQ(Unpack<std::complex<double>>(packed), std::complex<double>(0.5, 4.0));
  EXPECT_EQ(Unpack<std::complex<float>>(Pack(std::complex<double>(3.0, 1.0))),
            std::complex<float>(3.0f, 1.0f));
}

TEST_F(ValueExts, ComplexTakesNumbersAndPairs) {
  EXPECT_EQ(Unpack<std::complex<double>>(Pack(2.5)), std::complex<double>(2.5, 0));
  EXPECT_EQ(Unpack<std::complex<double>>(Pack(std::int64_t{-3})), std::complex<double>(-3, 0));
  EXPECT_EQ(Unpack<std::complex<double>>(Pack(std::vector<double>{1, 2})),
            std::complex<double>(1, 2));
}

TEST_F(ValueExts, ComplexRefusesWhatIsNotANumber) {
  EXPECT_EQ(DecodeFailure<std::complex<double>>(Pack(std::string("1+2j"))),
            "expected std::complex<double>, received str");
  EXPECT_NE(DecodeFailure<std::complex<double>>(Pack(std::vector<double>{1, 2, 3})),
            "(no error)");
  // A float64 part beyond float's range does not fit a std::complex<float>.
  EXPECT_NE(DecodeFailure<std::complex<float>>(Pack(std::complex<double>(1e300, 0))),
            "(no error)");
  EXPECT_NE(DecodeFailure<std::complex<double>>(Raw([](Packer& packer) {
              packer.pack_ext(3, 75);
              packer.pack_ext_body("abc", 3);
            })),
            "(no error)");
}

TEST_F(GoForms, ComplexIsAPairOfFloatsForGoRay) {
  EXPECT_EQ(Unpack<std::vector<double>>(Pack(std::complex<double>(1, 2))),
            (std::vector<double>{1, 2}));
  EXPECT_EQ(Unpack<std::complex<double>>(Pack(std::complex<double>(1, 2))),
            std::complex<double>(1, 2));
}

// ---- paths ---------------------------------------------------------------------------------

TEST_F(ValueExts, PathIsExt76OfItsBytesAndRoundTripsAnyBytes) {
  const std::filesystem::path path("/data/r\xff\xfe/x.csv");
  const std::string packed = Pack(path);
  EXPECT_EQ(packed.substr(0, 3), Hex({0xc7, 15, 76}));
  EXPECT_EQ(Unpack<std::filesystem::path>(packed).native(), path.native());
  EXPECT_EQ(Unpack<std::filesystem::path>(Pack(std::string("a/b"))), std::filesystem::path("a/b"));
  EXPECT_EQ(DecodeFailure<std::filesystem::path>(Pack(std::int64_t{3})),
            "expected std::filesystem::path, received int 3");
}

TEST_F(GoForms, PathIsAStrOrABinForGoRay) {
  EXPECT_EQ(Unpack<std::string>(Pack(std::filesystem::path("/tmp/ü"))), "/tmp/ü");
  const std::string packed = Pack(std::filesystem::path("/tmp/\xff"));
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0xc4);  // bin 8
  EXPECT_EQ(Unpack<std::filesystem::path>(packed).native(), "/tmp/\xff");
}

// ---- durations -----------------------------------------------------------------------------

TEST_F(ValueExts, DurationIsExt77OfSecondsAndNanoseconds) {
  const std::string packed = Pack(std::chrono::nanoseconds(-1));  // -1 s + 999999999 ns
  EXPECT_EQ(packed, Hex({0xc7, 12, 77, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9,
                         0x9a, 0x3b}));
  EXPECT_EQ(Unpack<std::chrono::nanoseconds>(packed), std::chrono::nanoseconds(-1));
  EXPECT_EQ(Unpack<std::chrono::milliseconds>(Pack(1500ms)), 1500ms);
  EXPECT_EQ(Unpack<std::chrono::seconds>(Pack(std::chrono::hours(-3))), std::chrono::seconds(-10800));
  const auto longest = std::chrono::seconds(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(Unpack<std::chrono::seconds>(Pack(longest)), longest);
}

TEST_F(ValueExts, DurationNeverRounds) {
  EXPECT_EQ(DecodeFailure<std::chrono::milliseconds>(Pack(std::chrono::microseconds(1500))),
            "expected std::chrono::milliseconds, received a duration of 1500000 ns, which it "
            "cannot hold exactly");
  // Beyond the count's range: an int32 count of seconds.
  using Seconds32 = std::chrono::duration<std::int32_t>;
  EXPECT_NE(DecodeFailure<Seconds32>(Pack(std::chrono::seconds(1LL << 40))), "(no error)");
  // Nanoseconds outside 0..999999999 are malformed.
  EXPECT_NE(DecodeFailure<std::chrono::nanoseconds>(Hex({0xc7, 12, 77, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                          0xca, 0x9a, 0x3b})),
            "(no error)");
}

TEST_F(ValueExts, DurationTakesAnIntOfNanoseconds) {
  EXPECT_EQ(Unpack<std::chrono::microseconds>(Pack(std::int64_t{2000})), 2us);
  EXPECT_EQ(DecodeFailure<std::chrono::seconds>(Pack(1.5)),
            "expected std::chrono::seconds, received float64 1.5");
}

TEST_F(GoForms, DurationIsAnIntOfNanosecondsForGoRay) {
  EXPECT_EQ(Unpack<std::int64_t>(Pack(3ms)), 3000000);
  EXPECT_THROW(Pack(std::chrono::seconds(std::numeric_limits<std::int64_t>::max())),
               std::out_of_range);
}

// ---- variants ------------------------------------------------------------------------------

using Scalar = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

TEST_F(ValueExts, AVariantWritesItsAlternativeAndReadsByKind) {
  EXPECT_EQ(Pack(Scalar(std::int64_t{5})), Pack(std::int64_t{5}));
  EXPECT_EQ(Pack(Scalar(std::string("x"))), Pack(std::string("x")));
  EXPECT_EQ(Unpack<Scalar>(Pack(std::int64_t{5})).index(), 2u);
  EXPECT_EQ(Unpack<Scalar>(Pack(2.5)).index(), 3u);
  EXPECT_EQ(Unpack<Scalar>(Pack(true)).index(), 1u);
  EXPECT_EQ(Unpack<Scalar>(Pack(std::string("s"))).index(), 4u);
  EXPECT_EQ(Unpack<Scalar>(Hex({0xc0})).index(), 0u);
}

TEST_F(ValueExts, AVariantFallsBackToTheNextFittingKind) {
  using Number = std::variant<double, std::string>;
  ASSERT_EQ(Unpack<Number>(Pack(std::int64_t{7})).index(), 0u);  // an int: the double
  EXPECT_EQ(std::get<double>(Unpack<Number>(Pack(std::int64_t{7}))), 7.0);
  using Text = std::variant<std::int64_t, std::filesystem::path>;
  EXPECT_EQ(Unpack<Text>(Pack(std::string("p"))).index(), 1u);  // a str: the path
  EXPECT_EQ(DecodeFailure<Text>(Pack(2.5)),
            "expected std::variant<int64_t, std::filesystem::path>, received float64 2.5");
}

// ---- std::string_view parameters -----------------------------------------------------------

TEST_F(ValueExts, AStringViewParameterViewsTheRequestBytes) {
  const std::string packed = Pack(std::string("hello"));
  const msgpack::object_handle handle = msgpack::unpack(packed.data(), packed.size());
  goray::codec::detail::StringViewArgument argument;
  goray::codec::DecodeInto(handle.get(), argument);
  const std::string_view view = argument;
  EXPECT_EQ(view, "hello");
  EXPECT_EQ(DecodeFailure<goray::codec::detail::StringViewArgument>(Pack(std::int64_t{1})),
            "expected std::string_view, received int 1");
}

}  // namespace

// Of runtime/src, this file exercises abi/set_features.cpp, features/features_store.h most
// directly (docs/testing.md, "Finding a module's tests").
