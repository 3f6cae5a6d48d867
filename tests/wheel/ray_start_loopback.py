"""`ray start ARGS...` for a node that joins a head on 127.0.0.1 and stays on loopback.

Ray's only switch that keeps 127.0.0.1 (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0) also makes
`ray start` refuse a non-head node, and without it `ray start --address=127.0.0.1:PORT`
rewrites the head's address to this machine's outward one before connecting. So this
process reads Ray's cluster flag with the switch unset (the non-head check passes),
keeps a loopback head address as given, and hands the switch to the processes it starts
(raylet, agents, workers), which then stay on 127.0.0.1 too.
"""
import os
import sys

SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"

os.environ.pop(SWITCH, None)
from ray._private import ray_constants, services  # noqa: E402  (reads the switch)

assert ray_constants.ENABLE_RAY_CLUSTER, "Ray refuses worker nodes on this platform"
os.environ[SWITCH] = "0"


# Ray's resolve_ip_for_localhost only rewrites loopback hosts: keep them as given.
services.resolve_ip_for_localhost = lambda host: host

from ray.scripts.scripts import main  # noqa: E402

sys.argv = ["ray", "start", *sys.argv[1:]]
sys.exit(main())
