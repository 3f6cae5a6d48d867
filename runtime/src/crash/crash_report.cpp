// The crash handlers: what a fatal signal or std::terminate in native code reports, and
// handing the signal on to whoever handled it before (Python's faulthandler, Ray's, or
// the default action), so the process still dies of it and Ray still sees a crash.
// Tests: tests/cpp/crash_report_test.cpp, tests/python/test_crash_reports.py
#include "crash/crash_report.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <typeinfo>

#include "crash/crash_backtrace.h"
#include "crash/crash_writer.h"

namespace goray::detail::crash {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr std::size_t kPathLength = 1024;
// Room for libbacktrace, the demangler and the chained handlers (Python's faulthandler
// gives the main thread a smaller one, which this replaces).
constexpr std::size_t kAlternateStackSize = 256 * 1024;

// Per thread, trivially constructible: reading it in the handler runs no initializer.
struct ThreadState {
  const char* kind;
  const char* name;
  std::size_t name_length;
  char report_path[kPathLength];
  bool stack_checked;
  sigjmp_buf* recover;  // RunRecoverable's landing point on this thread, or null
  pthread_t thread;     // (set when listed in g_call_threads)
};
thread_local ThreadState t_state;

// Threads that run recoverable calls, where a crash on a thread without a landing point
// (one the user started) is handed: the call running then answers for it. A slot holds
// its thread's state while the thread lives (ListedThread clears it at the thread's exit).
constexpr int kCallThreadSlots = 512;
std::atomic<ThreadState*> g_call_threads[kCallThreadSlots];

struct ListedThread {
  int slot = -1;
  ~ListedThread() {
    if (slot >= 0) g_call_threads[slot].store(nullptr, std::memory_order_release);
  }
};
thread_local ListedThread t_listed;

void ListThisThread() {
  t_state.thread = ::pthread_self();
  for (int slot = 0; slot < kCallThreadSlots; ++slot) {
    ThreadState* expected = nullptr;
    if (g_call_threads[slot].compare_exchange_strong(expected, &t_state)) {
      t_listed.slot = slot;
      return;
    }
  }
  t_listed.slot = kCallThreadSlots;  // all taken: this thread is not listed (tried once)
}

// Frees this thread's alternate stack at its exit (after taking it off, if still ours).
struct AlternateStack {
  void* memory = nullptr;
  ~AlternateStack() {
    if (memory == nullptr) return;
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == memory) {
      stack_t off{};
      off.ss_flags = SS_DISABLE;
      if (sigaltstack(&off, nullptr) != 0) return;  // still in use: leave it mapped
    }
    munmap(memory, kAlternateStackSize);
  }
};
thread_local AlternateStack t_alternate_stack;

std::atomic<bool> g_installed{false};
struct sigaction g_previous[NSIG];
std::terminate_handler g_previous_terminate = nullptr;

// The thread reporting now (0: none): one report per process; a second fault on the
// same thread (inside the reporter) goes straight to the previous handler.
std::atomic<long> g_reporting_thread{0};

// What std::terminate found, for the SIGABRT report that follows it.
char g_exception_text[1024];
std::atomic<bool> g_have_exception{false};

// The last report file any thread named: the file of a thread the user started, which
// never named one (best guess: the call that was running when it was started).
char g_last_report_path[kPathLength];
std::atomic_flag g_last_path_busy = ATOMIC_FLAG_INIT;

// Recovery (RecoverCrashes): on, and whether the one recovery a process gets was used.
std::atomic<bool> g_recover_on{false};
std::atomic<bool> g_recovered{false};
// The recovered crash's report, handed back by RecoveredReport.
char g_recovered_report[16 * 1024];
// The signal that hands a crash to a thread inside a recoverable call, and the crash's
// own signal, set by the crashed thread before it sends that signal (0: none yet).
const int kHandOffSignal = SIGRTMAX - 2;
std::atomic<int> g_handed_signal{0};
std::atomic<bool> g_hand_off_taken{false};
// Seconds a process that recovered from a crash lives at most (its owner is meant to
// end it sooner): state a crash left behind, a lock held, must not keep it up for ever.
constexpr unsigned kRecoveredLifetimeSeconds = 20;

long ThreadId() { return static_cast<long>(::syscall(SYS_gettid)); }

void CopyPath(char* to, const char* from) {
  std::size_t length = from == nullptr ? 0 : std::strlen(from);
  if (length >= kPathLength) length = 0;  // a cut path would name another file: none
  std::memcpy(to, from == nullptr ? "" : from, length);
  to[length] = '\0';
}

const char* SignalName(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGABRT: return "SIGABRT (aborted)";
    default: return "a fatal signal";
  }
}

std::uintptr_t InterruptedPc(void* context) {
  if (context == nullptr) return 0;
  const auto* machine = &static_cast<ucontext_t*>(context)->uc_mcontext;
#if defined(__x86_64__)
  return static_cast<std::uintptr_t>(machine->gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<std::uintptr_t>(machine->pc);
#else
  (void)machine;
  return 0;
#endif
}

// Opens `<path>.tmp` for the report; WriteReport renames it to `path` once complete.
int OpenReport(const char* path, char* temporary) {
  std::size_t length = std::strlen(path);
  if (length == 0 || length + 5 > kPathLength) return -1;
  std::memcpy(temporary, path, length);
  std::memcpy(temporary + length, ".tmp", 5);
  return ::open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

// `keep`: also copy the report into g_recovered_report.
void WriteReport(int signal, siginfo_t* info, void* context, bool keep) {
  // This thread's file, else (a thread the user started) the last one named, if free.
  static char path[kPathLength];
  static char temporary[kPathLength];
  CopyPath(path, t_state.report_path);
  if (path[0] == '\0' && !g_last_path_busy.test_and_set(std::memory_order_acquire)) {
    CopyPath(path, g_last_report_path);
    g_last_path_busy.clear(std::memory_order_release);
  }
  int file = path[0] != '\0' ? OpenReport(path, temporary) : -1;
  {
    Writer out(file, keep ? g_recovered_report : nullptr, keep ? sizeof g_recovered_report : 0);
    bool fault = info != nullptr && info->si_code > 0 && signal != SIGABRT;  // the kernel's
    out.Text("\ngoray: native crash: ").Text(SignalName(signal));
    if (fault) out.Text(" at address ").Hex(reinterpret_cast<std::uintptr_t>(info->si_addr));
    out.Text("\ngoray: ");
    if (t_state.name != nullptr) {
      out.Text("in ").Text(t_state.kind).Text(" ").Bytes(t_state.name, t_state.name_length).Text(", ");
    } else {
      out.Text("on a thread running no goray call, ");
    }
    out.Text("pid ").Decimal(::getpid()).Text(", thread ").Decimal(ThreadId()).Text("\n");
    if (signal == SIGABRT && g_have_exception.load()) {
      out.Text("goray: std::terminate: ").Text(g_exception_text).Text("\n");
    }
    out.Flush();
    // A raised signal (abort) interrupted libc: its frames above the user's are skipped;
    // a fault shows every frame from the faulting one (a strlen given null, say).
    WriteBacktrace(out, InterruptedPc(context), !fault);
  }
  if (file >= 0) {
    ::close(file);
    ::rename(temporary, path);
  }
}

// Hands the signal to the handler that was there before ours. Returning then either
// re-runs the faulting instruction (a fault: it faults again, under that disposition)
// or delivers the re-raised signal when the handler returns (it is blocked until then).
void HandOn(int signal, siginfo_t* info, void* context) {
  struct sigaction previous = g_previous[signal];
  ::sigaction(signal, &previous, nullptr);
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction != nullptr) previous.sa_sigaction(signal, info, context);
    return;
  }
  if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
    // Ignoring a fault would re-run it for ever: the default action, as the kernel does.
    struct sigaction standard{};
    standard.sa_handler = SIG_DFL;
    ::sigemptyset(&standard.sa_mask);
    ::sigaction(signal, &standard, nullptr);
    bool fault = info != nullptr && info->si_code > 0 && signal != SIGABRT;
    if (!fault) ::raise(signal);
    return;
  }
  previous.sa_handler(signal);
}

// On a thread inside a recoverable call, sent by HandOff: jumps to the call's start as if
// it had crashed itself (RunRecoverable then returns the crashed thread's report).
void OnHandOff(int, siginfo_t*, void*) {
  int signal = g_handed_signal.load();
  if (signal == 0 || t_state.recover == nullptr) return;  // (the call ended meanwhile)
  if (g_hand_off_taken.exchange(true)) return;
  siglongjmp(*t_state.recover, signal);
}

// A crash on a thread with no landing point (one the user started), while recovery is on:
// hands it to a thread inside a recoverable call, which answers its caller with this
// report. True once such a thread took it (within a second), false when none did.
bool HandOff(int signal) {
  g_handed_signal.store(signal);
  for (int slot = 0; slot < kCallThreadSlots; ++slot) {
    ThreadState* state = g_call_threads[slot].load(std::memory_order_acquire);
    if (state == nullptr || state->recover == nullptr) continue;
    if (::pthread_kill(state->thread, kHandOffSignal) != 0) continue;
    for (int i = 0; i < 100 && !g_hand_off_taken.load(); ++i) {
      timespec pause{0, 10 * 1000 * 1000};
      ::nanosleep(&pause, nullptr);
    }
    if (g_hand_off_taken.load()) return true;
  }
  return false;
}

void OnSignal(int signal, siginfo_t* info, void* context) {
  int saved_errno = errno;
  long self = ThreadId();
  long expected = 0;
  if (g_reporting_thread.compare_exchange_strong(expected, self)) {
    // A reporter stuck on a lock a crashed thread held (the heap's, while demangling)
    // must not keep the process alive: SIGALRM's default action ends it.
    struct sigaction alarm_action{};
    bool alarm_is_default = ::sigaction(SIGALRM, nullptr, &alarm_action) == 0 &&
                            !(alarm_action.sa_flags & SA_SIGINFO) &&
                            alarm_action.sa_handler == SIG_DFL;
    if (alarm_is_default) ::alarm(30);
    bool recover = g_recover_on.load() && !g_recovered.exchange(true);
    bool here = recover && t_state.recover != nullptr;
    WriteReport(signal, info, context, recover);
    if (alarm_is_default) ::alarm(recover ? kRecoveredLifetimeSeconds : 0);
    if (here) {
      // Back to the call's start (RunRecoverable): the frames in between are abandoned,
      // their destructors unrun; the process is expected to end soon.
      g_reporting_thread.store(0);
      errno = saved_errno;
      siglongjmp(*t_state.recover, signal);
    }
    if (recover && HandOff(signal)) {
      // A call took the crash and answers for it; its process ends soon (this thread
      // must not run on: returning would re-run the fault).
      for (;;) ::pause();
    }
  } else if (expected == self) {
    static const char kAgain[] = "goray: crashed again while writing the crash report\n";
    (void)!::write(STDERR_FILENO, kAgain, sizeof kAgain - 1);
  } else {
    // Another thread is reporting and the process is about to die of its signal: wait
    // for that (a few seconds at most) rather than cut its report short.
    for (int i = 0; i < 100 && g_reporting_thread.load() != 0; ++i) {
      timespec pause{0, 50 * 1000 * 1000};
      ::nanosleep(&pause, nullptr);
    }
  }
  HandOn(signal, info, context);
  errno = saved_errno;
}

// std::terminate: records the uncaught exception for the SIGABRT report, then runs the
// previous handler (libstdc++'s prints the same and aborts).
[[noreturn]] void OnTerminate() {
  std::string_view message = "called without an active exception";
  std::string composed;
  if (std::type_info* type = abi::__cxa_current_exception_type()) {
    int status = 0;
    char* demangled = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
    composed = "uncaught exception of type ";
    composed += status == 0 && demangled != nullptr ? demangled : type->name();
    std::free(demangled);
    try {
      throw;  // the current exception, to read what()
    } catch (const std::exception& error) {
      composed += ": ";
      composed += error.what();
    } catch (...) {
    }
    message = composed;
  }
  std::size_t length = message.size() < sizeof g_exception_text - 1 ? message.size()
                                                                     : sizeof g_exception_text - 1;
  std::memcpy(g_exception_text, message.data(), length);
  g_exception_text[length] = '\0';
  g_have_exception.store(true);
  if (g_previous_terminate != nullptr) g_previous_terminate();
  std::abort();
}

bool Disabled() {
  const char* setting = std::getenv("GORAY_CRASH_HANDLER");
  if (setting == nullptr) return false;
  return std::strcmp(setting, "0") == 0 || std::strcmp(setting, "off") == 0 ||
         std::strcmp(setting, "false") == 0 || std::strcmp(setting, "no") == 0;
}

}  // namespace

void Install() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (Disabled()) return;
    PrepareBacktrace();
    for (int signal : kSignals) {
      struct sigaction action{};
      action.sa_sigaction = OnSignal;
      action.sa_flags = SA_SIGINFO | SA_ONSTACK;
      ::sigemptyset(&action.sa_mask);
      ::sigaction(signal, &action, &g_previous[signal]);
    }
    g_previous_terminate = std::set_terminate(OnTerminate);
    g_installed.store(true, std::memory_order_release);
  });
  PrepareThread();
}

void PrepareThread() {
  if (t_state.stack_checked) return;
  t_state.stack_checked = true;
  if (!g_installed.load(std::memory_order_acquire)) return;
  stack_t current{};
  if (::sigaltstack(nullptr, &current) != 0) return;
  if (!(current.ss_flags & SS_DISABLE) && current.ss_size >= kAlternateStackSize) return;
  if (current.ss_flags & SS_ONSTACK) return;  // running on it now: not ours to replace
  void* memory = ::mmap(nullptr, kAlternateStackSize, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (memory == MAP_FAILED) return;
  stack_t ours{};
  ours.ss_sp = memory;
  ours.ss_size = kAlternateStackSize;
  if (::sigaltstack(&ours, nullptr) != 0) {
    ::munmap(memory, kAlternateStackSize);
    return;
  }
  t_alternate_stack.memory = memory;
}

void SetReportFile(const char* path) {
  CopyPath(t_state.report_path, path);
  if (path == nullptr || path[0] == '\0') return;
  if (!g_last_path_busy.test_and_set(std::memory_order_acquire)) {
    CopyPath(g_last_report_path, path);
    g_last_path_busy.clear(std::memory_order_release);
  }
}

void RecoverCrashes(bool on) {
  static std::once_flag once;
  if (on) {
    std::call_once(once, [] {
      struct sigaction action{};
      action.sa_sigaction = OnHandOff;
      action.sa_flags = SA_SIGINFO | SA_ONSTACK;
      ::sigemptyset(&action.sa_mask);
      ::sigaction(kHandOffSignal, &action, nullptr);
    });
  }
  g_recover_on.store(on);
}

bool RunRecoverable(void (*body)(void*), void* context) {
  // Nothing below is changed between sigsetjmp and a jump back: plain locals stay valid.
  sigjmp_buf* const outer = t_state.recover;
  const char* const kind = t_state.kind;
  const char* const name = t_state.name;
  const std::size_t name_length = t_state.name_length;
  sigjmp_buf landing;
  // Not saving the signal mask keeps a call free of a syscall: the one signal the
  // handler had blocked is unblocked by hand after a jump.
  int signal = sigsetjmp(landing, 0);
  if (signal != 0) {
    t_state.recover = outer;
    t_state.kind = kind;  // the scopes the jump skipped
    t_state.name = name;
    t_state.name_length = name_length;
    sigset_t blocked;
    ::sigemptyset(&blocked);
    ::sigaddset(&blocked, signal);
    ::sigaddset(&blocked, kHandOffSignal);  // (when another thread's crash was handed here)
    ::pthread_sigmask(SIG_UNBLOCK, &blocked, nullptr);
    return false;
  }
  if (t_listed.slot < 0) ListThisThread();
  t_state.recover = &landing;
  body(context);
  t_state.recover = outer;
  return true;
}

bool Recovering() noexcept { return g_recover_on.load(std::memory_order_relaxed); }

std::string_view RecoveredReport() noexcept {
  return g_recovered.load() ? std::string_view(g_recovered_report) : std::string_view();
}

std::string RefusalAfterCrash() {
  std::string text = "goray: not run: this process is ending after an earlier native crash:\n";
  std::string_view report = RecoveredReport();
  while (!report.empty() && report.front() == '\n') report.remove_prefix(1);
  text += report;
  return text;
}

CallScope::CallScope(const char* kind, std::string_view name) noexcept
    : previous_kind_(t_state.kind), previous_name_(t_state.name),
      previous_length_(t_state.name_length) {
  t_state.kind = kind;
  t_state.name = name.data();
  t_state.name_length = name.size();
}

CallScope::~CallScope() {
  t_state.kind = previous_kind_;
  t_state.name = previous_name_;
  t_state.name_length = previous_length_;
}

PreparedCallScope::PreparedCallScope(const char* kind, std::string_view name) noexcept {
  ThreadState& state = t_state;
  if (!state.stack_checked) PrepareThread();
  state_ = &state;
  previous_kind_ = state.kind;
  previous_name_ = state.name;
  previous_length_ = state.name_length;
  state.kind = kind;
  state.name = name.data();
  state.name_length = name.size();
}

PreparedCallScope::~PreparedCallScope() {
  auto& state = *static_cast<ThreadState*>(state_);
  state.kind = previous_kind_;
  state.name = previous_name_;
  state.name_length = previous_length_;
}

}  // namespace goray::detail::crash
