// The requests sent after the queued submissions, so the driver knows every id they may
// name: CallDriver, and a task or method call's frame finished and sent. Above the
// submission queue, which sends its batches with SendToDriver (driver_call.cpp).
// Tests: tests/cpp/pipeline_test.cpp, tests/cpp/remote_api_test.cpp
#include <cstdint>
#include <cstring>
#include <string>

#include "framing/framing.h"
#include "goray/detail/driver_call.h"
#include "goray/detail/submission.h"
#include "goray/options.h"

namespace goray::detail {

DriverReply CallDriver(long long command, std::string_view payload) {
  if (command != kSubmitBatch) FlushSubmissions();
  return SendToDriver(command, payload);
}

DriverBytes FinishAndSendCall(codec::Buffer& buffer, long long command,
                              std::initializer_list<MetaField> meta, std::string_view callee,
                              const CallExtras* extras,
                              const std::vector<codec::detail::ScatteredData>* scattered) {
  std::string length;
  AppendU64(length, buffer.size() - 8);
  std::memcpy(buffer.data(), length.data(), 8);

  // User options first, then the meta keys: a duplicate key's last value wins
  // in the driver's JSON parser, so meta keys win (docs/protocol.md §2).
  std::string json = "{";
  if (extras != nullptr && !extras->option_members.empty()) {
    json.append(extras->option_members, 1);  // drop the leading comma
    json += ',';
  }
  json += R"("go_ray_arg_pos_to_object":{)";
  if (extras != nullptr) {
    bool first = true;
    for (const auto& [position, id] : extras->ref_positions) {
      if (!first) json += ',';
      first = false;
      json += '"' + std::to_string(position) + R"(":{"id":)" + std::to_string(id) +
              R"(,"auto_release":false})";
    }
  }
  json += '}';
  for (const MetaField& field : meta) {
    json += ",\"";
    json += field.key;  // our own identifiers: nothing to escape
    json += "\":";
    if (const auto* text = std::get_if<std::string_view>(&field.value)) {
      AppendJsonString(json, *text);
    } else if (const auto* raw = std::get_if<JsonText>(&field.value)) {
      json += raw->text;
    } else {
      json += std::to_string(std::get<std::uint64_t>(field.value));
    }
  }
  json += '}';
  std::string json_length;
  AppendU64(json_length, json.size());
  buffer.write(json_length.data(), 8);
  buffer.write(json.data(), json.size());
  if (scattered != nullptr) {
    std::string table;
    AppendU64(table, 24 * scattered->size());
    for (const codec::detail::ScatteredData& data : *scattered) {
      AppendU64(table, data.offset);
      AppendU64(table, data.length);
      AppendU64(table, reinterpret_cast<std::uintptr_t>(data.address));
    }
    buffer.write(table.data(), table.size());
  }

  DriverReply reply = CallDriver(command, std::string_view(buffer.data(), buffer.size()));
  if (reply.code != kSuccess) ThrowDriverFailure(reply, callee);
  return std::move(reply.data);
}

}  // namespace goray::detail
