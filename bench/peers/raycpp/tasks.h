// The remote functions and the actor, shared by the driver and the worker library.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

void Noop();
std::string EchoBytes(std::string value);
std::vector<double> EchoFloats(std::vector<double> value);
std::vector<double> Scale2(std::vector<double> a);  // 2 * a
double Poly(double x);  // the map benchmark's ~0.25 µs task (bench/map_poly.h)

class Sink {
 public:
  static Sink *Create() { return new Sink(); }
  void Noop() {}
};
