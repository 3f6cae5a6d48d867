"""What goray-gen's generated Python modules (NAME.py) are made of: a native task and
a native actor type as module attributes, and the base of the C++ enums.

A generated module binds one object per task and actor type and names only the
application's own things:

    from goray._stubs import Task as _Task
    Square = _Task("Square", "The square of x.")

Neither class reaches Ray before the first .remote() or .options(): importing a
generated module imports goray, never Ray.

Tests: tests/python/test_stubs.py, tests/renderers/test_gen_runtime_support.py,
tests/renderers/test_gen_concurrency.py, tests/ray/test_map.py, tests/python/test_layers.py,
tests/docs/test_docs_site.py
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import Any, Dict, Optional

import goray  # looked up on each first use: goray.golang_task, as a user calls it
from goray import _process_setup

from . import _enums

__all__ = ["Task", "ActorClass", "NativeEnum"]


class NativeEnum(IntEnum):
    """The base of the C++ enums (``class Kind(NativeEnum, cpp="gis::Kind")``): results
    of C++ code holding that enum arrive as its members (goray._enums). A member pickles
    as "the member of gis::Kind", so a Ray worker, which cannot import the generated
    module, receives an int of that value (an EnumValue, which C++ takes as the int), and
    the driver gets the member back. A value without an enumerator (C++ allows any value
    of the underlying type) is a member named by its number."""

    def __init_subclass__(cls, cpp: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cpp:
            cls._goray_cpp_name = cpp  # type: ignore[attr-defined]
            _enums.register(cpp, cls)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if type(value) is not int:
            return None
        pseudo = int.__new__(cls, value)
        pseudo._name_ = str(value)
        pseudo._value_ = value
        return pseudo

    def __reduce_ex__(self, proto: Any) -> tuple[Any, ...]:
        cpp_name = getattr(type(self), "_goray_cpp_name", "")
        if not cpp_name:
            return int, (int(self),)
        return _enums.member, (cpp_name, int(self))


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
        _process_setup.note_generated_module(_defining_file())

    def _make(self) -> Any:
        raise NotImplementedError

    def _remote_object(self) -> Any:
        made = self._made
        if made is None:
            made = self._made = self._make()
        return made

    def remote(self, /, *args: Any, **kwargs: Any) -> Any:
        """Submits the task (``ray.ObjectRef`` of its result, or a
        ``ray.ObjectRefGenerator`` for a generator task), or creates the actor (its
        handle): goray.golang_task(name).remote(...), goray.golang_actor_class(name).remote(...)."""
        return self._remote_object().remote(*args, **kwargs)

    def options(self, **options: Any) -> Any:
        """goray.golang_task(name).options(...) for a task, goray.golang_actor_class(name)
        .options(...) for an actor type: a copy with these Ray options (NativeTask.options
        and NativeActorClass.options list them)."""
        return self._remote_object().options(**options)

    def __repr__(self) -> str:
        return f"<goray native {self._kind} {self._name}>"


class Task(_Native):
    """A native task, like goray.golang_task(name): .remote(*args, **kwargs),
    .options(**options); over many items, .map(items), .imap, .imap_unordered, .map_chunks,
    .map_refs (goray.map and its forms, docs/map.md)."""

    _kind = "task"

    def _make(self) -> Any:
        return goray.golang_task(self._name)

    def _untyped(self) -> Any:
        """Itself, as goray.map's untyped callee (the .pyi types the forms)."""
        return self

    def map(self, /, *iterables: Any, **options: Any) -> Any:
        """goray.map(task, *iterables, **options)."""
        return goray.map(self._untyped(), *iterables, **options)

    def imap(self, /, *iterables: Any, **options: Any) -> Any:
        """goray.imap(task, *iterables, **options)."""
        return goray.imap(self._untyped(), *iterables, **options)

    def imap_unordered(self, /, *iterables: Any, **options: Any) -> Any:
        """goray.imap_unordered(task, *iterables, **options)."""
        return goray.imap_unordered(self._untyped(), *iterables, **options)

    def map_chunks(self, /, *iterables: Any, **options: Any) -> Any:
        """goray.map_chunks(task, *iterables, **options)."""
        return goray.map_chunks(self, *iterables, **options)

    def map_refs(self, /, *iterables: Any, **options: Any) -> Any:
        """goray.map_refs(task, *iterables, **options)."""
        return goray.map_refs(self, *iterables, **options)


class ActorClass(_Native):
    """A native actor type, like goray.golang_actor_class(name): .remote(*args) creates an
    actor and returns its handle; .options(**options). What the C++ class declares, as
    goray-gen read it: thread_safe (GORAY_THREADSAFE), concurrency_groups (name -> size,
    GORAY_CONCURRENCY_GROUP), method_groups (method -> group, GORAY_IN_GROUP) and
    declared_options (GORAY_ACTOR_OPTIONS), for reading only: the driver takes them from
    the library when it creates an actor (.options() over the declared options)."""

    _kind = "actor type"

    def __init__(self, name: str, doc: str, *, thread_safe: bool = False,
                 concurrency_groups: Optional[Dict[str, int]] = None,
                 method_groups: Optional[Dict[str, str]] = None,
                 declared_options: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(name, doc)
        self.thread_safe = thread_safe
        """Whether the C++ class is GORAY_THREADSAFE (its methods may run at once)."""
        self.concurrency_groups: Dict[str, int] = dict(concurrency_groups or {})
        """Its concurrency groups, name -> number of threads (GORAY_CONCURRENCY_GROUP)."""
        self.method_groups: Dict[str, str] = dict(method_groups or {})
        """The group of each method placed in one, method -> group (GORAY_IN_GROUP)."""
        self.declared_options: Dict[str, Any] = dict(declared_options or {})
        """The Ray options its actors are created with unless .options() gives its own
        (GORAY_ACTOR_OPTIONS), name -> value."""

    def _make(self) -> Any:
        return goray.golang_actor_class(self._name)
