"""docs/cluster.md's "Trying it on one machine" block, run as written while another Ray
runs on this machine (the test session's, and the dashboard agent's default port held): a
head node by `ray start` on ports the block picks, in a temporary directory of its own,
the README's application staged and submitted with `ray job submit`, and that head
stopped by its own process, its directory removed.

Added to the page's commands, and why: a TMPDIR of the test's own (where the block's
`mktemp -t` makes the head's directory, so a head the block failed to stop is found and
stopped; and Ray's default directory, `$TMPDIR/ray`, where a head without a directory of
its own would leave its address record), a HOME of its own (where `ray start` writes the
token of RAY_AUTH_MODE=token: nothing is written into the real home), and, before the
head is stopped, a client without the token (refused)."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import psutil
import pytest

from conftest import ROOT

# Tier 2 (bash scripts/run-tests.sh --all): docs/cluster.md's commands start Rays of their own, as
# written
pytestmark = pytest.mark.tier2


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


def test_the_one_machine_block_runs_as_written_beside_another_ray(tmp_path, lib):
    import ray
    if not APP_LIBRARY.is_file():
        pytest.fail(f"{APP_LIBRARY} is not built: run bash scripts/run-tests.sh", pytrace=False)
    assert ray.is_initialized()  # the session's Ray: another Ray on this machine
    commands = one_machine_block()
    assert commands[0].startswith("export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0"), commands
    [stop] = [i for i, command in enumerate(commands) if command.startswith("kill $RAY_PID")]
    assert commands[stop + 1:] == ['rm -rf "$HEAD_DIR"'], commands
    assert not any(command.startswith("ray stop") for command in commands)
    (tmp_path / "build").mkdir()
    shutil.copy(APP_LIBRARY, tmp_path / "build" / "librayapp.so")
    shutil.copy(APP_DEFS, tmp_path / "app.py")
    home = tmp_path / "home"
    home.mkdir()
    stranger_home = tmp_path / "stranger"
    stranger_home.mkdir()
    # The block's TMPDIR: short (Ray's socket paths under the head's directory must fit in
    # 107 bytes), and Ray's default directory for a Ray started there without one.
    temp_dir = tempfile.mkdtemp(prefix="gdoc", dir="/tmp")
    [start] = [i for i, command in enumerate(commands) if command.startswith("ray start --head")]
    assert " --temp-dir=$HEAD_DIR " in commands[start], commands[start]
    # A client without the token, while the head still runs: refused.
    commands.insert(stop, f"env -u RAY_AUTH_MODE HOME={stranger_home} ray job list --address "
                          "http://127.0.0.1:$DASHBOARD > stranger.txt 2>&1 || echo STRANGER REFUSED")
    env = {key: value for key, value in os.environ.items()
           if key not in ("RAY_ADDRESS", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "RAY_AUTH_MODE",
                          "RAY_TMPDIR")}
    env.update(HOME=str(home), RAY_USAGE_STATS_ENABLED="0", TMPDIR=temp_dir,
               PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    held = socket.socket()  # the agent's default port, as another Ray's agent holds it
    try:
        held.bind(("127.0.0.1", 52365))
    except OSError:
        pass  # held already (by that other Ray's agent, say)
    try:
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(commands)],
                                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=420)
        # The head's processes end within seconds of its own (Ray drains the node first).
        _, alive = psutil.wait_procs(
            [process for process in psutil.process_iter(["cmdline"])
             if any(temp_dir in part for part in process.info["cmdline"] or [])], timeout=60)
        left = [process.pid for process in alive]
        # (pymp-*: the folders of multiprocessing's forkserver in Ray's dashboard, which Ray
        # leaves wherever TMPDIR points; ray_leftovers.py)
        files_left = sorted(name for name in os.listdir(temp_dir) if not name.startswith("pymp-"))
        # What ray.init() without an address joins after the block, as Ray looks it up (its
        # record of the last `ray start` in its default directory): nothing.
        joined = subprocess.run(
            [sys.executable, "-c", "from ray._private.services import get_ray_address_from_environment "
                                   "as find; print(find(None, None))"],
            env=env, capture_output=True, text=True, timeout=120)
    finally:
        held.close()
        stop_by_temp_dir(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert (home / ".ray" / "auth_token").is_file(), "the block made no token"
    assert "STRANGER REFUSED" in output and "Unauthorized" in (tmp_path / "stranger.txt").read_text(), \
        (tmp_path / "stranger.txt").read_text()[-2000:]
    assert re.search(r"Job '\w+' succeeded", output), output[-4000:]
    assert "C++ driver: Square(2)=4" in output and "Python -> C++ task:     Square(3) = 9.0" in output, output[-4000:]
    assert not left, f"the block left its head's processes running: {left}"
    assert files_left == [], f"the block left files in its TMPDIR: {files_left}"
    assert joined.returncode == 0 and joined.stdout.strip() == "None", joined.stdout + joined.stderr
    assert ray.is_initialized() and ray.get(ray.put(7)) == 7  # the other Ray was left alone
