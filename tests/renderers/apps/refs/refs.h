// Refs and actor handles as values through goray-gen, run on Ray (ray_refs.py): a vector
// of futures, a top-level Future parameter (the ref itself), a typed actor handle as a
// parameter, a result and a struct field, C++ tasks calling the typed wrappers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <goray/goray.h>

namespace refsapp_types {

class Counter {
 public:
  explicit Counter(int64_t start) : n_(start) {}
  int64_t Incr(int64_t by) { return n_ += by; }
  /// Adds the other counter's value (read through its handle).
  int64_t Absorb(goray::ActorHandleOf<Counter> other);

 private:
  int64_t n_;
};

struct Job {
  goray::Future<double> input;
  std::vector<goray::ObjectRef> extras;  // each a double
  std::optional<goray::ActorHandleOf<Counter>> progress;
};

}  // namespace refsapp_types

struct GORAY_ACTORS RefActors {
  static std::unique_ptr<refsapp_types::Counter> Counter(int64_t start) {
    return std::make_unique<refsapp_types::Counter>(start);
  }
};

struct GORAY_TASKS RefTasks {
  static double Square(double x) { return x * x; }
  static double Sum(const std::vector<goray::Future<double>>& parts);
  /// Receives the ref, not its value.
  static double Deref(goray::Future<double> ref) { return ref.Get(); }
  static goray::Future<double> Later(double x) { return goray::Future<double>(goray::Put(x)); }
  static int64_t Bump(goray::ActorHandleOf<refsapp_types::Counter> counter, int64_t by);
  static goray::ActorHandleOf<refsapp_types::Counter> Spawn(int64_t start);
  static double RunJob(refsapp_types::Job job);
  /// The typed C++ wrappers, from a task: "" or what went wrong.
  static std::string Orchestrate();
};
