// Encoding and decoding of goray::StringColumn / goray::BinaryColumn, their builders, and
// the standard types read from a column (std::vector<std::string_view> parameters,
// std::vector<std::string>, ...). Included by goray/codec.h after decode.h and encode.h,
// which declare what they call here; the wire forms are in
// docs/protocol.md §10, "String and binary columns":
//
//   ext 78  a column inline (goray/detail/column_wire.h): Arrow's offsets layout
//   ext 79  Arrow C Data Interface structs by address: flags u8 (bit 0 owned) | 3 zero
//           bytes | chunk count u32 LE | count x (schema address, array address: u64 LE)
//           | token u64 LE (0 when borrowed)
//
// A column is written only after the driver turned on EnableFeatures bit 64 (goray's
// does; GoRay's never does, so a GoRay peer never meets these exts: encoding one for it
// is an error naming the type). Then:
//   - the results of a RunTaskForPython / ActorMethodCallForPython call: ext 79 owned,
//     the column's own memory exported as Arrow C structs (a builder's buffers: no copy),
//     kept under a token until ReleaseArray, by when the driver moved them into its
//     Arrow array;
//   - anything else (through Ray, stored, Put, calls out): ext 78.
// Decoding accepts ext 78, ext 79 borrowed (only after EnableArrays: its addresses are
// trusted like FreeMemory's pointer) and a msgpack array of str (a BinaryColumn: or bin)
// and nil, copied once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/codec_decl.h"
#include "goray/column.h"
#include "goray/detail/decode.h"
#include "goray/detail/encode.h"
#include "goray/detail/type_name.h"

namespace goray::codec::detail {

// Whether `object` is ext 78 or 79.
bool IsColumnExt(const msgpack::object& object) noexcept;
// "Arrow string column of 3 rows" for a well-formed ext 78 / 79, else "".
std::string DescribeColumnExt(const msgpack::object& object);

// Writes `chunks` (`text`: a StringColumn's) as ext 78 or ext 79 owned, as the thread's
// state says; `owner` keeps their memory alive (null: borrowed, so a handover copies);
// `type` names the C++ type in errors.
void EncodeColumn(Packer& packer, std::span<const ColumnChunk> chunks, bool text,
                  const std::shared_ptr<const void>& owner, const char* type);

// The chunks of a column ext (or a msgpack array of strings, copied into `owner`), for a
// column of `text` values; DecodeError(expected, ...) when it is none.
void DecodeColumnChunks(const msgpack::object& object, bool text, const std::string& expected,
                        std::vector<ColumnChunk>& chunks, std::shared_ptr<const void>& owner);

template <class Values>
void EncodeColumnValue(Packer& packer, const goray::BasicColumn<Values>& column) {
  EncodeColumn(packer, column.chunks(), Values::kText, column.owner(),
               TypeName<goray::BasicColumn<Values>>().c_str());
}

template <class Values>
void EncodeColumnValue(Packer& packer, const goray::BasicColumnBuilder<Values>& builder) {
  const goray::BasicColumn<Values> column = builder.Column();
  EncodeColumn(packer, column.chunks(), Values::kText, column.owner(),
               TypeName<goray::BasicColumnBuilder<Values>>().c_str());
}

template <class Values>
void DecodeColumnValue(const msgpack::object& object, goray::BasicColumn<Values>& out) {
  std::vector<ColumnChunk> chunks;
  std::shared_ptr<const void> owner;
  DecodeColumnChunks(object, Values::kText, TypeName<goray::BasicColumn<Values>>(), chunks, owner);
  out = goray::BasicColumn<Values>(std::move(chunks), std::move(owner));
}

// A builder from what a column reads: its rows copied in (a StringColumnBuilder's checked
// as UTF-8, which a peer's ext 78 of strings may not be).
template <class Values>
void DecodeColumnBuilder(const msgpack::object& object, goray::BasicColumnBuilder<Values>& out) {
  goray::BasicColumn<Values> column;
  DecodeColumnValue(object, column);
  out = goray::BasicColumnBuilder<Values>();
  out.Reserve(column.size());
  try {
    for (std::optional<std::string_view> value : column) out.Append(value);
  } catch (const std::invalid_argument& error) {
    throw DecodeError(TypeName<goray::BasicColumnBuilder<Values>>(), error.what());
  }
}

template <class Element>
void DecodeStringViews(const msgpack::object& object, StringViewsArgument<Element>& out) {
  constexpr bool kOptional = !std::is_same_v<Element, std::string_view>;
  const std::string expected = TypeName<std::vector<Element>>();
  out.views.clear();
  if (IsColumnExt(object)) {
    goray::BinaryColumn column;
    DecodeColumnValue(object, column);
    out.owner = column.owner();
    out.views.reserve(column.size());
    std::size_t row = 0;
    for (std::optional<std::string_view> value : column) {
      if constexpr (kOptional) {
        out.views.push_back(value);
      } else {
        if (!value) {
          throw DecodeError(expected, DescribeColumnExt(object) + " holding a null at row " + std::to_string(row) +
                                          " (take std::vector<std::optional<std::string_view>> or a column)");
        }
        out.views.push_back(*value);
      }
      ++row;
    }
    return;
  }
  if (object.type != msgpack::type::ARRAY) throw DecodeError(expected, ReceivedDescription(object));
  const msgpack::object_array& array = object.via.array;
  out.views.reserve(array.size);
  for (std::uint32_t i = 0; i < array.size; ++i) {
    const msgpack::object& element = array.ptr[i];
    if (element.type == msgpack::type::STR) {
      out.views.emplace_back(std::string_view(element.via.str.ptr, element.via.str.size));
    } else if (element.type == msgpack::type::BIN) {
      out.views.emplace_back(std::string_view(element.via.bin.ptr, element.via.bin.size));
    } else if (kOptional && element.type == msgpack::type::NIL) {
      out.views.emplace_back();
    } else {
      throw DecodeError(expected, "array (at [" + std::to_string(i) + "]: expected " +
                                      TypeName<Element>() + ", received " + ReceivedDescription(element) + ")");
    }
  }
}

// A std::vector<std::string> (or of std::optional<std::string>, or of a byte vector) from a
// column ext: each row copied.
template <class Vector>
void DecodeSequenceFromColumn(const msgpack::object& object, Vector& out) {
  using Element = typename Vector::value_type;
  goray::BinaryColumn column;
  DecodeColumnValue(object, column);
  out.clear();
  out.reserve(column.size());
  std::size_t row = 0;
  for (std::optional<std::string_view> value : column) {
    if constexpr (IsOptional<Element>::value) {
      if (value) {
        out.emplace_back(std::in_place, value->begin(), value->end());
      } else {
        out.emplace_back();
      }
    } else {
      if (!value) {
        throw DecodeError(TypeName<Vector>(), DescribeColumnExt(object) + " holding a null at row " +
                                                  std::to_string(row) + " (take a std::vector of std::optional)");
      }
      out.emplace_back(value->begin(), value->end());
    }
    ++row;
  }
}

}  // namespace goray::codec::detail
