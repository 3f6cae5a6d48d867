// The registry's lookups: what the dispatcher, typed entries and actor handles find in
// the application's table (registration.cpp fills it).
// Tests: tests/cpp/map_loop_test.cpp
#include "goray/registry.h"

#include "goray/errors.h"

namespace goray {

const StreamStarter* Registry::FindTaskStream(std::string_view name) const {
  auto found = task_streams_.find(name);
  return found == task_streams_.end() ? nullptr : &found->second;
}

const MapInvoker* Registry::FindTaskMap(std::string_view name) const {
  auto found = task_maps_.find(name);
  return found == task_maps_.end() ? nullptr : &found->second.second;
}

const std::string* Registry::FindTaskMapDescription(std::string_view name) const {
  auto found = task_maps_.find(name);
  return found == task_maps_.end() ? nullptr : &found->second.first;
}

const TaskInvoker* Registry::FindTask(std::string_view name) const {
  auto found = tasks_.find(name);
  return found == tasks_.end() ? nullptr : &found->second;
}

const ActorType* Registry::FindActorType(std::string_view name) const {
  auto found = actor_types_.find(name);
  return found == actor_types_.end() ? nullptr : &found->second;
}

const ActorType& Registry::ActorTypeOrThrow(std::string_view name) const {
  const ActorType* type = FindActorType(name);
  if (type == nullptr) {
    throw UnknownNameError("actor type", std::string(name), ActorTypeNames());
  }
  return *type;
}

std::vector<std::string> Registry::TaskNames() const {
  std::vector<std::string> names;
  for (const auto& entry : tasks_) names.push_back(entry.first);
  return names;  // std::map: already sorted
}

std::vector<std::string> Registry::ActorTypeNames() const {
  std::vector<std::string> names;
  for (const auto& entry : actor_types_) names.push_back(entry.first);
  return names;
}

}  // namespace goray
