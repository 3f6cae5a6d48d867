// Native2Py calls: framing the request, invoking the driver's callback with the
// memory rules of docs/protocol.md §1, and turning failures into C++ exceptions.
// Tests: tests/cpp/failure_payload_test.cpp
#include "goray/detail/driver_call.h"

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "calls_out/callback_slot.h"
#include "framing/framing.h"
#include "goray/options.h"

namespace goray::detail {
namespace {

// A string member of `object`, or `fallback` when it is absent or not a string.
std::string StringMember(const nlohmann::json& object, const char* key, std::string fallback = {}) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::move(fallback);
}

// The Ray error classes (the last part of a type such as "ray.exceptions.ActorDiedError")
// that mean the worker or the actor is gone.
enum class Loss { kNone, kWorker, kActor };
Loss LossOf(std::string_view type) {
  const std::size_t dot = type.rfind('.');
  const std::string_view name = dot == std::string_view::npos ? type : type.substr(dot + 1);
  if (name == "WorkerCrashedError" || name == "WorkerDiedError") return Loss::kWorker;
  if (name == "ActorDiedError" || name == "ActorUnavailableError") return Loss::kActor;
  return Loss::kNone;
}

// Code 5: {"Message", "Traceback", "Error": {"type", "message", "task", ...}}
// (docs/protocol.md §9). A payload without the structured member
// (not JSON, or from a producer that does not write it) is an untyped message.
[[noreturn]] void ThrowTaskFailure(const std::string& text, const std::string& callee) {
  const nlohmann::json panic = nlohmann::json::parse(text, nullptr, false);
  std::string type;
  std::string message = text;
  std::string task = callee;
  std::string traceback;
  if (panic.is_object()) {
    message = StringMember(panic, "Message", std::move(message));
    traceback = StringMember(panic, "Traceback");
    if (auto error = panic.find("Error"); error != panic.end() && error->is_object()) {
      type = StringMember(*error, "type");
      message = StringMember(*error, "message", std::move(message));
      task = StringMember(*error, "task");
      if (task.empty()) task = callee;
      // An exception thrown for one row of a batch (goray::ForEachRow) names the row.
      if (auto row = error->find("row"); row != error->end() && row->is_number_unsigned()) {
        message = "row " + std::to_string(row->get<std::uint64_t>()) + " failed: " + message;
      }
    }
  }
  switch (LossOf(type)) {
    case Loss::kWorker:
      throw WorkerDiedError(std::move(type), std::move(message), std::move(task), std::move(traceback));
    case Loss::kActor:
      throw ActorDiedError(std::move(type), std::move(message), std::move(task), std::move(traceback));
    case Loss::kNone:
      break;
  }
  throw TaskError(std::move(type), std::move(message), std::move(task), std::move(traceback));
}

// Code 1 from the driver: ours answers {"Message", "Traceback", "Error": {"type",
// "message", ...}} to a library of protocol version 4 (docs/protocol.md §9); any other
// text (GoRay's driver, or a reply no handler wrote) is the message, untyped.
PythonError PythonFailure(std::string_view text, std::string_view callee) {
  const nlohmann::json failure = nlohmann::json::parse(text, nullptr, false);
  if (failure.is_object()) {
    if (auto error = failure.find("Error"); error != failure.end() && error->is_object()) {
      return PythonError(StringMember(*error, "type"), StringMember(*error, "message"),
                         std::string(callee), StringMember(failure, "Traceback"));
    }
  }
  return PythonError("PythonError", std::string(text), std::string(callee));
}

}  // namespace

// Appends `text` as a JSON string. Plain ASCII is copied as is; anything with
// quotes, backslashes, control characters or non-ASCII bytes (which may not be
// valid UTF-8) goes through nlohmann's escaper.
void AppendJsonString(std::string& json, std::string_view text) {
  bool plain = true;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || byte < 0x20 || byte >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) {
    json += '"';
    json += text;
    json += '"';
  } else {
    json += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

std::string OpenJsonWithOptions(const std::vector<Option>& options) {
  std::string json = "{";
  for (const Option& option : options) {
    AppendJsonString(json, option.key());
    json += ':' + option.json() + ',';
  }
  return json;
}

void CheckJson(std::string_view text, std::string_view what) {
  if (!nlohmann::json::accept(text)) {
    throw std::invalid_argument("goray: " + std::string(what) + " is not valid JSON: " + std::string(text));
  }
}

DriverReply SendToDriver(long long command, std::string_view payload) {
  DriverCallback callback = InstalledCallback();
  if (callback == nullptr) {
    throw Error("goray::Error",
                "no Python driver: RegisterCallback was never called (load this library with "
                "goray, not plain dlopen)");
  }
  long long out_len = 0;
  long long ret_code = kFailed;  // what a driver that fails before writing them means
  void* in_data = payload.empty() ? nullptr : const_cast<char*>(payload.data());
  void* out = callback(command, in_data, static_cast<long long>(payload.size()), &out_len,
                       &ret_code);
  DriverReply reply;
  reply.code = ret_code;
  reply.data = DriverBytes(out, out == nullptr || out_len < 0 ? 0 : static_cast<std::size_t>(out_len));
  return reply;
}

bool IsStructuredFailure(std::string_view text) {
  const nlohmann::json failure = nlohmann::json::parse(text, nullptr, false);
  return failure.is_object() && failure.contains("Error");
}

void ThrowDriverFailure(const DriverReply& reply, std::string_view callee) {
  ThrowDriverFailure(reply.code, reply.data.view(), callee);
}

void ThrowDriverFailure(long long code, std::string_view reply_text, std::string_view callee) {
  const std::string task(callee);
  const std::string text(reply_text);
  switch (code) {
    case kFailed:
      throw PythonFailure(text, callee);
    case kTimeout:
      throw TimeoutError("goray::TimeoutError", text, task);
    case kCancelled:
      throw CancelledError("goray::CancelledError", text, task);
    case kObjectRefNotFound:
      throw ObjectRefNotFoundError("goray::ObjectRefNotFoundError", text, task);
    case kPanic:
      ThrowTaskFailure(text, task);
    default:
      throw Error("goray::Error",
                  "the driver answered with unknown code " + std::to_string(code) + ": " +
                      text,
                  task);
  }
}

void BeginArgsUnit(codec::Buffer& buffer) { buffer.write("\0\0\0\0\0\0\0\0", 8); }

std::uint64_t ParseId(std::string_view reply, std::string_view callee) {
  if (reply.size() != 8) {
    throw ProtocolError("goray::ProtocolError",
                        "expected an 8-byte id from the driver, received " +
                            std::to_string(reply.size()) + " bytes",
                        std::string(callee));
  }
  return ReadU64(reply.data());
}

namespace {
// Strings, bytes and exts point into the payload instead of being copied into
// the zone: the payload outlives the decoding, and values can be large.
bool ReferenceEverything(msgpack::type::object_type, std::size_t, void*) { return true; }
}  // namespace

std::vector<msgpack::object> UnpackAll(msgpack::zone& zone, std::string_view payload,
                                       std::string_view callee) {
  std::vector<msgpack::object> values;
  try {
    for (std::size_t offset = 0; offset < payload.size();) {
      bool referenced = false;
      values.push_back(msgpack::unpack(zone, payload.data(), payload.size(), offset, referenced,
                                       &ReferenceEverything, nullptr,
                                       codec::UnpackLimitFor(payload.size())));
    }
  } catch (const msgpack::unpack_error& error) {
    throw ProtocolError("goray::ProtocolError", std::string("malformed msgpack value: ") + error.what(),
                        std::string(callee));
  }
  return values;
}

}  // namespace goray::detail
