// Encoding C++ values as msgpack (docs/protocol.md §5). Included by goray/codec.h.
//
//   template <class T> void goray::codec::Encode(Packer&, const T&);
//
// Every type of section 5 is handled here; a class type not known here (a
// user struct) goes through its msgpack-c adaptor, `packer.pack(value)`
// (see goray/detail/struct_adaptor.h). Dispatch is compile-time; nothing is
// allocated beyond the bytes written.
//
//   bool                        bool
//   signed / unsigned integers  int, smallest form (msgpack-c picks it)
//   enums                       their underlying integer
//   float / double              float32 / float64, always (never as an int)
//   std::string, std::string_view, const char*, char arrays   str
//   std::vector<std::byte>, std::vector<uint8_t>              bin
//   std::vector, std::array, std::list, std::deque, std::set,
//   std::unordered_set, std::pair, std::tuple                 array
//   std::map, std::unordered_map                              map
//   std::optional               nil or the value
//   std::nullptr_t, std::nullopt_t, std::monostate            nil
//   std::chrono::system_clock::time_point   timestamp ext -1, the smallest
//                               exact form (32-, 64- or 96-bit)
//   goray::Value                what it holds
//   goray::Array<T>, goray::ArrayView<T>   nested arrays, ext 71 or ext 72
//                               (goray/detail/array_codec.h says when)
//   goray::ObjectRef, goray::Future<T...>   ext 73; goray::ActorHandle and
//                               typed handles: ext 74 (goray/detail/ref_codec.h)
//   goray::StringColumn, goray::BinaryColumn and their builders   ext 78 or 79
//                               (goray/detail/column_codec.h says when)
#pragma once

#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goray/array.h"
#include "goray/codec_decl.h"
#include "goray/detail/ref_codec.h"
#include "goray/detail/type_name.h"
#include "goray/detail/value_exts.h"
#include <variant>

namespace goray::codec {

namespace detail {

// Defined in value.cpp.
void EncodeValue(Packer& packer, const goray::Value& value);
// Defined in goray/detail/array_codec.h.
template <class A>
void EncodeArrayValue(Packer& packer, const A& array);
// Defined in goray/detail/column_codec.h.
template <class Values>
void EncodeColumnValue(Packer& packer, const goray::BasicColumn<Values>& column);
template <class Values>
void EncodeColumnValue(Packer& packer, const goray::BasicColumnBuilder<Values>& builder);
// Defined in encode.cpp. A timestamp ext -1 in its smallest exact form;
// 0 <= nanoseconds < 1e9.
void EncodeTimestamp(Packer& packer, std::int64_t seconds, std::uint32_t nanoseconds);
void EncodeTimePoint(Packer& packer, TimePoint time);
// Seconds since the epoch (rounded down) and 0..999999999 nanoseconds.
void SplitTimePoint(TimePoint time, std::int64_t& seconds, std::uint32_t& nanoseconds);
// Writes the body of a timestamp ext (4, 8 or 12 bytes into out[12]); returns its size.
std::size_t WriteTimestamp(char* out, std::int64_t seconds, std::uint32_t nanoseconds);
// std::length_error "goray: a <kind> of <size> <unit> is over msgpack's limit of 4294967295 (2^32 - 1)".
[[noreturn]] void ThrowTooLarge(std::size_t size, const char* kind, const char* unit);
// Rethrows a ThrowTooLarge error with where it happened ("argument 1 of Echo",
// "the result"), so the caller learns which value of which call was too large.
[[noreturn]] void ThrowTooLargeIn(std::string_view where, const std::length_error& error);

// msgpack lengths are 32-bit.
inline std::uint32_t CheckedLength(std::size_t size, const char* kind = "value",
                                   const char* unit = "bytes or elements") {
  if (size > std::numeric_limits<std::uint32_t>::max()) [[unlikely]] ThrowTooLarge(size, kind, unit);
  return static_cast<std::uint32_t>(size);
}

template <class T>
std::string_view AsStringView(const T& value) {
  if constexpr (std::is_array_v<T>) {
    // A char array holds a C string: up to the first NUL, else all of it.
    constexpr std::size_t kExtent = std::extent_v<T>;
    const char* nul = std::char_traits<char>::find(value, kExtent, '\0');
    return std::string_view(value,
                            nul == nullptr ? kExtent : static_cast<std::size_t>(nul - value));
  } else if constexpr (std::is_pointer_v<T>) {
    return value == nullptr ? std::string_view() : std::string_view(value);
  } else {
    return std::string_view(value);
  }
}

// Appends bytes as they are. msgpack-c has no public raw append, but a bin
// body is exactly that.
inline void AppendRaw(Packer& packer, const char* data, std::uint32_t size) {
  packer.pack_bin_body(data, size);
}

// float32 and float64 written by hand: msgpack-c 4.1's pack_float/pack_double
// write a float with an integral value as an int (2.0 as 2, -0.0 as 0), which
// would reach Python as int and lose -0.0.
inline void EncodeFloat32(Packer& packer, float value) {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  const char bytes[5] = {static_cast<char>(0xca), static_cast<char>(bits >> 24),
                         static_cast<char>(bits >> 16), static_cast<char>(bits >> 8),
                         static_cast<char>(bits)};
  AppendRaw(packer, bytes, sizeof bytes);
}

inline void EncodeFloat64(Packer& packer, double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const char bytes[9] = {static_cast<char>(0xcb),       static_cast<char>(bits >> 56),
                         static_cast<char>(bits >> 48), static_cast<char>(bits >> 40),
                         static_cast<char>(bits >> 32), static_cast<char>(bits >> 24),
                         static_cast<char>(bits >> 16), static_cast<char>(bits >> 8),
                         static_cast<char>(bits)};
  AppendRaw(packer, bytes, sizeof bytes);
}

inline void EncodeString(Packer& packer, std::string_view text) {
  const std::uint32_t length = CheckedLength(text.size(), "string", "bytes");
  packer.pack_str(length);
  packer.pack_str_body(text.data(), length);
}

}  // namespace detail

template <class T>
void Encode(Packer& packer, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    if (value) {
      packer.pack_true();
    } else {
      packer.pack_false();
    }
  } else if constexpr (std::is_enum_v<T>) {
    Encode(packer, static_cast<std::underlying_type_t<T>>(value));
  } else if constexpr (detail::kIsInteger<T>) {
    if constexpr (std::is_signed_v<T>) {
      if constexpr (sizeof(T) <= sizeof(std::int32_t)) {
        packer.pack_int32(static_cast<std::int32_t>(value));
      } else {
        packer.pack_int64(static_cast<std::int64_t>(value));
      }
    } else {
      if constexpr (sizeof(T) <= sizeof(std::uint32_t)) {
        packer.pack_uint32(static_cast<std::uint32_t>(value));
      } else {
        packer.pack_uint64(static_cast<std::uint64_t>(value));
      }
    }
  } else if constexpr (std::is_same_v<T, float>) {
    detail::EncodeFloat32(packer, value);
  } else if constexpr (std::is_same_v<T, double>) {
    detail::EncodeFloat64(packer, value);
  } else if constexpr (detail::kIsStringLike<T>) {
    detail::EncodeString(packer, detail::AsStringView(value));
  } else if constexpr (detail::kIsBytes<T>) {
    const std::uint32_t length = detail::CheckedLength(value.size(), "byte vector", "bytes");
    packer.pack_bin(length);
    packer.pack_bin_body(reinterpret_cast<const char*>(value.data()), length);
  } else if constexpr (detail::kIsSequence<T>) {
    packer.pack_array(detail::CheckedLength(value.size(), "sequence", "elements"));
    for (const auto& element : value) Encode<typename T::value_type>(packer, element);
  } else if constexpr (detail::IsPair<T>::value) {
    packer.pack_array(2);
    Encode(packer, value.first);
    Encode(packer, value.second);
  } else if constexpr (detail::IsStdTuple<T>::value) {
    packer.pack_array(static_cast<std::uint32_t>(std::tuple_size_v<T>));
    std::apply([&packer](const auto&... element) { (Encode(packer, element), ...); }, value);
  } else if constexpr (detail::IsMap<T>::value) {
    packer.pack_map(detail::CheckedLength(value.size(), "map", "entries"));
    for (const auto& [key, mapped] : value) {
      Encode(packer, key);
      Encode(packer, mapped);
    }
  } else if constexpr (detail::IsOptional<T>::value) {
    if (value.has_value()) {
      Encode(packer, *value);
    } else {
      packer.pack_nil();
    }
  } else if constexpr (std::is_same_v<T, std::nullptr_t> || std::is_same_v<T, std::nullopt_t> ||
                       std::is_same_v<T, std::monostate>) {
    packer.pack_nil();
  } else if constexpr (std::is_same_v<T, detail::TimePoint>) {
    detail::EncodeTimePoint(packer, value);
  } else if constexpr (detail::IsComplex<T>::value) {
    detail::EncodeComplex(packer, value);
  } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
    detail::EncodePath(packer, value);
  } else if constexpr (detail::IsDuration<T>::value) {
    detail::EncodeDuration(packer, value);
  } else if constexpr (detail::IsVariant<T>::value) {
    std::visit([&packer](const auto& alternative) { Encode(packer, alternative); }, value);
  } else if constexpr (std::is_same_v<T, goray::Value>) {
    detail::EncodeValue(packer, value);
  } else if constexpr (detail::IsArray<T>::value || detail::IsArrayView<T>::value) {
    detail::EncodeArrayValue(packer, value);
  } else if constexpr (detail::kIsRefType<T>) {
    detail::EncodeObjectRef(packer, value);
  } else if constexpr (detail::kIsHandleType<T>) {
    detail::EncodeActorHandle(packer, value);
  } else if constexpr (detail::IsColumn<T>::value || detail::IsColumnBuilder<T>::value) {
    detail::EncodeColumnValue(packer, value);
  } else if constexpr (std::is_class_v<T>) {
    // A user struct: its msgpack-c adaptor (struct_adaptor.h).
    packer.pack(value);
  } else {
    static_assert(detail::kAlwaysFalse<T>,
                  "goray: this type has no msgpack mapping (docs/protocol.md §5)");
  }
}

}  // namespace goray::codec

