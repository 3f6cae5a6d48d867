// The array codec without the C ABI: every dtype through ext 71, the nested-list
// form before EnableArrays, ext 72 borrowed, views and copies, std::span and
// std::vector from an ext, arrays inside structs, tuples and containers, column-major
// arrays (the 4th byte's bit 7) read in C order and written so only after EnableFeatures
// bit 32, and malformed ext payloads.
#include <complex>
#include <cstdint>
#include <cstring>
#include <map>
#include <new>
#include <stdexcept>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "array_test_util.h"
#include "test_application.h"

namespace {
namespace shapes {
struct Tile {
  std::string name;
  goray::Array<double> pixels;
};
}  // namespace shapes
}  // namespace

// An application with no tasks: this file's tests call none.
GORAY_TEST_APPLICATION(registry) {}

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {
template <>
struct pack<::shapes::Tile> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer, const ::shapes::Tile& value) const {
    goray::codec::EncodeStructHeader(packer, 2);
    goray::codec::EncodeField(packer, "name", value.name);
    goray::codec::EncodeField(packer, "pixels", value.pixels);
    return packer;
  }
};
template <>
struct convert<::shapes::Tile> {
  const msgpack::object& operator()(const msgpack::object& object, ::shapes::Tile& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("name", value.name);
    decoder.Field("pixels", value.pixels);
    decoder.End();
    return object;
  }
};
}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

namespace {

using array_test::Bytes;
using array_test::DecodeErrorText;
using array_test::DecodeFromString;
using array_test::EncodeToString;
using array_test::Ext32;
using array_test::Ext71Payload;
using array_test::Ext72Payload;
using goray::Array;
using goray::ArrayView;
namespace detail = goray::codec::detail;

class ArrayCodec : public testing::Test {
 protected:
  void SetUp() override { detail::SetArraysEnabled(true); }
  void TearDown() override { detail::SetArraysEnabled(false); }
};

template <class T>
class ArrayDtypes : public ArrayCodec {};
using Elements = testing::Types<bool, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
                                uint32_t, uint64_t, float, double, std::complex<float>,
                                std::complex<double>>;
TYPED_TEST_SUITE(ArrayDtypes, Elements);

template <class T>
T Element(int i) {
  if constexpr (std::is_same_v<T, bool>) {
    return i % 3 == 0;
  } else if constexpr (detail::IsComplex<T>::value) {
    return T(static_cast<typename T::value_type>(i) * 0.5f, -static_cast<typename T::value_type>(i));
  } else {
    return static_cast<T>(i * 7 + 1);
  }
}

TYPED_TEST(ArrayDtypes, RoundTripInlineAndNested) {
  using T = TypeParam;
  Array<T> array = Array<T>::Zeros({2, 3});
  for (int i = 0; i < 6; ++i) array[i] = Element<T>(i);
  for (bool enabled : {true, false}) {
    detail::SetArraysEnabled(enabled);
    const std::string bytes = EncodeToString(array);
    EXPECT_EQ(bytes[0] == '\xc9', enabled);  // ext32 only when enabled
    Array<T> back = DecodeFromString<Array<T>>(bytes);
    EXPECT_EQ(back.shape(), (std::vector<int64_t>{2, 3}));
    for (int i = 0; i < 6; ++i) EXPECT_EQ(back[i], array[i]) << i;
    ArrayView<T> view = DecodeFromString<ArrayView<T>>(bytes);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(view[i], array[i]) << i;
  }
}

TYPED_TEST(ArrayDtypes, ExtHeaderNamesTheDtype) {
  using T = TypeParam;
  const std::string bytes = EncodeToString(Array<T>::Zeros({4}));
  EXPECT_EQ(bytes[5], 71);
  EXPECT_EQ(bytes[6], detail::ArrayDtype<T>::kind);
  EXPECT_EQ(static_cast<uint8_t>(bytes[7]), sizeof(T));
}

TEST_F(ArrayCodec, NestedListsBeforeEnableArrays) {
  detail::SetArraysEnabled(false);
  Array<double> array(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(EncodeToString(array),
            EncodeToString(std::vector<std::vector<double>>{{1, 2, 3}, {4, 5, 6}}));
  EXPECT_EQ(EncodeToString(Array<int32_t>::Zeros({})), EncodeToString(int32_t{0}));  // 0-d
  Array<std::complex<double>> complex(std::vector<std::complex<double>>{{1, 2}});
  EXPECT_EQ(EncodeToString(complex), EncodeToString(std::vector<std::vector<double>>{{1, 2}}));
  EXPECT_EQ(EncodeToString(Array<bool>(std::vector<bool>{true, false})),
            EncodeToString(std::vector<bool>{true, false}));
  EXPECT_EQ(EncodeToString(Array<float>::Zeros({2, 0})),
            EncodeToString(std::vector<std::vector<float>>{{}, {}}));
}

TEST_F(ArrayCodec, EmptyArraysWithHugeExtentsHaveNoNestedForm) {
  const std::string bytes = Ext32(71, Ext71Payload('u', 1, {int64_t{1} << 32, 0}, ""));
  Array<uint8_t> empty = DecodeFromString<Array<uint8_t>>(bytes);  // fine: no data
  EXPECT_EQ(empty.size(), 0);
  EXPECT_EQ(EncodeToString(empty)[5], 71);  // inline: compact
  detail::SetArraysEnabled(false);
  try {
    EncodeToString(empty);
    ADD_FAILURE() << "encoded";
  } catch (const std::length_error& error) {
    EXPECT_STREQ(error.what(), "goray: the nested-list form of an empty array of shape "
                               "(4294967296, 0) is over the limit of 65536 lists");
  }
  EXPECT_EQ(EncodeToString(Array<uint8_t>::Zeros({1000, 0})).size(), 3u + 1000u);
}

TEST_F(ArrayCodec, NestedListsDecode) {
  Array<int64_t> array =
      DecodeFromString<Array<int64_t>>(EncodeToString(std::vector<std::vector<int>>{{1, 2}, {3, 4}}));
  EXPECT_EQ(array.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(array[3], 4);
  EXPECT_EQ(DecodeFromString<Array<double>>(EncodeToString(std::vector<int>{})).shape(),
            (std::vector<int64_t>{0}));
  EXPECT_EQ(DecodeFromString<Array<double>>(EncodeToString(2.5)).ndim(), 0);
  EXPECT_EQ(DecodeErrorText<Array<double>>(EncodeToString(std::vector<std::vector<int>>{{1, 2}, {3}})),
            "expected goray::Array<double>, received a nested array that is not rectangular");
  EXPECT_EQ(DecodeErrorText<Array<uint8_t>>(EncodeToString(std::vector<std::vector<int>>{{1, 300}})),
            "expected uint8_t, received int 300 (at [0][1])");
  EXPECT_EQ(DecodeErrorText<Array<double>>(EncodeToString(std::string("x"))),
            "expected goray::Array<double>, received str");
  // A 2-element pair of numbers is one complex element.
  auto complex = DecodeFromString<Array<std::complex<float>>>(
      EncodeToString(std::vector<std::vector<double>>{{1, 2}, {3, 4}}));
  EXPECT_EQ(complex.shape(), (std::vector<int64_t>{2}));
  EXPECT_EQ(complex[1], std::complex<float>(3, 4));
}

TEST_F(ArrayCodec, InlineDataIsAlignedTo64InTheTargetBuffer) {
  for (std::size_t prefix = 0; prefix < 70; prefix += 7) {
    goray::codec::Buffer buffer;
    buffer.write(std::string(prefix, '\xc0').data(), prefix);  // nils before the array
    goray::codec::detail::EncodeTargetScope target(buffer);
    goray::codec::Packer packer(buffer);
    goray::codec::Encode(packer, Array<double>(std::vector<double>{1, 2, 3}, {3}));
    const std::size_t header = prefix + 6;
    const std::size_t pad = static_cast<uint8_t>(buffer.data()[header + 3]);
    EXPECT_LT(pad, 64u);
    EXPECT_EQ((header + 4 + 8 + pad) % 64, 0u) << prefix;
    EXPECT_EQ(buffer.size(), header + 4 + 8 + pad + 24);
  }
}

TEST_F(ArrayCodec, AlignedViewBorrowsMisalignedViewCopies) {
  std::vector<double> values{1.5, 2.5, 3.5};
  for (uint8_t pad : {uint8_t{2}, uint8_t{6}}) {  // with the 6-byte ext header: 8-aligned or not
    const std::string bytes = Ext32(71, Ext71Payload('f', 8, {3}, Bytes(values), pad));
    // 16-byte aligned storage, so the data's alignment is the offset's.
    alignas(16) char storage[256];
    std::memcpy(storage, bytes.data(), bytes.size());
    msgpack::object_handle handle = msgpack::unpack(
        storage, bytes.size(), [](msgpack::type::object_type, std::size_t, void*) { return true; });
    auto view = goray::codec::Decode<ArrayView<double>>(handle.get());
    const char* inline_data = storage + 6 + 4 + 8 + pad;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(view.data()) % alignof(double), 0u);
    EXPECT_EQ(reinterpret_cast<const char*>(view.data()) == inline_data, pad == 6);
    EXPECT_EQ(view[2], 3.5);
  }
}

TEST_F(ArrayCodec, DtypeMismatchNamesBoth) {
  std::vector<int32_t> values(6, 1);
  const std::string bytes = Ext32(71, Ext71Payload('i', 4, {2, 3}, Bytes(values)));
  EXPECT_EQ(DecodeErrorText<Array<double>>(bytes),
            "expected goray::Array<double>, received ndarray of int32 (2, 3)");
  EXPECT_EQ(DecodeErrorText<ArrayView<double>>(bytes),
            "expected goray::ArrayView<double>, received ndarray of int32 (2, 3)");
  EXPECT_EQ(DecodeErrorText<double>(bytes), "expected double, received ndarray of int32 (2, 3)");
}

TEST_F(ArrayCodec, SpanTakesOneDimensionOnly) {
  std::vector<double> values(6, 1.0);
  const std::string two_d = Ext32(71, Ext71Payload('f', 8, {2, 3}, Bytes(values)));
  EXPECT_EQ(DecodeErrorText<detail::SpanArgument<double>>(two_d),
            "expected std::span<const double>, received ndarray of float64 (2, 3)");
  const std::string one_d = Ext32(71, Ext71Payload('f', 8, {6}, Bytes(values)));
  auto span_argument = DecodeFromString<detail::SpanArgument<double>>(one_d);
  std::span<const double> span = span_argument;
  EXPECT_EQ(span.size(), 6u);
  auto from_list = DecodeFromString<detail::SpanArgument<double>>(EncodeToString(std::vector<double>{4, 5}));
  EXPECT_EQ(static_cast<std::span<const double>>(from_list)[1], 5.0);
}

TEST_F(ArrayCodec, VectorFromExtIsOneCopy) {
  std::vector<double> values{1, 2, 3};
  const std::string bytes = Ext32(71, Ext71Payload('f', 8, {3}, Bytes(values)));
  EXPECT_EQ(DecodeFromString<std::vector<double>>(bytes), values);
  EXPECT_EQ(DecodeErrorText<std::vector<float>>(bytes),
            "expected std::vector<float>, received ndarray of float64 (3,)");
  const std::string two_d = Ext32(71, Ext71Payload('f', 8, {1, 3}, Bytes(values)));
  EXPECT_EQ(DecodeErrorText<std::vector<double>>(two_d),
            "expected std::vector<double>, received ndarray of float64 (1, 3)");
  // Encoding of std::vector is unchanged: a msgpack array of numbers.
  EXPECT_EQ(static_cast<uint8_t>(EncodeToString(values)[0]), 0x93);
}

TEST_F(ArrayCodec, ByAddressBorrowsAfterEnableOnly) {
  std::vector<int16_t> values{1, 2, 3, 4};
  const std::string bytes = Ext32(72, Ext72Payload('i', 2, {2, 2}, values.data()));
  auto view = DecodeFromString<ArrayView<int16_t>>(bytes);
  EXPECT_EQ(view.data(), values.data());  // zero copies
  Array<int16_t> copy = DecodeFromString<Array<int16_t>>(bytes);
  EXPECT_NE(copy.data(), values.data());
  EXPECT_EQ(copy[3], 4);
  detail::SetArraysEnabled(false);
  EXPECT_EQ(DecodeErrorText<ArrayView<int16_t>>(bytes),
            "expected goray::ArrayView<int16_t>, received ext 72 (an array by address), which is "
            "accepted only after EnableArrays");
}

TEST_F(ArrayCodec, MalformedExtsAreRefused) {
  std::vector<double> values{1, 2};
  const std::string good = Ext71Payload('f', 8, {2}, Bytes(values));
  auto error = [](const std::string& payload) {
    return DecodeErrorText<Array<double>>(Ext32(71, payload));
  };
  EXPECT_EQ(error("f\x08"), "expected goray::Array<double>, received malformed array ext 71 "
                            "(payload of 2 bytes, shorter than its header)");
  EXPECT_EQ(error(good.substr(0, good.size() - 1)),
            "expected goray::Array<double>, received malformed array ext 71 (payload of 27 "
            "bytes, expected 28 for ndarray of float64 (2,))");
  EXPECT_EQ(error(good + "x"),
            "expected goray::Array<double>, received malformed array ext 71 (payload of 29 "
            "bytes, expected 28 for ndarray of float64 (2,))");
  std::string deep = good;
  deep[2] = 40;
  EXPECT_EQ(error(deep), "expected goray::Array<double>, received malformed array ext 71 "
                         "(ndim 40 is over 32)");
  const std::string overflow =
      Ext71Payload('f', 8, {int64_t{1} << 40, int64_t{1} << 40, int64_t{1} << 40}, "");
  EXPECT_EQ(error(overflow),
            "expected goray::Array<double>, received malformed array ext 71 (shape "
            "(1099511627776, 1099511627776, 1099511627776) is larger than the data)");
  EXPECT_EQ(error(Ext71Payload('f', 8, {-1}, "")),
            "expected goray::Array<double>, received malformed array ext 71 (negative extent -1)");
  EXPECT_EQ(error(Ext71Payload('f', 2, {0}, "")),
            "expected goray::Array<double>, received malformed array ext 71 (unknown dtype 'f2')");
  EXPECT_EQ(error(Ext71Payload('f', 8, {2}, Bytes(values), 5).substr(0, 12 + 5)),
            "expected goray::Array<double>, received malformed array ext 71 (payload of 17 "
            "bytes, expected 33 for ndarray of float64 (2,))");
  // A zero extent makes any other extent fine: no data.
  EXPECT_EQ(DecodeFromString<Array<double>>(
                Ext32(71, Ext71Payload('f', 8, {int64_t{1} << 62, 0}, "")))
                .size(),
            0);
  // ext 72: exact size, no null address with data, no wrap-around.
  EXPECT_NE(DecodeErrorText<Array<double>>(Ext32(72, Ext72Payload('f', 8, {2}, nullptr)))
                .find("(null address)"),
            std::string::npos);
  EXPECT_NE(DecodeErrorText<Array<double>>(Ext32(72, Ext72Payload('f', 8, {2}, values.data()) + "x"))
                .find("payload of 29 bytes, expected 28"),
            std::string::npos);
  EXPECT_NE(DecodeErrorText<Array<double>>(
                Ext32(72, Ext72Payload('f', 8, {2}, reinterpret_cast<void*>(~uintptr_t{7}))))
                .find("address range wraps around"),
            std::string::npos);
}

// An ext 71 or 72 payload with `bits` set in its 4th byte (over the pad or flags).
std::string WithFourthBits(std::string payload, unsigned bits) {
  payload[3] = static_cast<char>(static_cast<unsigned char>(payload[3]) | bits);
  return payload;
}

TEST_F(ArrayCodec, ColumnMajorArraysAreReadInCOrder) {
  // (2, 3) int32 in Fortran order: columns [1, 4], [2, 5], [3, 6].
  const std::vector<int32_t> fortran{1, 4, 2, 5, 3, 6};
  const std::string matrix = Ext32(71, WithFourthBits(Ext71Payload('i', 4, {2, 3}, Bytes(fortran)), 0x80));
  const std::vector<int32_t> c_order{1, 2, 3, 4, 5, 6};
  Array<int32_t> array = DecodeFromString<Array<int32_t>>(matrix);
  EXPECT_EQ(array.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::vector<int32_t>(array.data(), array.data() + 6), c_order);
  ArrayView<int32_t> view = DecodeFromString<ArrayView<int32_t>>(matrix);
  EXPECT_EQ(std::vector<int32_t>(view.begin(), view.end()), c_order);
  EXPECT_NE(view.owner(), nullptr);  // the transposed copy, kept by the view
  // Three dimensions: element (i, j, k) of shape (2, 2, 2) at i + 2j + 4k in Fortran order.
  std::vector<int16_t> cube(8);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      for (int k = 0; k < 2; ++k) cube[i + 2 * j + 4 * k] = static_cast<int16_t>(100 * i + 10 * j + k);
    }
  }
  Array<int16_t> read = DecodeFromString<Array<int16_t>>(
      Ext32(71, WithFourthBits(Ext71Payload('i', 2, {2, 2, 2}, Bytes(cube), 4), 0x80)));
  EXPECT_EQ(std::vector<int16_t>(read.data(), read.data() + 8),
            (std::vector<int16_t>{0, 1, 10, 11, 100, 101, 110, 111}));
  // By address too; and 1-D or single-row data reads as it is.
  EXPECT_EQ(DecodeFromString<Array<int32_t>>(
                Ext32(72, Ext72Payload('i', 4, {2, 3}, fortran.data(), 0, 0x80)))
                .data()[1],
            2);
  EXPECT_EQ(DecodeFromString<std::vector<int32_t>>(
                Ext32(71, WithFourthBits(Ext71Payload('i', 4, {6}, Bytes(fortran)), 0x80))),
            fortran);
  // The reserved bit 6 is refused.
  EXPECT_EQ(DecodeErrorText<Array<int32_t>>(
                Ext32(71, WithFourthBits(Ext71Payload('i', 4, {6}, Bytes(fortran)), 0x40))),
            "expected goray::Array<int32_t>, received malformed array ext 71 (4th byte 64 has the "
            "reserved bit 6 set)");
}

TEST_F(ArrayCodec, ColumnMajorDataIsWrittenAsStoredOnlyAfterTheFeature) {
  const std::vector<double> fortran{1, 4, 2, 5, 3, 6};
  auto encode = [&] {
    goray::codec::Buffer buffer;
    goray::codec::detail::EncodeTargetScope target(buffer);
    goray::codec::Packer packer(buffer);
    goray::codec::detail::EncodeArrayData(packer, fortran.data(), {2, 3}, 6, {}, true);
    return std::string(buffer.data(), buffer.size());
  };
  const std::string before = encode();
  EXPECT_EQ(static_cast<unsigned char>(before[9]) & 0x80, 0u);
  const std::vector<double> c_order{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(std::memcmp(before.data() + before.size() - 48, c_order.data(), 48), 0);
  goray::detail::SetFeatures(goray::detail::kFeatureColumnMajor);
  const std::string after = encode();
  goray::detail::SetFeatures(0);
  EXPECT_EQ(static_cast<unsigned char>(after[9]) & 0x80, 0x80u);
  EXPECT_EQ(std::memcmp(after.data() + after.size() - 48, fortran.data(), 48), 0);
  Array<double> read = DecodeFromString<Array<double>>(after);
  EXPECT_EQ(read.data()[1], 2);
  // Before EnableArrays: nested lists in row order.
  detail::SetArraysEnabled(false);
  EXPECT_EQ(DecodeFromString<std::vector<std::vector<double>>>(encode()),
            (std::vector<std::vector<double>>{{1, 2, 3}, {4, 5, 6}}));
}

TEST_F(ArrayCodec, BoolBytesOtherThanZeroOrOneAreRefused) {
  const std::string bytes = Ext32(71, Ext71Payload('b', 1, {3}, std::string("\x01\x02\x00", 3)));
  EXPECT_EQ(DecodeErrorText<ArrayView<bool>>(bytes),
            "expected goray::ArrayView<bool>, received ndarray of bool holding the byte 2 at [1]");
}

TEST_F(ArrayCodec, InsideStructsTuplesAndContainers) {
  shapes::Tile tile{"t", Array<double>(std::vector<double>{1, 2, 3, 4}, {2, 2})};
  for (bool enabled : {true, false}) {
    detail::SetArraysEnabled(enabled);
    auto back = DecodeFromString<shapes::Tile>(EncodeToString(tile));
    EXPECT_EQ(back.name, "t");
    EXPECT_EQ(back.pixels.shape(), (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(back.pixels[3], 4.0);

    std::tuple<Array<int32_t>, std::string> pair{Array<int32_t>(std::vector<int32_t>{7, 8}), "x"};
    auto tuple_back = DecodeFromString<std::tuple<Array<int32_t>, std::string>>(EncodeToString(pair));
    EXPECT_EQ(std::get<0>(tuple_back)[1], 8);

    std::map<std::string, std::vector<Array<float>>> nested{
        {"a", {Array<float>(std::vector<float>{1.5f}), Array<float>::Zeros({2, 2})}}};
    auto nested_back = DecodeFromString<decltype(nested)>(EncodeToString(nested));
    EXPECT_EQ(nested_back["a"][0][0], 1.5f);
    EXPECT_EQ(nested_back["a"][1].shape(), (std::vector<int64_t>{2, 2}));
  }
  detail::SetArraysEnabled(true);
  std::vector<int32_t> wrong(2, 0);
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_map(2);
  packer.pack(std::string("name"));
  packer.pack(std::string("t"));
  packer.pack(std::string("pixels"));
  const std::string ext = Ext32(71, Ext71Payload('i', 4, {2}, Bytes(wrong)));
  buffer.write(ext.data(), ext.size());
  EXPECT_EQ(DecodeErrorText<shapes::Tile>(std::string(buffer.data(), buffer.size())),
            "expected goray::Array<double>, received ndarray of int32 (2,) (at .pixels)");
}

TEST_F(ArrayCodec, InlineOverFourGiBIsALengthError) {
  Array<uint8_t> big;
  try {
    big = Array<uint8_t>::Zeros({int64_t{1} << 32});  // calloc: untouched zero pages
  } catch (const std::bad_alloc&) {
    GTEST_SKIP() << "4 GiB of address space is not available here";
  }
  try {
    EncodeToString(big);
    ADD_FAILURE() << "encoded";
  } catch (const std::length_error& error) {
    EXPECT_STREQ(error.what(), "goray: a typed array (ext 71) of 4294967296 bytes is over "
                               "msgpack's limit of 4294967295 (2^32 - 1)");
  }
}

TEST_F(ArrayCodec, ArrayViewEncodesLikeArray) {
  Array<uint32_t> array(std::vector<uint32_t>{1, 2, 3});
  EXPECT_EQ(EncodeToString(ArrayView<uint32_t>(array)), EncodeToString(array));
}

TEST_F(ArrayCodec, SharedSourceBufferIsNotCopied) {
  std::vector<double> values{1, 2, 3};
  const std::string bytes = Ext32(71, Ext71Payload('f', 8, {3}, Bytes(values), 6));
  void* block = std::aligned_alloc(64, 64);
  std::memcpy(block, bytes.data(), bytes.size());
  std::shared_ptr<void> owner(block, [](void* pointer) { std::free(pointer); });
  auto array = goray::detail::DecodeObject<Array<double>>(
      "object 1", std::string_view(static_cast<char*>(block), bytes.size()), owner);
  EXPECT_EQ(reinterpret_cast<char*>(array.data()), static_cast<char*>(block) + 6 + 12 + 6);
  EXPECT_EQ(array.owner().get(), block);
  owner.reset();
  EXPECT_EQ(array[2], 3.0);  // still alive through the Array
  // Without an owner the Array copies.
  auto copy = goray::detail::DecodeObject<Array<double>>("object 1", bytes);
  EXPECT_NE(reinterpret_cast<const char*>(copy.data()), bytes.data() + 24);
}

}  // namespace
