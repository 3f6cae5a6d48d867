// The map benchmark's cheap item (bench/map.py's vs_numpy): the great-circle distance in
// metres between two points given in degrees (haversine), the formula bench/map_cheap.py's
// NumPy twin computes over arrays. `static`: each file that includes it compiles its own
// copy with its own flags (bench_map.cpp as built by default, bench_map_simd.cpp with
// -ffast-math), so neither copy replaces the other at link time.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <goray/goray.h>

namespace map_bench {

inline constexpr double kRadians = 3.14159265358979323846 / 180.0;
inline constexpr double kEarthMetres = 6371008.8;  // the mean radius

static double Haversine(double lat, double lon, double lat0, double lon0) {
  const double half_dlat = 0.5 * (lat - lat0) * kRadians;
  const double half_dlon = 0.5 * (lon - lon0) * kRadians;
  const double s_lat = std::sin(half_dlat);
  const double s_lon = std::sin(half_dlon);
  const double a = s_lat * s_lat + std::cos(lat * kRadians) * std::cos(lat0 * kRadians) * s_lon * s_lon;
  return 2.0 * kEarthMetres * std::asin(std::sqrt(a));
}

// Items per second of one thread computing Haversine over the columns into an array (the
// loop a map's chunk runs, without goray around it).
static double HaversineRateOf(goray::ArrayView<double> lat, goray::ArrayView<double> lon,
                              double lat0, double lon0) {
  const int64_t count = lat.size();
  if (count == 0 || lon.size() != count) {
    throw std::invalid_argument("HaversineRate: two columns of one length, not empty");
  }
  std::vector<double> results(static_cast<size_t>(count));
  const double* in_lat = lat.data();
  const double* in_lon = lon.data();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < count; ++i) {
    results[static_cast<size_t>(i)] = Haversine(in_lat[i], in_lon[i], lat0, lon0);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  volatile double sink = 0;
  for (double value : results) sink = sink + value;
  return static_cast<double>(count) / seconds;
}

}  // namespace map_bench
