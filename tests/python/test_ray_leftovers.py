"""tests/ray_leftovers.py removes only the folders of forkservers that are gone."""
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import ray_leftovers


def bound_socket(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    return server


def test_only_a_dead_forkservers_folder_made_since_then_is_removed(tmp_path):
    since = time.time() - 60
    dead = tmp_path / "pymp-dead"
    dead.mkdir()
    bound_socket(dead / "listener-a").close()  # the file stays, nothing is bound to it
    live = tmp_path / "pymp-live"
    live.mkdir()
    server = bound_socket(live / "listener-b")
    starting = tmp_path / "pymp-starting"  # made, its socket not bound yet
    starting.mkdir()
    old = tmp_path / "pymp-old"
    old.mkdir()
    bound_socket(old / "listener-c").close()
    os.utime(old, (since - 3600, since - 3600))
    other = tmp_path / "not-pymp"
    other.mkdir()
    bound_socket(other / "listener-d").close()
    try:
        assert ray_leftovers.dead_forkserver_folders(since, str(tmp_path)) == [dead]
        assert ray_leftovers.remove_dead_forkserver_folders(since, str(tmp_path)) == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "not-pymp", "pymp-live", "pymp-old", "pymp-starting"]
    finally:
        server.close()
    # Once its forkserver is gone, the live one's folder goes too.
    assert ray_leftovers.remove_dead_forkserver_folders(since, str(tmp_path)) == 1
    assert not live.exists()


def test_waiting_gives_a_forkserver_that_is_ending_the_time_to_end(tmp_path):
    since = time.time() - 60
    ending = tmp_path / "pymp-ending"
    ending.mkdir()
    server = bound_socket(ending / "listener-a")
    threading.Timer(0.5, server.close).start()
    assert ray_leftovers.remove_dead_forkserver_folders(since, str(tmp_path), wait=30) == 1
    assert not ending.exists()


def test_shutdown_ray_kills_what_of_its_process_tree_outlives_it(tmp_path):
    # In a process of its own: shutdown_ray() kills every descendant of the process it runs in.
    script = tmp_path / "leftover.py"
    script.write_text(
        "import subprocess, sys, time\n"
        f"sys.path.insert(0, {str(Path(ray_leftovers.__file__).parent)!r})\n"
        "import ray_leftovers\n"
        "quick = subprocess.Popen(['sleep', '0.2'])\n"
        "stuck = subprocess.Popen(['bash', '-c', 'trap \"\" TERM; exec sleep 120'])\n"
        "began = time.monotonic()\n"
        "killed = ray_leftovers.shutdown_ray(wait=2)\n"
        "print(killed, stuck.wait(timeout=10), quick.wait(), round(time.monotonic() - began))\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    killed, stuck_status, quick_status, seconds = result.stdout.rsplit(" ", 3)
    assert re.fullmatch(r"\['sleep \(pid \d+\)'\]", killed), result.stdout
    assert (stuck_status, quick_status) == ("-9", "0") and int(seconds) < 10, result.stdout
    assert "still running 2 s after ray.shutdown(), killed: sleep (pid" in result.stderr
