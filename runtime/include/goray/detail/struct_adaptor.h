// Helpers for the non-intrusive msgpack-c adaptors of user structs: a struct is
// a msgpack map keyed by field name; missing keys keep their defaults, unknown
// keys are ignored. Included by goray/codec.h.
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
//       decoder.Field("x", value.x);
//       decoder.Field("y", value.y);
//       decoder.Field("label", value.label);
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
// the struct (TypeName<geo::Point>() is "geo::Point").
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "goray/detail/codec_decl.h"
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

// Decodes the fields of a struct from a msgpack map, one Field call each.
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

  // Decodes the value under `name` into `field`; a missing key leaves `field` as it is.
  template <class FieldType>
  StructDecoder& Field(std::string_view name, FieldType& field) {
    if (const msgpack::object* value = Find(name)) {
      try {
        DecodeInto(*value, field);
      } catch (const DecodeError& error) {
        detail::RethrowAtField(error, name);
      }
    }
    return *this;
  }

 private:
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
        return &entries_[index].val;
      }
      ++index;
    }
    return nullptr;
  }

  const msgpack::object_kv* entries_ = nullptr;
  std::uint32_t count_ = 0;
  std::uint32_t next_ = 0;  // where the next search starts
};

template <class Struct>
StructDecoder(const msgpack::object&, const Struct&) -> StructDecoder<Struct>;

}  // namespace goray::codec

