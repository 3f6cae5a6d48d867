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
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/codec_decl.h"
#include "goray/detail/decode.h"
#include "goray/detail/encode.h"
#include "goray/detail/type_name.h"

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

// Defined in struct_adaptor.cpp; cold paths.
[[noreturn]] void ThrowMissingField(std::string struct_name, std::string field_type,
                                    std::string_view name);
// End()'s check once fewer entries were taken than the map has: the first key that is
// none of `fields` (the struct's, StructFields) throws DecodeError kUnknownField, else
// the first key twice kRepeatedField. Without `fields` (a struct that is not
// default-constructible) a key twice, else kUnknownField naming no key.
void CheckStructKeys(const std::string& struct_name, const msgpack::object_kv* entries,
                     std::uint32_t count, const std::vector<StructField>* fields);

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
  // Called by the StructDecoder of object(), for each field it is asked to decode.
  static void ListField(std::string_view name, bool optional);

  bool seen = false;  // a StructDecoder listed a field
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
      Absent(entries_, name, field);
    }
    return *this;
  }

  // After the last Field: a key no Field took (a key that is no field, or a field's
  // key again) throws DecodeError (kUnknownField, kRepeatedField).
  void End() const {
    if (taken_ != count_) [[unlikely]] Untaken(entries_, count_);
  }

 private:
  // A field whose key is not in the map (all of them when StructFields asks: the map
  // is the listing's, without entries). Out of line, so that Field stays small.
  template <class FieldType>
  [[gnu::cold, gnu::noinline]] static void Absent(const msgpack::object_kv* entries,
                                                  std::string_view name, FieldType& field) {
    const bool listing = entries == detail::kFieldListingEntries;
    if constexpr (detail::IsOptional<FieldType>::value) {
      field.reset();
      if (listing) detail::FieldListing::ListField(name, true);
    } else {
      if (listing) {
        detail::FieldListing::ListField(name, false);
        return;
      }
      detail::ThrowMissingField(TypeName<Struct>(), TypeName<FieldType>(), name);
    }
  }

  // Which keys were not taken: the struct's fields, listed, say. (Static: the
  // decoder's address never leaves it, so that the compiler keeps it in registers.)
  [[gnu::cold, gnu::noinline]] static void Untaken(const msgpack::object_kv* entries,
                                                  std::uint32_t count);

  static bool KeyIs(const msgpack::object& key, std::string_view name) noexcept {
    const char* data = nullptr;
    std::size_t size = 0;
    return detail::RawBytes(key, data, size) && size == name.size() &&
           (size == 0 || std::memcmp(data, name.data(), size) == 0);
  }

  const msgpack::object* Find(std::string_view name) noexcept {
    std::uint32_t index = next_;
    for (std::uint32_t step = 0; step < count_; ++step) {
      if (index >= count_) index = 0;
      if (KeyIs(entries_[index].key, name)) {
        next_ = index + 1;
        ++taken_;  // each field's name is asked for once: one entry each
        return &entries_[index].val;
      }
      ++index;
    }
    return nullptr;
  }

  const msgpack::object_kv* entries_ = nullptr;
  std::uint32_t count_ = 0;
  std::uint32_t next_ = 0;   // where the next search starts
  std::uint32_t taken_ = 0;  // entries a Field took
};

template <class Struct>
StructDecoder(const msgpack::object&, const Struct&) -> StructDecoder<Struct>;

// The fields of struct T in its adaptor's order (of the struct inside, for a
// std::optional of one), or nullopt for a type that is no struct, a struct without
// fields, or a struct whose adaptor does not decode with a StructDecoder (or refuses a
// map without keys).
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

template <class Struct>
void StructDecoder<Struct>::Untaken(const msgpack::object_kv* entries, std::uint32_t count) {
  std::optional<std::vector<StructField>> fields;
  if constexpr (std::is_default_constructible_v<Struct>) fields = StructFields<Struct>();
  detail::CheckStructKeys(TypeName<Struct>(), entries, count, fields ? &*fields : nullptr);
}

}  // namespace goray::codec
