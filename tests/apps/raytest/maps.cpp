// raytest part: goray.map (tests/ray/test_map.py): tasks and an actor whose map loops
// run over chunks of items, failures per item, a crash part way through a map, a struct
// parameter fed a struct of arrays, and the C++ driver's "map" scenario (goray::Map).
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <goray/goray.h>

#include "parts.h"
#include "point.h"

namespace raytest {
namespace {

// A fixed 20-term polynomial (Horner): about a quarter of a microsecond per item.
double Poly(double x) {
  double sum = 0;
  for (int term = 20; term >= 1; --term) sum = sum * x + 1.0 / term;
  return sum;
}

double Weighted(double x, double weight) { return x * weight; }

// A complex item: complex128 columns go through the loop as typed arrays.
std::complex<double> ConjugateScaled(std::complex<double> z, double k) { return std::conj(z) * k; }

// Fails on multiples of `every` (a C++ exception per failed item).
std::int64_t FailEvery(std::int64_t x, std::int64_t every) {
  if (every > 0 && x % every == 0) throw std::invalid_argument("item " + std::to_string(x) + " refused");
  return x * 10;
}

// Kills its worker the first time it meets `at`: a marker file under `dir` says it did.
// `segv`: a segmentation fault, which goray's crash recovery reports (the worker then
// exits), instead of SIGKILL.
volatile int* g_no_page = nullptr;
std::int64_t CrashOnceAt(std::int64_t x, std::int64_t at, std::string dir, bool segv) {
  if (x == at) {
    const std::string marker = dir + "/crashed-" + std::to_string(at);
    struct stat seen {};
    if (stat(marker.c_str(), &seen) != 0) {
      std::ofstream(marker) << "crashed\n";
      if (segv) *g_no_page = 1;
      std::raise(SIGKILL);
    }
  }
  // Counts every run of every item, so a test sees which items ran more than once.
  std::ofstream(dir + "/ran-" + std::to_string(x), std::ios::app) << "x";
  return x + 1;
}

double Norm(const Point& point) { return std::sqrt(point.x * point.x + point.y * point.y); }

std::string Label(const Point& point, std::string prefix) { return prefix + point.label; }

std::tuple<std::int64_t, std::string> Pair(std::int64_t x) { return {x * 2, std::to_string(x)}; }

std::atomic<std::int64_t> g_touched{0};
void TouchItem(std::int64_t x) { g_touched += x; }
std::int64_t Touched() { return g_touched.load(); }

double SlowSquare(double x) {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return x * x;
}

// An actor whose state every item of a map changes: a running total.
class Accumulator {
 public:
  explicit Accumulator(double start) : total_(start) {}
  double Add(double x) { return total_ += x; }
  double Total() const { return total_; }
  std::int64_t Pid() const { return static_cast<std::int64_t>(::getpid()); }

 private:
  double total_;
};

// Thread-safe: its map chunks may run at once.
class Scaler {
 public:
  double Scale(double x, double factor) { return x * factor; }
};

}  // namespace

// The descriptors goray-gen writes into NAME.goray.h (raytest registers by hand).
constexpr goray::TaskOf<double(double)> kPolyTask{"MapPoly"};
constexpr goray::TaskOf<double(double, double)> kWeightedTask{"MapWeighted"};
constexpr goray::TaskOf<std::int64_t(std::int64_t, std::int64_t)> kFailEveryTask{"MapFailEvery"};
constexpr goray::TaskOf<std::string(const Point&, std::string)> kLabelTask{"MapLabel"};

// goray::Map from the C++ driver: typed, shared values, failures thrown and collected,
// Python functions by name. Answers the number of failed checks (0: all passed).
int MapScenario() {
  int failed = 0;
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) {
      ++failed;
      std::cerr << "[map] FAILED: " << what << std::endl;
    }
  };
  std::vector<double> xs(100'000);
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<double>(i) / 1e5;
  std::vector<double> polys = goray::Map(kPolyTask, xs);
  expect(polys.size() == xs.size() && polys[12'345] == Poly(xs[12'345]), "Map(MapPoly)");
  std::vector<double> weighted = goray::Map(kWeightedTask, xs, goray::Shared(2.0));
  expect(weighted.size() == xs.size() && weighted[99'999] == 2.0 * xs[99'999], "Shared weight");
  goray::ArrayView<double> view(xs.data(), {10});
  expect(goray::Map(kWeightedTask, view, view)[3] == xs[3] * xs[3], "two ArrayView columns");
  std::vector<Point> points = {{3, 4, "a"}, {0, 1, "b"}};
  std::vector<std::string> labels = goray::Map(kLabelTask, points, goray::Shared(std::string("p-")));
  expect(labels == std::vector<std::string>{"p-a", "p-b"}, "struct column");
  std::vector<std::int64_t> ints = {1, 2, 3, 4, 5, 6};
  try {
    (void)goray::Map(kFailEveryTask, ints, goray::Shared(std::int64_t{4}));
    expect(false, "MapFailEvery did not throw");
  } catch (const goray::PythonError& error) {
    const std::string what = error.what();
    expect(what.find("item 3 (4)") != std::string::npos && what.find("item 4 refused") != std::string::npos,
           "the failed item's index and error: " + what);
  }
  goray::MapOptions small;
  small.chunk_size = 2;
  goray::MapOutcome<std::int64_t> outcome =
      goray::MapCollect(small, kFailEveryTask, ints, goray::Shared(std::int64_t{3}));
  expect(outcome.results.size() == 6 && outcome.results[0] == 10 && !outcome.results[2] &&
             !outcome.results[5] && outcome.failures.size() == 2 && outcome.failures[1].index == 5,
         "MapCollect");
  std::vector<std::int64_t> lengths =
      goray::MapPython<std::int64_t>("raytest_map_length", std::vector<std::string>{"a", "bcd"});
  expect(lengths == std::vector<std::int64_t>{1, 3}, "MapPython");
  expect(goray::MapTask<double>("MapPoly", std::vector<double>{0.0})[0] == Poly(0.0), "MapTask");
  std::cout << "[map] " << (failed == 0 ? "passed" : "FAILED") << std::endl;
  return failed;
}

// goray::Map inside a task: the worker's Python plans and submits the chunks.
double MapInsideTask(std::int64_t count) {
  std::vector<double> xs(static_cast<std::size_t>(count), 0.5);
  double total = 0;
  for (double value : goray::Map(kPolyTask, xs)) total += value;
  return total;
}

void RegisterMaps(goray::Registry& registry) {
  registry.AddTask("MapInsideTask", &MapInsideTask);
  registry.AddTask("MapPoly", &Poly);
  registry.AddTask("MapWeighted", &Weighted);
  registry.AddTask("MapConjugate", &ConjugateScaled);
  registry.AddTask("MapFailEvery", &FailEvery);
  registry.AddTask("MapCrashOnceAt", &CrashOnceAt);
  registry.AddTask("MapNorm", &Norm);
  registry.AddTask("MapLabel", &Label);
  registry.AddTask("MapPair", &Pair);
  registry.AddTask("MapTouch", &TouchItem);
  registry.AddTask("MapTouched", &Touched);
  registry.AddTask("MapSlowSquare", &SlowSquare);
  registry.AddActor<Accumulator>("MapAccumulator", &goray::Constructor<Accumulator, double>::Create)
      .AddMethod("Add", &Accumulator::Add)
      .AddMethod("Total", &Accumulator::Total)
      .AddMethod("Pid", &Accumulator::Pid);
  registry.AddActor<Scaler>("MapScaler", &goray::Constructor<Scaler>::Create)
      .ThreadSafe()
      .AddMethod("Scale", &Scaler::Scale);
}

}  // namespace raytest
