// The value types beyond convert.h's scalars, strings and containers, for the typed
// entries: paths, durations, time points and variants. Each takes a Python
// value only where the codec path takes it the same way, to the same C++ value
// (goray/detail/value_exts.h, decode.h), and gives back what the codec path gives:
//
//   C++                                  from Python                     to Python
//   std::filesystem::path                str, bytes, os.PathLike         pathlib.Path
//   std::chrono::duration<integral, P>   timedelta; int (nanoseconds)    timedelta (exact)
//   std::chrono::system_clock::time_point  datetime with a tzinfo        datetime in UTC (µs)
//   std::variant<T...>                   what the alternative the codec picks takes
//                                        (VariantClasses' order)         the alternative's
#pragma once

#include <datetime.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "goray/detail/value_exts.h"
#include "goray/python/convert.h"

namespace goray::python {

namespace detail {

inline bool DateTimeReady() {
  if (PyDateTimeAPI == nullptr) PyDateTime_IMPORT;
  if (PyDateTimeAPI == nullptr) PyErr_Clear();
  return PyDateTimeAPI != nullptr;
}

// A timedelta's whole nanoseconds.
inline __int128 DeltaNanos(PyObject* delta) {
  const __int128 micros = (static_cast<__int128>(PyDateTime_DELTA_GET_DAYS(delta)) * 86400 +
                           PyDateTime_DELTA_GET_SECONDS(delta)) * 1000000 +
                          PyDateTime_DELTA_GET_MICROSECONDS(delta);
  return micros * 1000;
}

// `nanos` as a D, exactly and within D's range; false otherwise (the codec's error).
template <class D>
bool DurationOfNanos(__int128 nanos, D& out) {
  const __int128 scaled = nanos * D::period::den;
  const __int128 unit = static_cast<__int128>(D::period::num) * 1000000000;
  const __int128 count = scaled / unit;
  if (scaled % unit != 0 || count > static_cast<__int128>(std::numeric_limits<typename D::rep>::max()) ||
      count < static_cast<__int128>(std::numeric_limits<typename D::rep>::min())) {
    return false;
  }
  out = D(static_cast<typename D::rep>(count));
  return true;
}

// A timedelta of `micros` microseconds (days, seconds and microseconds as timedelta
// normalizes them); null, no exception set, beyond timedelta's range of days.
inline PyObject* DeltaOfMicros(__int128 micros) {
  constexpr __int128 kDay = static_cast<__int128>(86400) * 1000000;
  __int128 days = micros / kDay;
  micros -= days * kDay;
  if (micros < 0) micros += kDay, --days;
  if (days < -999999999 || days > 999999999) return nullptr;
  return PyDelta_FromDSU(static_cast<int>(days), static_cast<int>(micros / 1000000),
                         static_cast<int>(micros % 1000000));
}

// 1970-01-01T00:00:00+00:00, kept.
inline PyObject* Epoch() {
  static PyObject* epoch = PyDateTimeAPI->DateTime_FromDateAndTime(1970, 1, 1, 0, 0, 0, 0, PyDateTime_TimeZone_UTC,
                                                                   PyDateTimeAPI->DateTimeType);
  return epoch;
}

}  // namespace detail

// A path: a str as its UTF-8, bytes as they are, an os.PathLike as os.fsencode gives it
// (the codec's ext 76); back as pathlib.Path(os.fsdecode(bytes)).
template <>
struct Converter<std::filesystem::path> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, std::filesystem::path& out) {
    const bool plain = PyUnicode_Check(object) || PyBytes_Check(object);
    PyObject* fspath = plain ? Py_NewRef(object) : PyOS_FSPath(object);
    if (fspath == nullptr) return PyErr_Clear(), false;
    PyObject* raw = PyUnicode_Check(fspath) && !plain ? PyUnicode_EncodeFSDefault(fspath) : Py_NewRef(fspath);
    Py_DECREF(fspath);
    if (raw == nullptr) return PyErr_Clear(), false;
    bool taken = true;
    if (PyBytes_Check(raw)) {
      out = std::filesystem::path(std::string(PyBytes_AS_STRING(raw), static_cast<std::size_t>(PyBytes_GET_SIZE(raw))));
    } else {
      Py_ssize_t size;
      const char* data = PyUnicode_AsUTF8AndSize(raw, &size);
      taken = data != nullptr;
      if (taken) out = std::filesystem::path(std::string(data, static_cast<std::size_t>(size)));
      else PyErr_Clear();
    }
    Py_DECREF(raw);
    return taken;
  }
  static PyObject* To(const std::filesystem::path& value) {
    static PyObject* path_type = nullptr;  // kept for the process
    if (path_type == nullptr && !detail::TakeAttribute("pathlib", "Path", path_type)) return nullptr;
    const std::string& raw = value.native();
    PyObject* text = PyUnicode_DecodeFSDefaultAndSize(raw.data(), static_cast<Py_ssize_t>(raw.size()));
    if (text == nullptr) return nullptr;
    PyObject* path = PyObject_CallOneArg(path_type, text);
    Py_DECREF(text);
    return path;
  }
};

// A duration of an integral count: a timedelta, or an int of nanoseconds (GoRay's form),
// held exactly (a count it cannot hold exactly is the codec's error); back as a timedelta,
// exactly (else goray._value_exts' DurationError, as on the codec path).
template <class Rep, class Period>
struct Converter<std::chrono::duration<Rep, Period>, std::enable_if_t<std::is_integral_v<Rep>>> {
  using Duration = std::chrono::duration<Rep, Period>;
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, Duration& out) {
    __int128 nanos;
    if (PyLong_Check(object) && !PyBool_Check(object)) {
      long long value;
      if (!detail::PlainIntegerFrom(object, value)) {
        unsigned long long big;
        if (!detail::PlainIntegerFrom(object, big)) return false;
        nanos = big;
      } else {
        nanos = value;
      }
    } else if (detail::DateTimeReady() && PyDelta_Check(object)) {
      nanos = detail::DeltaNanos(object);
    } else {
      return false;
    }
    return detail::DurationOfNanos(nanos, out);
  }
  static PyObject* To(const Duration& value) {
    const __int128 nanos = static_cast<__int128>(value.count()) * Period::num * 1000000000 / Period::den;
    if (nanos % 1000 == 0 && detail::DateTimeReady()) {
      PyObject* delta = detail::DeltaOfMicros(nanos / 1000);
      if (delta != nullptr || PyErr_Occurred()) return delta;
    }
    // Not a timedelta's: goray's DurationError, with its text.
    static PyObject* duration = nullptr;  // kept for the process
    if (duration == nullptr && !detail::TakeAttribute("goray._value_exts", "duration", duration)) return nullptr;
    std::string digits;
    for (__int128 rest = nanos < 0 ? -nanos : nanos; digits.empty() || rest != 0; rest /= 10) {
      digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(rest % 10)));
    }
    if (nanos < 0) digits.insert(digits.begin(), '-');
    PyObject* count = PyLong_FromString(digits.c_str(), nullptr, 10);
    if (count == nullptr) return nullptr;
    PyObject* result = PyObject_CallOneArg(duration, count);
    Py_DECREF(count);
    return result;
  }
};

// A time point: a datetime with a tzinfo (its instant, to the microsecond; a naive one is
// the codec's error), within the clock's range; back as a UTC datetime, the nanoseconds
// truncated to microseconds (as msgpack's timestamp gives it).
template <>
struct Converter<std::chrono::system_clock::time_point> {
  using TimePoint = std::chrono::system_clock::time_point;
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, TimePoint& out) {
    if (!detail::DateTimeReady() || !PyDateTime_Check(object)) return false;
    PyObject* tzinfo = PyObject_GetAttrString(object, "tzinfo");
    if (tzinfo == nullptr) return PyErr_Clear(), false;
    const bool aware = tzinfo != Py_None;
    Py_DECREF(tzinfo);
    if (!aware) return false;
    PyObject* delta = PyNumber_Subtract(object, detail::Epoch());
    if (delta == nullptr) return PyErr_Clear(), false;
    const bool is_delta = PyDelta_Check(delta);
    const __int128 nanos = is_delta ? detail::DeltaNanos(delta) : 0;
    Py_DECREF(delta);
    TimePoint::duration since_epoch;
    if (!is_delta || !detail::DurationOfNanos(nanos, since_epoch)) return false;
    out = TimePoint(since_epoch);
    return true;
  }
  static PyObject* To(const TimePoint& value) {
    if (!detail::DateTimeReady()) return nullptr;
    const __int128 nanos = static_cast<__int128>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(value.time_since_epoch()).count());
    // Truncated to microseconds towards the past, as msgpack's timestamp is read. (The
    // clock's ±292 years are well within timedelta's range.)
    PyObject* delta = detail::DeltaOfMicros(nanos / 1000 - (nanos % 1000 < 0 ? 1 : 0));
    if (delta == nullptr) return nullptr;
    PyObject* when = PyNumber_Add(detail::Epoch(), delta);
    Py_DECREF(delta);
    return when;
  }
};

namespace detail {

using goray::codec::detail::VariantClass;

// The classes of value `object` is to the codec's VariantClasses, most fitting first (the
// msgpack form the codec packs it as decides them).
inline int PythonVariantClasses(PyObject* object, VariantClass (&out)[4]) {
  using C = VariantClass;
  auto set = [&out](std::initializer_list<C> classes) {
    int count = 0;
    for (C c : classes) out[count++] = c;
    return count;
  };
  if (object == Py_None) return set({C::kNil});
  if (PyBool_Check(object)) return set({C::kBool});
  if (PyLong_Check(object)) return set({C::kInteger, C::kFloat, C::kComplex});
  if (PyFloat_Check(object)) return set({C::kFloat, C::kComplex});
  if (PyUnicode_Check(object)) return set({C::kString, C::kPath, C::kBytes});
  if (PyBytes_Check(object) || PyByteArray_Check(object)) return set({C::kBytes, C::kString, C::kPath});
  if (PyList_Check(object) || PyTuple_Check(object)) return set({C::kSequence, C::kArray});
  if (PyDict_Check(object)) return set({C::kMap});
  if (PyComplex_Check(object)) return set({C::kComplex});
  if (DateTimeReady() && PyDelta_Check(object)) return set({C::kDuration});
  if (DateTimeReady() && PyDateTime_Check(object)) return set({C::kTime});
  if (PyObject_HasAttrString(object, "__fspath__")) return set({C::kPath});
  return 0;  // (arrays, refs and the rest: the codec path)
}

}  // namespace detail

// A variant: the alternative the codec path would decode (the first of the first class of
// the value's that the variant has), converted as that alternative is.
template <class... T>
struct Converter<std::variant<T...>> {
  template <class S>
  static constexpr bool kInSeen = (detail::TakesSeen<T, S>() && ...);
  template <class S>
  static constexpr bool kOutSeen = (detail::GivesSeen<T, S>() && ...);
  static bool From(PyObject* object, std::variant<T...>& out) {
    constexpr goray::codec::detail::VariantClass kClasses[] = {goray::codec::detail::VariantClassOf<T>()...};
    goray::codec::detail::VariantClass wanted[4];
    const int count = detail::PythonVariantClasses(object, wanted);
    if (count == 0) {  // (a NumPy scalar: its item's)
      return detail::FromNumpyScalar(object, [&](PyObject* item) { return From(item, out); });
    }
    for (int k = 0; k < count; ++k) {
      for (std::size_t i = 0; i < sizeof...(T); ++i) {
        if (kClasses[i] != wanted[k]) continue;
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
          bool taken = false;
          (void)((I == i ? (taken = python::From(object, out.template emplace<I>()), true) : false) || ...);
          return taken;
        }(std::index_sequence_for<T...>{});
      }
    }
    return false;
  }
  static PyObject* To(const std::variant<T...>& value) {
    return std::visit([](const auto& alternative) { return python::To(alternative); }, value);
  }
};

template <>
struct Converter<std::monostate> {
  static constexpr bool kIn = true;
  static constexpr bool kOut = true;
  static bool From(PyObject* object, std::monostate&) { return object == Py_None; }
  static PyObject* To(const std::monostate&) { return Py_NewRef(Py_None); }
};

}  // namespace goray::python
