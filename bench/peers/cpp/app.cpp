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
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Square(double x) { return x * x; }
void Noop() {}
std::vector<std::uint8_t> EchoBytes(std::vector<std::uint8_t> data) { return data; }
std::vector<double> EchoFloats(std::vector<double> values) { return values; }
goray::Array<double> Scale2(goray::ArrayView<double> a) {
  auto out = goray::Array<double>::Zeros(a.shape());
  for (int64_t i = 0; i < a.size(); ++i) out[i] = 2.0 * a[i];
  return out;
}

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
  std::vector<goray::Future<>> refs;  // void results
  refs.reserve(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) refs.emplace_back(submit());
  goray::Get(refs);  // every (empty) result in one round trip; throws a failure
  return static_cast<double>(count) / SecondsSince(start);
}

// GB/s of 2 * a on `mib` MiB of float64: the Array built first, then submitted and
// its result in hand as a read-only view of the object store (what ray.get gives
// Python); a warm-up round first.
std::vector<double> ScaleRounds(int64_t rounds, int64_t mib) {
  const int64_t count = mib * (int64_t{1} << 20) / 8;
  auto a = goray::Array<double>::Zeros({count});
  for (int64_t i = 0; i < count; ++i) a[i] = static_cast<double>(i % 1000);
  std::vector<double> samples;
  for (int64_t r = 0; r <= rounds; ++r) {
    auto start = Clock::now();
    auto result = goray::Get<goray::ArrayView<double>>(goray::RemoteCall("Scale2", a));
    double seconds = SecondsSince(start);
    if (result.size() != count || result[count - 1] != 2.0 * a[count - 1]) {
      throw std::runtime_error("Scale2 returned a wrong array");
    }
    if (r) samples.push_back(static_cast<double>(count * 8) / 1e9 / seconds);
  }
  return samples;
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
  } else if (name == "array") {  // count: MiB
    samples = ScaleRounds(rounds, count);
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
  registry.AddTask("Scale2", &Scale2);
  registry.AddActor<Sink>("Sink", [] { return Sink{}; }).AddMethod("Noop", &Sink::Noop);
  registry.SetDriver(&Driver);
}
