"""tests/ray/test_threaded_actors.py's tests again on the ctypes path: a driver process
with GORAY_NO_FASTPATH=1 joined to the Ray test session's Ray as a second job whose
runtime_env gives its workers GORAY_NO_FASTPATH=1 too (a job's workers are its own),
so the threaded actors' methods run through ctypes in the workers and in this process.
Prints "MODE driver=<fast path?> worker=<fast path?>", then "OK <test>" or
"FAIL <test>" with the traceback per test; exits 1 on any failure.

    RAY_ADDRESS=<the session's GCS address> GORAY_NO_FASTPATH=1 \
        python threaded_ctypes_driver.py LIBRARY DEFS
"""
import sys
import traceback

import ray

import goray
from goray import _ffi

import test_threaded_actors  # beside this script


@ray.remote
def worker_uses_fastpath() -> bool:
    _ffi.get_library()  # loaded from GORAY_BIN_PATH as the goray tasks do
    return _ffi.fastpath_active()


def main() -> int:
    library_path, defs_path = sys.argv[1:3]
    lib = goray.init(library_path, defs_path, cluster=True, namespace="raytest_ctypes",
                     runtime_env={"env_vars": {_ffi.NO_FASTPATH_ENV: "1"}})
    print(f"MODE driver={_ffi.fastpath_active()} worker={ray.get(worker_uses_fastpath.remote())}",
          flush=True)
    failed = 0
    for name in sorted(vars(test_threaded_actors)):
        test = getattr(test_threaded_actors, name)
        if not (name.startswith("test_") and callable(test)):
            continue
        try:
            test(lib)
        except BaseException:  # noqa: BLE001 - reported to the parent test
            failed += 1
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
        else:
            print(f"OK {name}", flush=True)
    ray.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
