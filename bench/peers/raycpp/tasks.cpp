// Registered with RAY_REMOTE here, in the library that Ray's C++ workers load from the
// code search path; the driver links the same library, so both sides know the names.
#include "tasks.h"

#include <ray/api.h>

#include "../../map_poly.h"  // bench/map_poly.h: goray's Poly runs the same code

void Noop() {}
std::string EchoBytes(std::string value) { return value; }
std::vector<double> EchoFloats(std::vector<double> value) { return value; }
std::vector<double> Scale2(std::vector<double> a) {
  for (double &x : a) x *= 2.0;
  return a;
}
double Poly(double x) { return map_bench::PolyPasses(x, map_bench::kPolyPasses); }

RAY_REMOTE(Noop, EchoBytes, EchoFloats, Scale2, Poly);
RAY_REMOTE(Sink::Create, &Sink::Noop);
