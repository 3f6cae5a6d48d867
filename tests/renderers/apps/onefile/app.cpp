// the README's one-file application, with a struct and an enum defined here: it includes
// no generated header; goray_add_app compiles it through onefile.goray.cpp.
#include <goray/goray.h>

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

enum class Mood : uint8_t { kCalm = 1, kBusy = 2 };

struct Summary {
  std::string name;
  std::vector<double> values;
  Mood mood = Mood::kCalm;
};

struct GORAY_TASKS Tasks {
  double Square(double x) { return x * x; }
  std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) { return {a / b, a % b}; }
  Summary Summarize(Summary s) {
    s.name += "!";
    s.mood = Mood::kBusy;
    return s;
  }
  // Items of a type declared here alone: each crosses packed.
  goray::Generator<Summary> Moods(int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      Summary item;
      item.name = "m" + std::to_string(i);
      item.values.push_back(static_cast<double>(i));
      item.mood = i % 2 ? Mood::kBusy : Mood::kCalm;
      co_yield item;
    }
  }
};

class Counter {
 public:
  explicit Counter(int64_t n) : n_(n) {}
  int64_t Incr(int64_t by) { return n_ += by; }

 private:
  int64_t n_;
};

struct GORAY_ACTORS Actors {
  static std::unique_ptr<::Counter> Counter(int64_t n) { return std::make_unique<::Counter>(n); }
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 2})")

GORAY_DRIVER int Driver() {
  // Uses the struct through the codec before its adaptor (in onefile.goray.cpp, after
  // this file) is declared: templates are instantiated at the end of the translation unit.
  Summary summary = goray::Get<Summary>(goray::RemoteCall("Summarize", Summary{"s", {1.0}}));
  auto [q, r] = goray::Get<int64_t, int64_t>(goray::RemoteCall("Divide", 16, 5));
  return static_cast<int>(summary.values.size()) + static_cast<int>(q + r);
}
