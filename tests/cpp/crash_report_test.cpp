// Native crash reports (runtime/src/crash/crash_report.cpp): a task that dies of a signal or
// std::terminate reports it on stderr and in the file GoraySetCrashReport named, the
// previous handler still runs, and GORAY_CRASH_HANDLER=0 leaves the signal alone. Each
// case is a death test in a fresh process ("threadsafe" style: this executable again),
// so every child installs the handlers itself.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "abi_call.h"
#include "test_application.h"

namespace crash_report_test {
namespace {

int* volatile g_null = nullptr;

[[gnu::noinline]] void WriteThroughNull() { *g_null = 7; }

int64_t SegvTask() {
  WriteThroughNull();
  return 0;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wterminate"  // the point: std::terminate
[[gnu::noinline]] void ThrowThroughNoexcept() noexcept { throw std::length_error("too long"); }
#pragma GCC diagnostic pop

int64_t TerminateTask() {
  ThrowThroughNoexcept();
  return 0;
}

constexpr long long kRunTask = 4;

void RunTask(const char* name) { abi_call::Call(kRunTask, abi_call::CallPayload(name)); }

// A handler installed before the runtime's: it must still run (chained), and says so.
void PreviousHandler(int) {
  static const char kText[] = "previous SIGSEGV handler ran\n";
  (void)!write(STDERR_FILENO, kText, sizeof kText - 1);
  _exit(3);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Under the sanitizers the fault is theirs to report: UBSan stops at the null store before
// any signal (exit 1), ASan and TSan install their own SIGSEGV handlers. scripts/sanitize.sh
// builds with clang; GCC's macros are checked too.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GORAY_TEST_UNDER_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GORAY_TEST_UNDER_SANITIZER 1
#endif
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORAY_TEST_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define GORAY_TEST_UNDER_TSAN 1
#endif
#ifdef GORAY_TEST_UNDER_SANITIZER
constexpr bool kUnderSanitizer = true;
#else
constexpr bool kUnderSanitizer = false;
#endif
#ifdef GORAY_TEST_UNDER_TSAN
constexpr bool kUnderThreadSanitizer = true;
#else
constexpr bool kUnderThreadSanitizer = false;
#endif

class CrashReport : public ::testing::Test {
 protected:
  void SetUp() override {
    // TSan takes over SIGABRT and the death test's child ends another way.
    if (kUnderThreadSanitizer) GTEST_SKIP() << "a TSan build reports the crash itself";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// The cases whose task writes through a null pointer.
class CrashReportSegv : public CrashReport {
 protected:
  void SetUp() override {
    if (kUnderSanitizer) GTEST_SKIP() << "a sanitizer build reports the null store itself";
    CrashReport::SetUp();
  }
};

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("SegvTask", &SegvTask);
  registry.AddTask("TerminateTask", &TerminateTask);
}

TEST_F(CrashReportSegv, SegvNamesSignalAddressTaskAndFrame) {
  EXPECT_EXIT(RunTask("SegvTask"), ::testing::KilledBySignal(SIGSEGV),
              "goray: native crash: SIGSEGV \\(segmentation fault\\) at address 0x0\n"
              "goray: in task SegvTask, pid [0-9]+, thread [0-9]+\n"
              "goray: native backtrace, most recent call first:\n"
              // The DWARF name: short (WriteThroughNull) or qualified, as the compiler wrote it.
              "  #0  [^\n]*WriteThroughNull[^\n]* at [^\n]*crash_report_test.cpp:[0-9]+\n"
              "  #1  [^\n]*SegvTask[^\n]* at [^\n]*crash_report_test.cpp:[0-9]+\n");
}

TEST_F(CrashReport, TerminateNamesTheExceptionAndTheThrowingFunction) {
  EXPECT_EXIT(RunTask("TerminateTask"), ::testing::KilledBySignal(SIGABRT),
              "goray: native crash: SIGABRT \\(aborted\\)\n"
              "goray: in task TerminateTask, [^\n]*\n"
              "goray: std::terminate: uncaught exception of type std::length_error: too long\n"
              "(.|\n)*frames above not shown(.|\n)*"
              "ThrowThroughNoexcept[^\n]* at [^\n]*crash_report_test.cpp");
}

TEST_F(CrashReportSegv, TheReportFileHoldsTheSameReport) {
  const std::string path = ::testing::TempDir() + "crash_report_test_report.txt";
  std::remove(path.c_str());
  EXPECT_EXIT(
      {
        GoraySetCrashReport(path.c_str());
        RunTask("SegvTask");
      },
      ::testing::KilledBySignal(SIGSEGV), "in task SegvTask");
  const std::string report = ReadFile(path);
  EXPECT_NE(report.find("goray: native crash: SIGSEGV"), std::string::npos) << report;
  EXPECT_NE(report.find("WriteThroughNull"), std::string::npos) << report;
  EXPECT_NE(report.find("crash_report_test.cpp:"), std::string::npos) << report;
  std::remove(path.c_str());
}

TEST_F(CrashReportSegv, ThePreviousHandlerStillRuns) {
  EXPECT_EXIT(
      {
        signal(SIGSEGV, PreviousHandler);
        RunTask("SegvTask");
      },
      ::testing::ExitedWithCode(3), "goray: native crash: SIGSEGV(.|\n)*previous SIGSEGV handler ran");
}

TEST_F(CrashReportSegv, DisabledByTheEnvironmentNoReport) {
  const std::string path = ::testing::TempDir() + "crash_report_test_disabled.txt";
  std::remove(path.c_str());
  EXPECT_EXIT(
      {
        setenv("GORAY_CRASH_HANDLER", "0", 1);
        GoraySetCrashReport(path.c_str());
        RunTask("SegvTask");
      },
      ::testing::KilledBySignal(SIGSEGV), "");
  EXPECT_FALSE(std::ifstream(path).good()) << "a report was written: " << ReadFile(path);
}

}  // namespace crash_report_test

// Of runtime/src, this file exercises crash/crash_backtrace.cpp, crash/crash_writer.h most
// directly (docs/testing.md, "Finding a module's tests").
