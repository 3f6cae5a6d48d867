"""Monte Carlo option pricing: C++ simulates, Ray fans out, Python analyses.

Usage: python main.py path/to/libpricing.so STUBS_DIR [--paths N] [--batches B]
"""
import argparse
import math
import sys
import time

import ray

import goray


def black_scholes_call(spot, strike, rate, volatility, years):
    """The closed-form price the simulation should converge to."""
    d1 = (math.log(spot / strike) + (rate + volatility ** 2 / 2) * years) / (volatility * math.sqrt(years))
    d2 = d1 - volatility * math.sqrt(years)
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    return spot * cdf(d1) - strike * math.exp(-rate * years) * cdf(d2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("stubs_dir")
    parser.add_argument("--paths", type=int, default=4_000_000)
    parser.add_argument("--batches", type=int, default=16)
    options = parser.parse_args()
    sys.path.insert(0, options.stubs_dir)

    goray.init(options.library, num_cpus=2)
    import pricing  # generated stubs

    spec = {"spot": 100.0, "strike": 105.0, "rate": 0.03, "volatility": 0.25, "years": 2.0}
    per_batch = options.paths // options.batches
    start = time.perf_counter()
    refs = [pricing.Simulate.remote(spec, per_batch, seed) for seed in range(options.batches)]
    batches = ray.get(refs)
    elapsed = time.perf_counter() - start

    paths = sum(batch["paths"] for batch in batches)
    mean = sum(batch["sum"] for batch in batches) / paths
    variance = sum(batch["sum_squares"] for batch in batches) / paths - mean ** 2
    half_width = 1.96 * math.sqrt(variance / paths)
    exact = black_scholes_call(**spec)
    print(f"Monte Carlo price  {mean:.4f} ± {half_width:.4f} (95%), {paths:,} paths in "
          f"{len(batches)} C++ tasks, {elapsed:.2f} s")
    print(f"Black-Scholes      {exact:.4f}  (error {abs(mean - exact):.4f}, "
          f"{'inside' if abs(mean - exact) <= half_width else 'OUTSIDE'} the interval)")
    ray.shutdown()
    return 0 if abs(mean - exact) <= 2 * half_width else 1


if __name__ == "__main__":
    sys.exit(main())
