// The 2-node cluster tests of batches, pipelined submissions, and refs and actor handles
// inside values (tests/ray/test_cluster_values.py). Tasks report the node they ran on
// and read the refs (or call the handles) they were given; the driver's scenarios take
// the node resources' names and pin work to each node.
#include <goray/goray.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "ref_job.h"

namespace clusterapp {

// A job whose input is a ref: read where the job runs.
using Job = testapps::RefJob;

namespace {

using Seen = std::map<std::string, std::string>;

std::string ThisNode() { return goray::GetRuntimeContext().node_id; }

std::string Node() { return ThisNode(); }
int64_t Produce(int64_t x) { return x; }
int64_t Fail(int64_t x) { throw std::runtime_error("fail " + std::to_string(x)); }

// Reads every ref with one batch Get, here.
Seen SumRefs(const std::vector<goray::ObjectRef>& refs) {
  int64_t sum = 0;
  for (int64_t value : goray::Get<int64_t>(refs)) sum += value;
  return {{"node", ThisNode()}, {"value", std::to_string(sum)}, {"count", std::to_string(refs.size())}};
}

Seen RunJob(const Job& job) {
  return {{"node", ThisNode()},
          {"value", std::to_string(job.input.Get<int64_t>() * job.scale)},
          {"label", job.label}};
}

// A result with a ref inside: the ref's object is made here.
Job WrapHere(int64_t x) { return Job{goray::Put(x), 1, ThisNode()}; }

// Calls the actor it was given (C++ or Python), here.
Seen CallActor(const goray::ActorHandle& actor, const std::string& method, int64_t n) {
  int64_t value = actor.RemoteCall(method, n).Get<int64_t>();
  return {{"node", ThisNode()},
          {"value", std::to_string(value)},
          {"type", actor.type_name()},
          {"native", actor.is_native() ? "1" : "0"}};
}

struct Counter {
  int64_t total = 0;
  int64_t Add(int64_t n) { return total += n; }
  std::string Node() { return ThisNode(); }
};

// ---------------------------------------------------------------------------
// Driver scenarios: args are <scenario> <resource of node a> <resource of node b>.

struct Checker {
  std::string scenario;
  int failures = 0;
  void Expect(bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      std::cerr << "[" << scenario << "] FAILED: " << what << std::endl;
    }
  }
};

goray::Option On(const std::string& resource) {
  return goray::Option("resources", std::map<std::string, double>{{resource, 0.01}});
}

std::string NodeOf(const std::string& resource) {
  return goray::RemoteCall("Node", On(resource)).Get<std::string>();
}

// Tasks on both nodes, fetched with one batch Get and with AsCompleted.
int BatchScenario(Checker& c, const std::string& a, const std::string& b) {
  const int64_t count = 200;
  std::vector<goray::ObjectRef> refs;
  for (int64_t i = 0; i < count; ++i) refs.push_back(goray::RemoteCall("Produce", i, On(i % 2 ? b : a)));
  std::vector<int64_t> values = goray::Get<int64_t>(refs);
  bool in_order = values.size() == static_cast<std::size_t>(count);
  for (int64_t i = 0; in_order && i < count; ++i) in_order = values[static_cast<std::size_t>(i)] == i;
  c.Expect(in_order, "batch Get of tasks on both nodes, in the refs' order");

  std::set<std::size_t> seen;
  bool right = true;
  for (const auto& done : goray::AsCompleted(refs)) {
    right = right && done.template Get<int64_t>() == static_cast<int64_t>(done.index);
    seen.insert(done.index);
  }
  c.Expect(right && seen.size() == static_cast<std::size_t>(count), "AsCompleted over both nodes: each once");

  // A failure on the other node: the batch throws what a single Get throws.
  std::vector<goray::ObjectRef> mixed{goray::RemoteCall("Produce", int64_t{1}, On(a)),
                                      goray::RemoteCall("Fail", int64_t{7}, On(b))};
  std::string single, batch;
  try {
    mixed[1].Get<int64_t>();
  } catch (const goray::Error& error) {
    single = typeid(error).name();
  }
  try {
    goray::Get<int64_t>(mixed);
  } catch (const goray::Error& error) {
    batch = typeid(error).name();
    c.Expect(std::string(error.what()).find("fail 7") != std::string::npos,
             std::string("the batch names the failure: ") + error.what());
  }
  c.Expect(!single.empty() && single == batch, "batch Get throws the single Get's exception type");
  std::cout << "BATCH " << count << " " << NodeOf(a) << " " << NodeOf(b) << std::endl;
  return c.failures;
}

// Many submissions without waiting, to both nodes and to one actor on the other node:
// every result right, the actor's calls in submission order, failures at Get.
int PipelinedScenario(Checker& c, const std::string& a, const std::string& b) {
  const int64_t count = 1000;
  goray::ActorHandle counter = goray::NewActor("Counter", On(b));
  std::vector<goray::ObjectRef> tasks, calls;
  for (int64_t i = 0; i < count; ++i) {
    tasks.push_back(goray::RemoteCall("Produce", i, On(i % 2 ? b : a)));
    calls.push_back(counter.RemoteCall("Add", int64_t{1}));
  }
  goray::ObjectRef unknown = goray::RemoteCall("NoSuchTask", int64_t{1});
  goray::ObjectRef refused = goray::RemoteCall("Produce", int64_t{1}, goray::Option("num_cpus", -1));
  std::vector<int64_t> values = goray::Get<int64_t>(tasks);
  std::vector<int64_t> totals = goray::Get<int64_t>(calls);
  bool right = true, ordered = true;
  for (int64_t i = 0; i < count; ++i) {
    right = right && values[static_cast<std::size_t>(i)] == i;
    ordered = ordered && totals[static_cast<std::size_t>(i)] == i + 1;
  }
  c.Expect(right, "pipelined tasks on both nodes: every result right");
  c.Expect(ordered, "pipelined calls to an actor on the other node run in submission order");
  for (auto* failing : {&unknown, &refused}) {
    try {
      failing->Get<int64_t>();
      c.Expect(false, "a failed pipelined submission surfaces at Get");
    } catch (const goray::Error& error) {
      std::cout << "FAILED_AT_GET " << error.what() << std::endl;
    }
  }
  std::cout << "PIPELINED " << count << " actor on " << counter.RemoteCall("Node").Get<std::string>() << std::endl;
  return c.failures;
}

// Refs inside a vector and a struct, made on this node, read by a task on node b;
// a struct with a ref made on node b, read here.
int RefsScenario(Checker& c, const std::string& a, const std::string& b) {
  const std::string node_b = NodeOf(b);
  std::vector<goray::ObjectRef> refs{goray::Put(int64_t{1}), goray::Put(int64_t{2}),
                                     goray::RemoteCall("Produce", int64_t{3}, On(a))};
  Seen summed = goray::RemoteCall("SumRefs", refs, On(b)).Get<Seen>();
  c.Expect(summed["node"] == node_b && summed["value"] == "6", "a vector of refs read on node b: " +
                                                                   summed["node"] + " " + summed["value"]);
  Job job{goray::RemoteCall("Produce", int64_t{5}, On(a)), 3, "job"};
  Seen ran = goray::RemoteCall("RunJob", job, On(b)).Get<Seen>();
  c.Expect(ran["node"] == node_b && ran["value"] == "15" && ran["label"] == "job", "a struct's ref read on node b");
  Job back = goray::RemoteCall("WrapHere", int64_t{11}, On(b)).Get<Job>();
  c.Expect(back.label == node_b && back.input.Get<int64_t>() == 11, "a ref made on node b, read from its result here");
  std::cout << "REFS read on " << node_b << std::endl;
  return c.failures;
}

// A C++ actor and a Python actor on node a, their handles passed to tasks on node b.
int HandlesScenario(Checker& c, const std::string& a, const std::string& b) {
  const std::string node_a = NodeOf(a), node_b = NodeOf(b);
  goray::ActorHandle counter = goray::NewActor("Counter", On(a));
  Seen first = goray::RemoteCall("CallActor", counter, std::string("Add"), int64_t{4}, On(b)).Get<Seen>();
  Seen second = goray::RemoteCall("CallActor", counter, std::string("Add"), int64_t{5}, On(b)).Get<Seen>();
  c.Expect(first["node"] == node_b && first["value"] == "4" && second["value"] == "9" && first["native"] == "1",
           "a C++ actor's handle called from node b: " + first["node"] + " " + second["value"]);
  c.Expect(counter.RemoteCall("Add", int64_t{0}).Get<int64_t>() == 9 &&
               counter.RemoteCall("Node").Get<std::string>() == node_a,
           "the calls from node b reached the actor on node a");
  goray::ActorHandle py = goray::NewPyActor("PyCounter", On(a));
  Seen from_py = goray::RemoteCall("CallActor", py, std::string("add"), int64_t{6}, On(b)).Get<Seen>();
  c.Expect(from_py["node"] == node_b && from_py["value"] == "6" && from_py["native"] == "0",
           "a Python actor's handle called from node b: " + from_py["node"] + " " + from_py["value"]);
  std::cout << "HANDLES called from " << node_b << " on " << node_a << std::endl;
  return c.failures;
}

int Driver(const std::vector<std::string>& args) {
  if (args.size() != 3) {
    std::cerr << "usage: <batch|pipelined|refs|handles> <resource a> <resource b>" << std::endl;
    return 2;
  }
  Checker checker{args[0]};
  try {
    if (args[0] == "batch") return BatchScenario(checker, args[1], args[2]);
    if (args[0] == "pipelined") return PipelinedScenario(checker, args[1], args[2]);
    if (args[0] == "refs") return RefsScenario(checker, args[1], args[2]);
    if (args[0] == "handles") return HandlesScenario(checker, args[1], args[2]);
  } catch (const std::exception& error) {
    std::cerr << "[" << args[0] << "] uncaught: " << error.what() << std::endl;
    return 1;
  }
  std::cerr << "unknown scenario " << args[0] << std::endl;
  return 2;
}

}  // namespace
}  // namespace clusterapp

void goray::RegisterApplication(goray::Registry& registry) {
  using namespace clusterapp;
  registry.AddTask("Node", &Node);
  registry.AddTask("Produce", &Produce);
  registry.AddTask("Fail", &Fail);
  registry.AddTask("SumRefs", &SumRefs);
  registry.AddTask("RunJob", &RunJob);
  registry.AddTask("WrapHere", &WrapHere);
  registry.AddTask("CallActor", &CallActor);
  registry.AddActor<Counter>("Counter", [] { return Counter{}; })
      .AddMethod("Add", &Counter::Add)
      .AddMethod("Node", &Counter::Node);
  registry.SetDriver(&Driver);
}
