"""What a library says about its tasks and actor types beyond their signatures
(DescribeApplication, Py2Native 38, protocol version 5: docs/protocol.md §13):
which tasks and methods stream, which actor types are thread-safe, their
concurrency groups and which group each method runs in, the Ray options each actor
type declares (GORAY_ACTOR_OPTIONS, merged under a creation's own); the names and
constant defaults of every callable's parameters (for keyword arguments, _keywords); and
where results hold enums (result_enums, for goray._enums).

Asked once per library object and cached. A library below version 5, or one that
answers code 1 (a Go library), has no traits: nothing streams, no actor type is
thread-safe, no groups.

Tests: tests/python/test_traits.py, tests/python/test_keywords.py,
tests/python/test_map_inputs.py, tests/ray/test_concurrency_groups.py
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Mapping, Optional, Tuple

from . import _enums
from ._keywords import NOT_CONSTANT, Param
from ._protocol import STREAMS_VERSION, Code, Py2Native
from .errors import GorayError

__all__ = ["ActorTraits", "AppTraits", "DESCRIBE_APPLICATION", "TRAITS_VERSION",
           "app_traits", "actor_traits", "task_streams", "parse_traits",
           "checked_actor_options", "Params", "task_params", "actor_params", "method_params",
           "MapLoop", "task_map", "method_map", "result_enums"]

#: A callable's parameters, as DescribeApplication names them.
Params = Tuple[Param, ...]

#: Py2Native DescribeApplication.
DESCRIBE_APPLICATION = int(Py2Native.DESCRIBE_APPLICATION)
#: GorayProtocolVersion() from which a library answers DescribeApplication.
TRAITS_VERSION = STREAMS_VERSION


@dataclass(frozen=True)
class MapLoop:
    """A task's or method's native map loop (goray.map, docs/protocol.md §16): per
    parameter the NumPy dtype its column travels as ("" for msgpack values), the result's
    dtype ("" for msgpack values), and whether it returns nothing."""

    columns: Tuple[str, ...]
    result: str
    void: bool


@dataclass(frozen=True)
class ActorTraits:
    """One actor type's traits. `groups` maps a method to its concurrency group."""

    thread_safe: bool = False
    concurrency_groups: Dict[str, int] = field(default_factory=dict)
    streams: FrozenSet[str] = frozenset()
    groups: Dict[str, str] = field(default_factory=dict)
    # The parameters of its constructor (or factory) and of each method, when known.
    params: Optional[Params] = None
    method_params: Dict[str, Params] = field(default_factory=dict)
    # Every method the library lists (method_params has only those whose names it knows).
    methods: FrozenSet[str] = frozenset()
    # The map loop of each method that has one.
    method_maps: Dict[str, MapLoop] = field(default_factory=dict)
    # The Ray options an actor is created with unless the creation gives its own.
    options: Dict[str, Any] = field(default_factory=dict)

    def key(self) -> Tuple[Any, ...]:
        """A hashable summary (for caches keyed by traits)."""
        return (self.thread_safe, tuple(sorted(self.concurrency_groups.items())),
                tuple(sorted(self.streams)), tuple(sorted(self.groups.items())))


@dataclass(frozen=True)
class AppTraits:
    """`described` is False for a library without traits (below version 5, or code 1):
    its actor types were never asked to declare thread safety, so nothing is refused
    for them (GoRay's Go libraries keep their behaviour)."""

    streaming_tasks: FrozenSet[str] = frozenset()
    actors: Dict[str, ActorTraits] = field(default_factory=dict)
    described: bool = False
    task_params: Dict[str, Params] = field(default_factory=dict)
    task_maps: Dict[str, MapLoop] = field(default_factory=dict)
    # Where results hold enums (DescribeApplication "result_enums"): goray._enums.
    enums: _enums.Converter = field(default_factory=lambda: _enums.Converter(None))
    # The application's name (DescribeApplication "name", goray-gen's NAME), or "".
    name: str = ""


_NO_TRAITS = AppTraits()
_DEFAULT_ACTOR = ActorTraits()

_lock = threading.Lock()
_ATTRIBUTE = "_goray_app_traits"


def app_traits(library: Any) -> AppTraits:
    """The library's traits (DescribeApplication), kept on the library object: every
    caller gets the first answer kept. `library` has ``execute(cmd, payload=b"",
    index=0) -> (code, bytes)`` and ``protocol_version``.

    No lock is held while the library is asked: the command is an Execute, whose end
    sends the library's queued submissions and so may wait for another thread's batch,
    whose handler may be here too (a second thread asking as well costs one more
    DescribeApplication, not a deadlock)."""
    cached: Optional[AppTraits] = getattr(library, _ATTRIBUTE, None)
    if cached is not None:
        return cached
    described = _describe(library)
    with _lock:
        cached = getattr(library, _ATTRIBUTE, None)
        if cached is None:
            cached = described
            setattr(library, _ATTRIBUTE, cached)
    return cached


def actor_traits(library: Any, type_name: str) -> ActorTraits:
    """The traits of actor type `type_name` (defaults for a type the library does not
    list)."""
    return app_traits(library).actors.get(type_name, _DEFAULT_ACTOR)


def task_streams(library: Any, name: str) -> bool:
    """True when task `name` is a generator (its result is goray::Generator<T>)."""
    return name in app_traits(library).streaming_tasks


def task_params(library: Any, name: str) -> Optional[Params]:
    """The parameters of task `name`, or None when the library does not name them."""
    return app_traits(library).task_params.get(name)


def actor_params(library: Any, type_name: str) -> Optional[Params]:
    """The parameters of actor type `type_name`'s constructor or factory, or None."""
    return actor_traits(library, type_name).params


def method_params(library: Any, type_name: str, method: str) -> Optional[Params]:
    """The parameters of method `type_name.method`, or None."""
    return actor_traits(library, type_name).method_params.get(method)


def task_map(library: Any, name: str) -> Optional[MapLoop]:
    """Task `name`'s native map loop, or None (a generator, a library before map loops)."""
    return app_traits(library).task_maps.get(name)


def method_map(library: Any, type_name: str, method: str) -> Optional[MapLoop]:
    """Method `type_name.method`'s native map loop, or None."""
    return actor_traits(library, type_name).method_maps.get(method)


def result_enums(library: Any) -> _enums.Converter:
    """Where the library's results hold enums (nothing for a library that does not say)."""
    return app_traits(library).enums


def checked_actor_options(library: Any, type_name: str,
                          options: Mapping[str, Any]) -> Tuple[Dict[str, int], Dict[str, Any]]:
    """The creation options of a native actor of `type_name`, checked against its
    traits: (the caller's concurrency groups, the other options). The options the type
    declares (GORAY_ACTOR_OPTIONS) come first, the caller's over them. Ray takes
    concurrency groups only where the class is made, so they go there (merged over
    the declared ones) and not to ``.options()``. An actor type that is not
    thread-safe is refused max_concurrency > 1 and concurrency groups with a
    GorayError naming the type, the option and the fix (Python's and C++'s
    NewActor both come here)."""
    rest = {**app_traits(library).actors.get(type_name, _DEFAULT_ACTOR).options, **options}
    groups = rest.pop("concurrency_groups", None) or {}
    if not isinstance(groups, dict) or not all(
            isinstance(name, str) and isinstance(size, int) and not isinstance(size, bool)
            and size >= 1 for name, size in groups.items()):
        raise GorayError(f"actor type {type_name}: concurrency_groups must map group names "
                         f"to positive sizes, e.g. {{\"io\": 2}}; got {groups!r}")
    traits = app_traits(library)
    if not traits.described or actor_traits(library, type_name).thread_safe:
        return groups, rest
    fix = (f"mark the class GORAY_THREADSAFE (or registry ThreadSafe()) if its methods "
           "may run concurrently")
    threads = rest.get("max_concurrency")
    if isinstance(threads, (int, float)) and not isinstance(threads, bool) and threads > 1:
        raise GorayError(f"actor type {type_name} is not thread-safe: max_concurrency="
                         f"{threads} would run its methods on {threads} threads at once; {fix}")
    if groups:
        raise GorayError(f"actor type {type_name} is not thread-safe: concurrency_groups="
                         f"{groups!r} would run its methods on several threads at once; {fix}")
    return groups, rest


def _describe(library: Any) -> AppTraits:
    if int(getattr(library, "protocol_version", 1)) < TRAITS_VERSION:
        return _NO_TRAITS
    code, reply = library.execute(DESCRIBE_APPLICATION)
    if code == Code.FAILED:  # a library that does not know the command
        return _NO_TRAITS
    where = getattr(library, "path", repr(library))
    if code != Code.SUCCESS:
        raise GorayError(f"{where}: DescribeApplication failed (code {code}): "
                         f"{bytes(reply).decode('utf-8', errors='replace')}")
    return parse_traits(reply, where)


def parse_traits(reply: Any, where: str = "library") -> AppTraits:
    """DescribeApplication's reply (JSON) as AppTraits; a reply that is not the
    documented shape raises GorayError naming `where` and the offending key."""
    try:
        document = json.loads(bytes(reply).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise GorayError(f"{where}: DescribeApplication replied with invalid JSON: "
                         f"{error}") from None
    top = _mapping(document, f"{where}: DescribeApplication reply")
    tasks = _mapping(top.get("tasks", {}), f"{where}: DescribeApplication \"tasks\"")
    streaming = frozenset(name for name, task in tasks.items()
                          if _stream_flag(task, f"{where}: task {name}"))
    params = {name: _params(task, f"{where}: task {name}") for name, task in tasks.items()}
    actors_doc = _mapping(top.get("actors", {}), f"{where}: DescribeApplication \"actors\"")
    actors = {name: _actor(body, f"{where}: actor type {name}")
              for name, body in actors_doc.items()}
    maps = {name: _map_loop(task, f"{where}: task {name}") for name, task in tasks.items()}
    enums = _mapping(top.get("result_enums", {}), f"{where}: DescribeApplication \"result_enums\"")
    name = top.get("name", "")
    if not isinstance(name, str):
        raise GorayError(f"{where}: DescribeApplication \"name\" must be a string, got {name!r}")
    return AppTraits(streaming_tasks=streaming, actors=actors, described=True, name=name,
                     task_params={name: found for name, found in params.items()
                                  if found is not None},
                     task_maps={name: found for name, found in maps.items() if found is not None},
                     enums=_enums.Converter(enums))


def _actor(body: Any, what: str) -> ActorTraits:
    body = _mapping(body, what)
    thread_safe = _flag(body, "thread_safe", what)
    declared = _mapping(body.get("concurrency_groups", {}), f"{what}: \"concurrency_groups\"")
    groups_sizes: Dict[str, int] = {}
    for group, size in declared.items():
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise GorayError(f"{what}: concurrency group {group!r} size must be a "
                             f"positive integer, got {size!r}")
        groups_sizes[group] = size
    methods = _mapping(body.get("methods", {}), f"{what}: \"methods\"")
    streams = set()
    method_groups: Dict[str, str] = {}
    method_params: Dict[str, Params] = {}
    method_maps: Dict[str, MapLoop] = {}
    for method, traits in methods.items():
        where = f"{what} method {method}"
        found = _params(traits, where)
        if found is not None:
            method_params[method] = found
        loop = _map_loop(traits, where)
        if loop is not None:
            method_maps[method] = loop
        if _stream_flag(traits, where):
            streams.add(method)
        group = traits.get("concurrency_group")
        if group is None:
            continue
        if not isinstance(group, str) or group not in groups_sizes:
            raise GorayError(f"{where}: \"concurrency_group\" {group!r} is not one of "
                             f"the type's groups {sorted(groups_sizes)}")
        method_groups[method] = group
    options = dict(_mapping(body.get("options", {}), f"{what}: \"options\""))
    return ActorTraits(thread_safe=thread_safe, concurrency_groups=groups_sizes,
                       streams=frozenset(streams), groups=method_groups,
                       params=_params(body, what), method_params=method_params,
                       methods=frozenset(methods), method_maps=method_maps, options=options)


def _params(body: Any, what: str) -> Optional[Params]:
    """body["params"] as Params; None when absent (a registration goray-gen did not
    write, or one from before keyword arguments)."""
    listed = _mapping(body, what).get("params")
    if listed is None:
        return None
    if not isinstance(listed, list):
        raise GorayError(f"{what}: \"params\" must be a JSON array, got "
                         f"{type(listed).__name__}")
    params = []
    for index, entry in enumerate(listed):
        entry = _mapping(entry, f"{what} parameter {index}")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise GorayError(f"{what} parameter {index}: \"name\" must be a non-empty "
                             f"string, got {name!r}")
        has_default = _flag(entry, "has_default", f"{what} parameter {name}")
        default = entry.get("default", NOT_CONSTANT) if has_default else NOT_CONSTANT
        params.append(Param(name, has_default, default))
    return tuple(params)


def _map_loop(body: Any, what: str) -> Optional[MapLoop]:
    """body["map"] as a MapLoop; None when absent."""
    loop = _mapping(body, what).get("map")
    if loop is None:
        return None
    loop = _mapping(loop, f"{what} \"map\"")
    columns, result = loop.get("columns"), loop.get("result", "")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise GorayError(f"{what}: \"map\".\"columns\" must be a list of dtype strings, "
                         f"got {columns!r}")
    if not isinstance(result, str):
        raise GorayError(f"{what}: \"map\".\"result\" must be a dtype string, got {result!r}")
    return MapLoop(tuple(columns), result, _flag(loop, "void", f"{what} \"map\""))


def _stream_flag(body: Any, what: str) -> bool:
    return _flag(_mapping(body, what), "stream", what)


def _flag(body: Mapping[str, Any], key: str, what: str) -> bool:
    """body[key], False when absent; anything but a boolean raises GorayError."""
    flag = body.get(key, False)
    if not isinstance(flag, bool):
        raise GorayError(f"{what}: \"{key}\" must be a boolean, got "
                         f"{type(flag).__name__} {flag!r}")
    return flag


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise GorayError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value
