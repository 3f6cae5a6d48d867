"""Shared by the wheel's tests: the wheels built once per session (scripts/build-wheel.sh,
one per supported CPython) and, per CPython, a throwaway virtualenv where pip picked its
wheel from those alone and took what it needs from PyPI.

Nothing here imports goray: the tests run the installed package in subprocesses, so the
checkout's own goray (the editable install in .venv) never stands in for the wheel's.
Set GORAY_TEST_WHEEL=/path/to/goray_cpp-*.whl[:...] to test wheels already built."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import tiers  # noqa: E402
import ray_leftovers  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEV_VENV_BIN = REPO / ".venv" / "bin"
# The variables that would let the checkout (or another environment) stand in for the wheel;
# every GORAY_* too (GORAY_CMAKE_DIR, GORAY_SCAN, ...): a test sets the ones it needs.
LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP",
                   "PIP_REQUIRE_VIRTUALENV", "CONDA_PREFIX")


def clean_path(path: str, first: Optional[Path] = None) -> str:
    """PATH without the checkout's .venv/bin, with `first` in front when given."""
    kept = [entry for entry in path.split(os.pathsep)
            if entry and Path(entry).resolve() != DEV_VENV_BIN.resolve()]
    return os.pathsep.join(([str(first)] if first else []) + kept)


def clean_environment(first_on_path: Optional[Path] = None) -> Dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in LEAKY_VARIABLES and not key.startswith("GORAY_")}
    environment["PATH"] = clean_path(os.environ.get("PATH", ""), first_on_path)
    environment["RAY_USAGE_STATS_ENABLED"] = "0"
    # Every Ray these tests start stays on 127.0.0.1 (`ray start` otherwise replaces
    # --node-ip-address=127.0.0.1 by the machine's outward address).
    environment["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return environment


def run(command: List[str], env: Dict[str, str], cwd: Optional[Path] = None,
        timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
    """Runs a command, text output captured; with check, a failure shows both outputs."""
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                            capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} (in {cwd or os.getcwd()}) exited "
                    f"{result.returncode}:\n--- stdout ---\n{result.stdout[-4000:]}\n"
                    f"--- stderr ---\n{result.stderr[-4000:]}", pytrace=False)
    return result


@dataclass
class WheelVenv:
    """A virtualenv with the wheel installed. `env` is the environment to run its
    commands in: its bin first on PATH, nothing of the checkout's .venv."""
    root: Path
    python: Path
    env: Dict[str, str] = field(default_factory=dict)

    def bin(self, name: str) -> Path:
        return self.root / "bin" / name

    def run(self, command: List[str], cwd: Optional[Path] = None, timeout: float = 900,
            check: bool = True) -> subprocess.CompletedProcess:
        return run(command, self.env, cwd=cwd, timeout=timeout, check=check)

    def run_python(self, code: str, cwd: Optional[Path] = None) -> str:
        """The stripped stdout of `python -c code` in this venv."""
        return self.run([self.python, "-c", code], cwd=cwd).stdout.strip()

    @property
    def package_dir(self) -> Path:
        """The installed goray package (site-packages/goray)."""
        return Path(self.run_python("import goray, os; print(os.path.dirname(goray.__file__))"))


# The CPython versions the wheels are built for (scripts/build-wheel.sh's SUPPORTED).
SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
# The platform tag docs/install.md promises (scripts/build-wheel.sh's --plat).
PLATFORM_TAG = "manylinux_2_34_x86_64"
THIS_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
WHEEL_NAME = re.compile(r"goray_cpp-[^-]+-cp3(\d+)-[^-]+-[^-]+\.whl")


def each_python() -> List:
    """SUPPORTED_PYTHONS as pytest parameters: this Python's wheel in tier 1 (the one it
    builds), the others in tier 2 (tests/tiers.py)."""
    return [pytest.param(version, marks=() if version == THIS_PYTHON else pytest.mark.tier2)
            for version in SUPPORTED_PYTHONS]


def python_of_wheel(path: Path) -> str:
    """The CPython version ("3.X") a wheel is for, from its file name's tag."""
    match = WHEEL_NAME.fullmatch(path.name)
    if not match:
        pytest.fail(f"{path.name} is not a goray_cpp wheel's file name", pytrace=False)
    return f"3.{match.group(1)}"


def build_wheels(script: Path, *arguments: str) -> Dict[str, Path]:
    """Runs the wheels' build script; the last lines of its stdout must be the wheels'
    paths, one a line. Returns them by CPython version. A failure shows its output."""
    result = subprocess.run(["bash", str(script), *arguments], cwd=REPO, env=clean_environment(),
                            text=True, capture_output=True, timeout=3 * 3600)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        pytest.fail(f"bash {script} exited {result.returncode} (its last stdout lines "
                    f"should be the wheels' paths):\n--- stdout ---\n{result.stdout[-6000:]}\n"
                    f"--- stderr ---\n{result.stderr[-6000:]}", pytrace=False)
    wheels: Dict[str, Path] = {}
    for line in reversed(lines):
        path = Path(line.strip())
        if not line.strip().endswith(".whl"):
            break
        if not path.is_file():
            pytest.fail(f"bash {script}: its stdout line {line!r} is not a wheel file; "
                        f"stdout:\n{result.stdout[-4000:]}", pytrace=False)
        wheels[python_of_wheel(path)] = path
    if not wheels:
        pytest.fail(f"bash {script}: its last stdout line {lines[-1]!r} is not a wheel file; "
                    f"stdout:\n{result.stdout[-4000:]}", pytrace=False)
    return dict(sorted(wheels.items()))


def interpreters() -> Dict[str, Path]:
    """The supported CPython interpreters on this machine, as build-wheel.sh finds them."""
    listed = subprocess.run(["bash", str(REPO / "scripts" / "build-wheel.sh"), "--list-pythons"],
                            cwd=REPO, env=clean_environment(), text=True, capture_output=True,
                            check=True).stdout
    return {version: Path(path) for version, path in
            (line.split(" ", 1) for line in listed.splitlines() if line.strip())}


def require_python(version: str) -> Path:
    """This machine's CPython `version`: a skip where it has none, a failure in CI (whose
    machine has 3.10 to 3.13: docs/install.md's matrix is what CI runs)."""
    found = interpreters().get(version)
    if found is None:
        message = f"no CPython {version} on PATH or under pyenv"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must test every supported Python)", pytrace=False)
        pytest.skip(message)
    return found


# Where run-tests.sh wants this run's wheels listed (links to them), for the stages that
# install a wheel the wheel stage built (py314: each wheel is built once a run).
RUN_WHEELS_ENV = "GORAY_RUN_WHEELS"


def share_with_the_run(wheels: Dict[str, Path]) -> None:
    folder = os.environ.get(RUN_WHEELS_ENV)
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for path in wheels.values():
        link = Path(folder) / path.name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(path)


@pytest.fixture(scope="session")
def wheels() -> Dict[str, Path]:
    """The wheels scripts/build-wheel.sh builds, by CPython version: tier 1's run builds
    this Python's alone (cp311), tier 2 every supported CPython's found here; or the ones of
    $GORAY_TEST_WHEEL (paths separated by os.pathsep)."""
    given = os.environ.get("GORAY_TEST_WHEEL")
    if given:
        paths = [Path(part).resolve() for part in given.split(os.pathsep) if part]
        missing = [str(path) for path in paths if not path.is_file()]
        assert not missing, f"GORAY_TEST_WHEEL: no such file {missing}"
        return {python_of_wheel(path): path for path in paths}
    only_this_python = ("--python", THIS_PYTHON) if tiers.tier() == 1 else ()
    built = build_wheels(REPO / "scripts" / "build-wheel.sh", *only_this_python)
    share_with_the_run(built)
    return built


@pytest.fixture(scope="session")
def wheel_path(wheels: Dict[str, Path]) -> Path:
    """The wheel of the Python running the tests (3.11, .venv's)."""
    if THIS_PYTHON not in wheels:
        pytest.fail(f"no wheel for CPython {THIS_PYTHON} among {sorted(wheels)}", pytrace=False)
    return wheels[THIS_PYTHON]


@pytest.fixture(scope="session")
def dist_alone(wheels: Dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the built wheels and nothing else, as dist/ is for a user."""
    directory = tmp_path_factory.mktemp("dist")
    for path in wheels.values():
        (directory / path.name).symlink_to(path)
    return directory


def install_commands() -> List[str]:
    """docs/install.md's commands making a project's virtualenv with the wheel."""
    text = (REPO / "docs" / "install.md").read_text(encoding="utf-8")
    blocks = [block for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)
              if "pip install" in block and "-m venv" in block]
    assert len(blocks) == 1, f"docs/install.md: {len(blocks)} sh blocks make a venv with pip"
    return [line for line in blocks[0].splitlines() if line.strip()]


# uv (scripts/lib.sh installs it for the set-up) puts a wheel's dependencies into a test
# venv in seconds from its cache; pip takes minutes for Ray's files. GORAY_UV=pip: pip does all.
UV = REPO / ".tools" / "uv" / "bin" / "uv"


def uv() -> Optional[Path]:
    return UV if UV.is_file() and os.environ.get("GORAY_UV", "uv") != "pip" else None


def wheel_requirements(wheel: Path, extras: Tuple[str, ...] = ("numpy",)) -> List[str]:
    """The wheel's Requires-Dist: the unconditional ones and those of `extras`."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    wanted = []
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        requirement, _, marker = line.split(":", 1)[1].strip().partition(";")
        extra = re.search(r'extra\s*==\s*"([^"]+)"', marker)
        if extra is None or extra.group(1) in extras:
            wanted.append(requirement.strip())
    return wanted


def install_with_uv(venv: "WheelVenv", requirements: List[str]) -> None:
    """`pip install requirements` into the venv through uv, when there (else nothing: the
    following pip command installs them itself)."""
    found = uv()
    if found is not None and requirements:
        venv.run([found, "pip", "install", "--quiet", "--python", venv.python, *requirements],
                 timeout=900)


def make_wheel_venv(python: Path, root: Path, dist: Path) -> WheelVenv:
    """A fresh venv of `python` where pip picked goray-cpp from `dist` alone by its tags
    (no index, no dependencies), then docs/install.md's own commands, run as written but
    for the interpreter and the dist directory, which take Ray, msgpack, Jinja2 and NumPy
    from PyPI or its cache."""
    commands = install_commands()
    assert commands[0] == "python3 -m venv .venv", commands
    assert "/path/to/goray/dist" in commands[1], commands
    run([python, "-m", "venv", "--clear", root], env=clean_environment())
    created = WheelVenv(root=root, python=root / "bin" / "python",
                        env=clean_environment(first_on_path=root / "bin"))
    created.env["VIRTUAL_ENV"] = str(root)
    created.run([created.python, "-m", "pip", "install", "--disable-pip-version-check",
                 "--quiet", "--no-index", "--no-deps", "--find-links", dist, "goray-cpp"],
                timeout=600)
    # The dependencies first, by uv: the documented pip line then resolves the same
    # requirements and finds them installed.
    install_with_uv(created, wheel_requirements(next(dist.glob("*.whl"))))
    documented = commands[1].replace(".venv/bin/", f"{root}/bin/").replace(
        "/path/to/goray/dist", str(dist))
    created.run(["bash", "-c", f"set -euo pipefail; {documented} --quiet"], timeout=1800)
    return created


@pytest.fixture(scope="session")
def wheel_venvs(dist_alone: Path, wheels: Dict[str, Path],
                tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], WheelVenv]:
    """venv_for(version): a venv of that CPython with goray-cpp from dist/ alone, made
    once per session; a skip (a failure in CI) where the machine has no such Python."""
    made: Dict[str, WheelVenv] = {}

    def venv_for(version: str) -> WheelVenv:
        if version not in made:
            python = require_python(version)
            if version not in wheels:
                pytest.fail(f"CPython {version} is here ({python}) but no wheel was built "
                            f"for it: {sorted(wheels)}", pytrace=False)
            root = tmp_path_factory.mktemp(f"wheel-venv-cp{version.replace('.', '')}") / "venv"
            made[version] = make_wheel_venv(python, root, dist_alone)
        return made[version]

    return venv_for


@pytest.fixture(scope="session")
def wheel_venv(wheel_venvs: Callable[[str], WheelVenv], wheel_path: Path) -> WheelVenv:
    """The venv of the Python running the tests, with its wheel (cp311)."""
    return wheel_venvs(THIS_PYTHON)


def pytest_configure(config):
    tiers.register(config)
    ray_leftovers.note_session_start()


def pytest_sessionfinish(session):
    ray_leftovers.clean_up_after_session()


def pytest_collection_modifyitems(config, items):
    tiers.deselect(config, items)
