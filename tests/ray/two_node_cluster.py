"""The 2-node Ray cluster of the cluster tests (test_cluster.py, test_cluster_streams.py,
test_cluster_values.py): cluster_node.py in a child process, which stops its own nodes.
One cluster for the three modules, started by the first test that asks for it and stopped
after the last one that does (conftest.py): a cluster start costs about 15 s of CPU."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from loopback_ports import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)


class TwoNodeCluster:
    def __init__(self, tmp: Path) -> None:
        self.env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
                    "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
                    # Serve's proxy (on the head) sends requests to every replica, not only
                    # the head's: test_cluster.py's Serve test needs node s's replica to serve.
                    "RAY_SERVE_PROXY_PREFER_LOCAL_NODE_ROUTING": "0"}
        port, dashboard = free_port(), free_port()
        self._log = open(tmp / "cluster.log", "w")
        self._process: Optional[subprocess.Popen] = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "cluster_node.py"), str(port), str(dashboard)],
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True)
        line = self._process.stdout.readline()
        if not line.startswith("READY"):
            self.stop()
            raise RuntimeError(f"the 2-node cluster did not come up:\n{(tmp / 'cluster.log').read_text()[-3000:]}")
        self.info: Dict[str, Any] = {"address": line.split()[1], "dashboard": f"http://127.0.0.1:{dashboard}",
                                     "env": self.env, "tmp": tmp, "command": self.command}

    def command(self, text: str) -> str:
        """One cluster_node.py command (add NAME / remove NAME) and its answer."""
        assert self._process is not None, "the cluster was stopped"
        self._process.stdin.write(text + "\n")
        self._process.stdin.flush()
        return self._process.stdout.readline().strip()

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)  # the cluster process stops its own nodes
        try:
            self._process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        self._log.close()
