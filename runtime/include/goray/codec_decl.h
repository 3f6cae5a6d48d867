// The codec's declarations (msgpack-c's _decl pattern): the types and functions of
// goray/codec.h that its definition headers (goray/detail/encode.h, decode.h, ...) and
// value.h use, with the entry-point templates declared. Each of those headers includes
// this one and the headers it needs; none includes goray/codec.h, which includes them all.
#pragma once

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST  // msgpack-cxx's plain headers; its CMake config wants Boost
#endif
#include <msgpack.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

#include "goray/detail/buffer.h"  // Buffer: malloc-backed, released straight into replies

namespace goray::codec {

// The msgpack writer the codec encodes with.
using Packer = msgpack::packer<Buffer>;

// A value that does not decode as the requested C++ type.
//   expected: the C++ type, spelled as in source ("uint8_t", "std::vector<int32_t>")
//   received: the msgpack type seen, with the value where it helps ("int 300")
//   path:     where inside the value, "" at top level, else like "[3].x" or "[\"k\"]"
// Or a struct's map that does not hold its fields (kind() says which): a field that is
// not std::optional is missing (expected: the field's type), a key is no field of the
// struct, or a field's key comes twice; path is then the field's own (".inner.x"),
// received "", struct_name() the struct the field belongs in.
class DecodeError : public std::runtime_error {
 public:
  enum class Kind : unsigned char { kValue, kMissingField, kUnknownField, kRepeatedField };

  DecodeError(std::string expected, std::string received, std::string path = {});
  // A struct's field problem; `path` the field's (".x", or "[\"a b\"]" for a key that is
  // not a plain name), `expected` the missing field's type ("" for the other kinds).
  DecodeError(Kind kind, std::string struct_name, std::string expected, std::string path);
  const std::string& expected() const noexcept { return expected_; }
  const std::string& received() const noexcept { return received_; }
  const std::string& path() const noexcept { return path_; }
  Kind kind() const noexcept { return kind_; }
  const std::string& struct_name() const noexcept { return struct_name_; }
  // The same error one level further out: path = prefix + path.
  DecodeError Within(std::string_view prefix) const;

 private:
  std::string expected_;
  std::string received_;
  std::string path_;
  std::string struct_name_;
  Kind kind_ = Kind::kValue;
};

// What a whole value (msgpack type `outer`, "map" for a struct) received, for a message
// about `error` decoding it: received() when the failure is the value itself, else
// "map (at .x: expected int32_t, received str)", or for a struct's fields "map without
// field .lon (double, in geo::Point)", "map with unknown field .colour (not in
// geo::Point)", "map with field .x twice (in geo::Point)".
std::string DescribeReceived(const DecodeError& error, std::string_view outer);

// Limits for decoding `length` bytes of untrusted msgpack: no size larger than
// the input itself (a forged header cannot make the decoder allocate more than
// the bytes could hold) and at most 1000 levels of nesting.
inline msgpack::unpack_limit UnpackLimitFor(std::size_t length) {
  constexpr std::size_t kMaxDepth = 1000;
  return msgpack::unpack_limit(length, length, length, length, length, kMaxDepth);
}

// The msgpack type of an object as a short word: nil, bool, int, float32,
// float64, str, bin, array, map, ext.
std::string_view ReceivedTypeName(const msgpack::object& object);

// What DecodeError::received() says: ReceivedTypeName, with the value for
// numbers ("int 300", "int -1", "float64 2.5"), "ext 5" with its type code,
// "timestamp" for ext -1.
std::string ReceivedDescription(const msgpack::object& object);

// The codec's entry points, defined in goray/detail/encode.h and decode.h (type_name.h
// has TypeName). Declared here first so that every codec header can call them: an
// instantiation finds their definitions, all of which goray/codec.h includes.
// Writes `value` as msgpack (docs/protocol.md §5's mapping).
template <class T>
void Encode(Packer& packer, const T& value);
// Decodes `object` into `out`; a value that does not fit throws DecodeError.
template <class T>
void DecodeInto(const msgpack::object& object, T& out);
// Decodes `object` as a T (starting from T{}); throws DecodeError as DecodeInto does.
template <class T>
T Decode(const msgpack::object& object);

namespace detail {
// For a static_assert that fails only when instantiated: no mapping for T.
template <class>
inline constexpr bool kAlwaysFalse = false;
}  // namespace detail

}  // namespace goray::codec
