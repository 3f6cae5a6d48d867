"""goray.map and its forms (docs/map.md): a native task, an actor method or a Python
function over many items, in chunks whose loop runs where the callee lives (in C++,
without Python per item, for a native callee).

    scores = goray.map(mymod.Score, xs)                   # results in input order
    scores = mymod.Score.map(xs, weight=2.0)              # the same; weight shared by all
    for score in goray.imap(mymod.Score, xs): ...         # as chunks finish, in order
    for start, part in goray.map_chunks(mymod.Score, xs): ...   # per chunk, as they finish
    refs = goray.map_refs(mymod.Score, xs)                # an ObjectRef per chunk
    pool = goray.ActorPool([Counter.remote() for _ in range(4)])
    totals = pool.map("Add", xs)

Importing this module imports no Ray; a map does.

Tests: tests/ray/test_map.py, tests/python/test_map_inputs.py,
tests/renderers/test_gen_user_typing.py, tests/python/test_bench_map.py,
tests/ray/test_cancel_stress.py, tests/docs/test_docs_commands.py
"""

from __future__ import annotations

from typing import (TYPE_CHECKING, Any, Callable, Dict, Generic, Iterator, List, Literal,
                    Mapping, Optional, Sequence, Tuple, TypeVar, Union, overload)

from ..errors import MapItemError
from .inputs import Inputs
from .plan import Planner
from .types import MapsArrays, MapsList, MapsVoid

if TYPE_CHECKING:
    import numpy.typing
    from ray.actor import ActorMethod
    from ray.remote_function import RemoteFunction

    from .._native_remote import NativeTask

# For type checkers: a callee's results (goray/_map/types.py), a NumPy result, an actor
# handle; and the columns that decide between a NumPy array and a list of results.
_X = TypeVar("_X")
_A = TypeVar("_A")
_H = TypeVar("_H")
_ArrayColumn = Union["numpy.typing.NDArray[Any]", Mapping[str, "numpy.typing.NDArray[Any]"]]
_ListColumn = Union[Sequence[Any], Iterator[Any], Mapping[str, Sequence[Any]]]
_Failures = list[tuple[int, MapItemError]]
# A callee without typed results (a task's name, goray.golang_task's, a Ray remote function,
# a method of an untyped handle): Any. Not an Any parameter: a typed callee whose overload
# fails (a result assigned to the wrong type) must fail, not fall through to Any.
_Untyped = Union[str, "NativeTask", "RemoteFunction", "ActorMethod"]

__all__ = ["map", "imap", "imap_unordered", "map_chunks", "map_refs", "ActorPool", "MapRefs"]

_ERRORS = ("raise", "collect")


def _errors_mode(errors: str) -> bool:
    if errors not in _ERRORS:
        raise ValueError(f"errors must be 'raise' (stop at the first failed item) or "
                         f"'collect' (return every failure with the results); got {errors!r}")
    return errors == "collect"


def _start(callee: Any, iterables: Sequence[Any], kwargs: Dict[str, Any],
           chunk_size: Optional[int], target: Any = None) -> Tuple[Any, Inputs, Planner]:
    from . import targets
    target = target if target is not None else targets.target_of(callee)
    inputs = Inputs(target.label, target.params, target.loop, iterables, kwargs)
    if target.check is not None:
        target.check(inputs.empty())
    planner = Planner(inputs.total, target.slots, chunk_size)
    return target, inputs, planner


def _chunks(callee: Any, iterables: Sequence[Any], kwargs: Dict[str, Any], *, ordered: bool,
            chunk_size: Optional[int], max_in_flight: Optional[int], collect: bool,
            progress: Optional[bool], target: Any = None) -> Tuple[Any, Inputs, Iterator[Any]]:
    from . import runner
    target, inputs, planner = _start(callee, iterables, kwargs, chunk_size, target)
    return target, inputs, runner.run(target, inputs, planner, collect=collect, ordered=ordered,
                                      max_in_flight=max_in_flight, progress=progress)


def _mapped(callee: Any, iterables: Sequence[Any], kwargs: Dict[str, Any], *,
            chunk_size: Optional[int], max_in_flight: Optional[int], collect: bool,
            progress: Optional[bool], target: Any = None, into: Any = None) -> Any:
    """map's answer (with `into`: written there when it fits). An array of results on this
    node is the map's output file's (goray._map.shared_output): chunks write in it, not the driver."""
    from . import runner
    target, inputs, planner = _start(callee, iterables, kwargs, chunk_size, target)
    output = None
    dtype = _array_dtype(target, inputs)
    fits = (into is not None and dtype is not None and into.dtype == dtype
            and len(into) == inputs.total)
    if dtype is not None and inputs.total is not None and not fits:
        from .shared_output import SharedOutput
        output = SharedOutput.create(inputs.total, dtype)
    try:
        chunks = runner.run(target, inputs, planner, collect=collect, ordered=True,
                            max_in_flight=max_in_flight, progress=progress, output=output)
        return _gather(target, inputs, chunks, collect,
                       output.array if output is not None else into if fits else None)
    finally:
        if output is not None:
            output.close()


def _gather(target: Any, inputs: Inputs, chunks: Iterator[Any], collect: bool,
            into: Any = None) -> Any:
    """Every chunk's results in input order: a NumPy array when some input column was one
    and the result is of an element type, else a list; None for a void callee. `into`: an
    array of that dtype and the input's length to write them in (and return), if they fit;
    a chunk `written` put its results there itself."""
    failures: List[Tuple[int, MapItemError]] = []
    dtype = _array_dtype(target, inputs)
    if dtype is not None and inputs.total is not None:
        # Each chunk's array is copied into its place as it arrives (while later chunks
        # run) and its object freed, rather than all joined after the last one.
        import numpy
        fits = into is not None and into.dtype == dtype and len(into) == inputs.total
        joined = into if fits else numpy.empty(inputs.total, dtype=dtype)
        filled = 0
        for done in chunks:
            if done.written:
                filled += done.count
            else:
                part = numpy.asarray(done.results, dtype=dtype)
                joined[done.start:done.start + len(part)] = part
                filled += len(part)
            failures.extend(done.failures)
        results = _with_failed(joined[:filled] if filled < len(joined) else joined, failures)
        return (results, failures) if collect else results
    parts: List[Any] = []
    for done in chunks:
        parts.append(done.results)
        failures.extend(done.failures)
    results = _joined(target, inputs, parts, failures)
    return (results, failures) if collect else results


def _array_dtype(target: Any, inputs: Inputs) -> Any:
    """The dtype map's results are joined in, None when they are a list (or None)."""
    loop = target.loop
    if loop is None or loop.void or not loop.result or not inputs.arrays:
        return None
    import numpy
    return numpy.dtype(loop.result)


def _with_failed(joined: Any, failures: List[Tuple[int, MapItemError]]) -> Any:
    """A failed item's slot: NaN in an array of floats, not a made-up 0."""
    if failures and joined.dtype.kind in "fc":
        joined[[index for index, _ in failures]] = float("nan")
    return joined


def _joined(target: Any, inputs: Inputs, parts: List[Any],
            failures: List[Tuple[int, MapItemError]]) -> Any:
    loop = target.loop
    if loop is not None and loop.void:
        return None
    dtype = _array_dtype(target, inputs)
    if dtype is not None:
        import numpy
        joined = (numpy.concatenate([numpy.asarray(part, dtype=dtype) for part in parts])
                  if parts else numpy.empty(0, dtype=dtype))
        return _with_failed(joined, failures)
    results: List[Any] = []
    for part in parts:
        results.extend(part.tolist() if hasattr(part, "tolist") else part)
    for index, _ in failures:
        results[index] = None
    return results


def gather_into(callee: Any, iterables: Sequence[Any], *, chunk_size: Optional[int],
                max_in_flight: Optional[int], collect: bool, into: Any) -> Any:
    """As map, for goray::Map (goray._map.native): the results written into `into` (an
    array the C++ caller owns) when they are of its dtype and length; the map's answer."""
    return _mapped(callee, iterables, {}, chunk_size=chunk_size, max_in_flight=max_in_flight,
                   collect=collect, progress=False, into=into)


# goray.map's types, from the callee's (a generated stub class declares __goray_map__):
# errors="raise" then "collect"; a callee returning nothing, one whose results are a list
# whatever the columns, one whose results are a NumPy array when a column is one (by the
# first column, else an honest union), a Python function; anything else is Any.
@overload
def map(callee: MapsVoid, /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["raise"] = "raise",
        progress: Optional[bool] = None, **kwargs: Any) -> None: ...
@overload
def map(callee: MapsList[_X], /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["raise"] = "raise",
        progress: Optional[bool] = None, **kwargs: Any) -> list[_X]: ...
@overload
def map(callee: MapsArrays[_X, _A], first: _ArrayColumn, /, *iterables: Any,
        chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
        errors: Literal["raise"] = "raise", progress: Optional[bool] = None,
        **kwargs: Any) -> _A: ...
@overload
def map(callee: MapsArrays[_X, _A], first: _ListColumn, /, *iterables: _ListColumn,
        chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
        errors: Literal["raise"] = "raise", progress: Optional[bool] = None,
        **kwargs: Any) -> list[_X]: ...
@overload
def map(callee: MapsArrays[_X, _A], /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["raise"] = "raise",
        progress: Optional[bool] = None, **kwargs: Any) -> _A | list[_X]: ...
@overload
def map(callee: Callable[..., _X], /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["raise"] = "raise",
        progress: Optional[bool] = None, **kwargs: Any) -> list[_X]: ...
@overload
def map(callee: MapsVoid, /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["collect"],
        progress: Optional[bool] = None, **kwargs: Any) -> tuple[None, _Failures]: ...
@overload
def map(callee: MapsList[_X], /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["collect"],
        progress: Optional[bool] = None,
        **kwargs: Any) -> tuple[list[_X | None], _Failures]: ...
@overload
def map(callee: MapsArrays[_X, _A], first: _ArrayColumn, /, *iterables: Any,
        chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
        errors: Literal["collect"], progress: Optional[bool] = None,
        **kwargs: Any) -> tuple[_A, _Failures]: ...
@overload
def map(callee: MapsArrays[_X, _A], first: _ListColumn, /, *iterables: _ListColumn,
        chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
        errors: Literal["collect"], progress: Optional[bool] = None,
        **kwargs: Any) -> tuple[list[_X | None], _Failures]: ...
@overload
def map(callee: MapsArrays[_X, _A], /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["collect"],
        progress: Optional[bool] = None,
        **kwargs: Any) -> tuple[_A | list[_X | None], _Failures]: ...
@overload
def map(callee: Callable[..., _X], /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: Literal["collect"],
        progress: Optional[bool] = None,
        **kwargs: Any) -> tuple[list[_X | None], _Failures]: ...
@overload
def map(callee: _Untyped, /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: str = "raise",
        progress: Optional[bool] = None, **kwargs: Any) -> Any: ...
def map(callee: Any, /, *iterables: Any, chunk_size: Optional[int] = None,
        max_in_flight: Optional[int] = None, errors: str = "raise",
        progress: Optional[bool] = None, **kwargs: Any) -> Any:
    """`callee` over the items of `iterables` (zipped), its results in input order.

    `callee`: a native task (a generated stub such as ``mymod.Score``, with
    ``.options(...)`` if you like, ``goray.golang_task(name)`` or the task's name), an actor
    method (``handle.Method``: every chunk on that actor), or a Python function (plain or
    ``@ray.remote``). Keyword arguments are values every item shares.

    Returns a NumPy array when an input is one and the result is a number or a bool (NaN
    for a failed item of a float result), else a list (None for a failed item), None for a
    callee that returns nothing. ``errors="raise"`` (the default) raises the MapItemError
    of the input's first failed item (its ``index``, ``item`` and ``cause``; the chunks
    before it finish, those after it are cancelled); ``errors="collect"`` runs every item and returns ``(results, [(index,
    MapItemError), ...])``. ``chunk_size`` and ``max_in_flight`` override goray's choice;
    ``progress`` shows a progress bar (None: on a terminal, for maps that take over a
    second)."""
    return _mapped(callee, iterables, kwargs, chunk_size=chunk_size,
                   max_in_flight=max_in_flight, collect=_errors_mode(errors),
                   progress=progress)


@overload
def imap(callee: MapsVoid, /, *iterables: Any, chunk_size: Optional[int] = None,
         max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
         **kwargs: Any) -> Iterator[None]: ...
@overload
def imap(callee: MapsList[_X] | MapsArrays[_X, Any] | Callable[..., _X], /,
         *iterables: Any, chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
         progress: Optional[bool] = None, **kwargs: Any) -> Iterator[_X]: ...
@overload
def imap(callee: _Untyped, /, *iterables: Any, chunk_size: Optional[int] = None,
         max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
         **kwargs: Any) -> Iterator[Any]: ...
def imap(callee: Any, /, *iterables: Any, chunk_size: Optional[int] = None,
         max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
         **kwargs: Any) -> Iterator[Any]:
    """As map, one result at a time, in input order, as their chunks finish; memory stays
    bounded for an input of any length (at most `max_in_flight` chunks are out). Closing
    the iterator cancels the chunks in flight."""
    _, _, chunks = _chunks(callee, iterables, kwargs, ordered=True, chunk_size=chunk_size,
                           max_in_flight=max_in_flight, collect=False, progress=progress)
    return _items(chunks)


@overload
def imap_unordered(callee: MapsVoid, /, *iterables: Any, chunk_size: Optional[int] = None,
                   max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
                   **kwargs: Any) -> Iterator[tuple[int, None]]: ...
@overload
def imap_unordered(callee: MapsList[_X] | MapsArrays[_X, Any] | Callable[..., _X], /,
                   *iterables: Any, chunk_size: Optional[int] = None,
                   max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
                   **kwargs: Any) -> Iterator[tuple[int, _X]]: ...
@overload
def imap_unordered(callee: _Untyped, /, *iterables: Any, chunk_size: Optional[int] = None,
                   max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
                   **kwargs: Any) -> Iterator[tuple[int, Any]]: ...
def imap_unordered(callee: Any, /, *iterables: Any, chunk_size: Optional[int] = None,
                   max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
                   **kwargs: Any) -> Iterator[Tuple[int, Any]]:
    """As imap, as chunks finish in any order: (index, result) pairs."""
    _, _, chunks = _chunks(callee, iterables, kwargs, ordered=False, chunk_size=chunk_size,
                           max_in_flight=max_in_flight, collect=False, progress=progress)
    return _indexed(chunks)


def map_chunks(callee: Any, /, *iterables: Any, ordered: bool = False,
               chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
               errors: str = "raise", progress: Optional[bool] = None,
               **kwargs: Any) -> Iterator[Tuple[int, Any]]:
    """As map, a chunk at a time: (index of its first item, its results as map returns
    them) as chunks finish (`ordered`: in input order). With ``errors="collect"``:
    (start, results, failures)."""
    collect = _errors_mode(errors)
    target, inputs, chunks = _chunks(callee, iterables, kwargs, ordered=ordered,
                                     chunk_size=chunk_size, max_in_flight=max_in_flight,
                                     collect=collect, progress=progress)
    return _per_chunk(target, inputs, chunks, collect)


def _items(chunks: Iterator[Any]) -> Iterator[Any]:
    try:
        for done in chunks:
            results = done.results
            yield from (results.tolist() if hasattr(results, "tolist") else
                        results if results is not None else [None] * done.count)
    finally:
        chunks.close()  # type: ignore[attr-defined]


def _indexed(chunks: Iterator[Any]) -> Iterator[Tuple[int, Any]]:
    try:
        for done in chunks:
            results = done.results
            values = (results.tolist() if hasattr(results, "tolist") else
                      results if results is not None else [None] * done.count)
            yield from enumerate(values, done.start)
    finally:
        chunks.close()  # type: ignore[attr-defined]


def _per_chunk(target: Any, inputs: Inputs, chunks: Iterator[Any], collect: bool) -> Iterator[Any]:
    try:
        for done in chunks:
            local = [(index - done.start, error) for index, error in done.failures]
            results = _joined(target, inputs, [done.results], local)
            yield (done.start, results, done.failures) if collect else (done.start, results)
    finally:
        chunks.close()  # type: ignore[attr-defined]


class MapRefs(list):  # type: ignore[type-arg]
    """goray.map_refs's answer: an ObjectRef per chunk, in input order, each of that
    chunk's results; ``starts[i]`` is the index of chunk i's first item."""

    starts: List[int]


def map_refs(callee: Any, /, *iterables: Any, chunk_size: Optional[int] = None,
             **kwargs: Any) -> MapRefs:
    """Submits every chunk now and returns their ObjectRefs (for pipelines: pass them to
    other tasks, ray.get them, ray.wait on them). A chunk's ref holds its results: a NumPy
    array when the callee's result is a number or a bool (whatever the input was), else a
    list; a failed item makes ray.get raise its MapItemError.
    Without chunk_size, a first small chunk runs to measure an item's cost."""
    import ray
    from .._ray.py2native import map_chunks
    target, inputs, planner = _start(callee, iterables, kwargs, chunk_size)
    finish = map_chunks.chunk_results_function()
    refs = MapRefs()
    refs.starts = []
    while True:
        taken = inputs.take(planner.next_size(inputs.remaining))
        if taken is None:
            break
        header = [taken.count, list(taken.columns), False]
        # The columns put once, read by the chunk and by what names a failed item's value.
        columns, shared = map_chunks.split(taken.columns, taken.values)
        columns_ref = ray.put(columns)
        chunk, _ = target.submit(header, columns_ref, shared)
        if not planner.calibrated:
            planner.observe(taken.count, ray.get(chunk).loop_ns, probe=True)
        refs.append(finish.remote(chunk, target.label, taken.start, columns_ref))
        refs.starts.append(taken.start)
    return refs


class ActorPool(Generic[_H]):
    """A set of actors (native or Python) that maps spread their chunks over: each chunk
    goes to the live actor with the fewest chunks out, `chunks_per_actor` each by default
    (max_in_flight overrides the total; a threaded actor runs that many at once, another
    queues them). A chunk whose actor died goes to another
    actor; the dead one is left out."""

    def __init__(self, actors: Sequence[_H], *, chunks_per_actor: int = 2) -> None:
        self._actors = list(actors)
        if not self._actors:
            raise ValueError("goray.ActorPool needs at least one actor handle")
        if isinstance(chunks_per_actor, bool) or not isinstance(chunks_per_actor, int) \
                or chunks_per_actor < 1:
            raise ValueError(f"chunks_per_actor must be a positive int, got {chunks_per_actor!r}")
        self._per_actor = chunks_per_actor

    @property
    def actors(self) -> list[_H]:
        return list(self._actors)

    def _target(self, method: Any) -> Any:
        from . import targets
        name = method if isinstance(method, str) else getattr(method, "_method_name", None)
        if not isinstance(name, str):
            raise TypeError(f"ActorPool.map takes a method name or handle.Method, got "
                            f"{type(method).__name__}")
        return targets.pool_target(self._actors, name, self._per_actor)

    # Typed as goray.map's, from the method (handle.Method of a generated stub); a
    # method's name gives Any.
    @overload
    def map(self, method: MapsVoid, /, *iterables: Any, chunk_size: Optional[int] = None,
            max_in_flight: Optional[int] = None, errors: Literal["raise"] = "raise",
            progress: Optional[bool] = None, **kwargs: Any) -> None: ...
    @overload
    def map(self, method: MapsList[_X], /, *iterables: Any, chunk_size: Optional[int] = None,
            max_in_flight: Optional[int] = None, errors: Literal["raise"] = "raise",
            progress: Optional[bool] = None, **kwargs: Any) -> list[_X]: ...
    @overload
    def map(self, method: MapsArrays[_X, _A], first: _ArrayColumn, /, *iterables: Any,
            chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
            errors: Literal["raise"] = "raise", progress: Optional[bool] = None,
            **kwargs: Any) -> _A: ...
    @overload
    def map(self, method: MapsArrays[_X, _A], first: _ListColumn, /, *iterables: _ListColumn,
            chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
            errors: Literal["raise"] = "raise", progress: Optional[bool] = None,
            **kwargs: Any) -> list[_X]: ...
    @overload
    def map(self, method: MapsArrays[_X, _A], /, *iterables: Any,
            chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
            errors: Literal["raise"] = "raise", progress: Optional[bool] = None,
            **kwargs: Any) -> _A | list[_X]: ...
    @overload
    def map(self, method: MapsVoid, /, *iterables: Any, chunk_size: Optional[int] = None,
            max_in_flight: Optional[int] = None, errors: Literal["collect"],
            progress: Optional[bool] = None, **kwargs: Any) -> tuple[None, _Failures]: ...
    @overload
    def map(self, method: MapsList[_X], /, *iterables: Any, chunk_size: Optional[int] = None,
            max_in_flight: Optional[int] = None, errors: Literal["collect"],
            progress: Optional[bool] = None,
            **kwargs: Any) -> tuple[list[_X | None], _Failures]: ...
    @overload
    def map(self, method: MapsArrays[_X, _A], first: _ArrayColumn, /, *iterables: Any,
            chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
            errors: Literal["collect"], progress: Optional[bool] = None,
            **kwargs: Any) -> tuple[_A, _Failures]: ...
    @overload
    def map(self, method: MapsArrays[_X, _A], first: _ListColumn, /, *iterables: _ListColumn,
            chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
            errors: Literal["collect"], progress: Optional[bool] = None,
            **kwargs: Any) -> tuple[list[_X | None], _Failures]: ...
    @overload
    def map(self, method: MapsArrays[_X, _A], /, *iterables: Any,
            chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
            errors: Literal["collect"], progress: Optional[bool] = None,
            **kwargs: Any) -> tuple[_A | list[_X | None], _Failures]: ...
    @overload
    def map(self, method: _Untyped, /, *iterables: Any, chunk_size: Optional[int] = None,
            max_in_flight: Optional[int] = None, errors: str = "raise",
            progress: Optional[bool] = None, **kwargs: Any) -> Any: ...
    def map(self, method: Any, /, *iterables: Any, chunk_size: Optional[int] = None,
            max_in_flight: Optional[int] = None, errors: str = "raise",
            progress: Optional[bool] = None, **kwargs: Any) -> Any:
        """As goray.map, of the actors' method `method` (its name, or handle.Method)."""
        return _mapped(None, iterables, kwargs, chunk_size=chunk_size,
                       max_in_flight=max_in_flight, collect=_errors_mode(errors),
                       progress=progress, target=self._target(method))

    @overload
    def imap(self, method: MapsVoid, /, *iterables: Any, chunk_size: Optional[int] = None,
             max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
             **kwargs: Any) -> Iterator[None]: ...
    @overload
    def imap(self, method: MapsList[_X] | MapsArrays[_X, Any], /, *iterables: Any,
             chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
             progress: Optional[bool] = None, **kwargs: Any) -> Iterator[_X]: ...
    @overload
    def imap(self, method: _Untyped, /, *iterables: Any, chunk_size: Optional[int] = None,
             max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
             **kwargs: Any) -> Iterator[Any]: ...
    def imap(self, method: Any, /, *iterables: Any, chunk_size: Optional[int] = None,
             max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
             **kwargs: Any) -> Iterator[Any]:
        """As goray.imap, on the pool."""
        _, _, chunks = _chunks(None, iterables, kwargs, ordered=True, chunk_size=chunk_size,
                               max_in_flight=max_in_flight, collect=False, progress=progress,
                               target=self._target(method))
        return _items(chunks)

    @overload
    def imap_unordered(self, method: MapsVoid, /, *iterables: Any,
                       chunk_size: Optional[int] = None, max_in_flight: Optional[int] = None,
                       progress: Optional[bool] = None,
                       **kwargs: Any) -> Iterator[tuple[int, None]]: ...
    @overload
    def imap_unordered(self, method: MapsList[_X] | MapsArrays[_X, Any], /,
                       *iterables: Any, chunk_size: Optional[int] = None,
                       max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
                       **kwargs: Any) -> Iterator[tuple[int, _X]]: ...
    @overload
    def imap_unordered(self, method: _Untyped, /, *iterables: Any, chunk_size: Optional[int] = None,
                       max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
                       **kwargs: Any) -> Iterator[tuple[int, Any]]: ...
    def imap_unordered(self, method: Any, /, *iterables: Any, chunk_size: Optional[int] = None,
                       max_in_flight: Optional[int] = None, progress: Optional[bool] = None,
                       **kwargs: Any) -> Iterator[Tuple[int, Any]]:
        """As goray.imap_unordered, on the pool."""
        _, _, chunks = _chunks(None, iterables, kwargs, ordered=False, chunk_size=chunk_size,
                               max_in_flight=max_in_flight, collect=False, progress=progress,
                               target=self._target(method))
        return _indexed(chunks)

    def __repr__(self) -> str:
        return f"<goray.ActorPool of {len(self._actors)} actors>"


# ---------------------------------------------------------------------------------------
# The forms as methods of what callees are: a generated task stub, goray.golang_task's
# NativeTask, and (from goray.init on) Ray's ActorMethod, handle.Method.

def _bound_map(self: Any, /, *iterables: Any, **options: Any) -> Any:
    """As goray.map, of this callee."""
    return map(self, *iterables, **options)


def _bound_imap(self: Any, /, *iterables: Any, **options: Any) -> Iterator[Any]:
    """As goray.imap, of this callee."""
    return imap(self, *iterables, **options)


def _bound_imap_unordered(self: Any, /, *iterables: Any, **options: Any) -> Iterator[Any]:
    """As goray.imap_unordered, of this callee."""
    return imap_unordered(self, *iterables, **options)


def _bound_map_chunks(self: Any, /, *iterables: Any, **options: Any) -> Iterator[Any]:
    """As goray.map_chunks, of this callee."""
    return map_chunks(self, *iterables, **options)


def _bound_map_refs(self: Any, /, *iterables: Any, **options: Any) -> MapRefs:
    """As goray.map_refs, of this callee."""
    return map_refs(self, *iterables, **options)


FORMS = {"map": _bound_map, "imap": _bound_imap, "imap_unordered": _bound_imap_unordered,
         "map_chunks": _bound_map_chunks, "map_refs": _bound_map_refs}


def _install_method_forms() -> None:
    from .._ray.compat import internals
    internals.install_actor_method_map(FORMS)


def _register() -> None:
    from .. import _native_remote
    from .._ray import driver
    for name, form in FORMS.items():
        setattr(_native_remote.NativeTask, name, form)
    driver.INIT_HOOKS.append(_install_method_forms)


_register()
