// The commands that call into the application, served in one direction:
// decode (incoming_call) -> find (callee) -> call and encode (run_callee, results_reply)
// -> reply (reply).
#pragma once

#include <cstdint>
#include <string_view>

#include "calls_in/actor_instances.h"
#include "calls_in/call_command.h"
#include "calls_in/generator_streams.h"
#include "calls_in/reply.h"
#include "goray/registry.h"

namespace goray::detail {

// Serves call command `command` with `payload` (docs/protocol.md §2), `index` the
// request word's (a method's instance). A malformed payload throws ProtocolError; every
// later failure is the reply.
Reply ServeCall(CallCommand command, std::uint64_t index, std::string_view payload,
                const Registry& registry, ActorInstances& instances, StreamTable& streams);

}  // namespace goray::detail
