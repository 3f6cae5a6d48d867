// The Py2Native commands that call into the application (docs/protocol.md §3, §10, §13):
// what each one's callee is, and what the command asks of it.
// Tests: tests/cpp/abi_test.cpp
#pragma once

#include <optional>

#include "goray/detail/protocol_numbers.h"

namespace goray::detail {

// Where a call's callee is found: the registry's tasks or actor types by the call's
// name, or the live actor instance the request word indexes, and its method by name.
enum class CalleeKind { kTask, kActorType, kMethod };

// What the command asks of the callee, and so what the reply holds.
enum class CallAction {
  kRun,             // its results block
  kRunOutOfBand,    // its results, large arrays left out of the block (§10)
  kMap,             // goray.map's loop over a chunk of rows
  kStartStream,     // a generator started: the stream's id (§13)
  kConstruct,       // an actor built: its instance's index
  kCheckArguments,  // a dry run of the constructor's decoding: "fit" or "unchecked"
};

struct CallCommand {
  CalleeKind callee;
  CallAction action;
};

// The call command `command` is; nullopt for the commands that call nothing.
constexpr std::optional<CallCommand> CallCommandOf(long long command) {
  switch (command) {
    case kServeRunTask:
    case kServeRunTaskForPython:
      return CallCommand{CalleeKind::kTask, CallAction::kRun};
    case kServeRunTaskOutOfBand:
      return CallCommand{CalleeKind::kTask, CallAction::kRunOutOfBand};
    case kServeMapTask:
      return CallCommand{CalleeKind::kTask, CallAction::kMap};
    case kServeStartTaskStream:
      return CallCommand{CalleeKind::kTask, CallAction::kStartStream};
    case kServeNewActor:
      return CallCommand{CalleeKind::kActorType, CallAction::kConstruct};
    case kServeCheckActorArgs:
      return CallCommand{CalleeKind::kActorType, CallAction::kCheckArguments};
    case kServeActorMethodCall:
    case kServeActorMethodCallForPython:
      return CallCommand{CalleeKind::kMethod, CallAction::kRun};
    case kServeActorMethodCallOutOfBand:
      return CallCommand{CalleeKind::kMethod, CallAction::kRunOutOfBand};
    case kServeMapMethod:
      return CallCommand{CalleeKind::kMethod, CallAction::kMap};
    case kServeStartMethodStream:
      return CallCommand{CalleeKind::kMethod, CallAction::kStartStream};
    default:
      return std::nullopt;
  }
}

}  // namespace goray::detail
