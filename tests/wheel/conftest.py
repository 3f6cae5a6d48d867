"""Shared by the wheel's tests: the wheel built once per session (scripts/build-wheel.sh)
and a throwaway virtualenv that has only that wheel and what pip installs with it.

Nothing here imports goray: the tests run the installed package in subprocesses, so the
checkout's own goray (the editable install in .venv) never stands in for the wheel's.
Set GORAY_TEST_WHEEL=/path/to/goray_cpp-*.whl to test an already built wheel."""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import pytest

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


def build_wheel(script: Path) -> Path:
    """Runs the wheel's build script; its last stdout line must be the wheel's path. A
    failure shows the script's output."""
    result = subprocess.run(["bash", str(script)], cwd=REPO, env=clean_environment(),
                            text=True, capture_output=True, timeout=3 * 3600)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        pytest.fail(f"bash {script} exited {result.returncode} (its last stdout line "
                    f"should be the wheel's path):\n--- stdout ---\n{result.stdout[-6000:]}\n"
                    f"--- stderr ---\n{result.stderr[-6000:]}", pytrace=False)
    path = Path(lines[-1].strip())
    if not (path.is_file() and path.name.endswith(".whl")):
        pytest.fail(f"bash {script}: its last stdout line {lines[-1]!r} is not a wheel file; "
                    f"stdout:\n{result.stdout[-4000:]}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def wheel_path() -> Path:
    """The wheel scripts/build-wheel.sh builds, or $GORAY_TEST_WHEEL's."""
    given = os.environ.get("GORAY_TEST_WHEEL")
    if given:
        path = Path(given).resolve()
        assert path.is_file(), f"GORAY_TEST_WHEEL={given}: no such file"
        return path
    return build_wheel(REPO / "scripts" / "build-wheel.sh")


@pytest.fixture(scope="session")
def wheel_venv(wheel_path: Path, tmp_path_factory: pytest.TempPathFactory) -> WheelVenv:
    """A fresh venv with `pip install <wheel>`: pip takes Ray, msgpack and Jinja2 from
    PyPI or its cache. Built from this interpreter's base Python (the wheel is cp311)."""
    root = tmp_path_factory.mktemp("wheel-venv") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(root)
    created = WheelVenv(root=root, python=root / "bin" / "python",
                        env=clean_environment(first_on_path=root / "bin"))
    created.env["VIRTUAL_ENV"] = str(root)
    created.run([created.python, "-m", "pip", "install", "--disable-pip-version-check",
                 "--quiet", wheel_path], timeout=1800)
    return created
