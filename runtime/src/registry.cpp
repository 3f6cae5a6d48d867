// The registry's non-template parts: storage, lookups, driver and init options.
#include "goray/registry.h"

#include "goray/errors.h"

#include <nlohmann/json.hpp>

namespace goray {

void Registry::AddTaskInvoker(std::string name, TaskInvoker invoker) {
  if (name.empty()) throw std::logic_error("goray: a task needs a name");
  if (!tasks_.emplace(name, std::move(invoker)).second) {
    throw std::logic_error("goray: task " + name + " registered twice");
  }
}

ActorType& Registry::AddActorType(std::string name, ActorFactory factory) {
  if (name.empty()) throw std::logic_error("goray: an actor type needs a name");
  auto [entry, added] = actor_types_.try_emplace(name);
  if (!added) throw std::logic_error("goray: actor type " + name + " registered twice");
  entry->second.name = std::move(name);
  entry->second.factory = std::move(factory);
  return entry->second;
}

void Registry::SetDriver(int (*driver_function)()) {
  if (driver_) throw std::logic_error("goray: a second driver was registered");
  driver_ = [driver_function](const std::vector<std::string>&) { return driver_function(); };
}

void Registry::SetDriver(int (*driver_function)(const std::vector<std::string>&)) {
  if (driver_) throw std::logic_error("goray: a second driver was registered");
  driver_ = driver_function;
}

void Registry::SetInitOptions(std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw std::invalid_argument("goray: init options must be a JSON object, got: " +
                                std::string(json));
  }
  init_options_ = std::string(json);
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
