// The map benchmark's haversine built as NumPy builds its own (bench/map.py's vs_numpy):
// with vector math. bench/CMakeLists.txt compiles this file alone with -O3 -ffast-math, so
// g++ inlines HaversineSimd into goray.map's loop and calls glibc's vector sin, cos and
// asin (libmvec, at most 4 ulp, as NumPy's SIMD ones) across items; HaversineM
// (bench_map.cpp) is the same formula with the default flags, one libm call at a time.
#include <goray/goray.h>

#include "bench_map.goray.h"
#include "map_haversine.h"

struct GORAY_TASKS SimdTasks {
  /// HaversineM's formula, compiled for vector math: the distance in metres from
  /// (lat, lon) to (lat0, lon0), in degrees.
  double HaversineSimd(double lat, double lon, double lat0, double lon0) {
    return map_bench::Haversine(lat, lon, lat0, lon0);
  }

  /// Items per second of one thread computing HaversineSimd over the columns.
  double HaversineSimdRate(goray::ArrayView<double> lat, goray::ArrayView<double> lon,
                           double lat0, double lon0) {
    return map_bench::HaversineRateOf(lat, lon, lat0, lon0);
  }
};
