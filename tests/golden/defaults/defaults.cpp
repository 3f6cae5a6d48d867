// Default arguments: tasks (member and static), a GORAY_ACTORS factory, a GORAY_ACTOR
// constructor and actor methods, with defaults that only make sense where they are
// written (a file-local constant, a static member, a call).
#include <goray/goray.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {
constexpr int64_t kStep = 2;  // internal linkage: generated code cannot name it
}  // namespace

struct Scale {
  static int64_t Factor() { return 10; }
};

struct GORAY_TASKS Tasks {
  int64_t Add(int64_t a, int64_t b = kStep) { return a + b; }
  static std::string Greet(std::string who = "world", int64_t times = Scale::Factor() / 10) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += "hello " + who;
    return out;
  }
  std::vector<int64_t> Fill(int64_t n, std::vector<int64_t> with = {1, 2}) {
    with.resize(static_cast<std::size_t>(n), 0);
    return with;
  }
  // Constant defaults (recorded in the IDL): Python fills them in when a later
  // argument is given by keyword.
  static std::string Line(std::string text, int64_t width = kStep + 1, double scale = 1.5,
                          bool upper = false, const std::string& end = "!") {
    return std::to_string(width) + "|" + std::to_string(static_cast<int64_t>(scale * 10)) +
           "|" + (upper ? "U" : "l") + "|" + text + end;
  }
  // A default that is not a constant, before one that is: it cannot be skipped.
  static int64_t Pad(int64_t n, int64_t fill = Scale::Factor(), int64_t width = 4) {
    return n * 100 + fill * 10 + width;
  }
};

class Counter {
 public:
  explicit Counter(int64_t n = 10) : n_(n) {}
  int64_t Incr(int64_t by = kStep) { return n_ += by; }

 private:
  int64_t n_;
};

class GORAY_ACTOR Box {
 public:
  explicit Box(std::string label, int64_t size = Scale::Factor()) : label_(label), size_(size) {}
  std::string Describe(const std::string& prefix = "box ") const {
    return prefix + label_ + std::to_string(size_);
  }

 private:
  std::string label_;
  int64_t size_;
};

struct GORAY_ACTORS Actors {
  static std::unique_ptr<::Counter> Counter(int64_t n = 5) {
    return std::make_unique<::Counter>(n);
  }
};
