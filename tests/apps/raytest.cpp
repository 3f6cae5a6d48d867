// Test application for the Ray tests (tests/ray): C++ tasks and actors that
// Python calls through Ray, and a driver whose scenarios exercise the whole C++
// API against a live Ray. Each scenario prints what failed and returns non-zero.
#include <goray/goray.h>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace raytest {

struct Point {
  double x = 0;
  double y = 0;
  std::string label;
};

}  // namespace raytest

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<raytest::Point> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const raytest::Point& value) const {
      goray::codec::EncodeStructHeader(out, 3);
      goray::codec::EncodeField(out, "x", value.x);
      goray::codec::EncodeField(out, "y", value.y);
      goray::codec::EncodeField(out, "label", value.label);
      return out;
    }
  };
  template <>
  struct convert<raytest::Point> {
    const msgpack::object& operator()(const msgpack::object& object, raytest::Point& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("x", value.x);
      decoder.Field("y", value.y);
      decoder.Field("label", value.label);
      return object;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack

namespace raytest {
namespace {

using Bytes = std::vector<std::uint8_t>;

double Square(double x) { return x * x; }
std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) {
  if (b == 0) throw std::domain_error("divide by zero");
  return {a / b, a % b};
}
void Noop() {}
int64_t Fail(std::string why) { throw std::runtime_error(why); }
int64_t Crash() {
  std::abort();
}
int64_t SleepMs(int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}
std::string Concat(const std::string& a, const std::string& b) { return a + b; }
Point Scale(Point p, double by) { return {p.x * by, p.y * by, p.label + "*"}; }
Bytes MakeBytes(int64_t size) {
  Bytes bytes(static_cast<std::size_t>(size));
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return bytes;
}
// Checks the pattern MakeBytes writes; returns the size.
int64_t CheckBytes(const Bytes& bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != static_cast<std::uint8_t>(i * 7 + 3)) throw std::runtime_error("bytes corrupted");
  }
  return static_cast<int64_t>(bytes.size());
}
double SumDoubles(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum;
}

// Where the task ran: Ray's ids and this process.
std::map<std::string, std::string> Where() {
  goray::RuntimeContext context = goray::GetRuntimeContext();
  return {{"node_id", context.node_id},
          {"job_id", context.job_id},
          {"task_id", context.task_id},
          {"actor_id", context.actor_id},
          {"pid", std::to_string(::getpid())}};
}

// Nested: a task that submits tasks (C++ and Python) from its worker.
double NestedSquare(double x) { return goray::RemoteCall("Square", x).Get<double>(); }
int64_t NestedPython(int64_t x) { return goray::RemoteCallPyTask("py_square", x).Get<int64_t>(); }
// A task that takes a ref produced elsewhere, resolved by Ray.
double AddPoint(const Point& p) { return p.x + p.y; }

// Fails the first `failures` times it runs for `marker` (counted in a file): for retries.
int64_t Flaky(std::string marker, int64_t failures) {
  int64_t seen = 0;
  {
    std::ifstream in(marker);
    in >> seen;
  }
  std::ofstream(marker) << seen + 1;
  if (seen < failures) throw std::runtime_error("flaky failure " + std::to_string(seen + 1));
  return seen + 1;
}
// Crashes the worker the first `crashes` times (counted in a file).
int64_t CrashyTask(std::string marker, int64_t crashes) {
  int64_t seen = 0;
  {
    std::ifstream in(marker);
    in >> seen;
  }
  std::ofstream(marker) << seen + 1;
  if (seen < crashes) std::abort();
  return seen + 1;
}

class Counter {
 public:
  explicit Counter(int64_t start) : value_(start) {}
  int64_t Incr(int64_t by) { return value_ += by; }
  int64_t Get() const { return value_; }
  std::map<std::string, std::string> Where() const { return raytest::Where(); }
  int64_t SleepMs(int64_t ms) { return raytest::SleepMs(ms); }
  int64_t Crash() { std::abort(); }
  int64_t Pid() const { return ::getpid(); }

 private:
  int64_t value_;
};

// ---------------------------------------------------------------------------
// Driver scenarios.

struct Checker {
  std::string scenario;
  int failures = 0;
  void Expect(bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      std::cerr << "[" << scenario << "] FAILED: " << what << std::endl;
    }
  }
  template <class E, class F>
  void ExpectThrows(F&& f, const std::string& what, const std::string& contains = {}) {
    try {
      f();
      Expect(false, what + ": no exception");
    } catch (const E& error) {
      Expect(contains.empty() || std::string(error.what()).find(contains) != std::string::npos,
             what + ": message " + error.what());
    } catch (const std::exception& error) {
      Expect(false, what + ": wrong exception " + error.what());
    }
  }
};

int TasksScenario(Checker& c) {
  c.Expect(goray::Get<double>(goray::RemoteCall("Square", 3.0)) == 9.0, "Square");
  auto [q, r] = goray::Get<int64_t, int64_t>(goray::RemoteCall("Divide", int64_t{17}, int64_t{5}));
  c.Expect(q == 3 && r == 2, "Divide multi-return");
  goray::RemoteCall("Noop").Wait();

  // Refs as arguments: from Put, from a C++ task, from a Python task.
  goray::ObjectRef put = goray::Put(Point{1, 2, "p"});
  c.Expect(goray::RemoteCall("AddPoint", put).Get<double>() == 3.0, "Put ref as argument");
  goray::ObjectRef scaled = goray::RemoteCall("Scale", put, 2.0);
  Point p = scaled.Get<Point>();
  c.Expect(p.x == 2 && p.y == 4 && p.label == "p*", "struct through a task");
  c.Expect(goray::RemoteCall("AddPoint", scaled).Get<double>() == 6.0, "C++ result ref as argument");
  goray::ObjectRef py = goray::RemoteCallPyTask("py_square", int64_t{7});
  c.Expect(py.Get<int64_t>() == 49, "Python task");
  c.Expect(goray::RemoteCall("Concat", std::string("a"), goray::RemoteCallPyTask("py_text", std::string("b")))
               .Get<std::string>() == "a<b>",
           "Python result ref as argument to C++");
  c.Expect(goray::RemoteCallPyTask("math.fsum", std::vector<double>{0.5, 0.25}).Get<double>() == 0.75,
           "dotted Python function");

  // Nested submission from inside workers.
  c.Expect(goray::RemoteCall("NestedSquare", 5.0).Get<double>() == 25.0, "nested C++ task");
  c.Expect(goray::RemoteCall("NestedPython", int64_t{6}).Get<int64_t>() == 36, "nested Python task");

  // Wait and timeouts.
  std::vector<goray::ObjectRef> refs = {goray::RemoteCall("SleepMs", int64_t{3000}),
                                        goray::RemoteCall("SleepMs", int64_t{1})};
  auto [ready, pending] = goray::Wait(refs, 1, std::chrono::seconds(20));
  c.Expect(ready.size() == 1 && ready[0].id() == refs[1].id() && pending.size() == 1, "Wait");
  c.ExpectThrows<goray::TimeoutError>([&] { refs[0].Get<int64_t>(std::chrono::milliseconds(50)); },
                                      "Get timeout");
  refs[0].Cancel(goray::Option("force", true));
  c.ExpectThrows<goray::Error>([&] { refs[0].Get<int64_t>(std::chrono::seconds(30)); }, "cancelled");

  // Failures with their types and messages.
  try {
    goray::RemoteCall("Fail", std::string("boom")).Get<int64_t>();
    c.Expect(false, "Fail did not throw");
  } catch (const goray::TaskError& error) {
    c.Expect(error.type() == "std::runtime_error", "TaskError type: " + error.type());
    c.Expect(error.message() == "boom", "TaskError message: " + error.message());
    c.Expect(error.task() == "Fail", "TaskError task: " + error.task());
  }
  c.ExpectThrows<goray::TaskError>(
      [&] { goray::RemoteCall("Divide", int64_t{1}, int64_t{0}).Get<int64_t, int64_t>(); },
      "divide by zero", "std::domain_error: divide by zero");
  c.ExpectThrows<goray::TaskError>(
      [&] { goray::RemoteCall("Square", std::string("x")).Get<double>(); }, "bad argument",
      "goray::ArgumentError: position 0: expected double, received str");
  try {
    goray::RemoteCall("Nope").Get<double>();
    c.Expect(false, "unknown task did not throw");
  } catch (const goray::TaskError& error) {
    c.Expect(error.type() == "goray::UnknownNameError" && error.task() == "Nope",
             std::string("unknown task: ") + error.what());
  }
  try {
    goray::RemoteCallPyTask("py_fail", std::string("bad")).Get<int64_t>();
    c.Expect(false, "py_fail did not throw");
  } catch (const goray::TaskError& error) {
    c.Expect(error.type() == "ValueError" && error.message() == "bad" && error.task() == "py_fail",
             std::string("Python task failure: ") + error.what());
  }
  c.ExpectThrows<goray::ResultTypeError>([&] { goray::RemoteCall("Square", 2.0).Get<std::string>(); },
                                         "Get with the wrong type");
  c.ExpectThrows<goray::WorkerDiedError>(
      [&] { goray::RemoteCall("Crash", goray::Option("max_retries", 0)).Get<int64_t>(); }, "worker crash");
  c.ExpectThrows<goray::Error>([&] { goray::RemoteCall("Square", 1.0, goray::Option("num_cpus", -1)); },
                               "bad option");

  // Values over 100 MiB both ways through the object store.
  const int64_t big = 150LL << 20;
  auto bytes = goray::RemoteCall("MakeBytes", big).Get<std::vector<std::uint8_t>>();
  c.Expect(static_cast<int64_t>(bytes.size()) == big, "150 MiB result");
  c.Expect(goray::RemoteCall("CheckBytes", goray::Put(bytes)).Get<int64_t>() == big, "150 MiB argument by ref");
  c.Expect(goray::RemoteCall("CheckBytes", bytes).Get<int64_t>() == big, "150 MiB argument by value");
  return c.failures;
}

int ActorsScenario(Checker& c) {
  goray::ActorHandle counter = goray::NewActor("Counter", int64_t{10}, goray::Option("name", "cpp_counter"));
  c.Expect(counter.RemoteCall("Incr", int64_t{5}).Get<int64_t>() == 15, "actor method");
  c.Expect(counter.RemoteCall("Get").Get<int64_t>() == 15, "actor state");
  goray::ActorHandle again = goray::GetActor("cpp_counter");
  c.Expect(again.is_native() && again.type_name() == "Counter", "GetActor of a C++ actor");
  c.Expect(again.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == 16, "method through GetActor");

  // Python actors: registered and by dotted name; named ones created by plain Python.
  goray::ActorHandle store = goray::NewPyActor("Storage");
  store.RemoteCall("put", std::string("k"), int64_t{42}).Wait();
  c.Expect(store.RemoteCall("get", std::string("k")).Get<int64_t>() == 42, "Python actor");
  goray::ActorHandle py_counter = goray::NewPyActor("collections.Counter", std::vector<std::string>{"a", "b", "a"});
  auto common = py_counter.RemoteCall("most_common", int64_t{1}).Get<std::vector<std::tuple<std::string, int64_t>>>();
  c.Expect(common.size() == 1 && std::get<0>(common[0]) == "a", "dotted Python actor class");
  goray::ActorHandle plain = goray::GetActor("plain_python_actor", goray::Option("namespace", "raytest"));
  c.Expect(!plain.is_native(), "GetActor of a plain Python actor");
  c.Expect(plain.RemoteCall("ping", int64_t{3}).Get<std::string>() == "pong 3", "plain Python actor call");

  // Errors from actors.
  c.ExpectThrows<goray::Error>([&] { counter.RemoteCall("Nope").Get<int64_t>(); }, "unknown method",
                               "unknown method 'Nope'");
  c.ExpectThrows<goray::Error>([&] { goray::NewActor("NoSuchType"); }, "unknown actor type",
                               "unknown actor type 'NoSuchType'");
  c.ExpectThrows<goray::Error>([&] { goray::GetActor("no_such_actor"); }, "GetActor unknown name");
  goray::ActorHandle doomed = goray::NewActor("Counter", int64_t{0});
  c.Expect(doomed.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == 1, "doomed actor alive");
  doomed.Kill();
  c.ExpectThrows<goray::ActorDiedError>([&] { doomed.RemoteCall("Incr", int64_t{1}).Get<int64_t>(); },
                                        "call on a killed actor");
  goray::ActorHandle moved = std::move(doomed);
  c.ExpectThrows<goray::Error>([&] { doomed.RemoteCall("Incr", int64_t{1}); }, "moved-from handle",
                               "moved-from ActorHandle");
  counter.Kill();
  return c.failures;
}

int LifetimesScenario(Checker& c) {
  auto sizes = [] { return goray::LocalCallPyTask("store_sizes").Get<int64_t, int64_t>(); };
  auto [objects_before, actors_before] = sizes();
  for (int i = 0; i < 200; ++i) {
    goray::ObjectRef ref = goray::RemoteCall("Square", static_cast<double>(i));
    goray::ObjectRef copy = ref;
    c.Expect(copy.Get<double>() == static_cast<double>(i * i), "value " + std::to_string(i));
    goray::Put(i);
  }
  for (int i = 0; i < 5; ++i) {
    goray::ActorHandle actor = goray::NewActor("Counter", int64_t{i});
    actor.RemoteCall("Incr", int64_t{1}).Wait();
  }
  auto [objects_after, actors_after] = sizes();
  c.Expect(objects_after == objects_before, "object store flat: " + std::to_string(objects_before) + " -> " +
                                                std::to_string(objects_after));
  c.Expect(actors_after == actors_before, "actor store flat: " + std::to_string(actors_before) + " -> " +
                                              std::to_string(actors_after));
  return c.failures;
}

int NamedScenario(Checker& c, const std::vector<std::string>& args) {
  // named make NAME: a detached C++ actor Python fetches later.
  // named use NAME: an actor made elsewhere (e.g. by Python), fetched here.
  if (args.at(1) == "make") {
    goray::ActorHandle actor = goray::NewActor("Counter", int64_t{100}, goray::Option("name", args.at(2)),
                                               goray::Option("lifetime", "detached"));
    c.Expect(actor.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == 101, "detached named actor");
  } else {
    goray::ActorHandle actor = goray::GetActor(args.at(2), goray::Option("namespace", "raytest"));
    c.Expect(actor.is_native() && actor.type_name() == "Counter", "fetched a C++ actor made in Python");
    c.Expect(actor.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == std::stoll(args.at(3)),
             "its state is the one Python left");
  }
  return c.failures;
}

int OptionsScenario(Checker& c, const std::vector<std::string>& args) {
  // options NODE_ID: every JSON form of scheduling_strategy, and plain options.
  const std::string node = args.at(1);
  auto where = [](const goray::ObjectRef& ref) { return ref.Get<std::map<std::string, std::string>>(); };
  std::string affinity = R"({"type": "node_affinity", "node_id": ")" + node + R"(", "soft": false})";
  c.Expect(where(goray::RemoteCall("Where", goray::Option("scheduling_strategy", goray::RawJson{affinity})))["node_id"] ==
               node,
           "node affinity");
  c.Expect(!where(goray::RemoteCall("Where", goray::Option("scheduling_strategy", "SPREAD")))["node_id"].empty(),
           "SPREAD");
  std::string group = R"({"type": "placement_group", "name": "raytest_pg", "bundle_index": 0})";
  c.Expect(where(goray::RemoteCall("Where", goray::Option("scheduling_strategy", goray::RawJson{group}),
                                   goray::Option("num_cpus", 1)))["node_id"] == node,
           "placement group");
  goray::ActorHandle pinned = goray::NewActor("Counter", int64_t{0},
                                              goray::Option("scheduling_strategy", goray::RawJson{group}),
                                              goray::Option("num_cpus", 1), goray::Option("max_concurrency", 4),
                                              goray::Option("max_restarts", 1), goray::Option("max_task_retries", 1));
  c.Expect(pinned.RemoteCall("Incr", int64_t{2}).Get<int64_t>() == 2, "actor with options");
  pinned.Kill();
  c.Expect(goray::RemoteCall("Square", 3.0, goray::Option("num_cpus", 0.5), goray::Option("memory", 1 << 20),
                             goray::Option("max_retries", 2), goray::Option("retry_exceptions", true),
                             goray::Option("runtime_env", goray::RawJson{R"({"env_vars": {"X": "1"}})"}))
                   .Get<double>() == 9.0,
           "plain options");
  c.ExpectThrows<goray::Error>(
      [&] { goray::RemoteCall("Square", 3.0, goray::Option("scheduling_strategy", goray::RawJson{R"({"type": "x"})"})); },
      "unknown scheduling strategy", "unknown scheduling_strategy type 'x'");
  c.ExpectThrows<goray::Error>([&] { goray::RemoteCall("Square", 3.0, goray::Option("no_such_option", 1)); },
                               "unknown option", "no_such_option");
  c.ExpectThrows<goray::Error>([&] { goray::RemoteCall("Square", 3.0, goray::Option("num_returns", 2)); },
                               "num_returns", "num_returns");
  return c.failures;
}

int WhereScenario(Checker& c, const std::vector<std::string>& args) {
  // args: where <resource> ... : one task and one actor pinned to each custom resource.
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::map<std::string, double> resources{{args[i], 0.01}};
    auto task_place = goray::RemoteCall("Where", goray::Option("resources", resources))
                          .Get<std::map<std::string, std::string>>();
    goray::ActorHandle actor = goray::NewActor("Counter", int64_t{0}, goray::Option("resources", resources));
    auto actor_place = actor.RemoteCall("Where").Get<std::map<std::string, std::string>>();
    std::cout << "WHERE " << args[i] << " task " << task_place["node_id"] << " actor " << actor_place["node_id"]
              << std::endl;
    c.Expect(!task_place["node_id"].empty() && task_place["node_id"] == actor_place["node_id"],
             "task and actor pinned to " + args[i] + " on one node");
  }
  return c.failures;
}

int Driver(const std::vector<std::string>& args) {
  const std::string scenario = args.empty() ? "tasks" : args[0];
  Checker checker{scenario};
  try {
    if (scenario == "tasks") return TasksScenario(checker);
    if (scenario == "actors") return ActorsScenario(checker);
    if (scenario == "lifetimes") return LifetimesScenario(checker);
    if (scenario == "where") return WhereScenario(checker, args);
    if (scenario == "named") return NamedScenario(checker, args);
    if (scenario == "options") return OptionsScenario(checker, args);
    if (scenario == "exit") return args.size() > 1 ? std::stoi(args[1]) : 0;
    if (scenario == "sleep") {
      std::cout << "SLEEPING" << std::endl;
      std::this_thread::sleep_for(std::chrono::seconds(args.size() > 1 ? std::stoi(args[1]) : 600));
      return 0;
    }
    if (scenario == "context") {
      goray::RuntimeContext context = goray::GetRuntimeContext();
      std::cout << "JOB " << context.job_id << std::endl;
      return context.job_id.empty() ? 1 : 0;
    }
  } catch (const std::exception& error) {
    std::cerr << "[" << scenario << "] uncaught: " << error.what() << std::endl;
    return 100;
  }
  std::cerr << "unknown scenario " << scenario << std::endl;
  return 99;
}

}  // namespace
}  // namespace raytest

void goray::RegisterApplication(goray::Registry& registry) {
  using namespace raytest;
  registry.AddTask("Square", &Square);
  registry.AddTask("Divide", &Divide);
  registry.AddTask("Noop", &Noop);
  registry.AddTask("Fail", &Fail);
  registry.AddTask("Crash", &Crash);
  registry.AddTask("SleepMs", &SleepMs);
  registry.AddTask("Concat", &Concat);
  registry.AddTask("Scale", &Scale);
  registry.AddTask("MakeBytes", &MakeBytes);
  registry.AddTask("CheckBytes", &CheckBytes);
  registry.AddTask("SumDoubles", &SumDoubles);
  registry.AddTask("Where", &Where);
  registry.AddTask("NestedSquare", &NestedSquare);
  registry.AddTask("NestedPython", &NestedPython);
  registry.AddTask("AddPoint", &AddPoint);
  registry.AddTask("Flaky", &Flaky);
  registry.AddTask("CrashyTask", &CrashyTask);
  registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create)
      .AddMethod("Incr", &Counter::Incr)
      .AddMethod("Get", &Counter::Get)
      .AddMethod("Where", &Counter::Where)
      .AddMethod("SleepMs", &Counter::SleepMs)
      .AddMethod("Crash", &Counter::Crash)
      .AddMethod("Pid", &Counter::Pid);
  registry.SetDriver(&Driver);
  registry.SetInitOptions(R"({"num_cpus": 4})");
}
