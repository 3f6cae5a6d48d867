// Registered with RAY_REMOTE here, in the library that Ray's C++ workers load from the
// code search path; the driver links the same library, so both sides know the names.
#include "tasks.h"

#include <ray/api.h>

void Noop() {}
std::string EchoBytes(std::string value) { return value; }
std::vector<double> EchoFloats(std::vector<double> value) { return value; }
std::vector<double> Scale2(std::vector<double> a) {
  for (double &x : a) x *= 2.0;
  return a;
}

RAY_REMOTE(Noop, EchoBytes, EchoFloats, Scale2);
RAY_REMOTE(Sink::Create, &Sink::Noop);
