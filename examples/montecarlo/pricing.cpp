// Monte Carlo pricing of a European call option: the simulation is C++ (fast,
// deterministic per seed), fanned out over Ray as tasks; Python splits the work,
// gathers the batches and does the statistics.
#include <goray/goray.h>

#include <cmath>
#include <cstdint>
#include <random>

/// The market and the contract.
struct OptionSpec {
  double spot = 100;        ///< price today
  double strike = 100;      ///< exercise price
  double rate = 0.05;       ///< risk-free rate, continuous
  double volatility = 0.2;  ///< annualised
  double years = 1;         ///< time to expiry
};

/// Sums over one batch of simulated paths, enough to combine batches exactly.
struct BatchResult {
  int64_t paths = 0;
  double sum = 0;          ///< of discounted payoffs
  double sum_squares = 0;  ///< of discounted payoffs squared
};

struct GORAY_TASKS Pricing {
  /// Simulates `paths` terminal prices (geometric Brownian motion, antithetic pairs).
  BatchResult Simulate(const OptionSpec& spec, int64_t paths, uint64_t seed) {
    std::mt19937_64 generator(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    const double drift = (spec.rate - 0.5 * spec.volatility * spec.volatility) * spec.years;
    const double diffusion = spec.volatility * std::sqrt(spec.years);
    const double discount = std::exp(-spec.rate * spec.years);
    BatchResult result;
    for (int64_t i = 0; i < paths / 2; ++i) {
      const double z = normal(generator);
      for (double sign : {1.0, -1.0}) {
        const double price = spec.spot * std::exp(drift + sign * diffusion * z);
        const double payoff = discount * std::max(price - spec.strike, 0.0);
        result.sum += payoff;
        result.sum_squares += payoff * payoff;
        ++result.paths;
      }
    }
    return result;
  }
};
