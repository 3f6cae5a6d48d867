// Serves the Py2Native commands 0-7 (docs/protocol.md §3) and goray's extensions 32-36
// and 38-44 (docs/protocol.md §7, §10, §13) from an application's registry.
#pragma once

#include <cstdint>
#include <string_view>

#include "calls_in/actor_instances.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/registry.h"
#include "calls_in/reply.h"
#include "calls_in/generator_streams.h"

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
  Reply HandleCommand(long long command, std::uint64_t index, std::string_view payload);
  Reply StartDriver(std::string_view payload);
  static Reply ReleaseArray(std::string_view payload);
  Reply TaskActorList() const;
  Reply ActorMethods(std::string_view type_name) const;
  // Parses a task call, adopts its refs, and answers body(args) (or the failure it throws).
  template <class Body>
  Reply OnTaskCall(std::string_view payload, Body&& body);
  Reply RunTask(std::string_view payload, bool out_of_band);
  Reply NewActor(std::string_view payload);
  Reply CallMethod(std::uint64_t index, std::string_view payload, bool out_of_band);
  Reply MapTask(std::string_view payload);
  Reply MapMethod(std::uint64_t index, std::string_view payload);
  Reply CloseActor(std::uint64_t index);
  Reply CheckActorArgs(std::string_view payload) const;
  Reply DescribeApplication() const;
  Reply StartTaskStream(std::string_view payload);
  Reply StartMethodStream(std::uint64_t index, std::string_view payload);
  Reply NextStreamItem(std::uint64_t index, std::string_view payload);
  Reply CloseStream(std::string_view payload);
  // The method commands' common part (ActorMethodCall's answers for a closed or unknown
  // instance or method): runs `body(instance, method, args)` for the call in `payload`
  // on live instance `index`, `method` its entry in the type's methods; what it throws
  // is the reply.
  template <class Body>
  Reply OnMethodCall(std::uint64_t index, std::string_view payload, Body&& body);

  const Registry& registry_;
  ActorInstances instances_;
  StreamTable streams_;
};

// The dispatcher of this library's application (application.h), made on first use.
Dispatcher& ApplicationDispatcher();

}  // namespace goray::detail
