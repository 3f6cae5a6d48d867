// The Serve benchmark's C++ model (bench/serve.py), hand-registered: its Python twin is
// PyModel in bench/serve.py, the same logic line for line.
#include <goray/goray.h>

#include <cstdint>
#include <vector>

namespace {

// Iterations of the logistic map per seed in Simulate: about 50 us of C++ per seed (1.4 ms
// in Python), the
// kind of per-item work a batched C++ method is deployed for.
constexpr int kSteps = 20000;

class Model {
 public:
  // bias + sum(weights * features), weights 0.5, 1.5, 2.5, ...
  double Score(std::vector<double> features) const {
    double score = 0.25;
    for (std::size_t i = 0; i < features.size(); ++i) score += (0.5 + static_cast<double>(i)) * features[i];
    return score;
  }

  // Each seed through kSteps iterations of x -> 3.7 x (1 - x): one result per seed (the
  // batched method).
  std::vector<double> Simulate(std::vector<double> seeds) const {
    std::vector<double> results;
    results.reserve(seeds.size());
    for (double x : seeds) {
      for (int step = 0; step < kSteps; ++step) x = 3.7 * x * (1.0 - x);
      results.push_back(x);
    }
    return results;
  }
};

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddActor<Model>("Model", [] { return Model{}; })
      .AddMethod("Score", &Model::Score)
      .AddMethod("Simulate", &Model::Simulate);
}
