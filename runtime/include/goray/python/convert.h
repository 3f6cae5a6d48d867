// Python objects to C++ values and back, for the typed entries (goray/python/entries.h):
// a call's arguments converted straight from Python objects to the C++ parameters, and
// its result straight back, with no msgpack in between (docs/protocol.md §17).
//
// The rule: a conversion takes a Python value only where the codec path (goray._codec,
// then the runtime's decoder: goray/detail/decode.h) takes it the same way, to the same
// C++ value. Anything else is not taken here (From returns false): the entry then packs
// the value as the codec path does and the library decodes it for the parameter, taking it
// or answering the codec's ArgumentError (position, expected, received, task). Results are
// the values the codec path gives Python.
//
//   C++                                  from Python                     to Python
//   bool                                 True, False                     bool
//   integers, enums                      int in range (not bool)         int (an enum: its member)
//   float, double                        float; int (to the nearest)     float
//   (NumPy scalars of kind b, i, u, f are their .item(), as the codec packs them; a
//   bytes-like is bytes, a bytearray, a memoryview of bytes)
//   std::string                          str (UTF-8), bytes-like         str (strict UTF-8)
//   std::string_view (a parameter's)     str (UTF-8), bytes: no copy     str
//   std::vector<uint8_t|std::byte>       bytes-like, str                 bytes
//   std::vector/list/deque<T>            list or tuple of T (a vector of  list
//                                        numbers: a 1-D array of its dtype too)
//   std::array<T, N>, std::pair, tuple   list or tuple of exactly N      list
//   std::set, std::unordered_set         list or tuple of T              list
//   std::map, std::unordered_map         dict                            dict
//   std::optional<T>                     None or T                       None or T
//   std::complex<float|double>           complex; float, int (real)      complex
//   user structs (StructFields<T>)       dict of exactly its fields      dict
//   goray::ArrayView<T>, std::span<const T>  a buffer of T's dtype, read in place when
//                                        C-contiguous (else copied); nested lists, copied
//   goray::Array<T>                      a buffer of T's dtype or nested numpy.ndarray, no copy
//                                        lists, copied
//   string and binary columns            an Arrow exporter, in place; a  pyarrow array (builders)
//                                        list of str (binary: bytes) and None, copied
//   std::vector<std::string_view>        a list of str or bytes, or an   list
//                                        Arrow exporter's rows: views
//
// Paths, durations, time points and variants: convert_values.h. Every other
// type (goray::Value, refs and handles) crosses packed: kTakes/kGives false.
#pragma once

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "goray/array.h"
#include "goray/column.h"
#include "goray/detail/arrow_c.h"

namespace goray::python {

// A user struct's fields, written by goray-gen into the entries module:
//   template <> struct StructFields<::geo::Point> {
//     static constexpr auto kFields = std::make_tuple(Field("x", &::geo::Point::x), ...);
//   };
template <class T>
struct StructFields;

template <class Struct, class Member>
struct FieldOf {
  using type = Member;
  const char* name;
  Member Struct::*member;
};

template <class Struct, class Member>
constexpr FieldOf<Struct, Member> Field(const char* name, Member Struct::*member) {
  return {name, member};
}

namespace detail {

template <class T, class = void>
inline constexpr bool kHasFields = false;
template <class T>
inline constexpr bool kHasFields<T, std::void_t<decltype(StructFields<T>::kFields)>> = true;

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};


}  // namespace detail

// The conversion of T: kIn/kOut say whether T is taken from / given to Python here. A
// converter of other types (a container, a struct) says it with kInSeen<Seen<...>> and
// kOutSeen: `Seen` lists the structs being decided, so a struct that holds itself
// (struct Tree { std::vector<Tree> children; }) is decided by its other fields.
template <class T, class = void>
struct Converter {
  static constexpr bool kIn = false;
  static constexpr bool kOut = false;
};

template <class... T>
struct Seen {};

namespace detail {

template <class T, class S>
struct Contains;
template <class T, class... U>
struct Contains<T, Seen<U...>> : std::bool_constant<(std::is_same_v<T, U> || ...)> {};
template <class T, class S>
struct With;
template <class T, class... U>
struct With<T, Seen<U...>> {
  using type = Seen<U..., T>;
};

template <class T, class S>
constexpr bool TakesSeen() {
  using Plain = std::remove_cvref_t<T>;
  if constexpr (requires { Converter<Plain>::template kInSeen<S>; }) {
    return Converter<Plain>::template kInSeen<S>;
  } else {
    return Converter<Plain>::kIn;
  }
}

template <class T, class S>
constexpr bool GivesSeen() {
  using Plain = std::remove_cvref_t<T>;
  if constexpr (std::is_void_v<Plain>) {
    return true;
  } else if constexpr (requires { Converter<Plain>::template kOutSeen<S>; }) {
    return Converter<Plain>::template kOutSeen<S>;
  } else {
    return Converter<Plain>::kOut;
  }
}

}  // namespace detail

// Whether a parameter of type T is taken from Python here, and a result given back.
template <class T>
inline constexpr bool kTakes = detail::TakesSeen<T, Seen<>>();
template <class T>
inline constexpr bool kGives = detail::GivesSeen<T, Seen<>>();

// From: false (and no Python exception set) when the value is not taken here.
template <class T>
bool From(PyObject* object, T& out) {
  return Converter<T>::From(object, out);
}
// To: a new reference, or null with a Python exception set.
template <class T>
PyObject* To(const T& value) {
  return Converter<T>::To(value);
}

// ---- scalars -----------------------------------------------------------------------------

namespace detail {

// A NumPy scalar of kind b, i, u or f as the codec packs it: its .item() (a new
// reference), else null (no exception set). Asked only of a value refused as it is.
inline PyObject* NumpyScalarItem(PyObject* object);

// `from(item)` of a NumPy scalar's item: what the codec path makes of the scalar.
template <class FromPlain>
bool FromNumpyScalar(PyObject* object, FromPlain&& from) {
  PyObject* item = NumpyScalarItem(object);
  if (item == nullptr) return false;
  const bool taken = from(item);
  Py_DECREF(item);
  return taken;
}

}  // namespace detail

template <>
struct Converter<bool> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, bool& out) {
    if (object == Py_True) return out = true, true;
    if (object == Py_False) return out = false, true;
    return detail::FromNumpyScalar(object, [&](PyObject* item) {
      return item == Py_True || item == Py_False ? (out = item == Py_True, true) : false;
    });
  }
  static PyObject* To(bool value) { return Py_NewRef(value ? Py_True : Py_False); }
};

namespace detail {

template <class I>
bool PlainIntegerFrom(PyObject* object, I& out);

// A Python int (never a bool) in I's range, or a NumPy integer scalar's.
template <class I>
bool IntegerFrom(PyObject* object, I& out) {
  if (PyLong_Check(object)) return PlainIntegerFrom(object, out);
  return FromNumpyScalar(object, [&](PyObject* item) { return PlainIntegerFrom(item, out); });
}

template <class I>
bool PlainIntegerFrom(PyObject* object, I& out) {
  if (!PyLong_Check(object) || PyBool_Check(object)) return false;
  int overflow = 0;
  const long long value = PyLong_AsLongLongAndOverflow(object, &overflow);
  if (overflow == 0) {
    if (value == -1 && PyErr_Occurred()) return PyErr_Clear(), false;
    if constexpr (std::is_signed_v<I>) {
      if (value < static_cast<long long>(std::numeric_limits<I>::min()) ||
          value > static_cast<long long>(std::numeric_limits<I>::max())) {
        return false;
      }
    } else {
      if (value < 0 || static_cast<unsigned long long>(value) > std::numeric_limits<I>::max()) {
        return false;
      }
    }
    out = static_cast<I>(value);
    return true;
  }
  if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) {
    if (overflow > 0) {  // above INT64_MAX: a uint64 still
      const unsigned long long big = PyLong_AsUnsignedLongLong(object);
      if (big == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return PyErr_Clear(), false;
      out = static_cast<I>(big);
      return true;
    }
  }
  return false;
}

template <class I>
PyObject* IntegerTo(I value) {
  if constexpr (std::is_signed_v<I>) {
    return PyLong_FromLongLong(static_cast<long long>(value));
  } else {
    return PyLong_FromUnsignedLongLong(static_cast<unsigned long long>(value));
  }
}

template <class T>
inline constexpr bool kIsPlainInteger =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, wchar_t> &&
    !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t>;

}  // namespace detail

template <class I>
struct Converter<I, std::enable_if_t<detail::kIsPlainInteger<I>>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, I& out) { return detail::IntegerFrom(object, out); }
  static PyObject* To(I value) { return detail::IntegerTo(value); }
};

// The C++ name of an enum the generated module can name (goray-gen writes one per enum):
//   template <> struct EnumOf<::geo::Kind> { static constexpr const char* kName = "geo::Kind"; };
template <class E>
struct EnumOf;

namespace detail {
// The member of C++ enum `cpp_name` of value `number` (stolen): its registered class's
// (goray._enums), else an EnumValue (entries_impl.h). `key`: `cpp_name` as a str.
inline PyObject* EnumMember(PyObject* key, const char* cpp_name, PyObject* number);
}  // namespace detail

// An enum: its underlying integer, range-checked (as the codec decodes it); a result is
// the member of the enum's Python class (an int where the module cannot name the enum).
template <class E>
struct Converter<E, std::enable_if_t<std::is_enum_v<E>>> {
  using Underlying = std::underlying_type_t<E>;
  static constexpr bool kIn = detail::kIsPlainInteger<Underlying>;
  static constexpr bool kOut = kIn;
  static bool From(PyObject* object, E& out) {
    Underlying value{};
    if (!detail::IntegerFrom(object, value)) return false;
    out = static_cast<E>(value);
    return true;
  }
  static PyObject* To(E value) {
    PyObject* number = detail::IntegerTo(static_cast<Underlying>(value));
    if constexpr (requires { EnumOf<E>::kName; }) {
      static PyObject* const key = PyUnicode_InternFromString(EnumOf<E>::kName);  // kept
      return detail::EnumMember(key, EnumOf<E>::kName, number);
    } else {
      return number;
    }
  }
};

template <class F>
struct Converter<F, std::enable_if_t<std::is_same_v<F, float> || std::is_same_v<F, double>>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, F& out) {
    double value;
    if (PyFloat_Check(object)) {
      value = PyFloat_AS_DOUBLE(object);
    } else if (PyLong_Check(object) && !PyBool_Check(object)) {
      // The codec packs the int as msgpack's int64 or uint64 and converts that; an int
      // beyond both is not packed at all.
      int overflow = 0;
      const long long integer = PyLong_AsLongLongAndOverflow(object, &overflow);
      if (overflow == 0) {
        if (integer == -1 && PyErr_Occurred()) return PyErr_Clear(), false;
        value = static_cast<double>(integer);
      } else if (overflow > 0) {
        const unsigned long long big = PyLong_AsUnsignedLongLong(object);
        if (big == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return PyErr_Clear(), false;
        value = static_cast<double>(big);
      } else {
        return false;
      }
    } else {
      return detail::FromNumpyScalar(object, [&](PyObject* item) {
        return (PyFloat_Check(item) || PyLong_Check(item)) && From(item, out);
      });
    }
    if constexpr (std::is_same_v<F, float>) {
      // A finite float64 beyond float's range is the codec's error, not a rounding.
      if (std::isfinite(value) && std::fabs(value) > static_cast<double>(std::numeric_limits<float>::max())) {
        return false;
      }
    }
    out = static_cast<F>(value);
    return true;
  }
  static PyObject* To(F value) { return PyFloat_FromDouble(static_cast<double>(value)); }
};

// A complex number: a complex, or a float or an int as its real part (the codec packs
// those as numbers, which the runtime's decoder takes as real parts too).
template <class F>
struct Converter<std::complex<F>, std::enable_if_t<std::is_same_v<F, float> || std::is_same_v<F, double>>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, std::complex<F>& out) {
    double re = 0;
    double im = 0;
    if (PyComplex_Check(object)) {
      const Py_complex value = PyComplex_AsCComplex(object);
      if (value.real == -1.0 && PyErr_Occurred()) return PyErr_Clear(), false;
      re = value.real;
      im = value.imag;
    } else if (!Converter<double>::From(object, re)) {
      return false;
    }
    if constexpr (std::is_same_v<F, float>) {
      constexpr double kMax = static_cast<double>(std::numeric_limits<float>::max());
      if ((std::isfinite(re) && std::fabs(re) > kMax) || (std::isfinite(im) && std::fabs(im) > kMax)) {
        return false;
      }
    }
    out = std::complex<F>(static_cast<F>(re), static_cast<F>(im));
    return true;
  }
  static PyObject* To(const std::complex<F>& value) {
    return PyComplex_FromDoubles(static_cast<double>(value.real()), static_cast<double>(value.imag()));
  }
};

// ---- strings and bytes -------------------------------------------------------------------

namespace detail {

// `assign(data, size)` with the bytes of a str (UTF-8) or of what the codec packs as a bin
// (bytes, bytearray, a memoryview of bytes); false for anything else, and for a str that
// is not valid Unicode (lone surrogates: the codec cannot pack it either).
template <class Assign>
bool WithTextOrBytes(PyObject* object, Assign&& assign) {
  if (PyUnicode_Check(object)) {
    Py_ssize_t size;
    const char* data = PyUnicode_AsUTF8AndSize(object, &size);
    if (data == nullptr) return PyErr_Clear(), false;
    return assign(data, size), true;
  }
  if (PyBytes_Check(object)) return assign(PyBytes_AS_STRING(object), PyBytes_GET_SIZE(object)), true;
  if (PyByteArray_Check(object)) {
    return assign(PyByteArray_AS_STRING(object), PyByteArray_GET_SIZE(object)), true;
  }
  if (!PyMemoryView_Check(object)) return false;
  Py_buffer view;
  if (PyObject_GetBuffer(object, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) return PyErr_Clear(), false;
  // (A memoryview of numbers is an array to the codec path, not a bin.)
  const char* format = view.format != nullptr ? view.format : "B";
  const bool bytes = view.itemsize == 1 && (std::strcmp(format, "B") == 0 || std::strcmp(format, "b") == 0 ||
                                            std::strcmp(format, "c") == 0);
  if (bytes) assign(static_cast<const char*>(view.buf), view.len);
  PyBuffer_Release(&view);
  return bytes;
}

// A str from UTF-8. Bytes that are not UTF-8 are kept as lone surrogates and the call's
// result is refused as a whole, naming where the string is (goray.NotUTF8Error), as on
// the codec path.
inline PyObject* StrFromUtf8(const char* data, std::size_t size);

}  // namespace detail

template <>
struct Converter<std::string> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, std::string& out) {
    return detail::WithTextOrBytes(object, [&](const char* data, Py_ssize_t size) {
      out.assign(data, static_cast<std::size_t>(size));
    });
  }
  static PyObject* To(const std::string& value) { return detail::StrFromUtf8(value.data(), value.size()); }
};

// A string view parameter: the str's UTF-8 (cached in the str, which the call holds) or
// the bytes' own buffer, no copy.
template <>
struct Converter<std::string_view> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, std::string_view& out) {
    if (PyUnicode_Check(object)) {
      Py_ssize_t size;
      const char* data = PyUnicode_AsUTF8AndSize(object, &size);
      if (data == nullptr) return PyErr_Clear(), false;
      out = std::string_view(data, static_cast<std::size_t>(size));
      return true;
    }
    if (!PyBytes_Check(object)) return false;
    out = std::string_view(PyBytes_AS_STRING(object), static_cast<std::size_t>(PyBytes_GET_SIZE(object)));
    return true;
  }
  static PyObject* To(std::string_view value) { return detail::StrFromUtf8(value.data(), value.size()); }
};

template <class B>
struct Converter<std::vector<B>, std::enable_if_t<std::is_same_v<B, std::uint8_t> || std::is_same_v<B, std::byte>>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, std::vector<B>& out) {
    return detail::WithTextOrBytes(object, [&](const char* data, Py_ssize_t size) {
      const auto* bytes = reinterpret_cast<const B*>(data);
      out.assign(bytes, bytes + size);
    });
  }
  static PyObject* To(const std::vector<B>& value) {
    return PyBytes_FromStringAndSize(reinterpret_cast<const char*>(value.data()),
                                     static_cast<Py_ssize_t>(value.size()));
  }
};

// ---- containers --------------------------------------------------------------------------

namespace detail {

// An object the codec path takes as an array argument (entries_impl.h).
inline bool IsArrayObject(PyObject* object, bool bytes_too);
// A buffer of T's dtype, any strides and dimensions, copied in C order to `make(shape)`
// (where its elements go; null: not this shape); false (nothing copied) otherwise
// (entries_impl.h).
template <class T, class Make>
bool CopyStrided(PyObject* object, Make&& make);

// `module`'s attribute `name` (a new reference, kept by the caller), the module imported
// if it is not yet; false with an exception set (and `out` null) when it cannot be.
inline bool TakeAttribute(const char* module, const char* name, PyObject*& out) {
  PyObject* imported = PyImport_ImportModule(module);
  out = imported != nullptr ? PyObject_GetAttrString(imported, name) : nullptr;
  Py_XDECREF(imported);
  return out != nullptr;
}

// Each element of a list or tuple through `take(element)`; false at the first it refuses.
template <class Take>
bool EachItem(PyObject* object, Py_ssize_t& size, Take&& take) {
  PyObject* const* items;
  if (PyList_Check(object)) {
    items = &PyList_GET_ITEM(object, 0);
    size = PyList_GET_SIZE(object);
  } else if (PyTuple_Check(object)) {
    items = &PyTuple_GET_ITEM(object, 0);
    size = PyTuple_GET_SIZE(object);
  } else {
    return false;
  }
  // A list's items are read while no Python code runs (conversions call none).
  for (Py_ssize_t i = 0; i < size; ++i) {
    if (!take(items[i], i)) return false;
  }
  return true;
}

template <class T, class Range>
PyObject* ListOf(const Range& range, std::size_t size) {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(size));
  if (list == nullptr) return nullptr;
  Py_ssize_t i = 0;
  for (const auto& element : range) {
    PyObject* item = To<T>(element);  // (T: a std::vector<bool>'s element is a proxy)
    if (item == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, i++, item);
  }
  return list;
}

template <class T>
inline constexpr bool kIsByte = std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::byte> ||
                                std::is_same_v<T, char> || std::is_same_v<T, std::int8_t>;

}  // namespace detail

// std::vector, std::list, std::deque of any element but bytes (bytes: above; vectors of
// char and int8_t are left to the codec).
template <template <class...> class Sequence, class T>
struct SequenceConverter {
  template <class S>
  static constexpr bool kInSeen = detail::TakesSeen<T, S>() && !detail::kIsByte<T>;
  template <class S>
  static constexpr bool kOutSeen = detail::GivesSeen<T, S>() && !detail::kIsByte<T>;
  static bool From(PyObject* object, Sequence<T>& out) {
    out.clear();
    if constexpr (std::is_same_v<Sequence<T>, std::vector<T>> && goray::detail::kIsArrayElement<T> &&
                  !std::is_same_v<T, bool>) {
      // A 1-D array of T's dtype, as the codec's ext 71/72 is decoded: copied.
      if (detail::IsArrayObject(object, false)) {
        return detail::CopyStrided<T>(object, [&](const std::vector<std::int64_t>& shape) -> T* {
          if (shape.size() != 1) return nullptr;
          out.resize(static_cast<std::size_t>(shape[0]));
          return out.data();
        });
      }
    }
    if constexpr (requires { out.reserve(std::size_t{}); }) {
      if (PyList_Check(object)) out.reserve(static_cast<std::size_t>(PyList_GET_SIZE(object)));
      if (PyTuple_Check(object)) out.reserve(static_cast<std::size_t>(PyTuple_GET_SIZE(object)));
    }
    Py_ssize_t size = 0;
    return detail::EachItem(object, size, [&](PyObject* item, Py_ssize_t) {
      T value{};
      if (!python::From(item, value)) return false;
      out.push_back(std::move(value));
      return true;
    });
  }
  static PyObject* To(const Sequence<T>& value) { return detail::ListOf<T>(value, value.size()); }
};

template <class T>
struct Converter<std::vector<T>, std::enable_if_t<!std::is_same_v<T, std::uint8_t> && !std::is_same_v<T, std::byte>>>
    : SequenceConverter<std::vector, T> {};
template <class T>
struct Converter<std::list<T>> : SequenceConverter<std::list, T> {};
template <class T>
struct Converter<std::deque<T>> : SequenceConverter<std::deque, T> {};

// Sets: from a list or tuple (duplicates collapse, as the codec decodes an array).
template <class Set>
struct SetConverter {
  template <class S>
  static constexpr bool kInSeen = detail::TakesSeen<typename Set::value_type, S>();
  template <class S>
  static constexpr bool kOutSeen = detail::GivesSeen<typename Set::value_type, S>();
  static bool From(PyObject* object, Set& out) {
    out.clear();
    Py_ssize_t size = 0;
    return detail::EachItem(object, size, [&](PyObject* item, Py_ssize_t) {
      typename Set::value_type value{};
      if (!python::From(item, value)) return false;
      out.insert(std::move(value));
      return true;
    });
  }
  static PyObject* To(const Set& value) {
    return detail::ListOf<typename Set::value_type>(value, value.size());
  }
};
template <class T>
struct Converter<std::set<T>> : SetConverter<std::set<T>> {};
template <class T>
struct Converter<std::unordered_set<T>> : SetConverter<std::unordered_set<T>> {};

template <class T, std::size_t N>
struct Converter<std::array<T, N>> {
  template <class S>
  static constexpr bool kInSeen = detail::TakesSeen<T, S>() && !detail::kIsByte<T>;
  template <class S>
  static constexpr bool kOutSeen = detail::GivesSeen<T, S>() && !detail::kIsByte<T>;
  static bool From(PyObject* object, std::array<T, N>& out) {
    Py_ssize_t size = 0;
    bool taken = detail::EachItem(object, size, [&](PyObject* item, Py_ssize_t i) {
      return static_cast<std::size_t>(i) < N && python::From(item, out[static_cast<std::size_t>(i)]);
    });
    return taken && static_cast<std::size_t>(size) == N;
  }
  static PyObject* To(const std::array<T, N>& value) { return detail::ListOf<T>(value, N); }
};

template <class... T>
struct Converter<std::tuple<T...>> {
  template <class S>
  static constexpr bool kInSeen = (detail::TakesSeen<T, S>() && ...);
  template <class S>
  static constexpr bool kOutSeen = (detail::GivesSeen<T, S>() && ...);
  static bool From(PyObject* object, std::tuple<T...>& out) {
    PyObject* const* items;
    Py_ssize_t size;
    if (PyList_Check(object)) {
      items = &PyList_GET_ITEM(object, 0);
      size = PyList_GET_SIZE(object);
    } else if (PyTuple_Check(object)) {
      items = &PyTuple_GET_ITEM(object, 0);
      size = PyTuple_GET_SIZE(object);
    } else {
      return false;
    }
    if (static_cast<std::size_t>(size) != sizeof...(T)) return false;
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (python::From(items[I], std::get<I>(out)) && ...);
    }(std::index_sequence_for<T...>{});
  }
  static PyObject* To(const std::tuple<T...>& value) {
    PyObject* list = PyList_New(sizeof...(T));
    if (list == nullptr) return nullptr;
    bool made = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return ([&] {
        PyObject* item = python::To(std::get<I>(value));
        if (item == nullptr) return false;
        PyList_SET_ITEM(list, I, item);
        return true;
      }() && ...);
    }(std::index_sequence_for<T...>{});
    if (!made) Py_CLEAR(list);
    return list;
  }
};

template <class A, class B>
struct Converter<std::pair<A, B>> {
  template <class S>
  static constexpr bool kInSeen = detail::TakesSeen<A, S>() && detail::TakesSeen<B, S>();
  template <class S>
  static constexpr bool kOutSeen = detail::GivesSeen<A, S>() && detail::GivesSeen<B, S>();
  static bool From(PyObject* object, std::pair<A, B>& out) {
    std::tuple<A, B> both;
    if (!Converter<std::tuple<A, B>>::From(object, both)) return false;
    out = {std::move(std::get<0>(both)), std::move(std::get<1>(both))};
    return true;
  }
  static PyObject* To(const std::pair<A, B>& value) {
    PyObject* first = python::To(value.first);
    PyObject* second = first != nullptr ? python::To(value.second) : nullptr;
    if (second == nullptr) {
      Py_XDECREF(first);
      return nullptr;
    }
    PyObject* list = PyList_New(2);
    if (list == nullptr) {
      Py_DECREF(first);
      Py_DECREF(second);
      return nullptr;
    }
    PyList_SET_ITEM(list, 0, first);
    PyList_SET_ITEM(list, 1, second);
    return list;
  }
};

template <class Map>
struct MapConverter {
  using Key = typename Map::key_type;
  using Mapped = typename Map::mapped_type;
  template <class S>
  static constexpr bool kInSeen = detail::TakesSeen<Key, S>() && detail::TakesSeen<Mapped, S>();
  template <class S>
  static constexpr bool kOutSeen = detail::GivesSeen<Key, S>() && detail::GivesSeen<Mapped, S>();
  static bool From(PyObject* object, Map& out) {
    if (!PyDict_Check(object)) return false;
    out.clear();
    Py_ssize_t position = 0;
    PyObject* key;
    PyObject* value;
    while (PyDict_Next(object, &position, &key, &value)) {
      Key converted_key{};
      Mapped converted_value{};
      if (!python::From(key, converted_key) || !python::From(value, converted_value)) return false;
      out.insert_or_assign(std::move(converted_key), std::move(converted_value));
    }
    return true;
  }
  static PyObject* To(const Map& value) {
    PyObject* dict = PyDict_New();
    if (dict == nullptr) return nullptr;
    for (const auto& [key, mapped] : value) {
      PyObject* py_key = python::To(key);
      PyObject* py_value = py_key != nullptr ? python::To(mapped) : nullptr;
      const int stored = py_value != nullptr ? PyDict_SetItem(dict, py_key, py_value) : -1;
      Py_XDECREF(py_key);
      Py_XDECREF(py_value);
      if (stored != 0) {
        Py_DECREF(dict);
        return nullptr;
      }
    }
    return dict;
  }
};
template <class K, class V>
struct Converter<std::map<K, V>> : MapConverter<std::map<K, V>> {};
template <class K, class V>
struct Converter<std::unordered_map<K, V>> : MapConverter<std::unordered_map<K, V>> {};

template <class T>
struct Converter<std::optional<T>> {
  template <class S>
  static constexpr bool kInSeen = detail::TakesSeen<T, S>();
  template <class S>
  static constexpr bool kOutSeen = detail::GivesSeen<T, S>();
  static bool From(PyObject* object, std::optional<T>& out) {
    if (object == Py_None) {
      out.reset();
      return true;
    }
    T value{};
    if (!python::From(object, value)) return false;
    out = std::move(value);
    return true;
  }
  static PyObject* To(const std::optional<T>& value) {
    return value ? python::To(*value) : Py_NewRef(Py_None);
  }
};

// ---- user structs ------------------------------------------------------------------------

// A dict holding every field (a std::optional one may be missing) and no other key,
// as the struct's adaptor decodes a map.
namespace detail {
template <class Fields>
struct FieldsConvert;
template <class... F>
struct FieldsConvert<std::tuple<F...>> {
  template <class S>
  static constexpr bool kIn = (TakesSeen<typename F::type, S>() && ...);
  template <class S>
  static constexpr bool kOut = (GivesSeen<typename F::type, S>() && ...);
};
}  // namespace detail

template <class T>
struct Converter<T, std::enable_if_t<detail::kHasFields<T>>> {
  using Fields = detail::FieldsConvert<std::remove_cv_t<decltype(StructFields<T>::kFields)>>;
  // (A struct being decided counts as taken: its other fields decide.)
  template <class S>
  static constexpr bool InSeen() {
    if constexpr (detail::Contains<T, S>::value) {
      return true;
    } else {
      return Fields::template kIn<typename detail::With<T, S>::type>;
    }
  }
  template <class S>
  static constexpr bool OutSeen() {
    if constexpr (detail::Contains<T, S>::value) {
      return true;
    } else {
      return Fields::template kOut<typename detail::With<T, S>::type>;
    }
  }
  template <class S>
  static constexpr bool kInSeen = InSeen<S>();
  template <class S>
  static constexpr bool kOutSeen = OutSeen<S>();

  static constexpr std::size_t kCount = std::tuple_size_v<std::remove_cv_t<decltype(StructFields<T>::kFields)>>;

  // The fields' names as interned strs, made once (null when that failed).
  static PyObject* const* Keys() {
    static PyObject* const* const keys = [] {
      auto* made = new PyObject*[kCount + 1];  // kept for the process
      bool all = true;
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((made[I] = PyUnicode_InternFromString(std::get<I>(StructFields<T>::kFields).name),
          all = all && made[I] != nullptr),
         ...);
      }(std::make_index_sequence<kCount>{});
      if (!all) PyErr_Clear();
      return all ? static_cast<PyObject* const*>(made) : nullptr;
    }();
    return keys;
  }

  static bool From(PyObject* object, T& out) {
    PyObject* const* keys = Keys();
    if (!PyDict_Check(object) || keys == nullptr) return false;
    // The dict's values by field: a key that is the field's interned name (a literal's, as
    // in {"x": 1.0}) is found by identity, in one pass; any other key, by lookup.
    PyObject* values[kCount + 1] = {};
    if (!ValuesByIdentity(object, keys, values)) {
      for (std::size_t i = 0; i < kCount; ++i) {
        values[i] = PyDict_GetItemWithError(object, keys[i]);  // borrowed
        if (values[i] == nullptr && PyErr_Occurred()) return PyErr_Clear(), false;
      }
    }
    Py_ssize_t found = 0;
    const bool taken = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (TakeField<I>(values[I], out, found) && ...);
    }(std::make_index_sequence<kCount>{});
    // A key that is no field: the codec's error.
    return taken && found == PyDict_GET_SIZE(object);
  }

  // False when a key is none of `keys` (by identity): then look up.
  static bool ValuesByIdentity(PyObject* dict, PyObject* const* keys, PyObject** values) {
    Py_ssize_t position = 0;
    PyObject* key;
    PyObject* value;
    while (PyDict_Next(dict, &position, &key, &value)) {
      std::size_t i = 0;
      while (i < kCount && keys[i] != key) ++i;
      if (i == kCount) return false;
      values[i] = value;
    }
    return true;
  }

  template <std::size_t I>
  static bool TakeField(PyObject* value, T& out, Py_ssize_t& found) {
    const auto& field = std::get<I>(StructFields<T>::kFields);
    using Member = std::remove_cvref_t<decltype(out.*(field.member))>;
    if (value == nullptr) {
      if constexpr (detail::IsOptional<Member>::value) {
        (out.*(field.member)).reset();
        return true;
      } else {
        return false;  // missing: the codec's error
      }
    }
    ++found;
    return python::From(value, out.*(field.member));
  }

  static PyObject* To(const T& value) {
    PyObject* const* keys = Keys();
    if (keys == nullptr) return PyErr_NoMemory();
    PyObject* dict = PyDict_New();
    if (dict == nullptr) return nullptr;
    const bool made = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return ([&] {
        PyObject* item = python::To(value.*(std::get<I>(StructFields<T>::kFields).member));
        const int stored = item != nullptr ? PyDict_SetItem(dict, keys[I], item) : -1;
        Py_XDECREF(item);
        return stored == 0;
      }() && ...);
    }(std::make_index_sequence<kCount>{});
    if (!made) Py_CLEAR(dict);
    return dict;
  }
};

// ---- arrays ------------------------------------------------------------------------------

namespace detail {

// NumPy's kind and item size of an array element type.
template <class T>
constexpr char DtypeKind() {
  if constexpr (std::is_same_v<T, bool>) return 'b';
  else if constexpr (std::is_floating_point_v<T>) return 'f';
  else if constexpr (std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>>) return 'c';
  else if constexpr (std::is_signed_v<T>) return 'i';
  else return 'u';
}

// A buffer's format (struct module characters) is T's: kind and size agree.
inline bool FormatIs(const char* format, char kind, std::size_t itemsize) noexcept;

// Holds an exporter's buffer for a call: released (with the GIL) when the call ends.
class HeldBuffer {
 public:
  HeldBuffer() = default;
  HeldBuffer(const HeldBuffer&) = delete;
  HeldBuffer& operator=(const HeldBuffer&) = delete;
  ~HeldBuffer() {
    if (held_) PyBuffer_Release(&view_);
  }
  // A C-contiguous buffer of `kind`/`itemsize` elements; false (nothing held) otherwise.
  bool Take(PyObject* object, char kind, std::size_t itemsize);
  const Py_buffer& view() const noexcept { return view_; }
  // A copy of a list (NestedFrom) or of a strided buffer, valid for the call.
  template <class T>
  std::vector<T>& Owned() {
    auto owned = std::make_shared<std::vector<T>>();
    std::vector<T>& made = *owned;
    owned_ = std::move(owned);
    return made;
  }

 private:
  Py_buffer view_{};
  bool held_ = false;
  std::shared_ptr<void> owned_;
};

// A number, or a list or tuple of numbers nested rectangularly, as the codec decodes it
// into an array (DecodeNestedArray): its elements in C order and its shape; false where
// the codec refuses it (complex elements, given as [re, im], are left to it).
template <class T>
bool NestedFrom(PyObject* object, std::vector<T>& out, std::vector<std::int64_t>& shape) {
  if constexpr (std::is_same_v<T, std::complex<float>> || std::is_same_v<T, std::complex<double>> ||
                std::is_same_v<T, bool>) {
    return false;  // (complex [re, im] pairs and bool vectors: the codec's)
  } else {
    shape.clear();
    for (PyObject* level = object; PyList_Check(level) || PyTuple_Check(level);) {
      const Py_ssize_t size = PySequence_Fast_GET_SIZE(level);
      shape.push_back(size);
      if (size == 0 || shape.size() > goray::detail::kMaxArrayDims) break;
      level = PySequence_Fast_GET_ITEM(level, 0);
    }
    if (shape.size() > goray::detail::kMaxArrayDims) return false;
    auto fill = [&](auto& self, PyObject* item, std::size_t depth) -> bool {
      if (depth == shape.size()) {
        T value{};
        if (PyList_Check(item) || PyTuple_Check(item) || !python::From(item, value)) return false;
        out.push_back(value);
        return true;
      }
      if (!(PyList_Check(item) || PyTuple_Check(item)) || PySequence_Fast_GET_SIZE(item) != shape[depth]) {
        return false;
      }
      for (Py_ssize_t i = 0; i < shape[depth]; ++i) {
        if (!self(self, PySequence_Fast_GET_ITEM(item, i), depth + 1)) return false;
      }
      return true;
    };
    return fill(fill, object, 0);
  }
}

// The ndarray over an Array's storage (its owner kept by the array's base), no copy: a
// buffer exporter holding the owner, read by numpy.asarray.
inline PyObject* AdoptArray(std::shared_ptr<void> owner, const void* data, char kind, std::size_t itemsize,
                     const std::vector<std::int64_t>& shape);

}  // namespace detail

// A parameter's view of a buffer: the buffer is held for the call (ArgumentSlot keeps it).
template <class T>
struct Converter<goray::ArrayView<T>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = false;
  static constexpr bool kHoldsBuffer = true;
  static bool From(PyObject* object, goray::ArrayView<T>& out, detail::HeldBuffer& held) {
    if (!detail::IsArrayObject(object, false)) {
      if constexpr (std::is_same_v<T, bool>) {
        return false;
      } else {
        std::vector<std::int64_t> shape;
        std::vector<T>& owned = held.template Owned<T>();
        if (!detail::NestedFrom(object, owned, shape)) return false;
        out = goray::ArrayView<T>(owned.data(), std::move(shape));
        return true;
      }
    }
    if (!held.Take(object, detail::DtypeKind<T>(), sizeof(T))) {
      // Not C-contiguous (a slice, a transpose): copied once, as the codec path copies it.
      if constexpr (std::is_same_v<T, bool>) {
        return false;
      } else {
        std::vector<T>& owned = held.template Owned<T>();
        return Py_TYPE(object) != &PyMemoryView_Type &&
               detail::CopyStrided<T>(object, [&](std::vector<std::int64_t> shape) {
                 owned.resize(static_cast<std::size_t>(goray::detail::ShapeElementCount(shape, sizeof(T))));
                 out = goray::ArrayView<T>(owned.data(), std::move(shape));
                 return owned.data();
               });
      }
    }
    const Py_buffer& view = held.view();
    std::vector<std::int64_t> shape(view.shape, view.shape + view.ndim);
    if (view.ndim == 0) shape.clear();
    out = goray::ArrayView<T>(static_cast<const T*>(view.buf), std::move(shape));
    return true;
  }
};

template <class T>
struct Converter<std::span<const T>> {
  static constexpr bool kIn = goray::detail::kIsArrayElement<T>;
  static constexpr bool kOut = false;
  static constexpr bool kHoldsBuffer = true;
  static bool From(PyObject* object, std::span<const T>& out, detail::HeldBuffer& held) {
    // A 1-D view; a span of bytes also takes a bin (a bytes object), in place.
    constexpr bool kBytes = std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::int8_t>;
    if (kBytes && PyBytes_CheckExact(object)) {
      if (!held.Take(object, detail::DtypeKind<T>(), sizeof(T))) return false;
      out = std::span<const T>(static_cast<const T*>(held.view().buf), static_cast<std::size_t>(held.view().len));
      return true;
    }
    goray::ArrayView<T> view;
    if (!Converter<goray::ArrayView<T>>::From(object, view, held) || view.shape().size() != 1) return false;
    out = std::span<const T>(view.data(), static_cast<std::size_t>(view.shape()[0]));
    return true;
  }
};

// An array parameter: an array of T's dtype or nested lists, copied (the codec path
// copies too: the Array may outlive the call).
template <class T>
struct Converter<goray::Array<T>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, goray::Array<T>& out) {
    if (detail::IsArrayObject(object, false)) {
      return detail::CopyStrided<T>(object, [&](std::vector<std::int64_t> shape) {
        out = goray::Array<T>::Zeros(std::move(shape));
        return out.data();
      });
    }
    if constexpr (std::is_same_v<T, bool>) {
      return false;  // (nested lists of bools: the codec's)
    } else {
      std::vector<T> values;
      std::vector<std::int64_t> shape;
      if (!detail::NestedFrom(object, values, shape)) return false;
      out = goray::Array<T>::Zeros(std::move(shape));
      if (!values.empty()) std::memcpy(out.data(), values.data(), values.size() * sizeof(T));
      return true;
    }
  }
  static PyObject* To(const goray::Array<T>& value) {
    return detail::AdoptArray(value.owner(), value.data(), detail::DtypeKind<T>(), sizeof(T), value.shape());
  }
};

// ---- string and binary columns -----------------------------------------------------------

namespace detail {

// What a column parameter's exporter handed over, held for the call: the capsules of
// __arrow_c_array__ (they release the structs), or a stream's structs, released here.
// Destroyed with the GIL held (the call's arguments go after it is taken back).
class HeldArrow {
 public:
  HeldArrow() = default;
  HeldArrow(const HeldArrow&) = delete;
  HeldArrow& operator=(const HeldArrow&) = delete;
  ~HeldArrow() {
    for (ArrowArray& array : arrays_) {
      if (array.release != nullptr) array.release(&array);
    }
    if (schema_.release != nullptr) schema_.release(&schema_);
    Py_XDECREF(capsules_);
  }
  // The chunks of `object` (any Arrow exporter of strings, or of bytes unless `text`);
  // false (no exception set) for anything else: the codec path answers then.
  bool Take(PyObject* object, bool text, std::vector<ColumnChunk>& chunks);

 private:
  PyObject* capsules_ = nullptr;
  ArrowSchema schema_{};
  std::deque<ArrowArray> arrays_;
};

inline bool HeldArrow::Take(PyObject* object, bool text, std::vector<ColumnChunk>& chunks) {
  PyTypeObject* type = Py_TYPE(object);
  if (type == &PyList_Type || type == &PyTuple_Type || type->tp_as_buffer != nullptr) return false;
  std::string why;
  auto take = [&](const ArrowSchema& schema, const ArrowArray& array) {
    ColumnChunk chunk;
    if (!goray::detail::ImportArrowChunk(schema, array, text, chunk, why)) return false;
    chunks.push_back(std::move(chunk));
    return true;
  };
  if (PyObject_HasAttrString(reinterpret_cast<PyObject*>(type), "__arrow_c_array__")) {
    capsules_ = PyObject_CallMethod(object, "__arrow_c_array__", nullptr);
    if (capsules_ == nullptr || !PyTuple_Check(capsules_) || PyTuple_GET_SIZE(capsules_) != 2) {
      PyErr_Clear();
      return false;
    }
    auto* schema = static_cast<ArrowSchema*>(PyCapsule_GetPointer(PyTuple_GET_ITEM(capsules_, 0), "arrow_schema"));
    auto* array = schema != nullptr
                      ? static_cast<ArrowArray*>(PyCapsule_GetPointer(PyTuple_GET_ITEM(capsules_, 1), "arrow_array"))
                      : nullptr;
    if (array == nullptr) return PyErr_Clear(), false;
    return take(*schema, *array);
  }
  if (!PyObject_HasAttrString(reinterpret_cast<PyObject*>(type), "__arrow_c_stream__")) return false;
  PyObject* stream_capsule = PyObject_CallMethod(object, "__arrow_c_stream__", nullptr);
  if (stream_capsule == nullptr) return PyErr_Clear(), false;
  auto* stream = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(stream_capsule, "arrow_array_stream"));
  bool read = stream != nullptr && stream->get_schema(stream, &schema_) == 0;
  while (read) {
    ArrowArray& next = arrays_.emplace_back();
    if (stream->get_next(stream, &next) != 0) {
      next.release = nullptr;
      read = false;
    } else if (next.release == nullptr) {  // the end
      arrays_.pop_back();
      break;
    }
  }
  PyErr_Clear();
  Py_DECREF(stream_capsule);  // (its destructor releases the stream; the arrays stay ours)
  if (!read) return false;
  for (const ArrowArray& array : arrays_) {
    if (!take(schema_, array)) return false;
  }
  return true;
}

// A column's Arrow structs as a pyarrow array: pyarrow.Array._import_from_c_capsule (the
// capsules moved).
inline PyObject* ArrowArrayOf(ArrowSchema& schema, ArrowArray& array);

}  // namespace detail

// A column parameter: the caller's Arrow memory, read in place for the call.
template <class V>
struct Converter<goray::BasicColumn<V>> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = false;
  static constexpr bool kHoldsBuffer = true;
  using Held = detail::HeldArrow;
  static bool From(PyObject* object, goray::BasicColumn<V>& out, detail::HeldArrow& held) {
    if (PyList_Check(object) || PyTuple_Check(object)) return FromList(object, out);
    std::vector<ColumnChunk> chunks;
    if (!held.Take(object, V::kText, chunks)) return false;
    out = goray::BasicColumn<V>(std::move(chunks));
    return true;
  }

 private:
  // A list of str (a binary column: or bytes) and None, as the codec decodes an array into
  // a column: the rows copied into a column of its own.
  static bool FromList(PyObject* object, goray::BasicColumn<V>& out) {
    goray::BasicColumnBuilder<V> builder;
    Py_ssize_t size = 0;
    const bool taken = detail::EachItem(object, size, [&](PyObject* item, Py_ssize_t) {
      if (item == Py_None) return builder.AppendNull(), true;
      std::string_view row;
      if ((V::kText && !PyUnicode_Check(item)) || !python::From(item, row)) return false;
      builder.Append(row);
      return true;
    });
    if (taken) out = builder.Column();
    return taken;
  }
};

// A std::vector<std::string_view> parameter (or of optional views): a list of str or bytes
// (None for optionals), views of the Python objects; or an Arrow exporter of strings or
// bytes (dictionary-encoded too), views of its memory. Both held for the call.
template <class View>
struct StringViewsConverter {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static constexpr bool kHoldsBuffer = true;
  using Held = detail::HeldArrow;
  static bool From(PyObject* object, std::vector<View>& out, detail::HeldArrow& held) {
    out.clear();
    Py_ssize_t size = 0;
    if (PyList_Check(object) || PyTuple_Check(object)) {
      return detail::EachItem(object, size, [&](PyObject* item, Py_ssize_t) {
        View view{};
        if (!python::From(item, view)) return false;
        out.push_back(view);
        return true;
      });
    }
    std::vector<ColumnChunk> chunks;
    if (!held.Take(object, false, chunks)) return false;
    const goray::BinaryColumn column(std::move(chunks));
    out.reserve(column.size());
    for (std::optional<std::string_view> row : column) {
      if constexpr (std::is_same_v<View, std::string_view>) {
        if (!row) return false;  // (a null where no optional is taken: the codec's error)
        out.push_back(*row);
      } else {
        out.push_back(row);
      }
    }
    return true;
  }
  static PyObject* To(const std::vector<View>& value) { return detail::ListOf<View>(value, value.size()); }
};
template <>
struct Converter<std::vector<std::string_view>> : StringViewsConverter<std::string_view> {};
template <>
struct Converter<std::vector<std::optional<std::string_view>>>
    : StringViewsConverter<std::optional<std::string_view>> {};

// A builder result: a pyarrow array over the builder's own buffers (no copy).
template <class V>
struct Converter<goray::BasicColumnBuilder<V>> {
  static constexpr bool kIn = false;
  static constexpr bool kOut = true;
  static PyObject* To(const goray::BasicColumnBuilder<V>& value) {
    const goray::BasicColumn<V> column = value.Column();
    ArrowSchema schema;
    ArrowArray array;
    goray::detail::ExportArrowChunk(column.chunks()[0], V::kText, column.owner(), schema, array);
    return detail::ArrowArrayOf(schema, array);
  }
};

template <class T, class = void>
struct HeldOf {
  using type = detail::HeldBuffer;
};
template <class T>
struct HeldOf<T, std::void_t<typename Converter<T>::Held>> {
  using type = typename Converter<T>::Held;
};

template <class T, class = void>
inline constexpr bool kHoldsBuffer = false;
template <class T>
inline constexpr bool kHoldsBuffer<T, std::void_t<decltype(Converter<T>::kHoldsBuffer)>> =
    Converter<T>::kHoldsBuffer;

}  // namespace goray::python
