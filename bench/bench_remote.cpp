// Benchmark library for remote call throughput: no-op C++ tasks and actor
// methods, and a driver that times submitting from C++ (C++ no-op task vs
// Python no-op task) and reports each round through an in-process Python call.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace {

void Noop() {}

struct Sink {
  void Noop() {}
};

// args: "cpp"|"py" COUNT. Submits COUNT no-op tasks, then fetches them all.
int Driver(const std::vector<std::string>& args) {
  const std::string kind = args.at(0);
  const int64_t count = std::stoll(args.at(1));
  auto start = std::chrono::steady_clock::now();
  std::vector<goray::ObjectRef> refs;
  refs.reserve(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    refs.push_back(kind == "cpp" ? goray::RemoteCall("Noop") : goray::RemoteCallPyTask("py_noop"));
  }
  for (const auto& ref : refs) ref.Wait();
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
