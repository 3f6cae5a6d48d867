"""A Python driver on the 2-node cluster of tests/ray/test_cluster_values.py: refs inside
a list and a dict, and actor handles (a Python actor's and a C++ actor's), passed to C++
tasks pinned to node b, which read or call them there; a ref made on node b inside a
result, read here. Prints "OK <check>" or "FAIL <check>: <detail>" per check and exits 1
on any failure.

    RAY_ADDRESS=... python cluster_values_driver.py LIBRARY DEFS
"""
import sys

import ray

import goray

ON_A = {"resources": {"node_a": 0.01}}
ON_B = {"resources": {"node_b": 0.01}}


def main() -> int:
    library, defs_path = sys.argv[1:3]
    goray.init(library, defs_path, cluster=True)
    from goray import _process_setup
    defs = _process_setup.import_py_defs(defs_path)
    failures = []

    def check(ok: bool, what: str, detail: object = "") -> None:
        print(("OK " if ok else "FAIL ") + what + ("" if ok else f": {detail}"), flush=True)
        if not ok:
            failures.append(what)

    node_a = ray.get(goray.golang_task("Node", **ON_A).remote())
    node_b = ray.get(goray.golang_task("Node", **ON_B).remote())
    check(node_a != node_b, "the two resources are on two nodes", (node_a, node_b))

    produce_a = goray.golang_task("Produce", **ON_A)
    refs = [ray.put(1), ray.put(2), produce_a.remote(3)]
    seen = ray.get(goray.golang_task("SumRefs", **ON_B).remote(refs))
    check(seen == {"node": node_b, "value": "6", "count": "3"}, "a list of refs read on node b", seen)

    job = {"input": produce_a.remote(5), "scale": 3, "label": "job"}
    seen = ray.get(goray.golang_task("RunJob", **ON_B).remote(job))
    check(seen == {"node": node_b, "value": "15", "label": "job"}, "a dict's ref read on node b", seen)

    back = ray.get(goray.golang_task("WrapHere", **ON_B).remote(11))
    check(isinstance(back["input"], ray.ObjectRef) and back["label"] == node_b
          and ray.get(back["input"]) == 11, "a ref made on node b, in a result, read here", back)

    call_actor = goray.golang_task("CallActor", **ON_B)
    py_counter = defs.PyCounter.options(**ON_A).remote()
    seen = ray.get(call_actor.remote(py_counter, "add", 6))
    check(seen["node"] == node_b and seen["value"] == "6" and seen["native"] == "0",
          "a Python actor's handle called from a C++ task on node b", seen)
    check(ray.get(py_counter.add.remote(0)) == 6, "the Python actor saw the call from node b")

    cpp_counter = goray.golang_actor_class("Counter", **ON_A).remote()
    seen = ray.get(call_actor.remote(cpp_counter, "Add", 4))
    check(seen["node"] == node_b and seen["value"] == "4" and seen["native"] == "1"
          and seen["type"] == "Counter", "a C++ actor's handle called from a C++ task on node b", seen)
    check(ray.get(cpp_counter.Add.remote(0)) == 4 and ray.get(cpp_counter.Node.remote()) == node_a,
          "the C++ actor on node a saw the call from node b")
    ray.shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
