// Native crash reports (docs/reliability.md, "Native crashes"): on SIGSEGV, SIGBUS,
// SIGFPE, SIGILL, SIGABRT and std::terminate, stderr (and, on Ray, a file the caller's
// driver reads) says which signal, in which task or method, on which thread, with a
// symbolized backtrace of the application's frames; then the previous handlers run, so
// the process still dies of the same signal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace goray::detail::crash {

// Installs the handlers, once per process (later calls do nothing). GORAY_CRASH_HANDLER=0
// leaves the process's handlers alone.
void Install();

// Gives the calling thread an alternate signal stack big enough for the report (a stack
// overflow is reported too), unless it has one. Cheap after the first call per thread.
void PrepareThread();

// This thread's report file for the calls it runs from now on ("" or null: none). The
// driver names it per call on Ray (GoraySetCrashReport, docs/protocol.md §14).
void SetReportFile(const char* path);

// Recovery, for a process that answers for each call (a Serve replica, docs/serve.md):
// with it on, the first fatal signal inside RunRecoverable on the crashing thread writes
// its report as usual and then returns to RunRecoverable instead of ending the process.
// The process's state may be broken (locks held, destructors unrun): its owner must end
// it soon; SIGALRM's default action ends it after 20 s if it does not. A second crash,
// and a crash outside RunRecoverable, end the process as without recovery.
void RecoverCrashes(bool on);
bool Recovering() noexcept;

// Runs body(context): true when it returned, false when a crash was recovered in it.
bool RunRecoverable(void (*body)(void*), void* context);

// The recovered crash's report (as written to stderr), or "" before one.
std::string_view RecoveredReport() noexcept;

// What a call made after a recovered crash answers instead of running (the process is
// ending, its state may be broken): a line saying so, then that crash's report.
std::string RefusalAfterCrash();

// While alive, a crash on this thread names `kind` ("task", "method", ...) and `name`
// (which must outlive the scope). Scopes nest.
class CallScope {
 public:
  CallScope(const char* kind, std::string_view name) noexcept;
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  const char* previous_kind_;
  const char* previous_name_;
  std::size_t previous_length_;
};

// PrepareThread and a CallScope in one: for a call made many times a second (a typed
// entry's), this thread's state is looked up once, not at each step.
class PreparedCallScope {
 public:
  PreparedCallScope(const char* kind, std::string_view name) noexcept;
  ~PreparedCallScope();
  PreparedCallScope(const PreparedCallScope&) = delete;
  PreparedCallScope& operator=(const PreparedCallScope&) = delete;

 private:
  void* state_;
  const char* previous_kind_;
  const char* previous_name_;
  std::size_t previous_length_;
};

}  // namespace goray::detail::crash
