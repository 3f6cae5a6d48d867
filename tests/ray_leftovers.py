"""What Ray leaves behind, removed after the tests that started it: processes and folders.

Processes: a Ray the tests start in their own process (goray.init, then ray.shutdown()) is
stopped by Ray, whose workers end when their raylet does. One did not (Ray 2.60, CI of
2026-11-27): a C++ actor's worker, killed by ray.kill, hung in Ray's own exit path (both of
its live threads in _raylet.so) and outlived its Ray as an orphan. shutdown_ray() stops such
a Ray, then kills by id whatever of its process tree is still there, and says so.

Folders:

Ray's dashboard (every Ray started with include_dashboard=True: the tests' shared Ray, the
clusters, `ray start` for `ray job submit`) runs a multiprocessing forkserver, which makes a
pymp-XXXXXXXX folder in the temporary directory for its listening socket. Ray stops the
dashboard with a signal, so the forkserver's own clean-up never runs, and each such Ray
leaves its folder behind (measured with Ray 2.60: `ray.init(include_dashboard=True)` then
`ray.shutdown()` leaves one; without the dashboard, none).

A folder is removed only when it holds a forkserver's socket file that no socket of any
process is bound to any more (/proc/net/unix lists every bound path), so a live Ray's
folder, another test run's included, is never touched."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional, Set, Tuple

if TYPE_CHECKING:
    import psutil


def _bound_socket_paths() -> Optional[Set[str]]:
    """The paths of every bound Unix socket of this machine, or None when unknown."""
    try:
        lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    except OSError:
        return None
    # Num RefCount Protocol Flags Type St Inode [Path]: the path is the eighth field.
    return {fields[7] for fields in (line.split(None, 7) for line in lines) if len(fields) == 8}


def _forkserver_folders(since: float, directory: Optional[str]) -> List[Tuple[Path, bool]]:
    """(folder, whether its forkserver is gone) for the pymp-* folders made at or after
    `since` (a time.time()) that hold a forkserver's socket."""
    bound = _bound_socket_paths()
    if bound is None:
        return []
    found: List[Tuple[Path, bool]] = []
    for folder in Path(directory or tempfile.gettempdir()).glob("pymp-*"):
        try:
            if not folder.is_dir() or folder.stat().st_mtime < since:
                continue
            sockets = [path for path in folder.iterdir()
                       if path.name.startswith("listener-") and path.is_socket()]
        except OSError:
            continue
        if sockets:
            found.append((folder, not any(str(path) in bound for path in sockets)))
    return found


def dead_forkserver_folders(since: float, directory: Optional[str] = None) -> List[Path]:
    """The pymp-* folders made at or after `since` (a time.time()) whose forkserver is gone."""
    return [folder for folder, gone in _forkserver_folders(since, directory) if gone]


def remove_dead_forkserver_folders(since: float, directory: Optional[str] = None,
                                   wait: float = 0.0) -> int:
    """Removes what dead_forkserver_folders finds; returns how many. With `wait`, first
    gives the forkservers still alive up to that many seconds to end (a dashboard ends a
    moment after the Ray that stopped it returns)."""
    deadline = time.monotonic() + wait
    while (time.monotonic() < deadline and
           not all(gone for _, gone in _forkserver_folders(since, directory))):
        time.sleep(0.25)
    folders = dead_forkserver_folders(since, directory)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return len(folders)


def kill_left_over(processes: List["psutil.Process"], wait: float) -> List[str]:
    """SIGKILL to those of `processes` still running after `wait` seconds; returns their
    names (psutil checks that each pid is still the process it was)."""
    import psutil
    _, alive = psutil.wait_procs(processes, timeout=wait)
    killed = []
    for process in alive:
        try:
            name = process.name()
            process.send_signal(signal.SIGKILL)
        except psutil.Error:
            continue
        killed.append(f"{name} (pid {process.pid})")
    return killed


def _descendants(pid: int) -> List["psutil.Process"]:
    """A process's descendants (none once it is gone)."""
    import psutil
    try:
        children: List[psutil.Process] = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    return children


def shutdown_ray(wait: float = 15.0) -> List[str]:
    """ray.shutdown() of the Ray this process started, then SIGKILL to what of its process
    tree (raylet, GCS, workers: this process's descendants) is left after `wait` seconds.
    Returns the names of the processes killed so (and prints them)."""
    import ray
    tree = _descendants(os.getpid())
    ray.shutdown()
    killed = kill_left_over(tree, wait)
    if killed:
        print(f"[goray] still running {wait:.0f} s after ray.shutdown(), killed: "
              f"{', '.join(killed)} (tests/ray_leftovers.py)", file=sys.stderr)
    return killed


def stop_ray_start(process: "subprocess.Popen[Any]", wait: float = 15.0) -> List[str]:
    """SIGTERM to a `ray start --block` (it stops the node's processes), then SIGKILL to
    what of its process tree is left after `wait` seconds; returns their names."""
    tree = _descendants(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return kill_left_over(tree, wait)


_session_started: Optional[float] = None


def note_session_start() -> None:
    """The conftests' pytest_configure: what clean_up_after_session may remove starts here."""
    global _session_started
    _session_started = time.time()


def clean_up_after_session() -> None:
    """The conftests' pytest_sessionfinish: the folders of the Rays this session stopped."""
    if _session_started is not None:  # (no wait: scripts/run-tests.sh's end waits for the rest)
        remove_dead_forkserver_folders(_session_started)


if __name__ == "__main__":  # scripts/run-tests.sh: python3 tests/ray_leftovers.py SINCE-FILE
    # Every Ray of the run is stopping or stopped: the last dashboards get 10 s to end.
    removed = remove_dead_forkserver_folders(os.stat(sys.argv[1]).st_mtime, wait=10.0)
    if removed:
        print(f"[goray] removed {removed} folder(s) Ray's dashboards left in "
              f"{tempfile.gettempdir()} (tests/ray_leftovers.py)", file=sys.stderr)
