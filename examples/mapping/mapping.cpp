// Many small calls (docs/map.md): C++ functions of a fraction of a microsecond, mapped
// over a million items with goray.map. Each chunk of items is one Ray task whose loop
// runs here, in C++, with no Python per item. main.py maps them from Python (a NumPy
// array, a generator, failures collected, a struct of arrays, a pool of actors); the
// driver below maps Score from C++ (goray::Map with the typed descriptor
// mapping::ScoreTask of mapping.goray.h).
#include <goray/goray.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "mapping.goray.h"

namespace {

// A cheap score: a cubic by Horner's rule (a few nanoseconds).
double Cubic(double x) { return ((0.5 * x - 1.0) * x + 2.0) * x + 0.25; }

}  // namespace

/// A point in the plane.
struct Point {
  double x = 0;
  double y = 0;
};

struct GORAY_TASKS Scoring {
  /// The score of `x`: a cubic, times `weight`.
  double Score(double x, double weight) { return weight * Cubic(x); }

  /// The natural log of `x`; throws for x <= 0 (an item that fails).
  double LogScore(double x) {
    if (x <= 0) throw std::domain_error("the log of a non-positive number");
    return std::log(x);
  }

  /// The distance of a point from the origin (a struct parameter: goray.map feeds it a
  /// dict of NumPy arrays, one per field).
  double Norm(const Point& point) { return std::hypot(point.x, point.y); }
};

/// Scores with a weight fixed when it is made, and counts the items it scored. Declared
/// thread-safe: an ActorPool's two chunks per actor may run at once.
class GORAY_ACTOR GORAY_THREADSAFE Scorer {
 public:
  explicit Scorer(double weight) : weight_(weight) {}

  /// The score of `x`, as the task Score with this scorer's weight.
  double Score(double x) {
    scored_.fetch_add(1, std::memory_order_relaxed);
    return weight_ * Cubic(x);
  }

  /// How many items this scorer scored.
  int64_t Scored() const { return scored_.load(); }

 private:
  const double weight_;
  std::atomic<int64_t> scored_{0};
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 2})")

// goray::Map from C++: Score over 200,000 items with a shared weight, every result
// checked; then MapCollect of LogScore over items some of which fail.
GORAY_DRIVER int Driver() {
  std::vector<double> xs(200'000);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    xs[i] = -1.0 + 2.0 * static_cast<double>(i) / static_cast<double>(xs.size() - 1);
  }
  const double weight = 2.0;
  const auto started = std::chrono::steady_clock::now();
  std::vector<double> scores = goray::Map(mapping::ScoreTask, xs, goray::Shared(weight));
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::size_t wrong = scores.size() == xs.size() ? 0 : xs.size();
  double sum = 0;
  for (std::size_t i = 0; i < scores.size() && i < xs.size(); ++i) {
    wrong += std::abs(scores[i] - weight * Cubic(xs[i])) > 1e-12;
    sum += scores[i];
  }
  std::cout << "C++ driver: goray::Map(mapping::ScoreTask, " << xs.size() << " items) in "
            << took.count() << " s, sum " << sum << ", " << wrong << " wrong\n";

  goray::MapOutcome<double> logs =
      goray::MapCollect(mapping::LogScoreTask, std::vector<double>{1.0, 0.0, std::exp(2.0), -1.0});
  const bool failed_as_expected = logs.failures.size() == 2 && logs.failures[0].index == 1 &&
                                  logs.failures[1].index == 3 && !logs.results[1] &&
                                  logs.results[2] && std::abs(*logs.results[2] - 2.0) < 1e-12;
  std::cout << "C++ driver: MapCollect(mapping::LogScoreTask): " << logs.failures.size()
            << " of 4 items failed"
            << (logs.failures.empty() ? "" : ", the first: " + logs.failures[0].error) << "\n";
  return wrong == 0 && failed_as_expected ? 0 : 1;
}
