"""A Python program driving C++ through the generated, typed stub module.

Usage: python main.py path/to/librayapp.so STUBS_DIR
(STUBS_DIR holds rayapp.py/.pyi, written by goray_add_app.)
"""
import sys

import ray

import goray


def main(library: str, stubs_dir: str) -> int:
    sys.path.insert(0, stubs_dir)
    goray.init(library, py_defs_path="", num_cpus=2)
    import rayapp  # the generated stubs: typed like golang_task / golang_actor_class

    squares = ray.get([rayapp.Square.remote(float(x)) for x in range(5)])
    print("squares:", squares)
    quotient, remainder = ray.get(rayapp.Divide.remote(17, 5))
    print("17 / 5 =", quotient, "remainder", remainder)
    counter = rayapp.Counter.remote(10)
    print("counter:", ray.get([counter.Incr.remote(i) for i in range(1, 4)]))
    goray.shutdown()  # ray.shutdown(), typed
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
