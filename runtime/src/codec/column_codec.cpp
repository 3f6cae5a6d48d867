// The non-template parts of the column codec (goray/detail/column_codec.h): a column
// written as ext 78 inline or handed over as ext 79 owned (Arrow C structs kept under a
// handoff token), and read from ext 78, ext 79 borrowed or a msgpack array of strings.
// Tests: tests/cpp/column_codec_test.cpp, tests/python/test_arrow_columns.py
#include "goray/detail/column_codec.h"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "codec/array_ext_names.h"
#include "codec/array_handoff.h"
#include "goray/detail/array_codec.h"
#include "goray/detail/arrow_c.h"
#include "goray/detail/column_wire.h"
#include "goray/detail/features.h"

namespace goray::codec::detail {
namespace {

// An exported column while the driver has not taken it: released with the token.
struct ExportedColumn {
  ::ArrowSchema schema{};
  ::ArrowArray array{};
  ~ExportedColumn() {
    if (schema.release != nullptr) schema.release(&schema);
    if (array.release != nullptr) array.release(&array);
  }
};

// ext 79: a head (flags, 3 zero bytes, u32 chunk count), (schema, array) addresses per chunk, a token.
constexpr std::size_t kAddressExtHead = goray::detail::kColumnAddressHeadBytes;
constexpr std::size_t kAddressExtChunk = goray::detail::kColumnAddressChunkBytes;
constexpr std::size_t kAddressExtToken = goray::detail::kColumnAddressTokenBytes;

void StoreLittle(char* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t LoadLittle(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

// Whether `chunks` are one chunk Arrow can take as it is (string/binary/large layouts).
bool IsPlainOffsets(std::span<const ColumnChunk> chunks) {
  return chunks.size() == 1 && chunks[0].dictionary() == nullptr &&
         chunks[0].layout() != ColumnChunk::Layout::kViews;
}

// The rows of `chunks` copied into fresh offsets-layout buffers.
goray::BinaryColumn CanonicalCopy(std::span<const ColumnChunk> chunks) {
  goray::BinaryColumnBuilder builder;
  std::size_t rows = 0;
  for (const ColumnChunk& chunk : chunks) rows += static_cast<std::size_t>(chunk.size());
  builder.Reserve(rows);
  for (const ColumnChunk& chunk : chunks) {
    for (std::int64_t row = 0; row < chunk.size(); ++row) builder.Append(std::optional<std::string_view>(chunk[row]));
  }
  return builder.Column();
}

void EncodeExported(Packer& packer, std::span<const ColumnChunk> chunks, bool text,
                    const std::shared_ptr<const void>& owner) {
  HandoffResults* handoff = ActiveHandoff();
  if (handoff == nullptr) throw std::logic_error("goray: a column handed over outside a result's encoding");
  auto exported = std::make_shared<ExportedColumn>();
  if (IsPlainOffsets(chunks) && owner) {
    goray::detail::ExportArrowChunk(chunks[0], text, owner, exported->schema, exported->array);
  } else {  // borrowed memory, several chunks, views or a dictionary: one copy
    goray::BinaryColumn copy = CanonicalCopy(chunks);
    goray::detail::ExportArrowChunk(copy.chunks()[0], text, copy.owner(), exported->schema, exported->array);
  }
  char body[kAddressExtHead + kAddressExtChunk + kAddressExtToken] = {};
  body[0] = static_cast<char>(kArrayOwned);
  StoreLittle(body + 4, 1, 4);
  StoreLittle(body + kAddressExtHead, reinterpret_cast<std::uintptr_t>(&exported->schema), 8);
  StoreLittle(body + kAddressExtHead + 8, reinterpret_cast<std::uintptr_t>(&exported->array), 8);
  const std::uint64_t token = RegisterHandoff(exported);
  try {
    handoff->Add(token);
  } catch (...) {
    ReleaseHandoff(token);
    throw;
  }
  StoreLittle(body + 24, token, 8);
  packer.pack_ext(sizeof body, kExtColumnAddress);
  packer.pack_ext_body(body, sizeof body);
}

struct PackerSink {
  Packer& packer;
  void write(const char* data, std::size_t size) {
    if (size != 0) packer.pack_ext_body(data, static_cast<std::uint32_t>(size));
  }
};

void EncodeInline(Packer& packer, std::span<const ColumnChunk> chunks, bool text) {
  const goray::detail::WirePlan plan = goray::detail::PlanWireColumn(chunks);
  if (plan.size > std::numeric_limits<std::uint32_t>::max()) {
    ThrowTooLarge(static_cast<std::size_t>(plan.size), "string column (ext 78)", "bytes");
  }
  packer.pack_ext(static_cast<std::uint32_t>(plan.size), kExtColumnInline);
  PackerSink sink{packer};
  goray::detail::WriteWireColumn(sink, chunks, text, plan);
}

std::string DescribeWire(const goray::detail::WireColumn& column) {
  return std::string("Arrow ") + (column.text ? "string" : "binary") + " column of " +
         std::to_string(column.chunk.size()) + " rows";
}

void DecodeInline(const msgpack::object& object, bool text, const std::string& expected,
                  std::vector<ColumnChunk>& chunks, std::shared_ptr<const void>& owner) {
  const msgpack::object_ext& ext = object.via.ext;
  const char* data = ext.data();
  const std::size_t size = ext.size;
  std::shared_ptr<void> copy;
  if (reinterpret_cast<std::uintptr_t>(data) % 8 != 0) {
    // Offsets are read as aligned integers (and handed on as Arrow's): one copy.
    copy = CopyBlock(data, size);
    data = static_cast<const char*>(copy.get());
  }
  goray::detail::WireColumn column;
  const std::string why = goray::detail::ReadWireColumn(data, size, column);
  if (!why.empty()) throw DecodeError(expected, why);
  if (text && !column.text) throw DecodeError(expected, DescribeWire(column));
  chunks.assign(1, column.chunk);
  if (copy) {
    owner = std::move(copy);
  } else {
    owner = SourceOwnerFor(ext.data(), size);  // a driver reply Get decodes: shared; else borrowed
  }
}

void DecodeByAddress(const msgpack::object& object, bool text, const std::string& expected,
                     std::vector<ColumnChunk>& chunks) {
  if (!ArraysEnabled()) {
    throw DecodeError(expected, "ext 79 (a column by address), which is accepted only after EnableArrays");
  }
  if (InSourceBufferScope()) throw DecodeError(expected, "ext 79 (a column by address) in a reply");
  const msgpack::object_ext& ext = object.via.ext;
  const char* body = ext.data();
  if (ext.size < kAddressExtHead + kAddressExtToken) throw DecodeError(expected, "ext 79 of " + std::to_string(ext.size) + " bytes");
  const std::uint64_t count = LoadLittle(body + 4, 4);
  if (body[0] != 0 || body[1] != 0 || body[2] != 0 || body[3] != 0 ||
      ext.size != kAddressExtHead + kAddressExtChunk * count + kAddressExtToken ||
      LoadLittle(body + kAddressExtHead + kAddressExtChunk * count, 8) != 0) {
    throw DecodeError(expected, "ext 79 that is not a borrowed column (flags " +
                                    std::to_string(static_cast<unsigned char>(body[0])) + ", " +
                                    std::to_string(ext.size) + " bytes)");
  }
  chunks.clear();
  chunks.reserve(count);
  std::string why;
  for (std::uint64_t i = 0; i < count; ++i) {
    const char* pair = body + kAddressExtHead + kAddressExtChunk * i;
    const auto* schema = reinterpret_cast<const ::ArrowSchema*>(static_cast<std::uintptr_t>(LoadLittle(pair, 8)));
    const auto* array = reinterpret_cast<const ::ArrowArray*>(static_cast<std::uintptr_t>(LoadLittle(pair + 8, 8)));
    if (schema == nullptr || array == nullptr) throw DecodeError(expected, "ext 79 with a null address");
    ColumnChunk chunk;
    if (!goray::detail::ImportArrowChunk(*schema, *array, text, chunk, why)) {
      if (!why.empty()) throw DecodeError(expected, why);
      throw DecodeError(expected, "Arrow " + goray::detail::ArrowTypeName(*schema) + " array of " +
                                      std::to_string(array->length) + " rows");
    }
    chunks.push_back(std::move(chunk));
  }
}

void DecodeStrings(const msgpack::object& object, bool text, const std::string& expected,
                   std::vector<ColumnChunk>& chunks, std::shared_ptr<const void>& owner) {
  const msgpack::object_array& array = object.via.array;
  goray::BinaryColumnBuilder builder;
  builder.Reserve(array.size);
  for (std::uint32_t i = 0; i < array.size; ++i) {
    const msgpack::object& element = array.ptr[i];
    if (element.type == msgpack::type::NIL) {
      builder.AppendNull();
    } else if (element.type == msgpack::type::STR) {
      builder.Append(std::string_view(element.via.str.ptr, element.via.str.size));
    } else if (!text && element.type == msgpack::type::BIN) {
      builder.Append(std::string_view(element.via.bin.ptr, element.via.bin.size));
    } else {
      throw DecodeError(expected, "array (at [" + std::to_string(i) + "]: expected " +
                                      (text ? "a str or nil" : "a str, bytes or nil") + ", received " +
                                      ReceivedDescription(element) + ")");
    }
  }
  goray::BinaryColumn column = builder.Column();
  chunks.assign(column.chunks().begin(), column.chunks().end());
  owner = column.owner();
}

}  // namespace

void EncodeColumn(Packer& packer, std::span<const ColumnChunk> chunks, bool text,
                  const std::shared_ptr<const void>& owner, const char* type) {
  if (!goray::detail::FeatureOn(goray::detail::kFeatureColumns)) {
    throw std::invalid_argument(std::string(type) +
                                ": a column travels as ext 78 or 79, which this driver did not turn on "
                                "(EnableFeatures bit 64; GoRay's driver and Go libraries cannot read "
                                "Arrow columns): send them a std::vector<std::string>");
  }
  if (CurrentArrayEncoding() == ArrayEncoding::kHandoff) {
    EncodeExported(packer, chunks, text, owner);
  } else {
    EncodeInline(packer, chunks, text);
  }
}

void DecodeColumnChunks(const msgpack::object& object, bool text, const std::string& expected,
                        std::vector<ColumnChunk>& chunks, std::shared_ptr<const void>& owner) {
  owner.reset();
  if (object.type == msgpack::type::EXT && object.via.ext.type() == kExtColumnInline) {
    DecodeInline(object, text, expected, chunks, owner);
  } else if (object.type == msgpack::type::EXT && object.via.ext.type() == kExtColumnAddress) {
    DecodeByAddress(object, text, expected, chunks);
  } else if (object.type == msgpack::type::ARRAY) {
    DecodeStrings(object, text, expected, chunks, owner);
  } else {
    throw DecodeError(expected, ReceivedDescription(object));
  }
}

}  // namespace goray::codec::detail
