// goray::Value: any msgpack value, held dynamically: for parameters and
// results whose shape is not fixed (Python's Any). Encoded and decoded by the
// codec like any other type, losslessly: every int from int64 min to uint64
// max, float32 stays float32, -0.0 and NaN keep their bits, maps keep any keys
// and their order, timestamps keep seconds and nanoseconds, other ext types
// keep their bytes.
//
//   goray::Value v = goray::Value::Map{{"xs", goray::Value::Array{1, 2.5, "three"}}};
//   double x = v["xs"][1].as_double();
//   auto xs = v["xs"].As<std::vector<goray::Value>>();
//   auto point = goray::Value::From(geo::Point{1, 2});   // a map {"x": 1, "y": 2}
//
// Encode a Value itself, not what as_map() returns: a Value::Map on its own is
// a std::vector of pairs, which the codec writes as an array of 2-arrays.
//
// Accessors and As<T> throw codec::DecodeError when the value is not of the
// kind asked for; operator[] throws std::out_of_range for a missing index or key.
#pragma once

// The codec's declarations and definitions, not goray/codec.h, which includes this header.
#include "goray/detail/array_codec.h"
#include "goray/codec_decl.h"
#include "goray/detail/decode.h"
#include "goray/detail/encode.h"
#include "goray/detail/ref_codec.h"
#include "goray/detail/struct_adaptor.h"
#include "goray/detail/type_name.h"

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace goray {

// Any msgpack value (see above).
class Value {
 public:
  enum class Kind : std::uint8_t {
    kNil,
    kBool,
    kInt,  // int64 min .. uint64 max
    kFloat32,
    kFloat64,
    kStr,
    kBin,
    kArray,
    kMap,
    kTimestamp,  // ext -1 with a valid body
    kExt,        // any other ext
  };

  using Bytes = std::vector<std::byte>;
  using Array = std::vector<Value>;
  // Any keys, in their order; a key may repeat (as msgpack allows).
  using Map = std::vector<std::pair<Value, Value>>;

  // A msgpack timestamp: seconds since 1970 (UTC) and 0..999999999 nanoseconds.
  struct Timestamp {
    std::int64_t seconds = 0;
    std::uint32_t nanoseconds = 0;
    friend bool operator==(const Timestamp&, const Timestamp&) = default;
  };

  // An ext value other than a timestamp.
  struct Ext {
    std::int8_t type = 0;
    Bytes data;
    friend bool operator==(const Ext&, const Ext&) = default;
  };

  Value() noexcept = default;
  Value(std::nullptr_t) noexcept {}
  Value(bool value) noexcept : data_(value) {}
  template <std::integral Integer>
    requires(!std::same_as<Integer, bool>)
  Value(Integer value) noexcept {
    if constexpr (std::is_signed_v<Integer>) {
      if (value < 0) {
        data_.emplace<std::int64_t>(value);
        return;
      }
    }
    data_.emplace<std::uint64_t>(static_cast<std::uint64_t>(value));
  }
  Value(float value) noexcept : data_(value) {}
  Value(double value) noexcept : data_(value) {}
  Value(std::string value) noexcept : data_(std::move(value)) {}
  Value(std::string_view value) : data_(std::string(value)) {}
  Value(const char* value) : data_(std::string(value == nullptr ? "" : value)) {}
  Value(Bytes value) noexcept : data_(std::move(value)) {}
  Value(Array value) noexcept : data_(std::move(value)) {}
  Value(Map value) noexcept : data_(std::move(value)) {}
  Value(Timestamp value) noexcept : data_(value) {}
  Value(std::chrono::system_clock::time_point value);
  Value(Ext value) noexcept : data_(std::move(value)) {}

  // T converted through the codec (Encode then Decode<Value>): a user struct
  // becomes a map, std::vector<uint8_t> a bin, a tuple an array. A T that one
  // of the constructors above takes is simply constructed.
  template <class T>
  static Value From(const T& value);
  // The first msgpack value in `bytes` (std::invalid_argument if bytes remain;
  // msgpack's exceptions if malformed).
  static Value FromMsgpack(std::string_view bytes);

  // The value as a C++ type, through the codec (as if encoded, then
  // Decode<T>): the same rules, the same DecodeErrors.
  template <class T>
  T As() const;

  Kind kind() const noexcept;
  bool is_nil() const noexcept { return kind() == Kind::kNil; }
  bool is_bool() const noexcept { return kind() == Kind::kBool; }
  bool is_int() const noexcept { return kind() == Kind::kInt; }
  bool is_float() const noexcept { return is_float32() || is_float64(); }
  bool is_float32() const noexcept { return kind() == Kind::kFloat32; }
  bool is_float64() const noexcept { return kind() == Kind::kFloat64; }
  bool is_str() const noexcept { return kind() == Kind::kStr; }
  bool is_bin() const noexcept { return kind() == Kind::kBin; }
  bool is_array() const noexcept { return kind() == Kind::kArray; }
  bool is_map() const noexcept { return kind() == Kind::kMap; }
  bool is_timestamp() const noexcept { return kind() == Kind::kTimestamp; }
  bool is_ext() const noexcept { return kind() == Kind::kExt; }

  // Scalars, as As<T> converts them (as_double takes ints and both floats).
  bool as_bool() const;
  std::int64_t as_int64() const;
  std::uint64_t as_uint64() const;
  double as_double() const;
  float as_float() const;
  std::chrono::system_clock::time_point as_time_point() const;
  // The held data itself; the kind must match exactly.
  const std::string& as_str() const;
  const Bytes& as_bin() const;
  const Array& as_array() const;
  Array& as_array();
  const Map& as_map() const;
  Map& as_map();
  Timestamp as_timestamp() const;
  const Ext& as_ext() const;

  // Elements of an array or entries of a map.
  std::size_t size() const;
  // An array element; std::out_of_range past the end.
  const Value& operator[](std::size_t index) const;
  Value& operator[](std::size_t index);
  // The value of the first str key equal to `key`; std::out_of_range if none.
  const Value& operator[](std::string_view key) const;
  // As above, but a missing key is appended with a nil value, and a nil Value
  // first becomes an empty map: `Value v; v["a"] = 1;`.
  Value& operator[](std::string_view key);
  // The value of the first str key equal to `key`, or nullptr (also when not a map).
  const Value* find(std::string_view key) const noexcept;
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }

  // Structural: the same kind and content. Ints compare by value; floats by
  // their bits (NaN equals the same NaN, -0.0 differs from 0.0, a float32
  // never equals a float64); maps as sets of entries, in any order.
  friend bool operator==(const Value& a, const Value& b);

  // A msgpack object for this value: arrays and maps are allocated in `zone`,
  // strings, bins and exts point into this Value (which must outlive it).
  msgpack::object ToObject(msgpack::zone& zone) const;

 private:
  friend void codec::detail::EncodeValue(codec::Packer& packer, const Value& value);
  friend void codec::detail::DecodeValue(const msgpack::object& object, Value& out);

  // Makes this the value of `object` (which must not point into this Value).
  void Assign(const msgpack::object& object);
  // True when ToObject needs no zone (not an array, map, timestamp or ext).
  bool IsFlat() const noexcept;
  // ToObject; `zone` may be null when IsFlat().
  msgpack::object ToObjectIn(msgpack::zone* zone) const;
  // Bytes the zone for ToObject needs.
  std::size_t ZoneSize() const noexcept;
  [[noreturn]] void ThrowNot(std::string_view expected) const;

  // int64_t holds negative ints only, uint64_t the others: one form per value.
  std::variant<std::monostate, bool, std::int64_t, std::uint64_t, float, double, std::string,
               Bytes, Array, Map, Timestamp, Ext>
      data_;
};

// JSON-like, for logs and test failures: null, true, 1, 2.5, 2.5f (float32),
// "text", b"\x00\x01", [..], {k: v}, timestamp(s, ns), ext(type, N bytes).
std::ostream& operator<<(std::ostream& out, const Value& value);

template <class T>
Value Value::From(const T& value) {
  if constexpr (std::is_constructible_v<Value, const T&>) {
    return Value(value);
  } else {
    codec::Buffer buffer(256);
    codec::Packer packer(buffer);
    codec::Encode(packer, value);
    return FromMsgpack(std::string_view(buffer.data(), buffer.size()));
  }
}

template <class T>
T Value::As() const {
  if constexpr (std::is_same_v<T, Value>) {
    return *this;
  } else if (IsFlat()) {
    return codec::Decode<T>(ToObjectIn(nullptr));  // no allocation
  } else {
    msgpack::zone zone(ZoneSize());
    return codec::Decode<T>(ToObjectIn(&zone));
  }
}

}  // namespace goray
