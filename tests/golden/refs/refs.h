// ObjectRefs and actor handles as values: goray::ObjectRef, goray::Future<T...>,
// goray::ActorHandle and goray::ActorHandleOf<Actor> as parameters (top-level ones receive
// the ref unresolved), results, struct fields, container, optional, pair and map elements.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <goray/goray.h>

namespace jobs {

/// A counter that other tasks are handed.
class Counter {
 public:
  explicit Counter(int64_t start) : n_(start) {}
  int64_t Incr(int64_t by) { return n_ += by; }
  /// Adds what another counter holds.
  int64_t Absorb(goray::ActorHandleOf<Counter> other);

 private:
  int64_t n_;
};

struct Point {
  double x = 0;
  double y = 0;
};

/// A job: its input stays in the object store until a worker reads it.
struct Job {
  goray::ObjectRef input;                          ///< untyped
  goray::Future<Point> origin;
  std::vector<goray::Future<double>> parts;
  std::optional<goray::ActorHandleOf<Counter>> progress;
  goray::ActorHandle logger;                       ///< a C++ or Python actor
};

}  // namespace jobs

struct GORAY_ACTORS RefActors {
  static std::unique_ptr<jobs::Counter> Counter(int64_t start);
};

struct GORAY_TASKS RefTasks {
  /// The sum of values still in the object store.
  double Sum(const std::vector<goray::Future<double>>& parts);
  goray::ObjectRef Forward(goray::ObjectRef ref);
  goray::Future<jobs::Point> Later(goray::Future<jobs::Point> point);
  goray::Future<int64_t, std::string> Both(goray::Future<> done);
  std::map<std::string, goray::ObjectRef> Index(std::pair<goray::ObjectRef, int64_t> first);
  jobs::Job Plan(jobs::Job job);
  int64_t Bump(goray::ActorHandleOf<jobs::Counter> counter, goray::ActorHandle any);
  goray::ActorHandleOf<jobs::Counter> Spawn(int64_t start);
  std::vector<goray::ActorHandleOf<jobs::Counter>> Spawned(
      std::optional<goray::ActorHandle> maybe);
};
