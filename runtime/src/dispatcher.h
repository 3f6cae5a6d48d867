// Serves the Py2Native commands 0-7 (docs/protocol.md §3) and goray's extensions 32-36
// and 38-44 (docs/protocol.md §7, §10, §13) from an application's registry.
#pragma once

#include <cstdint>
#include <string_view>

#include "actor_instances.h"
#include "goray/registry.h"
#include "reply.h"
#include "streams.h"

namespace goray::detail {

// The Py2Native request word is `command | index << kRequestIndexShift` (docs/protocol.md
// §3): the low bits name the command, the high bits index a task, actor type or method.
constexpr int kRequestIndexShift = 10;
constexpr long long kRequestCommandMask = (1LL << kRequestIndexShift) - 1;

inline long long RequestCommand(long long request) { return request & kRequestCommandMask; }
inline std::uint64_t RequestIndex(long long request) {
  return static_cast<std::uint64_t>(request) >> kRequestIndexShift;
}

// Py2Native command numbers (the commands this library serves).
enum Py2NativeCommand : long long {
  kServeInitOptions = 0,
  kServeStartDriver = 1,
  kServeTaskActorList = 2,
  kServeActorMethods = 3,
  kServeRunTask = 4,
  kServeNewActor = 5,
  kServeActorMethodCall = 6,
  kServeCloseActor = 7,
  // Extension (docs/protocol.md §7): do these constructor arguments fit the actor type?
  kServeCheckActorArgs = 32,
  // Arrays: from now on write arrays as ext 71 (empty payload).
  kServeEnableArrays = 33,
  // As RunTask / ActorMethodCall, with array results handed over as ext 72 owned.
  kServeRunTaskForPython = 34,
  kServeActorMethodCallForPython = 35,
  // Payload u64 LE token: the driver is done with a handed-over array.
  kServeReleaseArray = 36,
  // Streams (docs/protocol.md §13): the traits of every task and actor type; start a
  // generator task / method (payload as 4 / 6); the next item of a stream (request word
  // index 1: encoded as 34/35 do); destroy a stream.
  kServeDescribeApplication = 38,
  kServeStartTaskStream = 39,
  kServeStartMethodStream = 40,
  kServeNextStreamItem = 41,
  kServeCloseStream = 42,
  // As RunTask / ActorMethodCall, the results as a scattered block: each large array's
  // data handed over by address under a ReleaseArray token (docs/protocol.md §10,
  // "Arrays out of band").
  kServeRunTaskOutOfBand = 43,
  kServeActorMethodCallOutOfBand = 44,
  // goray.map (docs/protocol.md §16): a task / an actor method (index = instance) over a
  // chunk of items in one native loop; payload as 4 / 6, results as 34 / 35.
  kServeMapTask = 45,
  kServeMapMethod = 46,
};

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
