// Running a found callee: every action's call, with its answer encoded into the reply.
// Tests: tests/cpp/abi_test.cpp
#include "calls_in/run_callee.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "calls_in/results_reply.h"
#include "crash/crash_report.h"
#include "framing/framing.h"

namespace goray::detail {
namespace {

// CheckActorArgs: whether the arguments fit the constructor, by a dry run of it. The
// driver lends this block (its ids stay the caller's): refs and handles in it are not
// adopted, so arguments holding them are not checked here.
Reply CheckArguments(const Callee& callee, std::vector<msgpack::object> args) {
  const ActorType& type = *callee.type;
  if (!type.checks_arguments) return TextReply(kSuccess, "unchecked");
  if (codec::detail::ReceivedRefs::Holds(args.data(), args.size())) {
    return TextReply(kSuccess, "unchecked");
  }
  try {
    type.factory(ArgList(callee.name, std::move(args), /*dry_run=*/true));
  } catch (const ArgumentsFit&) {
    return TextReply(kSuccess, "fit");
  }
  // The factory returned without reaching the dry-run stop: it decoded nothing through
  // DecodeArgs, so nothing says its arguments fit.
  return TextReply(kSuccess, "unchecked");
}

Reply StreamIdReply(std::uint64_t id) {
  std::string bytes;
  AppendU64(bytes, id);
  return TextReply(kSuccess, bytes);
}

}  // namespace

Reply RunCallee(CallAction action, const Callee& callee, std::vector<msgpack::object> args,
                ActorInstances& instances, StreamTable& streams) {
  crash::CallScope crash_scope(callee.role, callee.name);
  try {
    switch (action) {
      case CallAction::kRun:
      case CallAction::kRunOutOfBand: {
        const ArgList arguments(callee.name, std::move(args));
        return ResultsReply(action == CallAction::kRunOutOfBand, [&](codec::Buffer& out) {
          if (callee.task != nullptr) {
            (*callee.task)(arguments, out);
          } else {
            (*callee.method)(callee.self(), arguments, out);
          }
        });
      }
      case CallAction::kMap: {
        Reply reply;
        (*callee.method)(callee.self(), ArgList(callee.name, std::move(args)), reply.body);
        return reply;
      }
      case CallAction::kStartStream: {
        const ArgList arguments(callee.name, std::move(args));
        std::unique_ptr<ItemStream> items = callee.task_stream != nullptr
                                                ? (*callee.task_stream)(arguments)
                                                : (*callee.method_stream)(callee.instance.object,
                                                                          arguments);
        return StreamIdReply(streams.Add(std::move(items), callee.name));
      }
      case CallAction::kConstruct: {
        ActorInstance instance{callee.type->factory(ArgList(callee.name, std::move(args))),
                               callee.type};
        return TextReply(kSuccess, std::to_string(instances.Add(std::move(instance))));
      }
      case CallAction::kCheckArguments:
        return CheckArguments(callee, std::move(args));
    }
    throw std::logic_error("goray: a call action RunCallee does not know");
  } catch (...) {
    return PanicReplyForCurrentException(callee.name);
  }
}

}  // namespace goray::detail
