"""goray._ray.streaming.stream_waits without Ray: a stream's next item is waited for on its ref's
callback for at most CALLBACK_WAIT seconds, then with Ray's own wait for the rest of
the caller's timeout (tests/ray/test_streams_cpp.py runs it on Ray)."""
import threading
import time

import pytest
import ray.exceptions

from goray._ray.compat import internals
from goray._ray.streaming import stream_waits


@pytest.fixture(autouse=True)
def refs_with_callbacks(monkeypatch):
    """A Ray whose refs take a callback (ObjectRef._on_ready, 2.60), whatever Ray runs this."""
    monkeypatch.setattr(internals, "ref_callbacks", lambda: True)


class Ref:
    def __init__(self, nil=False):
        self.nil = nil

    def is_nil(self):
        return self.nil


class Expected:
    """The ref of the stream's next position: its callback runs after `arrives_in`
    seconds (None: never)."""

    def __init__(self, arrives_in):
        self.arrives_in = arrives_in
        self.cancelled = 0

    def _on_ready(self, callback):
        if self.arrives_in is not None:
            timer = threading.Timer(self.arrives_in, callback, args=(None,))
            timer.start()
        return self.cancel

    def cancel(self):
        self.cancelled += 1


class Generator:
    """An ObjectRefGenerator as next_item uses it; _next_sync records its timeouts."""

    def __init__(self, ready=False, arrives_in=None, first_read_nil=False):
        self.expected = Expected(arrives_in)
        self.ready = ready
        self.first_read_nil = first_read_nil
        self.timeouts = []
        self._generator_ref = object()
        generator = self

        class CoreWorker:
            @staticmethod
            def peek_object_ref_stream(stream):
                assert stream is generator._generator_ref
                return generator.expected, generator.ready

        class Worker:
            core_worker = CoreWorker()
        self.worker = Worker()

    def _next_sync(self, timeout):
        self.timeouts.append(timeout)
        return Ref(nil=self.first_read_nil and len(self.timeouts) == 1)


def test_an_item_already_there_is_read_at_once_without_a_callback():
    generator = Generator(ready=True)
    assert not stream_waits.next_item(generator, -1).is_nil()
    assert generator.timeouts == [0]
    assert generator.expected.cancelled == 0


def test_an_item_that_comes_within_the_callback_wait_is_read_without_rays_wait():
    generator = Generator(arrives_in=stream_waits.CALLBACK_WAIT / 10)
    assert not stream_waits.next_item(generator, -1).is_nil()
    assert generator.timeouts == [0]
    assert generator.expected.cancelled == 1  # the callback is always let go


def test_a_later_item_is_waited_for_by_ray_for_as_long_as_the_caller_asked():
    generator = Generator(arrives_in=None)
    stream_waits.next_item(generator, -1)
    assert generator.timeouts == [None]
    assert generator.expected.cancelled == 1

    generator = Generator(arrives_in=None)
    start = time.monotonic()
    stream_waits.next_item(generator, 0.5)
    (rest,) = generator.timeouts
    assert 0.5 - (time.monotonic() - start) <= rest < 0.5  # the callback's wait counts


def test_a_timeout_shorter_than_the_callback_wait_bounds_it():
    generator = Generator(arrives_in=None)
    start = time.monotonic()
    stream_waits.next_item(generator, 0.0)
    assert time.monotonic() - start < stream_waits.CALLBACK_WAIT * 5
    assert generator.timeouts == [0.0]


def test_an_end_whose_result_is_not_there_yet_goes_on_waiting_with_ray():
    # The callback fired (the end is there) but _next_sync(0) could not tell the end
    # from an error yet: nil, which must not reach a caller that waits forever.
    generator = Generator(arrives_in=0.0, first_read_nil=True)
    assert not stream_waits.next_item(generator, -1).is_nil()
    assert generator.timeouts == [0, None]


def test_a_ray_without_callbacks_waits_as_ray_does(monkeypatch):
    monkeypatch.setattr(internals, "ref_callbacks", lambda: False)  # before Ray 2.60
    monkeypatch.delattr(Expected, "_on_ready")
    generator = Generator()
    stream_waits.next_item(generator, -1)
    assert generator.timeouts == [None]


def test_an_item_that_arrived_is_read_off_the_stream_with_one_call():
    # A Ray with try_read_next_object_ref_stream: the item is taken with it, without
    # _next_sync's second look; at the end of the stream _next_sync answers.
    generator = Generator(arrives_in=0.0)
    reads = []

    def try_read(stream):
        reads.append(stream)
        if len(reads) > 1:
            raise ray.exceptions.ObjectRefStreamEndOfStreamError()
        return Ref()
    generator.worker.core_worker.try_read_next_object_ref_stream = try_read
    assert not stream_waits.next_item(generator, -1).is_nil()
    assert reads == [generator._generator_ref] and generator.timeouts == []
    read = stream_waits.produced_reader(generator)
    read()  # the end: Ray's own reading
    assert generator.timeouts == [0]
