"""Many small calls with goray.map: cheap C++ functions over many items, in chunks whose
loop runs in C++ (one Ray task per chunk, not per item). Runs the C++ driver first
(goray::Map from C++), then maps from Python through the generated stubs: a NumPy array
of 1,000,000 items, a generator, failures collected, a struct of arrays and a pool of
actors, each result checked against NumPy.

Usage: python main.py path/to/libmapping.so STUBS_DIR
(STUBS_DIR holds mapping.py/.pyi, written by goray_add_app.)
"""
import sys
import time

import numpy as np
import ray

import goray


def cubic(x):
    """Score's polynomial, in NumPy."""
    return ((0.5 * x - 1.0) * x + 2.0) * x + 0.25


def main(library: str, stubs_dir: str) -> int:
    sys.path.insert(0, stubs_dir)
    failed = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            failed.append(what)
            print(f"MISMATCH: {what}")

    # The C++ driver (goray::Map, goray::MapCollect); Ray stays up for what follows.
    check(goray.start(library, num_cpus=2) == 0, "the C++ driver")
    import mapping  # the generated stubs

    # A NumPy array: it travels as slices, each chunk's loop reads its slice in place.
    xs = np.random.default_rng(7).uniform(-1.0, 1.0, 1_000_000)
    started = time.perf_counter()
    scores = mapping.Score.map(xs, weight=0.5)  # weight: one value every item shares
    took = time.perf_counter() - started
    expected = 0.5 * cubic(xs)
    check(scores.dtype == np.float64 and np.allclose(scores, expected, rtol=1e-12, atol=0),
          "Score.map over a NumPy array")
    print(f"Score.map: {len(xs):,} items in {took:.2f} s, sum {scores.sum():.6f} "
          f"(NumPy: {expected.sum():.6f})")

    # A generator: read a chunk at a time; imap yields each result in input order.
    items = (i / 10_000 for i in range(20_000))
    total = sum(mapping.Score.imap(items, weight=1.0))
    check(abs(total - cubic(np.arange(20_000) / 10_000).sum()) < 1e-6, "Score.imap")
    print(f"Score.imap over a generator of 20,000 items: sum {total:.6f}")

    # Failures: errors="collect" runs every item and reports the failed ones.
    ys = np.array([1.0, 0.0, np.e, -2.0, 10.0])
    logs, failures = mapping.LogScore.map(ys, errors="collect")
    check([index for index, _ in failures] == [1, 3] and np.isnan(logs[1]) and abs(logs[2] - 1.0) < 1e-12,
          "LogScore.map(errors='collect')")
    print(f"LogScore.map: {len(failures)} of {len(ys)} items failed; {failures[0][1]}")

    # A struct parameter fed a struct of arrays: one array per field.
    points = {"x": np.array([3.0, 5.0, 0.0]), "y": np.array([4.0, 12.0, 1.0])}
    norms = mapping.Norm.map(points)
    check(norms.tolist() == [5.0, 13.0, 1.0], "Norm.map over a struct of arrays")
    print(f"Norm.map over a struct of arrays: {norms.tolist()}")

    # A pool of (thread-safe) actors: each chunk to the actor with the fewest in flight.
    # Chunks are at least 5 ms of work, so goray would send these 200,000 items of a few
    # nanoseconds each as one chunk after its probe: chunk_size spreads them to show it.
    scorers = [mapping.Scorer.options(max_concurrency=2).remote(0.5) for _ in range(2)]
    pool = goray.ActorPool(scorers)
    pooled = pool.map("Score", xs[:200_000], chunk_size=25_000)
    scored = ray.get([scorer.Scored.remote() for scorer in scorers])
    check(np.allclose(pooled, expected[:200_000], rtol=1e-12, atol=0) and sum(scored) == 200_000,
          "ActorPool.map")
    print(f"ActorPool.map: 200,000 items over 2 actors, which scored {scored}")
    for scorer in scorers:
        ray.kill(scorer)

    ray.shutdown()
    print("all results match" if not failed else f"{len(failed)} MISMATCHED: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
