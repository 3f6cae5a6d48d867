// goray::Graph against a fake driver: the exact Native2Py requests (GraphBuild 48 to
// GraphTeardown 52, docs/protocol.md §15), how replies become values and errors, what a
// GraphRef keeps, and the mistakes refused while a graph is built.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "abi_call.h"
#include "fake_driver.h"
#include "goray/abi.h"
#include "goray/detail/typed_call.h"
#include "goray/goray.h"
#include "goray/graph.h"
#include "test_application.h"

GORAY_TEST_APPLICATION(registry) {}

namespace {

using Bytes = std::string;
using abi_call::U64;
using fake_driver::Packed;
using fake_driver::Reply;

// Never destroyed: the flusher thread (pipelining on) may call the fake at exit.
fake_driver::RequestLog& g_log = *new fake_driver::RequestLog;
std::mutex& g_mu = g_log.mutex();  // the fake's own state below shares it
// What GraphGet (50) answers, in order; empty: the value 42.
std::deque<std::tuple<long long, Bytes>>& g_gets = *new std::deque<std::tuple<long long, Bytes>>;
std::tuple<long long, Bytes> g_build{0, U64(3) + "compiled graph 3 (Stage.Step)"};

void* FakeDriver(long long command, void* in_data, long long in_len, long long* out_len,
                 long long* ret_code) {
  const Bytes payload(static_cast<char*>(in_data), in_data ? static_cast<size_t>(in_len) : 0);
  std::lock_guard lock(g_mu);
  g_log.AddLocked(command, payload);
  switch (command) {
    case 48:
      return Reply(std::get<0>(g_build), std::get<1>(g_build), out_len, ret_code);
    case 49:
      return Reply(0, U64(9), out_len, ret_code);
    case 50: {
      if (g_gets.empty()) return Reply(0, Packed(int64_t{42}), out_len, ret_code);
      auto [code, body] = g_gets.front();
      g_gets.pop_front();
      return Reply(code, body, out_len, ret_code);
    }
    default:
      return Reply(0, "", out_len, ret_code);
  }
}

using fake_driver::Request;
std::vector<Request> Requests(long long command) { return g_log.Of(command); }

class GraphTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeDriver); }
  void SetUp() override {
    std::lock_guard lock(g_mu);
    g_log.ClearLocked();
    g_gets.clear();
    g_build = {0, U64(3) + "compiled graph 3 (Stage.Step)"};
  }
};

goray::ActorHandle Stage(std::uint64_t id) { return goray::ActorHandle(id, "Stage", true); }

TEST_F(GraphTest, BuildSendsTheDescriptionAndTheConstants) {
  goray::ActorHandle first = Stage(5), second = Stage(6);
  goray::Graph graph;
  auto in = graph.Input<int64_t>();
  auto a = graph.Call<int64_t>(first, "Step", in);
  auto b = graph.Call<int64_t>(second, "Add", a, int64_t{1000}, graph.Input<int64_t>(1));
  goray::CompiledGraph<int64_t, int64_t> compiled =
      graph.CompileWith({goray::Option("_max_inflight_executions", 4)}, b, a);
  EXPECT_EQ(compiled.id(), 3u);
  EXPECT_TRUE(compiled.compiled());
  std::vector<Request> builds = Requests(48);
  ASSERT_EQ(builds.size(), 1u);
  const Bytes& payload = builds[0].payload;  // units: the JSON description, the constants
  const std::uint64_t json_length = abi_call::ReadU64(payload.substr(0, 8));
  const nlohmann::json json = nlohmann::json::parse(payload.substr(8, json_length));
  EXPECT_EQ(json, nlohmann::json::parse(R"({
      "options": {"_max_inflight_executions": 4}, "compiled": true,
      "nodes": [{"actor": 5, "method": "Step", "args": [{"input": null}]},
                {"actor": 6, "method": "Add", "args": [{"node": 0}, {"const": 0}, {"input": 1}]}],
      "outputs": [1, 0]})"));
  EXPECT_EQ(payload.substr(16 + json_length), Packed(int64_t{1000}));
}

TEST_F(GraphTest, ExecuteThenGetDecodesOnceAndKeepsTheValue) {
  goray::Graph graph;
  auto step = graph.Call<int64_t>(Stage(5), "Step", graph.Input<int64_t>());
  goray::CompiledGraph<int64_t> compiled = graph.Compile(step);
  {
    goray::GraphRef<int64_t> ref = compiled.Execute(int64_t{7});
    EXPECT_EQ(ref.id(), 9u);
    std::vector<Request> executes = Requests(49);
    ASSERT_EQ(executes.size(), 1u);
    EXPECT_EQ(executes[0].payload, U64(3) + Packed(int64_t{7}));  // graph id, then the inputs
    EXPECT_EQ(ref.Get(), 42);
    EXPECT_EQ(goray::Get(ref), 42);
    std::vector<Request> gets = Requests(50);
    ASSERT_EQ(gets.size(), 1u);  // the second Get asked nothing
    EXPECT_EQ(gets[0].payload, U64(9) + U64(std::bit_cast<std::uint64_t>(-1.0)));
  }
  EXPECT_TRUE(Requests(51).empty());  // read: the driver forgot it already
  { goray::GraphRef<int64_t> unread = compiled.Execute(int64_t{8}); }
  std::vector<Request> releases = Requests(51);
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_EQ(releases[0].payload, U64(9));
}

TEST_F(GraphTest, SeveralOutputsAreATuple) {
  goray::Graph graph;
  auto a = graph.Call<int64_t>(Stage(5), "Step", graph.Input<int64_t>());
  auto b = graph.Call<std::string>(Stage(6), "Name", a);
  goray::CompiledGraph<int64_t, std::string> compiled = graph.Compile(a, b);
  g_gets.push_back({0, Packed(std::make_tuple(int64_t{1}, std::string("x")))});
  auto [number, text] = compiled.Execute(int64_t{0}).Get();
  EXPECT_EQ(number, 1);
  EXPECT_EQ(text, "x");
}

TEST_F(GraphTest, AFailureIsKeptAndATimeoutIsNot) {
  goray::Graph graph;
  auto step = graph.Call<int64_t>(Stage(5), "Check", graph.Input<int64_t>());
  goray::CompiledGraph<int64_t> compiled = graph.Compile(step);
  goray::GraphRef<int64_t> late = compiled.Execute(int64_t{1});
  g_gets.push_back({2, "timed out waiting for result 9"});
  EXPECT_THROW(late.Get(std::chrono::milliseconds(10)), goray::TimeoutError);
  EXPECT_EQ(late.Get(), 42);  // asked again
  EXPECT_EQ(Requests(50).size(), 2u);

  goray::GraphRef<int64_t> failed = compiled.Execute(int64_t{-1});
  g_gets.push_back({5, R"({"Message": "std::invalid_argument: negative input -1", "Traceback": "",
      "Error": {"type": "std::invalid_argument", "message": "negative input -1", "task": "Stage.Check"}})"});
  for (int read = 0; read < 2; ++read) {
    try {
      failed.Get();
      ADD_FAILURE() << "a failed result throws";
    } catch (const goray::TaskError& error) {
      EXPECT_EQ(error.type(), "std::invalid_argument");
      EXPECT_EQ(error.task(), "Stage.Check");
    }
  }
  EXPECT_EQ(Requests(50).size(), 3u);  // one GraphGet for both reads of the failure
}

TEST_F(GraphTest, TeardownOnceAndByTheLastCopy) {
  goray::Graph graph;
  auto step = graph.Call<int64_t>(Stage(5), "Step", graph.Input<int64_t>());
  {
    goray::CompiledGraph<int64_t> compiled = graph.Compile(step);
    compiled.Teardown();
    compiled.Teardown();
    EXPECT_TRUE(compiled.torn_down());
  }
  ASSERT_EQ(Requests(52).size(), 1u);
  EXPECT_EQ(Requests(52)[0].payload, U64(3));
  {
    goray::CompiledGraph<int64_t> first = graph.Classic(step);
    goray::CompiledGraph<int64_t> copy = first;
    EXPECT_FALSE(copy.compiled());
  }
  EXPECT_EQ(Requests(52).size(), 2u);  // the last copy tore it down
}

TEST_F(GraphTest, ADriverWithoutGraphsIsNamed) {
  g_build = {1, "unknown command 48"};
  goray::Graph graph;
  auto step = graph.Call<int64_t>(Stage(5), "Step", graph.Input<int64_t>());
  try {
    graph.Compile(step);
    ADD_FAILURE() << "Compile throws";
  } catch (const goray::PythonError& error) {
    EXPECT_NE(std::string(error.what()).find("this driver does not know graphs (it answered "
                                             "Native2Py 48 with: unknown command 48)"),
              std::string::npos)
        << error.what();
  }
  // The driver's own failure (JSON with "Error") is its error, as it is.
  g_build = {1, R"({"Message": "goray.GorayError: graph node 0: unknown actor id 5", "Traceback": "",
      "Error": {"type": "goray.GorayError", "message": "graph node 0: unknown actor id 5", "task": ""}})"};
  try {
    graph.Compile(step);
    ADD_FAILURE() << "Compile throws";
  } catch (const goray::PythonError& error) {
    EXPECT_NE(std::string(error.what()).find("graph node 0: unknown actor id 5"), std::string::npos)
        << error.what();
  }
}

// What goray-gen's typed handle.Method(args...) returns for a method taking int64_t
// parameters and returning an int64_t (NAME.goray.h builds the same call object).
template <class... A>
auto TypedCall(const goray::ActorHandle& handle, const char* method, A&&... args) {
  return goray::detail::MethodCall<goray::Future<int64_t>, goray::detail::Stored<int64_t, A>...>(
      {handle, method}, std::forward<A>(args)...);
}

template <class Call>
constexpr bool kSubmits = requires(Call call) { call.Remote(); };
template <class Call>
constexpr bool kBinds = requires(Call call, goray::Graph& graph) { call.Bind(graph); };

TEST_F(GraphTest, ATypedMethodCallBindsAsTheSameNode) {
  auto build = [](auto add_nodes) {
    goray::Graph graph;
    auto output = add_nodes(graph);
    static_assert(std::is_same_v<decltype(output), goray::GraphNode<int64_t>>);
    graph.Compile(output);
    std::vector<Request> builds = Requests(48);
    return builds.back().payload;
  };
  const Bytes named = build([](goray::Graph& graph) {
    auto a = graph.Call<int64_t>(Stage(5), "Step", graph.Input<int64_t>());
    return graph.Call<int64_t>(Stage(6), "Add", a, int64_t{1000});
  });
  const Bytes typed = build([](goray::Graph& graph) {
    auto in = graph.Input<int64_t>();
    auto a = TypedCall(Stage(5), "Step", in).Bind(graph);
    return TypedCall(Stage(6), "Add", a, 1000).Bind(graph);  // an int converts, as for Remote
  });
  EXPECT_EQ(typed, named);
  // A bound call can be bound again (into this graph: a second node) but not submitted.
  using Bound = decltype(TypedCall(Stage(5), "Step", std::declval<goray::GraphNode<int64_t>&>()));
  static_assert(!kSubmits<Bound> && kBinds<Bound>);
  static_assert(kSubmits<decltype(TypedCall(Stage(5), "Step", 1))>);
}

TEST_F(GraphTest, MistakesWhileBuildingAreRefusedBeforeAnythingIsSent) {
  goray::Graph graph, other;
  auto step = graph.Call<int64_t>(Stage(5), "Step", graph.Input<int64_t>());
  EXPECT_THROW(other.Call<int64_t>(Stage(5), "Step", step), std::invalid_argument);
  EXPECT_THROW(other.Compile(step), std::invalid_argument);
  EXPECT_THROW(graph.Compile(graph.Input<int64_t>()), std::invalid_argument);
  EXPECT_THROW(TypedCall(Stage(5), "Step", step).Bind(other), std::invalid_argument);
  EXPECT_TRUE(Requests(48).empty());
}

}  // namespace
