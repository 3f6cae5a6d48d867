// The nanobind peer of the peer benchmark (bench/peers.py, system "nanobind"): the
// functions of bench/peers/cpp/app.cpp bound with nanobind as a C++ team binds them
// today, then called from plain Python Ray tasks and actors (bench/peers/child.py).
// Types go through nanobind's own casters: bytes and list[float] are copied into the
// C++ containers and back; the array is an nb::ndarray read in place, and the result a
// NumPy array that owns the C++ buffer.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/vector.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nb = nanobind;

namespace {

using ArrayIn = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using ArrayOut = nb::ndarray<nb::numpy, double, nb::ndim<1>>;

double Square(double x) { return x * x; }
void Noop() {}
std::vector<double> EchoFloats(std::vector<double> values) { return values; }

// bytes -> std::vector<uint8_t> -> bytes: one copy in, one out, as the C++ function
// taking and returning the vector (bench/peers/cpp/app.cpp's EchoBytes) needs.
nb::bytes EchoBytes(nb::bytes data) {
  const auto* begin = static_cast<const std::uint8_t*>(data.data());
  std::vector<std::uint8_t> copy(begin, begin + data.size());
  return nb::bytes(reinterpret_cast<const char*>(copy.data()), copy.size());
}

ArrayOut Scale2(ArrayIn a) {
  const std::size_t count = a.shape(0);
  auto* result = new double[count];
  const double* in = a.data();
  for (std::size_t i = 0; i < count; ++i) result[i] = 2.0 * in[i];
  nb::capsule owner(result, [](void* p) noexcept { delete[] static_cast<double*>(p); });
  return ArrayOut(result, {count}, owner);
}

struct Sink {
  void Noop() {}
};

}  // namespace

NB_MODULE(peers_nanobind, m) {
  m.doc() = "bench/peers/cpp/app.cpp's functions bound by nanobind (the peer benchmark)";
  m.def("Square", &Square, nb::arg("x"));
  m.def("Noop", &Noop);
  m.def("EchoBytes", &EchoBytes, nb::arg("data"));
  m.def("EchoFloats", &EchoFloats, nb::arg("values"));
  m.def("Scale2", &Scale2, nb::arg("a"));
  nb::class_<Sink>(m, "Sink").def(nb::init<>()).def("Noop", &Sink::Noop);
}
