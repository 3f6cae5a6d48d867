// goray::Graph's driver commands (docs/protocol.md §15, a goray extension):
// GraphBuild, GraphExecute, GraphGet, GraphRelease, GraphTeardown (protocol_numbers.h).
// Tests: tests/cpp/graph_test.cpp, tests/renderers/test_gen_compile_fail.py
#include "goray/graph.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>

#include "framing/framing.h"
#include "goray/detail/driver_call.h"
#include "goray/errors.h"

namespace goray::detail {
namespace {

[[noreturn]] void ThrowGraphFailure(const DriverReply& reply, long long command, std::string_view what) {
  // A code-1 reply that is not our structured failure: a driver that does not know graphs
  // (GoRay's, or ours before them: "unknown command 48").
  if (reply.code == kFailed && !IsStructuredFailure(reply.data.view())) {
    throw PythonError("goray::Error",
                      "this driver does not know graphs (it answered Native2Py " +
                          std::to_string(command) + " with: " + std::string(reply.data.view()) +
                          "); goray::Graph needs goray's Python driver on Ray",
                      std::string(what));
  }
  ThrowDriverFailure(reply, what);
}

std::string U64Request(std::uint64_t id) {
  std::string request;
  AppendU64(request, id);
  return request;
}

}  // namespace

std::uint64_t NextGraphSerial() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1);
}

std::shared_ptr<GraphState> BuildGraph(GraphSpec& spec, const std::vector<std::size_t>& outputs,
                                       bool compiled, const std::vector<Option>& options) {
  // {"options":{...},"compiled":b,"nodes":[...],"outputs":[...]}
  std::string json = R"({"options":)";
  std::string members = OpenJsonWithOptions(options);  // "{" then "key":value, per option
  if (members.size() > 1 && members.back() == ',') members.pop_back();
  json += members + "}";
  json += R"(,"compiled":)";
  json += compiled ? "true" : "false";
  json += R"(,"nodes":[)" + spec.nodes_json + R"(],"outputs":[)";
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (i != 0) json += ',';
    json += std::to_string(outputs[i]);
  }
  json += "]}";
  std::string request;
  AppendUnit(request, json);
  AppendUnit(request, std::string_view(spec.constants.data(), spec.constants.size()));
  const std::string what = compiled ? "compiled graph" : "graph";
  DriverReply reply = CallDriver(kGraphBuild, request);
  if (reply.code != kSuccess) ThrowGraphFailure(reply, kGraphBuild, what);
  const std::string_view body = reply.data.view();
  auto state = std::make_shared<GraphState>();
  state->id = ParseId(body.substr(0, std::min<std::size_t>(8, body.size())), what);
  state->label = std::string(body.substr(8));  // the driver's name for it: "graph 3 (Stage.Step)"
  state->compiled = compiled;
  state->actors = spec.actors;
  return state;
}

std::shared_ptr<GraphResultState> ExecuteGraph(const GraphState& graph, codec::Buffer& request) {
  std::string id;
  AppendU64(id, graph.id);
  std::memcpy(request.data(), id.data(), 8);
  DriverReply reply = CallDriver(kGraphExecute, std::string_view(request.data(), request.size()));
  if (reply.code != kSuccess) ThrowGraphFailure(reply, kGraphExecute, graph.label);
  auto result = std::make_shared<GraphResultState>();
  result->id = ParseId(reply.data.view(), graph.label);
  result->what = graph.label + ", result " + std::to_string(result->id);
  return result;
}

std::string_view GetGraphResult(GraphResultState& result, double timeout_seconds) {
  std::lock_guard<std::mutex> lock(result.mutex);
  if (!result.settled) {
    std::string request = U64Request(result.id);
    char timeout[8];
    std::memcpy(timeout, &timeout_seconds, 8);  // f64 LE (every platform goray builds for)
    request.append(timeout, 8);
    DriverReply reply = CallDriver(kGraphGet, request);
    // The value, or a node's failure: the driver forgot the id. Anything else (a timeout)
    // leaves the result to be read again.
    if (reply.code != kSuccess && reply.code != kPanic) ThrowGraphFailure(reply, kGraphGet, result.what);
    result.settled = true;
    result.code = reply.code;
    result.payload = reply.data.view();
    result.owner = std::move(reply.data).Share();
  }
  if (result.code != kSuccess) ThrowDriverFailure(result.code, result.payload, result.what);
  return result.payload;
}

void TeardownGraph(GraphState& graph) {
  if (graph.torn_down.exchange(true)) return;
  DriverReply reply = CallDriver(kGraphTeardown, U64Request(graph.id));
  if (reply.code != kSuccess) ThrowGraphFailure(reply, kGraphTeardown, graph.label);
}

GraphState::~GraphState() {
  if (torn_down.load()) return;
  try {
    TeardownGraph(*this);
  } catch (const std::exception& error) {  // a destructor reports, never throws
    std::cerr << "goray: tearing down " << label << " failed: " << error.what() << std::endl;
  }
}

GraphResultState::~GraphResultState() {
  if (settled) return;  // the driver forgot it when it answered
  try {
    DriverReply reply = CallDriver(kGraphRelease, U64Request(id));
    (void)reply;  // an unknown id (a graph torn down meanwhile) needs nothing more
  } catch (...) {  // NOLINT(bugprone-empty-catch): no driver left (process exit)
  }
}

}  // namespace goray::detail
