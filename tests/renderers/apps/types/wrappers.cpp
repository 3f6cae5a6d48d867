// Uses the typed C++ wrappers of typesapp.goray.h (compiled on its own: no GORAY_
// marker here). Only compiled: running them needs Ray. The typed-wrapper compile-fail
// test checks the wrong uses.
#include "typesapp.goray.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace {

[[maybe_unused]] void UseWrappers() {
  goray::Future<double> f64 = typesapp::F64(2.0).Remote(goray::Option("num_cpus", 1));
  goray::Future<int64_t> i64 = typesapp::I64(3).Remote();  // an int converts
  goray::Future<int64_t> again = typesapp::I64(i64).Remote();  // a Future<int64_t> by reference
  goray::ObjectRef untyped = goray::RemoteCall("I64", 1);
  goray::Future<int64_t> from_ref = typesapp::I64(untyped).Remote();  // an ObjectRef too
  goray::Future<std::string> text = typesapp::Str("a literal").Remote();
  goray::Future<shapes::Shape> moved =
      typesapp::Move({.points = {{1, 2}}}, shapes::Point{1, 1}).Remote();
  goray::Future<int64_t, int64_t> divided = typesapp::Divide(16, 5).Remote();
  goray::Future<> nothing = typesapp::Nothing().Remote();
  typesapp::AccumulatorHandle accumulator = typesapp::Accumulator(1.0, "acc").Remote(
      goray::Option("name", "acc"));
  goray::Future<double> total = accumulator.Add(f64).Remote();
  goray::Future<shapes::Point> where = accumulator.Where().Remote();
  typesapp::CounterHandle counter = typesapp::Counter(int64_t{5}).Remote();
  goray::Future<int64_t> count = counter.Incr(2).Remote();
  typesapp::CounterHandle named{goray::GetActor("c1")};
  std::vector<goray::ObjectRef> refs = {f64, i64, again, from_ref, text, moved, divided,
                                        nothing, total, where, count};
  double value = f64.Get();
  auto [quotient, remainder] = divided.Get(std::chrono::seconds(5));
  nothing.Get();
  static_cast<void>(value + static_cast<double>(quotient + remainder));
}

}  // namespace
