// The value codec: C++ values <-> msgpack, as docs/protocol.md §5 maps them.
// Encode/Decode are the only entry points the runtime and generated code use.
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

}  // namespace goray::codec

// The detail headers below need the declarations above; included first on
// their own, they include this header, which includes them back here.
#define GORAY_CODEC_H_DECLARATIONS_DONE
#include "goray/detail/type_name.h"
#include "goray/detail/ref_codec.h"  // ObjectRef, Future, ActorHandle: ext 73 / 74
#include "goray/detail/encode.h"
#include "goray/detail/decode.h"
#include "goray/detail/struct_adaptor.h"
#include "goray/detail/array_codec.h"
#include "goray/value.h"  // goray::Value, which Encode and Decode take like any type
// After these:
//   template <class T> std::string goray::codec::TypeName();
//   template <class T> void goray::codec::Encode(Packer&, const T&);
//   template <class T> void goray::codec::DecodeInto(const msgpack::object&, T&);
//   template <class T> T goray::codec::Decode(const msgpack::object&);
