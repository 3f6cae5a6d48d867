// Helpers for a test's fake driver, the Native2Py callback it registers with
// RegisterCallback: the reply buffer it hands back, and the units of a call payload it
// receives (docs/protocol.md §2).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include <msgpack.hpp>

namespace fake_driver {

// A reply as the driver gives one: code and length through the out-parameters, the
// bytes in a buffer of malloc's (the runtime frees it; never NULL, even when empty).
inline void* Reply(long long code, std::string_view body, long long* out_len,
                   long long* ret_code) {
  *ret_code = code;
  *out_len = static_cast<long long>(body.size());
  void* out = std::malloc(body.size() + 1);
  std::memcpy(out, body.data(), body.size());
  return out;
}

// Splits a call payload into (args block, parsed JSON).
inline std::pair<std::string, nlohmann::json> Units(const std::string& payload) {
  auto length_at = [&](size_t offset) {
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) {
      length = (length << 8) | static_cast<unsigned char>(payload[offset + i]);
    }
    return length;
  };
  const uint64_t first = length_at(0);
  const uint64_t second = length_at(8 + first);
  return {payload.substr(8, first), nlohmann::json::parse(payload.substr(16 + first, second))};
}

// The msgpack values `args`, back to back (an args block, or a GetObject answer).
template <class... Args>
std::string Packed(const Args&... args) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  (packer.pack(args), ...);
  return std::string(buffer.data(), buffer.size());
}

}  // namespace fake_driver
