// The peer benchmark's C++ application (bench/peers.py): the same workloads as
// bench/peers/go/main.go, so one driver-side harness measures both languages
// under both Python drivers (ours and GoRay's).
//
// The native driver asks Python which measurement to run (bench_scenario in
// bench/peers/defs.py) because GoRay's driver passes no arguments, and prints
// its samples as one "BENCH {json}" line.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Square(double x) { return x * x; }
void Noop() {}
std::vector<std::uint8_t> EchoBytes(std::vector<std::uint8_t> data) { return data; }
std::vector<double> EchoFloats(std::vector<double> values) { return values; }

struct Sink {
  void Noop() {}
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Microseconds per in-process Python call.
double LocalPyRound(int64_t count) {
  auto start = Clock::now();
  for (int64_t i = 0; i < count; ++i) goray::LocalCallPyTask("py_square", 2.0).Get<double>();
  return SecondsSince(start) / static_cast<double>(count) * 1e6;
}

// Calls per second: `count` submitted, then all fetched.
template <class Submit>
double ThroughputRound(int64_t count, Submit submit) {
  auto start = Clock::now();
  std::vector<goray::ObjectRef> refs;
  refs.reserve(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) refs.push_back(submit());
  for (const auto& ref : refs) ref.Wait();  // fetches the (empty) result
  return static_cast<double>(count) / SecondsSince(start);
}

int Driver() {
  auto [name, rounds, count] =
      goray::LocalCallPyTask("bench_scenario").Get<std::string, int64_t, int64_t>();
  if (name == "none") return 0;
  std::vector<double> samples;
  if (name == "local_py") {
    LocalPyRound(count);  // warm-up
    for (int64_t r = 0; r < rounds; ++r) samples.push_back(LocalPyRound(count));
  } else if (name == "task") {
    auto submit = [] { return goray::RemoteCall("Noop"); };
    ThroughputRound(count, submit);
    for (int64_t r = 0; r < rounds; ++r) samples.push_back(ThroughputRound(count, submit));
  } else if (name == "actor") {
    auto sink = goray::NewActor("Sink");
    auto submit = [&sink] { return sink.RemoteCall("Noop"); };
    ThroughputRound(count, submit);
    for (int64_t r = 0; r < rounds; ++r) samples.push_back(ThroughputRound(count, submit));
    sink.Kill();
  } else {
    std::cerr << "unknown scenario " << name << std::endl;
    return 2;
  }
  std::ostringstream line;
  line << "BENCH {\"samples\": [";
  for (std::size_t i = 0; i < samples.size(); ++i) line << (i ? ", " : "") << samples[i];
  line << "]}";
  std::cout << line.str() << std::endl;
  return 0;
}

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Square", &Square);
  registry.AddTask("Noop", &Noop);
  registry.AddTask("EchoBytes", &EchoBytes);
  registry.AddTask("EchoFloats", &EchoFloats);
  registry.AddActor<Sink>("Sink", [] { return Sink{}; }).AddMethod("Noop", &Sink::Noop);
  registry.SetDriver(&Driver);
}
