// The map benchmark's application (bench/map.py, `bash scripts/bench.sh map`): tasks of
// one double at three costs, for goray.map over a float64 array, and NativeRate, the
// single-threaded native loop over the same items that the benchmark's of_ideal divides by.
// The work itself is bench/map_poly.h, which Ray's C++ API's Poly (bench/peers/raycpp)
// runs too. HaversineM is the cheap, vectorisable item (about 25 ns) that NumPy over plain
// Ray tasks is measured against, and the C++ driver below maps it with goray::Map.
#include <goray/goray.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_map.goray.h"
#include "map_haversine.h"
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

  /// The haversine distance in metres from (lat, lon) to (lat0, lon0), in degrees: about
  /// 25 ns natively, the benchmark's cheap item.
  double HaversineM(double lat, double lon, double lat0, double lon0) {
    return map_bench::Haversine(lat, lon, lat0, lon0);
  }

  /// Items per second of one thread computing HaversineM over the columns, as NativeRate.
  double HaversineRate(goray::ArrayView<double> lat, goray::ArrayView<double> lon, double lat0,
                       double lon0) {
    return map_bench::HaversineRateOf(lat, lon, lat0, lon0);
  }
};

namespace {

// The C++ driver's columns, made once per process (not timed): uniform points, as
// bench/map.py's own (another generator: the work per item does not depend on the values).
const std::vector<double>& DriverColumn(std::size_t count, int which) {
  static std::vector<double> columns[2];
  std::vector<double>& column = columns[which];
  if (column.size() != count) {
    std::mt19937_64 random(53 + which);
    std::uniform_real_distribution<double> uniform(which == 0 ? -60.0 : -180.0,
                                                   which == 0 ? 60.0 : 180.0);
    column.resize(count);
    for (double& value : column) value = uniform(random);
  }
  return column;
}

}  // namespace

/// bench/map.py's C++ driver: args ITEMS LAT0 LON0 [CHUNK_SIZE]. One goray::Map of
/// HaversineM over ITEMS points, timed around the call alone, its time reported to the
/// py-defs' record_time("cpp_map", seconds); the results spot-checked after the clock.
GORAY_DRIVER int Driver(const std::vector<std::string>& args) {
  const std::size_t count = std::stoull(args.at(0));
  const double lat0 = std::stod(args.at(1));
  const double lon0 = std::stod(args.at(2));
  goray::MapOptions options;
  if (args.size() > 3) options.chunk_size = std::stoull(args.at(3));
  const std::vector<double>& lat = DriverColumn(count, 0);
  const std::vector<double>& lon = DriverColumn(count, 1);
  const auto start = std::chrono::steady_clock::now();
  std::vector<double> metres = goray::Map(options, bench_map::HaversineMTask, lat, lon,
                                          goray::Shared(lat0), goray::Shared(lon0));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i : {std::size_t{0}, count / 2, count - 1}) {
    if (metres.size() != count || metres[i] != map_bench::Haversine(lat[i], lon[i], lat0, lon0)) {
      throw std::runtime_error("goray::Map(HaversineM) returned a wrong result at " +
                               std::to_string(i));
    }
  }
  goray::LocalCallPyTask("record_time", std::string("cpp_map"), seconds);
  return 0;
}
