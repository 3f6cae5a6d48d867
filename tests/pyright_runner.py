"""Running pyright, the pinned one scripts/setup.sh installs in .tools/pyright/, on a
user's files (a snippet and the stubs beside it) as from a fresh shell: no settings file,
an environment of PATH and HOME alone (what `env -i` leaves, plus those two).

Tests import it with tests/ on sys.path, as tests/loopback_ports.py:
    sys.path.insert(0, ...)  # tests/
    from pyright_runner import pyright  # noqa: E402
A test whose pyright or node is missing fails, saying to run scripts/setup.sh."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
from typing import Optional, Union

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYRIGHT = ROOT / ".tools" / "pyright" / "node_modules" / ".bin" / "pyright"
VENV_BIN = ROOT / ".venv" / "bin"

PathLike = Union[str, "os.PathLike[str]"]


def pyright(work: pathlib.Path, *files: str, python: Optional[PathLike] = None,
            timeout: Optional[float] = None) -> subprocess.CompletedProcess:
    """pyright on `files` in the folder `work` (also its HOME), its output as text.

    python: the interpreter whose packages pyright resolves (--pythonpath), e.g. another
    Ray's virtualenv; else PATH starts as `source .venv/bin/activate` leaves it, and
    pyright asks .venv's python for its paths."""
    if not PYRIGHT.is_file():
        pytest.fail(f"{PYRIGHT} is not installed: run bash scripts/setup.sh", pytrace=False)
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run bash scripts/setup.sh", pytrace=False)
    path = [os.path.dirname(node), "/usr/bin", "/bin"]  # (node's may not be /usr/bin)
    options = []
    if python is None:
        path.insert(0, str(VENV_BIN))
    else:
        options = ["--pythonpath", str(python)]
    return subprocess.run([str(PYRIGHT), *options, *files], cwd=work,
                          env={"PATH": os.pathsep.join(path), "HOME": str(work)},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)
