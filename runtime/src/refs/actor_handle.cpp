// ActorHandle: shared driver ids released with the last copy; Kill; GetActor; the method
// names NewActor sends for a native actor type (the type its caller found: NativeActorType).
// Tests: tests/cpp/remote_api_test.cpp
#include "goray/actor_handle.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "framing/framing.h"
#include "goray/detail/features.h"
#include "goray/detail/submission.h"
#include "goray/registry.h"

namespace goray {

struct ActorHandle::State {
  std::uint64_t id = 0;
  std::string type_name;
  bool is_native = false;
  ~State() {
    if (detail::FeatureOn(detail::kFeaturePipelined)) {
      detail::EnqueueRelease(detail::kRecordReleaseActor, id);  // after calls that used it
      return;
    }
    try {
      std::string payload;
      detail::AppendU64(payload, id);
      // An extension (docs/protocol.md §7): a driver that does not know it answers code 1,
      // and holds the actor until the job ends, as GoRay does.
      detail::CallDriver(detail::kReleaseActor, payload);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "goray: releasing actor %s failed: %s\n", type_name.c_str(), error.what());
    }
  }
};

ActorHandle::ActorHandle(std::uint64_t id, std::string type_name, bool is_native)
    : state_(std::make_shared<State>()) {
  state_->id = id;
  state_->type_name = std::move(type_name);
  state_->is_native = is_native;
}

namespace {
[[noreturn]] void ThrowMovedFrom() {
  throw Error("goray::Error", "use of a moved-from ActorHandle");
}
}  // namespace

std::uint64_t ActorHandle::id() const {
  if (!state_) ThrowMovedFrom();
  return state_->id;
}

const std::string& ActorHandle::type_name() const {
  if (!state_) ThrowMovedFrom();
  return state_->type_name;
}

bool ActorHandle::is_native() const {
  if (!state_) ThrowMovedFrom();
  return state_->is_native;
}

void ActorHandle::KillWith(const std::vector<Option>& options) const {
  std::string json = detail::OpenJsonWithOptions(options);
  json += R"("goray_py_local_actor_id":)" + std::to_string(id()) + '}';
  detail::DriverReply reply = detail::CallDriver(detail::kKillActor, json);
  if (reply.code != detail::kSuccess) detail::ThrowDriverFailure(reply, type_name() + ".Kill");
}

ActorHandle GetActorWith(std::string_view name, const std::vector<Option>& options) {
  std::string json = detail::OpenJsonWithOptions(options);
  json += R"("name":)";
  detail::AppendJsonString(json, name);
  json += '}';
  detail::DriverReply reply = detail::CallDriver(detail::kGetActor, json);
  if (reply.code != detail::kSuccess) detail::ThrowDriverFailure(reply, "GetActor " + std::string(name));
  nlohmann::json answer = nlohmann::json::parse(reply.data.view(), nullptr, false);
  if (!answer.is_object() || !answer.contains("py_local_id") || !answer.contains("actor_type_name")) {
    throw ProtocolError("goray::ProtocolError", "GetActor reply lacks py_local_id or actor_type_name",
                        std::string(name));
  }
  return ActorHandle(answer["py_local_id"].get<std::uint64_t>(),
                     answer["actor_type_name"].get<std::string>(),
                     answer.value("is_golang_actor", false));
}

namespace detail {

std::string ActorMethodsJson(const ActorType& type) {
  std::string json = "[";
  for (const auto& [name, method] : type.methods) {
    if (json.size() > 1) json += ',';
    AppendJsonString(json, name);
  }
  return json + "]";
}

}  // namespace detail

}  // namespace goray
