// String and binary columns through the codec and the C ABI (goray/detail/column_codec.h,
// docs/protocol.md §10 "String and binary columns"): ext 78 written and read (through
// RunTask), ext 79 owned results of RunTaskForPython taken as Arrow C structs and released
// by token, ext 79 borrowed arguments read in place, a list of strs, the standard types
// read from a column (std::vector<std::string_view> and friends), and every refusal: no
// EnableFeatures bit 64, ext 79 before EnableArrays, another type, a forged payload, each
// named as array_ext_names.cpp names the exts.
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "array_test_util.h"
#include "goray/abi.h"
#include "goray/detail/arrow_c.h"
#include "goray/detail/features.h"
#include "test_application.h"

namespace {

using array_test::AppendLittle;
using goray::BinaryColumn;
using goray::StringColumn;
using goray::StringColumnBuilder;
using Rows = std::vector<std::optional<std::string>>;
namespace detail = goray::codec::detail;

StringColumnBuilder Upper(const StringColumn& column) {
  StringColumnBuilder out;
  for (std::optional<std::string_view> value : column) {
    if (!value) {
      out.AppendNull();
      continue;
    }
    std::string upper(*value);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    out.Append(upper);
  }
  return out;
}

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Upper", &Upper);
  registry.AddTask("Lengths", [](const BinaryColumn& column) {
    std::vector<int64_t> lengths;
    for (auto value : column) lengths.push_back(value ? static_cast<int64_t>(value->size()) : -1);
    return goray::Array<int64_t>(std::move(lengths));
  });
  registry.AddTask("Built", [] {
    StringColumnBuilder out;
    out.Append("a");
    out.AppendNull();
    out.Append("");
    out.Append(std::string(70 * 1024, 'z'));
    return out;
  });
  registry.AddTask("Same", [](StringColumn column) { return column; });
  registry.AddTask("Total", [](std::vector<std::string_view> views) {
    int64_t total = 0;
    for (std::string_view view : views) total += static_cast<int64_t>(view.size());
    return total;
  });
  registry.AddTask("Nulls", [](const std::vector<std::optional<std::string_view>>& views) {
    int64_t nulls = 0;
    for (const auto& view : views) nulls += view ? 0 : 1;
    return nulls;
  });
  registry.AddTask("Copies", [](std::vector<std::optional<std::string>> values) { return values; });
}

namespace {

struct Result {
  long long code = -1;
  std::string body;
};

Result Call(long long command, const std::string& payload) {
  long long out_len = 0;
  long long code = -1;
  void* out = Execute(command, const_cast<char*>(payload.data()), static_cast<long long>(payload.size()),
                      &out_len, &code);
  Result result;
  result.code = code;
  if (out != nullptr) {
    result.body.assign(static_cast<char*>(out), static_cast<size_t>(out_len));
    FreeMemory(out);
  }
  return result;
}

std::string Unit(std::string_view bytes) {
  std::string out;
  AppendLittle(out, bytes.size());
  out.append(bytes);
  return out;
}

std::string CallPayload(std::string_view name, const std::string& args_block) {
  return Unit(name) + Unit(args_block);
}

std::string Message(const Result& result) {
  EXPECT_EQ(result.code, 5) << result.body;
  if (result.code != 5) return "";
  return nlohmann::json::parse(result.body)["Message"].get<std::string>();
}

template <class T>
T DecodeAs(const std::string& bytes) {
  msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  return goray::codec::Decode<T>(handle.get());
}

Rows RowsOf(const goray::StringColumn& column) {
  Rows rows;
  for (auto value : column) rows.push_back(value ? std::optional<std::string>(std::string(*value)) : std::nullopt);
  return rows;
}

StringColumnBuilder Sample() {
  StringColumnBuilder builder;
  builder.Append("ab");
  builder.AppendNull();
  builder.Append("");
  builder.Append("d\xc3\xa9");
  return builder;
}

std::uint64_t LoadLittle(const char* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// An ext 79 borrowed of one (schema, array), as goray's driver writes it.
std::string BorrowedExt(const ArrowSchema& schema, const ArrowArray& array) {
  std::string body(4, '\0');
  AppendLittle(body, 1, 4);
  AppendLittle(body, reinterpret_cast<std::uintptr_t>(&schema));
  AppendLittle(body, reinterpret_cast<std::uintptr_t>(&array));
  AppendLittle(body, 0);
  return array_test::Ext32(79, body);
}

class ColumnCodec : public testing::Test {
 protected:
  void SetUp() override {
    detail::SetArraysEnabled(true);
    goray::detail::SetFeatures(goray::detail::kFeatureColumns);
  }
  void TearDown() override {
    goray::detail::SetFeatures(0);
    detail::SetArraysEnabled(false);
    EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
  }
};

TEST_F(ColumnCodec, WithoutTheFeatureAColumnIsAnErrorNamingIt) {
  goray::detail::SetFeatures(0);
  EXPECT_EQ(Message(Call(4, CallPayload("Built", ""))),
            "std::invalid_argument: goray::StringColumnBuilder: a column travels as ext 78 or 79, which this "
            "driver did not turn on (EnableFeatures bit 64; GoRay's driver and Go libraries cannot read Arrow "
            "columns): send them a std::vector<std::string> (task Built)");
}

TEST_F(ColumnCodec, RunTaskWritesExt78ThatReadsBackInPlace) {
  Result result = Call(4, CallPayload("Built", ""));
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(static_cast<unsigned char>(result.body[0]), 0xc9);  // ext32
  EXPECT_EQ(result.body[5], 78);
  EXPECT_EQ(RowsOf(DecodeAs<StringColumn>(result.body)),
            (Rows{"a", std::nullopt, "", std::string(70 * 1024, 'z')}));
  // A StringColumn's ext also reads as a BinaryColumn, and into the standard types.
  EXPECT_EQ(DecodeAs<BinaryColumn>(result.body).size(), 4u);
  EXPECT_EQ(DecodeAs<std::vector<std::optional<std::string>>>(result.body)[0], "a");
}

TEST_F(ColumnCodec, ArgumentsOfEveryFormReachTheTask) {
  const std::string inline_column = array_test::EncodeToString(Sample());
  Result upper = Call(4, CallPayload("Upper", inline_column));
  ASSERT_EQ(upper.code, 0) << upper.body;
  EXPECT_EQ(RowsOf(DecodeAs<StringColumn>(upper.body)), (Rows{"AB", std::nullopt, "", "D\xc3\xa9"}));

  const std::string list = array_test::EncodeToString(std::vector<std::optional<std::string>>{"x", std::nullopt});
  Result from_list = Call(4, CallPayload("Upper", list));
  ASSERT_EQ(from_list.code, 0) << from_list.body;
  EXPECT_EQ(RowsOf(DecodeAs<StringColumn>(from_list.body)), (Rows{"X", std::nullopt}));

  StringColumn sample = Sample().Column();
  ArrowSchema schema;
  ArrowArray array;
  goray::detail::ExportArrowChunk(sample.chunks()[0], false, sample.owner(), schema, array);
  Result lengths = Call(4, CallPayload("Lengths", BorrowedExt(schema, array)));
  ASSERT_EQ(lengths.code, 0) << lengths.body;
  goray::Array<int64_t> got = DecodeAs<goray::Array<int64_t>>(lengths.body);
  EXPECT_EQ(std::vector<int64_t>(got.begin(), got.end()), (std::vector<int64_t>{2, -1, 0, 3}));
  array.release(&array);
  schema.release(&schema);
}

TEST_F(ColumnCodec, RunTaskForPythonHandsArrowStructsOverUnderAToken) {
  Result result = Call(34, CallPayload("Built", ""));
  ASSERT_EQ(result.code, 0) << result.body;
  msgpack::object_handle handle = msgpack::unpack(result.body.data(), result.body.size());
  const msgpack::object& ext = handle.get();
  ASSERT_EQ(ext.type, msgpack::type::EXT);
  ASSERT_EQ(ext.via.ext.type(), 79);
  ASSERT_EQ(ext.via.ext.size, 32u);
  const char* body = ext.via.ext.data();
  EXPECT_EQ(body[0], 1);  // owned
  auto* schema = reinterpret_cast<ArrowSchema*>(LoadLittle(body + 8));
  auto* array = reinterpret_cast<ArrowArray*>(LoadLittle(body + 16));
  const std::uint64_t token = LoadLittle(body + 24);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 1u);
  // The driver moves the structs into its own array, then releases the token.
  ArrowSchema taken_schema;
  ArrowArray taken_array;
  goray::detail::MoveArrowSchema(*schema, taken_schema);
  goray::detail::MoveArrowArray(*array, taken_array);
  std::string release_token;
  AppendLittle(release_token, token);
  EXPECT_EQ(Call(36, release_token).code, 0);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
  EXPECT_STREQ(taken_schema.format, "u");
  goray::ColumnChunk chunk;
  std::string why;
  ASSERT_TRUE(goray::detail::ImportArrowChunk(taken_schema, taken_array, true, chunk, why)) << why;
  EXPECT_EQ(RowsOf(StringColumn({chunk})), (Rows{"a", std::nullopt, "", std::string(70 * 1024, 'z')}));
  taken_array.release(&taken_array);
  taken_schema.release(&taken_schema);
}

TEST_F(ColumnCodec, AHandedOverColumnNobodyTookIsFreedWithItsToken) {
  Result result = Call(34, CallPayload("Built", ""));
  ASSERT_EQ(result.code, 0) << result.body;
  msgpack::object_handle handle = msgpack::unpack(result.body.data(), result.body.size());
  std::string release_token;
  AppendLittle(release_token, LoadLittle(handle.get().via.ext.data() + 24));
  EXPECT_EQ(Call(36, release_token).code, 0);  // (ASan: nothing leaks)
}

TEST_F(ColumnCodec, ABorrowedColumnResultIsCopiedBeforeItIsHandedOver) {
  StringColumn sample = Sample().Column();
  ArrowSchema schema;
  ArrowArray array;
  goray::detail::ExportArrowChunk(sample.chunks()[0], true, sample.owner(), schema, array);
  Result result = Call(34, CallPayload("Same", BorrowedExt(schema, array)));
  array.release(&array);  // the caller's memory is gone once the call returned
  schema.release(&schema);
  ASSERT_EQ(result.code, 0) << result.body;
  msgpack::object_handle handle = msgpack::unpack(result.body.data(), result.body.size());
  const char* body = handle.get().via.ext.data();
  auto* handed_schema = reinterpret_cast<ArrowSchema*>(LoadLittle(body + 8));
  auto* handed = reinterpret_cast<ArrowArray*>(LoadLittle(body + 16));
  EXPECT_NE(handed->buffers[2], sample.chunks()[0].data());
  goray::ColumnChunk chunk;
  std::string why;
  ASSERT_TRUE(goray::detail::ImportArrowChunk(*handed_schema, *handed, true, chunk, why)) << why;
  EXPECT_EQ(RowsOf(StringColumn({chunk})), (Rows{"ab", std::nullopt, "", "d\xc3\xa9"}));
  std::string release_token;
  AppendLittle(release_token, LoadLittle(body + 24));
  EXPECT_EQ(Call(36, release_token).code, 0);
}

TEST_F(ColumnCodec, StandardTypesReadAColumn) {
  StringColumnBuilder no_nulls;
  no_nulls.Append("abc");
  no_nulls.Append("");
  no_nulls.Append("de");
  Result total = Call(4, CallPayload("Total", array_test::EncodeToString(no_nulls)));
  ASSERT_EQ(total.code, 0) << total.body;
  EXPECT_EQ(DecodeAs<int64_t>(total.body), 5);
  Result from_list = Call(4, CallPayload("Total", array_test::EncodeToString(std::vector<std::string>{"xy", "z"})));
  ASSERT_EQ(from_list.code, 0) << from_list.body;
  EXPECT_EQ(DecodeAs<int64_t>(from_list.body), 3);

  const std::string sample = array_test::EncodeToString(Sample());
  Result nulls = Call(4, CallPayload("Nulls", sample));
  ASSERT_EQ(nulls.code, 0) << nulls.body;
  EXPECT_EQ(DecodeAs<int64_t>(nulls.body), 1);
  EXPECT_EQ(Message(Call(4, CallPayload("Total", sample))),
            "goray::ArgumentError: position 0: expected std::vector<std::string_view>, received Arrow string column of 4 rows "
            "holding a null at row 1 (take std::vector<std::optional<std::string_view>> or a column) (task Total)");

  Result copies = Call(4, CallPayload("Copies", sample));
  ASSERT_EQ(copies.code, 0) << copies.body;
  EXPECT_EQ(DecodeAs<Rows>(copies.body), (Rows{"ab", std::nullopt, "", "d\xc3\xa9"}));
}

TEST_F(ColumnCodec, WrongInputsAreArgumentErrorsNamingBothSides) {
  EXPECT_EQ(Message(Call(4, CallPayload("Upper", array_test::EncodeToString(
                                                      goray::Array<int64_t>(std::vector<int64_t>{1, 2, 3}))))),
            "goray::ArgumentError: position 0: expected goray::StringColumn, received ndarray of int64 (3,) (task Upper)");
  EXPECT_EQ(Message(Call(4, CallPayload("Upper", array_test::EncodeToString(int64_t{5})))),
            "goray::ArgumentError: position 0: expected goray::StringColumn, received int 5 (task Upper)");
  msgpack::sbuffer mixed;
  msgpack::packer<msgpack::sbuffer> packer(mixed);
  packer.pack_array(2);
  packer.pack(std::string("a"));
  packer.pack(5);
  EXPECT_EQ(Message(Call(4, CallPayload("Upper", std::string(mixed.data(), mixed.size())))),
            "goray::ArgumentError: position 0: expected goray::StringColumn, received array (at [1]: expected a str or nil, "
            "received int 5) (task Upper)");
  goray::BinaryColumnBuilder bytes;
  bytes.Append(std::string_view("\xff", 1));
  EXPECT_EQ(Message(Call(4, CallPayload("Upper", array_test::EncodeToString(bytes)))),
            "goray::ArgumentError: position 0: expected goray::StringColumn, received Arrow binary column of 1 rows (task Upper)");
  std::string forged = array_test::EncodeToString(Sample());
  ASSERT_EQ(static_cast<unsigned char>(forged[0]), 0xc7);  // ext 8: a 3-byte header
  forged[3 + 16] = 3;                                       // the null count
  EXPECT_EQ(Message(Call(4, CallPayload("Upper", forged))),
            "goray::ArgumentError: position 0: expected goray::StringColumn, received ext 78 of null count 3, its bitmap holds 1 "
            "(task Upper)");

  const std::int64_t numbers[] = {1, 2};
  const void* buffers[] = {nullptr, numbers};
  ArrowSchema schema{};
  schema.format = "l";
  schema.release = [](ArrowSchema* self) { self->release = nullptr; };
  ArrowArray array{};
  array.length = 2;
  array.n_buffers = 2;
  array.buffers = buffers;
  array.release = [](ArrowArray* self) { self->release = nullptr; };
  EXPECT_EQ(Message(Call(4, CallPayload("Upper", BorrowedExt(schema, array)))),
            "goray::ArgumentError: position 0: expected goray::StringColumn, received Arrow int64 array of 2 rows (task Upper)");
  detail::SetArraysEnabled(false);
  EXPECT_EQ(Message(Call(4, CallPayload("Upper", BorrowedExt(schema, array)))),
            "goray::ArgumentError: position 0: expected goray::StringColumn, received ext 79 (a column by address), which is "
            "accepted only after EnableArrays (task Upper)");
}

}  // namespace
