"""docs/cluster.md's "Trying it on one machine" block, run as written: a head node by
`ray start`, the README's application staged and submitted with `ray job submit`.

What differs from the page, and why: free ports instead of 6379 and 8265 (another Ray of
this machine may hold them), a `--temp-dir` of the test's own (so its processes can be
found), a HOME of its own (where `ray start` writes the token of RAY_AUTH_MODE=token:
nothing is written into the real home), and the node stopped by its processes' ids
instead of `ray stop`, which would stop every Ray on the machine."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

import psutil
import pytest

from conftest import ROOT

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from loopback_ports import free_port  # noqa: E402

PAGE = ROOT / "docs" / "cluster.md"
APP_LIBRARY = ROOT / "build" / "examples" / "rayapp" / "librayapp.so"
APP_DEFS = ROOT / "examples" / "rayapp" / "app.py"


def one_machine_block() -> list:
    """The commands of the section's sh block, one a line."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Trying it on one machine", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"^```sh\n(.*?)^```", section, re.S | re.M)
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def stop_by_temp_dir(temp_dir: str) -> None:
    """SIGTERM, then SIGKILL, to every process whose command line names `temp_dir`."""
    ours = [process for process in psutil.process_iter(["cmdline"])
            if any(temp_dir in part for part in process.info["cmdline"] or [])]
    for process in ours:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(ours, timeout=20)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def test_the_one_machine_block_runs_as_written(tmp_path):
    if not APP_LIBRARY.is_file():
        pytest.fail(f"{APP_LIBRARY} is not built: run bash scripts/run-tests.sh", pytrace=False)
    commands = one_machine_block()
    assert commands[0].startswith("export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0"), commands
    assert commands[-1] == "ray stop", commands
    (tmp_path / "build").mkdir()
    shutil.copy(APP_LIBRARY, tmp_path / "build" / "librayapp.so")
    shutil.copy(APP_DEFS, tmp_path / "app.py")
    home = tmp_path / "home"
    home.mkdir()
    temp_dir = tempfile.mkdtemp(prefix="gdoc", dir="/tmp")  # Ray's socket paths: short
    gcs, dashboard = free_port(), free_port()
    script = "\n".join(commands[:-1])  # `ray stop`: by process ids below
    script = script.replace("--port=6379", f"--port={gcs} --temp-dir={temp_dir} "
                            f"--ray-client-server-port={free_port()} --dashboard-agent-listen-port={free_port()}")
    script = script.replace("8265", str(dashboard))
    env = {key: value for key, value in os.environ.items()
           if key not in ("RAY_ADDRESS", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "RAY_AUTH_MODE")}
    env.update(HOME=str(home), RAY_USAGE_STATS_ENABLED="0",
               PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    try:
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=420)
        # The head asks for the token: a client without it is refused.
        stranger = subprocess.run(["ray", "job", "list", "--address", f"http://127.0.0.1:{dashboard}"],
                                  env={**env, "HOME": str(tmp_path)}, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=120)
    finally:
        stop_by_temp_dir(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert (home / ".ray" / "auth_token").is_file(), "the block made no token"
    assert stranger.returncode != 0 and "Unauthorized" in stranger.stdout + stranger.stderr, \
        (stranger.stdout + stranger.stderr)[-2000:]
    assert re.search(r"Job '\w+' succeeded", output), output[-4000:]
    assert "C++ driver: Square(2)=4" in output and "Python -> C++ task:     Square(3) = 9.0" in output, output[-4000:]
