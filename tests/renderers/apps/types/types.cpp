// The out-of-line tasks of types.h, an actor type built by a factory, and the driver.
// This file has GORAY_ markers, so goray_add_app compiles it through typesapp.goray.cpp.
#include "types.h"

#include <stdexcept>

shapes::Shape Echo::Move(shapes::Shape s, const shapes::Point& by) {
  for (shapes::Point& point : s.points) {
    point.x += by.x;
    point.y += by.y;
  }
  return s;
}

std::tuple<int64_t, int64_t> Echo::Divide(int64_t a, int64_t b) {
  if (b == 0) throw std::domain_error("divide by zero");
  return {a / b, a % b};
}

std::tuple<std::string, shapes::Point, std::optional<int32_t>> Echo::Several() {
  return {"several", shapes::Point{1.5, -2.5}, std::nullopt};
}

class Counter {
 public:
  explicit Counter(int64_t start) : value_(start) {}
  int64_t Incr(int64_t by) { return value_ += by; }
  int64_t Get() const { return value_; }

 private:
  int64_t value_;
};

struct GORAY_ACTORS Actors {
  /// A counter starting at n.
  static std::unique_ptr<::Counter> Counter(int64_t n) { return std::make_unique<::Counter>(n); }
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 1, "namespace": "goray \"gen\" test"})");

int RunTypedGraph();  // wrappers.cpp: typed graph nodes on Ray

// Returns its argument count, or with the one argument "graph" runs a typed compiled graph
// on Ray (its failed checks).
GORAY_DRIVER int Driver(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "graph") return RunTypedGraph();
  return static_cast<int>(args.size());
}
