// Array and column exts named for messages (array_ext_names.h): dtypes, shapes and the
// header of an ext 71/72 or 78 read as far as a description needs.
// Tests: tests/cpp/bad_input_test.cpp, tests/cpp/column_codec_test.cpp
#include "codec/array_ext_names.h"

#include "goray/detail/protocol_numbers.h"

namespace goray::codec::detail {

std::int64_t LoadInt64(const char* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<std::int64_t>(value);
}

bool IsKnownDtype(char kind, std::uint8_t itemsize) {
  switch (kind) {
    case 'b':
      return itemsize == 1;
    case 'i':
    case 'u':
      return itemsize == 1 || itemsize == 2 || itemsize == 4 || itemsize == 8;
    case 'f':
      return itemsize == 4 || itemsize == 8;
    case 'c':
      return itemsize == 8 || itemsize == 16;
    default:
      return false;
  }
}

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1) text += ',';
  return text + ")";
}

std::string NumpyDtypeName(char kind, std::uint8_t itemsize) {
  const std::string bits = std::to_string(8 * itemsize);
  if (IsKnownDtype(kind, itemsize)) {
    switch (kind) {
      case 'b':
        return "bool";
      case 'i':
        return "int" + bits;
      case 'u':
        return "uint" + bits;
      case 'f':
        return "float" + bits;
      default:
        return "complex" + bits;
    }
  }
  std::string text = "dtype '";
  if (kind >= 0x20 && kind < 0x7f) {
    text += kind;
  } else {
    text += "\\x" + std::to_string(static_cast<unsigned char>(kind));
  }
  return text + std::to_string(itemsize) + "'";
}

std::string DescribeNdarray(char kind, std::uint8_t itemsize,
                            const std::vector<std::int64_t>& shape) {
  return "ndarray of " + NumpyDtypeName(kind, itemsize) + " " + ShapeText(shape);
}

bool IsArrayExt(const msgpack::object& object) noexcept {
  return object.type == msgpack::type::EXT &&
         (object.via.ext.type() == kExtArrayInline || object.via.ext.type() == kExtArrayAddress);
}

std::string DescribeArrayExt(const msgpack::object& object) {
  if (!IsArrayExt(object)) return {};
  // Read as if enabled: only the header is looked at, never the address.
  const msgpack::object_ext& ext = object.via.ext;
  const std::size_t size = ext.size;
  using goray::detail::kArrayExtentBytes;
  using goray::detail::kArrayHeadBytes;
  if (size < kArrayHeadBytes) return {};
  const std::size_t ndim = static_cast<unsigned char>(ext.data()[2]);
  const char kind = ext.data()[0];
  const auto itemsize = static_cast<std::uint8_t>(ext.data()[1]);
  if (ndim > goray::detail::kMaxArrayDims || size < kArrayHeadBytes + kArrayExtentBytes * ndim ||
      !IsKnownDtype(kind, itemsize)) {
    return {};
  }
  std::vector<std::int64_t> shape(ndim);
  for (std::size_t i = 0; i < ndim; ++i) shape[i] = LoadInt64(ext.data() + kArrayHeadBytes + kArrayExtentBytes * i);
  return DescribeNdarray(kind, itemsize, shape);
}

bool IsColumnExt(const msgpack::object& object) noexcept {
  return object.type == msgpack::type::EXT &&
         (object.via.ext.type() == kExtColumnInline || object.via.ext.type() == kExtColumnAddress);
}

std::string DescribeColumnExt(const msgpack::object& object) {
  if (!IsColumnExt(object)) return {};
  const msgpack::object_ext& ext = object.via.ext;
  if (ext.type() == kExtColumnAddress) return "Arrow column by address (ext 79)";
  if (ext.size < 16) return {};
  const char kind = ext.data()[0];
  if (kind != 's' && kind != 'b') return {};
  return std::string("Arrow ") + (kind == 's' ? "string" : "binary") + " column of " +
         std::to_string(static_cast<std::uint64_t>(LoadInt64(ext.data() + 8))) + " rows";
}

}  // namespace goray::codec::detail
