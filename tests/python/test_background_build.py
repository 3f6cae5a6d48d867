"""The README's first command compiles the tests' targets in the background while its
examples run (scripts/lib.sh's start_background_build): at SCHED_IDLE and nice 19, only when nothing else
builds the tree, not at all when turned off, and stopped, compiler included, when the
examples end (run-example.sh's EXIT trap)."""
import os
import pathlib
import shutil
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIB = ROOT / "scripts" / "lib.sh"

pytestmark = pytest.mark.skipif(not shutil.which("cmake") or not shutil.which("ninja"),
                                reason="needs cmake and ninja")


@pytest.fixture
def checkout(tmp_path):
    """A checkout whose build/ is a Ninja tree with one slow "compile" in its default
    target; it writes its pid, then sleeps."""
    source = tmp_path / "src"
    source.mkdir()
    pid_file = tmp_path / "compiler.pid"
    (source / "slow.sh").write_text(f"echo $$ > {pid_file}\nexec sleep 120\n")
    (source / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.20)\nproject(fake NONE)\n"
        f"add_custom_target(slow ALL COMMAND sh {source / 'slow.sh'})\n")
    subprocess.run(["cmake", "-S", str(source), "-B", str(tmp_path / "build"), "-G", "Ninja"],
                   check=True, capture_output=True, timeout=120)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ccache").symlink_to("/bin/true")  # start_background_build wants ccache
    return tmp_path, pid_file, f"{bin_dir}:{os.environ['PATH']}"


def run(checkout, body: str, **env) -> subprocess.CompletedProcess:
    root, _, path = checkout
    script = f"ROOT={root}\nsource {LIB}\n{body}"
    return subprocess.run(["/bin/bash", "-c", script], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PATH": path, **env})


def wait_for(path: pathlib.Path, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.1)
    raise AssertionError(f"{path} was never written: the background build did not start")


def alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_it_compiles_at_the_lowest_priority_and_stopping_it_stops_the_compiler(checkout):
    _, pid_file, _ = checkout
    result = run(checkout, f"""
        start_background_build
        for _ in $(seq 600); do [ -s {pid_file} ] && break; sleep 0.1; done
        pid="$(cat {pid_file})"
        echo "$(cut -d' ' -f19 /proc/$pid/stat) $(ps -o cls= -p $pid)"
        stop_background_build
        echo stopped""")
    assert result.returncode == 0, result.stderr
    nice, policy, stopped = result.stdout.split()
    assert (nice, policy, stopped) == ("19", "IDL", "stopped")
    pid = wait_for(pid_file)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid), "the compiler outlived stop_background_build"


def test_it_does_not_start_when_turned_off(checkout):
    _, pid_file, _ = checkout
    result = run(checkout, 'start_background_build; echo "pid=$BACKGROUND_BUILD_PID"',
                 GORAY_BACKGROUND_BUILD="0")
    assert result.stdout.strip() == "pid="
    time.sleep(1)
    assert not pid_file.exists()


def test_it_leaves_the_tree_to_a_build_that_holds_it(checkout):
    """setup.sh holds build/.setup.lock while it builds: the background build then does
    nothing rather than run a second ninja in the same tree."""
    root, pid_file, _ = checkout
    lock = root / "build" / ".setup.lock"
    result = run(checkout, f"""
        exec 9> {lock}
        flock 9
        start_background_build
        wait "$BACKGROUND_BUILD_PID"
        echo "exit=$?" """)
    assert result.stdout.strip() == "exit=1", result.stderr
    assert not pid_file.exists()
