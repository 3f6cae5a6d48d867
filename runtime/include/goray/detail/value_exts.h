// The value types that C++ libraries use and msgpack has no type for (docs/protocol.md
// §5, "Value exts"; docs/types.md): complex numbers (ext 75), filesystem paths (ext 76),
// std::chrono durations (ext 77), and std::variant (the alternative's own form). Included
// by goray/codec.h (encode.h and decode.h dispatch here).
//
//   std::complex<float|double>   ext 75: re, im as float32 (8 bytes) or float64 (16), LE.
//                                Decoding also takes a float, an int and [re, im].
//   std::filesystem::path        ext 76: the path's bytes as the OS keeps them (any bytes).
//                                Decoding also takes a str (UTF-8) and a bin.
//   std::chrono::duration<I, P>  ext 77: int64 seconds (rounded down) and uint32
//                                nanoseconds 0..999999999, LE (12 bytes). Decoding also
//                                takes an int of nanoseconds (Go's time.Duration). A value
//                                the duration cannot hold exactly is an error, never rounded.
//   std::variant<A, B, ...>      what the alternative it holds writes (std::monostate: nil).
//                                Decoding picks the alternative by the value's kind
//                                (VariantClasses below); goray-scan refuses a variant two of
//                                whose alternatives take the same kinds.
//
// The exts are written only to a driver that turned them on (EnableFeatures bit 16, as
// goray's does); to any other (GoRay's) a complex is [re, im], a path a str (a bin when
// it is not UTF-8), a duration an int of nanoseconds: what Go reads.
#pragma once

#include <chrono>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <ratio>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "goray/codec_decl.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/detail/ref_codec.h"
#include "goray/detail/type_name.h"

namespace goray::codec::detail {

[[noreturn]] void ThrowDecodeError(std::string expected, const msgpack::object& received);
bool IsArrayExt(const msgpack::object& object) noexcept;

// Nanoseconds of any duration a 64-bit count of any period can hold (GCC's and clang's
// 128-bit integer; __extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 WideInt;
__extension__ typedef unsigned __int128 WideUnsigned;

template <class T>
struct IsDuration : std::false_type {};
template <class Rep, class Period>
struct IsDuration<std::chrono::duration<Rep, Period>> : std::true_type {};

template <class T>
struct IsVariant : std::false_type {};
template <class... T>
struct IsVariant<std::variant<T...>> : std::true_type {};

// ---- defined in value_exts.cpp -------------------------------------------------------------

// Whether the driver reads ext 75/76/77 (EnableFeatures' kFeatureValueExts).
bool ValueExtsOn() noexcept;
void EncodeComplexParts(Packer& packer, double re, double im, bool single);
// A complex from ext 75, a float, an int or [re, im]; DecodeError(expected) otherwise. A
// float64 part beyond float's range is an error for a single-precision one.
void DecodeComplexParts(const msgpack::object& object, double& re, double& im, bool single,
                        const std::string& expected);
void EncodePath(Packer& packer, const std::filesystem::path& path);
void DecodePath(const msgpack::object& object, std::filesystem::path& out);
// A duration of `nanoseconds`: ext 77, or an int of nanoseconds to a driver without it.
void EncodeDurationNanos(Packer& packer, WideInt nanoseconds, const std::string& type);
// The nanoseconds of an ext 77 or an int; DecodeError(expected) otherwise.
WideInt DecodeDurationNanos(const msgpack::object& object, const std::string& expected);
[[noreturn]] void ThrowInexactDuration(const std::string& expected, WideInt nanoseconds);
[[noreturn]] void ThrowUnencodableDuration(const std::string& type, long long count);
// The bytes of a str or a bin, viewed in place; DecodeError(expected) otherwise.
std::string_view DecodeStringView(const msgpack::object& object, const std::string& expected);

// ---- complex numbers -----------------------------------------------------------------------

template <class F>
void EncodeComplex(Packer& packer, const std::complex<F>& value) {
  EncodeComplexParts(packer, static_cast<double>(value.real()), static_cast<double>(value.imag()),
                     std::is_same_v<F, float>);
}

template <class F>
void DecodeComplex(const msgpack::object& object, std::complex<F>& out) {
  double re = 0, im = 0;
  DecodeComplexParts(object, re, im, std::is_same_v<F, float>, TypeName<std::complex<F>>());
  out = std::complex<F>(static_cast<F>(re), static_cast<F>(im));
}

// ---- durations -----------------------------------------------------------------------------

inline constexpr long long kNanosPerSecond = 1000000000;

template <class Rep, class Period>
void EncodeDuration(Packer& packer, const std::chrono::duration<Rep, Period>& value) {
  static_assert(std::is_integral_v<Rep>,
                "goray: a duration of a floating-point count has no exact form on the wire; "
                "use an integral one (std::chrono::nanoseconds, milliseconds, ...)");
  const WideInt scaled = static_cast<WideInt>(value.count()) * Period::num * kNanosPerSecond;
  if (scaled % Period::den != 0) {
    ThrowUnencodableDuration(TypeName<std::chrono::duration<Rep, Period>>(),
                             static_cast<long long>(value.count()));
  }
  EncodeDurationNanos(packer, scaled / Period::den, TypeName<std::chrono::duration<Rep, Period>>());
}

template <class Rep, class Period>
void DecodeDuration(const msgpack::object& object, std::chrono::duration<Rep, Period>& out) {
  static_assert(std::is_integral_v<Rep>,
                "goray: a duration of a floating-point count has no exact form on the wire; "
                "use an integral one (std::chrono::nanoseconds, milliseconds, ...)");
  const std::string expected = TypeName<std::chrono::duration<Rep, Period>>();
  const WideInt nanoseconds = DecodeDurationNanos(object, expected);
  const WideInt scaled = nanoseconds * Period::den;
  const WideInt unit = static_cast<WideInt>(Period::num) * kNanosPerSecond;
  if (scaled % unit != 0) ThrowInexactDuration(expected, nanoseconds);
  const WideInt count = scaled / unit;
  if (count > static_cast<WideInt>(std::numeric_limits<Rep>::max()) ||
      count < static_cast<WideInt>(std::numeric_limits<Rep>::min())) {
    ThrowInexactDuration(expected, nanoseconds);
  }
  out = std::chrono::duration<Rep, Period>(static_cast<Rep>(count));
}

// ---- variants ------------------------------------------------------------------------------

// The kinds of value an alternative takes, for picking one: goray-scan refuses a variant
// two of whose alternatives are of one class (no rule could tell them apart).
enum class VariantClass : std::uint8_t {
  kNil, kBool, kInteger, kFloat, kComplex, kString, kBytes, kPath, kDuration, kTime,
  kSequence, kMap, kArray, kObjectRef, kActorHandle, kOther
};

template <class T>
constexpr VariantClass VariantClassOf() {
  if constexpr (std::is_same_v<T, std::monostate>) return VariantClass::kNil;
  else if constexpr (IsOptional<T>::value || IsVariant<T>::value ||
                     std::is_same_v<T, goray::Value> || std::is_same_v<T, std::string_view>)
    return VariantClass::kOther;  // refused below (goray-scan says why)
  else if constexpr (std::is_same_v<T, bool>) return VariantClass::kBool;
  else if constexpr (std::is_enum_v<T> || kIsInteger<T>) return VariantClass::kInteger;
  else if constexpr (std::is_floating_point_v<T>) return VariantClass::kFloat;
  else if constexpr (IsComplex<T>::value) return VariantClass::kComplex;
  else if constexpr (std::is_same_v<T, std::string>) return VariantClass::kString;
  else if constexpr (kIsBytes<T>) return VariantClass::kBytes;
  else if constexpr (std::is_same_v<T, std::filesystem::path>) return VariantClass::kPath;
  else if constexpr (IsDuration<T>::value) return VariantClass::kDuration;
  else if constexpr (std::is_same_v<T, TimePoint>) return VariantClass::kTime;
  else if constexpr (kIsSequence<T> || IsPair<T>::value || IsStdTuple<T>::value) return VariantClass::kSequence;
  else if constexpr (IsMap<T>::value) return VariantClass::kMap;
  else if constexpr (IsArray<T>::value) return VariantClass::kArray;
  else if constexpr (kIsRefType<T>) return VariantClass::kObjectRef;
  else if constexpr (kIsHandleType<T>) return VariantClass::kActorHandle;
  else if constexpr (std::is_class_v<T>) return VariantClass::kMap;  // a user struct: a map
  else return VariantClass::kOther;
}

// The classes that take `object`, most fitting first: the alternative decoded is the first
// alternative of the first of these classes the variant has. Defined in value_exts.cpp.
int VariantClasses(const msgpack::object& object, VariantClass (&out)[4]);

template <class... T>
void DecodeVariant(const msgpack::object& object, std::variant<T...>& out) {
  constexpr VariantClass kClasses[] = {VariantClassOf<T>()...};
  static_assert(((VariantClassOf<T>() != VariantClass::kOther) && ...),
                "goray: a std::variant alternative must be a value goray passes, not "
                "std::optional (use std::monostate), goray::Value, a variant or a view");
  VariantClass wanted[4];
  const int count = VariantClasses(object, wanted);
  for (int k = 0; k < count; ++k) {
    for (std::size_t i = 0; i < sizeof...(T); ++i) {
      if (kClasses[i] != wanted[k]) continue;
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (void)((I == i ? (DecodeInto(object, out.template emplace<I>()), true) : false) || ...);
      }(std::index_sequence_for<T...>{});
      return;
    }
  }
  ThrowDecodeError(TypeName<std::variant<T...>>(), object);
}

}  // namespace goray::codec::detail
