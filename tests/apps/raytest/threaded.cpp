// raytest part: threaded actors, concurrency groups, C++ calling Python async actors.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "parts.h"

namespace raytest {
namespace {

// True once `parties` calls were inside Arrive at the same time (before the timeout).
// Calls that meet leave in any order: each waits for a meeting counted after it came.
class Meeting {
 public:
  bool Arrive(int64_t parties, double timeout_s) {
    std::unique_lock<std::mutex> lock(mutex_);
    const uint64_t seen = meetings_;
    if (++inside_ >= parties) {
      ++meetings_;
      changed_.notify_all();
    }
    const bool met = changed_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                                       [&] { return meetings_ != seen; });
    --inside_;
    return met;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t inside_ = 0;
  uint64_t meetings_ = 0;
};

// CPU-bound work without locks or allocation: a hash-like mix, hard to fold away.
double SpinLoop(int64_t iterations) {
  double x = 0.5;
  uint64_t state = 88172645463325252ULL;
  for (int64_t i = 0; i < iterations; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    x = x * 0.999 + static_cast<double>(state >> 40) * 1e-9;
  }
  return x;
}

// Thread-safe: its methods may run on several Ray threads at once.
class Spinner {
 public:
  double Spin(int64_t iterations) { return SpinLoop(iterations); }
  bool Rendezvous(int64_t parties, double timeout_s) { return meeting_.Arrive(parties, timeout_s); }

  // Meets `parties` calls, then calls back into Python in this process (a @goray.local
  // function) and through Ray (a Python task and a C++ task), `rounds` times, while the
  // other calls do the same on their threads. Returns the sum of what came back.
  int64_t CallBack(int64_t x, int64_t parties, double timeout_s, int64_t rounds) {
    if (!meeting_.Arrive(parties, timeout_s)) return -1;
    int64_t total = 0;
    for (int64_t i = 0; i < rounds; ++i) {
      total += goray::LocalCallPyTask("local_square", x).Get<int64_t>();
      total += goray::RemoteCallPyTask("py_square", x).Get<int64_t>();
      total += static_cast<int64_t>(goray::RemoteCall("Square", static_cast<double>(x)).Get<double>());
    }
    return total;
  }

 private:
  Meeting meeting_;
};

// Thread-safe, with groups io (2 threads: Meet) and compute (1 thread: Work).
class Grouped {
 public:
  bool Meet(int64_t parties, double timeout_s) { return meeting_.Arrive(parties, timeout_s); }
  int64_t Work(int64_t n) {
    SpinLoop(n);
    return n;
  }

 private:
  Meeting meeting_;
};

// Not thread-safe (plain state): refused max_concurrency > 1 and concurrency groups.
class Serial {
 public:
  int64_t Incr() { return ++count_; }

 private:
  int64_t count_ = 0;
};

// `calls` calls of a Python async actor's arrive() in flight at once from this one
// thread: all are submitted before the first Get. Returns the actor's most calls inside.
int64_t AsyncFanOut(int64_t calls) {
  goray::ActorHandle barrier = goray::NewPyActor("AsyncBarrier", calls);
  std::vector<goray::ObjectRef> arrivals;
  arrivals.reserve(static_cast<size_t>(calls));
  for (int64_t i = 0; i < calls; ++i) arrivals.push_back(barrier.RemoteCall("arrive"));
  for (const goray::ObjectRef& arrival : arrivals) arrival.Get<bool>();
  int64_t most = barrier.RemoteCall("max_in_flight").Get<int64_t>();
  barrier.Kill();
  return most;
}

// `calls` calls of the named Python async actor's pause(ms): all in flight at once
// (`together`), or each awaited before the next. Returns the sum of their results
// (pause returns 1).
int64_t AsyncPauses(std::string actor, int64_t calls, int64_t ms, bool together) {
  goray::ActorHandle handle = goray::GetActor(actor);
  int64_t total = 0;
  if (together) {
    std::vector<goray::ObjectRef> pending;
    pending.reserve(static_cast<size_t>(calls));
    for (int64_t i = 0; i < calls; ++i) pending.push_back(handle.RemoteCall("pause", ms));
    for (const goray::ObjectRef& ref : pending) total += ref.Get<int64_t>();
  } else {
    for (int64_t i = 0; i < calls; ++i) total += handle.RemoteCall("pause", ms).Get<int64_t>();
  }
  return total;
}

// A Spinner created from C++ with max_concurrency: do two Rendezvous(2) calls meet?
bool SpinnerMeets(int64_t max_concurrency) {
  goray::ActorHandle spinner = goray::NewActor("Spinner", goray::Option("max_concurrency", max_concurrency));
  goray::ObjectRef first = spinner.RemoteCall("Rendezvous", int64_t{2}, 2.0);
  goray::ObjectRef second = spinner.RemoteCall("Rendezvous", int64_t{2}, 2.0);
  bool met = first.Get<bool>() && second.Get<bool>();
  spinner.Kill();
  return met;
}

// Two Grouped.Meet(2) calls with Option("concurrency_group", group) (empty: the method's
// own group, io): do they meet?
bool GroupedMeetsIn(std::string group) {
  goray::ActorHandle grouped = goray::NewActor("Grouped");
  std::vector<goray::ObjectRef> meets;
  for (int i = 0; i < 2; ++i) {
    meets.push_back(group.empty() ? grouped.RemoteCall("Meet", int64_t{2}, 2.0)
                                  : grouped.RemoteCall("Meet", int64_t{2}, 2.0, goray::Option("concurrency_group", group)));
  }
  bool met = meets[0].Get<bool>() && meets[1].Get<bool>();
  grouped.Kill();
  return met;
}

// A Grouped created from C++ with Option("concurrency_groups", {{"io", io_size}}) (merged
// over the declared groups): do two Meet(2) calls, in io, meet?
bool GroupedMeetsWithIo(int64_t io_size) {
  goray::ActorHandle grouped = goray::NewActor(
      "Grouped", goray::Option("concurrency_groups", std::map<std::string, int64_t>{{"io", io_size}}));
  goray::ObjectRef first = grouped.RemoteCall("Meet", int64_t{2}, 1.0);
  goray::ObjectRef second = grouped.RemoteCall("Meet", int64_t{2}, 1.0);
  bool met = first.Get<bool>() && second.Get<bool>();
  grouped.Kill();
  return met;
}

// The error NewActor("Serial", <option>) throws: "PythonError: <message>", or "created".
std::string SerialRefusal(std::string option) {
  try {
    goray::ActorHandle serial = option == "concurrency_groups"
                                    ? goray::NewActor("Serial", goray::Option("concurrency_groups",
                                                                              std::map<std::string, int64_t>{{"io", 2}}))
                                    : goray::NewActor("Serial", goray::Option(option, int64_t{4}));
    serial.Kill();
    return "created";
  } catch (const goray::PythonError& error) {
    return std::string("PythonError: ") + error.what();
  }
}

}  // namespace

int ThreadedScenario(const std::vector<std::string>& args) {
  // From the C++ driver: a threaded actor, the refusal, Python async calls in flight.
  int failures = 0;
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) {
      std::cerr << "[threaded] FAILED: " << what << std::endl;
      ++failures;
    }
  };
  const int64_t calls = args.size() > 1 ? std::stoll(args[1]) : 50;
  expect(SpinnerMeets(2), "Spinner with max_concurrency 2: two Rendezvous(2) meet");
  expect(!SpinnerMeets(1), "Spinner with max_concurrency 1: two Rendezvous(2) do not meet");
  const std::string refused = SerialRefusal("max_concurrency");
  expect(refused.find("actor type Serial is not thread-safe: max_concurrency=4") != std::string::npos, refused);
  expect(GroupedMeetsIn(""), "Grouped.Meet calls meet in io");
  const int64_t most = AsyncFanOut(calls);
  expect(most == calls, "AsyncFanOut: " + std::to_string(most) + " of " + std::to_string(calls) + " in flight");
  return failures;
}

void RegisterThreaded(goray::Registry& registry) {
  registry.AddActor<Spinner>("Spinner", &goray::Constructor<Spinner>::Create)
      .ThreadSafe()
      .AddMethod("Spin", &Spinner::Spin)
      .AddMethod("Rendezvous", &Spinner::Rendezvous)
      .AddMethod("CallBack", &Spinner::CallBack);
  registry.AddActor<Grouped>("Grouped", &goray::Constructor<Grouped>::Create)
      .ThreadSafe()
      .ConcurrencyGroup("io", 2)
      .ConcurrencyGroup("compute", 1)
      .AddMethod("Meet", &Grouped::Meet)
      .AddMethod("Work", &Grouped::Work)
      .MethodGroup("Meet", "io")
      .MethodGroup("Work", "compute");
  registry.AddActor<Serial>("Serial", &goray::Constructor<Serial>::Create).AddMethod("Incr", &Serial::Incr);
  registry.AddTask("AsyncFanOut", &AsyncFanOut);
  registry.AddTask("AsyncPauses", &AsyncPauses);
  registry.AddTask("SpinnerMeets", &SpinnerMeets);
  registry.AddTask("GroupedMeetsIn", &GroupedMeetsIn);
  registry.AddTask("GroupedMeetsWithIo", &GroupedMeetsWithIo);
  registry.AddTask("SerialRefusal", &SerialRefusal);
}

}  // namespace raytest
