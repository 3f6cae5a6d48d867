"""Shared by the docs' tests: the checkout, a user's project directory, shell runs, and
in-process calls into a built application library."""
from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv"
C_ABI = {"Execute", "FreeMemory", "RegisterCallback", "GorayProtocolVersion", "GoraySetCrashReport",
         "GorayTypedEntries",
         "GorayRecoverCrashes"}


def run_shell(commands: List[str], cwd: Path, env: Optional[Dict[str, str]] = None,
              timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs the commands in one bash (so variables carry over), the checkout's
    virtualenv first on PATH (as after `source .venv/bin/activate`)."""
    script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
    environment = dict(os.environ)
    environment["PATH"] = f"{VENV / 'bin'}{os.pathsep}{environment.get('PATH', '')}"
    environment.update(env or {})
    result = subprocess.run(["bash", "-c", script], cwd=cwd, env=environment, text=True,
                            capture_output=True, timeout=timeout)
    assert result.returncode == 0, (f"{script}\nexited {result.returncode}:\n"
                                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def code_block(file: str, language: str, index: int = 0) -> str:
    """The index-th ```language block of a file of the checkout."""
    text = (REPO / file).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)[index]


def exported_symbols(library: Path) -> set:
    out = subprocess.run(["nm", "-D", "--defined-only", str(library)], check=True, text=True,
                         capture_output=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def debug_sections(library: Path) -> List[str]:
    out = subprocess.run(["readelf", "-S", "--wide", str(library)], check=True, text=True,
                         capture_output=True).stdout
    return sorted(set(re.findall(r"\.debug_\w+", out)))


def run_with_library(library: Path, code: str) -> Any:
    """Runs `code` in a fresh Python (one application library per process) after
    goray.load_library(library); `code` sets `result` to something JSON can carry."""
    script = (f"import goray, json\ngoray.load_library({str(library)!r})\n"
              f"{textwrap.dedent(code)}\nprint(json.dumps(result))\n")
    completed = subprocess.run([str(VENV / "bin" / "python"), "-c", script], text=True,
                               capture_output=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def call_in_process(library: Path, task: str, *args: Any) -> Any:
    return run_with_library(library, f"result = goray.golang_local_run_task({task!r}, *{args!r})")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's directory: `.venv` is the checkout's virtualenv, as the docs assume."""
    (tmp_path / ".venv").symlink_to(VENV, target_is_directory=True)
    return tmp_path


@pytest.fixture(scope="session")
def installed_package() -> Path:
    """docs/cmake.md's install command, run as written from the checkout (scripts/setup.sh
    runs the same): goray's CMake package in .venv, from the built tree."""
    install = re.findall(r"^cmake --install .*$", code_block("docs/cmake.md", "sh", 1), re.M)
    assert len(install) == 1, "docs/cmake.md's install block moved"
    run_shell(install, cwd=REPO)
    return VENV
