"""What the Ray benchmarks share: one timed call, rounds of a timed pair, interleaved
(these 2-core machines are noisy, so ours and the reference run side by side), and
the per-round spread of their ratio."""

import time


def timed(function) -> float:
    """Seconds one call of `function` takes."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(pair, rounds):
    """(ours, reference) samples of a pair of functions, alternating which runs first
    each round."""
    ours, theirs = [], []
    for index in range(rounds):
        order = [(ours, pair[0]), (theirs, pair[1])]
        for samples, function in (order if index % 2 == 0 else order[::-1]):
            samples.append(function())
    return ours, theirs


def spread(ours, theirs, rate=True):
    """The lowest and highest per-round ratio: reference / ours for times (`rate`
    True: higher is better for ours), ours / reference otherwise."""
    per_round = sorted((t / o) if rate else (o / t) for o, t in zip(ours, theirs))
    return f"spread {per_round[0]:.2f}..{per_round[-1]:.2f}"
