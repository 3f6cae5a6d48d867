// Helpers shared by the tests that drive the runtime through its C ABI (goray/abi.h)
// as the driver does: Execute with a command and an actor instance, the reply copied
// out, and the payloads of RunTask-like commands (docs/protocol.md §1-§2).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "goray/abi.h"
#include "goray/goray.h"

namespace abi_call {

// Execute's reply: its code, its bytes, and whether it returned no buffer at all.
struct Result {
  long long code;
  std::string body;
  bool null_pointer;
};

// Execute(command | index << 10, payload). The payload is this call's own copy, never
// NULL even when empty (like the driver's); once Execute returned it is scribbled over
// and freed, so a runtime that kept pointing into the request reads garbage (and ASan
// reports the freed buffer).
inline Result Call(long long command, std::string payload, uint64_t index = 0) {
  long long out_len = -1;
  long long ret_code = -1;
  void* out = Execute(command | static_cast<long long>(index << 10), payload.data(),
                      static_cast<long long>(payload.size()), &out_len, &ret_code);
  std::memset(payload.data(), 0x5a, payload.size());
  payload.clear();
  payload.shrink_to_fit();
  Result result{ret_code, {}, out == nullptr};
  if (out != nullptr) {
    result.body.assign(static_cast<char*>(out), static_cast<size_t>(out_len));
    FreeMemory(out);
  }
  return result;
}

// A little-endian u64, as the protocol's ids and lengths are.
inline std::string U64(uint64_t value) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}

inline uint64_t ReadU64(const std::string& bytes) {
  EXPECT_EQ(bytes.size(), 8u);
  if (bytes.size() < 8) return 0;
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// One length-prefixed unit: u64 length, then the bytes.
inline void AppendUnit(std::string& out, std::string_view unit) {
  out += U64(unit.size());
  out.append(unit);
}

// The arguments as consecutive msgpack values.
template <class... Args>
std::string ArgsBlock(const Args&... args) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  (packer.pack(args), ...);
  return std::string(buffer.data(), buffer.size());
}

// A call's payload: the name's unit, then the arguments' unit.
template <class... Args>
std::string CallPayload(std::string_view name, const Args&... args) {
  std::string payload;
  AppendUnit(payload, name);
  AppendUnit(payload, ArgsBlock(args...));
  return payload;
}

}  // namespace abi_call
