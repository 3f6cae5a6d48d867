"""ObjectRefs and actor handles inside values (ext 73 / 74), on Ray.

Two forms of the same msgpack bytes (docs/protocol.md §12, "References and
handles inside values"):

- native memory (what a library reads and writes): fixext 8 type 73 holds the id
  of an object ref in this process's ``_stores.objects``, type 74 the id of an
  actor in ``_stores.actors``;
- object store (a NativeBlock held by Ray): the same exts hold an index into the
  block's ``refs`` / ``actors`` lists, which Ray pickles in band (so it records the
  refs as contained in the object: the referenced objects live while it does).

:func:`from_native` turns the first form into the second where native bytes leave
the process (submissions, results, PutObject); :func:`to_native_many` the second
into the first where they enter one (GetObject, arguments of native callees, and
Python values packed for native code), registering a new id per distinct ref or
handle: the library adopts each one (and releases it when done with it).

Installs itself as goray._codec's ref hooks when imported.

Tests: tests/python/test_ref_values_codec.py, tests/python/test_codec_equivalence.py,
tests/python/test_layers.py
"""

from __future__ import annotations

import struct
import sys
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

import ray
from ray.actor import ActorHandle

from ... import _codec, _stores
from ..._stores import ActorEntry, StoredObject, describe_actor
from ..._protocol import Buffer, Feature
from ...errors import GorayError
from ..submission import features

__all__ = ["kind", "from_native", "to_native_many", "decode", "Moved", "python_view"]

_U64 = struct.Struct("<Q")
_REF = _codec.EXT_OBJECT_REF
_ACTOR = _codec.EXT_ACTOR_HANDLE
#: The label of an object ref registered from inside a value when what produced it is
#: not known (made by Python): none, as for any ref Python made.
INSIDE_LABEL = ""


def kind(value: Any) -> int:
    """The ext type `value` packs as: 73 for a ray.ObjectRef, 74 for an actor handle,
    0 for anything else. A ref or handle for a library that did not turn refs in
    values on (EnableFeatures bit 2) is a RefsUnavailable error."""
    if isinstance(value, ray.ObjectRef):
        code, what = _REF, "an ObjectRef"
    elif isinstance(value, ActorHandle):
        code, what = _ACTOR, "an actor handle"
    else:
        return 0
    if not _refs_enabled():
        raise _codec.RefsUnavailable(
            f"{what} inside a value needs a goray library of protocol version 3 with refs in "
            "values turned on, on Ray (a top-level ObjectRef argument works everywhere)",
            "a value without ObjectRefs or actor handles (inside values they need a goray "
            "library of protocol version 3, on Ray)")
    return code


def _refs_enabled() -> bool:
    """Whether this process's library turned refs in values on (EnableFeatures bit
    2): before that (GoRay's libraries, a library before version 3, no Ray commands
    served here) no ext 73/74 is sent to it, and none it writes is read as a ref."""
    return bool(features.features() & _REFS_IN_VALUES)


_REFS_IN_VALUES = int(Feature.REFS_IN_VALUES)


class Moved(NamedTuple):
    """A block in the object-store form."""
    data: bytes
    refs: List[Any]
    actors: List[Any]
    native: bytes  # per ref: 1 when its value is a native producer's bytes ("" : none)
    labels: Tuple[str, ...]  # per ref: what produced it, for error texts (() : none known)


def _stored_object(object_id: int) -> Any:
    try:
        stored = _stores.objects.get(object_id)
    except KeyError as error:
        raise GorayError(f"a value holds an ObjectRef this process does not know: "
                         f"{str(error).strip(chr(39))}") from None
    if type(stored) is _stores.LentBuffers:
        raise GorayError(f"a value holds an ObjectRef with id {object_id}, but {stored.error(object_id)}")
    native = getattr(stored, "native", None)
    if native == _stores.HELD_ITEM:
        return objects.escaped(object_id, stored)  # a held stream item: a ref made for it
    if not isinstance(getattr(stored, "ref", None), ray.ObjectRef):
        # A pipelined submission that failed: what holds its ref fails the same way.
        text = bytes(getattr(stored, "text", b"")).decode("utf-8", errors="replace")
        raise GorayError(f"a value holds object {object_id}, the result of a submission of "
                         f"{getattr(stored, 'label', '?')} that failed: {text.split(chr(10), 1)[0]}")
    # A stream's raw item: its ref leaves in a value (such entries exist only once
    # NextStreamRef, and so goray._ray.values.objects, was imported).
    if native == _stores.RAW_ITEMS:
        return objects.escaped(object_id, stored)
    return stored


#: goray._ray.values.objects (which imports this module), set as it is imported.
objects: Any = None


def _actor_entry(actor_id: int) -> Any:
    try:
        return _stores.actors.get(actor_id)
    except KeyError as error:
        raise GorayError(f"a value holds an ActorHandle this process does not know: "
                         f"{str(error).strip(chr(39))}") from None


def from_native(data: Buffer) -> Optional[Moved]:
    """`data` (native memory: ids of this process's stores) in the object-store form,
    or None when it holds no ref or handle. The ids stay registered (their owner,
    native code, releases them)."""
    sites = _codec.find_ref_exts(data)
    if not sites or not _refs_enabled():
        return None
    out = bytearray(data)
    refs: List[Any] = []
    actors: List[Any] = []
    native = bytearray()
    labels: List[str] = []
    ref_index: Dict[int, int] = {}
    actor_index: Dict[int, int] = {}
    for offset, code in sites:
        (key,) = _U64.unpack_from(out, offset)
        if code == _REF:
            index = ref_index.get(key)
            if index is None:
                stored = _stored_object(key)
                index = ref_index[key] = len(refs)
                refs.append(stored.ref)
                native.append(1 if stored.native else 0)
                labels.append(stored.label)
        else:
            index = actor_index.get(key)
            if index is None:
                index = actor_index[key] = len(actors)
                actors.append(_actor_entry(key).handle)
        _U64.pack_into(out, offset, index)
    return Moved(bytes(out), refs, actors, bytes(native) if any(native) else b"",
                 tuple(labels) if any(labels) else ())


def to_native_many(pieces: Sequence[Buffer], refs: Sequence[Any], actors: Sequence[Any],
                   native: bytes = b"", labels: Sequence[str] = ()) -> List[Buffer]:
    """`pieces` (object-store form: indexes into `refs` and `actors`) with each
    distinct ref and handle registered once in this process's stores and its id
    written in place of the index (pieces without exts are returned as they are).
    On a bad index nothing stays registered."""
    ref_ids: Dict[int, int] = {}
    actor_ids: Dict[int, int] = {}
    out: List[Buffer] = []
    try:
        for piece in pieces:
            sites = _codec.find_ref_exts(piece)
            if not sites:
                out.append(piece)
                continue
            buffer = bytearray(piece)
            for offset, code in sites:
                (index,) = _U64.unpack_from(buffer, offset)
                if code == _REF:
                    key = ref_ids.get(index)
                    if key is None:
                        if index >= len(refs):
                            raise GorayError(f"ext 73 at byte {offset - 2}: index {index}, the "
                                             f"block holds {len(refs)} refs")
                        flag = bool(native) and native[index] == 1
                        label = labels[index] if index < len(labels) else INSIDE_LABEL
                        key = ref_ids[index] = _stores.objects.add(StoredObject(refs[index], label, flag))
                else:
                    key = actor_ids.get(index)
                    if key is None:
                        if index >= len(actors):
                            raise GorayError(f"ext 74 at byte {offset - 2}: index {index}, the "
                                             f"block holds {len(actors)} actor handles")
                        handle = actors[index]
                        type_name, is_native = describe_actor(handle)
                        key = actor_ids[index] = _stores.actors.add(
                            ActorEntry(handle, type_name, is_native))
                _U64.pack_into(buffer, offset, key)
            out.append(bytes(buffer))
    except BaseException:
        for key in ref_ids.values():
            _stores.objects.pop(key)
        for key in actor_ids.values():
            _stores.actors.pop(key)
        raise
    return out


def decode(code: int, key: int, lists: Optional[Tuple[Sequence[Any], Sequence[Any], bytes]]) -> Any:
    """The Python value of an ext 73/74 being unpacked: `key` is an id of this
    process's stores (`lists` None) or an index into `lists` (refs, actors, native
    flags). A ref whose value is a native producer's bytes is given as a ref of its
    Python value (python_view), as Python code reads refs with ray.get."""
    if lists is None:
        if code == _ACTOR:
            return _actor_entry(key).handle
        stored = _stored_object(key)
        return _python_ref(stored.ref, stored.native)
    refs, actors, native = lists
    items = refs if code == _REF else actors
    if key >= len(items):
        raise _codec.CodecError(f"ext {code}: index {key}, the block holds {len(items)}")
    if code == _ACTOR:
        return items[key]
    return _python_ref(items[key], bool(native) and native[key] == 1)


def _python_ref(ref: Any, native: bool) -> Any:
    return python_view(ref) if native else ref


@ray.remote
def _python_value(value: Any) -> Any:
    """A native producer's value as Python sees it: a NativeBlock (goray._ray.values.objects,
    which imports this module) decodes itself, and so do the bytes a small one
    travelled as (objects.native_result); None (no values) is None."""
    if type(value) is bytes:  # never holds refs or handles
        return _codec.unpack_result_block(value)
    to_python = getattr(value, "to_python", None)
    return value if to_python is None else to_python()


def python_view(ref: Any) -> Any:
    """A ref whose value is the Python value of `ref` (which holds a NativeBlock): what
    consumers get whose bodies are not ours (Python actor methods, Python readers of
    a ref inside a value)."""
    return _python_value.remote(ref)


_codec.ref_hooks = sys.modules[__name__]
