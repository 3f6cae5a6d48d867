"""A local Ray (127.0.0.1) on CPython 3.14 with Ray 2.60: the README's application
(examples/rayapp/app.cpp, in tests/py314/project's py314app), built against the cp314
wheel, run by `goray --py-defs` with the example's app.py: its C++ driver
calls a C++ task, a C++ actor and a Python task on Ray, and Python calls them back (C++
tasks and actors from Python, on Ray and in-process)."""
from __future__ import annotations

from conftest import BIN, REPO, library, run

RAYAPP = REPO / "examples" / "rayapp"


def test_the_readme_application_runs_on_a_local_ray(project):
    result = run([BIN / "goray", "--py-defs", "app.py", library(project, "py314app")],
                 cwd=RAYAPP, timeout=300)
    lines = result.stdout.splitlines()
    for expected in ("C++ driver: Square(2)=4 Divide(16,5)=3,1 Counter=3 square(8) in Python=64 "
                     "Storage[answer]=42",
                     "  Python -> C++ task:     Square(3) = 9.0",
                     "  Python -> C++ actor:    Counter.Incr(1) = 1",
                     "  Python -> C++ in-process: Square(4) = 16.0",
                     "  Python -> C++ local actor: Counter(5).Incr(1) = 6"):
        assert expected in lines, (result.stdout, result.stderr[-4000:])
