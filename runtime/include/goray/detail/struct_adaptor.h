// Helpers for the non-intrusive msgpack-c adaptors of user structs: a struct is
// a msgpack map keyed by field name. Every field must be there, except one of type
// std::optional<T>, which may be left out (it is then empty); a key that is no field is
// an error, and so is a field's key twice. Included by goray/codec.h.
//
// goray-gen emits exactly this shape for every struct in a signature (never
// MSGPACK_DEFINE); a hand-written adaptor looks the same:
//
//   namespace geo {
//   struct Point {
//     int64_t x = 0;
//     int64_t y = 0;
//     std::optional<std::string> label;
//   };
//   }  // namespace geo
//
//   namespace msgpack {
//   MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
//   namespace adaptor {
//
//   template <>
//   struct pack<::geo::Point> {
//     goray::codec::Packer& operator()(goray::codec::Packer& packer,
//                                      const ::geo::Point& value) const {
//       goray::codec::EncodeStructHeader(packer, 3);  // the number of fields
//       goray::codec::EncodeField(packer, "x", value.x);
//       goray::codec::EncodeField(packer, "y", value.y);
//       goray::codec::EncodeField(packer, "label", value.label);
//       return packer;
//     }
//   };
//
//   template <>
//   struct convert<::geo::Point> {
//     const msgpack::object& operator()(const msgpack::object& object,
//                                       ::geo::Point& value) const {
//       goray::codec::StructDecoder decoder(object, value);  // not a map: DecodeError
//       decoder.Field("x", value.x);          // missing: DecodeError
//       decoder.Field("y", value.y);
//       decoder.Field("label", value.label);  // std::optional: may be missing
//       decoder.End();                        // a key that is no field: DecodeError
//       return object;
//     }
//   };
//
//   }  // namespace adaptor
//   }  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
//   }  // namespace msgpack
//
// The adaptors must be declared before the first Encode/Decode of the struct
// in a translation unit (the generated header puts them right after the
// includes). Fields are encoded and decoded with goray's own Encode/DecodeInto,
// so every type of docs/protocol.md §5 may be a field, nested structs too.
// A field that fails to decode throws DecodeError with ".name" prepended to its
// path ("inner.x" fails as ".inner.x"); a value that is not a map fails naming
// the struct (TypeName<geo::Point>() is "geo::Point"); a missing field, a key that
// is no field and a repeated key throw a DecodeError of that kind() naming the field's
// path and the struct. An adaptor written before End() existed (no End call) still
// refuses missing fields, but lets unknown and repeated keys pass.
//
// StructFields<T>() lists the fields of a struct whose adaptor decodes with a
// StructDecoder, without a value: the map loop checks a struct of arrays' columns
// against it once per chunk.
//
// Not `#pragma once`: included on its own, this header includes goray/codec.h,
// which includes it back after its declarations, in order with its siblings.
#ifndef GORAY_CODEC_H_DECLARATIONS_DONE
#include "goray/codec.h"
#elif !defined(GORAY_DETAIL_STRUCT_ADAPTOR_H_)
#define GORAY_DETAIL_STRUCT_ADAPTOR_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace goray::codec {

// The map header of a struct with `field_count` fields.
inline void EncodeStructHeader(Packer& packer, std::uint32_t field_count) {
  packer.pack_map(field_count);
}

// One field: its name as a str key, then its value.
template <class T>
inline void EncodeField(Packer& packer, std::string_view name, const T& value) {
  detail::EncodeString(packer, name);
  Encode(packer, value);
}

// A field of a struct, as StructFields lists it.
struct StructField {
  std::string name;
  bool optional = false;  // std::optional<T>: may be left out
};

namespace detail {

// Defined in codec.cpp; cold paths.
[[noreturn]] void ThrowMissingField(std::string struct_name, std::string field_type,
                                    std::string_view name);
// The key of entries[index]: no field of the struct, or a field's key again.
[[noreturn]] void ThrowUnmatchedKey(std::string struct_name, const msgpack::object_kv* entries,
                                    std::uint32_t index, bool repeated);

// Which entries of a struct's map a field took: a bit each for the first 64, a list of
// indexes beyond (a struct of more than 64 fields).
class FieldMarks {
 public:
  void Mark(std::uint32_t index) {
    if (index < 64) [[likely]] {
      low_ |= std::uint64_t{1} << index;
    } else if (!IsMarked(index)) {
      high_.push_back(index);
    }
  }
  bool IsMarked(std::uint32_t index) const noexcept {
    if (index < 64) return (low_ >> index) & 1;
    for (std::uint32_t marked : high_) {
      if (marked == index) return true;
    }
    return false;
  }
  std::uint32_t Count() const noexcept {
    return static_cast<std::uint32_t>(std::popcount(low_) + high_.size());
  }

 private:
  std::uint64_t low_ = 0;
  std::vector<std::uint32_t> high_;
};

// The entries of the map StructFields hands an adaptor (it has none): a StructDecoder of
// that map lists the fields it is asked for instead of decoding them.
extern const msgpack::object_kv kFieldListingEntries[1];

// Where this thread's StructDecoders list fields while StructFields runs.
class FieldListing {
 public:
  FieldListing();
  ~FieldListing();
  FieldListing(const FieldListing&) = delete;
  FieldListing& operator=(const FieldListing&) = delete;

  // The map to decode: a StructDecoder of it lists into the innermost listing.
  const msgpack::object& object() const noexcept { return object_; }
  // Called by the StructDecoder of object().
  static void ListStruct();
  static void ListField(std::string_view name, bool optional);

  bool seen = false;  // a StructDecoder decoded object()
  std::vector<StructField> fields;

 private:
  FieldListing* outer_;
  msgpack::object object_;
};

}  // namespace detail

// Decodes the fields of a struct from a msgpack map, one Field call each, then End().
// Keys may be str or bin. Finding a key costs one comparison when the keys
// come in field order (as EncodeField writes them), a scan of the map otherwise.
template <class Struct>
class StructDecoder {
 public:
  // Throws DecodeError(TypeName<Struct>(), ...) unless `object` is a map.
  // `value` only names the struct's type.
  StructDecoder(const msgpack::object& object, const Struct& /*value*/) {
    if (object.type != msgpack::type::MAP) detail::ThrowMismatch<Struct>(object);
    entries_ = object.via.map.ptr;
    count_ = object.via.map.size;
    if (entries_ == detail::kFieldListingEntries) [[unlikely]] {
      listing_ = true;
      detail::FieldListing::ListStruct();
    }
  }

  // Decodes the value under `name` into `field`. A missing key throws DecodeError
  // (kMissingField), unless `field` is a std::optional, which it empties.
  template <class FieldType>
  StructDecoder& Field(std::string_view name, FieldType& field) {
    if (const msgpack::object* value = Find(name)) {
      try {
        DecodeInto(*value, field);
      } catch (const DecodeError& error) {
        detail::RethrowAtField(error, name);
      }
    } else {
      Absent(name, field);
    }
    return *this;
  }

  // After the last Field: a key no Field took (a key that is no field, or a field's
  // key again) throws DecodeError (kUnknownField, kRepeatedField).
  void End() const {
    if (marks_.Count() != count_) [[unlikely]] ThrowUnmatched();
  }

 private:
  template <class FieldType>
  void Absent(std::string_view name, FieldType& field) {
    if constexpr (detail::IsOptional<FieldType>::value) {
      field.reset();
      if (listing_) [[unlikely]] detail::FieldListing::ListField(name, true);
    } else {
      if (listing_) {
        detail::FieldListing::ListField(name, false);
        return;
      }
      detail::ThrowMissingField(TypeName<Struct>(), TypeName<FieldType>(), name);
    }
  }

  [[noreturn, gnu::cold, gnu::noinline]] void ThrowUnmatched() const {
    for (std::uint32_t index = 0; index < count_; ++index) {
      if (marks_.IsMarked(index)) continue;
      bool repeated = false;
      for (std::uint32_t other = 0; other < count_ && !repeated; ++other) {
        repeated = marks_.IsMarked(other) && SameKey(entries_[other].key, entries_[index].key);
      }
      detail::ThrowUnmatchedKey(TypeName<Struct>(), entries_, index, repeated);
    }
    detail::ThrowUnmatchedKey(TypeName<Struct>(), entries_, 0, true);  // (not reached)
  }

  static bool KeyIs(const msgpack::object& key, std::string_view name) noexcept {
    const char* data = nullptr;
    std::size_t size = 0;
    return detail::RawBytes(key, data, size) && size == name.size() &&
           (size == 0 || std::memcmp(data, name.data(), size) == 0);
  }

  static bool SameKey(const msgpack::object& a, const msgpack::object& b) noexcept {
    const char* data = nullptr;
    std::size_t size = 0;
    return detail::RawBytes(a, data, size) && KeyIs(b, std::string_view(data, size));
  }

  const msgpack::object* Find(std::string_view name) {
    std::uint32_t index = next_;
    for (std::uint32_t step = 0; step < count_; ++step) {
      if (index >= count_) index = 0;
      if (KeyIs(entries_[index].key, name)) {
        marks_.Mark(index);
        next_ = index + 1;
        return &entries_[index].val;
      }
      ++index;
    }
    return nullptr;
  }

  const msgpack::object_kv* entries_ = nullptr;
  std::uint32_t count_ = 0;
  std::uint32_t next_ = 0;  // where the next search starts
  bool listing_ = false;    // lists the fields for StructFields instead
  detail::FieldMarks marks_;
};

template <class Struct>
StructDecoder(const msgpack::object&, const Struct&) -> StructDecoder<Struct>;

// The fields of struct T in its adaptor's order (of the struct inside, for a
// std::optional of one), or nullopt for a type that is no struct, or a struct whose
// adaptor does not decode with a StructDecoder (or refuses a map without keys).
template <class T>
std::optional<std::vector<StructField>> StructFields() {
  detail::FieldListing listing;
  T value{};
  try {
    DecodeInto(listing.object(), value);
  } catch (...) {
    return std::nullopt;
  }
  if (!listing.seen) return std::nullopt;
  return std::move(listing.fields);
}

}  // namespace goray::codec

#endif  // GORAY_DETAIL_STRUCT_ADAPTOR_H_
