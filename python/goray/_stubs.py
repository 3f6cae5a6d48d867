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

from enum import IntEnum
from typing import Any

import goray  # looked up on each first use: goray.golang_task, as a user calls it

__all__ = ["Task", "ActorClass", "NativeEnum"]


class NativeEnum(IntEnum):
    """The base of the C++ enums: a member pickles as its plain int, so a Ray worker,
    which cannot import the generated module, receives the value (as C++ would)."""

    def __reduce_ex__(self, proto: Any) -> tuple[Any, ...]:
        return int, (int(self),)


class Task:
    """A native task, like goray.golang_task(name): .remote(*args), .options(**options)."""

    def __init__(self, name: str, doc: str) -> None:
        self._name = name
        self._task: Any = None
        self.__doc__ = doc or f"The native task {name}."

    def _golang(self) -> Any:
        task = self._task
        if task is None:
            task = self._task = goray.golang_task(self._name)
        return task

    def remote(self, *args: Any) -> Any:
        return self._golang().remote(*args)

    def options(self, **options: Any) -> Any:
        return self._golang().options(**options)

    def __repr__(self) -> str:
        return f"<goray native task {self._name}>"


class ActorClass:
    """A native actor type, like goray.golang_actor_class(name): .remote(*args) creates an
    actor and returns its handle; .options(**options)."""

    def __init__(self, name: str, doc: str) -> None:
        self._name = name
        self._class: Any = None
        self.__doc__ = doc or f"The native actor type {name}."

    def _golang(self) -> Any:
        actor_class = self._class
        if actor_class is None:
            actor_class = self._class = goray.golang_actor_class(self._name)
        return actor_class

    def remote(self, *args: Any) -> Any:
        return self._golang().remote(*args)

    def options(self, **options: Any) -> Any:
        return self._golang().options(**options)

    def __repr__(self) -> str:
        return f"<goray native actor type {self._name}>"
