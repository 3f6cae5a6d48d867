// Test application for the Ray tests (tests/ray): C++ tasks and actors that
// Python calls through Ray, and a driver whose scenarios exercise the whole C++
// API against a live Ray. Each scenario prints what failed and returns non-zero.
#include <goray/goray.h>

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
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
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "ref_job.h"
#include "raytest/parts.h"
#include "raytest/point.h"

namespace raytest {

using testapps::RefJob;

// An actor handle inside a struct: the counter to call and by how much.
struct Crew {
  goray::ActorHandle counter;
  int64_t by = 1;
};

}  // namespace raytest

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<raytest::Crew> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const raytest::Crew& value) const {
      goray::codec::EncodeStructHeader(out, 2);
      goray::codec::EncodeField(out, "counter", value.counter);
      goray::codec::EncodeField(out, "by", value.by);
      return out;
    }
  };
  template <>
  struct convert<raytest::Crew> {
    const msgpack::object& operator()(const msgpack::object& object, raytest::Crew& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("counter", value.counter);
      decoder.Field("by", value.by);
      decoder.End();
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

// Batches inside a task: n squares fetched in one Get, and again in completion order.
double BatchSquares(int64_t n) {
  std::vector<goray::Future<double>> futures;
  for (int64_t i = 0; i < n; ++i) futures.emplace_back(goray::RemoteCall("Square", static_cast<double>(i)));
  double total = 0;
  for (double value : goray::Get(futures)) total += value;
  double again = 0;
  for (const goray::Completed& done : goray::AsCompleted(futures)) again += done.Get<double>();
  return total == again ? total : -1;
}
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


// ---------------------------------------------------------------------------
// Fault injection (tests/ray/test_faults.py, test_cluster.py): tasks and methods
// that say where they run through files in a directory the test owns, and wait
// for a release file, so a test can kill their process while they run.

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

// Written whole under another name, then renamed: a reader never sees half a file.
void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path + ".tmp") << text;
  std::filesystem::rename(path + ".tmp", path);
}

// Polls for `path`; gives up after 5 minutes so that a broken test ends.
void WaitForFile(const std::string& path) {
  for (int i = 0; i < 30000; ++i) {
    if (Exists(path)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("gave up waiting for " + path);
}

// The pid a fault-injection task or method wrote to `path` ("<pid> <node id>").
int64_t ReadPid(const std::string& path) {
  WaitForFile(path);
  int64_t pid = 0;
  std::ifstream(path) >> pid;
  return pid;
}

// Task i of a held batch: records its start (attempt, pid, node) as
// DIR/started-<i>-<attempt>, waits for DIR/release, returns i*i and where it ran.
std::map<std::string, std::string> HeldTask(std::string dir, int64_t i) {
  const std::string prefix = dir + "/started-" + std::to_string(i) + "-";
  int attempt = 1;
  while (Exists(prefix + std::to_string(attempt))) ++attempt;
  std::map<std::string, std::string> place = Where();
  WriteFile(prefix + std::to_string(attempt), place["pid"] + " " + place["node_id"]);
  WaitForFile(dir + "/release");
  place["value"] = std::to_string(i * i);
  place["attempt"] = std::to_string(attempt);
  return place;
}

// Large values: 1 GiB round trips, and values over msgpack's 4 GiB - 1 limit.
Bytes EchoBytes(Bytes bytes) { return bytes; }

// 4 GiB + 1 bytes of address space, never touched (no memory used): a value
// one byte over msgpack's limit, to test the limit's error without 4 GiB of RAM.
std::string_view HugeView() {
  constexpr std::size_t kSize = (std::size_t{1} << 32) + 1;
  static void* const memory =
      ::mmap(nullptr, kSize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) throw std::runtime_error("mmap of 4 GiB + 1 of address space failed");
  return {static_cast<const char*>(memory), kSize};
}

// Arrays (tests/ray/test_arrays.py): where an argument's data lives, and arithmetic.

// The mapping of /proc/self/maps that holds `address`: its path ("/dev/shm/plasma...
// (deleted)" for Ray's object store, "[heap]"), or "[anonymous]"; "" if none does.
std::string MappingOf(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms >> offset >> device >> inode;
    std::getline(fields >> std::ws, path);
    const auto dash = range.find('-');
    const auto begin = std::stoull(range.substr(0, dash), nullptr, 16);
    const auto end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (at >= begin && at < end) return path.empty() ? "[anonymous]" : path;
  }
  return "";
}

std::string ArrayMapping(goray::ArrayView<double> view) { return MappingOf(view.data()); }

goray::Array<double> Twice(goray::ArrayView<double> a) {
  auto out = goray::Array<double>::Zeros(a.shape());
  for (int64_t i = 0; i < a.size(); ++i) out[i] = 2 * a[i];
  return out;
}

// rows x cols of int32: value i at flat position i.
goray::Array<int32_t> Iota2D(int64_t rows, int64_t cols) {
  auto out = goray::Array<int32_t>::Zeros({rows, cols});
  for (int64_t i = 0; i < out.size(); ++i) out[i] = static_cast<int32_t>(i);
  return out;
}

// A C++ task submitting a C++ task with an array: native to native from a worker.
goray::Array<double> TwiceRemote(goray::Array<double> a) {
  return goray::RemoteCall("Twice", a).Get<goray::Array<double>>();
}

// The array and its sum: an array inside a tuple result.
std::tuple<goray::Array<float>, double> WithSum(goray::ArrayView<float> a) {
  double sum = 0;
  for (float x : a) sum += x;
  return {goray::Array<float>(std::vector<float>(a.begin(), a.end()), a.shape()), sum};
}

class Scaler {
 public:
  explicit Scaler(double factor) : factor_(factor) {}
  goray::Array<double> Scale(goray::ArrayView<double> a) const {
    auto out = goray::Array<double>::Zeros(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) out[i] = factor_ * a[i];
    return out;
  }
  std::string Mapping(goray::ArrayView<double> a) const { return MappingOf(a.data()); }

 private:
  double factor_;
};

class Counter {
 public:
  explicit Counter(int64_t start) : value_(start) {}
  int64_t Incr(int64_t by) { return value_ += by; }
  int64_t Get() const { return value_; }
  std::map<std::string, std::string> Where() const { return raytest::Where(); }
  int64_t SleepMs(int64_t ms) { return raytest::SleepMs(ms); }
  int64_t Crash() { std::abort(); }
  int64_t Pid() const { return ::getpid(); }
  // Writes PATH.started (this pid), waits for PATH to exist, returns the state.
  int64_t WaitFor(std::string path) {
    WriteFile(path + ".started", std::to_string(::getpid()));
    WaitForFile(path);
    return value_;
  }

 private:
  int64_t value_;
};

// Methods m and m__: through Ray both need the Ray method m__ (docs/protocol.md §4), so
// the driver refuses to build the actor rather than run the wrong one.
class Clash {
 public:
  int64_t Get() const { return 1; }
  int64_t Get__() const { return 2; }
};

// ---------------------------------------------------------------------------
// Refs and actor handles inside values, for Python callers (tests/ray/test_refs_in_values_cpp.py).

// The refs of a list, read here (Python passed them unresolved).
double RefsSum(std::vector<goray::ObjectRef> refs) {
  double sum = 0;
  for (const auto& ref : refs) sum += ref.Get<double>();
  return sum;
}
std::vector<goray::ObjectRef> RefsEcho(std::vector<goray::ObjectRef> refs) { return refs; }
// A top-level ObjectRef parameter: the caller passes the ref unresolved
// (goray.Unresolved(ref) from Python, goray::Unresolved(ref) from C++).
double RefValue(goray::ObjectRef ref) { return ref.Get<double>(); }
goray::ObjectRef RefForward(goray::ObjectRef ref) { return ref; }
double JobRun(RefJob job) { return job.input.Get<double>() * static_cast<double>(job.scale); }
RefJob JobEcho(RefJob job) { return job; }
// Refs this task made (a Put and a task each): Python reads their Python values.
std::vector<goray::ObjectRef> RefsMake(int64_t n) {
  std::vector<goray::ObjectRef> refs;
  for (int64_t i = 0; i < n; ++i) {
    refs.push_back(i % 2 == 0 ? goray::Put(static_cast<double>(i))
                              : goray::RemoteCall("Square", static_cast<double>(i)));
  }
  return refs;
}
goray::ActorHandle CounterMake(int64_t start) { return goray::NewActor("Counter", start); }
// Calls a handle it was given (a C++ Counter's Incr, or a Python actor's method).
int64_t CounterCall(goray::ActorHandle counter, int64_t by) {
  return counter.RemoteCall("Incr", by).Get<int64_t>();
}
std::string StorageCall(goray::ActorHandle storage, std::string key, std::string value) {
  storage.RemoteCall("put", key, value).Wait();
  return storage.RemoteCall("get", key).Get<std::string>() + "|" + storage.type_name() + "|" +
         (storage.is_native() ? "native" : "python");
}
// Hands a C++ actor to a Python task, which calls it.
int64_t HandToPython(int64_t start, int64_t by) {
  goray::ActorHandle counter = goray::NewActor("Counter", start);
  return goray::RemoteCallPyTask("py_call_actor", counter, std::string("Incr"), by).Get<int64_t>();
}

int64_t CrewRun(Crew crew) { return crew.counter.RemoteCall("Incr", crew.by).Get<int64_t>(); }
Crew CrewEcho(Crew crew) { return crew; }

// An actor keeping refs it is given (in its constructor and in calls), read later.
class Keeper {
 public:
  explicit Keeper(std::vector<goray::ObjectRef> refs) : refs_(std::move(refs)) {}
  int64_t Add(std::vector<goray::ObjectRef> refs) {
    for (auto& ref : refs) refs_.push_back(std::move(ref));
    return static_cast<int64_t>(refs_.size());
  }
  double Sum() const {
    double sum = 0;
    for (const auto& ref : refs_) sum += ref.Get<double>();
    return sum;
  }
  std::vector<goray::ObjectRef> Refs() const { return refs_; }

 private:
  std::vector<goray::ObjectRef> refs_;
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
  // Where submissions are pipelined the option error surfaces at Get, else at the call.
  c.ExpectThrows<goray::Error>([&] { goray::RemoteCall("Square", 1.0, goray::Option("num_cpus", -1)).Get<double>(); },
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
                               "method 'Nope' not found");
  c.ExpectThrows<goray::Error>([&] { goray::NewActor("NoSuchType"); }, "unknown actor type",
                               "actor type 'NoSuchType' not found");
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
                                              goray::Option("num_cpus", 1), goray::Option("max_concurrency", 1),
                                              goray::Option("max_restarts", 1), goray::Option("max_task_retries", 1));
  c.Expect(pinned.RemoteCall("Incr", int64_t{2}).Get<int64_t>() == 2, "actor with options");
  pinned.Kill();
  c.Expect(goray::RemoteCall("Square", 3.0, goray::Option("num_cpus", 0.5), goray::Option("memory", 1 << 20),
                             goray::Option("max_retries", 2), goray::Option("retry_exceptions", true),
                             goray::Option("runtime_env", goray::RawJson{R"({"env_vars": {"X": "1"}})"}))
                   .Get<double>() == 9.0,
           "plain options");
  c.ExpectThrows<goray::Error>(
      [&] {
        goray::RemoteCall("Square", 3.0, goray::Option("scheduling_strategy", goray::RawJson{R"({"type": "x"})"}))
            .Get<double>();
      },
      "unknown scheduling strategy", "unknown scheduling_strategy type 'x'");
  c.ExpectThrows<goray::Error>(
      [&] { goray::RemoteCall("Square", 3.0, goray::Option("no_such_option", 1)).Get<double>(); }, "unknown option",
      "no_such_option");
  c.ExpectThrows<goray::Error>(
      [&] { goray::RemoteCall("Square", 3.0, goray::Option("num_returns", 2)).Get<double>(); }, "num_returns",
      "num_returns");
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


// Kills a process the way the OOM killer or an operator would: SIGKILL, no goray call.
void KillProcess(int64_t pid) { ::kill(static_cast<pid_t>(pid), SIGKILL); }

int TaskFaultsScenario(Checker& c, const std::vector<std::string>& args) {
  // task_faults DIR: worker processes killed mid-task, retried per max_retries.
  const std::string dir = args.at(1);
  std::filesystem::create_directories(dir + "/retried");
  goray::ObjectRef retried =
      goray::RemoteCall("HeldTask", dir + "/retried", int64_t{3}, goray::Option("max_retries", 1));
  const int64_t first = ReadPid(dir + "/retried/started-3-1");
  KillProcess(first);
  WriteFile(dir + "/retried/release", "");
  auto place = retried.Get<std::map<std::string, std::string>>();
  c.Expect(place["value"] == "9" && place["attempt"] == "2" && place["pid"] != std::to_string(first),
           "killed task retried once, result right: attempt " + place["attempt"]);
  std::cout << "TASK_KILLED_RETRIED attempt=" << place["attempt"] << std::endl;

  std::filesystem::create_directories(dir + "/unretried");
  goray::ObjectRef unretried =
      goray::RemoteCall("HeldTask", dir + "/unretried", int64_t{1}, goray::Option("max_retries", 0));
  KillProcess(ReadPid(dir + "/unretried/started-1-1"));
  WriteFile(dir + "/unretried/release", "");
  c.ExpectThrows<goray::WorkerDiedError>([&] { unretried.Get<std::map<std::string, std::string>>(); },
                                         "killed task with max_retries=0", "WorkerCrashedError");

  // Retries exhausted: a task that crashes every time, 1 + 2 runs.
  const std::string marker = dir + "/always-crashes";
  try {
    goray::RemoteCall("CrashyTask", marker, int64_t{1000}, goray::Option("max_retries", 2)).Get<int64_t>();
    c.Expect(false, "retries exhausted: no exception");
  } catch (const goray::WorkerDiedError& error) {
    std::cout << "TASK_RETRIES_EXHAUSTED " << error.what() << std::endl;
  }
  int64_t runs = 0;
  std::ifstream(marker) >> runs;
  c.Expect(runs == 3, "max_retries=2 runs a crashing task 3 times, ran " + std::to_string(runs));
  c.Expect(goray::RemoteCall("Square", 3.0).Get<double>() == 9.0, "the driver goes on");
  return c.failures;
}

int ActorFaultsScenario(Checker& c, const std::vector<std::string>& args) {
  // actor_faults DIR: actor processes SIGKILLed (not handle.Kill()), restarted per max_restarts.
  const std::string dir = args.at(1);
  std::filesystem::create_directories(dir);
  goray::ActorHandle retrying = goray::NewActor("Counter", int64_t{10}, goray::Option("max_restarts", 1),
                                                goray::Option("max_task_retries", 1));
  c.Expect(retrying.RemoteCall("Incr", int64_t{5}).Get<int64_t>() == 15, "state before the kill");
  const int64_t first = retrying.RemoteCall("Pid").Get<int64_t>();
  goray::ObjectRef in_flight = retrying.RemoteCall("WaitFor", dir + "/r1");
  c.Expect(ReadPid(dir + "/r1.started") == first, "the method runs in the actor's process");
  KillProcess(first);
  WriteFile(dir + "/r1", "");
  // Retried on the restarted actor, whose state came from the constructor again.
  c.Expect(in_flight.Get<int64_t>() == 10, "in-flight call retried on the restarted actor (state 10)");
  const int64_t second = retrying.RemoteCall("Pid").Get<int64_t>();
  c.Expect(second != first, "a new process");
  c.Expect(retrying.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == 11, "state reset by the restart");
  std::cout << "ACTOR_RESTARTED pid " << first << " -> " << second << std::endl;
  KillProcess(second);  // max_restarts=1 used up: dead for good
  try {
    retrying.RemoteCall("Incr", int64_t{1}).Get<int64_t>();
    c.Expect(false, "restarts exhausted: no exception");
  } catch (const goray::ActorDiedError& error) {
    std::cout << "ACTOR_RESTARTS_EXHAUSTED " << error.type() << std::endl;
  }

  // max_task_retries=0: the in-flight call fails; later calls reach the restarted actor.
  goray::ActorHandle once = goray::NewActor("Counter", int64_t{7}, goray::Option("max_restarts", 1));
  c.Expect(once.RemoteCall("Incr", int64_t{3}).Get<int64_t>() == 10, "state before the kill");
  goray::ObjectRef lost = once.RemoteCall("WaitFor", dir + "/o1");
  KillProcess(ReadPid(dir + "/o1.started"));
  WriteFile(dir + "/o1", "");
  try {
    lost.Get<int64_t>();
    c.Expect(false, "at-most-once call on a killed actor: no exception");
  } catch (const goray::ActorDiedError& error) {
    std::cout << "ACTOR_CALL_LOST " << error.type() << std::endl;
  }
  int unavailable = 0;
  int64_t after = -1;
  for (int attempt = 0; attempt < 600 && after < 0; ++attempt) {
    try {
      after = once.RemoteCall("Incr", int64_t{1}).Get<int64_t>();
    } catch (const goray::ActorDiedError&) {  // ActorUnavailableError while it restarts
      ++unavailable;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  c.Expect(after == 8, "restarted actor answers with reset state: " + std::to_string(after));
  std::cout << "ACTOR_UNAVAILABLE_WHILE_RESTARTING " << unavailable << std::endl;
  return c.failures;
}

int RescheduleScenario(Checker& c, const std::vector<std::string>& args) {
  // reschedule DIR N: N held tasks needing the "either" resource, spread over the
  // nodes holding it; the test stops a node while they run (between STOP_NODE and
  // DIR/stopped), and every task must end with the right result.
  const std::string dir = args.at(1);
  const int64_t n = std::stoll(args.at(2));
  std::filesystem::create_directories(dir);
  std::vector<goray::ObjectRef> refs;
  for (int64_t i = 0; i < n; ++i) {
    refs.push_back(goray::RemoteCall("HeldTask", dir, i, goray::Option("max_retries", 3),
                                     goray::Option("resources", std::map<std::string, double>{{"either", 1}}),
                                     goray::Option("scheduling_strategy", "SPREAD")));
  }
  for (int64_t i = 0; i < n; ++i) {
    const std::string started = dir + "/started-" + std::to_string(i) + "-1";
    WaitForFile(started);
    std::string pid, node;
    std::ifstream(started) >> pid >> node;
    std::cout << "STARTED " << i << " " << node << std::endl;
  }
  std::cout << "STOP_NODE" << std::endl;
  WaitForFile(dir + "/stopped");
  WriteFile(dir + "/release", "");
  for (int64_t i = 0; i < n; ++i) {
    auto place = refs[static_cast<std::size_t>(i)].Get<std::map<std::string, std::string>>();
    c.Expect(place["value"] == std::to_string(i * i), "task " + std::to_string(i) + " result");
    std::cout << "FINISHED " << i << " " << place["node_id"] << " attempt " << place["attempt"] << std::endl;
  }
  return c.failures;
}

// The byte MakeBytes and the large-value tests put at position i.
std::uint8_t PatternByte(std::size_t i) { return static_cast<std::uint8_t>((i * 7 + 3) ^ (i >> 20)); }

int LargeScenario(Checker& c, const std::vector<std::string>& args) {
  // large SIZE: SIZE bytes C++ -> Python task -> back, checked byte for byte.
  const auto size = static_cast<std::size_t>(std::stoll(args.at(1)));
  auto start = std::chrono::steady_clock::now();
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = PatternByte(i);
  auto made = std::chrono::steady_clock::now();
  Bytes back = goray::RemoteCallPyTask("py_identity", bytes).Get<Bytes>();
  auto done = std::chrono::steady_clock::now();
  c.Expect(back == bytes, "the bytes came back intact, size " + std::to_string(back.size()));
  std::cout << "LARGE_ROUND_TRIP bytes=" << size << " seconds="
            << std::chrono::duration<double>(done - made).count() << " (filling "
            << std::chrono::duration<double>(made - start).count() << " s)" << std::endl;
  return c.failures;
}

bool Equal(const goray::Array<double>& a, const goray::Array<double>& b, double scale) {
  if (a.shape() != b.shape()) return false;
  for (int64_t i = 0; i < a.size(); ++i) {
    if (b[i] != scale * a[i]) return false;
  }
  return true;
}

int ArraysScenario(Checker& c) {
  // 4 MiB: over Ray's inline limit, so the arrays go through the object store.
  auto a = goray::Array<double>::Zeros({512, 1024});
  for (int64_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i) * 0.5;
  goray::ObjectRef put = goray::Put(a);
  c.Expect(Equal(a, put.Get<goray::Array<double>>(), 1), "Put then Get of an array");
  c.Expect(Equal(a, goray::RemoteCall("Twice", a).Get<goray::Array<double>>(), 2), "task, array by value");
  c.Expect(Equal(a, goray::RemoteCall("Twice", put).Get<goray::Array<double>>(), 2), "task, array by ref");
  goray::ObjectRef twice = goray::RemoteCall("Twice", put);
  c.Expect(Equal(a, goray::RemoteCall("Twice", twice).Get<goray::Array<double>>(), 4),
           "a task's array result as another task's argument");
  c.Expect(Equal(a, goray::RemoteCall("TwiceRemote", put).Get<goray::Array<double>>(), 2),
           "a C++ task submitting a C++ task with an array");
  c.Expect(Equal(a, goray::RemoteCallPyTask("py_identity", twice).Get<goray::Array<double>>(), 2),
           "a C++ task's array through a Python task");
  c.Expect(goray::RemoteCall("ArrayMapping", put).Get<std::string>().find("plasma") != std::string::npos,
           "a C++ task reads a ref's array in Ray's store");
  c.Expect(goray::RemoteCall("ArrayMapping", a).Get<std::string>().find("plasma") != std::string::npos,
           "a C++ task reads an array argument in Ray's store");
  c.Expect(goray::RemoteCall("ArrayMapping", twice).Get<std::string>().find("plasma") != std::string::npos,
           "a C++ task reads another task's array result in Ray's store");
  auto iota = goray::RemoteCall("Iota2D", int64_t{3}, int64_t{4}).Get<goray::Array<int32_t>>();
  c.Expect(iota.shape() == std::vector<int64_t>{3, 4} && iota[11] == 11, "int32 2-D result");
  goray::ActorHandle scaler = goray::NewActor("Scaler", 3.0);
  c.Expect(Equal(a, scaler.RemoteCall("Scale", put).Get<goray::Array<double>>(), 3), "actor method, by ref");
  c.Expect(Equal(a, scaler.RemoteCall("Scale", a).Get<goray::Array<double>>(), 3), "actor method, by value");
  scaler.Kill();
  return c.failures;
}

int LimitsScenario(Checker& c) {
  // Values over msgpack's 4 GiB - 1: an error naming the call, the argument and the sizes.
  const std::string_view huge = HugeView();
  const std::string sizes = "a string of 4294967297 bytes is over msgpack's limit of 4294967295";
  c.ExpectThrows<std::length_error>([&] { goray::RemoteCall("CheckBytes", huge); }, "RemoteCall",
                                    "argument 0 of CheckBytes: " + sizes);
  c.ExpectThrows<std::length_error>([&] { goray::RemoteCallPyTask("py_identity", 1, huge); },
                                    "RemoteCallPyTask", "argument 1 of py_identity: " + sizes);
  c.ExpectThrows<std::length_error>([&] { goray::LocalCallPyTask("store_sizes", huge); },
                                    "LocalCallPyTask", "argument 0 of store_sizes: " + sizes);
  c.ExpectThrows<std::length_error>([&] { goray::Put(huge); }, "Put", "the value of Put: " + sizes);
  goray::ActorHandle counter = goray::NewActor("Counter", int64_t{0});
  c.ExpectThrows<std::length_error>([&] { counter.RemoteCall("WaitFor", huge); }, "actor method",
                                    "argument 0 of Counter.WaitFor: " + sizes);
  try {
    goray::RemoteCall("HugeView").Get<std::string>();
    c.Expect(false, "a result over the limit: no exception");
  } catch (const goray::TaskError& error) {
    c.Expect(error.type() == "std::length_error" && error.task() == "HugeView" &&
                 error.message() == "goray: the result: " + sizes + " (2^32 - 1)",
             std::string("result over the limit: ") + error.what());
  }
  // A Python value over the limit on its way to C++.
  c.ExpectThrows<goray::PythonError>(
      [&] {
        goray::CallPythonCode("def huge():\n    import mmap\n    return memoryview(mmap.mmap(-1, (1 << 32) + 1))\n");
      },
      "Python result over the limit", "memoryview of 4294967297 bytes is over msgpack's limit of 4294967295");
  counter.Kill();
  c.Expect(goray::RemoteCall("Square", 2.0).Get<double>() == 4.0, "the driver goes on");
  return c.failures;
}

int ConstructorArgsScenario(Checker& c) {
  // Checked before the actor is submitted: the ArgumentError, not a dead actor.
  try {
    goray::NewActor("Counter", std::string("x"));
    c.Expect(false, "wrong constructor argument: no exception");
  } catch (const goray::PythonError& error) {
    c.Expect(error.type() == "goray.ArgumentError" &&
                 error.message() == "position 0: expected int64_t, received str (task Counter)",
             std::string("wrong constructor argument: ") + error.what());
  }
  c.ExpectThrows<goray::PythonError>([&] { goray::NewActor("Counter"); }, "no constructor argument",
                                     "goray.ArgumentError: expected 1 argument, received 0 (task Counter)");
  // An argument given by ref is checked when the actor is built (its value is not here).
  goray::ActorHandle by_ref = goray::NewActor("Counter", goray::Put(int64_t{4}));
  c.Expect(by_ref.RemoteCall("Get").Get<int64_t>() == 4, "constructor argument by ref");
  by_ref.Kill();
  // A constructor that throws: every call's ActorDiedError starts with the C++ type and
  // message (raytest/crashes.cpp's Crasher throws below -1).
  goray::ActorHandle refused = goray::NewActor("Crasher", int64_t{-2});
  try {
    refused.RemoteCall("Id").Get<int64_t>();
    c.Expect(false, "a throwing constructor: no exception");
  } catch (const goray::ActorDiedError& error) {
    c.Expect(error.message().rfind("std::runtime_error: raytest: cannot open store -2 (task Crasher)", 0) == 0,
             std::string("a throwing constructor: ") + error.what());
  }
  return c.failures;
}

int BatchesScenario(Checker& c) {
  // Get of a vector: one round trip, values in the refs' order.
  std::vector<goray::ObjectRef> refs;
  for (int i = 0; i < 200; ++i) refs.push_back(goray::RemoteCall("Square", static_cast<double>(i)));
  std::vector<double> squares = goray::Get<double>(refs);
  bool right = squares.size() == refs.size();
  for (std::size_t i = 0; right && i < squares.size(); ++i) right = squares[i] == static_cast<double>(i * i);
  c.Expect(right, "Get of 200 refs in order");
  std::vector<goray::Future<double>> futures;
  for (int i = 0; i < 5; ++i) futures.emplace_back(goray::RemoteCall("Square", static_cast<double>(i)));
  c.Expect(goray::Get(futures) == std::vector<double>{0, 1, 4, 9, 16}, "Get of futures");
  auto pairs = goray::Get<int64_t, int64_t>(
      std::vector<goray::ObjectRef>{goray::RemoteCall("Divide", int64_t{17}, int64_t{5}),
                                    goray::RemoteCall("Divide", int64_t{9}, int64_t{2})});
  c.Expect(pairs.size() == 2 && pairs[0] == std::tuple<int64_t, int64_t>{3, 2} &&
               pairs[1] == std::tuple<int64_t, int64_t>{4, 1},
           "Get of multi-return refs gives tuples");
  // Python results, Puts and C++ results together.
  auto mixed = goray::Get<int64_t>(std::vector<goray::ObjectRef>{
      goray::RemoteCallPyTask("py_square", int64_t{7}), goray::Put(int64_t{5}),
      goray::RemoteCall("SleepMs", int64_t{1})});
  c.Expect(mixed == std::vector<int64_t>{49, 5, 1}, "mixed Get");
  // The first failure in the refs' order, typed as single Get throws it.
  std::vector<goray::ObjectRef> failing = {goray::RemoteCall("Square", 2.0), goray::RemoteCall("Fail", std::string("first")),
                                           goray::RemoteCallPyTask("py_fail", std::string("second"))};
  try {
    goray::Get<double>(failing);
    c.Expect(false, "Get of a failing batch: no exception");
  } catch (const goray::TaskError& error) {
    c.Expect(error.message() == "first" && error.task() == "Fail", std::string("first failure: ") + error.what());
  }
  c.ExpectThrows<goray::TimeoutError>(
      [&] {
        goray::Get<int64_t>(std::vector<goray::ObjectRef>{goray::RemoteCall("SleepMs", int64_t{3000})},
                            std::chrono::milliseconds(100));
      },
      "Get of a vector with a timeout");
  // In a task too.
  c.Expect(goray::RemoteCall("BatchSquares", int64_t{20}).Get<double>() == 2470.0, "batches inside a task");
  return c.failures;
}

int AsCompletedScenario(Checker& c) {
  std::vector<goray::ObjectRef> refs = {goray::RemoteCall("SleepMs", int64_t{4000}),
                                        goray::RemoteCall("SleepMs", int64_t{1}),
                                        goray::RemoteCall("Fail", std::string("late"))};
  std::vector<std::size_t> order;
  for (const goray::Completed& done : goray::AsCompleted(refs, std::chrono::seconds(60))) {
    order.push_back(done.index);
    c.Expect(done.ref.id() == refs[done.index].id(), "the ref of an item");
    if (done.index == 2) {
      c.ExpectThrows<goray::TaskError>([&] { done.Get<int64_t>(); }, "a failed item throws at Get", "late");
    } else {
      c.Expect(done.Get<int64_t>() == (done.index == 0 ? 4000 : 1), "an item's value");
    }
  }
  c.Expect(order.size() == 3 && order.back() == 0, "the 4 s task comes last");
  c.ExpectThrows<goray::TimeoutError>(
      [&] {
        for (const goray::Completed& done : goray::AsCompleted({goray::RemoteCall("SleepMs", int64_t{3000})},
                                                               std::chrono::milliseconds(100))) {
          (void)done;
        }
      },
      "AsCompleted past its timeout");
  return c.failures;
}

int PipelinedScenario(Checker& c) {
  // Submissions return at once; errors that the driver finds surface at Get.
  goray::ObjectRef bad_option = goray::RemoteCall("Square", 1.0, goray::Option("no_such_option", 1));
  goray::ObjectRef bad_py = goray::RemoteCallPyTask("no_such_module.f", int64_t{1});
  goray::ActorHandle counter = goray::NewActor("Counter", int64_t{0});
  goray::ObjectRef bad_method = counter.RemoteCall("Nope");
  c.ExpectThrows<goray::Error>([&] { bad_option.Get<double>(); }, "option error at Get", "no_such_option");
  c.ExpectThrows<goray::Error>([&] { bad_py.Get<int64_t>(); }, "unknown Python task at Get", "no_such_module");
  c.ExpectThrows<goray::Error>([&] { bad_method.Get<int64_t>(); }, "unknown method at Get", "Nope");
  // Order kept: 500 calls on one actor add up in order; their refs were dropped at once.
  for (int i = 0; i < 500; ++i) counter.RemoteCall("Incr", int64_t{1});
  c.Expect(counter.RemoteCall("Get").Get<int64_t>() == 500, "500 pipelined actor calls in order");
  // Threads submitting at once.
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<goray::ObjectRef> mine;
      for (int i = 0; i < 100; ++i) mine.push_back(goray::RemoteCall("Square", static_cast<double>(t)));
      std::vector<double> values = goray::Get<double>(mine);
      ok[static_cast<std::size_t>(t)] =
          std::all_of(values.begin(), values.end(), [&](double v) { return v == t * t; }) ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  c.Expect(std::count(ok.begin(), ok.end(), 1) == 4, "four threads submitting and fetching");
  counter.Kill();
  return c.failures;
}

int ClashScenario(Checker& c) {
  c.ExpectThrows<goray::PythonError>([&] { goray::NewActor("Clash"); }, "methods Get and Get__",
                                     "methods 'Get' and 'Get__' both need the Ray method 'Get__'");
  return c.failures;
}

// Refs and actor handles inside values, from the C++ driver (tests/ray/test_refs_in_values_cpp.py).
int NestedScenario(Checker& c) {
  using goray::ObjectRef;
  // Refs in a std::vector reach a task unresolved; it reads them.
  std::vector<ObjectRef> refs = {goray::Put(1.0), goray::Put(2.0), goray::RemoteCall("Square", 3.0)};
  c.Expect(goray::RemoteCall("RefsSum", refs).Get<double>() == 12.0, "RefsSum of a vector of refs");
  // ... and come back as refs to the same objects.
  std::vector<ObjectRef> echoed = goray::RemoteCall("RefsEcho", refs).Get<std::vector<ObjectRef>>();
  c.Expect(echoed.size() == 3 && echoed[0].Get<double>() == 1.0 && echoed[2].Get<double>() == 9.0,
           "RefsEcho returns the refs");
  // A ref in a struct field, both ways.
  RefJob job{goray::Put(4.0), 3, "job"};
  c.Expect(goray::RemoteCall("JobRun", job).Get<double>() == 12.0, "JobRun reads a struct's ref");
  RefJob back = goray::RemoteCall("JobEcho", job).Get<RefJob>();
  c.Expect(back.input.Get<double>() == 4.0 && back.scale == 3 && back.label == "job",
           "JobEcho returns the struct with its ref");
  // Refs a task made (a Put and a task each) outlive it.
  std::vector<ObjectRef> made = goray::RemoteCall("RefsMake", int64_t{4}).Get<std::vector<ObjectRef>>();
  std::vector<double> values;
  for (const auto& ref : made) values.push_back(ref.Get<double>());
  c.Expect(values == std::vector<double>{0.0, 1.0, 2.0, 9.0}, "refs made in a task");
  // A value holding a ref, Put and read back: the inner object lives while the outer does.
  ObjectRef outer = goray::Put(std::vector<ObjectRef>{goray::Put(7.0)});
  c.Expect(outer.Get<std::vector<ObjectRef>>().at(0).Get<double>() == 7.0, "a Put value holding a ref");
  // An actor keeping refs from its constructor and from calls.
  goray::ActorHandle keeper = goray::NewActor("Keeper", std::vector<ObjectRef>{goray::Put(5.0)});
  c.Expect(keeper.RemoteCall("Add", std::vector<ObjectRef>{goray::Put(6.0)}).Get<int64_t>() == 2,
           "Keeper.Add");
  c.Expect(keeper.RemoteCall("Sum").Get<double>() == 11.0, "Keeper.Sum reads the refs it kept");
  std::vector<ObjectRef> kept = keeper.RemoteCall("Refs").Get<std::vector<ObjectRef>>();
  c.Expect(kept.size() == 2 && kept[1].Get<double>() == 6.0, "Keeper.Refs returns them");

  // An actor handle passed to a task, which calls it.
  goray::ActorHandle counter = goray::NewActor("Counter", int64_t{10});
  c.Expect(goray::RemoteCall("CounterCall", counter, int64_t{5}).Get<int64_t>() == 15,
           "CounterCall calls the handle it was given");
  // ... stored in a struct, and returned inside one.
  Crew crew{counter, 2};
  c.Expect(goray::RemoteCall("CrewRun", crew).Get<int64_t>() == 17, "CrewRun calls a struct's handle");
  Crew crew_back = goray::RemoteCall("CrewEcho", crew).Get<Crew>();
  c.Expect(crew_back.counter.type_name() == "Counter" && crew_back.counter.is_native(),
           "a returned handle knows its type");
  c.Expect(crew_back.counter.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == 18,
           "a returned handle calls the same actor");
  // A handle a task created and returned.
  goray::ActorHandle made_counter = goray::RemoteCall("CounterMake", int64_t{100}).Get<goray::ActorHandle>();
  c.Expect(made_counter.RemoteCall("Incr", int64_t{1}).Get<int64_t>() == 101,
           "a handle made in a task");
  // A handle handed to a Python task, which calls it.
  c.Expect(goray::RemoteCall("HandToPython", int64_t{10}, int64_t{4}).Get<int64_t>() == 14,
           "HandToPython");
  // Many round trips of a struct holding a ref (releases keep up; nothing is lost).
  for (int i = 0; i < 100; ++i) {
    RefJob again = goray::RemoteCall("JobEcho", job).Get<RefJob>();
    if (again.input.id() == 0) c.Expect(false, "JobEcho round trip");
  }
  c.Expect(job.input.Get<double>() == 4.0, "the original ref still reads after the round trips");
  return c.failures;
}

int RunScenario(const std::vector<std::string>& args);

// "each A B ...": the scenarios A, B, ... (without arguments) in one run, so a test that
// needs a Ray of its own checks them all in one start; the failures add up.
int RunEach(const std::vector<std::string>& args) {
  int failures = 0;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const int result = RunScenario({args[i]});
    std::cout << "SCENARIO " << args[i] << " " << result << std::endl;
    failures += result;
  }
  return failures;
}

// "call_py local|remote NAME": the Python function NAME called with "boom", in-process
// (LocalCallPyTask) or as a Ray task (RemoteCallPyTask), its error left to escape the
// driver as a user's would (test_cli.py: a name the py-defs file does not define, a
// function that raises).
int CallPython(const std::vector<std::string>& args) {
  const std::string name = args.size() > 2 ? args[2] : "no_such_function";
  if (args.size() > 1 && args[1] == "remote") {
    goray::Get<goray::Value>(goray::RemoteCallPyTask(name, std::string("boom")));
  } else {
    goray::LocalCallPyTask(name, std::string("boom")).Get<goray::Value>();
  }
  return 0;
}

int Driver(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "each") return RunEach(args);
  if (!args.empty() && args[0] == "call_py") return CallPython(args);
  return RunScenario(args);
}

int RunScenario(const std::vector<std::string>& args) {
  const std::string scenario = args.empty() ? "tasks" : args[0];
  Checker checker{scenario};
  try {
    if (scenario == "tasks") return TasksScenario(checker);
    if (scenario == "actors") return ActorsScenario(checker);
    if (scenario == "lifetimes") return LifetimesScenario(checker);
    if (scenario == "where") return WhereScenario(checker, args);
    if (scenario == "named") return NamedScenario(checker, args);
    if (scenario == "options") return OptionsScenario(checker, args);
    if (scenario == "task_faults") return TaskFaultsScenario(checker, args);
    if (scenario == "actor_faults") return ActorFaultsScenario(checker, args);
    if (scenario == "reschedule") return RescheduleScenario(checker, args);
    if (scenario == "large") return LargeScenario(checker, args);
    if (scenario == "limits") return LimitsScenario(checker);
    if (scenario == "arrays") return ArraysScenario(checker);
    if (scenario == "clash") return ClashScenario(checker);
    if (scenario == "batches") return BatchesScenario(checker);
    if (scenario == "as_completed") return AsCompletedScenario(checker);
    if (scenario == "pipelined") return PipelinedScenario(checker);
    if (scenario == "constructor_args") return ConstructorArgsScenario(checker);
    if (scenario == "nested") return NestedScenario(checker);
    if (scenario == "threaded") return ThreadedScenario(args);
    if (scenario == "crash") return CrashScenario(args);
    if (scenario == "crash_reports") return CrashReportsScenario();
    if (scenario.rfind("graph", 0) == 0) return GraphScenario(args);
    if (scenario == "map") return MapScenario();
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
  RegisterStreams(registry);
  RegisterStreamConsumers(registry);
  RegisterThreaded(registry);
  RegisterArraysOutOfBand(registry);
  RegisterBatchLend(registry);
  RegisterGetsInOrder(registry);
  RegisterDataBatches(registry);
  RegisterStringColumns(registry);
  RegisterCrashes(registry);
  RegisterGraphs(registry);
  RegisterMaps(registry);
  // The parameters' names, as goray-gen's tables give them, for the tasks tests call by
  // keyword (goray.data's columns, goray.map's shared values). The only SetParameters of
  // raytest: a second would replace it.
  registry.SetParameters(R"({"tasks": {
      "DataAddressesOf": [{"name": "price"}, {"name": "quantity"}],
      "StringHosts": [{"name": "url"}, {"name": "agent"}],
      "MapPoly": [{"name": "x"}],
      "MapWeighted": [{"name": "x"}, {"name": "weight"}],
      "MapConjugate": [{"name": "z"}, {"name": "k"}],
      "MapFailEvery": [{"name": "x"}, {"name": "every"}],
      "MapCrashOnceAt": [{"name": "x"}, {"name": "at"}, {"name": "dir"}, {"name": "segv"}],
      "MapNorm": [{"name": "point"}],
      "MapLabel": [{"name": "point"}, {"name": "prefix"}],
      "MapPair": [{"name": "x"}],
      "MapTouch": [{"name": "x"}],
      "MapSlowSquare": [{"name": "x"}]},
    "actors": {
      "DataPricer": {"params": [{"name": "factor"}],
                     "methods": {"ApplyOf": [{"name": "price"}, {"name": "quantity"}]}},
      "StringRowCounter": {"params": [], "methods": {"Apply": [{"name": "url"}, {"name": "agent"}]}},
      "MapAccumulator": {"params": [{"name": "start"}], "methods": {"Add": [{"name": "x"}]}},
      "MapScaler": {"params": [], "methods": {"Scale": [{"name": "x"}, {"name": "factor"}]}}}})");
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
  registry.AddTask("BatchSquares", &BatchSquares);
  registry.AddTask("AddPoint", &AddPoint);
  registry.AddTask("Flaky", &Flaky);
  registry.AddTask("CrashyTask", &CrashyTask);
  registry.AddTask("HeldTask", &HeldTask);
  registry.AddTask("EchoBytes", &EchoBytes);
  registry.AddTask("HugeView", &HugeView);
  registry.AddTask("ArrayMapping", &ArrayMapping);
  registry.AddTask("Twice", &Twice);
  registry.AddTask("Iota2D", &Iota2D);
  registry.AddTask("TwiceRemote", &TwiceRemote);
  registry.AddTask("WithSum", &WithSum);
  registry.AddTask("RefsSum", &RefsSum);
  registry.AddTask("RefsEcho", &RefsEcho);
  registry.AddTask("RefValue", &RefValue);
  registry.AddTask("RefForward", &RefForward);
  registry.AddTask("JobRun", &JobRun);
  registry.AddTask("JobEcho", &JobEcho);
  registry.AddTask("RefsMake", &RefsMake);
  registry.AddTask("CounterMake", &CounterMake);
  registry.AddTask("CounterCall", &CounterCall);
  registry.AddTask("StorageCall", &StorageCall);
  registry.AddTask("HandToPython", &HandToPython);
  registry.AddTask("CrewRun", &CrewRun);
  registry.AddTask("CrewEcho", &CrewEcho);
  registry.AddActor<Keeper>("Keeper", &goray::Constructor<Keeper, std::vector<goray::ObjectRef>>::Create)
      .AddMethod("Add", &Keeper::Add)
      .AddMethod("Sum", &Keeper::Sum)
      .AddMethod("Refs", &Keeper::Refs);
  registry.AddActor<Scaler>("Scaler", &goray::Constructor<Scaler, double>::Create)
      .AddMethod("Scale", &Scaler::Scale)
      .AddMethod("Mapping", &Scaler::Mapping);
  registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create)
      .AddMethod("Incr", &Counter::Incr)
      .AddMethod("Get", &Counter::Get)
      .AddMethod("Where", &Counter::Where)
      .AddMethod("SleepMs", &Counter::SleepMs)
      .AddMethod("Crash", &Counter::Crash)
      .AddMethod("Pid", &Counter::Pid)
      .AddMethod("WaitFor", &Counter::WaitFor);
  registry.AddActor<Clash>("Clash", &goray::Constructor<Clash>::Create)
      .AddMethod("Get", &Clash::Get)
      .AddMethod("Get__", &Clash::Get__);
  registry.SetDriver(&Driver);
  registry.SetInitOptions(R"({"num_cpus": 4})");
}
