// Finding a call's callee: the registry's tasks and actor types by name, the live actor
// instances by index. A name that is not there is the caller's error (code 5, naming
// what is known); a closed instance is a failure (code 1).
// Tests: tests/cpp/abi_test.cpp
#include "calls_in/callee.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "goray/errors.h"

namespace goray::detail {
namespace {

template <class Map>
std::vector<std::string> KeysOf(const Map& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  return keys;
}

Reply NotAGenerator(std::string_view what, std::string_view callee) {
  return TextReply(kFailed, "goray: " + std::string(what) + " " + std::string(callee) +
                                " is not a generator (its result is not goray::Generator<T>)");
}

// A task's callee; what is not there throws.
std::variant<Callee, Reply> TaskCallee(CallAction action, std::string_view name,
                                       const Registry& registry) {
  Callee callee;
  callee.name = std::string(name);
  callee.role = "task";
  switch (action) {
    case CallAction::kMap:
      callee.method = registry.FindTaskMap(name);
      if (callee.method == nullptr && registry.FindTaskStream(name) != nullptr) {
        throw std::invalid_argument("task " + callee.name +
                                    " streams (returns goray::Generator<T>): goray.map takes "
                                    "a task that returns its result");
      }
      if (callee.method != nullptr) return callee;
      break;
    case CallAction::kStartStream:
      if (registry.FindTask(name) == nullptr) break;
      callee.task_stream = registry.FindTaskStream(name);
      if (callee.task_stream == nullptr) return NotAGenerator("task", name);
      return callee;
    default:
      callee.task = registry.FindTask(name);
      if (callee.task != nullptr) return callee;
  }
  throw UnknownNameError("task", callee.name, registry.TaskNames());
}

// Method `name` of the live instance `index`, the instance found first: a call to a
// closed or unknown instance is answered as such whatever its method.
std::variant<Callee, Reply> MethodCallee(CallAction action, std::uint64_t index,
                                         std::string_view name, const ActorInstances& instances) {
  Callee callee;
  switch (instances.Find(index, &callee.instance)) {
    case ActorInstances::Lookup::kClosed:
      return TextReply(kFailed, "goray: actor instance " + std::to_string(index) +
                                    " is closed (method " + std::string(name) + ")");
    case ActorInstances::Lookup::kUnknown:
      // Live instances are not listed: `known` stays empty.
      return TextReply(kPanic, FailurePayload("goray::UnknownNameError",
                                              "unknown actor instance " + std::to_string(index),
                                              name, "",
                                              {{"kind", "actor instance"},
                                               {"name", std::to_string(index)},
                                               {"known", nlohmann::json::array()}}));
    case ActorInstances::Lookup::kLive:
      break;
  }
  const ActorType& type = *callee.instance.type;
  callee.name = type.name + "." + std::string(name);
  callee.role = "method";
  try {
    auto method = type.methods.find(name);
    if (method == type.methods.end()) {
      throw UnknownNameError("method", std::string(name), KeysOf(type.methods));
    }
    callee.method = &method->second;
    if (action == CallAction::kMap) {
      auto map = type.maps.find(name);
      if (map == type.maps.end()) {
        throw std::invalid_argument("method " + callee.name +
                                    " streams (returns goray::Generator<T>): goray.map takes "
                                    "a method that returns its result");
      }
      callee.method = &map->second;
    } else if (action == CallAction::kStartStream) {
      auto starter = type.streams.find(name);
      if (starter == type.streams.end()) return NotAGenerator("method", callee.name);
      callee.method_stream = &starter->second;
    }
  } catch (...) {
    return PanicReplyForCurrentException(callee.name);
  }
  return callee;
}

}  // namespace

std::variant<Callee, Reply> FindCallee(CallCommand command, std::uint64_t index,
                                       std::string_view name, const Registry& registry,
                                       const ActorInstances& instances) {
  if (command.callee == CalleeKind::kMethod) {
    return MethodCallee(command.action, index, name, instances);
  }
  try {
    if (command.callee == CalleeKind::kTask) return TaskCallee(command.action, name, registry);
    Callee callee;
    callee.name = std::string(name);
    callee.role = "the constructor of actor";
    callee.type = &registry.ActorTypeOrThrow(name);
    return callee;
  } catch (...) {
    return PanicReplyForCurrentException(name);
  }
}

}  // namespace goray::detail
