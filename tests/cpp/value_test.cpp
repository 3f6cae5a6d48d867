// goray::Value (goray/value.h): construction, kinds, accessors, equality,
// conversion through the codec, and lossless msgpack round trips.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "goray/codec.h"
#include "goray/value.h"

namespace {
namespace app {
struct Item {
  std::string name;
  std::int32_t count = 0;
  goray::Value extra;  // any value as a struct field
  friend bool operator==(const Item&, const Item&) = default;
};
}  // namespace app
}  // namespace

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <>
struct pack<::app::Item> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer, const ::app::Item& value) const {
    goray::codec::EncodeStructHeader(packer, 3);
    goray::codec::EncodeField(packer, "name", value.name);
    goray::codec::EncodeField(packer, "count", value.count);
    goray::codec::EncodeField(packer, "extra", value.extra);
    return packer;
  }
};

template <>
struct convert<::app::Item> {
  const msgpack::object& operator()(const msgpack::object& object, ::app::Item& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("name", value.name);
    decoder.Field("count", value.count);
    decoder.Field("extra", value.extra);
    decoder.End();
    return object;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

namespace {

using goray::Value;
using goray::codec::DecodeError;
using TimePoint = std::chrono::system_clock::time_point;

std::string Hex(std::initializer_list<int> bytes) {
  std::string out;
  for (int byte : bytes) out += static_cast<char>(byte);
  return out;
}

std::string Pack(const Value& value) {
  goray::codec::Buffer buffer;
  goray::codec::Packer packer(buffer);
  goray::codec::Encode(packer, value);
  return std::string(buffer.data(), buffer.size());
}

Value Unpack(std::string_view bytes) {
  const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  return goray::codec::Decode<Value>(handle.get());
}

// Decodes `bytes` as a Value and encodes it again: the bytes must survive.
void ExpectBytesSurvive(const std::string& bytes) {
  const Value value = Unpack(bytes);
  EXPECT_EQ(Pack(value), bytes) << value;
  EXPECT_EQ(Value::FromMsgpack(bytes), value);
  EXPECT_EQ(Unpack(Pack(value)), value);
}

template <class Call>
DecodeError FailureOf(Call call) {
  try {
    call();
  } catch (const DecodeError& error) {
    return error;
  }
  ADD_FAILURE() << "no DecodeError";
  return DecodeError("", "");
}

// ---- Construction and kinds --------------------------------------------------

TEST(Value, KindsFromNaturalTypes) {
  EXPECT_TRUE(Value().is_nil());
  EXPECT_TRUE(Value(nullptr).is_nil());
  EXPECT_TRUE(Value(true).is_bool());
  EXPECT_TRUE(Value(0).is_int());
  EXPECT_TRUE(Value(-5).is_int());
  EXPECT_TRUE(Value(std::numeric_limits<std::uint64_t>::max()).is_int());
  EXPECT_TRUE(Value(1.5f).is_float32());
  EXPECT_TRUE(Value(1.5f).is_float());
  EXPECT_TRUE(Value(1.5).is_float64());
  EXPECT_TRUE(Value("text").is_str());
  EXPECT_TRUE(Value(std::string("text")).is_str());
  EXPECT_TRUE(Value(std::string_view("text")).is_str());
  EXPECT_TRUE(Value(Value::Bytes{std::byte{1}}).is_bin());
  EXPECT_TRUE(Value(Value::Array{1, "a"}).is_array());
  EXPECT_TRUE(Value(Value::Map{{"k", 1}}).is_map());
  EXPECT_TRUE(Value(Value::Timestamp{1, 2}).is_timestamp());
  EXPECT_TRUE(Value(TimePoint()).is_timestamp());
  EXPECT_TRUE(Value(Value::Ext{5, {}}).is_ext());
  EXPECT_EQ(Value(7).kind(), Value::Kind::kInt);
  EXPECT_EQ(Value("x").kind(), Value::Kind::kStr);
  EXPECT_FALSE(Value(1).is_float());
}

TEST(Value, Accessors) {
  EXPECT_TRUE(Value(true).as_bool());
  EXPECT_EQ(Value(-5).as_int64(), -5);
  EXPECT_EQ(Value(5u).as_int64(), 5);
  EXPECT_EQ(Value(std::numeric_limits<std::int64_t>::min()).as_int64(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(Value(std::numeric_limits<std::uint64_t>::max()).as_uint64(),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(Value(2.5).as_double(), 2.5);
  EXPECT_EQ(Value(2.5f).as_double(), 2.5);
  EXPECT_EQ(Value(3).as_double(), 3.0);
  EXPECT_EQ(Value(0.1).as_float(), 0.1f);
  EXPECT_EQ(Value("s").as_str(), "s");
  EXPECT_EQ(Value(Value::Bytes{std::byte{9}}).as_bin(), Value::Bytes{std::byte{9}});
  EXPECT_EQ(Value(Value::Array{1, 2}).as_array().size(), 2u);
  EXPECT_EQ(Value(Value::Map{{"a", 1}}).as_map().size(), 1u);
  EXPECT_EQ(Value(Value::Timestamp{-1, 5}).as_timestamp(), (Value::Timestamp{-1, 5}));
  EXPECT_EQ(Value(Value::Ext{7, {std::byte{1}}}).as_ext().type, 7);
  const TimePoint time = TimePoint(std::chrono::nanoseconds(-1500000001));
  EXPECT_EQ(Value(time).as_timestamp(), (Value::Timestamp{-2, 499999999}));
  EXPECT_EQ(Value(time).as_time_point(), time);
}

TEST(Value, AccessorErrorsAreDecodeErrors) {
  DecodeError error =
      FailureOf([] { (void)Value(std::numeric_limits<std::uint64_t>::max()).as_int64(); });
  EXPECT_EQ(error.expected(), "int64_t");
  EXPECT_EQ(error.received(), "int 18446744073709551615");
  error = FailureOf([] { (void)Value(-1).as_uint64(); });
  EXPECT_EQ(error.expected(), "uint64_t");
  EXPECT_EQ(error.received(), "int -1");
  error = FailureOf([] { (void)Value(5).as_str(); });
  EXPECT_EQ(error.expected(), "str");
  EXPECT_EQ(error.received(), "int 5");
  error = FailureOf([] { (void)Value(Value::Map{}).as_array(); });
  EXPECT_EQ(error.expected(), "array");
  EXPECT_EQ(error.received(), "map");
  error = FailureOf([] { (void)Value("x").as_double(); });
  EXPECT_EQ(error.expected(), "double");
  EXPECT_EQ(error.received(), "str");
  error = FailureOf([] { (void)Value(Value::Ext{3, {}}).as_bool(); });
  EXPECT_EQ(error.received(), "ext 3");
  error = FailureOf(
      [] { (void)Value(Value::Timestamp{std::int64_t{1} << 40, 0}).as_time_point(); });
  EXPECT_EQ(error.expected(), "std::chrono::system_clock::time_point");
  EXPECT_EQ(error.received(), "timestamp 1099511627776s (out of the clock's range)");
  error = FailureOf([] { (void)Value(1.5).size(); });
  EXPECT_EQ(error.expected(), "array or map");
  EXPECT_EQ(error.received(), "float64 1.5");
}

// ---- Indexing --------------------------------------------------------------

TEST(Value, Indexing) {
  Value value = Value::Map{{"xs", Value::Array{1, 2.5, "three"}}, {5, "int key"}, {"n", nullptr}};
  EXPECT_EQ(value.size(), 3u);
  EXPECT_EQ(value["xs"].size(), 3u);
  EXPECT_EQ(value["xs"][1].as_double(), 2.5);
  EXPECT_EQ(value["xs"][2].as_str(), "three");
  EXPECT_TRUE(value["n"].is_nil());
  EXPECT_TRUE(value.contains("xs"));
  EXPECT_FALSE(value.contains("5"));  // only str keys are found by name
  EXPECT_EQ(value.find("missing"), nullptr);
  EXPECT_EQ(Value(1).find("x"), nullptr);

  const Value& constant = value;
  EXPECT_THROW((void)constant["missing"], std::out_of_range);
  EXPECT_THROW((void)constant["xs"][3], std::out_of_range);
  EXPECT_THROW((void)constant[0], DecodeError);
  EXPECT_THROW((void)Value(1)["k"], DecodeError);

  value["xs"][0] = "one";
  EXPECT_EQ(value["xs"][0].as_str(), "one");
  value["added"] = 7;
  EXPECT_EQ(constant["added"].as_int64(), 7);
  EXPECT_EQ(value.size(), 4u);

  Value built;
  built["a"]["b"] = true;
  EXPECT_TRUE(built["a"]["b"].as_bool());
  built["list"] = Value::Array{};
  built["list"].as_array().push_back(1);
  EXPECT_EQ(built["list"].size(), 1u);
}

// ---- Equality --------------------------------------------------------------

TEST(Value, Equality) {
  EXPECT_EQ(Value(std::int64_t{5}), Value(std::uint64_t{5}));
  EXPECT_EQ(Value(5), 5);
  EXPECT_EQ(Value("a"), "a");
  EXPECT_NE(Value(5), Value(5.0));
  EXPECT_NE(Value(1.5f), Value(1.5));  // float32 never equals float64
  EXPECT_NE(Value(0.0), Value(-0.0));  // floats compare by bits
  EXPECT_EQ(Value(std::nan("")), Value(std::nan("")));
  EXPECT_NE(Value("a"), Value(Value::Bytes{std::byte{'a'}}));
  EXPECT_NE(Value(), Value(false));
  EXPECT_EQ(Value(Value::Array{1, 2}), Value(Value::Array{1, 2}));
  EXPECT_NE(Value(Value::Array{1, 2}), Value(Value::Array{2, 1}));
  // Maps: entries in any order.
  EXPECT_EQ(Value(Value::Map{{"a", 1}, {"b", 2}, {"c", 3}}),
            Value(Value::Map{{"c", 3}, {"a", 1}, {"b", 2}}));
  EXPECT_NE(Value(Value::Map{{"a", 1}, {"b", 2}}), Value(Value::Map{{"a", 1}, {"b", 3}}));
  EXPECT_NE(Value(Value::Map{{"a", 1}, {"a", 1}}), Value(Value::Map{{"a", 1}, {"b", 1}}));
  EXPECT_EQ(Value(Value::Timestamp{1, 2}), Value(Value::Timestamp{1, 2}));
  EXPECT_NE(Value(Value::Ext{1, {}}), Value(Value::Ext{2, {}}));
}

// ---- Lossless msgpack round trips ------------------------------------------

TEST(Value, ScalarBytesSurvive) {
  ExpectBytesSurvive(Hex({0xc0}));
  ExpectBytesSurvive(Hex({0xc3}));
  ExpectBytesSurvive(Hex({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));  // uint64 max
  ExpectBytesSurvive(Hex({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}));                       // int64 min
  ExpectBytesSurvive(Hex({0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0}));                       // -0.0
  ExpectBytesSurvive(Hex({0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0x12, 0x34}));              // NaN payload
  ExpectBytesSurvive(Hex({0xcb, 0xff, 0xf0, 0, 0, 0, 0, 0, 0}));                    // -Inf
  ExpectBytesSurvive(Hex({0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0}));                       // 2.0
  ExpectBytesSurvive(Hex({0xca, 0x3f, 0xc0, 0, 0}));                                // 1.5f
  ExpectBytesSurvive(Hex({0xca, 0x80, 0, 0, 0}));                                   // -0.0f
  ExpectBytesSurvive(Hex({0xca, 0x7f, 0x80, 0, 0}));                                // +Inf f32
  ExpectBytesSurvive(Hex({0xa4, 'a', 0, 0xc3, 0xa9}));                              // NUL, é
  ExpectBytesSurvive(Hex({0xc4, 3, 0, 0xff, 0x80}));                                // bin
  ExpectBytesSurvive(Hex({0xc4, 0}));
}

TEST(Value, FloatKindsAreKept) {
  const Value single = Unpack(Hex({0xca, 0x3f, 0xc0, 0, 0}));
  EXPECT_TRUE(single.is_float32());
  EXPECT_EQ(Pack(Value(2.0f)), Hex({0xca, 0x40, 0, 0, 0}));
  EXPECT_EQ(Pack(Value(-0.0)), Hex({0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0}));
  const double nan = std::bit_cast<double>(std::uint64_t{0x7ff8000000000abc});
  EXPECT_EQ(std::bit_cast<std::uint64_t>(Unpack(Pack(Value(nan))).as_double()),
            std::uint64_t{0x7ff8000000000abc});
}

TEST(Value, AsFloatRefusesFloat64BeyondFloatsRange) {
  EXPECT_EQ(Value(0.1).as_float(), 0.1f);
  EXPECT_EQ(Value(std::numeric_limits<double>::infinity()).as_float(),
            std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(Value(std::numeric_limits<double>::quiet_NaN()).as_float()));
  EXPECT_EQ(Value(1e40).as_double(), 1e40);
  try {
    (void)Value(1e40).as_float();
    FAIL() << "expected a DecodeError";
  } catch (const goray::codec::DecodeError& error) {
    EXPECT_STREQ(error.what(), "expected float, received float64 1e+40");
  }
  EXPECT_THROW((void)Value(-1e40).As<float>(), goray::codec::DecodeError);
}

TEST(Value, ContainerBytesSurvive) {
  ExpectBytesSurvive(Hex({0x90}));
  ExpectBytesSurvive(Hex({0x80}));
  ExpectBytesSurvive(Hex({0x93, 0x01, 0x91, 0x90, 0x81, 0xa1, 'k', 0xc0}));
  // Maps with any keys, order kept: int, negative int, nil, array, map, bool, float.
  ExpectBytesSurvive(Hex({0x87, 0x05, 0xa1, 'a', 0xff, 0xa1, 'b', 0xc0, 0xa1, 'c', 0x92, 1, 2,
                          0xa1, 'd', 0x81, 0x01, 0x02, 0xa1, 'e', 0xc3, 0xa1, 'f', 0xca, 0x3f,
                          0xc0, 0, 0, 0xa1, 'g'}));
  // A repeated key is kept.
  ExpectBytesSurvive(Hex({0x82, 0xa1, 'k', 0x01, 0xa1, 'k', 0x02}));
  const Value map_with_int_keys = Unpack(Hex({0x82, 0x01, 0xa1, 'x', 0xff, 0xa1, 'y'}));
  EXPECT_EQ(map_with_int_keys.as_map()[0].first.as_int64(), 1);
  EXPECT_EQ(map_with_int_keys.as_map()[1].first.as_int64(), -1);
}

TEST(Value, TimestampAndExtBytesSurvive) {
  ExpectBytesSurvive(Hex({0xd6, 0xff, 0x65, 0x53, 0xf1, 0x00}));                      // 32-bit
  ExpectBytesSurvive(Hex({0xd7, 0xff, 0x1d, 0x6f, 0x34, 0x55, 0x65, 0x53, 0xf1, 0x00}));  // 64
  // 96-bit, before 1970 and beyond a nanosecond clock.
  ExpectBytesSurvive(Hex({0xc7, 12, 0xff, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0xfe}));
  ExpectBytesSurvive(Hex({0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0}));
  ExpectBytesSurvive(Hex({0xc7, 12, 0xff, 0x3b, 0x9a, 0xc9, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xff}));
  const Value far = Unpack(Hex({0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0}));
  EXPECT_EQ(far.as_timestamp(), (Value::Timestamp{std::int64_t{1} << 34, 0}));
  // Other ext types, and ext -1 bodies that are not timestamps, keep their bytes.
  ExpectBytesSurvive(Hex({0xd4, 0x05, 0x2a}));
  ExpectBytesSurvive(Hex({0xc7, 3, 0x7f, 1, 2, 3}));
  ExpectBytesSurvive(Hex({0xc7, 0, 0x01}));
  ExpectBytesSurvive(Hex({0xc7, 3, 0xff, 1, 2, 3}));
  ExpectBytesSurvive(Hex({0xd7, 0xff, 0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0}));  // ns >= 1e9
  EXPECT_TRUE(Unpack(Hex({0xc7, 3, 0xff, 1, 2, 3})).is_ext());
  EXPECT_EQ(Unpack(Hex({0xd4, 0x05, 0x2a})).as_ext(),
            (Value::Ext{5, Value::Bytes{std::byte{0x2a}}}));
}

TEST(Value, TimestampsAreWrittenInTheSmallestForm) {
  EXPECT_EQ(Pack(Value(Value::Timestamp{5, 0})), Hex({0xd6, 0xff, 0, 0, 0, 5}));
  EXPECT_EQ(Pack(Value(Value::Timestamp{5, 1})), Hex({0xd7, 0xff, 0, 0, 0, 4, 0, 0, 0, 5}));
  // A 96-bit body holding a small time comes back as the same time, written smaller.
  const Value small = Unpack(Hex({0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}));
  EXPECT_EQ(small, Value(Value::Timestamp{5, 0}));
  EXPECT_EQ(Pack(small), Hex({0xd6, 0xff, 0, 0, 0, 5}));
}

TEST(Value, FromMsgpackRejectsTrailingBytes) {
  EXPECT_EQ(Value::FromMsgpack(Hex({0x01})), 1);
  EXPECT_THROW((void)Value::FromMsgpack(Hex({0x01, 0x02})), std::invalid_argument);
}

// ---- As and From -----------------------------------------------------------

TEST(Value, AsConvertsThroughTheCodec) {
  EXPECT_EQ(Value(300).As<std::int32_t>(), 300);
  EXPECT_EQ(Value(2).As<double>(), 2.0);
  EXPECT_EQ(Value("abc").As<std::string>(), "abc");
  EXPECT_EQ(Value(Value::Bytes{std::byte{'h'}}).As<std::string>(), "h");
  EXPECT_EQ(Value("hi").As<std::vector<std::uint8_t>>(), (std::vector<std::uint8_t>{'h', 'i'}));
  EXPECT_EQ(Value(Value::Array{1, 2, 3}).As<std::vector<std::int64_t>>(),
            (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ((Value(Value::Map{{"a", 1.5}, {"b", 2}}).As<std::map<std::string, double>>()),
            (std::map<std::string, double>{{"a", 1.5}, {"b", 2.0}}));
  EXPECT_EQ((Value(Value::Array{1, "x"}).As<std::tuple<int, std::string>>()),
            (std::tuple<int, std::string>{1, "x"}));
  EXPECT_EQ(Value().As<std::optional<int>>(), std::nullopt);
  EXPECT_EQ(Value(Value::Timestamp{1, 5}).As<TimePoint>(),
            TimePoint(std::chrono::nanoseconds(1000000005)));
  const Value nested = Value::Array{Value::Map{{"k", Value::Ext{1, {std::byte{2}}}}}};
  EXPECT_EQ(nested.As<Value>(), nested);
  EXPECT_EQ(nested.As<std::vector<Value>>()[0]["k"].as_ext().type, 1);
  const Value item = Value::Map{{"name", "pen"}, {"count", 3}, {"extra", Value::Array{true}}};
  EXPECT_EQ(item.As<app::Item>(), (app::Item{"pen", 3, Value::Array{true}}));
}

TEST(Value, AsErrorsAreDecodeErrors) {
  DecodeError error = FailureOf([] { (void)Value(300).As<std::uint8_t>(); });
  EXPECT_EQ(error.expected(), "uint8_t");
  EXPECT_EQ(error.received(), "int 300");
  EXPECT_EQ(error.path(), "");
  error = FailureOf([] { (void)Value(Value::Array{1, 2, 300}).As<std::vector<std::int8_t>>(); });
  EXPECT_EQ(error.expected(), "int8_t");
  EXPECT_EQ(error.received(), "int 300");
  EXPECT_EQ(error.path(), "[2]");
  error = FailureOf([] {
    (void)Value(Value::Map{{"name", "n"}, {"count", "many"}, {"extra", Value()}}).As<app::Item>();
  });
  EXPECT_EQ(error.expected(), "int32_t");
  EXPECT_EQ(error.received(), "str");
  EXPECT_EQ(error.path(), ".count");
  error = FailureOf([] { (void)Value(1.5).As<std::int64_t>(); });
  EXPECT_EQ(error.received(), "float64 1.5");
  error = FailureOf([] { (void)Value(Value::Timestamp{0, 0}).As<std::string>(); });
  EXPECT_EQ(error.received(), "timestamp");
}

TEST(Value, FromConvertsThroughTheCodec) {
  EXPECT_EQ(Value::From(5), Value(5));
  EXPECT_EQ(Value::From(std::string("s")), Value("s"));
  EXPECT_EQ(Value::From(std::vector<std::uint8_t>{1, 2}),
            Value(Value::Bytes{std::byte{1}, std::byte{2}}));
  EXPECT_EQ(Value::From(std::vector<int>{1, 2}), Value(Value::Array{1, 2}));
  EXPECT_EQ(Value::From(std::map<std::string, int>{{"a", 1}}), Value(Value::Map{{"a", 1}}));
  EXPECT_EQ(Value::From(std::map<int, bool>{{-1, true}}), Value(Value::Map{{-1, true}}));
  EXPECT_EQ(Value::From(std::tuple<int, double>{1, 2.0}), Value(Value::Array{1, 2.0}));
  EXPECT_EQ(Value::From(std::optional<int>()), Value());
  EXPECT_EQ(Value::From(std::optional<int>(3)), Value(3));
  EXPECT_EQ(Value::From(TimePoint(std::chrono::seconds(-1))), Value(Value::Timestamp{-1, 0}));
  EXPECT_EQ(Value::From(app::Item{"pen", 3, nullptr}),
            Value(Value::Map{{"name", "pen"}, {"count", 3}, {"extra", nullptr}}));
  EXPECT_EQ(Value::From(Value(7)), Value(7));
}

TEST(Value, StructFieldHoldsAnything) {
  const app::Item item{"box", 2, Value::Map{{1, Value::Array{2.5f, "x"}}}};
  goray::codec::Buffer buffer;
  goray::codec::Packer packer(buffer);
  goray::codec::Encode(packer, item);
  const msgpack::object_handle handle = msgpack::unpack(buffer.data(), buffer.size());
  EXPECT_EQ(goray::codec::Decode<app::Item>(handle.get()), item);
}

TEST(Value, ToObjectPointsIntoTheValue) {
  Value value = Value::Array{"text", Value::Map{{"k", Value::Bytes{std::byte{1}}}}};
  msgpack::zone zone;
  const msgpack::object object = value.ToObject(zone);
  ASSERT_EQ(object.type, msgpack::type::ARRAY);
  EXPECT_EQ(object.via.array.ptr[0].via.str.ptr, value[0].as_str().data());
  // Decoding into the Value the object points into is safe.
  goray::codec::DecodeInto(object, value);
  EXPECT_EQ(value, Value(Value::Array{"text", Value::Map{{"k", Value::Bytes{std::byte{1}}}}}));
}

TEST(Value, Prints) {
  std::ostringstream out;
  out << Value(Value::Map{{"a", Value::Array{1, -2, 2.5, 1.5f, true, nullptr}},
                          {"b", Value::Bytes{std::byte{0}, std::byte{'z'}}},
                          {"c", Value::Timestamp{1, 2}},
                          {"d", Value::Ext{4, {std::byte{1}}}},
                          {"e", "q\"\n"}});
  EXPECT_EQ(out.str(),
            "{\"a\": [1, -2, 2.5, 1.5f, true, null], \"b\": b\"\\x00z\", \"c\": timestamp(1, 2), "
            "\"d\": ext(4, 1 bytes), \"e\": \"q\\\"\\x0a\"}");
}

}  // namespace
