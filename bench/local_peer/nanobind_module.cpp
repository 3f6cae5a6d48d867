// The nanobind peer of the in-process benchmark (bench/local_peer.py): the functions of
// kernels.h bound with nanobind's defaults (its calls keep the GIL), the same functions
// goray's typed entries call. The struct and the actor are bound classes (nb::class_),
// the string goes through nanobind/stl/string.h, the array is an nb::ndarray read in
// place and handed to the function as the goray::ArrayView it takes.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <cstdint>
#include <new>

#include "kernels.h"

namespace nb = nanobind;

using Values = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

NB_MODULE(local_peer_nanobind, m) {
  m.doc() = "kernels.h bound by nanobind: the peer of the bench_local_peer goray application";

  nb::class_<local_peer::Particle>(m, "Particle")
      .def(nb::init<>())
      .def("__init__",
           [](local_peer::Particle* self, double x, double y, double z, double mass) {
             new (self) local_peer::Particle{x, y, z, mass};
           },
           nb::arg("x"), nb::arg("y"), nb::arg("z"), nb::arg("mass"))
      .def_rw("x", &local_peer::Particle::x)
      .def_rw("y", &local_peer::Particle::y)
      .def_rw("z", &local_peer::Particle::z)
      .def_rw("mass", &local_peer::Particle::mass);

  nb::class_<Accumulator>(m, "Accumulator")
      .def(nb::init<double>(), nb::arg("start"))
      .def("Add", &Accumulator::Add, nb::arg("x"))
      .def("AddShort", &Accumulator::AddShort, nb::arg("x"));

  m.def("Fma", &PeerTasks::Fma, nb::arg("a"), nb::arg("b"), nb::arg("c"));
  m.def("Length", &PeerTasks::Length, nb::arg("text"));
  m.def("Energy", &PeerTasks::Energy, nb::arg("p"));
  m.def(
      "Sum",
      [](Values values) {
        return PeerTasks::Sum(goray::ArrayView<double>(values.data(), {static_cast<std::int64_t>(values.shape(0))}));
      },
      nb::arg("values"));
}
