// raytest part: the driver's "graphs", "graphs_refused" and "graph_errors" scenarios: goray::Graph (a
// graph of actor method calls built, compiled and executed from C++) over
// graph_stage.cpp's GraphStage and graph_defs.py's PyGraphStage.
#include <goray/graph.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "parts.h"

namespace raytest {
namespace {

struct Checks {
  const char* scenario;
  int failures = 0;
  void Expect(bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      std::cerr << "[" << scenario << "] FAILED: " << what << std::endl;
    }
  }
};

// A two-stage pipeline of C++ actors and a Python stage, compiled and classic, run
// repeatedly; several outputs; constants; an exception inside; teardown with the
// actors still answering ordinary calls.
int GraphsScenario() {
  Checks c{"graphs"};
  goray::ActorHandle first = goray::NewActor("GraphStage", int64_t{1});
  goray::ActorHandle second = goray::NewActor("GraphStage", int64_t{10});
  goray::ActorHandle python = goray::NewPyActor("PyGraphStage", int64_t{100});

  goray::Graph graph;
  auto in = graph.Input<int64_t>();
  auto a = graph.Call<int64_t>(first, "Step", in);
  auto b = graph.Call<int64_t>(second, "Step", a);
  auto p = graph.Call<int64_t>(python, "step", b);

  goray::CompiledGraph<int64_t> compiled = graph.Compile(p);
  c.Expect(compiled.compiled(), "Compile gives a compiled graph");
  for (int64_t x = 0; x < 50; ++x) {
    const int64_t y = compiled.Execute(x).Get();
    if (y != x + 111) c.Expect(false, "compiled Execute(" + std::to_string(x) + ") = " + std::to_string(y));
  }
  // Several executions in flight, read in reverse order.
  std::vector<goray::GraphRef<int64_t>> refs;
  for (int64_t x = 0; x < 5; ++x) refs.push_back(compiled.Execute(x));
  for (int64_t x = 4; x >= 0; --x) {
    c.Expect(goray::Get(refs[x]) == x + 111, "in-flight result " + std::to_string(x));
    c.Expect(refs[x].Get() == x + 111, "a result read twice");
  }
  compiled.Teardown();
  c.Expect(compiled.torn_down(), "torn_down() after Teardown");
  compiled.Teardown();  // a second one does nothing
  // The actors answer ordinary calls again; each Step ran once per execution.
  c.Expect(first.RemoteCall("Calls").Get<int64_t>() == 55, "the first stage's calls");
  c.Expect(first.RemoteCall("Step", int64_t{5}).Get<int64_t>() == 6, "a call after teardown");

  // Classic: the same graph through the object store.
  goray::CompiledGraph<int64_t> classic = graph.Classic(p);
  c.Expect(!classic.compiled(), "Classic gives an uncompiled graph");
  c.Expect(classic.Execute(int64_t{7}).Get() == 118, "classic Execute");
  classic.Teardown();

  // Two inputs, a constant, two outputs.
  goray::Graph two;
  auto x0 = two.Input<int64_t>(0);
  auto x1 = two.Input<int64_t>(1);
  auto s0 = two.Call<int64_t>(first, "Step", x0);
  auto s1 = two.Call<int64_t>(second, "Step", x1);
  auto k = two.Call<int64_t>(second, "Add", x1, int64_t{1000});  // a node needs a node argument
  goray::CompiledGraph<int64_t, int64_t, int64_t> both = two.Compile(s0, s1, k);
  auto [r0, r1, rk] = both.Execute(int64_t{3}, int64_t{4}).Get();
  c.Expect(r0 == 4 && r1 == 14 && rk == 1004, "two inputs, a constant, three outputs");
  both.Teardown();

  // Arrays through a compiled graph.
  goray::Graph arrays;
  auto v = arrays.Input<goray::Array<double>>();
  auto v1 = arrays.Call<goray::Array<double>>(second, "Scale", v);
  auto v2 = arrays.Call<goray::Array<double>>(second, "Scale", v1);
  goray::CompiledGraph<goray::Array<double>> scaled = arrays.Compile(v2);
  goray::GraphRef<goray::Array<double>> array_ref =
      scaled.Execute(goray::Array<double>(std::vector<double>{1, 2, 3}));
  goray::Array<double> out = array_ref.Get();
  c.Expect(out.size() == 3 && out[0] == 100 && out[2] == 300, "an array through a compiled graph");
  out[0] = -1;  // a copy: the next Get decodes the value the driver answered
  c.Expect(array_ref.Get()[0] == 100, "an array read again after the first was written to");
  scaled.Teardown();

  // A C++ exception inside a compiled graph: the caller gets it, the graph goes on.
  goray::Graph failing;
  auto f = failing.Call<int64_t>(first, "Check", failing.Input<int64_t>());
  goray::CompiledGraph<int64_t> checked = failing.Compile(f);
  try {
    checked.Execute(int64_t{-3}).Get();
    c.Expect(false, "a failing stage throws");
  } catch (const goray::TaskError& error) {
    c.Expect(error.type() == "std::invalid_argument", std::string("the type: ") + error.type());
    c.Expect(error.message() == "negative input -3", std::string("the message: ") + error.message());
    c.Expect(error.task() == "GraphStage.Check", std::string("the task: ") + error.task());
  }
  goray::GraphRef<int64_t> failed = checked.Execute(int64_t{-4});
  for (int read = 0; read < 2; ++read) {  // the failure is kept: the same error each time
    try {
      failed.Get();
      c.Expect(false, "a failed result throws at every Get");
    } catch (const goray::TaskError& error) {
      c.Expect(error.message() == "negative input -4", std::string("read again: ") + error.what());
    }
  }
  c.Expect(checked.Execute(int64_t{3}).Get() == 3, "the graph runs after a failure");
  // A timeout leaves the result readable.
  goray::Graph slow;
  auto sl = slow.Call<int64_t>(second, "SleepMs", slow.Input<int64_t>());
  checked.Teardown();
  goray::CompiledGraph<int64_t> sleepy = slow.Compile(sl);
  goray::GraphRef<int64_t> late = sleepy.Execute(int64_t{1500});
  try {
    late.Get(std::chrono::milliseconds(20));
    c.Expect(false, "Get(20 ms) of a 1.5 s stage times out");
  } catch (const goray::TimeoutError&) {
  }
  c.Expect(late.Get() == 1500, "the result after a timeout");
  sleepy.Teardown();
  return c.failures;
}

// Bad input: each error names what was wrong; the driver goes on after each.
int GraphErrorsScenario() {
  Checks c{"graph_errors"};
  goray::ActorHandle stage = goray::NewActor("GraphStage", int64_t{1});
  auto expect_error = [&](const std::string& what, const std::string& needle, auto&& action) {
    try {
      action();
      c.Expect(false, what + ": no error");
    } catch (const std::exception& error) {  // goray::Error, or std::invalid_argument for misuse
      const std::string text = error.what();
      c.Expect(text.find(needle) != std::string::npos, what + ": " + text);
      std::cout << "ERROR " << what << ": " << text << std::endl;
    }
  };
  expect_error("unknown method", "actor GraphStage has no method 'Nope'", [&] {
    goray::Graph g;
    auto n = g.Call<int64_t>(stage, "Nope", g.Input<int64_t>());
    g.Compile(n);
  });
  expect_error("unknown actor", "unknown actor id 999999", [&] {
    goray::Graph g;
    goray::ActorHandle forged(999999, "GraphStage", true);
    auto n = g.Call<int64_t>(forged, "Step", g.Input<int64_t>());
    g.Compile(n);
  });
  expect_error("a generator method", "Streamer.Range is a generator", [&] {
    goray::Graph g;
    goray::ActorHandle streamer = goray::NewActor("Streamer", std::string("p"));
    auto n = g.Call<int64_t>(streamer, "Range", g.Input<int64_t>());
    g.Compile(n);
  });
  expect_error("a Python actor's unknown method", "actor PyGraphStage has no method 'nope'", [&] {
    goray::Graph g;
    goray::ActorHandle python = goray::NewPyActor("PyGraphStage", int64_t{1});
    auto n = g.Call<int64_t>(python, "nope", g.Input<int64_t>());
    g.Compile(n);
  });
  expect_error("an output that is an input", "an output must be a Call node", [&] {
    goray::Graph g;
    g.Compile(g.Input<int64_t>());
  });
  // Compiled where this Ray's compiled graphs are goray's (2.43 on), else classic: the
  // errors below are a graph's, whichever it is.
  auto compile_or_classic = [](goray::Graph& graph, auto output) {
    try {
      return graph.Compile(output);
    } catch (const goray::Error& error) {
      if (std::string(error.what()).find("needs Ray") == std::string::npos) throw;
      return graph.Classic(output);
    }
  };
  goray::Graph g;
  auto n = g.Call<int64_t>(stage, "Step", g.Input<int64_t>());
  goray::CompiledGraph<int64_t> compiled = compile_or_classic(g, n);
  c.Expect(compiled.Execute(int64_t{1}).Get() == 2, "the graph runs");
  goray::GraphRef<int64_t> unread = compiled.Execute(int64_t{2});
  compiled.Teardown();
  expect_error("execute after teardown", "was torn down", [&] { compiled.Execute(int64_t{1}); });
  expect_error("read after teardown", "torn down before the result was read", [&] { unread.Get(); });
  expect_error("a node of another graph", "a node of another graph", [&] {
    goray::Graph other;
    other.Call<int64_t>(stage, "Step", n);
  });
  expect_error("a wrong input type", "ArgumentError", [&] {
    goray::Graph typed;
    auto t = typed.Call<int64_t>(stage, "Step", typed.Input<std::string>());
    goray::CompiledGraph<int64_t> bad = compile_or_classic(typed, t);
    try {
      bad.Execute(std::string("text")).Get();
    } catch (...) {
      bad.Teardown();
      throw;
    }
  });
  c.Expect(stage.RemoteCall("Step", int64_t{1}).Get<int64_t>() == 2, "the actor after the errors");
  return c.failures;
}

// "graph_without_driver": Compile under a driver that does not know the graph commands
// (test_graphs_cpp.py takes GraphBuild out of the driver's table) says so.
int GraphWithoutDriverScenario() {
  Checks c{"graph_without_driver"};
  goray::ActorHandle stage = goray::NewActor("GraphStage", int64_t{1});
  goray::Graph graph;
  auto step = graph.Call<int64_t>(stage, "Step", graph.Input<int64_t>());
  try {
    graph.Compile(step);
    c.Expect(false, "Compile without the driver's graph commands throws");
  } catch (const goray::PythonError& error) {
    const std::string text = error.what();
    c.Expect(text.find("this driver does not know graphs (it answered Native2Py 48 with: "
                       "unknown command 48)") != std::string::npos, text);
  }
  return c.failures;
}

// "graph_bench N": the p50 of N round trips (Execute(x).Get()) through a one-node
// compiled graph on a fresh C++ actor, recorded with graph_defs.py's record_graph_time
// (bench/compiled_graphs.py reads it).
int GraphBenchScenario(const std::vector<std::string>& args) {
  const int calls = args.size() > 1 ? std::stoi(args[1]) : 1000;
  goray::ActorHandle stage = goray::NewActor("GraphStage", int64_t{1});
  goray::Graph graph;
  auto step = graph.Call<int64_t>(stage, "Step", graph.Input<int64_t>());
  goray::CompiledGraph<int64_t> compiled = graph.Compile(step);
  if (compiled.Execute(int64_t{0}).Get() != 1) return 1;  // warm: the loops started
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(calls));
  for (int64_t x = 0; x < calls; ++x) {
    const auto start = std::chrono::steady_clock::now();
    if (compiled.Execute(x).Get() != x + 1) return 1;
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  compiled.Teardown();
  std::nth_element(times.begin(), times.begin() + calls / 2, times.end());
  goray::LocalCallPyTask("record_graph_time", times[calls / 2]);
  return 0;
}

// On a Ray whose compiled graphs goray refuses (before 2.43): Compile throws a
// goray::Error that names the first release, the driver goes on, and the same graph
// runs classic (through Ray's object store).
int GraphsRefusedScenario() {
  Checks c{"graphs_refused"};
  goray::ActorHandle first = goray::NewActor("GraphStage", int64_t{1});
  goray::ActorHandle python = goray::NewPyActor("PyGraphStage", int64_t{100});
  goray::Graph graph;
  auto p = graph.Call<int64_t>(python, "step", graph.Call<int64_t>(first, "Step", graph.Input<int64_t>()));
  try {
    graph.Compile(p);
    c.Expect(false, "Compile on a Ray whose compiled graphs goray refuses");
  } catch (const goray::Error& error) {
    const std::string text = error.what();
    c.Expect(text.find("compiled graphs from C++ (goray::Graph::Compile) needs Ray 2.43.0 or later") !=
                 std::string::npos, "the refusal names the feature and its release: " + text);
    std::cout << "REFUSED " << text << std::endl;
  }
  goray::CompiledGraph<int64_t> classic = graph.Classic(p);
  c.Expect(classic.Execute(int64_t{7}).Get() == 108, "the same graph classic");
  classic.Teardown();
  return c.failures;
}

int GraphDriver(const std::vector<std::string>& args) {
  const std::string scenario = args.empty() ? "graphs" : args[0];
  try {
    if (scenario == "graphs") return GraphsScenario();
    if (scenario == "graphs_refused") return GraphsRefusedScenario();
    if (scenario == "graph_errors") return GraphErrorsScenario();
    if (scenario == "graph_bench") return GraphBenchScenario(args);
    if (scenario == "graph_without_driver") return GraphWithoutDriverScenario();
  } catch (const std::exception& error) {
    std::cerr << "[" << scenario << "] uncaught: " << error.what() << std::endl;
    return 100;
  }
  return 99;
}

}  // namespace

int GraphScenario(const std::vector<std::string>& args) { return GraphDriver(args); }

}  // namespace raytest
