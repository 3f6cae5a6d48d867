// A call's stages in order; each hands its result to the next and none comes back.
// Tests: tests/cpp/abi_test.cpp
#include "calls_in/serve_call.h"

#include <optional>
#include <utility>
#include <variant>

#include "calls_in/callee.h"
#include "calls_in/incoming_call.h"
#include "calls_in/run_callee.h"

namespace goray::detail {

Reply ServeCall(CallCommand command, std::uint64_t index, std::string_view payload,
                const Registry& registry, ActorInstances& instances, StreamTable& streams) {
  IncomingCall call = ParseIncomingCall(payload);
  // Adopted before the callee is looked up: a call that finds none still releases the
  // refs and handles it brought. CheckActorArgs borrows the block: nothing is adopted.
  std::optional<ReceivedArgs> received;
  try {
    if (command.action != CallAction::kCheckArguments) received.emplace(call);
  } catch (...) {
    return PanicReplyForCurrentException(call.name);
  }
  std::variant<Callee, Reply> found =
      FindCallee(command, index, call.name, registry, instances);
  if (Reply* refusal = std::get_if<Reply>(&found)) return std::move(*refusal);
  return RunCallee(command.action, std::get<Callee>(found), std::move(call.args), instances,
                   streams);
}

}  // namespace goray::detail
