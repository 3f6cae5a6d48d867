// C++ behind Ray Serve (docs/serve.md): a scoring model as a Serve deployment. Each
// replica holds one Scorer in its own process and calls it there; Serve's options,
// batching and streaming apply as to a Python deployment. main.py deploys it behind a
// Python ingress and checks its HTTP answers.
#include <goray/goray.h>
#include <goray/serve.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include "scoring.goray.h"  // goray-gen's wrappers: scoring::ScorerDeployment below

/// What Serve's user_config carries to Reconfigure.
struct ScorerConfig {
  double bias = 0.0;
  std::string label;
};

/// A linear model: score = bias + sum(weights[i] * features[i]).
class GORAY_ACTOR Scorer {
 public:
  /// `weights` per feature; `bias` added to every score.
  explicit Scorer(std::vector<double> weights, double bias = 0.0)
      : weights_(std::move(weights)), bias_(bias) {
    if (weights_.empty()) throw std::invalid_argument("Scorer needs at least one weight");
  }

  /// Writes "closed <calls>" to $SCORING_CLOSED_FILE, if set: proof that Serve's
  /// graceful shutdown ran the destructor.
  ~Scorer() {
    if (const char* path = std::getenv("SCORING_CLOSED_FILE")) {
      std::ofstream(path, std::ios::app) << "closed " << calls_.load() << "\n";
    }
  }

  /// The score of one row of features.
  double Score(std::vector<double> features) {
    ++calls_;
    return Dot(features);
  }

  /// The scores of many rows at once: the method goray.serve batches, one native call
  /// for the requests Serve gathered.
  std::vector<double> ScoreMany(std::vector<std::vector<double>> rows) {
    {
      std::lock_guard<std::mutex> lock(batches_mutex_);
      batch_sizes_.push_back(static_cast<int64_t>(rows.size()));
    }
    std::vector<double> scores;
    scores.reserve(rows.size());
    for (const std::vector<double>& row : rows) scores.push_back(Dot(row));
    calls_ += static_cast<int64_t>(rows.size());
    return scores;
  }

  /// The size of every batch ScoreMany was called with so far.
  std::vector<int64_t> BatchSizes() {
    std::lock_guard<std::mutex> lock(batches_mutex_);
    return batch_sizes_;
  }

  /// Each feature's share of the score, one by one, `delay_ms` apart: a streaming
  /// method (Server-Sent Events over HTTP, a stream through handles).
  goray::Generator<std::string> Explain(std::vector<double> features, int64_t delay_ms = 0) {
    Check(features);
    struct Open {  // counts the streams whose frame is alive (Streaming() below)
      std::atomic<int64_t>& count;
      explicit Open(std::atomic<int64_t>& c) : count(c) { ++count; }
      ~Open() { --count; }
    } open(streaming_);
    for (std::size_t i = 0; i < features.size(); ++i) {
      if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      co_yield "feature " + std::to_string(i) + ": " + std::to_string(weights_[i] * features[i]);
    }
    co_yield "bias: " + std::to_string(bias_);
  }

  /// How many Explain streams are running now (0 once a cancelled one's frame is gone).
  int64_t Streaming() const { return streaming_.load(); }

  /// Serve's user_config: a new bias and label, without a restart. A config without a
  /// label is refused (the replica then fails to start, saying so in serve.status()).
  void Reconfigure(ScorerConfig config) {
    if (config.label.empty()) throw std::invalid_argument("ScorerConfig.label is empty");
    bias_ = config.bias;
    label_ = std::move(config.label);
  }

  /// The label the last user_config set.
  std::string Label() const { return label_; }

  /// Serve's health check: false (unhealthy) once MarkUnhealthy was called.
  bool CheckHealth() const { return healthy_.load(); }

  /// Makes the next health checks fail (Serve then replaces the replica).
  void MarkUnhealthy() { healthy_ = false; }

  /// a / b, refusing b == 0 with a C++ exception (HTTP 500 with its type and message).
  double Divide(double a, double b) {
    if (b == 0.0) throw std::domain_error("division by zero");
    return a / b;
  }

  /// Dereferences a null pointer: a native crash (Serve restarts the replica).
  int64_t Crash() {
    volatile int64_t* nothing = nullptr;
    return *nothing;
  }

  /// This replica's process id.
  int64_t Pid() const { return static_cast<int64_t>(getpid()); }

  /// The id of the Ray node this replica runs on.
  std::string Node() const { return goray::GetRuntimeContext().node_id; }

 private:
  void Check(const std::vector<double>& features) const {
    if (features.size() != weights_.size()) {
      throw std::invalid_argument("expected " + std::to_string(weights_.size()) +
                                  " features, received " + std::to_string(features.size()));
    }
  }

  double Dot(const std::vector<double>& features) const {
    Check(features);
    double score = bias_;
    for (std::size_t i = 0; i < features.size(); ++i) score += weights_[i] * features[i];
    return score;
  }

  std::vector<double> weights_;
  double bias_;
  std::string label_;
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> streaming_{0};
  std::atomic<bool> healthy_{true};
  std::mutex batches_mutex_;
  std::vector<int64_t> batch_sizes_;
};

/// A C++ ingress composing deployments: a score from the C++ Scorer deployment, then its
/// words from a Python deployment (app.py's Describer), each found by its deployment
/// and application names: the Scorer through its typed client (scoring::ScorerDeployment,
/// generated), the Describer through goray::serve::Handle.
class GORAY_ACTOR Gateway {
 public:
  /// The applications the Scorer and the Describer run in.
  Gateway(std::string model_app, std::string words_app)
      : scorer_("Scorer", std::move(model_app)), describer_("Describer", std::move(words_app)) {
    scorer_.Timeout(60);  // a deployment that is gone fails the call instead of waiting
    describer_.Timeout(60);
  }

  /// The features' score, in words.
  std::string Quote(std::vector<double> features) {
    // Typed: Score takes what Scorer::Score does and returns its double.
    double score = scoring::ScorerDeployment(scorer_).Score(features);
    return describer_.Call("Describe", score).Get<std::string>();
  }

  /// The Scorer's explanation of the features, its streamed lines joined.
  std::string Explanation(std::vector<double> features) {
    std::string text;
    for (const std::string& line : scoring::ScorerDeployment(scorer_).Explain(features)) {
      text += line + "\n";
    }
    return text;
  }

  /// The first line of a slow explanation; the stream is then dropped, which cancels it
  /// (the Scorer's generator stops: its Streaming() count goes back down).
  std::string FirstLine(std::vector<double> features, int64_t delay_ms) {
    goray::serve::Stream<std::string> lines =
        scoring::ScorerDeployment(scorer_).Explain(features, delay_ms);
    return lines.Next().value_or("");
  }

 private:
  // The Scorer deployment; typed where it is used (scoring::ScorerDeployment, generated,
  // is not declared yet when the scan reads this class: only function bodies may name it).
  goray::serve::Handle scorer_;
  goray::serve::Handle describer_;
};

