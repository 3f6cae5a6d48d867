// String and binary columns without the codec (goray/column.h, goray/detail/arrow_c.h,
// goray/detail/column_wire.h): the builder (nulls, UTF-8, 64-bit offsets past the
// threshold), every Arrow layout a column reads in place (string, large_string, binary,
// string_view, a dictionary, sliced, without a validity bitmap, several chunks), the
// export of a builder's buffers as Arrow C structs, and ext 78's payload written and read
// back, forged payloads refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "goray/column.h"
#include "goray/detail/arrow_c.h"
#include "goray/detail/column_wire.h"

namespace {

using goray::BinaryColumn;
using goray::BinaryColumnBuilder;
using goray::ColumnChunk;
using goray::StringColumn;
using goray::StringColumnBuilder;
using Rows = std::vector<std::optional<std::string>>;

template <class Column>
Rows RowsOf(const Column& column) {
  Rows rows;
  for (std::optional<std::string_view> value : column) {
    rows.push_back(value ? std::optional<std::string>(std::string(*value)) : std::nullopt);
  }
  return rows;
}

Rows RowsOf(const ColumnChunk& chunk) {
  Rows rows;
  for (std::int64_t row = 0; row < chunk.size(); ++row) {
    auto value = chunk[row];
    rows.push_back(value ? std::optional<std::string>(std::string(*value)) : std::nullopt);
  }
  return rows;
}

// An Arrow array built by hand, as a producer hands one over (release: a no-op).
struct HandMade {
  ArrowSchema schema{};
  ArrowSchema dictionary_schema{};
  ArrowArray array{};
  ArrowArray dictionary{};
  std::vector<const void*> buffers;
  std::vector<const void*> dictionary_buffers;

  HandMade(const char* format, std::int64_t length, std::int64_t offset, std::int64_t nulls,
           std::vector<const void*> bufs)
      : buffers(std::move(bufs)) {
    schema.format = format;
    schema.name = "";
    schema.release = [](ArrowSchema* self) { self->release = nullptr; };
    array.length = length;
    array.offset = offset;
    array.null_count = nulls;
    array.n_buffers = static_cast<std::int64_t>(buffers.size());
    array.buffers = buffers.data();
    array.release = [](ArrowArray* self) { self->release = nullptr; };
  }

  void Dictionary(const char* format, std::int64_t length, std::vector<const void*> bufs) {
    dictionary_buffers = std::move(bufs);
    dictionary_schema.format = format;
    dictionary_schema.name = "";
    dictionary_schema.release = [](ArrowSchema* self) { self->release = nullptr; };
    dictionary.length = length;
    dictionary.null_count = -1;  // counted from the bitmap, when there is one
    dictionary.n_buffers = static_cast<std::int64_t>(dictionary_buffers.size());
    dictionary.buffers = dictionary_buffers.data();
    dictionary.release = [](ArrowArray* self) { self->release = nullptr; };
    schema.dictionary = &dictionary_schema;
    array.dictionary = &dictionary;
  }

  // (ColumnChunk, "") when read, (_, why) when refused; "type" when the type is not taken.
  std::pair<ColumnChunk, std::string> Import(bool text) const {
    ColumnChunk chunk;
    std::string why;
    if (!goray::detail::ImportArrowChunk(schema, array, text, chunk, why) && why.empty()) why = "type";
    return {chunk, why};
  }
};

// "a", null, "", "dé" as Arrow's string layout (validity 0b1101).
const std::uint8_t kValidity[] = {0x0d};
const std::int32_t kOffsets[] = {0, 1, 1, 1, 4};
const char kData[] = "ad\xc3\xa9";
const Rows kRows = {"a", std::nullopt, "", "d\xc3\xa9"};

TEST(Column, BuilderKeepsNullsEmptyStringsAndLargeValues) {
  StringColumnBuilder builder;
  const std::string big(70 * 1024, 'x');
  builder.Append("a");
  builder.AppendNull();
  builder.Append("");
  builder.Append(big);
  builder.Append(std::optional<std::string>("z"));
  builder.Append(std::nullopt);
  EXPECT_EQ(builder.size(), 6u);
  EXPECT_EQ(builder.null_count(), 2);
  StringColumn column = builder.Column();
  EXPECT_EQ(RowsOf(column), (Rows{"a", std::nullopt, "", big, "z", std::nullopt}));
  EXPECT_EQ(column.null_count(), 2);
  EXPECT_TRUE(column.is_null(1));
  EXPECT_FALSE(column.is_null(2));
  EXPECT_EQ(column.at(3)->size(), big.size());
  EXPECT_THROW((void)column.at(6), std::out_of_range);
  ASSERT_EQ(column.chunks().size(), 1u);
  EXPECT_EQ(column.chunks()[0].layout(), ColumnChunk::Layout::kOffsets32);
  EXPECT_NE(column.chunks()[0].null_bitmap(), nullptr);
}

TEST(Column, ColumnDoesNotChangeWhenTheBuilderGoesOn) {
  BinaryColumnBuilder builder;
  builder.Append("first");
  BinaryColumn before = builder.Column();
  for (int i = 0; i < 1000; ++i) builder.Append("more");  // reallocates: copies first
  EXPECT_EQ(RowsOf(before), (Rows{"first"}));
  EXPECT_EQ(builder.size(), 1001u);
}

TEST(Column, StringBuilderRefusesBytesThatAreNotUtf8) {
  StringColumnBuilder builder;
  builder.Append("ok");
  try {
    builder.Append(std::string_view("ab\xff", 3));
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "goray::StringColumnBuilder: row 1 is not valid UTF-8 (byte 2): put bytes in a "
                 "goray::BinaryColumnBuilder");
  }
  EXPECT_EQ(builder.size(), 1u);  // nothing appended
  BinaryColumnBuilder bytes;
  bytes.Append(std::string_view("ab\xff\x00", 4));
  EXPECT_EQ(*bytes.Column()[0], std::string_view("ab\xff\x00", 4));
}

TEST(Column, Utf8CheckKnowsOverlongFormsSurrogatesAndCutSequences) {
  std::size_t at = 0;
  EXPECT_TRUE(goray::detail::IsUtf8("plain ascii, long enough for words", at));
  EXPECT_TRUE(goray::detail::IsUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", at));  // é € 😀
  EXPECT_FALSE(goray::detail::IsUtf8("\xc0\xaf", at));          // overlong '/'
  EXPECT_FALSE(goray::detail::IsUtf8("\xed\xa0\x80", at));      // a surrogate
  EXPECT_FALSE(goray::detail::IsUtf8("\xf4\x90\x80\x80", at));  // past U+10FFFF
  EXPECT_FALSE(goray::detail::IsUtf8("abc\xe2\x82", at));       // cut short
  EXPECT_EQ(at, 3u);
}

// The ASCII pass loads 8 (or 4) bytes at a time, its last load overlapping: a high byte at
// any position of any length up to three words is seen, and the state machine then finds it.
TEST(Column, Utf8CheckFindsAByteOutsideAsciiAtEveryPositionAndLength) {
  for (std::size_t size = 1; size <= 24; ++size) {
    EXPECT_TRUE(goray::detail::IsAscii(std::string(size, 'a'))) << size;
    for (std::size_t high = 0; high < size; ++high) {
      std::string text(size, 'a');
      text[high] = '\xff';
      std::size_t at = 0;
      EXPECT_FALSE(goray::detail::IsAscii(text)) << size << " " << high;
      EXPECT_FALSE(goray::detail::IsUtf8(text, at)) << size << " " << high;
      EXPECT_EQ(at, high);
    }
  }
  EXPECT_TRUE(goray::detail::IsAscii(""));
}

// A refused value leaves the builder as it was: the rows after it are the right ones.
TEST(Column, ARefusedValueLeavesNoBytesBehind) {
  StringColumnBuilder builder;
  builder.Reserve(4, 64);
  builder.Append("one");
  EXPECT_THROW(builder.Append(std::string_view("tw\xc3", 3)), std::invalid_argument);
  builder.Append("two");
  EXPECT_EQ(builder.data_size(), 6u);
  EXPECT_EQ(RowsOf(builder.Column()), (Rows{"one", "two"}));
}

// Nulls after a Reserve, past several bytes of the bitmap, in any pattern.
TEST(Column, BuilderNullsAfterReserveSpanTheBitmap) {
  StringColumnBuilder builder;
  builder.Reserve(40, 40);
  Rows expected;
  for (int row = 0; row < 40; ++row) {
    if (row % 3 == 1 || (row >= 17 && row < 21)) {
      builder.AppendNull();
      expected.emplace_back(std::nullopt);
    } else {
      builder.Append(std::to_string(row));
      expected.emplace_back(std::to_string(row));
    }
  }
  EXPECT_EQ(RowsOf(builder.Column()), expected);
  EXPECT_EQ(builder.null_count(), 16);
}

TEST(Column, BuilderSwitchesToLargeOffsetsPastItsThreshold) {
  StringColumnBuilder builder;
  builder.SetLargeFromForTesting(10);
  builder.Append("12345");
  builder.AppendNull();
  EXPECT_EQ(builder.Column().chunks()[0].layout(), ColumnChunk::Layout::kOffsets32);
  builder.Append("6789012");  // data passes 10 bytes
  builder.Append("x");
  StringColumn column = builder.Column();
  EXPECT_EQ(column.chunks()[0].layout(), ColumnChunk::Layout::kOffsets64);
  EXPECT_EQ(RowsOf(column), (Rows{"12345", std::nullopt, "6789012", "x"}));
}

TEST(Column, ReadsArrowStringSlicedAndWithoutValidity) {
  HandMade whole("u", 4, 0, 1, {kValidity, kOffsets, kData});
  auto [chunk, why] = whole.Import(true);
  ASSERT_EQ(why, "");
  EXPECT_EQ(RowsOf(chunk), kRows);
  EXPECT_EQ(chunk.null_count(), 1);

  HandMade sliced("u", 2, 2, 0, {kValidity, kOffsets, kData});  // rows 2..3, no nulls in them
  auto [slice, slice_why] = sliced.Import(true);
  ASSERT_EQ(slice_why, "");
  EXPECT_EQ(RowsOf(slice), (Rows{"", "d\xc3\xa9"}));
  EXPECT_EQ(slice.null_bitmap(), nullptr);  // null_count 0: the bitmap is not read

  HandMade no_bitmap("u", 4, 0, 0, {nullptr, kOffsets, kData});
  EXPECT_EQ(RowsOf(no_bitmap.Import(true).first), (Rows{"a", "", "", "d\xc3\xa9"}));

  HandMade unknown_count("u", 4, 0, -1, {kValidity, kOffsets, kData});  // counted from the bitmap
  EXPECT_EQ(unknown_count.Import(true).first.null_count(), 1);
}

TEST(Column, ReadsLargeStringAndBinaryWithBytesThatAreNotUtf8) {
  const std::int64_t offsets[] = {0, 2, 5};
  const char data[] = "\xff\x00xyz";
  HandMade large("Z", 2, 0, 0, {nullptr, offsets, data});
  auto [chunk, why] = large.Import(false);
  ASSERT_EQ(why, "");
  EXPECT_EQ(chunk.layout(), ColumnChunk::Layout::kOffsets64);
  EXPECT_EQ(RowsOf(chunk), (Rows{std::string("\xff\x00", 2), "xyz"}));
  // Binary values are no StringColumn's; strings are a BinaryColumn's too.
  EXPECT_EQ(large.Import(true).second, "type");
  HandMade text("U", 2, 0, 0, {nullptr, offsets, data});
  EXPECT_EQ(text.Import(false).second, "");
}

TEST(Column, ReadsStringViewsInlineAndInDataBuffers) {
  // Row 0 inline (5 bytes), row 1 null, row 2 in buffer 1 at offset 3 (20 bytes).
  std::uint8_t views[48] = {};
  const std::int32_t five = 5;
  std::memcpy(views, &five, 4);
  std::memcpy(views + 4, "short", 5);
  const std::int32_t twenty = 20, index = 1, at = 3;
  std::memcpy(views + 32, &twenty, 4);
  std::memcpy(views + 36, "0123", 4);
  std::memcpy(views + 40, &index, 4);
  std::memcpy(views + 44, &at, 4);
  const char buffer0[] = "unused";
  const char buffer1[] = "---0123456789abcdefghij";
  const std::int64_t sizes[] = {6, 23};
  const std::uint8_t validity[] = {0x05};
  HandMade made("vu", 3, 0, 1, {validity, views, buffer0, buffer1, sizes});
  auto [chunk, why] = made.Import(true);
  ASSERT_EQ(why, "");
  EXPECT_EQ(chunk.layout(), ColumnChunk::Layout::kViews);
  EXPECT_EQ(RowsOf(chunk), (Rows{"short", std::nullopt, "0123456789abcdefghij"}));

  const std::int64_t short_sizes[] = {6, 22};  // row 2 would read past buffer 1
  HandMade outside("vu", 3, 0, 1, {validity, views, buffer0, buffer1, short_sizes});
  EXPECT_EQ(outside.Import(true).second, "an Arrow view outside its data buffers at row 2");
}

TEST(Column, ReadsADictionaryAsIndicesIntoItsValues) {
  // Values "x", null, "yy"; indices 2, null, 0, 1 (a null value), 2.
  const std::uint8_t value_validity[] = {0x05};
  const std::int32_t value_offsets[] = {0, 1, 1, 3};
  const char values[] = "xyy";
  const std::int8_t indices[] = {2, 0, 0, 1, 2};
  const std::uint8_t index_validity[] = {0x1d};
  HandMade made("c", 5, 0, 1, {index_validity, indices});
  made.Dictionary("u", 3, {value_validity, value_offsets, values});
  auto [chunk, why] = made.Import(true);
  ASSERT_EQ(why, "");
  ASSERT_NE(chunk.dictionary(), nullptr);
  EXPECT_EQ(RowsOf(chunk), (Rows{"yy", std::nullopt, "x", std::nullopt, "yy"}));
  EXPECT_EQ(chunk.null_count(), 2);  // a null index and a null value

  const std::int8_t outside[] = {2, 0, 3, 1, 2};
  HandMade bad("c", 5, 0, 1, {index_validity, outside});
  bad.Dictionary("u", 3, {value_validity, value_offsets, values});
  EXPECT_EQ(bad.Import(true).second, "an Arrow dictionary index 3 outside its 3 values at row 2");
}

TEST(Column, NamesTheTypesItDoesNotRead) {
  HandMade ints("l", 3, 0, 0, {nullptr, nullptr});
  EXPECT_EQ(ints.Import(true).second, "type");
  EXPECT_EQ(goray::detail::ArrowTypeName(ints.schema), "int64");
  HandMade dictionary("i", 0, 0, 0, {nullptr, nullptr});
  dictionary.Dictionary("U", 0, {nullptr, nullptr, nullptr});
  EXPECT_EQ(goray::detail::ArrowTypeName(dictionary.schema), "dictionary<large_string, int32 indices>");
  HandMade list("+l", 0, 0, 0, {nullptr, nullptr});
  EXPECT_EQ(goray::detail::ArrowTypeName(list.schema), "list");
}

TEST(Column, ZeroRowsReadWithoutBuffers) {
  HandMade empty("u", 0, 0, 0, {nullptr, nullptr, nullptr});
  auto [chunk, why] = empty.Import(true);
  ASSERT_EQ(why, "");
  EXPECT_EQ(chunk.size(), 0);
  StringColumn column({chunk});
  EXPECT_TRUE(column.empty());
  EXPECT_EQ(column.begin(), column.end());
}

TEST(Column, SeveralChunksReadAsOneColumn) {
  HandMade first("u", 4, 0, 1, {kValidity, kOffsets, kData});
  HandMade empty("u", 0, 0, 0, {nullptr, nullptr, nullptr});
  HandMade second("u", 2, 2, 0, {kValidity, kOffsets, kData});
  StringColumn column({first.Import(true).first, empty.Import(true).first, second.Import(true).first});
  EXPECT_EQ(column.size(), 6u);
  EXPECT_EQ(column.null_count(), 1);
  Rows expected = kRows;
  expected.push_back("");
  expected.push_back("d\xc3\xa9");
  EXPECT_EQ(RowsOf(column), expected);
  for (std::size_t row = 0; row < column.size(); ++row) {  // random access finds each chunk
    auto value = column[row];
    EXPECT_EQ(value ? std::optional<std::string>(std::string(*value)) : std::nullopt, expected[row]);
  }
}

TEST(Column, ExportsABuildersBuffersAsArrowStructs) {
  StringColumnBuilder builder;
  builder.Append("one");
  builder.AppendNull();
  builder.Append("three");
  StringColumn column = builder.Column();
  ArrowSchema schema;
  ArrowArray array;
  goray::detail::ExportArrowChunk(column.chunks()[0], true, column.owner(), schema, array);
  EXPECT_STREQ(schema.format, "u");
  EXPECT_EQ(array.length, 3);
  EXPECT_EQ(array.null_count, 1);
  EXPECT_EQ(array.n_buffers, 3);
  EXPECT_EQ(array.buffers[2], column.chunks()[0].data());  // the builder's own data: no copy
  const std::weak_ptr<const void> kept = column.owner();
  column = StringColumn();
  builder = StringColumnBuilder();
  EXPECT_FALSE(kept.expired());  // the exported array keeps the buffers
  ColumnChunk back;
  std::string why;
  ASSERT_TRUE(goray::detail::ImportArrowChunk(schema, array, true, back, why)) << why;
  EXPECT_EQ(RowsOf(back), (Rows{"one", std::nullopt, "three"}));
  array.release(&array);
  schema.release(&schema);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_TRUE(kept.expired());
}

struct StringSink {
  std::string bytes;
  void write(const char* data, std::size_t size) { bytes.append(data, size); }
};

// An ext 78 payload of `chunks`, at an 8-aligned address.
std::string WireOf(std::span<const ColumnChunk> chunks, bool text) {
  const goray::detail::WirePlan plan = goray::detail::PlanWireColumn(chunks);
  StringSink sink;
  goray::detail::WriteWireColumn(sink, chunks, text, plan);
  EXPECT_EQ(sink.bytes.size(), plan.size);
  return sink.bytes;
}

Rows ReadBack(const std::string& payload, std::string* why = nullptr) {
  std::vector<std::uint64_t> aligned((payload.size() + 7) / 8 + 1);
  std::memcpy(aligned.data(), payload.data(), payload.size());
  goray::detail::WireColumn column;
  const std::string error =
      goray::detail::ReadWireColumn(reinterpret_cast<const char*>(aligned.data()), payload.size(), column);
  if (why != nullptr) *why = error;
  if (!error.empty()) return {};
  return RowsOf(column.chunk);
}

TEST(ColumnWire, EveryLayoutWritesTheCanonicalForm) {
  HandMade whole("u", 4, 0, 1, {kValidity, kOffsets, kData});
  HandMade sliced("u", 3, 1, -1, {kValidity, kOffsets, kData});
  ColumnChunk chunks[] = {whole.Import(true).first, sliced.Import(true).first};
  const std::string payload = WireOf(chunks, true);
  EXPECT_EQ(payload[0], 's');
  EXPECT_EQ(payload[1], 4);
  EXPECT_EQ(payload[2], 1);  // a bitmap
  Rows expected = kRows;
  expected.insert(expected.end(), kRows.begin() + 1, kRows.end());
  EXPECT_EQ(ReadBack(payload), expected);

  const std::int8_t indices[] = {1, 0, 1};
  HandMade dictionary("c", 3, 0, 0, {nullptr, indices});
  dictionary.Dictionary("u", 4, {kValidity, kOffsets, kData});
  ColumnChunk dictionary_chunk[] = {dictionary.Import(true).first};
  EXPECT_EQ(ReadBack(WireOf(dictionary_chunk, true)), (Rows{std::nullopt, "a", std::nullopt}));
}

TEST(ColumnWire, BytesLargeValuesAndZeroRowsRoundTrip) {
  BinaryColumnBuilder builder;
  const std::string big(100 * 1024, '\xfe');
  builder.Append(std::string_view("\x00\xff", 2));
  builder.Append(big);
  builder.Append("");
  const std::string payload = WireOf(builder.Column().chunks(), false);
  EXPECT_EQ(payload[0], 'b');
  EXPECT_EQ(payload[2], 0);  // no nulls: no bitmap
  EXPECT_EQ(ReadBack(payload), (Rows{std::string("\x00\xff", 2), big, ""}));

  const std::string empty = WireOf(BinaryColumnBuilder().Column().chunks(), false);
  EXPECT_EQ(empty.size(), 24u + 8u);  // the header, one offset padded to 8
  EXPECT_EQ(ReadBack(empty), Rows{});
}

TEST(ColumnWire, LargeDataUsesEightByteOffsets) {
  StringColumnBuilder builder;
  builder.SetLargeFromForTesting(4);
  builder.Append("abcdef");
  builder.AppendNull();
  const std::string payload = WireOf(builder.Column().chunks(), true);
  EXPECT_EQ(payload[1], 4);  // the wire's width follows the data's size, not the chunk's
  EXPECT_EQ(ReadBack(payload), (Rows{"abcdef", std::nullopt}));
}

TEST(ColumnWire, ForgedPayloadsAreRefused) {
  StringColumnBuilder builder;
  builder.Append("ab");
  builder.AppendNull();
  builder.Append("c");
  const std::string good = WireOf(builder.Column().chunks(), true);
  std::string why;
  auto refused = [&](std::string payload) {
    ReadBack(payload, &why);
    return why;
  };
  EXPECT_EQ(refused(good.substr(0, 10)), "ext 78 of 10 bytes, shorter than its header");
  std::string kind = good;
  kind[0] = 'x';
  EXPECT_EQ(refused(kind), "ext 78 with an unknown header (kind 120, width 4, flags 1)");
  std::string rows = good;
  rows[8] = static_cast<char>(0xff);
  rows[9] = static_cast<char>(0xff);
  EXPECT_EQ(refused(rows), "ext 78 of 65535 rows in 51 bytes");
  std::string decreasing = good;
  decreasing[24 + 8] = 1;  // offsets 0, 2, 1, 3
  EXPECT_EQ(refused(decreasing), "ext 78 whose offsets decrease at row 1");
  std::string nulls = good;
  nulls[16] = 2;
  EXPECT_EQ(refused(nulls), "ext 78 of null count 2, its bitmap holds 1");
  EXPECT_EQ(refused(good + "x"), "ext 78 of 4 data bytes, its offsets end at 3");
  EXPECT_EQ(refused(good), "");
}

}  // namespace
