"""tests/loopback_ports.py: the ports the cluster tests hand to Ray are distinct, even
when the kernel gives two probes in turn the same free port."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import loopback_ports  # noqa: E402


def test_a_port_the_kernel_gives_twice_is_handed_out_once(monkeypatch):
    given = iter([41001, 41001, 41001, 41002])

    class Probe:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def bind(self, address):
            assert address == ("127.0.0.1", 0)

        def getsockname(self):
            return ("127.0.0.1", next(given))

    monkeypatch.setattr(loopback_ports, "_handed_out", set())
    monkeypatch.setattr(loopback_ports.socket, "socket", Probe)
    assert [loopback_ports.free_port(), loopback_ports.free_port()] == [41001, 41002]


def test_ports_are_free_on_loopback():
    ports = [loopback_ports.free_port() for _ in range(20)]
    assert len(set(ports)) == 20
    for port in ports:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))  # free: binds
