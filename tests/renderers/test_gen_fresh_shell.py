"""The stubs' promise from a fresh shell: a user's file importing goray and a generated
stub module type-checks with .venv/bin/mypy --strict and with pyright (strict for the
user's file) with no MYPYPATH, no PYTHONPATH and no settings file, and both checkers do
see goray's and the stub's types (a wrong call fails with their message).

goray must be installed so that type checkers find it (scripts/setup.sh: an editable
install in compat mode, a path entry, not an import hook); pyright comes from npm into
.tools/pyright (scripts/setup.sh)."""

from __future__ import annotations

import os
import pathlib
import sys
import textwrap
from typing import Dict, List

import pytest

from conftest import GOLDEN, ROOT, copy_stubs, mypy_cache_args, run, stub_files

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from pyright_runner import pyright  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"

GOOD = textwrap.dedent("""\
    # pyright: strict
    import goray
    import numpy as np
    import numpy.typing as npt
    import ray

    import app
    import arrays

    library = goray.load_library("./libapp.so")
    x: float = app.local.Square(2.0)
    ref: ray.ObjectRef[float] = app.Square.remote(2.0)
    several: list[int] = ray.get(app.Divide.remote(16, 5))
    with app.local.Counter(5) as counter:
        n: int = counter.Incr(1)
    samples: npt.NDArray[np.float64] = np.arange(4.0)
    scaled: npt.NDArray[np.float64] = arrays.local.Scale(samples, 2.0)
    print(library.path, x, ref, several, n, scaled)

    from ray.dag import ClassMethodNode, InputNode
    handle = app.Counter.remote(1)
    with InputNode() as inp:
        node: ClassMethodNode = handle.Incr.bind(handle.Incr.options(name="i").bind(inp))
    print(node)  # (Ray leaves what experimental_compile returns untyped: pyright strict refuses it)
    """)

BAD = textwrap.dedent("""\
    import goray

    import app
    import arrays

    goray.load_library(3)
    app.local.Square("two")
    arrays.local.Scale("abc", 2.0)
    app.Counter.remote(1).Incr.bind("two")
    """)


def fresh_env(home: pathlib.Path, path: List[str]) -> Dict[str, str]:
    """What `env -i` leaves, plus PATH and HOME."""
    return {"PATH": os.pathsep.join(path), "HOME": str(home)}


@pytest.fixture(scope="module")
def user_dir(tmp_path_factory) -> pathlib.Path:
    """A new user's folder: their code and the stub module goray-gen wrote next to it."""
    work = tmp_path_factory.mktemp("user")
    copy_stubs(GOLDEN / "app", "app", work)
    copy_stubs(GOLDEN / "arrays", "arrays", work)
    # "types" would shadow the standard library's module.
    copy_stubs(GOLDEN / "types", "types", work, "types_")
    (work / "use.py").write_text(GOOD)
    (work / "bad.py").write_text(BAD)
    return work


def mypy(user_dir: pathlib.Path, file: str):
    return run([str(VENV_BIN / "mypy"), "--strict", *mypy_cache_args(), file], cwd=user_dir,
               env=fresh_env(user_dir, ["/usr/bin", "/bin"]))


def test_mypy_strict_passes_with_no_extra_settings(user_dir):
    result = mypy(user_dir, "use.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_mypy_sees_gorays_and_the_stubs_types(user_dir):
    result = mypy(user_dir, "bad.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Argument 1 to "load_library" has incompatible type "int"' in result.stdout
    assert ('Argument 1 to "Square" of "_Local" has incompatible type "str"; expected "float"'
            in result.stdout)
    assert ('Argument 1 to "Scale" of "_Local" has incompatible type "str"; expected '
            '"ndarray[tuple[Any, ...], dtype[float64]] | array[float] | memoryview[int] | '
            'list[Any]"') in result.stdout
    assert ('Argument 1 to "bind" of "_Method_Counter_Incr" has incompatible type "str"; '
            'expected "int | ObjectRef[int] | DAGNode"') in result.stdout
    assert "import-not-found" not in result.stdout


def test_pyright_passes_with_no_extra_settings(user_dir):
    result = pyright(user_dir, "use.py", *stub_files("app"), "types_.py", "types_.pyi",
                     "_types_types.pyi", *stub_files("arrays"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout


def test_pyright_sees_gorays_and_the_stubs_types(user_dir):
    result = pyright(user_dir, "bad.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert ('"Literal[3]" cannot be assigned to parameter "path" of type '
            '"PathLike[str] | str | None" in function "load_library"') in result.stdout
    assert ('"Literal[\'two\']" cannot be assigned to parameter "x" of type "float" in '
            'function "Square"') in result.stdout
    assert ('"Literal[\'abc\']" cannot be assigned to parameter "a" of type '
            '"NDArray[float64] | array[float] | memoryview[int] | list[Any]" in function '
            '"Scale"') in result.stdout
    assert ('"Literal[\'two\']" cannot be assigned to parameter "by" of type '
            '"int | ObjectRef[int] | DAGNode" in function "bind"') in result.stdout
    assert "could not be resolved" not in result.stdout
