"""A Python driver on the 2-node cluster of tests/ray/test_cluster_streams.py: a C++
generator task on node b streamed to this driver (node a) and to a C++ consumer task on
node a, and a thread-safe C++ actor on node b running two calls at once. Prints
"OK <check>" or "FAIL <check>: <detail>" per check and exits 1 on any failure.

    RAY_ADDRESS=... python cluster_streams_driver.py LIBRARY DEFS
"""
import sys

import ray

import goray

ON_A = {"resources": {"node_a": 0.01}}
ON_B = {"resources": {"node_b": 0.01}}


@ray.remote
def node_id():
    return ray.get_runtime_context().get_node_id()


def main() -> int:
    library, defs_path = sys.argv[1:3]
    goray.init(library, defs_path, cluster=True)
    failures = []

    def check(ok: bool, what: str, detail: object = "") -> None:
        print(("OK " if ok else "FAIL ") + what + ("" if ok else f": {detail}"), flush=True)
        if not ok:
            failures.append(what)

    node_a = ray.get(node_id.options(**ON_A).remote())
    node_b = ray.get(node_id.options(**ON_B).remote())
    check(node_a != node_b, "the two resources are on two nodes", (node_a, node_b))

    generator = goray.golang_task("NodeItems", **ON_B).remote(3)
    items = [ray.get(ref) for ref in generator]
    check(items == [node_b] * 3, "a C++ generator on node b streamed to Python on node a", items)

    nodes = ray.get(goray.golang_task("NodesOfStream", **ON_A).remote(3, "node_b"))
    check(nodes == [node_b] * 3, "a C++ generator on node b streamed to C++ on node a", nodes)

    spinner = goray.golang_actor_class("Spinner", max_concurrency=2, **ON_B).remote()
    met = ray.get([spinner.Rendezvous.remote(2, 30.0), spinner.Rendezvous.remote(2, 30.0)])
    check(met == [True, True], "a thread-safe C++ actor on node b ran two calls at once", met)
    ray.kill(spinner)
    ray.shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
