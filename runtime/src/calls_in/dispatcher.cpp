// Command handling for calls from the driver: every command's reply comes from the one
// module that serves it, and every path catches everything and answers with a code:
// exceptions never cross the C ABI.
// Tests: tests/cpp/abi_test.cpp
#include "calls_in/dispatcher.h"

#include <optional>
#include <string>

#include "application/application.h"
#include "calls_in/application_commands.h"
#include "calls_in/call_command.h"
#include "calls_in/results_reply.h"
#include "calls_in/serve_call.h"
#include "calls_in/stream_requests.h"
#include "codec/array_handoff.h"

namespace goray::detail {

Reply Dispatcher::Handle(long long request, std::string_view payload) {
  const long long command = RequestCommand(request);
  const auto index = RequestIndex(request);
  // Every command gets its own scope, so a call nested in a ForPython call
  // (on this thread) does not hand its results over, and the reverse.
  codec::detail::HandoffResults handoff(command == kServeRunTaskForPython ||
                                        command == kServeActorMethodCallForPython ||
                                        command == kServeMapTask || command == kServeMapMethod ||
                                        (command == kServeNextStreamItem && index == kStreamItemAsPython));
  // Refs and handles the results name stay alive until the driver frees the reply.
  Pins pins;
  Reply reply;
  {
    PinScope pin_scope(pins);
    reply = Serve(command, index, payload);
  }
  if (reply.code == kSuccess) {
    handoff.Commit();
    reply.pins = std::move(pins);
  }
  return reply;
}

Dispatcher& ApplicationDispatcher() {
  static Dispatcher dispatcher(TheApplication().registry);
  return dispatcher;
}

Reply Dispatcher::Serve(long long command, std::uint64_t index, std::string_view payload) {
  try {
    if (const std::optional<CallCommand> call = CallCommandOf(command)) {
      return ServeCall(*call, index, payload, registry_, instances_, streams_);
    }
    switch (command) {
      case kServeGetInitOptions:
        return InitOptions(registry_);
      case kServeStartDriver:
        return StartDriver(registry_, payload);
      case kServeGetTaskActorList:
        return TaskActorList(registry_);
      case kServeGetActorMethods:
        return ActorMethods(registry_, payload);
      case kServeDescribeApplication:
        return DescribeApplication(registry_);
      case kServeCloseActor:
        return CloseActor(index);
      case kServeEnableArrays:
        codec::detail::SetArraysEnabled(true);
        return Reply{};
      case kServeReleaseArray:
        return ReleaseArray(payload);
      case kServeNextStreamItem:
        return NextStreamItem(streams_, index, payload);
      case kServeCloseStream:
        return CloseStream(streams_, payload);
      default:
        return TextReply(kFailed, "goray: unknown command " + std::to_string(command));
    }
  } catch (...) {
    return PanicReplyForCurrentException({});
  }
}

Reply Dispatcher::CloseActor(std::uint64_t index) {
  switch (instances_.Close(index)) {
    case ActorInstances::Lookup::kLive:
      return Reply{};
    case ActorInstances::Lookup::kClosed:
      return TextReply(kFailed, "goray: actor instance " + std::to_string(index) + " is already closed");
    case ActorInstances::Lookup::kUnknown:
      break;
  }
  return TextReply(kFailed, "goray: no actor instance " + std::to_string(index));
}

}  // namespace goray::detail
