// The non-template parts of goray/detail/struct_adaptor.h: a struct's map that does not
// hold its fields (a missing field, a key that is no field, a field twice).
// Tests: tests/cpp/codec_test.cpp
#include "goray/detail/struct_adaptor.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "codec/key_text.h"

namespace goray::codec::detail {

void ThrowMissingField(std::string struct_name, std::string field_type, std::string_view name) {
  std::string path;
  path.reserve(name.size() + 1);
  path += '.';
  path.append(name);
  throw DecodeError(DecodeError::Kind::kMissingField, std::move(struct_name),
                    std::move(field_type), std::move(path));
}

namespace {

[[noreturn]] void ThrowUnmatchedKey(std::string struct_name, const msgpack::object& key,
                                    bool repeated) {
  // ".name" for a plain name, else the key as a map path shows it: ["a b"], [5].
  const char* data = nullptr;
  std::size_t size = 0;
  bool plain = RawBytes(key, data, size) && size > 0;
  for (std::size_t i = 0; plain && i < size; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    plain = std::isalnum(byte) != 0 || byte == '_';
  }
  throw DecodeError(repeated ? DecodeError::Kind::kRepeatedField : DecodeError::Kind::kUnknownField,
                    std::move(struct_name), "",
                    plain ? "." + std::string(data, size) : "[" + KeyText(key) + "]");
}

bool SameKey(const msgpack::object& a, const msgpack::object& b) {
  const char* a_data = nullptr;
  const char* b_data = nullptr;
  std::size_t a_size = 0;
  std::size_t b_size = 0;
  return RawBytes(a, a_data, a_size) && RawBytes(b, b_data, b_size) && a_size == b_size &&
         (a_size == 0 || std::memcmp(a_data, b_data, a_size) == 0);
}

}  // namespace

void CheckStructKeys(const std::string& struct_name, const msgpack::object_kv* entries,
                     std::uint32_t count, const std::vector<StructField>* fields) {
  auto is_field = [&](const msgpack::object& key) {
    const char* data = nullptr;
    std::size_t size = 0;
    if (!RawBytes(key, data, size)) return false;
    const std::string_view name(data, size);
    return std::any_of(fields->begin(), fields->end(),
                       [&](const StructField& field) { return field.name == name; });
  };
  if (fields != nullptr) {
    for (std::uint32_t index = 0; index < count; ++index) {
      if (!is_field(entries[index].key)) ThrowUnmatchedKey(struct_name, entries[index].key, false);
    }
  }
  for (std::uint32_t index = 1; index < count; ++index) {
    for (std::uint32_t earlier = 0; earlier < index; ++earlier) {
      if (SameKey(entries[earlier].key, entries[index].key)) {
        ThrowUnmatchedKey(struct_name, entries[index].key, true);
      }
    }
  }
  if (fields == nullptr) {
    throw DecodeError(DecodeError::Kind::kUnknownField, struct_name, "", "");
  }
}

}  // namespace goray::codec::detail
