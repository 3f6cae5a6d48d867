"""Large bytes results handed over (docs/protocol.md §10, "Arrays out of band"): a C++
task returning a std::vector<uint8_t|std::byte> of at least 1 MiB answers RunTaskForPython
(34) with ext 72 owned and the bytes flag, its own memory; Python reads it as bytes
(one copy) and releases it (ReleaseArray 36) at once."""
import struct

import pytest

import goray
from goray import _arrays

run = goray.golang_local_run_task

LARGE = 1 << 20  # Python's LARGE_BYTES, the C++ kHandoffBytesFrom


@pytest.fixture
def releases(lib, monkeypatch):
    """The tokens this process releases (ReleaseArray), still sent to the library."""
    if not lib.arrays:
        pytest.fail(f"{lib.path} does not speak arrays", pytrace=False)
    tokens = []
    real = _arrays._state.release

    def spy(token):
        tokens.append(token)
        real(token)

    monkeypatch.setattr(_arrays._state, "release", spy)
    return tokens


@pytest.mark.parametrize("name", ["EchoBytes", "EchoU8Bytes"])
def test_a_large_bytes_result_is_bytes_and_released_at_once(lib, releases, name):
    data = bytes(range(256)) * (LARGE // 256 + 1)
    adopted, released = _arrays.stats()
    out = run(name, data)
    assert type(out) is bytes and out == data
    assert _arrays.stats() == (adopted + 1, released + 1)
    assert len(releases) == 1
    # The token was live until then: released again, the library no longer knows it.
    code, text = lib.execute(36, struct.pack("<Q", releases[0]))
    assert code == 1 and b"unknown array token" in text


def test_smaller_bytes_and_strings_stay_in_the_reply(lib, releases):
    small = b"\x07" * (LARGE - 1)
    assert run("EchoBytes", small) == small
    text = "x" * (2 * LARGE)
    assert run("EchoStr", text) == text  # a std::string is a str, never handed over
    assert releases == []

