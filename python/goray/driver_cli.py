"""The goray command: run a native application's driver on Ray.

    goray [--cluster] [--node-ip-address IP] [--py-defs FILE] LIBRARY [-- ARGS...]
    goray --version        # goray-cpp <version> (protocol <GoRay FFI protocol>)
    goray --doctor [--json]  # goray, Ray, Python, libc, the Ray paths and features (goray.doctor)

Locally it starts Ray on 127.0.0.1; with --cluster it joins the running cluster
(address="auto"). Exit status: the driver's; 2 for bad input (one line on
stderr); 130 after Ctrl-C, with Ray shut down. A failed driver is one message; the
Python traceback it carries is shown when it reaches the user's code, goray's own
only with GORAY_DEBUG set (non-empty, not "0"), with the command's traceback too.

Tests: tests/python/test_cli_failure.py, tests/python/test_without_jinja2.py,
tests/python/test_ray_releases.py, tests/python/test_version.py, tests/ray/test_cli.py,
tests/ray/test_cluster.py
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import traceback
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["main", "build_parser", "driver_failure"]

DEBUG_ENV = "GORAY_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goray", description="Run a goray application library's driver on Ray.",
        epilog="Arguments after -- go to the native driver.")
    from ._version import PROTOCOL_VERSION, __version__
    parser.add_argument("--version", action="version",
                        version=f"goray-cpp {__version__} (protocol {PROTOCOL_VERSION})")
    parser.add_argument("--cluster", action="store_true",
                        help="join the running Ray cluster (address=auto) instead of starting one")
    parser.add_argument("--node-ip-address", metavar="IP",
                        help="this node's address for Ray (default 127.0.0.1 when local)")
    parser.add_argument("--py-defs", metavar="FILE", default="",
                        help="Python definitions imported by the driver and every worker")
    parser.add_argument("library", metavar="LIBRARY", help="the application's shared library")
    parser.add_argument("driver_args", nargs="*", metavar="ARGS", help=argparse.SUPPRESS)
    return parser


def _fail(message: str) -> int:
    print(f"goray: error: {message}", file=sys.stderr)
    return 2


def _check_inputs(options: argparse.Namespace) -> Optional[str]:
    library = options.library
    if not os.path.exists(library):
        return f"library {library!r} not found"
    if os.path.isdir(library):
        return f"library {library!r} is a directory"
    if options.py_defs and not os.path.isfile(options.py_defs):
        return f"py-defs file {options.py_defs!r} not found"
    return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments: List[str] = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--doctor"]:
        from .doctor import main as doctor_main
        return doctor_main(arguments)
    driver_args: List[str] = []
    if "--" in arguments:
        cut = arguments.index("--")
        arguments, driver_args = arguments[:cut], arguments[cut + 1:]
    parser = build_parser()
    options = parser.parse_args(arguments)
    options.driver_args = list(options.driver_args) + driver_args
    problem = _check_inputs(options)
    if problem:
        return _fail(problem)

    from ._ray import driver as _driver
    from .errors import GorayError

    ray_args = {}
    if options.node_ip_address:
        ray_args["_node_ip_address"] = options.node_ip_address
    try:
        library = _driver.init(options.library, options.py_defs, cluster=options.cluster, **ray_args)
    except GorayError as error:
        return _fail(str(error))

    # The driver runs on its own thread so Ctrl-C reaches this one.
    outcome: Dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["code"] = _driver.run_driver(library, options.driver_args)
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome["error"] = error

    thread = threading.Thread(target=run, name="goray-driver", daemon=True)
    try:  # before start(): a Ctrl-C right after the driver starts is still ours
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        print("goray: interrupted; shutting Ray down", file=sys.stderr)
        _shutdown_ray()
        os._exit(130)  # the native driver thread cannot be stopped; leave now
    _shutdown_ray()
    if "error" in outcome:
        print(driver_failure(outcome["error"]), file=sys.stderr)
        return 1
    return int(outcome.get("code", 1))


def _debug() -> bool:
    """GORAY_DEBUG asks for goray's tracebacks: set, non-empty and not "0"."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line \d+', re.M)
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _gorays_own(path: str) -> bool:
    """Whether a traceback's file is a module of the goray package: this one's, or the
    same module of the goray another process ran (a worker's, elsewhere)."""
    parts = re.split(r"[/\\]", path)
    for at in range(len(parts) - 1, -1, -1):
        if parts[at] == "goray":
            return os.path.isfile(os.path.join(_PACKAGE, *parts[at + 1:]))
    return False


def driver_failure(error: BaseException) -> str:
    """What the command prints when the driver failed: "goray: the driver failed: " and
    the error's message. A native error carries the Python traceback of the call that
    failed (a Python function the C++ driver called): shown when one of its frames is
    outside goray (the user's code raised), left out when every frame is goray's own
    (an unknown name, say: the message says it all). With GORAY_DEBUG, the carried
    traceback always, then the command's own."""
    text = str(error)
    carried = getattr(error, "traceback", "")
    if _debug():  # (the error's text is above: the command's traceback names its type)
        where = "".join(traceback.format_tb(error.__traceback__))
        return (f"goray: the driver failed: {text}\n\n{DEBUG_ENV} is set: where the command "
                f"received it:\nTraceback (most recent call last):\n{where}"
                f"{type(error).__module__}.{type(error).__qualname__}")
    if isinstance(carried, str) and carried and text.endswith(f"\n\n{carried}"):
        frames = _FRAME.findall(carried)
        if frames and all(_gorays_own(path) for path in frames):
            text = text[:-len(carried) - 2]
    return f"goray: the driver failed: {text}"


def _shutdown_ray() -> None:
    try:
        import ray
        if ray.is_initialized():
            ray.shutdown()
    except Exception:  # noqa: BLE001 - leaving anyway
        pass


if __name__ == "__main__":
    sys.exit(main())
