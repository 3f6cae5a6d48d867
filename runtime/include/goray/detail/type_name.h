// C++ type names spelled as in source ("uint8_t", "std::vector<int32_t>",
// "geo::Point"), for error messages; never typeid names. Also the type traits
// the codec dispatches on. Included by goray/codec.h.
//
//   template <class T> std::string goray::codec::TypeName();
//
// Spellings: "bool", "char", "int8_t".."int64_t", "uint8_t".."uint64_t",
// "float", "double", "std::byte", "std::string", "std::string_view",
// "std::vector<T>", "std::array<T, N>", "std::list<T>", "std::deque<T>",
// "std::set<T>", "std::unordered_set<T>", "std::pair<A, B>", "std::map<K, V>",
// "std::unordered_map<K, V>", "std::optional<T>", "std::tuple<A, B>",
// "std::chrono::system_clock::time_point", "goray::Value" (allocators, hashers
// and comparators are not spelled). A builtin integer type that is the same
// type as a fixed-width one takes the fixed-width spelling; the others keep
// their own: on LP64 Linux int64_t is `long`, so `long` prints "int64_t" and
// `long long` prints "long long".
//
// Enums and user structs are named by the compiler (qualified: "geo::Point").
// Generated code may override a name by specializing TypeNameOverride:
//   template <> struct goray::codec::TypeNameOverride<geo::Point> {
//     static constexpr std::string_view value = "geo::Point";
//   };
#pragma once

#include <array>
#include <chrono>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace goray {
class Value;
template <class T>
class Array;
template <class T>
class ArrayView;
template <class Values>
class BasicColumn;
template <class Values>
class BasicColumnBuilder;
}  // namespace goray

namespace goray::codec {

// Specialize with `static constexpr std::string_view value` to name T.
template <class T>
struct TypeNameOverride {};

template <class T>
std::string TypeName();

namespace detail {

// ---- Traits the codec dispatches on ---------------------------------------

template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};

template <class T>
struct IsStdArray : std::false_type {};
template <class T, std::size_t N>
struct IsStdArray<std::array<T, N>> : std::true_type {};

template <class T>
struct IsList : std::false_type {};
template <class T, class A>
struct IsList<std::list<T, A>> : std::true_type {};

template <class T>
struct IsDeque : std::false_type {};
template <class T, class A>
struct IsDeque<std::deque<T, A>> : std::true_type {};

template <class T>
struct IsSet : std::false_type {};
template <class T, class C, class A>
struct IsSet<std::set<T, C, A>> : std::true_type {};
template <class T, class H, class E, class A>
struct IsSet<std::unordered_set<T, H, E, A>> : std::true_type {};

template <class T>
struct IsPair : std::false_type {};
template <class A, class B>
struct IsPair<std::pair<A, B>> : std::true_type {};

template <class T>
struct IsStdTuple : std::false_type {};
template <class... T>
struct IsStdTuple<std::tuple<T...>> : std::true_type {};

template <class T>
struct IsMap : std::false_type {};
template <class K, class V, class C, class A>
struct IsMap<std::map<K, V, C, A>> : std::true_type {};
template <class K, class V, class H, class E, class A>
struct IsMap<std::unordered_map<K, V, H, E, A>> : std::true_type {};

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

using TimePoint = std::chrono::system_clock::time_point;

template <class T>
struct IsComplex : std::false_type {};
template <class T>
struct IsComplex<std::complex<T>> : std::true_type {};

// goray::Array<T>, goray::ArrayView<T> (goray/array.h), and the argument that
// stands for a std::span<const T> parameter while a call runs: the view it
// borrows (which may own a copy), converting to the span the callee takes.
template <class T>
struct IsArray : std::false_type {};
template <class T>
struct IsArray<goray::Array<T>> : std::true_type {};
template <class T>
struct IsArrayView : std::false_type {};
template <class T>
struct IsArrayView<goray::ArrayView<T>> : std::true_type {};
template <class T>
struct SpanArgument {
  goray::ArrayView<T> view;
  operator std::span<const T>() const noexcept { return view.span(); }  // NOLINT: by design
};
// What stands for a std::string_view parameter while a call runs: the request's bytes.
struct StringViewArgument {
  std::string_view view;
  operator std::string_view() const noexcept { return view; }  // NOLINT: by design
};

template <class T>
struct IsSpanArgument : std::false_type {};
template <class T>
struct IsSpanArgument<SpanArgument<T>> : std::true_type {};
template <class T>
struct IsConstSpan : std::false_type {};
template <class T>
struct IsConstSpan<std::span<const T>> : std::true_type {};

// std::vector<std::byte> and std::vector<uint8_t>: msgpack bin.
template <class T>
inline constexpr bool kIsBytes = std::is_same_v<T, std::vector<std::byte>> ||
                                 std::is_same_v<T, std::vector<std::uint8_t>>;

// Sequences encoded as a msgpack array of their elements.
template <class T>
inline constexpr bool kIsSequence = IsVector<T>::value || IsStdArray<T>::value ||
                                    IsList<T>::value || IsDeque<T>::value || IsSet<T>::value;

// Encodable as msgpack str (decoding needs an owning std::string).
template <class T>
inline constexpr bool kIsStringLike =
    std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view> ||
    std::is_same_v<T, const char*> || std::is_same_v<T, char*> ||
    (std::is_array_v<T> && std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>, char>);

template <class T>
inline constexpr bool kIsInteger = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// goray::StringColumn / goray::BinaryColumn (goray/column.h) and their builders.
template <class T>
struct IsColumn : std::false_type {};
template <class V>
struct IsColumn<goray::BasicColumn<V>> : std::true_type {};
template <class T>
struct IsColumnBuilder : std::false_type {};
template <class V>
struct IsColumnBuilder<goray::BasicColumnBuilder<V>> : std::true_type {};

// What stands for a std::vector<std::string_view> (or of std::optional<std::string_view>)
// parameter while a call runs: views of the request's strs, or of a column's rows (whose
// memory `owner`, if any, keeps alive).
template <class Element>
struct StringViewsArgument {
  std::vector<Element> views;
  std::shared_ptr<const void> owner;
  operator const std::vector<Element>&() const noexcept { return views; }  // NOLINT: by design
};
template <class T>
struct IsStringViewsArgument : std::false_type {};
template <class E>
struct IsStringViewsArgument<StringViewsArgument<E>> : std::true_type {};

// Whether std::vector<E> may also be read from a column: E a std::string, a byte vector,
// or an optional of one.
template <class E>
inline constexpr bool kColumnElement = std::is_same_v<E, std::string> || kIsBytes<E>;
template <class E>
inline constexpr bool kColumnElement<std::optional<E>> = std::is_same_v<E, std::string> || kIsBytes<E>;

// ---- Names -----------------------------------------------------------------

template <class T>
constexpr std::string_view ScalarName() {
  if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_same_v<T, char>) return "char";
  else if constexpr (std::is_same_v<T, std::int8_t>) return "int8_t";
  else if constexpr (std::is_same_v<T, std::int16_t>) return "int16_t";
  else if constexpr (std::is_same_v<T, std::int32_t>) return "int32_t";
  else if constexpr (std::is_same_v<T, std::int64_t>) return "int64_t";
  else if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8_t";
  else if constexpr (std::is_same_v<T, std::uint16_t>) return "uint16_t";
  else if constexpr (std::is_same_v<T, std::uint32_t>) return "uint32_t";
  else if constexpr (std::is_same_v<T, std::uint64_t>) return "uint64_t";
  else if constexpr (std::is_same_v<T, signed char>) return "signed char";
  else if constexpr (std::is_same_v<T, unsigned char>) return "unsigned char";
  else if constexpr (std::is_same_v<T, short>) return "short";
  else if constexpr (std::is_same_v<T, unsigned short>) return "unsigned short";
  else if constexpr (std::is_same_v<T, int>) return "int";
  else if constexpr (std::is_same_v<T, unsigned>) return "unsigned int";
  else if constexpr (std::is_same_v<T, long>) return "long";
  else if constexpr (std::is_same_v<T, unsigned long>) return "unsigned long";
  else if constexpr (std::is_same_v<T, long long>) return "long long";
  else if constexpr (std::is_same_v<T, unsigned long long>) return "unsigned long long";
  else if constexpr (std::is_same_v<T, wchar_t>) return "wchar_t";
  else if constexpr (std::is_same_v<T, char8_t>) return "char8_t";
  else if constexpr (std::is_same_v<T, char16_t>) return "char16_t";
  else if constexpr (std::is_same_v<T, char32_t>) return "char32_t";
  else if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else if constexpr (std::is_same_v<T, long double>) return "long double";
  else if constexpr (std::is_same_v<T, std::byte>) return "std::byte";
  else if constexpr (std::is_same_v<T, std::nullptr_t>) return "std::nullptr_t";
  else if constexpr (std::is_same_v<T, std::string>) return "std::string";
  else if constexpr (std::is_same_v<T, std::string_view>) return "std::string_view";
  else if constexpr (std::is_same_v<T, const char*>) return "const char*";
  else if constexpr (std::is_same_v<T, char*>) return "char*";
  else if constexpr (std::is_same_v<T, TimePoint>) return "std::chrono::system_clock::time_point";
  else if constexpr (std::is_same_v<T, goray::Value>) return "goray::Value";
  else return {};
}

// The compiler's own spelling of T, cut out of the signature of this function:
//   g++:   "... PrettyTypeName() [with T = geo::Point; std::string_view = ...]"
//   clang: "... PrettyTypeName() [T = geo::Point]"
template <class T>
constexpr std::string_view PrettyTypeName() {
  std::string_view signature = __PRETTY_FUNCTION__;
  const std::size_t marker = signature.find("T = ");
  if (marker == std::string_view::npos) return signature;
  const std::size_t begin = marker + 4;
  std::size_t end = signature.rfind(']');
  const std::size_t semicolon = signature.find(';', begin);
  if (semicolon < end) end = semicolon;
  if (end == std::string_view::npos || end < begin) return signature.substr(begin);
  return signature.substr(begin, end - begin);
}

template <class T>
struct TypeNamer {
  static std::string Get() {
    constexpr std::string_view scalar = ScalarName<T>();
    if constexpr (!scalar.empty()) {
      return std::string(scalar);
    } else if constexpr (std::is_array_v<T> && std::extent_v<T> != 0) {
      return TypeName<std::remove_extent_t<T>>() + "[" + std::to_string(std::extent_v<T>) + "]";
    } else {
      return std::string(PrettyTypeName<T>());
    }
  }
};

template <class... T>
std::string JoinTypeNames() {
  std::string joined;
  ((joined += (joined.empty() ? "" : ", "), joined += TypeName<T>()), ...);
  return joined;
}

template <class T, class A>
struct TypeNamer<std::vector<T, A>> {
  static std::string Get() { return "std::vector<" + TypeName<T>() + ">"; }
};
template <class T, std::size_t N>
struct TypeNamer<std::array<T, N>> {
  static std::string Get() {
    return "std::array<" + TypeName<T>() + ", " + std::to_string(N) + ">";
  }
};
template <class T, class A>
struct TypeNamer<std::list<T, A>> {
  static std::string Get() { return "std::list<" + TypeName<T>() + ">"; }
};
template <class T, class A>
struct TypeNamer<std::deque<T, A>> {
  static std::string Get() { return "std::deque<" + TypeName<T>() + ">"; }
};
template <class T, class C, class A>
struct TypeNamer<std::set<T, C, A>> {
  static std::string Get() { return "std::set<" + TypeName<T>() + ">"; }
};
template <class T, class H, class E, class A>
struct TypeNamer<std::unordered_set<T, H, E, A>> {
  static std::string Get() { return "std::unordered_set<" + TypeName<T>() + ">"; }
};
template <class A, class B>
struct TypeNamer<std::pair<A, B>> {
  static std::string Get() { return "std::pair<" + JoinTypeNames<A, B>() + ">"; }
};
template <class... T>
struct TypeNamer<std::tuple<T...>> {
  static std::string Get() { return "std::tuple<" + JoinTypeNames<T...>() + ">"; }
};
template <class K, class V, class C, class A>
struct TypeNamer<std::map<K, V, C, A>> {
  static std::string Get() { return "std::map<" + JoinTypeNames<K, V>() + ">"; }
};
template <class K, class V, class H, class E, class A>
struct TypeNamer<std::unordered_map<K, V, H, E, A>> {
  static std::string Get() { return "std::unordered_map<" + JoinTypeNames<K, V>() + ">"; }
};
template <>
struct TypeNamer<StringViewArgument> {
  static std::string Get() { return "std::string_view"; }
};
template <class E>
struct TypeNamer<StringViewsArgument<E>> {
  static std::string Get() { return "std::vector<" + TypeName<E>() + ">"; }
};
template <class T>
struct TypeNamer<SpanArgument<T>> {
  static std::string Get() { return "std::span<const " + TypeName<T>() + ">"; }
};
template <class T>
struct TypeNamer<std::optional<T>> {
  static std::string Get() { return "std::optional<" + TypeName<T>() + ">"; }
};
template <class... T>
struct TypeNamer<std::variant<T...>> {
  static std::string Get() { return "std::variant<" + JoinTypeNames<T...>() + ">"; }
};
template <>
struct TypeNamer<std::monostate> {
  static std::string Get() { return "std::monostate"; }
};
template <>
struct TypeNamer<std::filesystem::path> {
  static std::string Get() { return "std::filesystem::path"; }
};
template <class Rep, class Period>
struct TypeNamer<std::chrono::duration<Rep, Period>> {
  static std::string Get() {
    if constexpr (std::is_same_v<Rep, std::chrono::nanoseconds::rep>) {
      if constexpr (std::is_same_v<Period, std::nano>) return "std::chrono::nanoseconds";
      else if constexpr (std::is_same_v<Period, std::micro>) return "std::chrono::microseconds";
      else if constexpr (std::is_same_v<Period, std::milli>) return "std::chrono::milliseconds";
      else if constexpr (std::is_same_v<Period, std::ratio<1>>) return "std::chrono::seconds";
    }
    return "std::chrono::duration<" + TypeName<Rep>() + ", std::ratio<" +
           std::to_string(Period::num) + ", " + std::to_string(Period::den) + ">>";
  }
};

}  // namespace detail

// cv-qualifiers and references are not spelled: TypeName<const int&>() is "int32_t".
template <class T>
std::string TypeName() {
  using Plain = std::remove_cvref_t<T>;
  if constexpr (requires { std::string_view(TypeNameOverride<Plain>::value); }) {
    return std::string(TypeNameOverride<Plain>::value);
  } else if constexpr (std::is_pointer_v<Plain> && !std::is_same_v<Plain, const char*> &&
                       !std::is_same_v<Plain, char*>) {
    return TypeName<std::remove_pointer_t<Plain>>() + "*";
  } else {
    return detail::TypeNamer<Plain>::Get();
  }
}

}  // namespace goray::codec
