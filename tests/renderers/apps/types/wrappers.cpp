// Uses the typed C++ wrappers of typesapp.goray.h (compiled on its own: no GORAY_
// marker here). UseWrappers is only compiled; RunTypedGraph is the driver's "graph"
// run (types.cpp), which ray_stubs.py runs on Ray. The typed-wrapper compile-fail
// test checks the wrong uses.
#include "typesapp.goray.h"

#include <goray/graph.h>

#include <chrono>
#include <cstdint>
#include <iostream>
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

// A compiled graph of two Counter actors built with the typed wrappers' Bind, executed
// twice, then the same graph classic, then an ordinary call after the teardown. Returns
// the number of failed checks (each named on stderr).
int RunTypedGraph() {
  int failures = 0;
  auto expect = [&failures](int64_t got, int64_t expected, const char* what) {
    if (got != expected) {
      ++failures;
      std::cerr << "typed graph: " << what << " = " << got << ", expected " << expected << std::endl;
    }
  };
  typesapp::CounterHandle first = typesapp::Counter(int64_t{5}).Remote();
  typesapp::CounterHandle second = typesapp::Counter(int64_t{100}).Remote();
  goray::Graph graph;
  auto in = graph.Input<int64_t>();
  goray::GraphNode<int64_t> a = first.Incr(in).Bind(graph);
  goray::GraphNode<int64_t> b = second.Incr(a).Bind(graph);
  goray::CompiledGraph<int64_t> compiled = graph.Compile(b);
  expect(compiled.Execute(int64_t{1}).Get(), 106, "compiled execution 1");  // 5+1, 100+6
  expect(compiled.Execute(int64_t{1}).Get(), 113, "compiled execution 2");  // 6+1, 106+7
  compiled.Teardown();
  goray::CompiledGraph<int64_t> classic = graph.Classic(b);
  expect(classic.Execute(int64_t{2}).Get(), 122, "classic execution");  // 7+2, 113+9
  expect(first.Incr(0).Remote().Get(), 9, "an ordinary call after the teardown");
  return failures;
}
