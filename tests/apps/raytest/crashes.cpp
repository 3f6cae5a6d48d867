// raytest part: native crashes (tests/ray/test_crash_reports.py,
// tests/python/test_crash_reports.py): tasks, a method, a user's thread and the driver
// die of a chosen signal, so the reports can be checked to name them and their lines.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parts.h"

namespace raytest {
namespace {

volatile int g_zero = 0;
volatile int g_ten = 10;  // not a constant: 1 / x compiles to a comparison, no division
int* volatile g_null = nullptr;

// Each crash in a function of its own, never inlined: the reports must name it and the
// line marked "crash line" (the tests read these lines from this file).
[[gnu::noinline]] void CrashSegv() {
  *g_null = 1;  // crash line: segv
}

[[gnu::noinline]] int CrashFpe() {
  return g_ten / g_zero;  // crash line: fpe
}

[[gnu::noinline]] void CrashIll() {
  __builtin_trap();  // crash line: ill
}

[[gnu::noinline]] void CrashAbort() {
  std::abort();  // crash line: abort
}

// A page of a file that the file no longer covers: reading it is SIGBUS.
[[gnu::noinline]] int CrashBus() {
  char path[] = "/tmp/raytest-bus-XXXXXX";
  int file = mkstemp(path);
  if (file < 0 || ftruncate(file, 4096) != 0) throw std::runtime_error("cannot make a file");
  unlink(path);
  auto* page = static_cast<volatile char*>(mmap(nullptr, 4096, PROT_READ, MAP_SHARED, file, 0));
  if (ftruncate(file, 0) != 0) throw std::runtime_error("cannot truncate the file");
  return page[0];  // crash line: bus
}

// The fault inside the C++ standard library's code inlined here (std::vector::size reads
// through a null vector): the report's first frame is that library's, labelled so.
[[gnu::noinline]] int CrashInStandardLibrary() {
  std::vector<int>* volatile rows = nullptr;
  return static_cast<int>(rows->size());  // crash line: stl
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wterminate"  // the point: std::terminate
[[gnu::noinline]] void ThrowFromNoexcept() noexcept {
  throw std::runtime_error("raytest: thrown through noexcept");  // crash line: terminate
}
#pragma GCC diagnostic pop

void CrashWith(const std::string& kind) {
  if (kind == "segv") CrashSegv();
  if (kind == "fpe") g_zero = CrashFpe();
  if (kind == "ill") CrashIll();
  if (kind == "abort") CrashAbort();
  if (kind == "bus") g_zero = CrashBus();
  if (kind == "terminate") ThrowFromNoexcept();
  if (kind == "stl") g_zero = CrashInStandardLibrary();
  if (kind == "later") {  // a thread of the user's that crashes after the call returned
    std::thread([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      CrashSegv();
    }).detach();
    return;
  }
  if (kind == "thread") {
    std::thread([] { CrashSegv(); }).join();
  }
  throw std::invalid_argument("raytest: no crash named " + kind);
}

// Task CrashTask(kind): dies of `kind`'s signal.
int64_t CrashTask(std::string kind) {
  CrashWith(kind);
  return 0;
}

// Crashes the first time it runs for `marker` (a file it creates), succeeds after:
// Ray's retries still happen.
int64_t CrashOnce(std::string marker) {
  if (access(marker.c_str(), F_OK) != 0) {
    std::fclose(std::fopen(marker.c_str(), "w"));
    CrashSegv();
  }
  return 42;
}

// A stream that yields `items` items, each `ms` milliseconds after the last, then dies of
// `kind` between two items: the consumer gets the items Ray was given, then the crash
// with its report (items made less than the read-ahead budget before the crash, with
// `ms` 0, go with the process).
goray::Generator<int64_t> CrashMidStream(int64_t items, std::string kind, int64_t ms) {
  for (int64_t i = 0; i < items; ++i) {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    co_yield i;
  }
  CrashWith(kind);
}

// The items 0 to `items` - 1. The first run for `marker` (a file it creates) dies of a
// segfault when asked for item `crash_after`, `pause_ms` after the items before it (time
// for Ray to take them); the runs after it make every item: a stream Ray retries.
goray::Generator<int64_t> CrashOnceMidStream(std::string marker, int64_t items,
                                             int64_t crash_after, int64_t pause_ms) {
  const bool first_run = access(marker.c_str(), F_OK) != 0;
  if (first_run) std::fclose(std::fopen(marker.c_str(), "w"));
  for (int64_t i = 0; i < items; ++i) {
    if (first_run && i == crash_after) {
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      CrashSegv();
    }
    co_yield i;
  }
}

struct Crasher {
  // -1 crashes the constructor; a number below it makes the constructor throw.
  explicit Crasher(int64_t number) : id(number) {
    if (number < -1) throw std::runtime_error("raytest: cannot open store " + std::to_string(number));
    if (number < 0) CrashSegv();
  }
  int64_t Crash(std::string kind) {
    CrashWith(kind);
    return id;
  }
  int64_t Id() const { return id; }
  // CrashOnceMidStream as an actor's method: Ray restarts the actor and retries it.
  goray::Generator<int64_t> CountCrashingOnce(std::string marker, int64_t items,
                                              int64_t crash_after, int64_t pause_ms) {
    return CrashOnceMidStream(std::move(marker), items, crash_after, pause_ms);
  }
  int64_t id;
};

}  // namespace

// The driver's "crash KIND" scenario: the driver itself dies of `kind`.
int CrashScenario(const std::vector<std::string>& args) {
  CrashWith(args.size() > 1 ? args[1] : "segv");
  return 1;
}

// The driver's "crash_reports" scenario: a task that crashes fails with a WorkerDiedError
// naming its signal and function; an actor's with an ActorDiedError.
int CrashReportsScenario() {
  int failures = 0;
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) {
      std::cerr << "[crash_reports] FAILED: " << what << std::endl;
      ++failures;
    }
  };
  try {
    goray::RemoteCall("CrashTask", std::string("segv"), goray::Option("max_retries", 0)).Get<int64_t>();
    expect(false, "the task's crash: no exception");
  } catch (const goray::WorkerDiedError& error) {
    const std::string text = error.what();
    std::cout << "TASK_CRASH " << text << std::endl;
    expect(text.find("SIGSEGV") != std::string::npos, "the task's error names SIGSEGV");
    expect(text.find("CrashSegv") != std::string::npos, "the task's error names CrashSegv");
  }
  goray::ActorHandle crasher = goray::NewActor("Crasher", int64_t{1});
  try {
    crasher.RemoteCall("Crash", std::string("abort")).Get<int64_t>();
    expect(false, "the method's crash: no exception");
  } catch (const goray::ActorDiedError& error) {
    const std::string text = error.what();
    std::cout << "METHOD_CRASH " << text << std::endl;
    expect(text.find("SIGABRT") != std::string::npos, "the method's error names SIGABRT");
    expect(text.find("CrashAbort") != std::string::npos, "the method's error names CrashAbort");
  }
  // A restartable actor: Ray's error is ActorUnavailableError (it restarts), still an
  // ActorDiedError here, with the report; the restarted instance answers again. The call
  // that crashes is made without retries, so its one crash uses the one restart
  // (docs/errors.md, "Retries").
  goray::ActorHandle restartable = goray::NewActor("Crasher", int64_t{2}, goray::Option("max_restarts", 1),
                                                   goray::Option("max_task_retries", 3));
  expect(restartable.RemoteCall("Id").Get<int64_t>() == 2, "the restartable actor answers");
  try {
    restartable.RemoteCall("Crash", std::string("segv"), goray::Option("max_task_retries", 0)).Get<int64_t>();
    expect(false, "the restartable actor's crash: no exception");
  } catch (const goray::ActorDiedError& error) {
    const std::string text = error.what();
    std::cout << "RESTARTABLE_CRASH " << text << std::endl;
    expect(text.find("SIGSEGV") != std::string::npos, "the restartable actor's error names SIGSEGV");
    expect(text.find("CrashSegv") != std::string::npos, "the restartable actor's error names CrashSegv");
  }
  int64_t answer = 0;
  for (int attempt = 0; attempt < 600 && answer == 0; ++attempt) {
    try {
      answer = restartable.RemoteCall("Id").Get<int64_t>();
    } catch (const goray::ActorDiedError&) {  // unavailable while Ray restarts it
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  expect(answer == 2, "the restarted actor answers again");
  expect(goray::RemoteCall("Square", 3.0).Get<double>() == 9.0, "the driver goes on");
  return failures;
}

void RegisterCrashes(goray::Registry& registry) {
  registry.AddTask("CrashTask", &CrashTask);
  registry.AddTask("CrashOnce", &CrashOnce);
  registry.AddTask("CrashMidStream", &CrashMidStream);
  registry.AddTask("CrashOnceMidStream", &CrashOnceMidStream);
  registry.AddActor<Crasher>("Crasher", &goray::Constructor<Crasher, int64_t>::Create)
      .AddMethod("Crash", &Crasher::Crash)
      .AddMethod("Id", &Crasher::Id)
      .AddMethod("CountCrashingOnce", &Crasher::CountCrashingOnce);
}

}  // namespace raytest
