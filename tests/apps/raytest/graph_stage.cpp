// raytest part: a stage actor for graphs of actor method calls (Ray's ray.dag), which
// tests/ray/test_compiled_graphs.py binds from Python and graph_driver.cpp's scenarios
// build from C++.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

#include "parts.h"

namespace raytest {
namespace {

// One stage of a pipeline: adds `add` to an int64, scales an array by `add`, fails on
// request, counts its calls.
class GraphStage {
 public:
  explicit GraphStage(int64_t add) : add_(add) {}
  int64_t Step(int64_t x) {
    ++calls_;
    return x + add_;
  }
  goray::Array<double> Scale(goray::ArrayView<double> a) {
    ++calls_;
    auto out = goray::Array<double>::Zeros(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) out[i] = static_cast<double>(add_) * a[i];
    return out;
  }
  int64_t Add(int64_t x, int64_t y) {
    ++calls_;
    return x + y;
  }
  // Throws for a negative input: a C++ exception inside a graph.
  int64_t Check(int64_t x) {
    ++calls_;
    if (x < 0) throw std::invalid_argument("negative input " + std::to_string(x));
    return x;
  }
  int64_t SleepMs(int64_t ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
  }
  int64_t Calls() const { return calls_; }

 private:
  int64_t add_;
  int64_t calls_ = 0;
};

}  // namespace

void RegisterGraphs(goray::Registry& registry) {
  registry.AddActor<GraphStage>("GraphStage", &goray::Constructor<GraphStage, int64_t>::Create)
      .AddMethod("Step", &GraphStage::Step)
      .AddMethod("Add", &GraphStage::Add)
      .AddMethod("Scale", &GraphStage::Scale)
      .AddMethod("Check", &GraphStage::Check)
      .AddMethod("SleepMs", &GraphStage::SleepMs)
      .AddMethod("Calls", &GraphStage::Calls);
}

}  // namespace raytest
