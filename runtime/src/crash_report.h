// Native crash reports (docs/reliability.md, "Native crashes"): on SIGSEGV, SIGBUS,
// SIGFPE, SIGILL, SIGABRT and std::terminate, stderr (and, on Ray, a file the caller's
// driver reads) says which signal, in which task or method, on which thread, with a
// symbolized backtrace of the application's frames; then the previous handlers run, so
// the process still dies of the same signal.
#pragma once

#include <cstddef>
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

}  // namespace goray::detail::crash
