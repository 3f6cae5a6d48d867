"""What goray-gen's generated Python modules (NAME.py) are made of: a native task and
a native actor type as module attributes, and the base of the C++ enums.

A generated module binds one object per task and actor type and names only the
application's own things:

    from goray._stubs import Task as _Task
    Square = _Task("Square", "The square of x.")

Neither class reaches Ray before the first .remote() or .options(): importing a
generated module imports goray, never Ray.
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import Any, Dict, Optional

import goray  # looked up on each first use: goray.golang_task, as a user calls it
from goray import _worker

__all__ = ["Task", "ActorClass", "NativeEnum"]


class NativeEnum(IntEnum):
    """The base of the C++ enums: a member pickles as its plain int, so a Ray worker,
    which cannot import the generated module, receives the value (as C++ would)."""

    def __reduce_ex__(self, proto: Any) -> tuple[Any, ...]:
        return int, (int(self),)


def _defining_file() -> Optional[str]:
    """The file of the module whose top level is making a Task or ActorClass (the
    generated module's): goray.init puts its folder on the path of the workers of the
    Ray it starts, so their code imports the module by name."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # type: ignore[assignment]
    return frame.f_globals.get("__file__") if frame is not None else None


class _Native:
    """What Task and ActorClass share: goray's object for the name, made on first use."""

    _kind = ""

    def __init__(self, name: str, doc: str) -> None:
        self._name = name
        self._made: Any = None
        self.__doc__ = doc or f"The native {self._kind} {name}."
        _worker.note_generated_module(_defining_file())

    def _make(self) -> Any:
        raise NotImplementedError

    def _golang(self) -> Any:
        made = self._made
        if made is None:
            made = self._made = self._make()
        return made

    def remote(self, /, *args: Any, **kwargs: Any) -> Any:
        return self._golang().remote(*args, **kwargs)

    def options(self, **options: Any) -> Any:
        return self._golang().options(**options)

    def __repr__(self) -> str:
        return f"<goray native {self._kind} {self._name}>"


class Task(_Native):
    """A native task, like goray.golang_task(name): .remote(*args, **kwargs),
    .options(**options); over many items, .map(items), .imap, .imap_unordered, .map_chunks,
    .map_refs (goray.map and its forms, docs/map.md)."""

    _kind = "task"

    def _make(self) -> Any:
        return goray.golang_task(self._name)

    def map(self, /, *iterables: Any, **options: Any) -> Any:
        return goray.map(self, *iterables, **options)

    def imap(self, /, *iterables: Any, **options: Any) -> Any:
        return goray.imap(self, *iterables, **options)

    def imap_unordered(self, /, *iterables: Any, **options: Any) -> Any:
        return goray.imap_unordered(self, *iterables, **options)

    def map_chunks(self, /, *iterables: Any, **options: Any) -> Any:
        return goray.map_chunks(self, *iterables, **options)

    def map_refs(self, /, *iterables: Any, **options: Any) -> Any:
        return goray.map_refs(self, *iterables, **options)


class ActorClass(_Native):
    """A native actor type, like goray.golang_actor_class(name): .remote(*args) creates an
    actor and returns its handle; .options(**options). What the C++ class declares, as
    goray-gen read it: thread_safe (GORAY_THREADSAFE), concurrency_groups (name -> size,
    GORAY_CONCURRENCY_GROUP) and method_groups (method -> group, GORAY_IN_GROUP), for
    reading only: the driver takes them from the library when it creates an actor."""

    _kind = "actor type"

    def __init__(self, name: str, doc: str, *, thread_safe: bool = False,
                 concurrency_groups: Optional[Dict[str, int]] = None,
                 method_groups: Optional[Dict[str, str]] = None) -> None:
        super().__init__(name, doc)
        self.thread_safe = thread_safe
        self.concurrency_groups: Dict[str, int] = dict(concurrency_groups or {})
        self.method_groups: Dict[str, str] = dict(method_groups or {})

    def _make(self) -> Any:
        return goray.golang_actor_class(self._name)
