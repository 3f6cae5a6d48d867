// Decoding msgpack into C++ values (docs/protocol.md §5). Included by goray/codec.h.
//
//   template <class T> void goray::codec::DecodeInto(const msgpack::object&, T&);
//   template <class T> T goray::codec::Decode(const msgpack::object&);
//
// A mismatch throws DecodeError(TypeName<T>(), what was received, path). What
// each type accepts (encode.h says what each type writes):
//
//   bool                 bool only
//   integers, enums      int of any width, range-checked ("int 300" for a
//                        uint8_t is an error); never a float or a bool
//   float, double        float32, float64 and int. An int converts to the
//                        nearest value (Python passes 2 for a float parameter);
//                        a float64 narrows to float (rounding to nearest);
//                        a finite float64 beyond float's range (1e40) is an
//                        error, NaN and ±Inf pass
//   std::string          str or bin, any bytes (NULs included)
//   bytes (std::vector<std::byte>, std::vector<uint8_t>)
//                        bin, str, or an array of ints 0..255 (as Go does)
//   std::vector<char>, std::vector<int8_t>
//                        bin, str, or an array of ints of the element's range
//   byte arrays          std::string, the bytes above, std::vector<char|int8_t>
//                        and std::array<std::byte|uint8_t, N> also take a 1-D
//                        array ext of itemsize 1 (uint8 or int8; ext 72 only
//                        after EnableArrays): how a large Python bytes argument
//                        may arrive (copied once, as a bin is)
//   std::vector, std::list, std::deque, std::set, std::unordered_set
//                        array (duplicates collapse in sets)
//   std::array<T, N>     array of exactly N elements (for byte elements also a
//                        bin or str of exactly N bytes)
//   std::pair, std::tuple  array of exactly 2 / exactly N elements
//   std::map, std::unordered_map   map; a repeated key: the last one wins
//   std::optional<T>     nil (empty) or what T accepts
//   std::chrono::system_clock::time_point
//                        timestamp ext -1 in all three forms (32, 64, 96-bit);
//                        times the clock cannot hold (beyond about 1677..2262
//                        with nanosecond ticks) are errors
//   goray::Value         anything
//   goray::Array<T>, goray::ArrayView<T>
//                        ext 71, ext 72 (after EnableArrays), or rectangular
//                        nested arrays (a number is 0-d; complex: [re, im]);
//                        the dtype must be T's (goray/detail/array_codec.h)
//   SpanArgument<T>      (a std::span<const T> parameter) as ArrayView, 1-D;
//                        a span of uint8_t or int8_t also a bin (no copy)
//   std::vector<T> of arithmetic T also from a 1-D array ext of T's dtype
//   goray::ObjectRef, goray::Future<T...>   ext 73; goray::ActorHandle and
//                        typed handles: ext 74; each a copy of the state the
//                        received block adopted (goray/detail/ref_codec.h)
//   goray::StringColumn, goray::BinaryColumn
//                        ext 78, ext 79 (after EnableArrays) or an array of str
//                        (a BinaryColumn: or bin) and nil (goray/detail/column_codec.h);
//                        their builders the same, the rows copied in
//   StringViewsArgument  (a std::vector<std::string_view> parameter, or of
//                        std::optional<std::string_view>) an array of str or bin
//                        (nil for optionals), or a column ext: views, no copy
//   std::vector<std::string> (and of byte vectors, and of optionals of either)
//                        also from a column ext, each row copied
//   user structs         through their msgpack-c adaptor (struct_adaptor.h): a
//                        map holding every field (a std::optional one may be
//                        missing) and no other key; a msgpack::type_error from a
//                        hand-written adaptor becomes a DecodeError naming the struct
//
// Paths: "[2]" for an array element, "[\"k\"]" or "[5]" for a map value by
// key, "[key \"k\"]" for a map key that itself fails, ".x" for a struct
// field; nested they concatenate: "[3].inner.x".
//
// DecodeInto overwrites `out`. Containers and optionals are rebuilt from
// default-constructed elements; a struct's fields are each decoded (a missing
// std::optional one emptied).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goray/array.h"
#include "goray/codec_decl.h"
#include "goray/detail/ref_codec.h"
#include "goray/detail/type_name.h"
#include "goray/detail/value_exts.h"

namespace goray::codec {

namespace detail {

// Defined in decode.cpp (ThrowDecodeError in value_exts.cpp); cold paths.
[[noreturn]] void ThrowDecodeError(std::string expected, const msgpack::object& received);
[[noreturn]] void ThrowDecodeErrorAtIndex(std::string expected, const msgpack::object& received,
                                          std::size_t index);
[[noreturn]] void ThrowLengthMismatch(std::string expected, std::size_t received_length);
[[noreturn]] void RethrowAtIndex(const DecodeError& error, std::size_t index);
[[noreturn]] void RethrowAtKey(const DecodeError& error, const msgpack::object& key);
[[noreturn]] void RethrowInKey(const DecodeError& error, const msgpack::object& key);
[[noreturn]] void RethrowAtField(const DecodeError& error, std::string_view name);
void DecodeTimePoint(const msgpack::object& object, TimePoint& out);
// The seconds and nanoseconds of a valid timestamp ext -1 (any of its three
// forms, nanoseconds < 1e9), else false.
bool ReadTimestamp(const msgpack::object& object, std::int64_t& seconds,
                   std::uint32_t& nanoseconds);
// False when the clock cannot hold the time.
bool TimestampToTimePoint(std::int64_t seconds, std::uint32_t nanoseconds, TimePoint& out);
// Defined in value.cpp.
void DecodeValue(const msgpack::object& object, goray::Value& out);
// Defined in goray/detail/array_codec.h (IsArrayExt in array_ext_names.cpp).
bool IsArrayExt(const msgpack::object& object) noexcept;
template <class T>
void DecodeArray(const msgpack::object& object, goray::Array<T>& out);
template <class T>
void DecodeArrayView(const msgpack::object& object, goray::ArrayView<T>& out,
                     const std::string& expected, bool* column_major = nullptr);
template <class T>
void DecodeSpanArgument(const msgpack::object& object, SpanArgument<T>& out);
template <class Vector>
void DecodeVectorFromArrayExt(const msgpack::object& object, Vector& out);
// Defined in goray/detail/column_codec.h (IsColumnExt in array_ext_names.cpp).
bool IsColumnExt(const msgpack::object& object) noexcept;
template <class Values>
void DecodeColumnValue(const msgpack::object& object, goray::BasicColumn<Values>& out);
template <class Values>
void DecodeColumnBuilder(const msgpack::object& object, goray::BasicColumnBuilder<Values>& out);
template <class Element>
void DecodeStringViews(const msgpack::object& object, StringViewsArgument<Element>& out);
template <class Vector>
void DecodeSequenceFromColumn(const msgpack::object& object, Vector& out);
// Defined in byte_array_ext.cpp. The data of a 1-D array ext of itemsize 1
// (uint8 or int8), else false (any other dtype or shape). A malformed ext, or
// ext 72 before EnableArrays, throws DecodeError(expected, ...).
bool ByteArrayExtBytes(const msgpack::object& object, const std::string& expected,
                       const char*& data, std::size_t& size);

template <class T>
[[noreturn, gnu::cold, gnu::noinline]] void ThrowMismatch(const msgpack::object& received) {
  ThrowDecodeError(TypeName<T>(), received);
}

// Range-checked integer; errors name `Named` (the integer, or the enum).
template <class Named, class I>
inline void DecodeInteger(const msgpack::object& object, I& out) {
  if (object.type == msgpack::type::POSITIVE_INTEGER) {
    if (object.via.u64 <= static_cast<std::uint64_t>(std::numeric_limits<I>::max())) {
      out = static_cast<I>(object.via.u64);
      return;
    }
  } else if (object.type == msgpack::type::NEGATIVE_INTEGER) {
    if constexpr (std::is_signed_v<I>) {
      if (object.via.i64 >= static_cast<std::int64_t>(std::numeric_limits<I>::min())) {
        out = static_cast<I>(object.via.i64);
        return;
      }
    } else if (object.via.i64 >= 0 &&
               static_cast<std::uint64_t>(object.via.i64) <= std::numeric_limits<I>::max()) {
      out = static_cast<I>(object.via.i64);  // only from hand-built objects
      return;
    }
  }
  ThrowMismatch<Named>(object);
}

// Whether a float64 has a float nearest to it: true for NaN, ±Inf and every
// finite value below the midpoint between FLT_MAX and 2^128 (those round to
// FLT_MAX); larger finite values would round to infinity.
inline bool FitsFloat(double value) noexcept {
  return std::fabs(value) < 0x1.ffffffp127 || !std::isfinite(value);
}

template <class F>
inline void DecodeFloat(const msgpack::object& object, F& out) {
  if (object.type == msgpack::type::FLOAT64 || object.type == msgpack::type::FLOAT32) {
    if constexpr (std::is_same_v<F, float>) {
      // A float64 beyond float's range is refused, as integers are range-checked;
      // one within it rounds to the nearest float (losing precision is fine).
      if (!FitsFloat(object.via.f64)) [[unlikely]] ThrowMismatch<F>(object);
    }
    out = static_cast<F>(object.via.f64);
  } else if (object.type == msgpack::type::POSITIVE_INTEGER) {
    out = static_cast<F>(object.via.u64);
  } else if (object.type == msgpack::type::NEGATIVE_INTEGER) {
    out = static_cast<F>(object.via.i64);
  } else {
    ThrowMismatch<F>(object);
  }
}

// The raw bytes of a str or bin, else false.
inline bool RawBytes(const msgpack::object& object, const char*& data, std::size_t& size) {
  if (object.type == msgpack::type::BIN) {
    data = object.via.bin.ptr;
    size = object.via.bin.size;
    return true;
  }
  if (object.type == msgpack::type::STR) {
    data = object.via.str.ptr;
    size = object.via.str.size;
    return true;
  }
  return false;
}

// The bytes of a str, a bin or a 1-D itemsize-1 array ext, else false; errors
// about a malformed ext name `Named`.
template <class Named>
inline bool BytesLike(const msgpack::object& object, const char*& data, std::size_t& size) {
  if (RawBytes(object, data, size)) return true;
  return IsArrayExt(object) && ByteArrayExtBytes(object, TypeName<Named>(), data, size);
}

inline void DecodeString(const msgpack::object& object, std::string& out) {
  const char* data = nullptr;
  std::size_t size = 0;
  if (!BytesLike<std::string>(object, data, size)) ThrowMismatch<std::string>(object);
  out.assign(data, size);
}

// One byte of a byte array given as an array of ints.
template <class Byte>
inline Byte ByteAt(const msgpack::object& element, std::size_t index) {
  if (element.type != msgpack::type::POSITIVE_INTEGER || element.via.u64 > 255) [[unlikely]] {
    ThrowDecodeErrorAtIndex(TypeName<Byte>(), element, index);
  }
  return static_cast<Byte>(element.via.u64);
}

template <class Bytes>
void DecodeBytes(const msgpack::object& object, Bytes& out) {
  using Byte = typename Bytes::value_type;
  const char* data = nullptr;
  std::size_t size = 0;
  if (BytesLike<Bytes>(object, data, size)) {
    const Byte* begin = reinterpret_cast<const Byte*>(data);
    out.assign(begin, begin + size);
  } else if (object.type == msgpack::type::ARRAY) {
    const msgpack::object_array& array = object.via.array;
    out.resize(array.size);
    for (std::uint32_t i = 0; i < array.size; ++i) out[i] = ByteAt<Byte>(array.ptr[i], i);
  } else {
    ThrowMismatch<Bytes>(object);
  }
}

// Decodes one element, adding "[index]" to the path of an error.
template <class T>
inline void DecodeElement(const msgpack::object& element, T& out, std::size_t index) {
  try {
    DecodeInto(element, out);
  } catch (const DecodeError& error) {
    RethrowAtIndex(error, index);
  }
}

template <class Container>
void DecodeSequence(const msgpack::object& object, Container& out) {
  using Element = typename Container::value_type;
  if constexpr (IsVector<Container>::value && kColumnElement<Element>) {
    if (IsColumnExt(object)) {  // a string or binary column's rows, copied
      DecodeSequenceFromColumn(object, out);
      return;
    }
  }
  if constexpr (IsVector<Container>::value &&
                (std::is_same_v<Element, char> || std::is_same_v<Element, std::int8_t>)) {
    // Bytes as such (a uint8 or int8 array ext too); an array of ints below.
    const char* data = nullptr;
    std::size_t size = 0;
    if (BytesLike<Container>(object, data, size)) {
      const Element* begin = reinterpret_cast<const Element*>(data);
      out.assign(begin, begin + size);
      return;
    }
  }
  if constexpr (IsVector<Container>::value && goray::detail::kIsArrayElement<Element> &&
                !std::is_same_v<Element, bool>) {
    if (IsArrayExt(object)) {
      DecodeVectorFromArrayExt(object, out);
      return;
    }
  }
  if (object.type != msgpack::type::ARRAY) ThrowMismatch<Container>(object);
  const msgpack::object_array& array = object.via.array;
  if constexpr (IsVector<Container>::value && !std::is_same_v<Element, bool>) {
    // Decoded in place. Scalars and strings are overwritten whole, so existing
    // ones are reused; other elements start from default-constructed ones.
    if constexpr (!std::is_arithmetic_v<Element> && !std::is_enum_v<Element> &&
                  !std::is_same_v<Element, std::string>) {
      out.clear();
    }
    out.resize(array.size);
    for (std::uint32_t i = 0; i < array.size; ++i) DecodeElement(array.ptr[i], out[i], i);
    return;
  }
  out.clear();
  for (std::uint32_t i = 0; i < array.size; ++i) {
    if constexpr (IsSet<Container>::value || std::is_same_v<Element, bool>) {
      Element element{};
      DecodeElement(array.ptr[i], element, i);
      if constexpr (IsSet<Container>::value) {
        out.insert(std::move(element));
      } else {
        out.push_back(element);
      }
    } else {
      DecodeElement(array.ptr[i], out.emplace_back(), i);
    }
  }
}

template <class T, std::size_t N>
void DecodeStdArray(const msgpack::object& object, std::array<T, N>& out) {
  if constexpr (std::is_same_v<T, std::byte> || std::is_same_v<T, std::uint8_t>) {
    const char* data = nullptr;
    std::size_t size = 0;
    if (BytesLike<std::array<T, N>>(object, data, size)) {
      if (size != N) ThrowLengthMismatch(TypeName<std::array<T, N>>(), size);
      for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<T>(data[i]);
      return;
    }
  }
  if (object.type != msgpack::type::ARRAY) ThrowMismatch<std::array<T, N>>(object);
  const msgpack::object_array& array = object.via.array;
  if (array.size != N) ThrowLengthMismatch(TypeName<std::array<T, N>>(), array.size);
  for (std::size_t i = 0; i < N; ++i) DecodeElement(array.ptr[i], out[i], i);
}

// std::pair and std::tuple: an array of exactly their size.
template <class Tuple>
void DecodeTupleLike(const msgpack::object& object, Tuple& out) {
  constexpr std::size_t kSize = std::tuple_size_v<Tuple>;
  if (object.type != msgpack::type::ARRAY) ThrowMismatch<Tuple>(object);
  const msgpack::object_array& array = object.via.array;
  if (array.size != kSize) ThrowLengthMismatch(TypeName<Tuple>(), array.size);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (DecodeElement(array.ptr[I], std::get<I>(out), I), ...);
  }(std::make_index_sequence<kSize>{});
}

template <class Map>
void DecodeMap(const msgpack::object& object, Map& out) {
  using Key = typename Map::key_type;
  using Mapped = typename Map::mapped_type;
  if (object.type != msgpack::type::MAP) ThrowMismatch<Map>(object);
  const msgpack::object_map& map = object.via.map;
  out.clear();
  if constexpr (requires { out.reserve(map.size); }) out.reserve(map.size);
  for (std::uint32_t i = 0; i < map.size; ++i) {
    const msgpack::object_kv& entry = map.ptr[i];
    Key key{};
    try {
      DecodeInto(entry.key, key);
    } catch (const DecodeError& error) {
      RethrowInKey(error, entry.key);
    }
    auto [position, inserted] = out.try_emplace(std::move(key));
    if (!inserted) position->second = Mapped{};
    try {
      DecodeInto(entry.val, position->second);
    } catch (const DecodeError& error) {
      RethrowAtKey(error, entry.key);
    }
  }
}

}  // namespace detail

template <class T>
void DecodeInto(const msgpack::object& object, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (object.type != msgpack::type::BOOLEAN) detail::ThrowMismatch<bool>(object);
    out = object.via.boolean;
  } else if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> number{};
    detail::DecodeInteger<T>(object, number);
    out = static_cast<T>(number);
  } else if constexpr (detail::kIsInteger<T>) {
    detail::DecodeInteger<T>(object, out);
  } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    detail::DecodeFloat(object, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    detail::DecodeString(object, out);
  } else if constexpr (detail::kIsStringLike<T>) {
    static_assert(detail::kAlwaysFalse<T>,
                  "goray: cannot decode into a non-owning string; use std::string");
  } else if constexpr (detail::kIsBytes<T>) {
    detail::DecodeBytes(object, out);
  } else if constexpr (detail::IsStdArray<T>::value) {
    detail::DecodeStdArray(object, out);
  } else if constexpr (detail::kIsSequence<T>) {
    detail::DecodeSequence(object, out);
  } else if constexpr (detail::IsPair<T>::value || detail::IsStdTuple<T>::value) {
    detail::DecodeTupleLike(object, out);
  } else if constexpr (detail::IsMap<T>::value) {
    detail::DecodeMap(object, out);
  } else if constexpr (detail::IsOptional<T>::value) {
    if (object.type == msgpack::type::NIL) {
      out.reset();
    } else {
      DecodeInto(object, out.emplace());
    }
  } else if constexpr (std::is_same_v<T, detail::TimePoint>) {
    detail::DecodeTimePoint(object, out);
  } else if constexpr (detail::IsComplex<T>::value) {
    detail::DecodeComplex(object, out);
  } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
    detail::DecodePath(object, out);
  } else if constexpr (detail::IsDuration<T>::value) {
    detail::DecodeDuration(object, out);
  } else if constexpr (detail::IsVariant<T>::value) {
    detail::DecodeVariant(object, out);
  } else if constexpr (std::is_same_v<T, std::monostate>) {
    // A variant's "none" alternative: nil only.
    if (object.type != msgpack::type::NIL) detail::ThrowDecodeError("std::monostate", object);
  } else if constexpr (std::is_same_v<T, detail::StringViewArgument>) {
    // A std::string_view parameter: the request's bytes, valid for the call.
    out.view = detail::DecodeStringView(object, "std::string_view");
  } else if constexpr (std::is_same_v<T, goray::Value>) {
    detail::DecodeValue(object, out);
  } else if constexpr (detail::IsArray<T>::value) {
    detail::DecodeArray(object, out);
  } else if constexpr (detail::IsArrayView<T>::value) {
    detail::DecodeArrayView(object, out, TypeName<T>());
  } else if constexpr (detail::IsSpanArgument<T>::value) {
    using Element = std::remove_cv_t<typename decltype(out.view)::value_type>;
    if constexpr (std::is_same_v<Element, std::uint8_t> || std::is_same_v<Element, std::int8_t>) {
      if (object.type == msgpack::type::BIN) {
        // Python bytes: a view of the request, valid for the call like the span.
        out.view = goray::ArrayView<Element>(reinterpret_cast<const Element*>(object.via.bin.ptr),
                                             {static_cast<std::int64_t>(object.via.bin.size)});
        return;
      }
    }
    detail::DecodeSpanArgument(object, out);
  } else if constexpr (detail::IsConstSpan<T>::value) {
    static_assert(detail::kAlwaysFalse<T>,
                  "goray: std::span<const T> is a parameter type only; decode a goray::ArrayView<T>");
  } else if constexpr (detail::kIsRefType<T>) {
    detail::DecodeObjectRef(object, out, TypeName<T>());
  } else if constexpr (detail::kIsHandleType<T>) {
    detail::DecodeActorHandle(object, out, TypeName<T>());
  } else if constexpr (detail::IsColumn<T>::value) {
    detail::DecodeColumnValue(object, out);
  } else if constexpr (detail::IsStringViewsArgument<T>::value) {
    // A std::vector<std::string_view> parameter: views of the request, valid for the call.
    detail::DecodeStringViews(object, out);
  } else if constexpr (detail::IsColumnBuilder<T>::value) {
    detail::DecodeColumnBuilder(object, out);  // the rows copied into it
  } else if constexpr (std::is_class_v<T> && !std::is_const_v<T>) {
    // A user struct: its msgpack-c adaptor (struct_adaptor.h).
    try {
      object.convert(out);
    } catch (const msgpack::type_error&) {
      detail::ThrowMismatch<T>(object);
    }
  } else {
    static_assert(detail::kAlwaysFalse<T>,
                  "goray: this type has no msgpack mapping (docs/protocol.md §5)");
  }
}

template <class T>
T Decode(const msgpack::object& object) {
  T value{};
  DecodeInto(object, value);
  return value;
}

}  // namespace goray::codec
