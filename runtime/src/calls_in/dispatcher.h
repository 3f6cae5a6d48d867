// Serves the Py2Native commands 0-7 (docs/protocol.md §3) and goray's extensions 32-36
// and 38-46 (docs/protocol.md §7, §10, §13) from an application's registry: routes each
// to the module that serves it (a call: serve_call.h), under the scopes every command has.
#pragma once

#include <cstdint>
#include <string_view>

#include "calls_in/actor_instances.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/registry.h"
#include "calls_in/generator_streams.h"
#include "calls_in/reply.h"

namespace goray::detail {

// The Py2Native request word is `command | index << kRequestCommandBits` (docs/protocol.md
// §1): the low bits name the command, the high bits index a task, actor type or method.
constexpr long long kRequestCommandMask = (1LL << kRequestCommandBits) - 1;

inline long long RequestCommand(long long request) { return request & kRequestCommandMask; }
inline std::uint64_t RequestIndex(long long request) {
  return static_cast<std::uint64_t>(request) >> kRequestCommandBits;
}

// The Py2Native command numbers (Py2NativeCommand: kServe<Name>) are protocol_numbers.h's.

class Dispatcher {
 public:
  explicit Dispatcher(const Registry& registry) : registry_(registry) {}

  // Thread-safe and re-entrant; never throws.
  Reply Handle(long long request, std::string_view payload);

  const ActorInstances& instances() const noexcept { return instances_; }
  // A typed entry's constructed actor into the instance table (typed_entries.cpp): its index.
  std::uint64_t AdoptInstance(ActorInstance instance) { return instances_.Add(std::move(instance)); }
  // CloseActor of an instance; false when it was not live.
  bool CloseInstance(std::uint64_t index) {
    return instances_.Close(index) == ActorInstances::Lookup::kLive;
  }
  const StreamTable& streams() const noexcept { return streams_; }

 private:
  // The command's reply: each command handed to the one module that serves it.
  Reply Serve(long long command, std::uint64_t index, std::string_view payload);
  Reply CloseActor(std::uint64_t index);

  const Registry& registry_;
  ActorInstances instances_;
  StreamTable streams_;
};

// The dispatcher of this library's application (application.h), made on first use.
Dispatcher& ApplicationDispatcher();

}  // namespace goray::detail
