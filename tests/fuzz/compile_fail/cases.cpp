// Misuses of the C++ API that must not compile (docs/reliability.md). run.sh compiles this file
// once per case with -DCASE=<n> and expects the compiler to fail with the case's
// message; -DCASE=0 must compile (the control).
// The expected diagnostics are listed in run.sh.
#include <goray/goray.h>

#include <string>
#include <string_view>

struct NotAnOption {};

void Use() {
  goray::ObjectRef ref = goray::RemoteCall("Square", 2.0);  // well-formed (the control)
  (void)ref;
#if CASE == 1  // an option before an argument
  goray::RemoteCall("Square", goray::Option("num_cpus", 1), 2.0);
#elif CASE == 2  // Ray options on an in-process call
  goray::LocalCallPyTask("f", 1, goray::Option("num_cpus", 1));
#elif CASE == 3  // an ObjectRef in an in-process call
  goray::LocalCallPyTask("f", ref);
#elif CASE == 4  // Get with no type
  ref.Get<>();
#elif CASE == 5  // an option value of no JSON type
  goray::Option("x", NotAnOption{});
#elif CASE == 6  // decoding into a non-owning string
  ref.Get<std::string_view>();
#elif CASE == 7  // an option before an argument in a Python task call
  goray::RemoteCallPyTask("py_square", goray::Option("num_cpus", 1), 3);
#endif
}

#if CASE == 8  // a pointer parameter
void goray::RegisterApplication(goray::Registry& r) { r.AddTask("P", [](int* p) { return *p; }); }
#elif CASE == 9  // a non-const reference parameter
void goray::RegisterApplication(goray::Registry& r) { r.AddTask("R", [](int& x) { return x; }); }
#elif CASE == 10  // a generator borrowing the request (std::string_view)
void goray::RegisterApplication(goray::Registry& r) {
  r.AddTask("G", [](std::string_view s) -> goray::Generator<int> { co_yield static_cast<int>(s.size()); });
}
#elif CASE == 11  // a generator method borrowing the request (std::span)
struct Spans {
  goray::Generator<double> Each(std::span<const double> xs) { for (double x : xs) co_yield x; }
};
void goray::RegisterApplication(goray::Registry& r) {
  r.AddActor<Spans>("Spans", [] { return Spans{}; }).AddMethod("Each", &Spans::Each);
}
#elif CASE == 12  // a generator of nothing
void goray::RegisterApplication(goray::Registry&) { goray::Generator<void> g; }
#endif
