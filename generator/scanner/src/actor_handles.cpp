// Resolution of goray::ActorHandleOf<Actor> to the actor type building Actor.
#include "actor_handles.h"

#include <map>

#include "goray/scan/scan.h"
#include "display_name.h"

namespace goray::scan {
namespace {

using ActorOf = std::map<std::string, std::string>;  // class -> first actor type building it

void Resolve(idl::Type& type, const ActorOf& actor_of) {
  auto resolve_one = [&](idl::Type& candidate) {
    auto* handle = std::get_if<idl::ActorHandleType>(&candidate.kind);
    if (handle == nullptr || !handle->class_name) return;
    auto found = actor_of.find(*handle->class_name);
    if (found != actor_of.end()) handle->actor = found->second;
  };
  resolve_one(type);
  idl::ForEachNested(type, resolve_one);
}

void Resolve(std::vector<idl::Param>& params, const ActorOf& actor_of) {
  for (idl::Param& param : params) Resolve(param.type, actor_of);
}

}  // namespace

bool ResolveActorHandles(idl::Document& document, const Model& model,
                         std::vector<Diagnostic>& diagnostics, std::string& rendered) {
  ActorOf actor_of;
  for (const idl::Actor& actor : document.actors) {  // in source order
    actor_of.emplace(actor.class_name, actor.name);
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
  if (!ok) return false;
  for (idl::Task& task : document.tasks) {
    Resolve(task.params, actor_of);
    Resolve(task.result, actor_of);
  }
  for (idl::Actor& actor : document.actors) {
    Resolve(actor.params, actor_of);
    for (idl::Method& method : actor.methods) {
      Resolve(method.params, actor_of);
      Resolve(method.result, actor_of);
    }
  }
  for (idl::Struct& record : document.structs) {
    for (idl::Field& field : record.fields) Resolve(field.type, actor_of);
  }
  return true;
}

}  // namespace goray::scan
