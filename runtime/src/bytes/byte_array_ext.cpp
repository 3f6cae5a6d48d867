// Bytes-like values (std::string, std::vector<std::byte>, ...) from an array ext:
// a large Python bytes argument may arrive as a 1-D uint8 array by address
// (docs/types.md, Strings and bytes), and a NumPy uint8/int8 vector is bytes too.
// Tests: tests/cpp/bytes_from_array_test.cpp
#include <string>

#include "goray/codec.h"

namespace goray::codec::detail {

bool ByteArrayExtBytes(const msgpack::object& object, const std::string& expected,
                       const char*& data, std::size_t& size) {
  ArrayHeader header;
  ReadArrayExt(object, header, expected);  // malformed, or ext 72 before EnableArrays: throws
  if (header.itemsize != 1 || (header.kind != 'u' && header.kind != 'i') ||
      header.shape.size() != 1) {
    return false;
  }
  data = header.data;
  size = static_cast<std::size_t>(header.count);
  return true;
}

}  // namespace goray::codec::detail
