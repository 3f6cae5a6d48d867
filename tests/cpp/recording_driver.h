// A fake driver for the out-of-band tests (GetObject lending, scattered call
// arguments): it records every Native2Py request, splits SubmitBatch payloads into
// records, counts the objects released (ReleaseObject 10 or a release record), and
// answers through a hook the test sets.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <msgpack.hpp>

#include "fake_driver.h"
#include "goray/abi.h"

namespace recording_driver {

inline std::uint64_t Le(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

inline std::string U64(std::uint64_t value) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}

// One GetObjects (34) reply entry: u32 code, u64 length, the bytes.
inline std::string GetObjectsEntry(std::uint32_t code, std::string_view body) {
  std::string out = U64(code).substr(0, 4) + U64(body.size());
  out.append(body);
  return out;
}

using fake_driver::Packed;

// ext 72 with flags bit 1 (lent), token 0: a 1-D float64 array at `data`, as a lend
// reply holds it.
inline std::string LentArray(const std::vector<double>& data) {
  std::string body = "f";
  body += static_cast<char>(8);  // itemsize
  body += static_cast<char>(1);  // ndim
  body += static_cast<char>(2);  // flags: lent
  body += U64(data.size());
  body += U64(reinterpret_cast<std::uintptr_t>(data.data()));
  body += U64(0);
  return std::string("\xc7", 1) + static_cast<char>(body.size()) + static_cast<char>(72) + body;
}

// One SubmitBatch record (docs/protocol.md §11): its kind, the id it carries (result
// id, or the released id) and, for calls, its name and block.
struct Record {
  int kind = 0;
  std::uint64_t id = 0;
  std::string name;
  std::string block;
};

inline std::vector<Record> ParseRecords(std::string_view payload) {
  std::vector<Record> records;
  std::size_t at = 0;
  auto text = [&] {
    const std::size_t length = Le(payload, at, 4);
    std::string value(payload.substr(at + 4, length));
    at += 4 + length;
    return value;
  };
  while (at < payload.size()) {
    Record record;
    record.kind = static_cast<unsigned char>(payload[at++]);
    if (record.kind == 1) {  // DefineOptions
      at += 4;
      text();
    } else if (record.kind >= 2 && record.kind <= 4) {
      record.id = Le(payload, at, 8);
      at += record.kind == 4 ? 16 : 8;
      at += 4;  // options id
      record.name = text();
      at += 4 + 12 * Le(payload, at, 4);
      const std::size_t length = Le(payload, at, 8);
      record.block = std::string(payload.substr(at + 8, length));
      at += 8 + length;
    } else {  // 5, 6: releases
      record.id = Le(payload, at, 8);
      at += 8;
    }
    records.push_back(std::move(record));
  }
  return records;
}

// What the driver saw: one event per command, and one per record of a SubmitBatch
// (command 33 with `record` set).
struct Event {
  long long command = 0;
  std::string payload;
  Record record;
};

struct State {
  std::mutex mu;
  std::vector<Event> events;
  // Answers every command but 33 (which answers code 0): (code, body).
  std::function<std::tuple<long long, std::string>(long long, const std::string&)> answer;
};

// Never destroyed: the flusher may call the driver while the process exits.
inline State& Driver() {
  static auto* state = new State;
  return *state;
}

inline void* Callback(long long command, void* in_data, long long in_len, long long* out_len,
                      long long* ret_code) {
  const std::string payload(static_cast<char*>(in_data), in_data ? static_cast<std::size_t>(in_len) : 0);
  State& state = Driver();
  std::unique_lock lock(state.mu);
  if (command == 33) {
    for (Record& record : ParseRecords(payload)) state.events.push_back({33, {}, std::move(record)});
    return fake_driver::Reply(0, "", out_len, ret_code);
  }
  state.events.push_back({command, payload, {}});
  auto answer = state.answer;
  lock.unlock();  // the answer may call back into the library
  auto [code, body] = answer ? answer(command, payload) : std::make_tuple(0LL, std::string());
  return fake_driver::Reply(code, body, out_len, ret_code);
}

inline std::vector<Event> Events() {
  std::lock_guard lock(Driver().mu);
  return Driver().events;
}

inline void Clear() {
  std::lock_guard lock(Driver().mu);
  Driver().events.clear();
}

// A GetObjects (34) request: `f64 timeout, u32 count, count x u64 id [, u8 flags]`.
struct BatchRequest {
  std::vector<std::uint64_t> ids;
  bool lend = false;   // flags bit 1
  bool ahead = false;  // flags bit 2: the ids after the first are read ahead
  std::size_t size = 0;
};

inline BatchRequest ParseBatch(const std::string& payload) {
  BatchRequest request;
  request.size = payload.size();
  const std::size_t count = Le(payload, 8, 4);
  for (std::size_t i = 0; i < count; ++i) request.ids.push_back(Le(payload, 12 + 8 * i, 8));
  const int flags = payload.size() == 13 + 8 * count ? static_cast<unsigned char>(payload.back()) : 0;
  request.lend = (flags & 1) != 0;
  request.ahead = (flags & 2) != 0;
  return request;
}

// Every GetObjects request so far.
inline std::vector<BatchRequest> BatchRequests() {
  std::vector<BatchRequest> requests;
  for (const Event& event : Events()) {
    if (event.command == 34) requests.push_back(ParseBatch(event.payload));
  }
  return requests;
}

// How many times `id` was released, by ReleaseObject (10) or a release record.
inline int Releases(std::uint64_t id) {
  int count = 0;
  for (const Event& event : Events()) {
    if (event.command == 10 && event.payload == U64(id)) ++count;
    if (event.command == 33 && event.record.kind == 5 && event.record.id == id) ++count;
  }
  return count;
}

// Execute with a string payload: (code, body).
inline std::tuple<long long, std::string> Execute(long long command, const std::string& payload) {
  long long out_len = 0;
  long long code = -1;
  void* out = ::Execute(command, const_cast<char*>(payload.data()),
                        static_cast<long long>(payload.size()), &out_len, &code);
  std::string body = out ? std::string(static_cast<char*>(out), static_cast<std::size_t>(out_len)) : "";
  FreeMemory(out);
  return {code, body};
}

// EnableFeatures (37): the bits now on.
inline std::uint64_t EnableFeatures(std::uint64_t mask) {
  auto [code, body] = Execute(37, U64(mask));
  return code == 0 && body.size() == 8 ? Le(body, 0, 8) : ~std::uint64_t{0};
}

}  // namespace recording_driver
