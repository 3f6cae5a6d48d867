// Benchmark library for remote call throughput: no-op C++ tasks and actor
// methods, and a C++ driver that times the same work a Python driver does
// (bench/remote_calls.py) and reports each round through an in-process Python call.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace {

void Noop() {}

struct Sink {
  void Noop() {}
};

// args: KIND COUNT, KIND one of "task", "actor", "task_each", "actor_each". Submits
// COUNT no-op C++ tasks (or calls of the named actor "bench_sink", the one the Python
// driver calls too), then fetches them all: in one goray::Get of the vector, or (the
// "_each" kinds) each with its own Get, in order.
int Driver(const std::vector<std::string>& args) {
  const std::string kind = args.at(0);
  const int64_t count = std::stoll(args.at(1));
  const bool each = kind.ends_with("_each");
  std::optional<goray::ActorHandle> sink;
  if (kind.starts_with("actor")) sink = goray::GetActor("bench_sink");  // not timed, as in Python
  auto start = std::chrono::steady_clock::now();
  std::vector<goray::Future<>> refs;  // void results
  refs.reserve(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    refs.emplace_back(sink ? sink->RemoteCall("Noop") : goray::RemoteCall("Noop"));
  }
  if (each) {
    for (goray::Future<>& ref : refs) ref.Get();  // one trip each, as ray.get(ref) per ref
  } else {
    goray::Get(refs);  // one round trip (one ray.get of the list); throws a failure
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  goray::LocalCallPyTask("record_time", kind, seconds);
  return 0;
}

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Noop", &Noop);
  registry.AddActor<Sink>("Sink", [] { return Sink{}; }).AddMethod("Noop", &Sink::Noop);
  registry.SetDriver(&Driver);
}
