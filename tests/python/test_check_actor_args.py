"""Py2Native 32 CheckActorArgs (our extension, docs/protocol.md §7): a dry run of a
native actor's constructor arguments that builds nothing."""
import msgpack
import pytest

import goray
from goray._protocol import Py2Native, pack_units
from goray.errors import error_from_reply


def check(lib, type_name, *args):
    payload = pack_units(type_name.encode(), b"".join(msgpack.packb(a) for a in args))
    code, reply = lib.execute(int(Py2Native.CHECK_ACTOR_ARGS), payload)
    return code, bytes(reply)


@pytest.mark.parametrize("type_name", ["Counter", "ValueCounter", "PtrCounter"])
def test_fitting_arguments_build_nothing(lib, type_name):
    alive = goray.golang_local_run_task("CountersAlive")
    assert check(lib, type_name, 5) == (0, b"fit")
    assert goray.golang_local_run_task("CountersAlive") == alive


def test_wrong_arguments_are_argument_errors(lib):
    code, reply = check(lib, "Counter", "x")
    error = error_from_reply(code, reply, "Counter")
    assert isinstance(error, goray.ArgumentError)
    assert (error.task, error.position, error.expected, error.received) == ("Counter", 0, "int64_t", "str")
    error = error_from_reply(*check(lib, "Counter"), "Counter")
    assert isinstance(error, goray.ArgumentError)
    assert str(error) == "expected 1 argument, received 0 (task Counter)"


def test_an_unknown_type_is_named(lib):
    error = error_from_reply(*check(lib, "Nope"), "Nope")
    assert isinstance(error, goray.UnknownNameError) and "Counter" in error.known
