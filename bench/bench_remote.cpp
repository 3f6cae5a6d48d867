// Benchmark library for remote call throughput: no-op C++ tasks and actor methods, a
// counter actor's Incr(int64), and a C++ driver that times the same work a Python driver
// does (bench/remote_calls.py) and reports each round through an in-process Python call.
// A goray_add_app application: the driver calls the counter through goray-gen's typed
// handle (bench_remote::CounterHandle) as well as through a goray::ActorHandle.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct GORAY_TASKS RemoteTasks {
  void Noop() {}
};

class Sink {
 public:
  void Noop() {}
};

class Counter {
 public:
  int64_t Incr(int64_t by) { return n_ += by; }

 private:
  int64_t n_ = 0;
};

struct GORAY_ACTORS RemoteActors {
  static ::Sink Sink() { return {}; }
  static ::Counter Counter() { return {}; }
};

#include "bench_remote.goray.h"  // the typed wrappers of the above

namespace {

// The calls of one round: `count` refs, the clock started by the caller.
template <class Submit>
auto Submitted(int64_t count, Submit submit) {
  std::vector<decltype(submit())> refs;
  refs.reserve(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) refs.push_back(submit());
  return refs;
}

// Every result, fetched in one goray::Get of the vector (one round trip, as one ray.get
// of the list) or, with `each`, each with its own Get in order (as ray.get per ref).
template <class R>
std::vector<R> Fetched(const std::vector<goray::Future<R>>& refs, bool each) {
  if (!each) return goray::Get(refs);
  std::vector<R> values;
  values.reserve(refs.size());
  for (const goray::Future<R>& ref : refs) values.push_back(ref.Get());
  return values;
}

// The same for untyped refs (goray::ObjectRef), their type given at the Get.
std::vector<int64_t> FetchedInt64(const std::vector<goray::ObjectRef>& refs, bool each) {
  if (!each) return goray::Get<int64_t>(refs);
  std::vector<int64_t> values;
  values.reserve(refs.size());
  for (const goray::ObjectRef& ref : refs) values.push_back(ref.Get<int64_t>());
  return values;
}

void Fetched(const std::vector<goray::Future<>>& refs, bool each) {
  if (!each) {
    goray::Get(refs);  // throws a failure
    return;
  }
  for (const goray::Future<>& ref : refs) ref.Get();
}

// One actor's calls run in the order submitted: each Incr(1) returns one more than the
// call before it (other callers' calls come between rounds, never inside one).
void CheckInOrder(const std::vector<int64_t>& values) {
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (values[i] != values[i - 1] + 1) {
      throw std::runtime_error("Counter.Incr results out of order at call " + std::to_string(i) +
                               ": " + std::to_string(values[i - 1]) + " then " +
                               std::to_string(values[i]));
    }
  }
}

}  // namespace

// args: KIND COUNT [each]. KIND is "task" (COUNT no-op C++ tasks), "actor" (calls of the
// named actor "bench_sink"'s Noop, the one the Python driver calls too), "counter"
// (Incr(1) of the named Counter "bench_counter" through a goray::ActorHandle) or
// "counter_typed" (the same through bench_remote::CounterHandle). With "each", every
// result is fetched on its own after all are submitted. The time is reported to
// record_time(KIND[_each], seconds) in bench/remote_defs.py.
GORAY_DRIVER int Driver(const std::vector<std::string>& args) {
  const std::string kind = args.at(0);
  const int64_t count = std::stoll(args.at(1));
  const bool each = args.size() > 2 && args[2] == "each";
  // Handles are looked up before the clock starts, as the Python driver's are.
  std::optional<goray::ActorHandle> actor;
  if (kind == "actor") actor = goray::GetActor("bench_sink");
  if (kind == "counter" || kind == "counter_typed") actor = goray::GetActor("bench_counter");
  std::vector<int64_t> values;  // the counter's results, checked once the clock stopped
  const auto start = std::chrono::steady_clock::now();
  if (kind == "task") {
    Fetched(Submitted(count, [] { return goray::Future<>(goray::RemoteCall("Noop")); }), each);
  } else if (kind == "actor") {
    Fetched(Submitted(count, [&] { return goray::Future<>(actor->RemoteCall("Noop")); }), each);
  } else if (kind == "counter") {
    values = FetchedInt64(Submitted(count, [&] { return actor->RemoteCall("Incr", 1); }), each);
  } else if (kind == "counter_typed") {
    const bench_remote::CounterHandle counter(*actor);
    values = Fetched(Submitted(count, [&] { return counter.Incr(1).Remote(); }), each);
  } else {
    throw std::invalid_argument("bench_remote: unknown kind " + kind +
                                " (task, actor, counter, counter_typed)");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CheckInOrder(values);
  goray::LocalCallPyTask("record_time", each ? kind + "_each" : kind, seconds);
  return 0;
}
