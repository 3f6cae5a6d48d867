// Helpers for a test's fake driver, the Native2Py callback it registers with
// RegisterCallback: the reply buffer it hands back, and the units of a call payload it
// receives (docs/protocol.md §2).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

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

// One request a fake driver received, and the thread it came from (the flusher's, or
// the caller's).
struct Request {
  long long command;
  std::string payload;
  std::thread::id thread = std::this_thread::get_id();
};

// What a fake driver received, in order, under one mutex that the fake's own state may
// share (hold mutex() while reading or changing it). Make it never destroyed
// (`*new RequestLog`): a flusher thread may call the fake at exit.
class RequestLog {
 public:
  std::mutex& mutex() { return mutex_; }
  // Records a request; the caller holds mutex().
  void AddLocked(long long command, std::string payload) {
    requests_.push_back({command, std::move(payload)});
  }
  // Forgets every request; the caller holds mutex().
  void ClearLocked() { requests_.clear(); }
  // The requests of `command` (-1: all), in order.
  std::vector<Request> Of(long long command) {
    std::lock_guard lock(mutex_);
    std::vector<Request> found;
    for (const Request& request : requests_) {
      if (command == -1 || request.command == command) found.push_back(request);
    }
    return found;
  }
  // Every request's command, in order.
  std::vector<long long> Commands() {
    std::lock_guard lock(mutex_);
    std::vector<long long> commands;
    for (const Request& request : requests_) commands.push_back(request.command);
    return commands;
  }

 private:
  std::mutex mutex_;
  std::vector<Request> requests_;
};

}  // namespace fake_driver
