"""Every supported CPython from a user's side (docs/install.md's support matrix): per
interpreter, a venv where pip picked goray-cpp's wheel from dist/ alone by its tags
(conftest.py), then the README's application built with find_package + goray_add_app and
run on a loopback Ray, goray-gen standalone (writing the same files under every Python), and
the generated stubs checked by mypy under that interpreter.

The compilers are paired with the interpreters rather than crossed with them: what the
user's compiler decides (the library's code, its C++ ABI against the wheel's runtime
archive) does not depend on the Python that loads the library through the C ABI, and what
the Python decides (its wheel, fast path and package) does not depend on the compiler. So
each interpreter runs one compiler's build, and each compiler is run by two interpreters
(the oldest and a newer one): every value of both is covered in four Ray runs, not eight.

The venvs are the session's (conftest.wheel_venvs): 3.11's is the one test_install.py
uses too. Where this machine has no such Python the tests skip, and fail in CI."""
from __future__ import annotations

import filecmp
import re
import textwrap
from pathlib import Path
from typing import Callable, Dict

import pytest

import shared_caches
from conftest import PLATFORM_TAG, SUPPORTED_PYTHONS, THIS_PYTHON, WheelVenv, install_with_uv, run
from test_install import run_commands, shell_commands, user_project, write_readme_project

# Tier 2 (bash scripts/run-tests.sh --all): every supported CPython's wheel; tier 1 builds and tests cp311's
pytestmark = pytest.mark.tier2

# The user's compilers: the C++ compiler CMake picks from $CXX at its first configure.
COMPILERS = {"g++": "g++", "clang++": "clang++-19"}
# What each compiler writes into the library's .comment section.
COMPILER_MARK = {"g++": "GCC: (", "clang++": "clang version"}
MYPY = "mypy==2.4.1"  # python/requirements-dev.txt's


@pytest.fixture(scope="module", params=SUPPORTED_PYTHONS,
                ids=[f"cp{version.replace('.', '')}" for version in SUPPORTED_PYTHONS])
def python(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def pyvenv(python: str, wheel_venvs: Callable[[str], WheelVenv]) -> WheelVenv:
    return wheel_venvs(python)


def test_pip_picked_this_pythons_wheel_and_its_fast_path_loads(pyvenv: WheelVenv, python: str):
    cp = "cp" + python.replace(".", "")
    found = pyvenv.run_python(
        "import sys, importlib.metadata as m, goray, goray._ffi as ffi\n"
        "wheel = m.distribution('goray-cpp').read_text('WHEEL')\n"
        "print('%d.%d' % sys.version_info[:2])\n"
        "print([line.split()[1] for line in wheel.splitlines() if line.startswith('Tag:')])\n"
        "module = ffi.fastpath_module()\n"
        "print(module.__file__ if module else None)\n").splitlines()
    assert found[0] == python, found
    assert found[1] == f"['{cp}-{cp}-{PLATFORM_TAG}']", found
    assert found[2].endswith(f"/goray/_fastpath.cpython-{cp[2:]}-x86_64-linux-gnu.so"), found


# Each interpreter's compiler (see the module's docstring): both compilers, each with two.
COMPILER_OF_PYTHON = {"3.10": "g++", "3.11": "clang++", "3.12": "g++", "3.13": "clang++"}


def test_the_pairing_covers_every_python_and_compiler():
    assert set(COMPILER_OF_PYTHON) == set(SUPPORTED_PYTHONS)
    for compiler in COMPILERS:
        assert list(COMPILER_OF_PYTHON.values()).count(compiler) >= 2, compiler


def test_readme_application_built_by_a_compiler_runs_on_ray(pyvenv: WheelVenv, python: str,
                                                            tmp_path: Path):
    compiler = COMPILER_OF_PYTHON[python]
    project = user_project(pyvenv, tmp_path / "rayapp")
    write_readme_project(project, with_cmake=True)
    commands = shell_commands("docs/install.md", ".venv/bin/python -m goray --cmake-dir")
    result = run_commands(pyvenv, commands, cwd=project, CXX=COMPILERS[compiler])
    library = project / "build" / "librayapp.so"
    comment = run(["readelf", "-p", ".comment", library], env=pyvenv.env).stdout
    assert COMPILER_MARK[compiler] in comment, comment
    # report(sq, py) prints Square(2.0), square(8) and Square(3.0) from Python.
    assert "4.0 64 9.0" in result.stdout.splitlines(), (result.stdout, result.stderr[-3000:])


# The stubs from a user's side: a good program passes mypy --strict, a wrong call fails.
GOOD_USE = textwrap.dedent("""\
    import ray

    import app

    ref: ray.ObjectRef[float] = app.Square.remote(2.0)
    counter = app.Counter.remote(5)
    incremented: ray.ObjectRef[int] = counter.Incr.remote(1)
    print(ref, incremented)
    """)
BAD_USE = textwrap.dedent("""\
    import app

    app.Square.remote("two")
    """)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory,
              wheel_venvs: Callable[[str], WheelVenv]) -> Callable[[WheelVenv], Path]:
    """gen_with(venv): the README application's gen/ as that venv's goray-gen wrote it."""
    def gen_with(venv: WheelVenv) -> Path:
        work = tmp_path_factory.mktemp("gen")
        write_readme_project(work / "src", with_cmake=False)
        run_commands(venv, [".venv/bin/goray-gen src/ -o gen/"], cwd=user_project(venv, work))
        return work / "gen"
    return gen_with


def test_goray_gen_writes_the_same_files_under_every_python(
        pyvenv: WheelVenv, python: str, generated: Callable[[WheelVenv], Path],
        wheel_venvs: Callable[[str], WheelVenv]):
    gen = generated(pyvenv)
    reference = generated(wheel_venvs(THIS_PYTHON)) if python != THIS_PYTHON else gen
    names = sorted(path.name for path in gen.iterdir())
    assert {"app.goray.h", "app.goray.cpp", "app.py", "app.pyi", "_app_types.pyi",
            "app.idl.json"} <= set(names)
    assert names == sorted(path.name for path in reference.iterdir())
    _, differ, errors = filecmp.cmpfiles(gen, reference, names, shallow=False)
    assert not differ and not errors, f"CPython {python} wrote other files: {differ + errors}"


def test_stubs_type_check_with_mypy_under_this_python(pyvenv: WheelVenv, python: str,
                                                      generated: Callable[[WheelVenv], Path]):
    install_with_uv(pyvenv, [MYPY])
    pyvenv.run([pyvenv.python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
                MYPY], timeout=900)
    gen = generated(pyvenv)
    (gen / "use.py").write_text(GOOD_USE)
    (gen / "bad.py").write_text(BAD_USE)
    # One mypy run checks both files: the good one must have no error, the bad one exactly
    # the wrong argument. Most of a cold run's time is reading Ray's and NumPy's types,
    # which the cache that every clone's runs share keeps (shared_caches.py; mypy keeps
    # one folder per Python version, and checks each cached module against its source).
    cache = shared_caches.mypy_cache_args("wheel-strict")
    checked = pyvenv.run([pyvenv.python, "-m", "mypy", "--strict", *cache, "use.py", "bad.py"],
                         cwd=gen, check=False)
    output = checked.stdout + checked.stderr
    assert checked.returncode == 1, output
    assert not re.search(r"^use\.py:", checked.stdout, re.M), output
    assert re.search(r'^bad\.py:3: error: Argument 1 to "remote" of "_Task_Square" has '
                     r'incompatible type "str"', checked.stdout, re.M), output
    assert re.search(r"^Found 1 error in 1 file \(checked 2 source files\)", checked.stdout,
                     re.M), output
