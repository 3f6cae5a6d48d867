// The map benchmark's per-item work (bench/map.py, `bash scripts/bench.sh map`), one
// header for both sides of its comparisons: goray's tasks (bench/bench_map.cpp) and Ray's
// C++ API's task (bench/peers/raycpp/tasks.cpp) run this same code. C++17.
//
// A pass is a fixed 20-term polynomial by Horner's rule; each pass takes the previous
// one's result, so a call is one chain of dependent multiply-adds that the CPU cannot
// overlap within the call. |coefficients| sum to 0.6, so a value in [-1, 1] stays there
// (no overflow, no denormals). Out of line (noinline), so a loop over items calls it as
// goray's per-item loop does and no compiler vectorizes the native loop across items.
#pragma once

#include <cstdint>

namespace map_bench {

inline constexpr double kCoefficients[20] = {
    1.0 / 4,    -1.0 / 9,   1.0 / 16,   -1.0 / 25,  1.0 / 36,   -1.0 / 49,  1.0 / 64,
    -1.0 / 81,  1.0 / 100,  -1.0 / 121, 1.0 / 144,  -1.0 / 169, 1.0 / 196,  -1.0 / 225,
    1.0 / 256,  -1.0 / 289, 1.0 / 324,  -1.0 / 361, 1.0 / 400,  -1.0 / 441};

// Passes per call of each cost: one pass is 7 ns in a loop over items (where the CPU
// overlaps consecutive items' chains) and about 26 ns in a long chain, on the 2-core
// AMD EPYC VMs these figures come from. The benchmark measures each native rate in the
// same run; these only set the order of magnitude.
inline constexpr int64_t kPolyPasses = 11;         // Poly: about 0.25 µs
inline constexpr int64_t kPolyMidPasses = 380;     // PolyMid: about 10 µs
inline constexpr int64_t kPolyHeavyPasses = 38000;  // PolyHeavy: about 1 ms

[[gnu::noinline]] inline double PolyPasses(double x, int64_t passes) {
  double y = x;
  for (int64_t pass = 0; pass < passes; ++pass) {
    double sum = kCoefficients[19];
    for (int k = 18; k >= 0; --k) sum = sum * y + kCoefficients[k];
    y = sum;
  }
  return x + y;  // the passes converge: x keeps every item's result its own
}

}  // namespace map_bench
