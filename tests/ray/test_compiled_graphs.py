"""C++ actor methods in ray.dag graphs from Python, classic (dag.execute) and compiled
(experimental_compile): a two-stage pipeline, a C++ stage beside a Python one, a NumPy
array, a C++ exception, teardown with the actors alive (docs/graphs.md, "Compiled
graphs (ray.dag)"). The actors are shared by the module: each test tears its compiled
graphs down before the next compiles on the same actors, as Ray asks."""
import contextlib
import pathlib
import warnings

import numpy as np
import pytest
import ray
import ray.exceptions
from ray.dag import InputNode, MultiOutputNode

import goray

from goray._ray.compat import releases

# In the subset of scripts/test-ray-versions.sh, every Ray release's; skipped where goray
# refuses compiled graphs from C++ (Ray 2.40-2.42: Ray's teardown waits for ever after a
# value outgrew the channels, with Python's actors as with these; test_graphs_cpp.py
# checks the refusal).
pytestmark = [pytest.mark.ray_versions, pytest.mark.skipif(
    not next(f for f in releases.FEATURES if f.name.startswith("compiled graphs")).present(),
    reason="Ray before 2.43: its compiled graphs never tear down after a value outgrew "
           "the channels")]


@pytest.fixture(scope="module")
def stages(lib, defs):
    stage = goray.golang_actor_class("GraphStage")
    first, second = stage.remote(1), stage.remote(10)
    python = defs.PyGraphStage.remote(100)
    yield first, second, python
    for actor in (first, second, python):
        ray.kill(actor)


@contextlib.contextmanager
def compiled(dag):
    graph = dag.experimental_compile()
    try:
        yield graph
    finally:
        graph.teardown()


def classic(dag, *inputs):
    with warnings.catch_warnings():  # Ray 2.60 deprecates DAGNode.execute()
        warnings.simplefilter("ignore")
        return ray.get(dag.execute(*inputs))


def test_a_two_stage_pipeline_of_cpp_actors(stages):
    first, second, _ = stages
    with InputNode() as inp:
        dag = second.Step.bind(first.Step.bind(inp))
    assert classic(dag, 1) == 12
    with compiled(dag) as graph:
        assert [ray.get(graph.execute(x)) for x in range(20)] == [x + 11 for x in range(20)]
        # Several executions in flight, read in order.
        refs = [graph.execute(x) for x in range(5)]
        assert ray.get(refs) == [x + 11 for x in range(5)]


def test_a_cpp_actor_beside_a_python_actor_with_a_constant_and_two_outputs(stages):
    first, second, python = stages
    with InputNode() as inp:
        a = first.Step.bind(inp)
        p = python.step.bind(a)               # C++ result into a Python stage
        b = second.Add.bind(p, 1000)          # and back, with a constant argument
        # (An output no other stage reads: Ray 2.40 refuses one read by both.)
        dag = MultiOutputNode([b, second.Step.bind(inp)])
    assert classic(dag, 2) == [1103, 12]
    with compiled(dag) as graph:
        assert ray.get(graph.execute(2)) == [1103, 12]
        assert ray.get(graph.execute(-5)) == [1096, 5]


def test_a_numpy_array_through_a_compiled_graph(stages):
    first, second, python = stages
    with InputNode() as inp:
        dag = python.scale.bind(second.Scale.bind(first.Scale.bind(inp)))
    data = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(classic(dag, data), data * 1000)
    with compiled(dag) as graph:
        # A copy: before Ray 2.44 the array read is a view of the output channel, which
        # the next execution cannot write while the view lives.
        out = np.array(ray.get(graph.execute(data)))
        assert out.dtype == np.float64 and out.shape == (2, 3)
        np.testing.assert_array_equal(out, data * 1000)
        big = np.ones(1 << 20)  # 8 MiB: Ray grows the channels' buffers
        assert float(ray.get(graph.execute(big)).sum()) == 1000.0 * (1 << 20)


def test_a_cpp_exception_inside_a_graph_reaches_the_caller_as_in_a_classic_call(stages):
    first, second, _ = stages
    with InputNode() as inp:
        dag = second.Step.bind(first.Check.bind(inp))
    with pytest.raises(goray.NativeError) as classic_error:
        classic(dag, -3)
    with compiled(dag) as graph:
        with pytest.raises(goray.NativeError) as compiled_error:
            ray.get(graph.execute(-3))
        assert ray.get(graph.execute(3)) == 13  # the graph goes on after a failure
    for error in (classic_error.value, compiled_error.value):
        # The same class as a classic .remote() call's: Ray's task error and goray's.
        assert isinstance(error, ray.exceptions.RayTaskError)
        assert (error.type, error.message, error.task) == (
            "std::invalid_argument", "negative input -3", "GraphStage.Check")
    with pytest.raises(goray.NativeError) as remote_error:
        ray.get(first.Check.remote(-3))
    # Ray makes the dual class per error: the same name and bases, not the same object.
    assert type(remote_error.value).__name__ == type(compiled_error.value).__name__ == \
        "RayTaskError(NativeError)"


def test_teardown_leaves_the_actors_usable_and_compilable_again(stages):
    first, second, _ = stages
    with InputNode() as inp:
        dag = second.Step.bind(first.Step.bind(inp))
    before = ray.get(first.Calls.remote())
    graph = dag.experimental_compile()
    assert ray.get(graph.execute(0)) == 11
    pending = graph.execute(1)  # unread at teardown
    graph.teardown()
    del pending
    assert ray.get(first.Step.remote(5)) == 6   # ordinary calls run again
    assert ray.get(first.Calls.remote()) in (before + 2, before + 3)  # the unread one may have run
    with InputNode() as inp:                    # Ray compiles a DAG object once:
        dag_again = second.Step.bind(first.Step.bind(inp))  # the same actors, a new one
    with compiled(dag_again) as again:
        assert ray.get(again.execute(2)) == 13
    with pytest.raises(ValueError, match="not allowed to call `experimental_compile` on the same DAG"):
        dag.experimental_compile()
    with pytest.raises(ray.exceptions.RayChannelError):
        graph.execute(1)                        # Ray's own error after teardown


def test_the_example_of_graphs_md_runs_as_written(lib):
    page = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "graphs.md").read_text()
    section = page.split("# Compiled graphs (ray.dag)", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "docs/graphs.md (Compiled graphs)", "exec"), {})  # its asserts check it
