// RefTasks::Orchestrate: the typed C++ wrappers of refsapp.goray.h with refs and handles,
// from a task on Ray (compiled on its own: no GORAY_ marker here).
#include "refsapp.goray.h"

#include <exception>
#include <string>
#include <vector>

namespace {

void Expect(std::string& failures, bool ok, const std::string& what) {
  if (!ok) failures += what + "; ";
}

}  // namespace

std::string RefTasks::Orchestrate() {
  std::string failures;
  std::vector<goray::Future<double>> parts = {refsapp::Square(1.0).Remote(),
                                              refsapp::Square(2.0).Remote()};
  Expect(failures, refsapp::Sum(parts).Remote().Get() == 5.0, "Sum of a vector of futures");
  goray::Future<double> nine = refsapp::Square(3.0).Remote();
  Expect(failures, refsapp::Deref(nine).Remote().Get() == 9.0,
         "a Future to a top-level Future parameter arrives unresolved");
  Expect(failures, goray::RemoteCall("Deref", goray::Unresolved(nine)).Get<double>() == 9.0,
         "goray::Unresolved passes a ref unresolved through the untyped API");
  try {
    goray::RemoteCall("Deref", nine).Get<double>();  // resolved by Ray: a double, not a ref
    Expect(failures, false, "a bare ref to a ref parameter is refused");
  } catch (const std::exception& error) {
    Expect(failures, std::string(error.what()).find("goray::Future<double>") != std::string::npos,
           std::string("the refusal names the parameter's type: ") + error.what());
  }
  goray::Future<double> later = refsapp::Later(4.0).Remote().Get();
  Expect(failures, later.Get() == 4.0, "a Future result holds a ref");

  refsapp::CounterHandle counter = refsapp::Spawn(10).Remote().Get();
  Expect(failures, refsapp::Bump(counter, 5).Remote().Get() == 15, "Bump a typed handle");
  Expect(failures, counter.Incr(1).Remote().Get() == 16, "the returned handle is typed");
  refsapp::CounterHandle other = refsapp::Counter(4).Remote();
  Expect(failures, counter.Absorb(other).Remote().Get() == 20, "a handle to a method");

  refsapp_types::Job job;
  job.input = nine;
  job.extras = {parts[0], goray::Put(0.5)};
  job.progress = counter;  // the generated handle converts to ActorHandleOf<Counter>
  Expect(failures, refsapp::RunJob(job).Remote().Get() == 10.5, "a struct of refs and a handle");
  Expect(failures, counter.Incr(0).Remote().Get() == 21, "the struct's handle is the actor");
  return failures;
}
