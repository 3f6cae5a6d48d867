"""A Python program using concurrency.cpp through the generated stub module: a C++
generator task and method as Ray ObjectRefGenerators, and a thread-safe C++ actor with
concurrency groups.

Usage: python main.py path/to/libconcurrency.so STUBS_DIR
(STUBS_DIR holds concurrency.py/.pyi, written by goray_add_app.)
"""
import sys

import ray

import goray


def main(library: str, stubs_dir: str) -> int:
    sys.path.insert(0, stubs_dir)
    goray.init(library, py_defs_path="", num_cpus=2)
    import concurrency  # the generated stubs

    squares = concurrency.Squares.remote(4)        # a ray.ObjectRefGenerator
    print("Squares(4):", [ray.get(ref) for ref in squares])

    fetcher_class = concurrency.Fetcher
    print("Fetcher: thread-safe", fetcher_class.thread_safe, "groups",
          fetcher_class.concurrency_groups, "methods", fetcher_class.method_groups)
    fetcher = fetcher_class.options(max_concurrency=2).remote("example.org")
    met = ray.get([fetcher.Meet.remote(2) for _ in range(2)])
    print("two Meet calls ran at once:", all(met))
    print("Fetch:", ray.get([fetcher.Fetch.remote(page, 2) for page in ("a", "b")]))
    print("Pages(3):", [ray.get(ref) for ref in fetcher.Pages.remote(3)])
    print("in this process, Squares(3):", list(concurrency.local.Squares(3)))
    ray.shutdown()
    return 0 if all(met) else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
