// app.cpp — a whole application in one file
// (the README's example; the ';' after GORAY_INIT_OPTIONS is needed by the current
// <goray/annotations.h>, whose macro does not end the declaration itself)
#include <goray/goray.h>

struct GORAY_TASKS Tasks {                 // every public member function is a task
  double Square(double x) { return x * x; }
  std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) { return {a / b, a % b}; }
};

class Counter {                            // an actor's methods: its public member functions
 public:
  explicit Counter(int64_t n) : n_(n) {}
  int64_t Incr(int64_t by) { return n_ += by; }
 private:
  int64_t n_;
};

struct GORAY_ACTORS Actors {               // every public member function builds an actor type
  static std::unique_ptr<::Counter> Counter(int64_t n) {   // named by the function ("Counter");
    return std::make_unique<::Counter>(n);                  // returns T, std::unique_ptr<T> or T*
  }
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 2})");  // optional: ray.init options, a JSON object

GORAY_DRIVER int Driver() {                // optional, at most one; or int Driver(const std::vector<std::string>& args)
  goray::ObjectRef ref = goray::RemoteCall("Square", 2.0, goray::Option("num_cpus", 1));
  double sq = goray::Get<double>(ref);
  auto [q, r] = goray::Get<int64_t, int64_t>(goray::RemoteCall("Divide", 16, 5));
  goray::ActorHandle c = goray::NewActor("Counter", 1, goray::Option("name", "c1"));
  int64_t n = goray::Get<int64_t>(c.RemoteCall("Incr", 2));
  int64_t py = goray::Get<int64_t>(goray::RemoteCallPyTask("square", 8));   // a Python task
  goray::ActorHandle store = goray::NewPyActor("Storage");                  // a Python actor
  goray::LocalCallPyTask("report", sq, n, py);                              // Python, in-process
  return 0;
}
