// Command handling for calls from the driver. Every path catches everything and
// answers with a code: exceptions never cross the C ABI.
// Tests: tests/cpp/abi_test.cpp
#include "calls_in/dispatcher.h"

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "application/application.h"
#include "codec/array_handoff.h"
#include "framing/framing.h"
#include "crash/crash_report.h"
#include "calls_in/incoming_call.h"

namespace goray::detail {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

template <class Map>
std::vector<std::string> KeysOf(const Map& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  return keys;
}

Reply JsonReply(const nlohmann::json& json) {
  return TextReply(kSuccess, json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Driver arguments: our driver may send a JSON array of strings; GoRay's sends nothing.
std::vector<std::string> ParseDriverArgs(std::string_view payload) {
  if (payload.empty()) return {};
  nlohmann::json args = nlohmann::json::parse(payload, nullptr, false);
  if (!args.is_array()) throw ProtocolError("StartDriver expects a JSON array of strings");
  std::vector<std::string> result;
  for (const auto& arg : args) {
    if (!arg.is_string()) throw ProtocolError("StartDriver expects a JSON array of strings");
    result.push_back(arg.get<std::string>());
  }
  return result;
}

// Adopts the refs and handles among a call's arguments (they belong to this
// library now) and makes them what the arguments decode from while it lives;
// the ones the callee did not keep are released with it.
class ReceivedArgs {
 public:
  explicit ReceivedArgs(const IncomingCall& call) {
    refs_.Adopt(call.args.data(), call.args.size(), call.name);
  }

 private:
  codec::detail::ReceivedRefs refs_;
  codec::detail::ReceivedRefsScope scope_{&refs_};
};

// A RunTaskOutOfBand / ActorMethodCallOutOfBand answer (docs/protocol.md §10, "Arrays out
// of band") for the results `scatter` left out of `results`: u32 value count, u32 n, n x
// (u64 offset, length, address, token), the compact block. Results naming refs or handles
// are never scattered: n = 0 and the ordinary block. The tokens are released again if this
// throws.
Reply OutOfBandReply(const codec::Buffer& results, codec::detail::ScatterScope& scatter) {
  std::vector<codec::detail::ScatteredData>& datas = scatter.datas();
  const std::string_view block(results.data(), results.size());
  const std::size_t count = codec::detail::CountScatteredValues(block, datas);
  if (count > UINT32_MAX) throw std::length_error("goray: over 2^32 results");
  Reply reply;
  std::string head;
  AppendU32(head, static_cast<std::uint32_t>(count));
  if (scatter.pinned() && !datas.empty()) {
    AppendU32(head, 0);
    codec::Buffer joined(head.size() + block.size() + scatter.left_out());
    joined.write(head.data(), head.size());
    codec::detail::JoinScattered(block, datas, joined);
    reply.body = std::move(joined);
    return reply;
  }
  AppendU32(head, static_cast<std::uint32_t>(datas.size()));
  std::vector<std::uint64_t> tokens;
  tokens.reserve(datas.size());
  try {
    for (codec::detail::ScatteredData& data : datas) {
      // The scope copied unowned data (Unowned::kCopy): every owner is set.
      tokens.push_back(
          codec::detail::RegisterHandoff(std::const_pointer_cast<void>(std::move(data.owner))));
      AppendU64(head, data.offset);
      AppendU64(head, data.length);
      AppendU64(head, reinterpret_cast<std::uintptr_t>(data.address));
      AppendU64(head, tokens.back());
    }
    reply.body = codec::Buffer(head.size() + block.size());
    reply.body.write(head.data(), head.size());
    reply.body.write(block.data(), block.size());
  } catch (...) {
    for (std::uint64_t token : tokens) codec::detail::ReleaseHandoff(token);
    throw;
  }
  return reply;
}

// The reply of a call whose results `run(out)` encodes into `out`: the ordinary block,
// or with `out_of_band` the scattered answer of 43/44. What `run` throws propagates
// (the data recorded so far is dropped, no token made).
template <class Run>
Reply ResultsReply(bool out_of_band, Run&& run) {
  Reply reply;
  if (!out_of_band) {
    run(reply.body);
    return reply;
  }
  // Only what is encoded into reply.body scatters: the results, not arrays the callee
  // sends elsewhere while it runs. Owners keep the data alive until ReleaseArray.
  codec::detail::ScatterScope scatter(reply.body, 0, codec::detail::ScatterScope::Unowned::kCopy);
  run(reply.body);
  return OutOfBandReply(reply.body, scatter);
}

}  // namespace

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
    reply = HandleCommand(command, index, payload);
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

Reply Dispatcher::HandleCommand(long long command, std::uint64_t index, std::string_view payload) {
  try {
    switch (command) {
      case kServeGetInitOptions:
        return TextReply(kSuccess, registry_.init_options());
      case kServeStartDriver:
        return StartDriver(payload);
      case kServeGetTaskActorList:
        return TaskActorList();
      case kServeGetActorMethods:
        return ActorMethods(payload);
      case kServeRunTask:
        return RunTask(payload, false);
      case kServeNewActor:
        return NewActor(payload);
      case kServeActorMethodCall:
        return CallMethod(index, payload, false);
      case kServeCloseActor:
        return CloseActor(index);
      case kServeCheckActorArgs:
        return CheckActorArgs(payload);
      case kServeEnableArrays:
        codec::detail::SetArraysEnabled(true);
        return Reply{};
      case kServeRunTaskForPython:
        return RunTask(payload, false);
      case kServeActorMethodCallForPython:
        return CallMethod(index, payload, false);
      case kServeRunTaskOutOfBand:
        return RunTask(payload, true);
      case kServeActorMethodCallOutOfBand:
        return CallMethod(index, payload, true);
      case kServeReleaseArray:
        return ReleaseArray(payload);
      case kServeDescribeApplication:
        return DescribeApplication();
      case kServeStartTaskStream:
        return StartTaskStream(payload);
      case kServeStartMethodStream:
        return StartMethodStream(index, payload);
      case kServeNextStreamItem:
        return NextStreamItem(index, payload);
      case kServeCloseStream:
        return CloseStream(payload);
      case kServeMapTask:
        return MapTask(payload);
      case kServeMapMethod:
        return MapMethod(index, payload);
      default:
        return TextReply(kFailed, "goray: unknown command " + std::to_string(command));
    }
  } catch (...) {
    return PanicReplyForCurrentException({});
  }
}

Reply Dispatcher::ReleaseArray(std::string_view payload) {
  if (payload.size() != 8) {
    return TextReply(kFailed, "goray: ReleaseArray expects an 8-byte token, received " +
                                  std::to_string(payload.size()) + " bytes");
  }
  const std::uint64_t token = ReadU64(payload.data());
  if (!codec::detail::ReleaseHandoff(token)) {
    return TextReply(kFailed, "goray: unknown array token " + std::to_string(token));
  }
  return Reply{};
}

Reply Dispatcher::StartDriver(std::string_view payload) {
  const auto& driver = registry_.driver();
  if (!driver) {
    return TextReply(kFailed, "goray: the application has no driver (declare one with GORAY_DRIVER)");
  }
  try {
    crash::CallScope crash_scope("the driver", "Driver()");
    int code = (*driver)(ParseDriverArgs(payload));
    return TextReply(kSuccess, std::to_string(code));
  } catch (...) {
    return PanicReplyForCurrentException("Driver");
  }
}

Reply Dispatcher::TaskActorList() const {
  return JsonReply(nlohmann::json::array({registry_.TaskNames(), registry_.ActorTypeNames()}));
}

Reply Dispatcher::ActorMethods(std::string_view type_name) const {
  const ActorType* type = registry_.FindActorType(type_name);
  if (type == nullptr) {
    return TextReply(kFailed, "goray: actor type '" + std::string(type_name) +
                                  "' not found; known actor types: " + JoinNames(registry_.ActorTypeNames()));
  }
  return JsonReply(KeysOf(type->methods));
}

template <class Body>
Reply Dispatcher::OnTaskCall(std::string_view payload, Body&& body) {
  IncomingCall call = ParseIncomingCall(payload);
  crash::CallScope crash_scope("task", call.name);
  try {
    ReceivedArgs received(call);
    return body(ArgList(call.name, std::move(call.args)));
  } catch (...) {
    return PanicReplyForCurrentException(call.name);
  }
}

Reply Dispatcher::RunTask(std::string_view payload, bool out_of_band) {
  return OnTaskCall(payload, [&](const ArgList& args) {
    const TaskInvoker* task = registry_.FindTask(args.callee());
    if (task == nullptr) {
      throw UnknownNameError("task", std::string(args.callee()), registry_.TaskNames());
    }
    return ResultsReply(out_of_band, [&](codec::Buffer& out) { (*task)(args, out); });
  });
}

Reply Dispatcher::NewActor(std::string_view payload) {
  IncomingCall call = ParseIncomingCall(payload);
  crash::CallScope crash_scope("the constructor of actor", call.name);
  try {
    ReceivedArgs received(call);
    const ActorType* type = &registry_.ActorTypeOrThrow(call.name);
    ActorInstance instance{type->factory(ArgList(call.name, std::move(call.args))), type};
    return TextReply(kSuccess, std::to_string(instances_.Add(std::move(instance))));
  } catch (...) {
    return PanicReplyForCurrentException(call.name);
  }
}

Reply Dispatcher::CheckActorArgs(std::string_view payload) const {
  IncomingCall call = ParseIncomingCall(payload);
  try {
    const ActorType* type = &registry_.ActorTypeOrThrow(call.name);
    if (!type->checks_arguments) return TextReply(kSuccess, "unchecked");
    // The driver lends this block (its ids stay the caller's): refs and handles
    // in it are not adopted, so arguments holding them are not checked here.
    if (codec::detail::ReceivedRefs::Holds(call.args.data(), call.args.size())) {
      return TextReply(kSuccess, "unchecked");
    }
    try {
      type->factory(ArgList(call.name, std::move(call.args), /*dry_run=*/true));
    } catch (const ArgumentsFit&) {
      return TextReply(kSuccess, "fit");
    }
    // The factory returned without reaching the dry-run stop: it decoded nothing through
    // DecodeArgs, so nothing says its arguments fit.
    return TextReply(kSuccess, "unchecked");
  } catch (...) {
    return PanicReplyForCurrentException(call.name);
  }
}

template <class Body>
Reply Dispatcher::OnMethodCall(std::uint64_t index, std::string_view payload, Body&& body) {
  IncomingCall call = ParseIncomingCall(payload);
  // Adopted before the instance is looked up: a call to a closed or unknown
  // instance still releases the refs and handles it brought.
  std::optional<ReceivedArgs> received;
  try {
    received.emplace(call);
  } catch (...) {
    return PanicReplyForCurrentException(call.name);
  }
  const std::string_view method = call.name;
  ActorInstance instance;
  switch (instances_.Find(index, &instance)) {
    case ActorInstances::Lookup::kClosed:
      return TextReply(kFailed, "goray: actor instance " + std::to_string(index) +
                                    " is closed (method " + std::string(method) + ")");
    case ActorInstances::Lookup::kUnknown:
      // Live instances are not listed: `known` stays empty.
      return TextReply(kPanic, FailurePayload("goray::UnknownNameError",
                                              "unknown actor instance " + std::to_string(index),
                                              method, "",
                                              {{"kind", "actor instance"},
                                               {"name", std::to_string(index)},
                                               {"known", nlohmann::json::array()}}));
    case ActorInstances::Lookup::kLive:
      break;
  }
  const std::string callee = instance.type->name + "." + std::string(method);
  crash::CallScope crash_scope("method", callee);
  try {
    auto found = instance.type->methods.find(method);
    if (found == instance.type->methods.end()) {
      throw UnknownNameError("method", std::string(method), KeysOf(instance.type->methods));
    }
    return body(instance, *found, ArgList(callee, std::move(call.args)));
  } catch (...) {
    return PanicReplyForCurrentException(callee);
  }
}

Reply Dispatcher::CallMethod(std::uint64_t index, std::string_view payload, bool out_of_band) {
  return OnMethodCall(index, payload, [out_of_band](const ActorInstance& instance,
                                                    const auto& method, const ArgList& args) {
    return ResultsReply(out_of_band, [&](codec::Buffer& out) {
      method.second(instance.object.get(), args, out);
    });
  });
}

Reply Dispatcher::MapTask(std::string_view payload) {
  return OnTaskCall(payload, [&](const ArgList& args) {
    const MapInvoker* map = registry_.FindTaskMap(args.callee());
    if (map == nullptr) {
      if (registry_.FindTaskStream(args.callee()) != nullptr) {
        throw std::invalid_argument("task " + std::string(args.callee()) +
                                    " streams (returns goray::Generator<T>): goray.map takes "
                                    "a task that returns its result");
      }
      throw UnknownNameError("task", std::string(args.callee()), registry_.TaskNames());
    }
    Reply reply;
    (*map)(nullptr, args, reply.body);
    return reply;
  });
}

Reply Dispatcher::MapMethod(std::uint64_t index, std::string_view payload) {
  return OnMethodCall(index, payload, [](const ActorInstance& instance, const auto& method,
                                         const ArgList& args) {
    auto found = instance.type->maps.find(method.first);
    if (found == instance.type->maps.end()) {
      throw std::invalid_argument("method " + instance.type->name + "." + method.first +
                                  " streams (returns goray::Generator<T>): goray.map takes "
                                  "a method that returns its result");
    }
    Reply reply;
    found->second(instance.object.get(), args, reply.body);
    return reply;
  });
}

namespace {

// entry["params"] = the parameters SetParameters gave for `name` in `table`, if any.
void AddParams(nlohmann::json& entry, const nlohmann::json& table, const std::string& name) {
  if (!table.is_object()) return;
  auto found = table.find(name);
  if (found == table.end()) return;
  const nlohmann::json& params = found->is_object() ? found->value("params", nlohmann::json())
                                                    : *found;
  if (params.is_array()) entry["params"] = params;
}

}  // namespace

Reply Dispatcher::DescribeApplication() const {
  // Parameter names and constant defaults, as goray-gen read them (keyword arguments).
  const nlohmann::json parameters = nlohmann::json::parse(registry_.parameters());
  const nlohmann::json no_table = nlohmann::json::object();
  const nlohmann::json& task_params = parameters.is_object() && parameters.contains("tasks")
                                          ? parameters["tasks"] : no_table;
  const nlohmann::json& actor_params = parameters.is_object() && parameters.contains("actors")
                                           ? parameters["actors"] : no_table;
  nlohmann::json tasks = nlohmann::json::object();
  for (const std::string& name : registry_.TaskNames()) {
    tasks[name] = {{"stream", registry_.FindTaskStream(name) != nullptr}};
    if (const std::string* map = registry_.FindTaskMapDescription(name)) {
      tasks[name]["map"] = nlohmann::json::parse(*map);
    }
    AddParams(tasks[name], task_params, name);
  }
  nlohmann::json actors = nlohmann::json::object();
  for (const std::string& name : registry_.ActorTypeNames()) {
    const ActorType& type = registry_.ActorTypeOrThrow(name);
    nlohmann::json groups = nlohmann::json::object();
    for (const auto& [group, size] : type.concurrency_groups) groups[group] = size;
    const nlohmann::json& declared =
        actor_params.is_object() && actor_params.contains(name) ? actor_params[name] : no_table;
    const nlohmann::json& method_params =
        declared.is_object() && declared.contains("methods") ? declared["methods"] : no_table;
    nlohmann::json methods = nlohmann::json::object();
    for (const auto& entry : type.methods) {
      nlohmann::json method = {{"stream", type.streams.count(entry.first) != 0}};
      auto group = type.method_groups.find(entry.first);
      if (group != type.method_groups.end()) method["concurrency_group"] = group->second;
      auto map = type.map_descriptions.find(entry.first);
      if (map != type.map_descriptions.end()) method["map"] = nlohmann::json::parse(map->second);
      AddParams(method, method_params, entry.first);
      methods[entry.first] = std::move(method);
    }
    actors[name] = {{"thread_safe", type.thread_safe},
                    {"concurrency_groups", std::move(groups)},
                    {"methods", std::move(methods)}};
    if (!type.options.empty()) actors[name]["options"] = nlohmann::json::parse(type.options);
    AddParams(actors[name], actor_params, name);
  }
  nlohmann::json reply = {{"actors", std::move(actors)}, {"tasks", std::move(tasks)}};
  // The application's name (goray-gen's NAME): its typed entries' module (§17).
  if (!registry_.name().empty()) reply["name"] = registry_.name();
  // Where results hold enums, as goray-gen wrote it: Python makes those ints the
  // generated IntEnums' members (goray-gen's result_enums.py).
  if (parameters.is_object() && parameters.contains("result_enums")) {
    reply["result_enums"] = parameters["result_enums"];
  }
  return JsonReply(reply);
}

namespace {

Reply StreamIdReply(std::uint64_t id) {
  std::string bytes;
  AppendU64(bytes, id);
  return TextReply(kSuccess, bytes);
}

// The stream id a NextStreamItem / CloseStream payload holds, or null with `reply` set.
bool ReadStreamId(std::string_view payload, std::string_view command, std::uint64_t* id,
                  Reply* reply) {
  if (payload.size() != 8) {
    *reply = TextReply(kFailed, "goray: " + std::string(command) +
                                    " expects an 8-byte stream id, received " +
                                    std::to_string(payload.size()) + " bytes");
    return false;
  }
  *id = ReadU64(payload.data());
  return true;
}

}  // namespace

Reply Dispatcher::StartTaskStream(std::string_view payload) {
  IncomingCall call = ParseIncomingCall(payload);
  crash::CallScope crash_scope("task", call.name);
  try {
    ReceivedArgs received(call);
    if (registry_.FindTask(call.name) == nullptr) {
      throw UnknownNameError("task", std::string(call.name), registry_.TaskNames());
    }
    const StreamStarter* starter = registry_.FindTaskStream(call.name);
    if (starter == nullptr) {
      return TextReply(kFailed, "goray: task " + std::string(call.name) +
                                    " is not a generator (its result is not goray::Generator<T>)");
    }
    std::unique_ptr<ItemStream> items = (*starter)(ArgList(call.name, std::move(call.args)));
    return StreamIdReply(streams_.Add(std::move(items), std::string(call.name)));
  } catch (...) {
    return PanicReplyForCurrentException(call.name);
  }
}

Reply Dispatcher::StartMethodStream(std::uint64_t index, std::string_view payload) {
  return OnMethodCall(index, payload, [this](const ActorInstance& instance, const auto& method,
                                             const ArgList& args) {
    const std::string callee(args.callee());
    auto starter = instance.type->streams.find(method.first);
    if (starter == instance.type->streams.end()) {
      return TextReply(kFailed, "goray: method " + callee +
                                    " is not a generator (its result is not goray::Generator<T>)");
    }
    std::unique_ptr<ItemStream> items = starter->second(instance.object, args);
    return StreamIdReply(streams_.Add(std::move(items), callee));
  });
}

Reply Dispatcher::NextStreamItem(std::uint64_t index, std::string_view payload) {
  if (index > kStreamItemAsPython) {
    return TextReply(kFailed, "goray: NextStreamItem's request word index is 0 (items as "
                              "RunTask) or 1 (as RunTaskForPython), received " +
                                  std::to_string(index));
  }
  // The batch form: u64 stream id, u32 max items, u32 budget (us), u32 max bytes.
  constexpr std::size_t kBatchRequest = 8 + 4 + 4 + 4;
  if (payload.size() == kBatchRequest) {
    StreamTable::BatchLimits limits;
    limits.max_items = ReadU32(payload.data() + 8);
    limits.budget = std::chrono::microseconds(ReadU32(payload.data() + 12));
    limits.max_bytes = ReadU32(payload.data() + 16);
    if (limits.max_items == 0) {
      return TextReply(kFailed, "goray: NextStreamItem's batch form asks for at least 1 item, received 0");
    }
    return streams_.NextBatch(ReadU64(payload.data()), limits);
  }
  std::uint64_t id = 0;
  Reply reply;
  if (!ReadStreamId(payload, "NextStreamItem", &id, &reply)) return reply;
  return streams_.Next(id);
}

Reply Dispatcher::CloseStream(std::string_view payload) {
  std::uint64_t id = 0;
  Reply reply;
  if (!ReadStreamId(payload, "CloseStream", &id, &reply)) return reply;
  return streams_.Close(id);
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
