"""The Python object a Serve replica holds for a C++ deployment: the native instance
made in this process (goray's local call path, no second actor hop), its methods as
the replica's methods, and Serve's hooks (reconfigure, check_health, __del__) mapped
to the C++ class.

A class per deployment is made by `replica_class` (a subclass naming its ReplicaSpec),
so that Serve pickles a small class and each replica builds its methods from the
library it loads: the driver that deploys need not have loaded the library.

A method's call (a handle's or HTTP's) is made on the replica's event loop when the
method typically takes under INLINE_BELOW_S, as a Python deployment's code computes in
place; longer ones run in Serve's thread pool (anyio's, as Serve runs sync methods).
Calls into a type that is not thread-safe (no GORAY_THREADSAFE) are serialized by a
lock, as Ray serializes its actor's methods.
A streaming method's items are read in batches, each under the lock, so that a slow
reader does not hold the instance between items.

A native crash in a call (SIGSEGV, abort) is recovered in the call (GorayRecoverCrashes,
docs/protocol.md §14): the call raises NativeCrash with the report, so its caller gets a
500 naming the crash; the replica then ends its process a moment later, and Serve starts
a new one. Meanwhile Serve's replica rejects every new request, as a replica at capacity
does, so Serve's router sends it to another replica (or holds it until the new one is
up); a call it had accepted before the crash, which Serve cannot send again, is refused
at once (ReplicaCrashed: HTTP 503 with Retry-After).

Tests: tests/python/test_serve_values.py, tests/ray/test_serve.py,
tests/ray/test_serve_http_fuzz.py
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple

from .. import _keywords, _local, _streams_local, _traits
from .._ray.compat import internals
from .._ray.worker import bodies
from ..errors import ArgumentError, GorayError, NativeCrash, UnknownNameError, set_crash_hook

__all__ = ["Batch", "ReplicaSpec", "NativeReplica", "ReplicaCrashed", "replica_class", "HOOKS"]

#: A method whose calls typically take less than this many seconds is called on Serve's
#: event loop (a thread's hand-off costs more than the call: the hop, and the GIL the
#: native call releases and must win back from the loop's threads).
INLINE_BELOW_S = 0.0005

#: How many calls of deployments this process's C++ code has made (goray::serve::Handle,
#: counted by _from_cpp): a method that makes one is never called on the event loop, where
#: Serve refuses a handle's blocking wait for its result.
calls_out = 0

#: The C++ method names a deployment calls for Serve's hooks when the class has them
#: (each can be renamed, or turned off with "", in goray.serve.deployment).
HOOKS = {"reconfigure": "Reconfigure", "check_health": "CheckHealth"}


#: Seconds a replica lives on after a recovered native crash: time for the crashed
#: call's answer to reach its caller before the process ends (Serve then replaces it).
EXIT_AFTER_CRASH_S = 0.5


class ReplicaCrashed(GorayError):
    """A call the replica had accepted when its native code crashed in another call: the
    replica is ending, and Serve starts another (HTTP 503 with Retry-After; sent again,
    the call reaches a live replica). Calls that arrive later are not accepted: Serve
    sends them to another replica."""


@dataclass(frozen=True)
class Batch:
    """Serve's @serve.batch for a C++ method that takes a vector (or an array) and
    returns one result per element: each request passes one element, Serve gathers up
    to `max_batch_size` of them (waiting at most `batch_wait_timeout_s` for more) into
    one native call."""

    max_batch_size: int = 10
    batch_wait_timeout_s: float = 0.01
    max_concurrent_batches: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.max_batch_size, int) or self.max_batch_size < 1:
            raise GorayError(f"Batch: max_batch_size must be an int of 1 or more, not "
                             f"{self.max_batch_size!r}")
        if not isinstance(self.batch_wait_timeout_s, (int, float)) or self.batch_wait_timeout_s < 0:
            raise GorayError(f"Batch: batch_wait_timeout_s must be a number of 0 or more, not "
                             f"{self.batch_wait_timeout_s!r}")
        if not isinstance(self.max_concurrent_batches, int) or self.max_concurrent_batches < 1:
            raise GorayError(f"Batch: max_concurrent_batches must be an int of 1 or more, not "
                             f"{self.max_concurrent_batches!r}")


@dataclass(frozen=True)
class ReplicaSpec:
    """What a replica needs besides the library: the C++ actor type, its batched
    methods, the C++ methods behind Serve's hooks (None: the default name if the class
    has it; "": none), and the largest HTTP body it reads."""

    type_name: str
    batched: Tuple[Tuple[str, Batch], ...] = ()
    hooks: Tuple[Tuple[str, Optional[str]], ...] = ()
    max_body_bytes: int = 64 << 20

    def hook(self, name: str, methods: FrozenSet[str]) -> Optional[str]:
        """The C++ method behind Serve's hook `name`, or None."""
        chosen = dict(self.hooks).get(name)
        if chosen == "":
            return None
        if chosen is None:
            default = HOOKS[name]
            return default if default in methods else None
        if methods and chosen not in methods:
            raise UnknownNameError("method", chosen, sorted(methods),
                                   message=f"goray.serve: {self.type_name} has no method "
                                           f"{chosen!r} for Serve's {name}; its methods: "
                                           f"{', '.join(sorted(methods)) or '(none)'}")
        return chosen


class NativeReplica:
    """The replica's object; a subclass per deployment sets `_spec` (replica_class)."""

    _spec: ReplicaSpec

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        spec = self._spec
        library = bodies.ready_library()  # GORAY_BIN_PATH: the deployment's runtime_env
        if library is None:
            raise GorayError(f"goray.serve: the replica of {spec.type_name} has no goray "
                             "library: GORAY_BIN_PATH is not set in its runtime_env "
                             "(goray.serve.deployment sets it from library= or goray.init)")
        app = _traits.app_traits(library)
        if app.described and spec.type_name not in app.actors:
            raise UnknownNameError("actor type", spec.type_name, sorted(app.actors))
        traits = _traits.actor_traits(library, spec.type_name)
        self._library = library
        self._described = app.described
        self._methods: FrozenSet[str] = traits.methods
        self._streams: FrozenSet[str] = traits.streams
        self._lock: Any = contextlib.nullcontext() if traits.thread_safe else threading.Lock()
        self._typical: Dict[str, float] = {}  # method -> its calls' typical seconds
        self._closed = False
        self._crash: Optional[NativeCrash] = None
        library.recover_crashes()
        set_crash_hook(None)  # (a crash is this replica's to answer: _into_native)
        batched = dict(spec.batched)
        for name in batched:
            self._check_method(name, "batched")
        self._hooks = {hook: spec.hook(hook, self._methods) for hook in HOOKS}
        self._native = _local.golang_local_new_actor(spec.type_name, *args, **kwargs)
        for name in self._methods:
            if not name.startswith("_") and not hasattr(type(self), name):
                setattr(self, name, self._streaming(name) if name in self._streams
                        else self._batched(name, batched[name]) if name in batched
                        else self._plain(name))

    # -- what the HTTP layer and the hooks use --------------------------------------------

    @property
    def type_name(self) -> str:
        return self._spec.type_name

    def _check_method(self, name: str, what: str) -> None:
        if self._methods and name not in self._methods:
            raise UnknownNameError("method", name, sorted(self._methods),
                                   message=f"goray.serve: {self._spec.type_name} has no "
                                           f"{what} method {name!r}; its methods: "
                                           f"{', '.join(sorted(self._methods))}")

    def _method_known(self, name: str) -> bool:
        """Whether `name` is a method of the C++ type (any public name when the library
        does not list its methods: a Go library)."""
        return name in self._methods if self._described else not name.startswith("_")

    def _call(self, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        with self._lock:
            return self._timed(name, args, kwargs)

    def _refuse_if_crashed(self) -> None:
        """After a crash: ReplicaCrashed, at once (the replica rejects new requests, so
        answering fast draws no more of them here)."""
        if self._crash is not None:
            first = self._crash.report.splitlines()[0] if self._crash.report else "a native crash"
            raise ReplicaCrashed(f"{self._spec.type_name}: this replica is ending after "
                                 f"{first.removeprefix('goray: ')} in another call; send the "
                                 f"call again (Serve sends it to a live replica)")

    def _crashed(self, crash: NativeCrash) -> None:
        """A call's native code crashed and was recovered: the process's state may be
        broken, so it ends shortly (after the crashed call's answer has gone out). Serve's
        replica rejects new requests from now on, so they go to other replicas."""
        if self._crash is not None:
            return
        self._crash = crash
        rejecting = internals.serve_reject_requests()
        print(f"goray.serve: the replica of {self._spec.type_name} ends in "
              f"{EXIT_AFTER_CRASH_S:g} s after a native crash; Serve starts another"
              + ("" if rejecting else " (this Serve's replica cannot be made to reject "
                 "requests: those that reach it meanwhile answer 503)"),
              file=sys.stderr, flush=True)
        timer = threading.Timer(EXIT_AFTER_CRASH_S, os._exit, (70,))  # (EX_SOFTWARE)
        timer.daemon = True
        timer.start()

    @contextlib.contextmanager
    def _into_native(self) -> Iterator[None]:
        """Around every call into the C++ instance: refused after a crash; a crash in
        it ends the replica (after its caller's answer)."""
        self._refuse_if_crashed()
        try:
            yield
        except NativeCrash as crash:
            self._crashed(crash)
            raise

    def _timed(self, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        """The call, its time kept as a moving average (for _call_async's choice); a
        method that called a deployment counts as a long one from then on."""
        self._refuse_if_crashed()  # (_into_native's, spelled out: every call passes here)
        started, calls_before = time.perf_counter(), calls_out
        try:
            return self._native.call(name, *args, **kwargs)
        except NativeCrash as crash:
            self._crashed(crash)
            raise
        finally:
            took = time.perf_counter() - started
            if calls_out != calls_before:  # it calls deployments: never on the loop
                took = math.inf
            typical = self._typical.get(name)
            self._typical[name] = took if typical is None else 0.8 * typical + 0.2 * took

    async def _call_async(self, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        """The call from Serve's event loop (a handle's, HTTP's): made right there when
        the method typically takes under INLINE_BELOW_S and the instance is free, as a
        Python deployment's code computes in place; else in Serve's thread pool (anyio's,
        sized by max_ongoing_requests, as for Serve's sync methods), so that a long C++
        call does not hold the loop. A method's first call runs in the pool."""
        self._refuse_if_crashed()
        if self._typical.get(name, INLINE_BELOW_S) < INLINE_BELOW_S:
            lock = self._lock
            if isinstance(lock, contextlib.nullcontext):
                return self._timed(name, args, kwargs)
            if lock.acquire(blocking=False):
                try:
                    return self._timed(name, args, kwargs)
                finally:
                    lock.release()
        from anyio import to_thread  # (Starlette's, so Serve's, dependency)
        return await to_thread.run_sync(self._call, name, args, kwargs)

    def _positional(self, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[Any, ...]:
        """A call's arguments by position, keywords resolved by the method's parameters."""
        if not kwargs:
            return args
        params = _traits.method_params(self._library, self._spec.type_name, name)
        return _keywords.resolve(f"{self._spec.type_name}.{name}", params, args, kwargs)

    def _start_stream(self, name: str, args: Tuple[Any, ...],
                      kwargs: Dict[str, Any]) -> "_streams_local.LocalStream":
        args = self._positional(name, args, kwargs)
        with self._lock, self._into_native():
            return _streams_local.method_stream(self._library, self._native.index,
                                                self._spec.type_name, name, args, ahead=True)

    def _next_batch(self, stream: "_streams_local.LocalStream") -> List[Any]:
        with self._lock, self._into_native():
            return stream.next_batch()

    async def _items(self, stream: "_streams_local.LocalStream") -> AsyncIterator[Any]:
        """The items of a started stream, read in batches off the event loop; closing
        this (a client gone, a cancelled request) destroys the C++ generator at its
        next co_yield, as a cancelled Ray stream does."""
        try:
            while True:
                batch = await asyncio.to_thread(self._next_batch, stream)
                if not batch:
                    return
                for item in batch:
                    yield item
        finally:
            if not stream.closed and self._crash is None:
                # The read in flight (if any) finished before its thread returned; the
                # lock keeps the close from running beside another batch.
                with self._lock:
                    stream.close()

    # -- the methods a deployment shows ----------------------------------------------

    def _plain(self, name: str) -> Callable[..., Any]:
        call = self._call_async

        async def method(*args: Any, **kwargs: Any) -> Any:
            return await call(name, args, kwargs)

        method.__name__ = method.__qualname__ = name
        return method

    def _streaming(self, name: str) -> Callable[..., Any]:
        start, items = self._start_stream, self._items

        async def method(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            stream = await asyncio.to_thread(start, name, args, kwargs)
            async for item in items(stream):
                yield item

        method.__name__ = method.__qualname__ = name
        return method

    def _batched(self, name: str, batch: Batch) -> Callable[..., Any]:
        from ray import serve
        call, callee = self._call, f"{self._spec.type_name}.{name}"

        def counted(items: List[Any]) -> List[Any]:
            results = call(name, (items,), {})
            results = list(results) if not isinstance(results, list) else results
            if len(results) != len(items):
                raise GorayError(f"{callee} is batched, so it returns one result "
                                 f"per element: it returned {len(results)} for a batch of "
                                 f"{len(items)}")
            return results

        def alone(item: Any) -> Any:
            try:
                return counted([item])[0]
            except ArgumentError as error:
                return _Failed(_element_error(error, callee))
            except Exception as error:  # noqa: BLE001 (each caller gets its own error)
                return _Failed(error)

        def run(items: List[Any]) -> List[Any]:
            """One native call for the batch; if it fails (an element C++ cannot take, a
            C++ exception), each element is called again alone, so that each caller gets
            its own result or error. A native crash fails the whole batch: the replica
            is ending, and refuses the calls after it."""
            try:
                return counted(items)
            except (NativeCrash, ReplicaCrashed):
                raise
            except Exception:  # noqa: BLE001 (split: the elements' own answers)
                return [alone(item) for item in items]

        async def gathered(items: List[Any]) -> List[Any]:
            return await asyncio.to_thread(run, items)

        options: Dict[str, Any] = {"max_batch_size": batch.max_batch_size,
                                   "batch_wait_timeout_s": batch.batch_wait_timeout_s}
        if batch.max_concurrent_batches != 1:
            options["max_concurrent_batches"] = batch.max_concurrent_batches
        batcher = serve.batch(**options)(gathered)

        async def method(*args: Any, **kwargs: Any) -> Any:
            result = await batcher(_one_element(callee, self._positional(name, args, kwargs)))
            if isinstance(result, _Failed):
                raise result.error
            return result

        method.__name__ = method.__qualname__ = name
        return method

    async def __call__(self, request: Any) -> Any:
        """HTTP: goray's default mapping, POST /<Method> with JSON (serve/_http.py)."""
        from ._http import respond
        return await respond(self, request)

    # -- Serve's hooks ----------------------------------------------------------------

    def reconfigure(self, config: Any) -> None:
        """Serve's user_config: given to the C++ method behind the hook (Reconfigure by
        default) as its one argument. A C++ exception fails the replica's start (or
        update), serve.status()'s deployment message ending with its type and message."""
        method = self._hooks["reconfigure"]
        if method is None:
            raise GorayError(f"goray.serve: the deployment of {self._spec.type_name} has a "
                             f"user_config, but {self._spec.type_name} has no method "
                             f"{HOOKS['reconfigure']!r} to take it (or name one: "
                             "goray.serve.deployment(..., reconfigure='Method'))")
        try:
            self._call(method, (config,), {})
        except GorayError as error:
            # Serve puts the traceback of this in the deployment's status message, the
            # error's text last: goray's frames below here would only push it down.
            raise error.with_traceback(None) from None

    def check_health(self) -> None:
        """Serve's health check: the C++ method behind the hook (CheckHealth by default),
        unhealthy when it throws or returns false."""
        if self._closed:
            raise GorayError(f"{self._spec.type_name}: the replica's native instance is closed")
        self._refuse_if_crashed()
        method = self._hooks["check_health"]
        if method is not None and self._call(method, (), {}) is False:
            raise GorayError(f"{self._spec.type_name}.{method} returned false: unhealthy")

    def __del__(self) -> None:
        """Serve's graceful shutdown (and garbage collection): the C++ destructor runs
        once, after the calls in flight."""
        if getattr(self, "_closed", True) or self._crash is not None:
            return  # (after a crash the destructor would run on broken state)
        self._closed = True
        with self._lock:
            self._native.close()

    def __repr__(self) -> str:
        return f"<goray.serve replica of {self._spec.type_name}>"


class _Failed:
    """A batch element's own error, in the list of results a batch hands Serve (which
    sets each caller's result; the caller's method raises it)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


#: An ArgumentError's received text for an element of a batch of one: "array (at
#: [0]<the path inside the element>: expected <type>, received <type>)", as the native
#: decoder nests it, or "<container> holding <what> (at [0]<path>)", as goray's packer does.
_NATIVE_ELEMENT = re.compile(r"array \(at \[0\]([^:]*): expected (.*?), received (.*)\)", re.S)
_PACKED_ELEMENT = re.compile(r"\w+ holding (.*) \(at \[0\]([^)]*)\)", re.S)


def _element_error(error: ArgumentError, callee: str) -> ArgumentError:
    """An ArgumentError for a batch of one element, said of the element (what the caller
    sent) rather than of the vector goray made of it: "position 0: expected
    std::vector<double>, received str (one element of the batch)". Unchanged when its
    text is not the decoder's or the packer's."""
    native = _NATIVE_ELEMENT.fullmatch(error.received)
    if native is not None and error.path.startswith("[0]"):
        path, expected, received = error.path[3:], native.group(2), native.group(3)
    else:
        packed = _PACKED_ELEMENT.fullmatch(error.received)
        if packed is None or error.path:
            return error
        path, expected, received = packed.group(2), error.expected, packed.group(1)
    at = f" (at {path})" if path else ""
    message = (f"position {error.position}: expected {expected}, received {received}{at}, "
               f"as one element of the batch")
    return ArgumentError(callee, error.position, expected, received, message=message,
                         path=path, struct=error.struct)


def _one_element(callee: str, args: Tuple[Any, ...]) -> Any:
    """The one element a request to batched method `callee` passes (its arguments by
    position: the element, given by position or by the vector parameter's name)."""
    if len(args) != 1:
        raise ArgumentError(callee, None, "1 argument (one element of the batch)",
                            f"{len(args)} arguments")
    return args[0]


_classes: Dict[ReplicaSpec, type] = {}
_classes_lock = threading.Lock()


def replica_class(spec: ReplicaSpec) -> type:
    """The class Serve deploys for `spec`: NativeReplica with the spec, named after the
    C++ type (Serve's default deployment name). One class per spec, so that deploying
    the same spec again with a new user_config reconfigures the replicas in place
    (Serve restarts them when the class changes)."""
    with _classes_lock:
        made = _classes.get(spec)
        if made is None:
            # A qualname no lookup finds: cloudpickle sends the class by value, spec and all.
            made = _classes[spec] = type(spec.type_name, (NativeReplica,),
                                         {"_spec": spec, "__module__": __name__,
                                          "__qualname__": f"NativeReplica.<{spec.type_name}>"})
        return made
