// Bytes-like values from a 1-D itemsize-1 array ext (how a large Python bytes argument
// may arrive: ext 72 uint8 at the object store's address, or ext 71 inline):
// std::string, std::vector<std::byte|char|uint8_t|int8_t> and std::array<uint8_t, N>
// copy once; a std::span<const uint8_t> points at it (and at a bin); other dtypes and
// shapes keep their errors; a goray::Value copies an array by address. Through the
// codec and through Execute (RunTask).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "array_test_util.h"
#include "goray/abi.h"
#include "test_application.h"

namespace {

using array_test::DecodeErrorText;
using array_test::DecodeFromString;
using array_test::Ext32;
using array_test::Ext71Payload;
using array_test::Ext72Payload;
namespace detail = goray::codec::detail;

const void* g_seen = nullptr;  // the data() a task last saw

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("StringSize", [](const std::string& s) {
    g_seen = s.data();
    return std::string(s.data(), s.size() < 5 ? s.size() : 5) + "/" + std::to_string(s.size());
  });
  registry.AddTask("EchoBytes", [](std::vector<std::byte> b) { return b; });
  registry.AddTask("SpanAddress", [](std::span<const std::uint8_t> s) {
    g_seen = s.data();
    return static_cast<std::uint64_t>(s.size());
  });
}

namespace {

// ext 72 with uint8 data at `data`, 1-D.
std::string ByAddress(const std::string& data, char kind = 'u') {
  return Ext32(72, Ext72Payload(kind, 1, {static_cast<int64_t>(data.size())}, data.data()));
}

std::string Inline(const std::string& data, char kind = 'u') {
  return Ext32(71, Ext71Payload(kind, 1, {static_cast<int64_t>(data.size())}, data));
}

class BytesFromArray : public testing::Test {
 protected:
  void SetUp() override { detail::SetArraysEnabled(true); }
  void TearDown() override { detail::SetArraysEnabled(false); }
};

TEST_F(BytesFromArray, EveryBytesLikeTypeCopiesAnInlineUint8OrInt8Vector) {
  const std::string data("h\0\xffl", 4);
  for (char kind : {'u', 'i'}) {
    const std::string ext = Inline(data, kind);
    EXPECT_EQ(DecodeFromString<std::string>(ext), data) << kind;
    EXPECT_EQ(DecodeFromString<std::vector<std::byte>>(ext),
              (std::vector<std::byte>{std::byte{'h'}, std::byte{0}, std::byte{0xff}, std::byte{'l'}}));
    EXPECT_EQ(DecodeFromString<std::vector<std::uint8_t>>(ext),
              (std::vector<std::uint8_t>{'h', 0, 0xff, 'l'}));
    EXPECT_EQ(DecodeFromString<std::vector<char>>(ext), (std::vector<char>{'h', 0, '\xff', 'l'}));
    EXPECT_EQ(DecodeFromString<std::vector<std::int8_t>>(ext),
              (std::vector<std::int8_t>{'h', 0, -1, 'l'}));
    EXPECT_EQ((DecodeFromString<std::array<std::uint8_t, 4>>(ext)),
              (std::array<std::uint8_t, 4>{'h', 0, 0xff, 'l'}));
    EXPECT_EQ(DecodeFromString<std::optional<std::string>>(ext), data);
  }
}

TEST_F(BytesFromArray, ByAddressIsCopiedOnceOutOfTheCallersMemory) {
  std::string data(100000, 'x');
  data[99999] = 'y';
  const std::string ext = ByAddress(data);
  const std::string text = DecodeFromString<std::string>(ext);
  EXPECT_EQ(text, data);
  EXPECT_NE(static_cast<const void*>(text.data()), static_cast<const void*>(data.data()));
  const auto bytes = DecodeFromString<std::vector<std::uint8_t>>(ext);
  ASSERT_EQ(bytes.size(), data.size());
  EXPECT_EQ(bytes[99999], 'y');
  EXPECT_EQ(DecodeFromString<std::vector<char>>(ByAddress(data, 'i')).back(), 'y');
}

TEST_F(BytesFromArray, EmptyByAddressIsEmpty) {
  const std::string ext = Ext32(72, Ext72Payload('u', 1, {0}, nullptr));
  EXPECT_EQ(DecodeFromString<std::string>(ext), "");
  EXPECT_TRUE(DecodeFromString<std::vector<std::byte>>(ext).empty());
}

TEST_F(BytesFromArray, ByAddressIsRefusedBeforeEnableArrays) {
  detail::SetArraysEnabled(false);
  const std::string data = "abc";
  EXPECT_EQ(DecodeErrorText<std::string>(ByAddress(data)),
            "expected std::string, received ext 72 (an array by address), which is accepted only "
            "after EnableArrays");
  EXPECT_EQ(DecodeErrorText<std::vector<std::byte>>(ByAddress(data)),
            "expected std::vector<std::byte>, received ext 72 (an array by address), which is "
            "accepted only after EnableArrays");
}

TEST_F(BytesFromArray, OtherDtypesAndShapesNameExpectedAndReceived) {
  const std::vector<double> doubles{1, 2};
  const std::string floats = Ext32(71, Ext71Payload('f', 8, {2}, array_test::Bytes(doubles)));
  EXPECT_EQ(DecodeErrorText<std::string>(floats),
            "expected std::string, received ndarray of float64 (2,)");
  const std::string two_d = Ext32(71, Ext71Payload('u', 1, {2, 2}, "abcd"));
  EXPECT_EQ(DecodeErrorText<std::vector<std::uint8_t>>(two_d),
            "expected std::vector<uint8_t>, received ndarray of uint8 (2, 2)");
  EXPECT_EQ(DecodeErrorText<std::vector<char>>(two_d),
            "expected std::vector<char>, received ndarray of uint8 (2, 2)");
  EXPECT_EQ(DecodeErrorText<std::vector<std::int8_t>>(two_d),
            "expected std::vector<int8_t>, received ndarray of uint8 (2, 2)");
  const std::vector<std::uint16_t> shorts{1, 2};
  const std::string wide = Ext32(71, Ext71Payload('u', 2, {2}, array_test::Bytes(shorts)));
  EXPECT_EQ(DecodeErrorText<std::vector<std::byte>>(wide),
            "expected std::vector<std::byte>, received ndarray of uint16 (2,)");
  const std::string bools = Ext32(71, Ext71Payload('b', 1, {2}, std::string("\x01\x00", 2)));
  EXPECT_EQ(DecodeErrorText<std::string>(bools), "expected std::string, received ndarray of bool (2,)");
  EXPECT_EQ((DecodeErrorText<std::array<std::uint8_t, 3>>(Inline("abcd"))),
            "expected std::array<uint8_t, 3>, received array of 4");
  EXPECT_EQ(DecodeErrorText<std::string>(Ext32(71, "u\x01")),
            "expected std::string, received malformed array ext 71 (payload of 2 bytes, shorter "
            "than its header)");
}

TEST_F(BytesFromArray, CharAndInt8VectorsTakeBinAndStrToo) {
  const std::string bin = array_test::EncodeToString(std::vector<std::uint8_t>{1, 255});
  EXPECT_EQ(DecodeFromString<std::vector<char>>(bin), (std::vector<char>{1, '\xff'}));
  EXPECT_EQ(DecodeFromString<std::vector<std::int8_t>>(bin), (std::vector<std::int8_t>{1, -1}));
  const std::string str = array_test::EncodeToString(std::string("ab"));
  EXPECT_EQ(DecodeFromString<std::vector<char>>(str), (std::vector<char>{'a', 'b'}));
  // Arrays of ints keep their ranges.
  const std::string ints = array_test::EncodeToString(std::vector<int64_t>{-128, 127});
  EXPECT_EQ(DecodeFromString<std::vector<std::int8_t>>(ints), (std::vector<std::int8_t>{-128, 127}));
  EXPECT_EQ(DecodeErrorText<std::vector<std::int8_t>>(
                array_test::EncodeToString(std::vector<int64_t>{200})),
            "expected int8_t, received int 200 (at [0])");
}

TEST_F(BytesFromArray, ValueCopiesAnArrayByAddressUint8AsBytes) {
  std::string data(1000, 'v');
  const goray::Value bytes = DecodeFromString<goray::Value>(ByAddress(data));
  ASSERT_EQ(bytes.kind(), goray::Value::Kind::kBin);
  EXPECT_EQ(bytes.As<std::string>(), data);
  // int8 or another dtype or shape: the same array inline (ext 71), self-contained.
  const std::vector<double> doubles{1.5, 2.5, 3.5, 4.5};
  const std::string by_address = Ext32(72, Ext72Payload('f', 8, {2, 2}, doubles.data()));
  const goray::Value array = DecodeFromString<goray::Value>(by_address);
  ASSERT_EQ(array.kind(), goray::Value::Kind::kExt);
  EXPECT_EQ(array.as_ext().type, 71);
  const auto back = DecodeFromString<goray::Array<double>>(array_test::EncodeToString(array));
  EXPECT_EQ(back.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(std::vector<double>(back.begin(), back.end()), doubles);
  EXPECT_EQ(DecodeFromString<goray::Value>(ByAddress(data, 'i')).kind(), goray::Value::Kind::kExt);
  // Inline arrays stay as they came.
  const goray::Value kept = DecodeFromString<goray::Value>(Inline("ab"));
  EXPECT_EQ(kept.as_ext().type, 71);
  EXPECT_EQ(kept.as_ext().data.size(), Ext71Payload('u', 1, {2}, "ab").size());
  detail::SetArraysEnabled(false);
  EXPECT_EQ(DecodeErrorText<goray::Value>(ByAddress(data)),
            "expected goray::Value, received ext 72 (an array by address), which is accepted "
            "only after EnableArrays");
}

// ---- Through Execute, as the driver calls a task -------------------------------

std::string Unit(std::string_view bytes) {
  std::string out;
  array_test::AppendLittle(out, bytes.size());
  out.append(bytes);
  return out;
}

struct Reply {
  long long code = -1;
  std::string body;
};

Reply RunTask(std::string_view name, const std::string& args_block) {
  std::string payload = Unit(name) + Unit(args_block);
  long long out_len = 0;
  long long code = -1;
  void* out = Execute(4, payload.data(), static_cast<long long>(payload.size()), &out_len, &code);
  Reply reply{code, {}};
  if (out != nullptr) {
    reply.body.assign(static_cast<char*>(out), static_cast<std::size_t>(out_len));
    FreeMemory(out);
  }
  return reply;
}

msgpack::object_handle OneValue(const Reply& reply) {
  EXPECT_EQ(reply.code, 0) << reply.body;
  return msgpack::unpack(reply.body.data(), reply.body.size());
}

class BytesFromArrayAbi : public testing::Test {
 protected:
  void SetUp() override {
    detail::SetArraysEnabled(false);
    long long out_len = 0;
    long long code = -1;
    void* out = Execute(33, nullptr, 0, &out_len, &code);  // EnableArrays
    if (out != nullptr) FreeMemory(out);
    ASSERT_EQ(code, 0);
  }
  void TearDown() override { detail::SetArraysEnabled(false); }
};

TEST_F(BytesFromArrayAbi, StringAndBytesParametersTakeABytesArgumentByAddress) {
  std::string data(70000, 'a');
  data.replace(0, 5, "hello");
  EXPECT_EQ(OneValue(RunTask("StringSize", ByAddress(data))).get().as<std::string>(),
            "hello/70000");
  EXPECT_NE(g_seen, static_cast<const void*>(data.data()));  // a std::string owns a copy
  msgpack::object_handle echoed = OneValue(RunTask("EchoBytes", ByAddress(data)));
  ASSERT_EQ(echoed.get().type, msgpack::type::BIN);
  EXPECT_EQ(std::string(echoed.get().via.bin.ptr, echoed.get().via.bin.size), data);
}

TEST_F(BytesFromArrayAbi, SpanParameterPointsAtTheBytesWithoutACopy) {
  std::string data(70000, 'z');
  EXPECT_EQ(OneValue(RunTask("SpanAddress", ByAddress(data))).get().as<uint64_t>(), 70000u);
  EXPECT_EQ(g_seen, static_cast<const void*>(data.data()));
  // A bin (a small Python bytes) is viewed where it lies in the request.
  EXPECT_EQ(OneValue(RunTask("SpanAddress", array_test::EncodeToString(
                                                std::vector<std::uint8_t>{1, 2, 3})))
                .get()
                .as<uint64_t>(),
            3u);
}

TEST_F(BytesFromArrayAbi, AWrongDtypeNamesTaskPositionExpectedAndReceived) {
  const std::vector<double> doubles{1, 2};
  Reply reply = RunTask("StringSize",
                        Ext32(72, Ext72Payload('f', 8, {2}, doubles.data())));
  ASSERT_EQ(reply.code, 5) << reply.body;
  EXPECT_EQ(nlohmann::json::parse(reply.body)["Message"].get<std::string>(),
            "goray::ArgumentError: position 0: expected std::string, received ndarray of float64 "
            "(2,) (task StringSize)");
}

}  // namespace

// Of runtime/src, this file exercises bytes/byte_array_ext.cpp most directly (docs/testing.md,
// "Finding a module's tests").
