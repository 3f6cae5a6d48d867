// The C++ functions of the in-process peer benchmark (bench/local_peer.py, `bash
// scripts/bench.sh local`): goray's typed entries (goray_add_app: bench_local_peer) and a
// nanobind module (nanobind_module.cpp) call the same functions, each row of issue 60's
// table once declared short (GORAY_KEEP_GIL: the call keeps the GIL) and once plain (the
// call releases it). The bodies are tiny on purpose: what is timed is the crossing.
#pragma once

#include <cstdint>
#include <string>

#include <goray/annotations.h>
#include <goray/array.h>

namespace local_peer {

/// A user struct of 4 fields: goray takes it as a dict, nanobind as a bound instance.
struct Particle {
  double x = 0;
  double y = 0;
  double z = 0;
  double mass = 0;
};

inline double Fma(double a, double b, double c) { return a * b + c; }

inline int64_t Length(const std::string& text) { return static_cast<int64_t>(text.size()); }

inline double Energy(const Particle& p) { return 0.5 * p.mass * (p.x * p.x + p.y * p.y + p.z * p.z); }

inline double Sum(const goray::ArrayView<double>& values) {
  double total = 0;
  const double* data = values.data();
  for (int64_t i = 0, n = values.size(); i < n; ++i) total += data[i];
  return total;
}

}  // namespace local_peer

// Static members: nanobind binds these very functions (m.def("Fma", &PeerTasks::Fma)).
struct GORAY_TASKS PeerTasks {
  /// a * b + c: three doubles to a double.
  static double Fma(double a, double b, double c) { return local_peer::Fma(a, b, c); }
  /// a * b + c, declared short: its in-process calls keep the GIL.
  GORAY_KEEP_GIL static double FmaShort(double a, double b, double c) { return local_peer::Fma(a, b, c); }

  /// The length of `text` in bytes.
  static int64_t Length(const std::string& text) { return local_peer::Length(text); }
  /// The length of `text` in bytes, declared short.
  GORAY_KEEP_GIL static int64_t LengthShort(const std::string& text) { return local_peer::Length(text); }

  /// The kinetic energy of `p`.
  static double Energy(const local_peer::Particle& p) { return local_peer::Energy(p); }
  /// The kinetic energy of `p`, declared short.
  GORAY_KEEP_GIL static double EnergyShort(const local_peer::Particle& p) { return local_peer::Energy(p); }

  /// The sum of `values`.
  static double Sum(goray::ArrayView<double> values) { return local_peer::Sum(values); }
  /// The sum of `values`, declared short.
  GORAY_KEEP_GIL static double SumShort(goray::ArrayView<double> values) { return local_peer::Sum(values); }
};

/// A running total: a local actor whose method takes a double.
class GORAY_ACTOR Accumulator {
 public:
  explicit Accumulator(double start) : total_(start) {}
  /// Adds `x`; the new total.
  double Add(double x) { return total_ += x; }
  /// Adds `x`, declared short; the new total.
  GORAY_KEEP_GIL double AddShort(double x) { return total_ += x; }

 private:
  double total_;
};
