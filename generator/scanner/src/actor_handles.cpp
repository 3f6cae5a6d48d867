// Resolution of goray::ActorHandleOf<Actor> to the actor type building Actor.
#include "actor_handles.h"

#include <map>

namespace goray::scan {
namespace {

void Resolve(nlohmann::json& node, const std::map<std::string, std::string>& actor_of) {
  if (node.is_object()) {
    if (node.value("kind", "") == "actor_handle" && node["class"].is_string()) {
      auto found = actor_of.find(node["class"].get<std::string>());
      if (found != actor_of.end()) node["actor"] = found->second;
    }
    for (auto& [key, value] : node.items()) Resolve(value, actor_of);
  } else if (node.is_array()) {
    for (nlohmann::json& value : node) Resolve(value, actor_of);
  }
}

std::string Display(const std::string& qualified) {
  return qualified.rfind("::", 0) == 0 ? qualified.substr(2) : qualified;
}

}  // namespace

bool ResolveActorHandles(nlohmann::json& idl, const Model& model,
                         std::vector<Diagnostic>& diagnostics, std::string& rendered) {
  std::map<std::string, std::string> actor_of;  // class -> first actor type building it
  for (const nlohmann::json& actor : idl["actors"]) {  // in source order
    actor_of.emplace(actor["class"].get<std::string>(), actor["name"].get<std::string>());
  }
  bool ok = true;
  for (const auto& [class_name, use] : model.handle_uses) {
    if (actor_of.count(class_name) != 0) continue;
    std::string message =
        use.what + " is a goray::ActorHandleOf<" + Display(class_name) + ">, but no actor type "
        "builds a '" + Display(class_name) + "': register one (a GORAY_ACTORS factory returning "
        "it, or mark the class GORAY_ACTOR), or take a goray::ActorHandle";
    diagnostics.push_back({use.position.file, use.position.line, use.position.column, "error",
                           message});
    rendered += use.position.Describe() + ": error: " + message + "\n";
    ok = false;
  }
  if (ok) {
    Resolve(idl["tasks"], actor_of);
    Resolve(idl["actors"], actor_of);
    Resolve(idl["structs"], actor_of);
  }
  return ok;
}

}  // namespace goray::scan
