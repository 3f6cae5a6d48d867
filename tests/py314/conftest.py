"""Shared by the py314 stage's tests (scripts/run-tests.sh py314, tests/py314/run.sh):
they run inside the CPython 3.14 environment (scripts/py314-env.sh, Debian forky), under
the virtualenv that run.sh made there with the cp314 wheel and Ray 2.60 (sys.executable).

- `project`: tests/py314/project built by forky's g++ and CMake against the wheel's CMake
  package (find_package(goray) + goray_add_app), once per session.
- `run`: a command run to its end, then every process it left (Ray's, found by a marker in
  their environment) stopped by its id.

Nothing here starts a Ray itself: each Ray is a subprocess's (goray's CLI, an example's
main.py), on 127.0.0.1 with usage stats off."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import tiers  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = Path(sys.executable)
BIN = PYTHON.parent
MARKER = "GORAY_PY314_RUN"


def pytest_configure(config: pytest.Config) -> None:
    tiers.register(config)


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    tiers.deselect(config, items)


def environment(**extra: str) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GORAY_", "PYTHON")) or key == "GORAY_LONG_TESTS"}
    env.update(RAY_USAGE_STATS_ENABLED="0", PATH=f"{BIN}:{env.get('PATH', '/usr/bin:/bin')}")
    env.update(extra)
    return env


def _processes_marked(mark: str) -> List[int]:
    found = []
    needle = f"{MARKER}={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def reap(mark: str) -> List[int]:
    """Stops, by id, the processes whose environment holds this run's mark; returns them."""
    pids = _processes_marked(mark)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _processes_marked(mark):
            time.sleep(0.1)
    return pids


def run(command: Sequence[object], *, cwd: Optional[Path] = None, timeout: float = 600,
        check: bool = True, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """Runs `command` to its end (or its timeout), then stops what it left behind."""
    mark = uuid.uuid4().hex
    full_env = dict(env or environment())
    full_env[MARKER] = mark
    try:
        result = subprocess.run([str(part) for part in command], cwd=cwd, env=full_env,
                                text=True, capture_output=True, timeout=timeout)
    finally:
        reap(mark)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {result.returncode}\n--- stdout ---\n"
                    f"{result.stdout[-5000:]}\n--- stderr ---\n{result.stderr[-8000:]}",
                    pytrace=False)
    return result


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/py314/project's build folder (its libraries found by name: library())."""
    build = tmp_path_factory.mktemp("project")
    cmake_dir = run([PYTHON, "-m", "goray", "--cmake-dir"]).stdout.strip()
    run(["cmake", "-S", HERE / "project", "-B", build, f"-Dgoray_DIR={cmake_dir}",
         "-DCMAKE_BUILD_TYPE=Debug", f"-DPY314_LONG={'ON' if tiers.long_wanted() else 'OFF'}"])
    run(["cmake", "--build", build, "-j", str(os.cpu_count() or 2)], timeout=1800)
    return build


def library(project: Path, name: str) -> Path:
    found = sorted(project.rglob(f"lib{name}.so"))
    if len(found) != 1:
        pytest.fail(f"the build of tests/py314/project has {len(found)} lib{name}.so", pytrace=False)
    return found[0]
