"""Streaming generators on one local Ray: C++ generator tasks (goray::Generator<T>)
against plain-Python streaming generators doing the same, interleaved rounds, medians.

  first:  .remote() to the first item's value in this driver: CountUp(--items) (C++)
          vs a Python generator yielding range(n); ratio = C++ time / Python time
          (lower is better).
  items:  items/s of the whole stream consumed here (each item ray.get as it comes):
          CountUp vs the Python generator; ratio = C++ rate / Python rate (higher is
          better).
  values: as items, with CountUp's values read through goray.stream (the items it
          already made carried together, a few to a Ray object: docs/streams.md) vs the
          Python generator's refs, each ray.get as it comes (Ray has no other way to
          read a Python generator's items); ratio as for items.
  slow:   SlowCount(--slow-items, --ms) (a sleep before each item) vs a Python generator
          sleeping as long: time to the first item, ratio as for `first`.
  cpp:    a consumer task: C++'s SumStream(n) (goray::Stream over CountUp, in its worker,
          whose small items read ahead together travel as one Ray object:
          docs/protocol.md §13) vs a Python task summing the Python generator's items;
          ratio = C++ rate / Python rate.
  cpp_once: as cpp, with the producer run once (max_retries=0 on both sides): C++'s
          SumStreamOnce(n) vs the Python consumer of the Python generator submitted
          with max_retries=0.
  cpp_py: the consumers alone, over the same producer: C++'s SumPyStream(n)
          (goray::Stream over the Python generator py_count, tests/ray/stream_defs.py)
          vs the Python task summing a Python generator's items; ratio as for `cpp`.
The rate cases also give the CPU seconds per item of the whole local Ray session
(driver, GCS, raylet, workers), ratio Python / C++ (above 1: ours costs less).
Last lines: streaming ratio first=W items=X values=T slow=Y cpp=Z cpp_once=U cpp_py=V,
then streaming cpu ratio items=... values=... cpp=... cpp_once=... cpp_py=...

Usage: python bench/streaming.py [path/to/libraytest.so] [--rounds N] [--items N]
       [--slow-items N] [--ms N]
"""
import argparse
import os
import statistics
import time

import ray

import goray

from rounds import CpuMeter, interleaved, spread  # bench/rounds.py, beside this script

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFS = os.path.join(ROOT, "tests", "ray", "defs.py")


@ray.remote
def py_count_up(n):
    for i in range(n):
        yield i


@ray.remote
def py_slow_count(n, ms):
    for i in range(n):
        time.sleep(ms / 1000)
        yield i


@ray.remote
def py_sum_stream(n):
    return sum(ray.get(ref) for ref in py_count_up.remote(n))


@ray.remote
def py_sum_stream_once(n):
    return sum(ray.get(ref) for ref in py_count_up.options(max_retries=0).remote(n))


def first_item(submit):
    def run():
        start = time.perf_counter()
        generator = submit()
        assert ray.get(next(generator)) == 0
        elapsed = time.perf_counter() - start
        for ref in generator:  # drained: the next round starts on an idle worker
            ray.get(ref)
        return elapsed
    return run


def whole_stream(submit, count, read=ray.get):
    """Seconds to read every item of submit()'s stream, each with `read` (ray.get of a
    ref; for goray.stream, whose items are the values, the value itself)."""
    def run():
        start = time.perf_counter()
        received = sum(1 for item in submit() if read(item) is not None)
        elapsed = time.perf_counter() - start
        assert received == count
        return elapsed
    return run


def _value(item):
    return item


def consumer(submit, expected):
    def run():
        start = time.perf_counter()
        assert ray.get(submit()) == expected
        return time.perf_counter() - start
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", nargs="?", default=os.path.join(ROOT, "build", "tests", "apps", "libraytest.so"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--items", type=int, default=2000, help="items of CountUp per round")
    parser.add_argument("--slow-items", type=int, default=5, help="items of SlowCount per round")
    parser.add_argument("--ms", type=int, default=20, help="SlowCount's sleep before each item")
    options = parser.parse_args()

    goray.init(options.library, py_defs_path=DEFS, num_cpus=2, log_to_driver=False)
    n, slow_n, ms = options.items, options.slow_items, options.ms
    count_up, slow_count = goray.golang_task("CountUp"), goray.golang_task("SlowCount")
    sum_stream = goray.golang_task("SumStream")
    sum_stream_once = goray.golang_task("SumStreamOnce")
    sum_py_stream = goray.golang_task("SumPyStream")
    expected = n * (n - 1) // 2

    cases = {
        "first": (first_item(lambda: count_up.remote(n)), first_item(lambda: py_count_up.remote(n)), False),
        "items": (whole_stream(lambda: count_up.remote(n), n),
                  whole_stream(lambda: py_count_up.remote(n), n), True),
        "values": (whole_stream(lambda: goray.stream(count_up, n), n, _value),
                   whole_stream(lambda: py_count_up.remote(n), n), True),
        "slow": (first_item(lambda: slow_count.remote(slow_n, ms)),
                 first_item(lambda: py_slow_count.remote(slow_n, ms)), False),
        "cpp": (consumer(lambda: sum_stream.remote(n), expected),
                consumer(lambda: py_sum_stream.remote(n), expected), True),
        "cpp_once": (consumer(lambda: sum_stream_once.remote(n), expected),
                     consumer(lambda: py_sum_stream_once.remote(n), expected), True),
        "cpp_py": (consumer(lambda: sum_py_stream.remote(n), expected),
                   consumer(lambda: py_sum_stream.remote(n), expected), True),
    }
    for ours, theirs, _ in cases.values():  # warm-up: workers started, code loaded
        ours(), theirs()

    ratios = {}
    cpu_ratios = {}
    meter = CpuMeter()

    def metered(run, cpu):
        """run, with the whole local Ray session's CPU seconds of each call kept in cpu."""
        def call():
            elapsed, _, session = meter.measured(run)
            cpu.append(session)
            return elapsed
        return call

    print(f"(medians of {options.rounds} rounds; {os.cpu_count()} cores; {n} items, "
          f"SlowCount {slow_n} x {ms} ms; CPU: the whole local Ray session's per item, "
          f"ratio Python / C++)")
    for name, (ours_run, theirs_run, rate) in cases.items():
        ours_cpu, theirs_cpu = [], []
        ours, theirs = interleaved((metered(ours_run, ours_cpu), metered(theirs_run, theirs_cpu)),
                                   options.rounds)
        mine, plain = statistics.median(ours), statistics.median(theirs)
        if rate:
            count = n
            ratios[name] = (count / mine) / (count / plain)
            cpu_mine, cpu_plain = statistics.median(ours_cpu) / count, statistics.median(theirs_cpu) / count
            cpu_ratios[name] = cpu_plain / cpu_mine
            print(f"{name:7} C++ {count / mine:10.0f} items/s   Python {count / plain:10.0f} items/s   "
                  f"ratio {ratios[name]:.2f}  {spread(ours, theirs, True)}   "
                  f"CPU {cpu_mine * 1e6:5.0f} vs {cpu_plain * 1e6:5.0f} us/item ({cpu_ratios[name]:.2f})")
        else:
            ratios[name] = mine / plain
            print(f"{name:7} C++ {mine * 1e3:8.2f} ms to the first item   Python {plain * 1e3:8.2f} ms   "
                  f"ratio {ratios[name]:.2f}  {spread(ours, theirs, False)}")
    ray.shutdown()
    print("streaming ratio " + " ".join(f"{name}={value:.2f}" for name, value in ratios.items()))
    print("streaming cpu ratio " + " ".join(f"{name}={value:.2f}" for name, value in cpu_ratios.items()))


if __name__ == "__main__":
    main()
