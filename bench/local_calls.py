"""In-process call latency, both directions, as ratios to the raw ABI floor.

  py->cpp: goray.golang_local_run_task("Add", 1, 2) vs a pre-encoded RunTask
           request through ctypes Execute + FreeMemory (no encode, no decode).
  cpp->py: goray::LocalCallPyTask("add", i, 1).Get<int64_t>() vs the same
           payload sent to a bare ctypes callback that only sets the code.
Rounds interleave ours and the floor in one process; figures are medians.
Last line: local-call ratio py->cpp=X cpp->py=Y

Usage: python bench/local_calls.py path/to/libbench_local.so [--rounds N] [--calls N]
"""
import argparse
import ctypes
import statistics
import struct
import time

import msgpack

import goray

CALLBACK = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_longlong, ctypes.c_void_p, ctypes.c_longlong,
                            ctypes.POINTER(ctypes.c_longlong), ctypes.POINTER(ctypes.c_longlong))


@goray.local
def add(a, b):
    return a + b


def units(*parts: bytes) -> bytes:
    return b"".join(struct.pack("<Q", len(part)) + part for part in parts)


def per_call(function, calls: int) -> float:
    start = time.perf_counter()
    function(calls)
    return (time.perf_counter() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20000)
    options = parser.parse_args()

    goray.load_library(options.library)
    raw = ctypes.CDLL(options.library)  # the same loaded object: dlopen returns its handle
    execute, free_memory = raw.Execute, raw.FreeMemory
    execute.restype = ctypes.c_void_p
    execute.argtypes = [ctypes.c_longlong, ctypes.c_void_p, ctypes.c_longlong,
                        ctypes.POINTER(ctypes.c_longlong), ctypes.POINTER(ctypes.c_longlong)]
    free_memory.argtypes = [ctypes.c_void_p]
    request = units(b"Add", msgpack.packb(1) + msgpack.packb(2))
    out_len, code = ctypes.c_longlong(), ctypes.c_longlong()
    out_len_ref, code_ref = ctypes.byref(out_len), ctypes.byref(code)

    def raw_py_to_cpp(calls: int) -> None:
        for _ in range(calls):
            free_memory(execute(4, request, len(request), out_len_ref, code_ref))

    run_task = goray.golang_local_run_task

    def ours_py_to_cpp(calls: int) -> None:
        for _ in range(calls):
            run_task("Add", 1, 2)

    def bare(_request, _data, _length, _out_len, ret_code):
        ret_code[0] = 0
        return None

    bare_callback = CALLBACK(bare)
    bare_address = ctypes.cast(bare_callback, ctypes.c_void_p).value

    def raw_cpp_to_py(calls: int) -> None:
        run_task("CallRawCallback", bare_address, calls)

    def ours_cpp_to_py(calls: int) -> None:
        assert run_task("CallPyAdd", calls) == calls * (calls + 1) // 2

    pairs = {"py->cpp": (ours_py_to_cpp, raw_py_to_cpp), "cpp->py": (ours_cpp_to_py, raw_cpp_to_py)}
    samples = {name: ([], []) for name in pairs}
    for function_pair in pairs.values():  # warm-up
        for function in function_pair:
            function(options.calls // 10)
    for round_index in range(options.rounds):
        for name, (ours, floor) in pairs.items():
            order = [(0, ours), (1, floor)] if round_index % 2 == 0 else [(1, floor), (0, ours)]
            for slot, function in order:
                samples[name][slot].append(per_call(function, options.calls))

    ratios = {}
    print(f"{'direction':10} {'goray µs':>10} {'floor µs':>10} {'ratio':>7}  (median of {options.rounds} rounds"
          f" x {options.calls} calls; spread = min..max ratio)")
    for name, (ours, floor) in samples.items():
        ratio = statistics.median(ours) / statistics.median(floor)
        per_round = [o / f for o, f in zip(ours, floor)]
        ratios[name] = ratio
        print(f"{name:10} {statistics.median(ours) * 1e6:10.3f} {statistics.median(floor) * 1e6:10.3f} "
              f"{ratio:7.3f}  spread {min(per_round):.3f}..{max(per_round):.3f}")
    print(f"fast path: {goray._ffi.fastpath_active() if hasattr(goray._ffi, 'fastpath_active') else 'n/a'}")
    print(f"local-call ratio py->cpp={ratios['py->cpp']:.3f} cpp->py={ratios['cpp->py']:.3f}")


if __name__ == "__main__":
    main()
