// goray::Graph: a graph of actor method calls built from C++ (Ray's ray.dag), either
// compiled (Ray's compiled graphs, experimental_compile) or classic (each execution
// is ordinary actor calls), then executed as often as needed. The driver builds the
// ray.dag and keeps it by id (Native2Py 48-52, a goray extension: docs/protocol.md §15).
//
//   goray::Graph g;
//   auto in = g.Input<int64_t>();
//   auto a = g.Call<int64_t>(stage1, "Step", in);
//   auto b = g.Call<int64_t>(stage2, "Step", a);
//   goray::CompiledGraph<int64_t> compiled = g.Compile(b);
//   int64_t y = compiled.Execute(int64_t{1}).Get();
//   compiled.Teardown();
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/actor_handle.h"
#include "goray/codec.h"
#include "goray/detail/pins.h"
#include "goray/object_ref.h"
#include "goray/options.h"

namespace goray {

template <class... R>
class CompiledGraph;

namespace detail {

// What a Graph has gathered: the nodes' JSON, their constants (one msgpack value each,
// concatenated) and the handles they name (alive until the driver built the graph).
struct GraphSpec {
  std::string nodes_json;  // "{...},{...}": one object per call node
  std::size_t node_count = 0;
  codec::Buffer constants{256};
  std::size_t constant_count = 0;
  Pins pins;  // refs and handles inside constants
  std::vector<ActorHandle> actors;
};

// A built graph's driver id; torn down with its last copy unless done before.
struct GraphState {
  std::uint64_t id = 0;
  std::string label;
  bool compiled = false;
  std::atomic<bool> torn_down{false};
  std::vector<ActorHandle> actors;
  ~GraphState();
};

// One execution's result: its id in the driver until the driver answered with the value
// or the failure (and forgot the id), then that answer, kept for every later Get. An id
// never settled is released with the last copy.
struct GraphResultState {
  std::uint64_t id = 0;
  std::string what;
  std::mutex mutex;  // one GraphGet at a time per result
  bool settled = false;
  long long code = kSuccess;  // kSuccess: the value; kPanic: the failure
  std::shared_ptr<void> owner;  // the driver's reply bytes
  std::string_view payload;
  ~GraphResultState();
};

// GraphBuild (48): the graph's state; failures throw goray::PythonError.
std::shared_ptr<GraphState> BuildGraph(GraphSpec& spec, const std::vector<std::size_t>& outputs,
                                       bool compiled, const std::vector<Option>& options);
// GraphExecute (49): `request` is 8 bytes (filled in here: the graph id) then the args block.
std::shared_ptr<GraphResultState> ExecuteGraph(const GraphState& graph, codec::Buffer& request);
// GraphGet (50) the first time it answers; the value's bytes (a Python value packed),
// or the failure thrown, then and at every later call.
std::string_view GetGraphResult(GraphResultState& result, double timeout_seconds);
// GraphTeardown (52).
void TeardownGraph(GraphState& graph);

// A new graph's serial number, so nodes of another graph are refused.
std::uint64_t NextGraphSerial() noexcept;

template <class T>
struct IsGraphNode : std::false_type {};

}  // namespace detail

// A node of a Graph: its input (or one of its inputs) or an actor method call whose
// result is an R. Pass it to Graph::Call as an argument, or to Compile as an output.
template <class R>
class GraphNode {
 public:
  using result_type = R;
  // The call's index among the graph's calls; -1 for an input.
  std::int64_t index() const noexcept { return index_; }

 private:
  friend class Graph;
  GraphNode(std::uint64_t graph, std::int64_t index, std::string json)
      : graph_(graph), index_(index), json_(std::move(json)) {}
  std::uint64_t graph_;
  std::int64_t index_;
  std::string json_;  // how the description names it: {"node":k}, {"input":null}, {"input":i}
};

namespace detail {
template <class R>
struct IsGraphNode<GraphNode<R>> : std::true_type {};
}  // namespace detail

// The result of one execution: Get() waits for it and decodes it (R for one output,
// std::tuple<R...> for several). It may be read many times; copies share it.
template <class... R>
class GraphRef {
 public:
  auto Get() const { return Fetch(-1.0); }
  template <class Rep, class Period>
  auto Get(std::chrono::duration<Rep, Period> timeout) const {
    return Fetch(std::chrono::duration<double>(timeout).count());
  }
  std::uint64_t id() const { return state_->id; }

 private:
  template <class...>
  friend class CompiledGraph;
  explicit GraphRef(std::shared_ptr<detail::GraphResultState> state) : state_(std::move(state)) {}
  auto Fetch(double timeout_seconds) const {
    // No owner: decoded arrays copy, so a caller writing into one leaves the kept bytes
    // as they were for the next Get.
    return detail::DecodeObject<R...>(state_->what, detail::GetGraphResult(*state_, timeout_seconds));
  }
  std::shared_ptr<detail::GraphResultState> state_;
};

// goray::Get(ref) as ref.Get().
template <class... R>
auto Get(const GraphRef<R...>& ref) {
  return ref.Get();
}
template <class... R, class Rep, class Period>
auto Get(const GraphRef<R...>& ref, std::chrono::duration<Rep, Period> timeout) {
  return ref.Get(timeout);
}

// A built graph (compiled, or classic): Execute(args...) runs it once with these
// inputs. Copies share it; the last copy tears it down, or Teardown() does now.
template <class... R>
class CompiledGraph {
 public:
  template <class... Args>
  GraphRef<R...> Execute(const Args&... args) const {
    static_assert(((!std::is_base_of_v<ObjectRef, Args> && !std::is_same_v<Args, Option>) && ...),
                  "goray: a graph's inputs are values (not ObjectRefs or Options)");
    codec::Buffer request(256);
    const char id_placeholder[8] = {};
    request.write(id_placeholder, sizeof id_placeholder);
    detail::Pins pins;  // refs and handles inside the inputs, until the driver has them
    {
      codec::Packer packer(request);
      detail::PinScope pinning(pins);
      codec::detail::EncodeTargetScope arrays(request);
      (codec::Encode(packer, args), ...);
    }
    return GraphRef<R...>(detail::ExecuteGraph(*state_, request));
  }

  // Tears the graph down (Ray's teardown): its actors run ordinary calls again; a
  // later Execute throws goray::PythonError. A second Teardown does nothing.
  void Teardown() const { detail::TeardownGraph(*state_); }

  std::uint64_t id() const { return state_->id; }
  bool compiled() const { return state_->compiled; }
  bool torn_down() const { return state_->torn_down.load(); }

 private:
  friend class Graph;
  explicit CompiledGraph(std::shared_ptr<detail::GraphState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::GraphState> state_;
};

// A graph of actor method calls (C++ or Python actors), built once and then compiled
// or made classic any number of times. Not thread-safe while it is being built.
class Graph {
 public:
  Graph() : serial_(detail::NextGraphSerial()) {}
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  // The value Execute is given: with one input, Input<T>(); with several,
  // Input<T>(position) for each (Ray's InputNode and inp[position]).
  template <class T>
  GraphNode<T> Input() const {
    return GraphNode<T>(serial_, -1, R"({"input":null})");
  }
  template <class T>
  GraphNode<T> Input(std::size_t position) const {
    return GraphNode<T>(serial_, -1, R"({"input":)" + std::to_string(position) + "}");
  }

  // A call of `actor`'s `method` whose result is an R. Each argument is a node of this
  // graph (its value flows in) or a plain value (a constant of every execution).
  template <class R, class... Args>
  GraphNode<R> Call(const ActorHandle& actor, std::string_view method, const Args&... args) {
    static_assert(!std::is_void_v<R>, "goray: a graph node's method returns a value");
    static_assert(((!std::is_base_of_v<ObjectRef, Args> && !std::is_same_v<Args, Option>) && ...),
                  "goray: a graph node's arguments are nodes or values (not ObjectRefs or Options)");
    std::string json = R"({"actor":)" + std::to_string(actor.id()) + R"(,"method":)";
    detail::AppendJsonString(json, method);
    json += R"(,"args":[)";
    bool first = true;
    (AddArgument(json, first, args), ...);
    json += "]}";
    if (spec_->node_count != 0) spec_->nodes_json += ',';
    spec_->nodes_json += json;
    spec_->actors.push_back(actor);
    const auto index = static_cast<std::int64_t>(spec_->node_count++);
    return GraphNode<R>(serial_, index, R"({"node":)" + std::to_string(index) + "}");
  }

  // Compiles the graph (Ray's experimental_compile) with these outputs. Ray options
  // of experimental_compile go in CompileWith (e.g. "_max_inflight_executions").
  template <class... R>
  CompiledGraph<R...> Compile(const GraphNode<R>&... outputs) {
    return CompileWith({}, outputs...);
  }
  template <class... R>
  CompiledGraph<R...> CompileWith(const std::vector<Option>& options, const GraphNode<R>&... outputs) {
    return Build<R...>(true, options, outputs...);
  }
  // The same graph without compiling: each Execute is Ray's dag.execute, ordinary
  // actor calls through the object store.
  template <class... R>
  CompiledGraph<R...> Classic(const GraphNode<R>&... outputs) {
    return Build<R...>(false, {}, outputs...);
  }

 private:
  template <class T>
  void AddArgument(std::string& json, bool& first, const T& arg) {
    if (!first) json += ',';
    first = false;
    if constexpr (detail::IsGraphNode<T>::value) {
      CheckOwn(arg.graph_);
      json += arg.json_;
    } else {
      codec::Packer packer(spec_->constants);
      detail::PinScope pinning(spec_->pins);
      codec::detail::EncodeTargetScope arrays(spec_->constants);
      codec::Encode(packer, arg);
      json += R"({"const":)" + std::to_string(spec_->constant_count++) + "}";
    }
  }

  template <class... R, class... Nodes>
  CompiledGraph<R...> Build(bool compiled, const std::vector<Option>& options, const Nodes&... outputs) {
    static_assert(sizeof...(R) >= 1, "goray: a graph needs at least one output");
    std::vector<std::size_t> indices;
    (AddOutput(indices, outputs), ...);
    return CompiledGraph<R...>(detail::BuildGraph(*spec_, indices, compiled, options));
  }

  template <class Node>
  void AddOutput(std::vector<std::size_t>& indices, const Node& output) const {
    CheckOwn(output.graph_);
    if (output.index_ < 0) throw std::invalid_argument("goray::Graph: an output must be a Call node, not an input");
    indices.push_back(static_cast<std::size_t>(output.index_));
  }

  void CheckOwn(std::uint64_t serial) const {
    if (serial != serial_) throw std::invalid_argument("goray::Graph: a node of another graph");
  }

  std::uint64_t serial_;
  std::unique_ptr<detail::GraphSpec> spec_ = std::make_unique<detail::GraphSpec>();
};

}  // namespace goray
