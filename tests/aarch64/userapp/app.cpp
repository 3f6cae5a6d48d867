// The aarch64 stage's application (tests/aarch64/test_userapp.py): each kind of in-process
// call, run under emulation with the aarch64 wheel.
#include <goray/goray.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {
int* volatile g_null = nullptr;

[[gnu::noinline]] void Segfault() {
  *g_null = 1;  // crash line: segv
}
}  // namespace

struct GORAY_TASKS ArmTasks {
  // Python -> C++, with a C++ default a keyword may skip.
  static std::string Label(std::string name, int64_t width = 6, std::string fill = ".") {
    std::string out = name;
    while (static_cast<int64_t>(out.size()) < width) out += fill;
    return out;
  }
  // C++ -> Python: a function registered with @goray.local, and an importable one.
  static std::tuple<std::string, double> AskPython(std::string word) {
    auto shouted = goray::LocalCallPyTask("shout", word).Get<std::string>();
    auto total = goray::LocalCallPyTask("math.fsum", std::vector<double>{0.1, 0.2, 0.7}).Get<double>();
    return {shouted, total};
  }
  // Arrays: the argument read in place, the result handed over without a copy.
  static uint64_t ViewAddress(goray::ArrayView<double> values) {
    return reinterpret_cast<std::uintptr_t>(values.data());
  }
  static std::tuple<goray::Array<double>, uint64_t> Scaled(goray::ArrayView<double> values,
                                                          double factor) {
    auto out = goray::Array<double>::Zeros(values.shape());
    for (int64_t i = 0; i < values.size(); ++i) out[i] = values[i] * factor;
    auto address = reinterpret_cast<std::uintptr_t>(out.data());
    return {std::move(out), address};
  }
  // Errors both ways: a C++ exception, and a Python one caught in C++.
  static int64_t Divide(int64_t a, int64_t b) {
    if (b == 0) throw std::domain_error("divide by zero");
    return a / b;
  }
  static std::string CatchPython() {
    try {
      goray::LocalCallPyTask("fail", std::string("x")).Get<std::string>();
    } catch (const goray::PythonError& error) {
      return error.type() + ": " + error.message();
    }
    return "no error";
  }
  // A native crash: the report names the signal, the task and this file's line.
  static int64_t Crash() {
    Segfault();
    return 0;
  }
};
