#include "refs.h"

namespace refsapp_types {

int64_t Counter::Absorb(goray::ActorHandleOf<Counter> other) {
  return n_ += goray::Get<int64_t>(other.RemoteCall("Incr", int64_t{0}));
}

}  // namespace refsapp_types

double RefTasks::Sum(const std::vector<goray::Future<double>>& parts) {
  double total = 0;
  for (const goray::Future<double>& part : parts) total += part.Get();
  return total;
}

int64_t RefTasks::Bump(goray::ActorHandleOf<refsapp_types::Counter> counter, int64_t by) {
  return goray::Get<int64_t>(counter.RemoteCall("Incr", by));
}

goray::ActorHandleOf<refsapp_types::Counter> RefTasks::Spawn(int64_t start) {
  return goray::ActorHandleOf<refsapp_types::Counter>(goray::NewActor("Counter", start));
}

double RefTasks::RunJob(refsapp_types::Job job) {
  double total = job.input.Get();
  for (const goray::ObjectRef& extra : job.extras) total += extra.Get<double>();
  if (job.progress) goray::Get<int64_t>(job.progress->RemoteCall("Incr", int64_t{1}));
  return total;
}
