// The call stage of a call (calls_in/serve_call.cpp): the found callee run on the call's
// arguments, and what it answers encoded into the reply.
#pragma once

#include <vector>

#include "calls_in/actor_instances.h"
#include "calls_in/call_command.h"
#include "calls_in/callee.h"
#include "calls_in/generator_streams.h"
#include "calls_in/reply.h"
#include "goray/codec.h"

namespace goray::detail {

// Runs `callee` on `args` for `action`: the reply holds its results (calls_in/
// results_reply.h), a started stream's id (u64), a built actor's instance index (decimal
// text) or a check's verdict ("fit", "unchecked"). What it throws is the reply (code 5,
// named after the callee); a crash in it names the callee too.
Reply RunCallee(CallAction action, const Callee& callee, std::vector<msgpack::object> args,
                ActorInstances& instances, StreamTable& streams);

}  // namespace goray::detail
