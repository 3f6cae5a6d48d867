"""Eigen matrices through Ray: `2 * m` over a 64 MiB float64 matrix (2048 x 4096) taken
and returned as Eigen types, against the same through goray::ArrayView<double> (in) and
goray::Array<double> (out), on one local Ray (127.0.0.1, no dashboard), interleaved
rounds, medians.

  colmajor: ray.get(Scale2ColMajor.remote(f)), f an F-ordered ndarray, into and out of
            an owning Eigen::MatrixXd
  rowmajor: ray.get(Scale2RowMajor.remote(c)), c a C-ordered ndarray, into and out of a
            row-major Eigen::Matrix<double, Dynamic, Dynamic, RowMajor>
  view:     ray.get(Scale2View.remote(c)): ArrayView<double> in, Array<double> out
            (the reference both Eigen rows are divided by)
  refcol:   ray.get(Scale2Ref.remote(f)): Eigen::Ref<const MatrixXd> in (the F-ordered
            array read in place), an owning Eigen::MatrixXd out
  refrow:   ray.get(Scale2RefRow.remote(c)): the same with a row-major matrix and a
            C-ordered array
  sum:      ray.get(SumRef.remote(f)): the same Ref, no result array (reported: what
            reading in place costs)
Each ratio is view seconds ÷ Eigen seconds (above 1: Eigen faster; the target is >= 0.9).
Last line: eigen ratio colmajor=X rowmajor=Y refcol=Z refrow=W

Usage: python bench/eigen.py path/to/libbench_eigen.so [--rounds N] [--warmup N]
"""
import argparse
import statistics
import time

import numpy
import ray

import goray

MIB = 1 << 20
ROWS, COLS = 2048, 4096  # 64 MiB of float64


def timed_call(task, argument, check) -> float:
    start = time.perf_counter()
    result = ray.get(task.remote(argument))
    seconds = time.perf_counter() - start
    check(result)
    return seconds


def doubled(expected_order: str, source):
    """A check that the result is 2 * source (ends and middle) of source's shape."""
    def check(result) -> None:
        if not isinstance(result, numpy.ndarray) or result.shape != source.shape \
                or result.dtype != numpy.float64:
            raise SystemExit(f"wrong result {type(result).__name__} "
                             f"{getattr(result, 'shape', None)} ({expected_order})")
        for index in ((0, 0), (ROWS // 2, COLS // 3), (ROWS - 1, COLS - 1)):
            if result[index] != 2.0 * source[index]:
                raise SystemExit(f"wrong value at {index} ({expected_order})")
    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("--rounds", type=int, default=25)  # a round is 0.3 s; fewer are noisy
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    options = parser.parse_args()

    goray.init(options.library, num_cpus=2, log_to_driver=False)
    c_order = (numpy.arange(ROWS * COLS, dtype=numpy.float64) % 1000).reshape(ROWS, COLS)
    f_order = numpy.asfortranarray(c_order)
    expected_sum = float(c_order.sum())

    def sum_check(result) -> None:
        if abs(result - expected_sum) > 1e-6 * expected_sum:
            raise SystemExit(f"SumRef returned {result}, expected {expected_sum}")

    kinds = {
        "colmajor": (goray.golang_task("Scale2ColMajor"), f_order, doubled("colmajor", f_order)),
        "rowmajor": (goray.golang_task("Scale2RowMajor"), c_order, doubled("rowmajor", c_order)),
        "view": (goray.golang_task("Scale2View"), c_order, doubled("view", c_order)),
        "refcol": (goray.golang_task("Scale2Ref"), f_order, doubled("refcol", f_order)),
        "refrow": (goray.golang_task("Scale2RefRow"), c_order, doubled("refrow", c_order)),
        "sum": (goray.golang_task("SumRef"), f_order, sum_check),
    }
    for _ in range(options.warmup):
        for task, argument, check in kinds.values():
            timed_call(task, argument, check)
    samples = {kind: [] for kind in kinds}
    for round_index in range(options.rounds):
        order = list(kinds.items())
        if round_index % 2:
            order.reverse()
        for kind, (task, argument, check) in order:
            samples[kind].append(timed_call(task, argument, check))
    ray.shutdown()

    medians = {kind: statistics.median(seconds) for kind, seconds in samples.items()}
    print(f"64 MiB float64 ({ROWS} x {COLS}) through Ray, median of {options.rounds} rounds:")
    for kind, seconds in medians.items():
        spread = sorted(v / s for v, s in zip(samples["view"], samples[kind]))
        print(f"  {kind:>9}: {seconds * 1e3:8.1f} ms  ({64 * MIB / 1e9 / seconds:.2f} GB/s)  "
              f"view/this per round {spread[0]:.2f}..{spread[-1]:.2f}")
    ratios = {kind: medians["view"] / medians[kind]
              for kind in ("colmajor", "rowmajor", "refcol", "refrow")}
    print("eigen ratio " + " ".join(f"{kind}={ratio:.3f}" for kind, ratio in ratios.items()))


if __name__ == "__main__":
    main()
