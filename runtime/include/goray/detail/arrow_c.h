// The Arrow C Data Interface, as goray reads and writes string and binary columns through it
// (https://arrow.apache.org/docs/format/CDataInterface.html; the PyCapsule protocol's
// __arrow_c_array__ / __arrow_c_stream__ hand these structs over). goray links no libarrow:
// the structs are the spec's, declared here once (guarded as the spec asks, so a user's
// own copy of them, or Arrow's, is the same type), and read without any Arrow library.
//
// Header-only: the runtime's codec, an application's typed entries module and the Python
// package's fast path (which link nothing of each other) all include it.
//
//   ImportArrowChunk   one ArrowSchema + ArrowArray of a string or binary type (string,
//                      large_string, binary, large_binary, string_view, binary_view, or a
//                      dictionary of one of those) as a goray::ColumnChunk over its memory
//   ExportArrowChunk   a chunk of the offsets layouts as ArrowSchema + ArrowArray whose
//                      release drops the chunk's owner
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "goray/column.h"

// ---- the spec's structs ------------------------------------------------------------------

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

extern "C" {
struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};
}  // extern "C"

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

extern "C" {
struct ArrowArrayStream {
  // Callbacks providing stream functionality
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);

  // Release callback
  void (*release)(struct ArrowArrayStream*);

  // Opaque producer-specific data
  void* private_data;
};
}  // extern "C"

#endif  // ARROW_C_STREAM_INTERFACE

namespace goray::detail {

// ---- reading -----------------------------------------------------------------------------

// The Arrow type of a format string, as error texts name it: "string", "large_binary",
// "int64", "dictionary<string, int32 indices>"; the format itself for types goray has no
// name for ("format '+l'").
inline std::string ArrowTypeName(const ArrowSchema& schema);

// What kind of values a format holds, for the string and binary layouts.
enum class ArrowValues : std::uint8_t { kNone, kString, kBinary };

struct ArrowFormat {
  ArrowValues values = ArrowValues::kNone;
  ColumnChunk::Layout layout = ColumnChunk::Layout::kOffsets32;
};

inline ArrowFormat ParseValuesFormat(const char* format) {
  const std::string_view f = format != nullptr ? std::string_view(format) : std::string_view();
  using L = ColumnChunk::Layout;
  if (f == "u") return {ArrowValues::kString, L::kOffsets32};
  if (f == "U") return {ArrowValues::kString, L::kOffsets64};
  if (f == "vu") return {ArrowValues::kString, L::kViews};
  if (f == "z") return {ArrowValues::kBinary, L::kOffsets32};
  if (f == "Z") return {ArrowValues::kBinary, L::kOffsets64};
  if (f == "vz") return {ArrowValues::kBinary, L::kViews};
  return {};
}

// The byte width and signedness of a dictionary's index format ("c" int8 ... "L" uint64).
inline bool ParseIndexFormat(const char* format, std::uint8_t& width, bool& is_signed) {
  if (format == nullptr || format[0] == '\0' || format[1] != '\0') return false;
  switch (format[0]) {
    case 'c': width = 1, is_signed = true; return true;
    case 'C': width = 1, is_signed = false; return true;
    case 's': width = 2, is_signed = true; return true;
    case 'S': width = 2, is_signed = false; return true;
    case 'i': width = 4, is_signed = true; return true;
    case 'I': width = 4, is_signed = false; return true;
    case 'l': width = 8, is_signed = true; return true;
    case 'L': width = 8, is_signed = false; return true;
    default: return false;
  }
}

inline std::string ArrowFormatName(const char* format) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"n", "null"},         {"b", "bool"},          {"c", "int8"},         {"C", "uint8"},
      {"s", "int16"},        {"S", "uint16"},        {"i", "int32"},        {"I", "uint32"},
      {"l", "int64"},        {"L", "uint64"},        {"e", "float16"},      {"f", "float32"},
      {"g", "float64"},      {"u", "string"},        {"U", "large_string"}, {"vu", "string_view"},
      {"z", "binary"},       {"Z", "large_binary"},  {"vz", "binary_view"}, {"tdD", "date32"},
      {"tdm", "date64"},     {"+l", "list"},         {"+L", "large_list"},  {"+s", "struct"},
      {"+m", "map"},
  };
  const std::string_view f = format != nullptr ? std::string_view(format) : std::string_view();
  for (const auto& [code, name] : kNames) {
    if (code == f) return std::string(name);
  }
  if (f.substr(0, 2) == "ts") return "timestamp";
  if (f.substr(0, 2) == "tD") return "duration";
  if (f.substr(0, 2) == "d:") return "decimal";
  if (f.substr(0, 2) == "w:") return "fixed_size_binary";
  return "format '" + std::string(f) + "'";
}

inline std::string ArrowTypeName(const ArrowSchema& schema) {
  if (schema.dictionary != nullptr) {
    return "dictionary<" + ArrowTypeName(*schema.dictionary) + ", " +
           ArrowFormatName(schema.format) + " indices>";
  }
  return ArrowFormatName(schema.format);
}

// Bit `index` of an Arrow bitmap (LSB first).
inline bool ArrowBit(const std::uint8_t* bitmap, std::int64_t index) noexcept {
  return (bitmap[index >> 3] >> (index & 7)) & 1;
}

// The rows of `length` from bit `offset` of `bitmap` that are 0.
inline std::int64_t CountZeroBits(const std::uint8_t* bitmap, std::int64_t offset,
                                  std::int64_t length) noexcept {
  std::int64_t ones = 0;
  std::int64_t i = 0;
  for (; i < length && ((offset + i) & 7) != 0; ++i) ones += ArrowBit(bitmap, offset + i);
  for (; i + 64 <= length; i += 64) {
    std::uint64_t word;
    std::memcpy(&word, bitmap + ((offset + i) >> 3), sizeof word);
    ones += __builtin_popcountll(word);
  }
  for (; i < length; ++i) ones += ArrowBit(bitmap, offset + i);
  return length - ones;
}

// One Arrow array of string or binary values (not a dictionary) as a chunk, or why not.
// In-process memory is trusted as an ndarray's address is (docs/protocol.md §10): offsets
// are read as given; a string_view's buffer indexes and extents are checked, since the
// variadic sizes say how long each buffer is.
inline std::string ImportValuesChunk(const ArrowSchema& schema, const ArrowArray& array,
                                     ArrowFormat format, ColumnChunk& out) {
  if (array.length < 0 || array.offset < 0 || array.null_count < -1) {
    return "an Arrow array of negative length, offset or null count";
  }
  if (array.n_buffers < 0 || (array.n_buffers > 0 && array.buffers == nullptr)) {
    return "an Arrow array without its buffers";
  }
  const auto* validity = array.n_buffers > 0 ? static_cast<const std::uint8_t*>(array.buffers[0]) : nullptr;
  if (array.null_count == 0) validity = nullptr;  // the spec allows a null validity buffer then
  if (validity == nullptr && array.null_count > 0) {
    return "an Arrow " + ArrowTypeName(schema) + " array with nulls but no validity bitmap";
  }
  const std::int64_t nulls =
      validity == nullptr ? 0
      : array.null_count >= 0 ? array.null_count
                              : CountZeroBits(validity, array.offset, array.length);
  if (format.layout != ColumnChunk::Layout::kViews) {
    if (array.n_buffers != 3) return "an Arrow " + ArrowTypeName(schema) + " array of " +
                                     std::to_string(array.n_buffers) + " buffers (expected 3)";
    const void* offsets = array.buffers[1];
    const char* data = static_cast<const char*>(array.buffers[2]);
    if (offsets == nullptr && array.length > 0) return "an Arrow string array without offsets";
    static const char kEmpty[1] = {0};
    static const std::int64_t kZeroOffsets[1] = {0};
    std::int64_t offset = array.offset;
    if (offsets == nullptr) {  // length 0 (allowed by the spec)
      offsets = kZeroOffsets;
      offset = 0;
    }
    if (data == nullptr) data = kEmpty;  // every value empty
    out = format.layout == ColumnChunk::Layout::kOffsets32
              ? ColumnChunk::Offsets32(array.length, offset, validity, nulls,
                                       static_cast<const std::int32_t*>(offsets), data)
              : ColumnChunk::Offsets64(array.length, offset, validity, nulls,
                                       static_cast<const std::int64_t*>(offsets), data);
    return {};
  }
  // string_view / binary_view: validity, views, the data buffers, their sizes (int64 each).
  if (array.n_buffers < 3) return "an Arrow " + ArrowTypeName(schema) + " array of " +
                                  std::to_string(array.n_buffers) + " buffers (expected 3 or more)";
  const std::int64_t data_buffers = array.n_buffers - 3;
  const auto* views = static_cast<const std::uint8_t*>(array.buffers[1]);
  const auto* sizes = static_cast<const std::int64_t*>(array.buffers[array.n_buffers - 1]);
  const char* const* buffers = reinterpret_cast<const char* const*>(array.buffers + 2);
  if (views == nullptr && array.length > 0) return "an Arrow view array without views";
  if (data_buffers > 0 && sizes == nullptr) return "an Arrow view array without its buffer sizes";
  for (std::int64_t row = 0; row < array.length; ++row) {
    const std::int64_t at = array.offset + row;
    if (validity != nullptr && !ArrowBit(validity, at)) continue;
    const std::uint8_t* view = views + 16 * at;
    std::int32_t size;
    std::memcpy(&size, view, 4);
    if (size < 0) return "an Arrow view of negative length at row " + std::to_string(row);
    if (size <= 12) continue;
    std::int32_t index;
    std::int32_t offset;
    std::memcpy(&index, view + 8, 4);
    std::memcpy(&offset, view + 12, 4);
    if (index < 0 || index >= data_buffers || offset < 0 ||
        static_cast<std::int64_t>(offset) + size > sizes[index] || buffers[index] == nullptr) {
      return "an Arrow view outside its data buffers at row " + std::to_string(row);
    }
  }
  out = ColumnChunk::Views(array.length, array.offset, validity, nulls, views, buffers);
  return {};
}

// One Arrow array (a dictionary's too) of `schema` as a chunk: true when read; false with
// `why` empty when its type holds no string or binary values a column of `text` takes (a
// StringColumn takes UTF-8 strings only; a BinaryColumn takes strings too), with `why`
// saying what is wrong when the array is malformed.
inline bool ImportArrowChunk(const ArrowSchema& schema, const ArrowArray& array, bool text,
                             ColumnChunk& out, std::string& why) {
  why.clear();
  if (array.release == nullptr) return why = "a released Arrow array", false;
  const ArrowSchema& values_schema = schema.dictionary != nullptr ? *schema.dictionary : schema;
  const ArrowFormat format = ParseValuesFormat(values_schema.format);
  if (format.values == ArrowValues::kNone || (text && format.values != ArrowValues::kString)) {
    return false;  // the caller names the type
  }
  if (schema.dictionary == nullptr) {
    why = ImportValuesChunk(schema, array, format, out);
    return why.empty();
  }
  std::uint8_t width = 0;
  bool is_signed = false;
  if (!ParseIndexFormat(schema.format, width, is_signed) || array.dictionary == nullptr) {
    return why = "an Arrow dictionary array of " + ArrowTypeName(schema) + " without its dictionary", false;
  }
  ColumnChunk values;
  why = ImportValuesChunk(values_schema, *array.dictionary, format, values);
  if (!why.empty()) return false;
  if (array.length < 0 || array.offset < 0 || array.n_buffers != 2 || array.buffers == nullptr) {
    return why = "an Arrow dictionary array of " + std::to_string(array.n_buffers) + " buffers (expected 2)", false;
  }
  const auto* validity = array.null_count == 0 ? nullptr : static_cast<const std::uint8_t*>(array.buffers[0]);
  const void* indices = array.buffers[1];
  if (indices == nullptr && array.length > 0) return why = "an Arrow dictionary array without indices", false;
  if (validity == nullptr && array.null_count > 0) {
    return why = "an Arrow dictionary array with nulls but no validity bitmap", false;
  }
  ColumnChunk chunk = ColumnChunk::Dictionary(array.length, array.offset, validity, indices, width, is_signed,
                                              std::make_shared<const ColumnChunk>(std::move(values)));
  // Every index must name a value: read once here, so that a row never reads outside.
  for (std::int64_t row = 0; row < array.length; ++row) {
    if (validity != nullptr && !ArrowBit(validity, array.offset + row)) continue;
    const std::int64_t index = chunk.IndexAt(array.offset + row);
    if (index < 0 || index >= chunk.dictionary()->size()) {
      return why = "an Arrow dictionary index " + std::to_string(index) + " outside its " +
                   std::to_string(chunk.dictionary()->size()) + " values at row " + std::to_string(row),
             false;
    }
  }
  chunk.CountNulls();
  out = std::move(chunk);
  return true;
}

// ---- writing -----------------------------------------------------------------------------

// ArrowSchema + ArrowArray for a chunk of the offsets layouts (string/large_string/binary/
// large_binary, `text` saying which), pointing at its buffers; their release drops `owner`,
// which keeps the buffers alive. Both structs are filled; the caller owns them (and calls
// release, or moves them to a consumer that will).
inline void ExportArrowChunk(const ColumnChunk& chunk, bool text, std::shared_ptr<const void> owner,
                             ArrowSchema& schema, ArrowArray& array) {
  struct Private {
    std::shared_ptr<const void> owner;
    const void* buffers[3];
  };
  const bool large = chunk.layout() == ColumnChunk::Layout::kOffsets64;
  schema = ArrowSchema{};
  schema.format = text ? (large ? "U" : "u") : (large ? "Z" : "z");
  schema.name = "";
  schema.metadata = nullptr;
  schema.flags = ARROW_FLAG_NULLABLE;
  schema.release = [](ArrowSchema* self) { self->release = nullptr; };
  auto* kept = new Private{std::move(owner),
                           {chunk.null_bitmap(),
                            large ? static_cast<const void*>(chunk.offsets64())
                                  : static_cast<const void*>(chunk.offsets32()),
                            chunk.data()}};
  array = ArrowArray{};
  array.length = chunk.size();
  array.null_count = chunk.null_bitmap() != nullptr ? chunk.null_count() : 0;
  array.offset = chunk.bitmap_offset();
  array.n_buffers = 3;
  array.buffers = kept->buffers;
  array.private_data = kept;
  array.release = [](ArrowArray* self) {
    delete static_cast<Private*>(self->private_data);
    self->release = nullptr;
  };
}

// Moves `from` into `to` as the spec moves a struct: copied, `from` marked released.
inline void MoveArrowArray(ArrowArray& from, ArrowArray& to) noexcept {
  to = from;
  from.release = nullptr;
}
inline void MoveArrowSchema(ArrowSchema& from, ArrowSchema& to) noexcept {
  to = from;
  from.release = nullptr;
}

}  // namespace goray::detail
