// The find stage of a call (calls_in/serve_call.cpp): the task, actor type or live
// instance's method a call names, looked up for what its command asks of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "calls_in/actor_instances.h"
#include "calls_in/call_command.h"
#include "calls_in/reply.h"
#include "goray/registry.h"

namespace goray::detail {

struct Callee {
  std::string name;         // the task, the actor type or Type.method: failures name it
  const char* role = "";    // what a crash report calls it: "task", "method", ...
  ActorInstance instance;   // a method's, held through the call (CloseActor cannot free it)
  // What runs, by the command's action: the one its action needs is set.
  const TaskInvoker* task = nullptr;                   // kRun, kRunOutOfBand of a task
  const MethodInvoker* method = nullptr;               // those of a method; kMap of either
  const StreamStarter* task_stream = nullptr;          // kStartStream of a task
  const MethodStreamStarter* method_stream = nullptr;  // kStartStream of a method
  const ActorType* type = nullptr;                     // kConstruct, kCheckArguments

  // The object a method runs on (null for a task).
  void* self() const noexcept { return instance.object.get(); }
};

// The callee `command` names: `name`, or method `name` of live instance `index`. Or the
// reply that refuses the call: an unknown name (code 5), a closed instance, a callee
// that cannot do what the command asks (a map of a generator, a stream of a function).
std::variant<Callee, Reply> FindCallee(CallCommand command, std::uint64_t index,
                                       std::string_view name, const Registry& registry,
                                       const ActorInstances& instances);

}  // namespace goray::detail
