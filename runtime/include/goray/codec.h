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

// The msgpack writer the codec encodes with.
using Packer = msgpack::packer<Buffer>;

// A value that does not decode as the requested C++ type.
//   expected: the C++ type, spelled as in source ("uint8_t", "std::vector<int32_t>")
//   received: the msgpack type seen, with the value where it helps ("int 300")
//   path:     where inside the value, "" at top level, else like "[3].x" or "[\"k\"]"
class DecodeError : public std::runtime_error {
 public:
  DecodeError(std::string expected, std::string received, std::string path = {});
  const std::string& expected() const noexcept { return expected_; }
  const std::string& received() const noexcept { return received_; }
  const std::string& path() const noexcept { return path_; }
  // The same error one level further out: path = prefix + path.
  DecodeError Within(std::string_view prefix) const;

 private:
  std::string expected_;
  std::string received_;
  std::string path_;
};

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
