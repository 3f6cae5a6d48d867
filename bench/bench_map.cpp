// The map benchmark's application (bench/map.py, `bash scripts/bench.sh map`): tasks of
// one double at three costs, for goray.map over a float64 array, and NativeRate, the
// single-threaded native loop over the same items that the benchmark's of_ideal divides by.
// The work itself is bench/map_poly.h, which Ray's C++ API's Poly (bench/peers/raycpp)
// runs too.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "map_poly.h"

namespace {

volatile double sink_ = 0;

int64_t PassesOf(const std::string& task) {
  if (task == "Poly") return map_bench::kPolyPasses;
  if (task == "PolyMid") return map_bench::kPolyMidPasses;
  if (task == "PolyHeavy") return map_bench::kPolyHeavyPasses;
  throw std::invalid_argument("NativeRate: no task " + task + " (Poly, PolyMid, PolyHeavy)");
}

}  // namespace

struct GORAY_TASKS MapTasks {
  /// A fixed 20-term polynomial (Horner), 11 passes: about 0.25 µs natively.
  double Poly(double x) { return map_bench::PolyPasses(x, map_bench::kPolyPasses); }

  /// The same polynomial, 380 passes: about 10 µs.
  double PolyMid(double x) { return map_bench::PolyPasses(x, map_bench::kPolyMidPasses); }

  /// The same polynomial, 38,000 passes: about 1 ms.
  double PolyHeavy(double x) { return map_bench::PolyPasses(x, map_bench::kPolyHeavyPasses); }

  /// Items per second of one thread running `task` (Poly, PolyMid or PolyHeavy) over
  /// every item of `items`, the results stored in an array as a map's are: the native
  /// rate of that task. Timed here, around the loop only.
  double NativeRate(goray::ArrayView<double> items, std::string task) {
    const int64_t passes = PassesOf(task);
    const int64_t count = items.size();
    if (count == 0) throw std::invalid_argument("NativeRate: no items");
    std::vector<double> results(static_cast<size_t>(count));
    const double* in = items.data();
    const auto start = std::chrono::steady_clock::now();
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) {
      const double y = map_bench::PolyPasses(in[i], passes);
      results[static_cast<size_t>(i)] = y;
      sum += y;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sink_ = sum;  // the results are used: no compiler may drop the loop
    if (results.back() != map_bench::PolyPasses(in[count - 1], passes)) {
      throw std::runtime_error("NativeRate: the loop's last result differs");
    }
    return static_cast<double>(count) / seconds;
  }
};
