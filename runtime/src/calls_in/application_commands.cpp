// Answers about the application as a whole, from its registry: what goray-gen read of it
// (parameter names, defaults, result enums) included.
// Tests: tests/cpp/abi_test.cpp
#include "calls_in/application_commands.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crash/crash_report.h"
#include "goray/errors.h"

namespace goray::detail {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

Reply JsonReply(const nlohmann::json& json) {
  return TextReply(kSuccess, json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Driver arguments: our driver may send a JSON array of strings; GoRay's sends nothing.
std::vector<std::string> ParseDriverArgs(std::string_view payload) {
  if (payload.empty()) return {};
  nlohmann::json args = nlohmann::json::parse(payload, nullptr, false);
  if (!args.is_array()) throw ProtocolError("StartDriver expects a JSON array of strings");
  std::vector<std::string> result;
  for (const auto& arg : args) {
    if (!arg.is_string()) throw ProtocolError("StartDriver expects a JSON array of strings");
    result.push_back(arg.get<std::string>());
  }
  return result;
}

// entry["params"] = the parameters SetParameters gave for `name` in `table`, if any.
void AddParams(nlohmann::json& entry, const nlohmann::json& table, const std::string& name) {
  if (!table.is_object()) return;
  auto found = table.find(name);
  if (found == table.end()) return;
  const nlohmann::json& params = found->is_object() ? found->value("params", nlohmann::json())
                                                    : *found;
  if (params.is_array()) entry["params"] = params;
}

}  // namespace

Reply InitOptions(const Registry& registry) {
  return TextReply(kSuccess, registry.init_options());
}

Reply StartDriver(const Registry& registry, std::string_view payload) {
  const auto& driver = registry.driver();
  if (!driver) {
    return TextReply(kFailed, "goray: the application has no driver (declare one with GORAY_DRIVER)");
  }
  try {
    crash::CallScope crash_scope("the driver", "Driver()");
    int code = (*driver)(ParseDriverArgs(payload));
    return TextReply(kSuccess, std::to_string(code));
  } catch (...) {
    return PanicReplyForCurrentException("Driver");
  }
}

Reply TaskActorList(const Registry& registry) {
  return JsonReply(nlohmann::json::array({registry.TaskNames(), registry.ActorTypeNames()}));
}

Reply ActorMethods(const Registry& registry, std::string_view type_name) {
  const ActorType* type = registry.FindActorType(type_name);
  if (type == nullptr) {
    return TextReply(kFailed, "goray: actor type '" + std::string(type_name) +
                                  "' not found; known actor types: " + JoinNames(registry.ActorTypeNames()));
  }
  nlohmann::json names = nlohmann::json::array();
  for (const auto& entry : type->methods) names.push_back(entry.first);
  return JsonReply(names);
}

Reply DescribeApplication(const Registry& registry) {
  // Parameter names and constant defaults, as goray-gen read them (keyword arguments).
  const nlohmann::json parameters = nlohmann::json::parse(registry.parameters());
  const nlohmann::json no_table = nlohmann::json::object();
  const nlohmann::json& task_params = parameters.is_object() && parameters.contains("tasks")
                                          ? parameters["tasks"] : no_table;
  const nlohmann::json& actor_params = parameters.is_object() && parameters.contains("actors")
                                           ? parameters["actors"] : no_table;
  nlohmann::json tasks = nlohmann::json::object();
  for (const std::string& name : registry.TaskNames()) {
    tasks[name] = {{"stream", registry.FindTaskStream(name) != nullptr}};
    if (const std::string* map = registry.FindTaskMapDescription(name)) {
      tasks[name]["map"] = nlohmann::json::parse(*map);
    }
    AddParams(tasks[name], task_params, name);
  }
  nlohmann::json actors = nlohmann::json::object();
  for (const std::string& name : registry.ActorTypeNames()) {
    const ActorType& type = registry.ActorTypeOrThrow(name);
    nlohmann::json groups = nlohmann::json::object();
    for (const auto& [group, size] : type.concurrency_groups) groups[group] = size;
    const nlohmann::json& declared =
        actor_params.is_object() && actor_params.contains(name) ? actor_params[name] : no_table;
    const nlohmann::json& method_params =
        declared.is_object() && declared.contains("methods") ? declared["methods"] : no_table;
    nlohmann::json methods = nlohmann::json::object();
    for (const auto& entry : type.methods) {
      nlohmann::json method = {{"stream", type.streams.count(entry.first) != 0}};
      auto group = type.method_groups.find(entry.first);
      if (group != type.method_groups.end()) method["concurrency_group"] = group->second;
      auto map = type.map_descriptions.find(entry.first);
      if (map != type.map_descriptions.end()) method["map"] = nlohmann::json::parse(map->second);
      AddParams(method, method_params, entry.first);
      methods[entry.first] = std::move(method);
    }
    actors[name] = {{"thread_safe", type.thread_safe},
                    {"concurrency_groups", std::move(groups)},
                    {"methods", std::move(methods)}};
    if (!type.options.empty()) actors[name]["options"] = nlohmann::json::parse(type.options);
    AddParams(actors[name], actor_params, name);
  }
  nlohmann::json reply = {{"actors", std::move(actors)}, {"tasks", std::move(tasks)}};
  // The application's name (goray-gen's NAME): its typed entries' module (§17).
  if (!registry.name().empty()) reply["name"] = registry.name();
  // Where results hold enums, as goray-gen wrote it: Python makes those ints the
  // generated IntEnums' members (goray-gen's result_enums.py).
  if (parameters.is_object() && parameters.contains("result_enums")) {
    reply["result_enums"] = parameters["result_enums"];
  }
  return JsonReply(reply);
}

}  // namespace goray::detail
