// Units (u64 little-endian length || bytes) and request words (docs/protocol.md §2).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace goray::detail {

// Splits a units message. Truncated or overlong units throw ProtocolError.
std::vector<std::string_view> SplitUnits(std::string_view message);

inline void AppendU64(std::string& out, std::uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  out.append(bytes, 8);
}

inline void AppendU32(std::string& out, std::uint32_t value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  out.append(bytes, 4);
}

inline std::uint64_t ReadU64(const char* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

inline std::uint32_t ReadU32(const char* bytes) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

inline void AppendUnit(std::string& out, std::string_view unit) {
  AppendU64(out, unit.size());
  out.append(unit);
}

}  // namespace goray::detail
