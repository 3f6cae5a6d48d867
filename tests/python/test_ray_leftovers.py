"""tests/ray_leftovers.py removes only the folders of forkservers that are gone."""
import os
import socket
import threading
import time

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
