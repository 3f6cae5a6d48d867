"""Free TCP ports on 127.0.0.1 for the Ray clusters the tests start.

Each port is one the kernel just gave a probe socket, never one this process handed out
before: the kernel may give two probes in turn the same free port, and a Ray told to
use one port for two of its components refuses to start ("... is trying to use a port
number N that is used by other components")."""

import socket
from typing import Set

_handed_out: Set[int] = set()


def free_port() -> int:
    """A port free on 127.0.0.1 now, distinct from every one returned before."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
