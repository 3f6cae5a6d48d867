"""What the goray command prints when the driver failed (goray.driver_cli.driver_failure): the
message alone when the Python traceback a native error carries is goray's own, that
traceback when it reaches the user's code, and every traceback with GORAY_DEBUG set
(non-empty, not "0"). tests/ray/test_cli.py runs the command itself."""

import pytest

from goray.driver_cli import driver_failure
from goray.errors import NativeError

MESSAGE = "Python function 'nope' not found; known Python functions: square"


def traceback_through(*files):
    frames = "".join(f'  File "{path}", line {line}, in f{line}\n    call()\n'
                     for line, path in enumerate(files, 10))
    return f"Traceback (most recent call last):\n{frames}goray.errors.UnknownNameError: {MESSAGE}"


def raised(traceback):
    """The error as the command receives it: raised, so that it has a traceback of its own."""
    try:
        raise NativeError("Driver", "goray.UnknownNameError", MESSAGE, traceback)
    except NativeError as error:
        return error


# goray's modules: this checkout's, and a worker's installation elsewhere (the same modules).
GORAYS = ["/work/main/python/goray/_registry.py",
          "/opt/venv/lib/python3.11/site-packages/goray/_ray/native2py/calls.py"]
SUMMARY = f"goray: the driver failed: goray.UnknownNameError: {MESSAGE} (task Driver)"


@pytest.mark.parametrize("debug", [None, "", "0"])
def test_gorays_own_traceback_is_left_out(monkeypatch, debug):
    if debug is None:
        monkeypatch.delenv("GORAY_DEBUG", raising=False)
    else:
        monkeypatch.setenv("GORAY_DEBUG", debug)
    assert driver_failure(raised(traceback_through(*GORAYS))) == SUMMARY


@pytest.mark.parametrize("user_file", ["/home/me/app/defs.py",
                                       "/home/me/goray/defs.py"])  # a project named goray
def test_a_traceback_through_the_users_code_is_kept(monkeypatch, user_file):
    monkeypatch.delenv("GORAY_DEBUG", raising=False)
    carried = traceback_through(GORAYS[0], user_file)
    assert driver_failure(raised(carried)) == f"{SUMMARY}\n\n{carried}"


@pytest.mark.parametrize("debug", ["1", "yes"])
def test_goray_debug_shows_every_traceback(monkeypatch, debug):
    monkeypatch.setenv("GORAY_DEBUG", debug)
    carried = traceback_through(*GORAYS)
    shown = driver_failure(raised(carried))
    assert shown.startswith(f"{SUMMARY}\n\n{carried}\n\nGORAY_DEBUG is set: where the command "
                            "received it:\nTraceback (most recent call last):\n"), shown
    assert "in raised\n" in shown and shown.endswith("\ngoray.errors.NativeError")


def test_other_errors_are_their_message(monkeypatch):
    monkeypatch.delenv("GORAY_DEBUG", raising=False)
    assert driver_failure(ValueError("bad")) == "goray: the driver failed: bad"
    no_frames = raised("a traceback without frames")
    assert driver_failure(no_frames) == f"{SUMMARY}\n\na traceback without frames"
