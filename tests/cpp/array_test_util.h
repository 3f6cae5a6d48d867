// Helpers shared by the array tests: encoding with goray's codec, hand-built
// ext 71 / ext 72 bytes, and decoding from bytes.
#pragma once

#include <goray/goray.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace array_test {

template <class T>
std::string EncodeToString(const T& value) {
  goray::codec::Buffer buffer;
  goray::codec::detail::EncodeTargetScope target(buffer);
  goray::codec::Packer packer(buffer);
  goray::codec::Encode(packer, value);
  return std::string(buffer.data(), buffer.size());
}

inline void AppendLittle(std::string& out, uint64_t value, int bytes = 8) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// An ext32 of `type` around `payload`.
inline std::string Ext32(int8_t type, const std::string& payload) {
  std::string out = "\xc9";
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xff));
  out.push_back(static_cast<char>(type));
  return out + payload;
}

// The payload of ext 71: header, shape, `pad` zero bytes, data.
inline std::string Ext71Payload(char kind, uint8_t itemsize, const std::vector<int64_t>& shape,
                                std::string_view data, uint8_t pad = 0) {
  std::string out;
  out.push_back(kind);
  out.push_back(static_cast<char>(itemsize));
  out.push_back(static_cast<char>(shape.size()));
  out.push_back(static_cast<char>(pad));
  for (int64_t extent : shape) AppendLittle(out, static_cast<uint64_t>(extent));
  out.append(pad, '\0');
  out.append(data);
  return out;
}

template <class T>
std::string_view Bytes(const std::vector<T>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)};
}

// The payload of ext 72.
inline std::string Ext72Payload(char kind, uint8_t itemsize, const std::vector<int64_t>& shape,
                                const void* address, uint64_t token = 0, uint8_t flags = 0) {
  std::string out;
  out.push_back(kind);
  out.push_back(static_cast<char>(itemsize));
  out.push_back(static_cast<char>(shape.size()));
  out.push_back(static_cast<char>(flags));
  for (int64_t extent : shape) AppendLittle(out, static_cast<uint64_t>(extent));
  AppendLittle(out, reinterpret_cast<uintptr_t>(address));
  AppendLittle(out, token);
  return out;
}

// Decodes the one value of `bytes` as T (exts reference `bytes`).
template <class T>
T DecodeFromString(const std::string& bytes) {
  msgpack::object_handle handle = msgpack::unpack(
      bytes.data(), bytes.size(), [](msgpack::type::object_type, std::size_t, void*) { return true; });
  return goray::codec::Decode<T>(handle.get());
}

// The DecodeError text of decoding `bytes` as T ("" if it decodes).
template <class T>
std::string DecodeErrorText(const std::string& bytes) {
  try {
    DecodeFromString<T>(bytes);
  } catch (const goray::codec::DecodeError& error) {
    return error.what();
  }
  return "";
}

}  // namespace array_test
