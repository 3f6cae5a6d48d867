"""The rest of the CPython 3.14 checks, run by `bash tests/py314/run.sh --long` (not in
CI's run: docs/maintainers/wheels.md, "How CPython 3.14 is tested"): the examples with streaming
generators and a threaded actor (concurrency), goray.map (mapping) and a Ray Serve
deployment (serving), each built against the cp314 wheel and run as
scripts/run-example.sh runs it; and the README application's generated stubs under
mypy --strict."""
from __future__ import annotations

import re
import textwrap

import pytest

from conftest import BIN, PYTHON, REPO, environment, library, run

EXAMPLES = REPO / "examples"
pytestmark = pytest.mark.long


def test_concurrency_streams_and_a_threaded_actor(project):
    lib = library(project, "concurrency")
    run([BIN / "goray", "--py-defs", "app.py", lib], cwd=EXAMPLES / "concurrency", timeout=600)
    run([PYTHON, "main.py", lib, lib.parent], cwd=EXAMPLES / "concurrency", timeout=600)


def test_mapping_with_goray_map(project):
    lib = library(project, "mapping")
    run([PYTHON, "main.py", lib, lib.parent], cwd=EXAMPLES / "mapping", timeout=600)


def test_serving_a_cpp_deployment_with_ray_serve(project):
    lib = library(project, "scoring")
    result = run([PYTHON, "main.py", lib, lib.parent], cwd=EXAMPLES / "serving", timeout=900)
    assert "HTTP config is ignored" not in result.stdout + result.stderr


def test_the_stubs_pass_mypy_strict(project, tmp_path):
    stubs = library(project, "py314app").parent
    (tmp_path / "use.py").write_text(textwrap.dedent("""\
        import ray

        import py314app

        ref: ray.ObjectRef[float] = py314app.Square.remote(2.0)
        counter = py314app.Counter.remote(5)
        incremented: ray.ObjectRef[int] = counter.Incr.remote(1)
        print(ref, incremented)
        """))
    (tmp_path / "bad.py").write_text("import py314app\n\npy314app.Square.remote(\"two\")\n")
    checked = run([PYTHON, "-m", "mypy", "--strict", "use.py", "bad.py"], cwd=tmp_path,
                  env=environment(MYPYPATH=str(stubs)), check=False, timeout=900)
    output = checked.stdout + checked.stderr
    assert checked.returncode == 1, output
    assert not re.search(r"^use\.py:", checked.stdout, re.M), output
    assert re.search(r'^bad\.py:3: error: Argument 1 to "remote" of "_Task_Square"', checked.stdout,
                     re.M), output
