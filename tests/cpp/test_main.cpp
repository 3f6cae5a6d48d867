// The main and the one goray::RegisterApplication of goray_runtime_test, the executable of
// every tests/cpp/*_test.cpp (test_application.h says why and how a file declares its
// application).
//
//   goray_runtime_test                          every test, each file's in a child process
//   goray_runtime_test --file=abi_test          one file's tests (--file=a,b: several files)
//   goray_runtime_test --gtest_filter=Suite.*   gtest's options as usual
//
// The tests gtest selects (its filter, which --file sets; disabled tests) are grouped by
// their source file: tests of one file run in this process, tests of several files run as
// one child process per file (this executable again, with --gtest_filter naming that file's
// tests, GORAY_RUNTIME_TEST_CHILD set), one after the other, and the run fails if any child
// failed. ctest runs one test per process (gtest_discover_tests), always one file.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "goray/registry.h"
#include "test_application.h"

extern char** environ;

namespace testing::internal {
extern bool g_help_flag;  // gtest.cc: --help or an unknown gtest flag (InitGoogleTest printed help)
}  // namespace testing::internal

namespace {

constexpr const char* kProgram = "goray_runtime_test";
constexpr const char* kChildVariable = "GORAY_RUNTIME_TEST_CHILD";

// file (a __FILE__) -> its application. Filled before main by GORAY_TEST_APPLICATION.
std::map<std::string, goray_test::ApplicationFunction>& Applications() {
  static auto* applications = new std::map<std::string, goray_test::ApplicationFunction>;
  return *applications;
}

// The file whose application this process registered (or tried to), once it did.
struct Registered {
  std::mutex mutex;
  std::optional<std::string> file;
};
Registered& RegisteredFile() {
  static auto* registered = new Registered;
  return *registered;
}

std::string BaseName(std::string_view file) {
  const std::size_t slash = file.rfind('/');
  return std::string(slash == std::string_view::npos ? file : file.substr(slash + 1));
}

// The safety net: a test whose file is not the one whose application this process
// registered fails (its calls went to another file's table).
class OneApplicationPerProcess : public testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const testing::TestInfo& test) override {
    std::optional<std::string> registered;
    {
      std::lock_guard lock(RegisteredFile().mutex);
      registered = RegisteredFile().file;
    }
    if (registered && *registered != test.file()) {
      ADD_FAILURE() << "this process registered the application of " << *registered
                    << ", but this test is in " << test.file()
                    << ": each file's tests need a process of their own (run " << kProgram
                    << " with --file=" << BaseName(test.file())
                    << ", or without " << kChildVariable << " set)";
    }
  }
};

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string FullName(const testing::TestInfo& test) {
  return std::string(test.test_suite_name()) + "." + test.name();
}

// Tests by file (in file order).
using TestsByFile = std::map<std::string, std::vector<const testing::TestInfo*>>;

// Every test of these files.
TestsByFile TestsOf(const std::set<std::string>& files) {
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  TestsByFile tests;
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const testing::TestInfo& test = *suite.GetTestInfo(j);
      if (files.count(test.file())) tests[test.file()].push_back(&test);
    }
  }
  return tests;
}

// A --gtest_filter for these tests of one file: Suite.* for a suite wholly here, the
// tests' names otherwise.
std::string FilterFor(const std::vector<const testing::TestInfo*>& tests) {
  std::map<std::string, std::vector<std::string>> by_suite;
  std::vector<std::string> suite_order;
  for (const testing::TestInfo* test : tests) {
    auto [it, inserted] = by_suite.try_emplace(test->test_suite_name());
    if (inserted) suite_order.push_back(it->first);
    it->second.push_back(FullName(*test));
  }
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  std::map<std::string, int> suite_sizes;
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    suite_sizes[unit.GetTestSuite(i)->name()] = unit.GetTestSuite(i)->total_test_count();
  }
  std::string filter;
  for (const std::string& suite : suite_order) {
    const std::vector<std::string>& names = by_suite[suite];
    if (static_cast<int>(names.size()) == suite_sizes[suite]) {
      filter += (filter.empty() ? "" : ":") + suite + ".*";
    } else {
      for (const std::string& name : names) filter += (filter.empty() ? "" : ":") + name;
    }
  }
  return filter;
}

// --file=NAME[,NAME...] (repeatable): the files whose tests run, by base name with or
// without ".cpp". Unknown names are an error, listed in `unknown`.
std::set<std::string> FilesNamed(const std::vector<std::string>& names, std::vector<std::string>& unknown) {
  std::map<std::string, std::string> known;  // base name, and without .cpp -> file
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const std::string file = suite.GetTestInfo(j)->file();
      const std::string base = BaseName(file);
      known[base] = file;
      if (base.size() > 4 && base.ends_with(".cpp")) known[base.substr(0, base.size() - 4)] = file;
    }
  }
  std::set<std::string> files;
  for (const std::string& name : names) {
    auto found = known.find(BaseName(name));
    if (found == known.end()) {
      unknown.push_back(name);
    } else {
      files.insert(found->second);
    }
  }
  return files;
}

// A child's --gtest_output: gtest's own, with the file's name in the report's, so that the
// children do not write over one another's.
std::string ChildOutput(const std::string& output, const std::string& stem) {
  const std::size_t colon = output.find(':');
  const std::string format = output.substr(0, colon);
  std::string path = colon == std::string::npos ? "" : output.substr(colon + 1);
  if (path.empty() || path.back() == '/') {
    path += std::string(path.empty() ? "test_detail" : kProgram) + "." + stem + "." + format;
  } else {
    const std::size_t dot = path.rfind('.');
    const std::size_t slash = path.rfind('/');
    const bool has_extension = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    path.insert(has_extension ? dot : path.size(), "." + stem);
  }
  return "--gtest_output=" + format + ":" + path;
}

// Runs this executable once per file, each with that file's tests. Exit status 0 if every
// child passed.
int RunEachFileInItsOwnProcess(const std::vector<std::string>& arguments, const TestsByFile& tests) {
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    if (!std::string_view(*variable).starts_with(std::string(kChildVariable) + "=")) {
      environment.emplace_back(*variable);
    }
  }
  environment.push_back(std::string(kChildVariable) + "=1");
  std::vector<char*> envp;
  for (std::string& variable : environment) envp.push_back(variable.data());
  envp.push_back(nullptr);

  std::size_t test_count = 0;
  std::vector<std::string> failed;
  for (const auto& [file, file_tests] : tests) {
    test_count += file_tests.size();
    const std::string base = BaseName(file);
    std::vector<std::string> child_arguments;
    for (const std::string& argument : arguments) {
      if (!argument.starts_with("--file=")) child_arguments.push_back(argument);
    }
    child_arguments.push_back("--gtest_filter=" + FilterFor(file_tests));
    const std::string output = GTEST_FLAG_GET(output);
    if (!output.empty()) child_arguments.push_back(ChildOutput(output, base.substr(0, base.rfind('.'))));
    std::vector<char*> argv;
    for (std::string& argument : child_arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);

    std::printf("[%s] %s: %zu test(s), in a process of their own\n", kProgram, base.c_str(),
                file_tests.size());
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t child = 0;
    const int spawn_error = posix_spawn(&child, "/proc/self/exe", nullptr, nullptr, argv.data(), envp.data());
    int status = 0;
    std::string failure;
    if (spawn_error != 0) {
      failure = "could not start: " + std::string(std::strerror(spawn_error));
    } else if (waitpid(child, &status, 0) != child) {
      failure = "could not wait for it: " + std::string(std::strerror(errno));
    } else if (WIFSIGNALED(status)) {
      failure = "killed by signal " + std::to_string(WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
      failure = "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (!failure.empty()) {
      failed.push_back(base + " (" + failure + ")");
      if (GTEST_FLAG_GET(fail_fast)) break;
    }
  }
  std::string summary = "[" + std::string(kProgram) + "] " + std::to_string(tests.size()) +
                        " files, " + std::to_string(test_count) + " tests, one process per file: ";
  if (failed.empty()) {
    summary += "every file passed";
  } else {
    summary += std::to_string(failed.size()) + " failed:";
    for (const std::string& file : failed) summary += "\n  " + file;
  }
  std::printf("%s\n", summary.c_str());
  return failed.empty() ? 0 : 1;
}

// When the tests gtest selected (its own filter, disabled tests and sharding applied,
// which it does just before an iteration starts) span several files, runs each file's in
// a child process and exits with their result before any test runs here.
class OneProcessPerFile : public testing::EmptyTestEventListener {
 public:
  explicit OneProcessPerFile(std::vector<std::string> arguments) : arguments_(std::move(arguments)) {}

  void OnTestIterationStart(const testing::UnitTest& unit, int /*iteration*/) override {
    TestsByFile selected;
    for (int i = 0; i < unit.total_test_suite_count(); ++i) {
      const testing::TestSuite& suite = *unit.GetTestSuite(i);
      for (int j = 0; j < suite.total_test_count(); ++j) {
        const testing::TestInfo& test = *suite.GetTestInfo(j);
        if (test.should_run()) selected[test.file()].push_back(&test);
      }
    }
    if (selected.size() <= 1) return;
    const int status = RunEachFileInItsOwnProcess(arguments_, selected);
    std::fflush(nullptr);
    std::exit(status);
  }

 private:
  std::vector<std::string> arguments_;
};

}  // namespace

bool goray_test::RegisterTestApplication(const char* file, ApplicationFunction application) {
  if (!Applications().emplace(file, application).second) {
    std::fprintf(stderr, "%s: %s declares GORAY_TEST_APPLICATION twice\n", kProgram, file);
    std::abort();
  }
  return true;
}

// The runtime calls it once per process, on first use (runtime/src/abi/abi.cpp); what it
// throws becomes the registration error of every call.
void goray::RegisterApplication(goray::Registry& registry) {
  const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
  if (test == nullptr) {
    throw std::runtime_error(std::string(kProgram) +
                             ": the runtime asked for the application while no test was running; "
                             "each test file has its own (tests/cpp/test_application.h)");
  }
  const std::string file = test->file();
  {
    std::lock_guard lock(RegisteredFile().mutex);
    RegisteredFile().file = file;
  }
  auto found = Applications().find(file);
  if (found == Applications().end()) {
    throw std::runtime_error(std::string(kProgram) + ": " + file +
                             " declares no application (GORAY_TEST_APPLICATION, "
                             "tests/cpp/test_application.h), and its test " +
                             FullName(*test) + " asked the runtime for one");
  }
  found->second(registry);
}

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv, argv + argc);  // gtest's flags included
  testing::InitGoogleTest(&argc, argv);
  if (testing::internal::g_help_flag) {
    std::printf("\n%s runs each test file's tests in a process of their own:\n"
                "  --file=NAME[,NAME...]  only the tests of these files (abi_test or abi_test.cpp)\n",
                kProgram);
    return RUN_ALL_TESTS();
  }
  testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
  listeners.Append(new OneApplicationPerProcess);

  std::vector<std::string> file_names;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument(argv[i]);
    if (argument.starts_with("--file=")) {
      for (std::string& name : Split(argument.substr(7), ',')) {
        if (!name.empty()) file_names.push_back(std::move(name));
      }
    }
  }
  if (!file_names.empty()) {
    std::vector<std::string> unknown;
    const std::set<std::string> files = FilesNamed(file_names, unknown);
    for (const std::string& name : unknown) {
      std::fprintf(stderr, "%s: --file=%s: no test file of that name (tests/cpp/*_test.cpp)\n",
                   kProgram, name.c_str());
    }
    if (GTEST_FLAG_GET(filter) != "*") {
      std::fprintf(stderr, "%s: give --file or --gtest_filter, not both\n", kProgram);
      return 2;
    }
    if (!unknown.empty()) return 2;
    // --file is a filter naming those files' tests.
    std::string filter;
    for (const auto& [file, tests] : TestsOf(files)) filter += (filter.empty() ? "" : ":") + FilterFor(tests);
    GTEST_FLAG_SET(filter, filter);
  }
  if (std::getenv(kChildVariable) == nullptr) listeners.Append(new OneProcessPerFile(arguments));
  return RUN_ALL_TESTS();
}
