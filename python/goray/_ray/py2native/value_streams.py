"""goray.stream: the items of a native generator task or actor method as Python values,
for a Python caller, many items to a Ray object (goray._ray.streaming.value_groups).

The call is submitted under a Ray task name that has the body group the items the
generator already made (VALUES_SUFFIX); an ItemStream reads each object as it comes
and hands its values out one by one. Under a name of the caller's the body cannot
know, so each object is one value, read the same way.

Tests: tests/docs/test_docs_site.py
"""

from __future__ import annotations

import collections
from typing import Any, Deque, Dict, Generic, List, Optional, Sequence, TypeVar

import ray
from ray.actor import ActorMethod

from ...errors import GorayError
from ..cancellation import stream_cancels
from ..compat import internals
from . import callees
from ..streaming import generators
from ..values import reads
from ..worker import bodies
from ..streaming.value_groups import VALUES_SUFFIX, ItemOrder, refuse_kept_name

__all__ = ["ItemStream", "for_task", "for_method"]

T = TypeVar("T")


class ItemStream(Generic[T]):
    """The items of a native generator as Python values, each as the generator
    produced it (``for value in goray.stream(...)``, or ``async for``). Ray carries a
    few items per object when goray.stream named the call, one per object otherwise
    (``grouped``); either way each item comes once, in order. A C++ exception raises
    from the ``next()`` after the items before it, then the stream ends.

    ``close()`` (or the end of a ``with`` block) cancels the task when it has not
    ended (``ray.cancel`` of ``generator``, the call's ``ray.ObjectRefGenerator``)."""

    __slots__ = ("_generator", "_label", "_order", "_pending", "_done")

    def __init__(self, generator: Any, label: str, grouped: bool) -> None:
        self._generator = generator
        self._label = label
        self._order: Optional[ItemOrder] = ItemOrder(f"values stream of {label}") if grouped else None
        self._pending: Deque[Any] = collections.deque()
        self._done = False

    @property
    def generator(self) -> Any:
        """The call's ray.ObjectRefGenerator (for ray.cancel, ray.wait): its refs hold
        groups of values when ``grouped``; iterate this stream, not it."""
        return self._generator

    @property
    def grouped(self) -> bool:
        """Whether Ray carries several items per object."""
        return self._order is not None

    def __iter__(self) -> "ItemStream[T]":
        return self

    def __next__(self) -> T:
        pending = self._pending
        if pending:
            return pending.popleft()  # type: ignore[no-any-return]
        while not self._done:
            try:
                ref = next(self._generator)
            except StopIteration:
                self._ray_stream_ended()
                raise
            try:
                value = reads.get(ref, None)
            except BaseException:
                self._done = True
                raise
            values = self._values_of(value)
            if values:
                pending.extend(values)
                return pending.popleft()  # type: ignore[no-any-return]
        raise StopIteration

    def __aiter__(self) -> "ItemStream[T]":
        return self

    async def __anext__(self) -> T:
        pending = self._pending
        if pending:
            return pending.popleft()  # type: ignore[no-any-return]
        while not self._done:
            try:
                ref = await self._generator.__anext__()
            except StopAsyncIteration:
                self._ray_stream_ended()
                raise
            try:
                value = await ref
            except BaseException:
                self._done = True
                raise
            values = self._values_of(value)
            if values:
                pending.extend(values)
                return pending.popleft()  # type: ignore[no-any-return]
        raise StopAsyncIteration

    def _values_of(self, value: Any) -> List[Any]:
        """The values to hand out of one object's value; items lost end this stream."""
        order = self._order
        if order is None:
            return [value]
        try:
            values = order.take(value)
        except GorayError:
            self._done = True
            raise
        if order.ended:
            self._done = True  # what Ray may still carry after the end mark is a repeat's
        return values

    def _ray_stream_ended(self) -> None:
        self._done = True
        if self._order is not None:
            self._order.finish()

    def close(self) -> None:
        """Cancels the task if it has not ended (its generator stops at its next
        suspension point); later ``next()`` calls raise StopIteration."""
        self._pending.clear()
        if not self._done:
            self._done = True
            if ray.is_initialized():  # (Ray's cancel of a task that ended does nothing)
                stream_cancels.cancel(self._generator)

    def __enter__(self) -> "ItemStream[T]":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "ended" if self._done else "open"
        return f"<goray.ItemStream of {self._label} ({state})>"


def for_task(name: str, options: Dict[str, Any], args: Sequence[Any]) -> ItemStream[Any]:
    """goray.stream of native generator task `name` with Ray `options` (the user's,
    prepared by goray.golang_task) and its arguments as positions."""
    grouped = options.get("name") is None and bodies.task_names()
    remote = callees.native_task_for_python(name, options, values=True)
    return ItemStream(remote.remote(*args), name, grouped)


def for_method(callee: Any, args: Sequence[Any], kwargs: Dict[str, Any]) -> ItemStream[Any]:
    """goray.stream of a native actor's generator method: `callee` is the method of a
    handle (``handle.Range``) or its ``.options(...)``."""
    method, options = _method_and_options(callee)
    actor = internals.method_actor(method)
    if actor is None:  # (before Ray 2.48 a method holds its handle weakly)
        raise RuntimeError(f"goray.stream: the actor handle of {method._method_name} is gone: "
                           "keep the handle in a variable (actor = Cls.remote()) before calling "
                           "its methods")
    native = bodies.native_methods_of(actor)
    if native is None:
        raise TypeError(f"goray.stream takes a native generator task or a method of a native "
                        f"actor's handle; {method._method_name} is a method of a Python actor: "
                        "iterate its .remote() refs")
    type_name = native[0]
    label = f"{type_name}.{method._method_name}"
    if method._method_name not in generators.streaming_methods(type_name):
        raise generators.not_a_generator("method", label)
    given = options.get("name")
    refuse_kept_name(given, VALUES_SUFFIX, "goray.stream's calls")
    grouped = given is None and bodies.task_names()  # (the body reads the name)
    if grouped:
        options["name"] = label + VALUES_SUFFIX
    return ItemStream(method.options(**options).remote(*args, **kwargs), label, grouped)


def _method_and_options(callee: Any) -> Any:
    """(the ActorMethod, a copy of the options given with .options()) of `callee`."""
    if isinstance(callee, ActorMethod):
        return callee, {}
    parts = internals.method_with_options(callee)  # Ray's wrapper of .options(...)
    if parts is not None and isinstance(parts[0], ActorMethod):
        return parts
    raise TypeError("goray.stream takes a native generator task (goray.golang_task(name), or "
                    "a generated module's task) or a generator method of a native actor's "
                    f"handle (handle.Method, or handle.Method.options(...)); got {callee!r:.100}")
