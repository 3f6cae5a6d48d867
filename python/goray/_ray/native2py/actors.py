"""Actors for native callers on Ray (docs/protocol.md §3, §7, §12): NewActor 11 and
NewPythonActor 12 (the handle kept under a new id of the actors store), KillActor
14, GetActor 15, ReleaseActor 32 and DescribeActor 35 (what GetActor says of an
id met inside a value).

Tests: tests/ray/test_cpp_driver.py
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Dict

import ray
import ray.exceptions

from ... import _registry, _stores
from ..._handlers import Handler, Reply
from ..._protocol import (ACTOR_IS_NATIVE, ACTOR_LOCAL_ID, ACTOR_NAME, ACTOR_TYPE_NAME,
                          META_ACTOR_METHODS, META_ACTOR_TYPE_NAME, META_LOCAL_ACTOR_ID, Code,
                          Native2Py, pack_u64, unpack_u64)
from ..._stores import ActorEntry, describe_actor
from ..._traits import checked_actor_options
from ..py2native import callees
from ..submission import submit
from ..values import objects
from ..worker import bodies
from .calls import call, native_refs, python_callee_refs
from .store_entries import unknown_id
from ..submission.options import split_options, with_goray_env

__all__ = ["HANDLERS"]

_log = logging.getLogger("goray")


def _new_actor(data: memoryview) -> Reply:
    args_block, meta, refs, _ = call(data)
    type_name = meta[META_ACTOR_TYPE_NAME]
    methods = meta.get(META_ACTOR_METHODS) or callees.native_actor_methods(type_name)
    groups, options = checked_actor_options(bodies.ready_library(), type_name, split_options(meta))
    cls = bodies.native_actor_class(type_name, methods, groups)
    contiguous = objects.contiguous(args_block)
    callees.check_actor_args(type_name, contiguous, bool(refs))
    positions, ordered = native_refs(refs)
    handle = cls.options(**with_goray_env(options)).remote(
        objects.travelling(contiguous), positions, *ordered)
    entry = ActorEntry(handle, type_name, True)
    return Code.SUCCESS, pack_u64(_stores.actors.add(entry))


def _new_python_actor(data: memoryview) -> Reply:
    args_block, meta, refs, _ = call(data)
    name = meta[META_ACTOR_TYPE_NAME]
    cls = bodies.python_actor_class(name)
    options = {**_registry.declared_options(name), **split_options(meta)}
    values, marked = python_callee_refs(args_block, refs)
    keywords = {bodies.NATIVE_ARGS_KEYWORD: marked} if marked else {}
    handle = cls.options(**with_goray_env(options)).remote(*values, **keywords)
    entry = ActorEntry(handle, name, False)
    return Code.SUCCESS, pack_u64(_stores.actors.add(entry))


def _kill_actor(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    entry: ActorEntry = _stores.actors.get(int(request.pop(META_LOCAL_ACTOR_ID)))  # type: ignore[assignment]
    ray.kill(entry.handle, **request)
    if request.get("no_restart", True):
        _await_actor_death(entry.handle)
    return Code.SUCCESS, b""


def _await_actor_death(handle: Any, deadline_seconds: float = 30.0) -> None:
    """ray.kill only asks the GCS to end the actor; a call made before the driver
    learns of the death still runs. Kill promises that later calls fail, so probe
    the actor until this driver sees it dead (or give up after the deadline)."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            ray.get(handle.__ray_ready__.remote(), timeout=5)
        except ray.exceptions.ActorDiedError:
            return
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            pass  # unavailable for now: the death has not been published yet
        time.sleep(0.02)
    _log.warning("goray: the killed actor still answered after %.0f s", deadline_seconds)


def _get_actor(data: memoryview) -> Reply:
    request = json.loads(bytes(data))
    name = request.pop(ACTOR_NAME)
    handle = ray.get_actor(name, **request)
    type_name, is_native = describe_actor(handle)
    actor_id = _stores.actors.add(ActorEntry(handle, type_name, is_native))
    return Code.SUCCESS, json.dumps({ACTOR_LOCAL_ID: actor_id, ACTOR_TYPE_NAME: type_name,
                                     ACTOR_IS_NATIVE: is_native}).encode()


def _describe_actor(data: memoryview) -> Reply:
    """DescribeActor (35): what GetActor says of an actor id, for a handle decoded
    from a value."""
    try:
        entry: ActorEntry = _stores.actors.get(unpack_u64(data))  # type: ignore[assignment]
    except KeyError as error:
        return unknown_id(Code.FAILED, error)
    return Code.SUCCESS, json.dumps({ACTOR_TYPE_NAME: entry.type_name,
                                     ACTOR_IS_NATIVE: entry.is_native}).encode()


def _release_actor(data: memoryview) -> Reply:
    actor_id = unpack_u64(data)
    try:
        _stores.actors.pop(actor_id)
    except KeyError as error:
        return unknown_id(Code.FAILED, error)
    submit.forget_actor(actor_id)
    return Code.SUCCESS, b""


#: The commands this module serves.
HANDLERS: Dict[Native2Py, Handler] = {
    Native2Py.NEW_ACTOR: _new_actor,
    Native2Py.NEW_PYTHON_ACTOR: _new_python_actor,
    Native2Py.KILL_ACTOR: _kill_actor,
    Native2Py.GET_ACTOR: _get_actor,
    Native2Py.RELEASE_ACTOR: _release_actor,
    Native2Py.DESCRIBE_ACTOR: _describe_actor,
}
