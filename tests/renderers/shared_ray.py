"""One Ray for the gen stage: the scripts that call generated stubs on Ray (apps/ray_stubs.py,
apps/ray_refs.py, apps/defaults_check.py ray, results_app/check_values.py ray) join it as
drivers of their own jobs instead of each starting and stopping a Ray.

`ray start --head --block` on 127.0.0.1, every port it listens on chosen free (another Ray
may run on this machine), token authentication off as on the other test clusters, its
temp dir its own; stopped by its own process id and its process tree's ids, never `ray
stop`. The scripts find it in $GORAY_TEST_RAY_ADDRESS (`join_args()`); without it they
start a Ray of their own, as when run by hand."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from loopback_ports import free_port  # noqa: E402
import ray_leftovers  # noqa: E402

ADDRESS_ENV = "GORAY_TEST_RAY_ADDRESS"
READY = "Ray runtime started"


def ray_environment() -> Dict[str, str]:
    """The environment of the head and of the drivers that join it."""
    # RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0: without it `ray start` replaces
    # --node-ip-address=127.0.0.1 by the machine's outward address.
    return {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled",
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


class SharedRay:
    """A running head; `address` for ray.init, `stop()` ends it and its processes."""

    def __init__(self, log_path: Path, num_cpus: int = 4) -> None:
        # A short temp dir: Ray's socket paths must fit in 107 bytes.
        self.temp_dir = tempfile.mkdtemp(prefix="grgen", dir="/tmp")
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "w")
        command = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
                   "--node-ip-address=127.0.0.1", f"--port={self.port}", f"--num-cpus={num_cpus}",
                   "--include-dashboard=false", "--disable-usage-stats",
                   f"--ray-client-server-port={free_port()}",
                   f"--dashboard-agent-listen-port={free_port()}",
                   f"--temp-dir={self.temp_dir}"]
        self.process = subprocess.Popen(command, env=ray_environment(), stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_ready(timeout=180)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log_path.read_text(errors="replace")
            if READY in log:
                plain = re.sub(r"\x1b\[[0-9;]*m", "", log)  # `ray start` colours its output
                node_ip = re.search(r"Local node IP: *([0-9.]+)", plain)
                if node_ip and node_ip.group(1) != "127.0.0.1":
                    self.stop()
                    raise RuntimeError(f"the gen stage's Ray bound {node_ip.group(1)}, not 127.0.0.1")
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        log = self.log_path.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"the gen stage's Ray did not start (exit {self.process.returncode}):\n{log}")

    def stop(self) -> None:
        """SIGTERM to `ray start --block` (it stops the node's processes), then whatever of
        its process tree is left, by id."""
        ray_leftovers.stop_ray_start(self.process)
        self._log.close()
        shutil.rmtree(self.temp_dir, ignore_errors=True)
