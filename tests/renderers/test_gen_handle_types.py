"""The generated handle classes are Ray actor handles for type checkers (issue 39 §5.3):
what NAME.Type.remote() returns is a ray.actor.ActorHandle at run time, so the stubs
derive each _Handle_* class from it, and a user's file passing handles wherever Ray
takes one (ray.kill, a function or a list typed with ActorHandle, beside what
ray.get_actor returns) checks clean under mypy --strict and pyright strict; a misspelt
method still fails, though Ray's ActorHandle answers any attribute (its __getattr__).

Checked against the Ray of .venv (the newest supported, whose ActorHandle is generic) and,
when its virtualenv is there (scripts/test-ray-versions.sh --oldest makes it), the oldest
supported Ray, 2.40.0, whose ActorHandle is not generic: the same stubs serve both. Uses
the golden stubs (tests/golden/<case>/), so no build."""

from __future__ import annotations

import os
import pathlib
import re
import sys
from typing import Dict, List

import pytest

from conftest import GOLDEN, ROOT, copy_stubs, mypy_cache_args, run, stub_files

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from pyright_runner import pyright as run_pyright  # noqa: E402

MYPY = pathlib.Path(sys.executable).parent / "mypy"
OLDEST = "2.40.0"  # goray._ray.releases.FIRST

# {handle_type}: ActorHandle[Any] where Ray's ActorHandle is generic, ActorHandle where it
# is not (2.40: a type argument there is an error of the user's file, not of the stubs).
USE = """\
# pyright: strict
from typing import Any

import ray
from ray.actor import ActorHandle

import app
import refs

counter = app.Counter.remote(1)
n: ray.ObjectRef[int] = counter.Incr.remote(2)


def stop(handle: {handle_type}) -> None:
    # (pyright strict calls ray.kill itself partially unknown on Rays whose ActorHandle is
    # generic, whatever its argument: Ray's annotation leaves out the type argument.)
    ray.kill(handle, no_restart=True)  # pyright: ignore[reportUnknownMemberType]


def first(handles: list[{handle_type}]) -> {handle_type}:
    return handles[0]


spawned = ray.get(refs.Spawn.remote(1))                  # a handle as a task's result
absorbed: ray.ObjectRef[int] = spawned.Absorb.remote(refs.Counter.remote(2))
ray.kill(counter)  # pyright: ignore[reportUnknownMemberType]
ray.kill(app.Counter.options(name="c").remote(0))  # pyright: ignore[reportUnknownMemberType]
stop(spawned)
handles: list[{handle_type}] = [counter, spawned, ray.get_actor("c")]  # pyright: ignore[reportUnknownMemberType]
stop(first(handles))
print(n, absorbed, Any)
"""

BAD = "import app\napp.Counter.remote(1).Decr.remote(1)\n"

CASES = ("app", "refs")


def rays() -> List[pytest.param]:
    oldest = ROOT / f".venv-ray-{OLDEST}" / "bin" / "python"
    return [pytest.param((pathlib.Path(sys.executable), "ActorHandle[Any]", "newest"), id="newest"),
            pytest.param((oldest, "ActorHandle", OLDEST), id=OLDEST, marks=pytest.mark.skipif(
                not oldest.is_file(), reason=f"no .venv-ray-{OLDEST}: run "
                "bash scripts/test-ray-versions.sh --oldest to make it"))]


@pytest.fixture(params=rays())
def user_dir(request, tmp_path) -> Dict[str, object]:
    python, handle_type, ray = request.param
    for case in CASES:
        copy_stubs(GOLDEN / case, case, tmp_path)
    (tmp_path / "use.py").write_text(USE.format(handle_type=handle_type))
    (tmp_path / "bad.py").write_text(BAD)
    return {"dir": tmp_path, "python": python, "ray": ray}


def mypy(user: Dict[str, object], *files: str):
    work = user["dir"]
    assert isinstance(work, pathlib.Path)
    result = run([str(MYPY), "--strict", "--no-error-summary",
                  f"--python-executable={user['python']}",
                  *mypy_cache_args(f"handles-{user['ray']}"), *files], cwd=work,
                 env={**os.environ, "MYPYPATH": str(work)})
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result


def pyright(user: Dict[str, object], *files: str):
    return run_pyright(user["dir"], *files, python=user["python"])


def stubs() -> List[str]:
    return [name for case in CASES for name in stub_files(case) if name.endswith(".pyi")]


def test_handles_pass_where_ray_takes_an_actor_handle_under_mypy(user_dir):
    result = mypy(user_dir, *stubs(), "use.py")
    assert result.stdout == "", result.stdout


def test_handles_pass_where_ray_takes_an_actor_handle_under_pyright(user_dir):
    result = pyright(user_dir, *stubs(), "use.py")
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout


def test_a_misspelt_method_still_fails(user_dir):
    result = mypy(user_dir, "bad.py")
    assert re.search(r'bad\.py:2: error: "_Handle_Counter" has no attribute "Decr"',
                     result.stdout), result.stdout
    result = pyright(user_dir, "bad.py")
    assert result.returncode == 1, result.stdout
    assert 'Cannot access attribute "Decr" for class "_Handle_Counter"' in result.stdout
