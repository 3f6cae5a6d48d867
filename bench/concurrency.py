"""Concurrency on one local Ray, interleaved rounds, medians.

  spin:   a CPU-bound C++ method (raytest's Spinner.Spin, no locks) on a thread-safe
          actor created with max_concurrency=2 vs one with max_concurrency=1: --calls
          calls submitted from Python, then fetched; items/s of each. The C++ runs
          with the GIL released, so on 2 cores the ratio approaches 2.
  async:  C++ calling a Python async actor (AsyncSleeper.pause(ms) awaits asyncio.sleep):
          raytest's AsyncPauses runs in this process, on one C++ thread, and submits
          --pauses calls all at once (RemoteCall each, then Get each) vs awaiting each
          before the next; ratio = one-by-one time / in-flight time.
Last line: concurrency ratio spin=X async=Y

Usage: python bench/concurrency.py [path/to/libraytest.so] [--rounds N] [--calls N]
       [--iterations N] [--pauses N] [--ms N]
"""
import argparse
import os
import statistics

import ray

import goray
from goray import _process_setup

from rounds import interleaved, spread, timed  # bench/rounds.py, beside this script

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFS = os.path.join(ROOT, "tests", "ray", "defs.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", nargs="?", default=os.path.join(ROOT, "build", "tests", "apps", "libraytest.so"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=8, help="Spin calls per round")
    parser.add_argument("--iterations", type=int, default=20_000_000, help="Spin's loop length")
    parser.add_argument("--pauses", type=int, default=100, help="async calls per round")
    parser.add_argument("--ms", type=int, default=10, help="each async call's sleep")
    options = parser.parse_args()

    goray.init(options.library, py_defs_path=DEFS, num_cpus=2, log_to_driver=False)
    defs = _process_setup.import_py_defs(DEFS)

    spinner = goray.golang_actor_class("Spinner")
    two = spinner.options(max_concurrency=2).remote()
    one = spinner.options(max_concurrency=1).remote()
    calls, iterations = options.calls, options.iterations

    def spin(actor):
        return lambda: timed(lambda: ray.get([actor.Spin.remote(iterations) for _ in range(calls)]))

    sleeper = defs.AsyncSleeper.options(name="bench_sleeper").remote()
    pauses, ms = options.pauses, options.ms

    def async_calls(together):
        def run():
            assert goray.golang_local_run_task("AsyncPauses", "bench_sleeper", pauses, ms, together) == pauses
        return lambda: timed(run)

    for function in (spin(two), spin(one), async_calls(True), async_calls(False)):
        function()  # warm-up: workers started, code loaded

    spin_two, spin_one = interleaved((spin(two), spin(one)), options.rounds)
    in_flight, one_by_one = interleaved((async_calls(True), async_calls(False)), options.rounds)

    two_rate, one_rate = calls / statistics.median(spin_two), calls / statistics.median(spin_one)
    spin_ratio = two_rate / one_rate
    flight_time, serial_time = statistics.median(in_flight), statistics.median(one_by_one)
    async_ratio = serial_time / flight_time
    print(f"(medians of {options.rounds} rounds; {os.cpu_count()} cores)")
    print(f"spin   max_concurrency=2 {two_rate:8.2f} calls/s  max_concurrency=1 {one_rate:8.2f} calls/s  "
          f"ratio {spin_ratio:.2f}  {spread(spin_two, spin_one)}  ({calls} x Spin({iterations}))")
    print(f"async  {pauses} calls of pause({ms} ms) from one C++ thread: in flight {flight_time * 1e3:8.1f} ms  "
          f"one by one {serial_time * 1e3:8.1f} ms  ratio {async_ratio:.1f}  {spread(in_flight, one_by_one)}")
    for actor in (two, one, sleeper):
        ray.kill(actor)
    ray.shutdown()
    print(f"concurrency ratio spin={spin_ratio:.2f} async={async_ratio:.1f}")


if __name__ == "__main__":
    main()
