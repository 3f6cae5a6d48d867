// What an application's RegisterApplication calls to fill its table: tasks, streams, map
// loops, actor types and their traits, the driver, init options and parameters. At the
// top with the C ABI, whose entry points it pulls into every link (below); the lookups
// the runtime makes are in registry.cpp.
// Tests: tests/cpp/abi_test.cpp, tests/cpp/typed_entries_test.cpp
#include <cstring>
#include <limits>

#include "goray/abi.h"
#include "goray/errors.h"
#include "goray/registry.h"

#include <nlohmann/json.hpp>

namespace goray {

void Registry::AddTaskInvoker(std::string name, TaskInvoker invoker) {
  if (name.empty()) throw std::logic_error("goray: a task needs a name");
  if (!tasks_.emplace(name, std::move(invoker)).second) {
    throw std::logic_error("goray: task " + name + " registered twice");
  }
}

void Registry::AddTaskStream(std::string name, StreamStarter starter) {
  AddTaskInvoker(name, [starter](const ArgList& args, codec::Buffer& out) {
    std::unique_ptr<ItemStream> stream = starter(args);
    detail::DrainAsList(*stream, out);
  });
  task_streams_.emplace(std::move(name), std::move(starter));
}

void Registry::AddTaskMap(std::string name, std::string description, MapInvoker invoker) {
  auto [entry, added] =
      task_maps_.try_emplace(std::move(name), std::move(description), std::move(invoker));
  if (!added) throw std::logic_error("goray: the map loop of task " + entry->first + " registered twice");
}

ActorType& Registry::AddActorType(std::string name, ActorFactory factory) {
  if (name.empty()) throw std::logic_error("goray: an actor type needs a name");
  auto [entry, added] = actor_types_.try_emplace(name);
  if (!added) throw std::logic_error("goray: actor type " + name + " registered twice");
  entry->second.name = std::move(name);
  entry->second.factory = std::move(factory);
  return entry->second;
}

void Registry::SetDriver(int (*driver_function)()) {
  if (driver_) throw std::logic_error("goray: a second driver was registered");
  driver_ = [driver_function](const std::vector<std::string>&) { return driver_function(); };
}

void Registry::SetDriver(int (*driver_function)(const std::vector<std::string>&)) {
  if (driver_) throw std::logic_error("goray: a second driver was registered");
  driver_ = driver_function;
}

namespace {
// `json` as a string when it is a JSON object; otherwise invalid_argument naming `what`.
std::string RequireJsonObject(std::string_view json, const char* what) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw std::invalid_argument(std::string("goray: ") + what + " must be a JSON object, got: " +
                                std::string(json));
  }
  return std::string(json);
}
}  // namespace

void Registry::SetInitOptions(std::string_view json) {
  init_options_ = RequireJsonObject(json, "init options");
}

void Registry::SetParameters(std::string_view json) {
  parameters_ = RequireJsonObject(json, "parameters");
}

namespace detail {

void DrainAsList(ItemStream& stream, codec::Buffer& out) {
  // An array32 header whose count is written once the items are: each item is encoded
  // straight into `out`, so its arrays stay aligned where they land.
  const std::size_t header = out.size();
  const char placeholder[5] = {static_cast<char>(0xdd), 0, 0, 0, 0};
  out.write(placeholder, sizeof placeholder);
  std::uint64_t count = 0;
  while (stream.Next(out)) ++count;
  if (count > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("goray: a stream of " + std::to_string(count) +
                            " items does not fit one msgpack array");
  }
  for (int i = 0; i < 4; ++i) {
    out.data()[header + 1 + static_cast<std::size_t>(i)] =
        static_cast<char>((count >> (8 * (3 - i))) & 0xff);
  }
}

void AddMethodStream(ActorType& type, std::string name, MethodStreamStarter starter) {
  type.methods.emplace(name, [starter](void* self, const ArgList& args, codec::Buffer& out) {
    // The call holds the instance while it runs: an alias that owns nothing.
    std::shared_ptr<void> unowned(std::shared_ptr<void>(), self);
    std::unique_ptr<ItemStream> stream = starter(std::move(unowned), args);
    DrainAsList(*stream, out);
  });
  type.streams.emplace(std::move(name), std::move(starter));
}

void DeclareConcurrencyGroup(ActorType& type, std::string name, int size) {
  const std::string where = "goray: actor type " + type.name + ": concurrency group ";
  if (name.empty()) throw std::invalid_argument(where + "needs a name");
  if (size < 1) {
    throw std::invalid_argument(where + name + " has size " + std::to_string(size) +
                                "; a group runs at least 1 thread");
  }
  if (!type.thread_safe) {
    throw std::logic_error(where + name + " needs a thread-safe actor type (call ThreadSafe() "
                           "first): a group runs its methods beside the others");
  }
  for (const auto& [declared, declared_size] : type.concurrency_groups) {
    if (declared == name) throw std::logic_error(where + name + " declared twice");
  }
  type.concurrency_groups.emplace_back(std::move(name), size);
}

void DeclareActorOptions(ActorType& type, std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw std::invalid_argument("goray: actor type " + type.name +
                                ": options must be a JSON object, got: " + std::string(json));
  }
  type.options = parsed.empty() ? std::string() : parsed.dump();
}

void AssignMethodGroup(ActorType& type, std::string method, std::string group) {
  const std::string where = "goray: actor type " + type.name + ": MethodGroup(" + method + ", " +
                            group + "): ";
  if (type.methods.count(method) == 0) {
    throw std::logic_error(where + "no method " + method + " was added before");
  }
  bool declared = false;
  for (const auto& entry : type.concurrency_groups) declared = declared || entry.first == group;
  if (!declared) {
    throw std::logic_error(where + "no concurrency group " + group + " was declared before");
  }
  auto [entry, added] = type.method_groups.try_emplace(std::move(method), group);
  if (!added && entry->second != group) {
    throw std::logic_error(where + "the method is already in group " + entry->second);
  }
}

}  // namespace detail

}  // namespace goray

// The C ABI's entry points are defined in abi.cpp, which no runtime code calls. Every
// application registers its tasks with the functions above, so this reference makes any
// link of the runtime archive take abi.cpp's object too: a hand-written link
// (docs/generator.md) exports the ABI without naming it with -u, as goray_add_app does.
namespace {
[[gnu::used]] void* const kAbiEntryPoints[] = {
    reinterpret_cast<void*>(&Execute), reinterpret_cast<void*>(&FreeMemory),
    reinterpret_cast<void*>(&RegisterCallback), reinterpret_cast<void*>(&GorayProtocolVersion)};
}  // namespace
