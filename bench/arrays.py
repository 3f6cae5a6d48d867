"""Arrays: `2 * a` over float64 NumPy arrays, a C++ task against plain Ray with NumPy,
on one local Ray (127.0.0.1, no dashboard), interleaved rounds, medians.

  py:     ray.get(golang_task("Scale2").remote(a)) (C++: ArrayView<double> in,
          Array<double> out) vs ray.get(scale.remote(a)) with
          `@ray.remote def scale(a): return a * 2.0`, from this Python driver
  cpp:    the C++ driver (bench/bench_arrays.cpp) builds the array once per size, then times
          RemoteCall("Scale2", a) and Get<ArrayView<double>> (read-only, as ray.get's
          ndarray is); against the same Python reference
  bytes:  ray.get(golang_task("EchoBytes").remote(b)) on 64 MiB of bytes (C++:
          std::vector<uint8_t> in and out) vs ray.get(echo.remote(b)) with
          `@ray.remote def echo(b): return b`, in the same rounds (--echo-pairs pairs each)
  inproc: golang_local_run_task("Ends", a) on 64 MiB (an O(1) task over a view) vs one
          copy of the same 64 MiB (numpy.copyto into a touched array): time ÷ time
  scale:  golang_local_run_task("Scale2", a) (the Array adopted by NumPy) vs a * 2.0,
          in-process, 64 MiB (reported, not in the last line)
py and cpp are GB/s ratios (ours ÷ plain Python; geometric mean over the sizes; higher is
better); inproc is a time ratio (lower is better; 0.05 or less means no copy); bytes is a
GB/s ratio (ours ÷ plain Python, medians; higher is better).
Last line: array ratio py=X cpp=Y inproc=Z bytes=R

Usage: python bench/arrays.py path/to/libbench_arrays.so [--rounds N] [--sizes 64,256] [--warmup N] [--echo-pairs N]
"""
import argparse
import math
import os
import statistics
import time

import numpy
import ray

import goray
from goray import _process_setup
from goray._ray import driver

HERE = os.path.dirname(os.path.abspath(__file__))
DEFS = os.path.join(HERE, "arrays_defs.py")
MIB = 1 << 20
BYTES_MIB = 64


@ray.remote
def scale(a):
    return a * 2.0


@ray.remote
def echo(b):
    return b


def seconds_of(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def checked(result, a) -> None:
    """The result is a float64 ndarray of a's shape holding 2 * a (ends and middle)."""
    if not isinstance(result, numpy.ndarray) or result.dtype != numpy.float64 or result.shape != a.shape:
        raise SystemExit(f"Scale2 returned {type(result).__name__} "
                         f"{getattr(result, 'dtype', '')} {getattr(result, 'shape', '')}, "
                         f"expected float64 {a.shape}")
    middle = a.size // 2
    if (result[0], result[middle], result[-1]) != (2 * a[0], 2 * a[middle], 2 * a[-1]):
        raise SystemExit("Scale2 returned wrong values")


def checked_bytes(result, b: bytes) -> None:
    if type(result) is not bytes or result != b:
        raise SystemExit(f"the echo returned {type(result).__name__} of "
                         f"{len(result) if hasattr(result, '__len__') else '?'} bytes, "
                         f"expected the {len(b)} bytes sent")


def geometric_mean(values) -> float:
    return math.exp(sum(math.log(value) for value in values) / len(values))


def remote_pairs(library, sizes, rounds: int, echo_pairs: int, warmup_rounds: int) -> dict:
    """{size: {"py": [s], "cpp": [s], "ref": [s]}, "bytes": {"ours": [s], "plain": [s]}}:
    seconds per call, interleaved (the bytes pairs after the sizes of each round)."""
    defs = _process_setup.import_py_defs(DEFS)
    scale2 = goray.golang_task("Scale2")
    arrays = {size: numpy.arange(size * MIB // 8, dtype=numpy.float64) % 1000 for size in sizes}
    payload = numpy.resize(numpy.arange(251, dtype=numpy.uint8), BYTES_MIB * MIB).tobytes()

    def from_python(remote_function):
        """Times remote_function.remote(a) from this driver: Scale2 or the reference."""
        def timed(size: int) -> float:
            a = arrays[size]
            start = time.perf_counter()
            result = ray.get(remote_function.remote(a))
            seconds = time.perf_counter() - start
            checked(result, a)
            return seconds
        return timed

    def ours_cpp(size: int) -> float:
        assert driver.run_driver(library, [str(size)]) == 0
        return defs.times[-1]

    def echoed(remote_function):
        """Times remote_function.remote(payload): EchoBytes or the reference echo."""
        def timed() -> float:
            start = time.perf_counter()
            result = ray.get(remote_function.remote(payload))
            seconds = time.perf_counter() - start
            checked_bytes(result, payload)
            return seconds
        return timed

    kinds = {"py": from_python(scale2), "cpp": ours_cpp, "ref": from_python(scale)}
    echoes = {"ours": echoed(goray.golang_task("EchoBytes")), "plain": echoed(echo)}
    # Warm-up, untimed: workers started, libraries loaded, and the object store's memory
    # touched. Ray places new objects in parts of its store no object used yet; on this
    # kind of VM a first touch costs up to ten times a copy (measured: a 256 MiB call
    # from the C++ driver took 0.2-1.5 s in its first 8 calls, 80 ms after), which
    # would decide medians by whichever system met fresh memory.
    for _ in range(warmup_rounds):
        for size in sizes:
            for function in kinds.values():
                function(size)
        for function in echoes.values():
            function()
    samples = {size: {kind: [] for kind in kinds} for size in sizes}
    samples["bytes"] = {kind: [] for kind in echoes}
    for round_index in range(rounds):
        for size in sizes:
            order = list(kinds.items())
            if round_index % 2:
                order.reverse()
            for kind, function in order:
                samples[size][kind].append(function(size))
        for pair in range(echo_pairs):  # a 64 MiB echo is short: several pairs per round
            order = list(echoes.items())
            if (round_index + pair) % 2:
                order.reverse()
            for kind, function in order:
                samples["bytes"][kind].append(function())
    return samples


def in_process(rounds: int, calls: int) -> dict:
    """Seconds per call: the O(1) view task and 2 * a, each beside its NumPy floor."""
    a = numpy.arange(64 * MIB // 8, dtype=numpy.float64)
    target = numpy.empty_like(a)
    numpy.copyto(target, a)  # its pages touched before any timing
    checked(goray.golang_local_run_task("Scale2", a), a)
    assert goray.golang_local_run_task("Ends", a) == a[0] + a[-1]
    pairs = {
        "ends": (lambda: goray.golang_local_run_task("Ends", a), lambda: numpy.copyto(target, a), calls),
        "scale": (lambda: goray.golang_local_run_task("Scale2", a), lambda: a * 2.0, 1),
    }
    samples = {name: ([], []) for name in pairs}
    for round_index in range(rounds):
        for name, (ours, floor, count) in pairs.items():
            order = [(0, ours), (1, floor)] if round_index % 2 == 0 else [(1, floor), (0, ours)]
            for slot, function in order:
                # The floor is one copy per round; ours `count` calls (each far shorter).
                repeat = count if slot == 0 else 1
                samples[name][slot].append(seconds_of(lambda: [function() for _ in range(repeat)]) / repeat)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", default="64,256", help="array sizes in MiB")
    parser.add_argument("--calls", type=int, default=200, help="in-process O(1) calls per round")
    parser.add_argument("--warmup", type=int, default=4,
                        help="untimed rounds first (every call of a round, at every size)")
    parser.add_argument("--echo-pairs", type=int, default=5,
                        help="bytes echo pairs (ours, plain) per round")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    library = goray.init(options.library, py_defs_path=DEFS, num_cpus=2, log_to_driver=False)
    remote = remote_pairs(library, sizes, options.rounds, options.echo_pairs, options.warmup)
    local = in_process(options.rounds, options.calls)
    ray.shutdown()

    print(f"{'size':>8} {'C++ from Python':>16} {'C++ from C++':>13} {'plain Ray+NumPy':>16}"
          f"   GB/s, median of {options.rounds} rounds")
    rates = {"py": [], "cpp": [], "ref": []}
    for size in sizes:
        row = {kind: size * MIB / 1e9 / statistics.median(seconds) for kind, seconds in remote[size].items()}
        for kind, value in row.items():
            rates[kind].append(value)
        spread = {kind: sorted(r / o for o, r in zip(remote[size][kind], remote[size]["ref"]))
                  for kind in ("py", "cpp")}
        print(f"{size:>5}MiB {row['py']:16.3f} {row['cpp']:13.3f} {row['ref']:16.3f}   "
              f"per-round ratio py {spread['py'][0]:.2f}..{spread['py'][-1]:.2f}, "
              f"cpp {spread['cpp'][0]:.2f}..{spread['cpp'][-1]:.2f}")
    reference = geometric_mean(rates["ref"])
    ratio_py, ratio_cpp = geometric_mean(rates["py"]) / reference, geometric_mean(rates["cpp"]) / reference

    ends, copy = (statistics.median(side) for side in local["ends"])
    ours_scale, numpy_scale = (statistics.median(side) for side in local["scale"])
    print(f"in-process, 64 MiB: Ends(view) {ends * 1e6:.1f} µs/call, numpy.copyto {copy * 1e6:.0f} µs "
          f"-> {ends / copy:.4f} of a copy")
    print(f"in-process, 64 MiB: Scale2 {ours_scale * 1e3:.1f} ms ({64 * MIB / 1e9 / ours_scale:.2f} GB/s), "
          f"a * 2.0 {numpy_scale * 1e3:.1f} ms ({64 * MIB / 1e9 / numpy_scale:.2f} GB/s) "
          f"-> scale ratio {numpy_scale / ours_scale:.3f} (ours ÷ NumPy, GB/s)")
    ours_bytes, plain_bytes = (BYTES_MIB * MIB / 1e9 / statistics.median(remote["bytes"][kind])
                               for kind in ("ours", "plain"))
    bytes_spread = sorted(p / o for o, p in zip(remote["bytes"]["ours"], remote["bytes"]["plain"]))
    ratio_bytes = ours_bytes / plain_bytes
    print(f"bytes {BYTES_MIB} MiB echo: ours {ours_bytes:.3f} GB/s, plain {plain_bytes:.3f} GB/s "
          f"-> ratio {ratio_bytes:.3f} (per-round {bytes_spread[0]:.2f}..{bytes_spread[-1]:.2f})")
    print(f"array ratio py={ratio_py:.3f} cpp={ratio_cpp:.3f} inproc={ends / copy:.4f} "
          f"bytes={ratio_bytes:.3f}")


if __name__ == "__main__":
    main()
