// The README's example: C++ tasks and an actor, a C++ driver that calls
// C++ and Python through Ray and in-process. Built with goray_add_app: no
// registration code and no generated include here.
#include <goray/goray.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>

struct GORAY_TASKS Tasks {
  /// The square of x.
  double Square(double x) { return x * x; }
  /// Quotient and remainder.
  std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) { return {a / b, a % b}; }
};

/// A counter that lives in a Ray actor.
class Counter {
 public:
  explicit Counter(int64_t n) : n_(n) {}
  /// Adds `by` and returns the new value.
  int64_t Incr(int64_t by) { return n_ += by; }

 private:
  int64_t n_;
};

struct GORAY_ACTORS Actors {
  static std::unique_ptr<::Counter> Counter(int64_t n) { return std::make_unique<::Counter>(n); }
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 2})")

GORAY_DRIVER int Driver() {
  goray::ObjectRef ref = goray::RemoteCall("Square", 2.0, goray::Option("num_cpus", 1));
  double sq = goray::Get<double>(ref);
  auto [q, r] = goray::Get<int64_t, int64_t>(goray::RemoteCall("Divide", 16, 5));
  goray::ActorHandle c = goray::NewActor("Counter", 1, goray::Option("name", "c1"));
  int64_t n = goray::Get<int64_t>(c.RemoteCall("Incr", 2));
  int64_t py = goray::Get<int64_t>(goray::RemoteCallPyTask("square", 8));  // a Python task
  goray::ActorHandle store = goray::NewPyActor("Storage");                  // a Python actor
  store.RemoteCall("put", std::string("answer"), int64_t{42}).Wait();
  int64_t answer = goray::Get<int64_t>(store.RemoteCall("get", std::string("answer")));
  std::cout << "C++ driver: Square(2)=" << sq << " Divide(16,5)=" << q << "," << r << " Counter=" << n
            << " square(8) in Python=" << py << " Storage[answer]=" << answer << std::endl;
  goray::LocalCallPyTask("report", sq, n, py);  // Python, in-process
  return 0;
}
