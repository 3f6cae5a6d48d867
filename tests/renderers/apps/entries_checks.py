"""The typed entries' checks on entriesapp (apps/entries/entries.h), in a process of its
own (one library per process), run by test_gen_typed_entries.py:

    python entries_checks.py CHECK LIBRARY STUBS_DIR

CHECK is one of the functions below (`check_<name>`); it prints one JSON object, whose
"failures" list is empty when every expectation held. The stub module entriesapp.py and
the typed entries' module _entriesapp_entries are both in STUBS_DIR.
"""

from __future__ import annotations

import gc
import inspect
import json
import os
import pickle
import sys
import threading
import time
from typing import Any, Callable, Dict, List

import goray

failures: List[str] = []
report: Dict[str, Any] = {}


def expect(ok: bool, what: str) -> None:
    if not ok:
        failures.append(what)


def raises(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except BaseException as error:  # noqa: BLE001 - returned, compared
        return error
    raise AssertionError("no exception")


@goray.local
def double_it(x: int) -> int:
    return 2 * x


def counters(entries: Any) -> Dict[str, int]:
    return dict(entries.__goray_counters__())


def codec_route() -> int:
    """The calls the codec path (goray._fastpath's msgpack route) has made so far."""
    made = goray._fastpath.counters()
    return made["py2native_fast"] + made["py2native_codec_args"]


def typed_call(entries: Any, call: Callable[[], Any]) -> Any:
    """`call()`'s result; a failure when it did not take the typed path."""
    before, codec = counters(entries), codec_route()
    result = call()
    after = counters(entries)
    expect(after["typed"] == before["typed"] + 1 and codec_route() == codec,
           f"not a typed call: {before} -> {after}")
    return result


def check_values(app: Any, entries: Any) -> None:
    """The conversions of entriesapp's own types (arrays, spans, a struct with an optional
    field, the GIL kept; every value type of both routes: roundtrip.py's typesapp), typed,
    giving what the codec path gives."""
    import numpy as np

    codec = goray._local.codec_run_task
    cases = [
        ("Loss", (1.5, 1.0, 2.0)), ("Loss", (3, 1, 2)), ("LossShort", (1.5, 1.0, 2.0)),
        ("Echo", ("é" * 50,)), ("Echo", (b"\x00bytes",)), ("Bytes", (b"\x01\x02",)), ("Bytes", ("ab",)),
        ("Sum", (np.arange(1000.0),)), ("SpanLength", (np.arange(7, dtype=np.int32),)),
        ("Bump", ({"sensor": "s", "value": 1.5, "at": 2, "note": "n"},)),
        ("Bump", ({"sensor": "s", "value": 1.5, "at": 2},)),
        ("Range", (10, 3)), ("Columns", ({"a": [1.0, 2.0], "bb": []},)), ("Pair", (1, "x")),
        ("Describe", (3,)),  # a goray::Value: packed by the library, decoded in C
    ]
    for name, args in cases:
        function = getattr(entries, name)
        typed = typed_call(entries, lambda: function(*args))
        through_codec = codec(name, *args)
        expect(type(typed) is type(through_codec) and typed == through_codec,
               f"{name}{args!r}: typed {typed!r}, codec path {through_codec!r}")
        expect(goray.golang_local_run_task(name, *args) == through_codec,
               f"{name}{args!r} through golang_local_run_task")
        expect(getattr(app.local, name)(*args) == through_codec, f"{name}{args!r} through the stub")
    # Keywords and defaults: placed by the C++ parameters' names, typed.
    expect(typed_call(entries, lambda: entries.Loss(1.5, 1.0, b=2.0)) == codec("Loss", 1.5, 1.0, 2.0),
           "Loss(1.5, 1.0, b=2.0)")
    expect(typed_call(entries, lambda: entries.Range(n=10, step=3)) == codec("Range", 10, 3),
           "Range(n=10, step=3)")
    expect(typed_call(entries, lambda: entries.Range(n=4)) == [0, 1, 2, 3], "Range(n=4): step's default")
    level = typed_call(entries, lambda: entries.Raise(app.Level.kHigh))
    expect(level is app.Level.kLow, f"Raise gives the enum's member: {level!r}")
    ramp = typed_call(entries, lambda: entries.Ramp(5))
    expect(isinstance(ramp, np.ndarray) and ramp.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0],
           f"Ramp(5): {ramp!r}")


def check_one_route(app: Any, entries: Any) -> None:
    """A generated app's calls through its stub, by position and by keyword, with
    defaults, generators (tasks' and methods'), enums, structs and optionals: every one
    typed, none through the codec path."""
    local = app.local
    codec = codec_route()
    expect(local.Loss(x=3.0, a=1.0, b=2.0) == local.Loss(3.0, 1.0, 2.0), "keywords")
    expect(local.Range(4) == [0, 1, 2, 3] and local.Range(n=6, step=2) == [0, 2, 4], "defaults")
    expect(local.Raise(level=app.Level.kLow) is app.Level.kHigh, "an enum by keyword, its member back")
    expect(local.Half(n=3) is None and local.Half(4) == 2, "an optional")
    reading = {"sensor": "s", "value": 1.5, "at": 2}
    expect(local.Bump(reading=reading)["at"] == 3, "a struct by keyword")
    expect(goray.golang_local_run_task("Range", n=3) == [0, 1, 2], "golang_local_run_task by keyword")
    with local.Meter(start=1.0) as meter:
        expect(meter.Add(x=2.0) == 3.0, "a method by keyword")
        expect(list(meter.Count(n=3)) == [0, 1, 2], "a generator method")
        expect(meter.call("Total") == 3.0, "call(name)")
    made = goray.golang_local_new_actor("Meter", start=2.0)
    expect(made.Total() == 2.0, "golang_local_new_actor by keyword")
    made.close()
    expect(codec_route() == codec, f"calls took the codec path: {codec_route() - codec}")


def python_calls(call: Callable[[], Any], crossings: bool = False) -> List[str]:
    """The Python functions that ran during `call()` (sys.setprofile's "call" events);
    `crossings`: only those C called (their caller is this check's)."""
    ran: List[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event != "call" or frame.f_code.co_filename == __file__:  # (this check's own)
            return
        if not crossings or frame.f_back.f_code.co_filename == __file__:
            ran.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return ran


def check_no_python(app: Any, entries: Any) -> None:
    """The first call binds in C++ (the library loaded: it runs no Python at all), and no
    later call runs Python: keywords, defaults, enums, structs, an array and a column
    adopted, a generator, an actor."""
    import pyarrow as pa

    first = python_calls(lambda: entries.Loss(1.0, 2.0, b=3.0))
    expect(first == [], f"the first call ran Python: {first}")
    reading = {"sensor": "s", "value": 1.5, "at": 2, "note": None}
    column = pa.array(["ab", None])

    def steady() -> None:
        entries.Range(n=5)
        entries.Raise(app.Level.kLow)
        entries.Bump(reading)
        entries.Ramp(3)
        entries.Upper(column)
        entries.Describe(2)  # a packed result, decoded in C
        meter = entries.Meter(start=1.0)
        meter.Add(x=1.0)
        list(meter.Count(3))
        meter.close()

    steady()
    codec = codec_route()
    ran = python_calls(steady)
    expect(ran == [], f"steady calls ran Python: {ran}")
    expect(codec_route() == codec, f"calls took the codec path: {codec_route() - codec}")


def check_first_call_loads(app: Any, entries: Any) -> None:
    """No library loaded yet: the first call crosses into Python once, to load it."""
    crossed = python_calls(lambda: entries.Loss(1.0, 2.0, b=3.0), crossings=True)
    expect([name.rsplit(":", 1)[1] for name in crossed] == ["get_library"],
           f"the first call's crossings into Python: {crossed}")
    expect(goray._ffi.loaded_library() is not None, "it loaded the library")


def check_columns(app: Any, entries: Any) -> None:
    """A string column parameter reads the pyarrow array in place (a ChunkedArray too), a
    builder comes back as a pyarrow array; both typed, as the codec path answers."""
    import pyarrow as pa

    column = pa.array(["ab", None, "", "c" * 70000])
    upper = typed_call(entries, lambda: entries.Upper(column))
    expect(isinstance(upper, pa.StringArray) and upper.to_pylist() == ["AB", None, "", "C" * 70000],
           f"Upper: {upper!r}")
    expect(upper.equals(goray._local.codec_run_task("Upper", column)), "Upper as the codec path answers")
    chunked = pa.chunked_array([column.slice(0, 2), pa.array(["x"])])
    expect(typed_call(entries, lambda: entries.Upper(chunked)).to_pylist() == ["AB", None, "X"],
           "a ChunkedArray, typed")
    for name, args, expected in [  # views of each row, no copy
        ("ViewsTotal", (pa.array(["ab", "c"]).dictionary_encode(),), 3),
        ("ViewsTotal", (["ab", b"c"],), 3),
        ("NullCount", (pa.array(["a", None, None]),), 2),
        ("NullCount", ([None, "x"],), 1),
    ]:
        result = typed_call(entries, lambda: getattr(entries, name)(*args))
        expect(result == expected == goray._local.codec_run_task(name, *args), f"{name}{args}: {result!r}")
    error = raises(lambda: entries.ViewsTotal(pa.array(["a", None])))
    expect(isinstance(error, goray.ArgumentError) and "(task ViewsTotal)" in str(error), f"{error!r}")
    data = column.buffers()[2].address
    expect(typed_call(entries, lambda: entries.ColumnAddress(column)) == data, "read in place")
    listed = typed_call(entries, lambda: entries.Upper(["q", None, "é"]))
    expect(listed.equals(goray._local.codec_run_task("Upper", ["q", None, "é"])) and
           listed.to_pylist()[:2] == ["Q", None], f"a list, its rows copied: {listed!r}")
    expect(typed_call(entries, lambda: entries.ColumnAddress(("ab", b"\xff"))) != 0, "a binary column from a tuple")
    error = raises(lambda: entries.Upper(["q", b"x"]))  # (a string column takes no bytes)
    expect(isinstance(error, goray.ArgumentError) and "(task Upper)" in str(error), f"{error!r}")


def check_arrays_in_place(app: Any, entries: Any) -> None:
    """A view parameter reads the ndarray's own buffer; an Array result is adopted."""
    import numpy as np

    values = np.arange(1000.0)
    address = typed_call(entries, lambda: entries.AddressOf(values))
    expect(address == values.ctypes.data, f"the view's address {address} is the array's "
           f"{values.ctypes.data}")
    ramp = entries.Ramp(100)
    expect(ramp.ctypes.data == entries.LastRampAddress(), "the result is the C++ array's memory")
    strided = np.arange(20.0)[::2]  # not contiguous: the codec path copies it once
    expect(entries.Sum(strided) == float(strided.sum()), "a strided array's sum")


def check_keywords(app: Any, entries: Any) -> None:
    """Keywords are put in their parameters' places in C++: the typed path, as a call by
    position is; the ones that cannot be placed raise there, with the codec path's texts."""
    expect(typed_call(entries, lambda: entries.Loss(1.5, 1.0, b=2.0)) == 1.0, "a keyword")
    expect(typed_call(entries, lambda: entries.Loss(b=2.0, a=1.0, x=1.5)) == 1.0, "keywords in any order")
    # Each call site's places are kept: sites taking turns, in other orders and with other
    # positional counts, each keep their own answer.
    for _ in range(3):
        expect(entries.Loss(x=3.0, a=1.0, b=2.0) == 4.0, "site 1")
        expect(entries.Loss(b=2.0, x=3.0, a=1.0) == 4.0, "site 2")
        expect(entries.Loss(3.0, b=2.0, a=1.0) == 4.0, "site 3")
        expect(entries.Loss(3.0, 1.0, b=5.0) == 10.0, "site 4")
        expect(entries.Loss(**{"a": 1.0, "x": 3.0, "b": 5.0}) == 10.0, "a dict of keywords")
    meter = typed_call(entries, lambda: entries.Meter(start=1.0))
    expect(typed_call(entries, lambda: meter.Add(x=2.0)) == 3.0, "a method's keyword")
    meter.close()
    for call, text in [
        (lambda: entries.Loss(1.5, 1.0, c=2.0), "unknown keyword argument 'c'"),
        (lambda: entries.Loss(1.5, x=1.0, b=2.0), "argument 'x' (position 0) given by position and by keyword"),
        (lambda: entries.Loss(1.5, b=2.0), "missing argument 'a' (position 1)"),
    ]:
        before = codec_route()
        error = raises(call)
        expect(codec_route() == before, f"{text}: the codec path")
        expect(isinstance(error, goray.ArgumentError) and text in str(error),
               f"{type(error).__name__}: {error} (expected {text!r})")


class Point2(tuple):
    """A tuple subclass (a namedtuple's kind)."""

    def __new__(cls, *items: Any) -> "Point2":
        return super().__new__(cls, items)


def check_the_codec_path_answers_the_rest(app: Any, entries: Any) -> None:
    """Values the conversions do not take: packed and decoded by the library for their
    parameter, the call still typed (never the codec path); errors with the codec's texts."""
    import numpy as np

    # What the codec packs as a plain value is taken typed, to the same result: a NumPy
    # scalar as its .item(), a bytes-like as bytes.
    for name, args in [
        ("Range", (np.int64(3),)),
        ("Range", (np.uint8(2), np.int32(2))),
        ("Loss", (np.float32(1.5), np.int16(2), 0.5)),
        ("Echo", (bytearray(b"x"),)),
        ("Echo", (memoryview(b"ab"),)),
        ("Bytes", (bytearray(b"\x00\xff"),)),
        ("Bump", ({"sensor": "s", "value": np.float64(1.5), "at": np.int64(2), "note": None},)),
        ("Sum", ([1.0, 2],)),                  # a list where a view is taken: copied
        ("Sum", ([[1.0, 2.0], (3.0, 4.0)],)),  # nested rectangularly: its shape
        ("Sum", (2.5,)),                       # a number: a 0-d view
        ("SpanLength", ((1, 2, 3),)),
        ("SpanLength", (np.arange(6, dtype=np.int32)[::2],)),  # strided: copied once
        ("Columns", ({"a": Point2(1.0, 2.0)},)),  # a tuple subclass, as msgpack packs it
        ("Unique", (Point2(3, 1, 3),)),
        ("Columns", ({"a": np.arange(3.0)[::2]},)),  # a strided array into a vector: copied
    ]:
        result = typed_call(entries, lambda: getattr(entries, name)(*args))
        expect(result == goray._local.codec_run_task(name, *args), f"{name}{args}: {result!r}")
    # convert_values.h's types and sets: typed, as the codec path answers.
    import datetime
    import pathlib
    utc = datetime.timezone.utc
    for name, args in [
        ("Either", (4,)), ("Either", ("s",)), ("Either", (2.5,)), ("Either", (np.int64(3),)),
        ("Longer", (datetime.timedelta(milliseconds=-3),)), ("Longer", (5_000_000,)),
        ("Under", ("a/b",)), ("Under", (pathlib.Path("/tmp/r\udcff"),)), ("Under", (b"raw\xff",)),
        ("Later", (datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=utc),)),
        ("Later", (datetime.datetime(1900, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),)),
        ("ViewLength", ("héllo",)), ("ViewLength", (b"\x00\x01",)),
        ("Unique", ([3, 1, 3],)), ("Unique", ((2, 2),)),
    ]:
        result = typed_call(entries, lambda: getattr(entries, name)(*args))
        expect(result == goray._local.codec_run_task(name, *args) and
               type(result) is type(goray._local.codec_run_task(name, *args)), f"{name}{args}: {result!r}")
    for call, text in [  # refused typed and by the codec path alike
        (lambda: entries.Range(np.float64(3.0)), "position 0: expected int64_t, received float"),
        (lambda: entries.Raise(np.bool_(True)), "position 0: expected entries::Level, received bool"),
        (lambda: entries.Echo(memoryview(np.arange(2.0))), "(task Echo)"),
        (lambda: entries.Sum([[1.0], [2.0, 3.0]]), "not rectangular"),
        (lambda: entries.Sum([1.0, "x"]), "(task Sum)"),
        (lambda: entries.SpanLength([[1], [2]]), "(task SpanLength)"),
        (lambda: entries.Either(True), "(task Either)"),
        (lambda: entries.Longer(datetime.timedelta(microseconds=1)), "which it cannot hold exactly"),
        (lambda: entries.Later(datetime.datetime(2024, 1, 1)), "(task Later)"),
        (lambda: entries.Unique({1, 2}), "(task Unique)"),
    ]:
        before = codec_route()
        error = raises(call)
        expect(isinstance(error, goray.ArgumentError) and text in str(error),
               f"{type(error).__name__}: {error} (expected {text!r})")
        expect(codec_route() == before, f"{text}: refused on the typed route, not the codec path")
    before, codec = counters(entries), codec_route()
    for call, text in [
        (lambda: entries.Loss("x", 1.0, 2.0), "position 0: expected double, received str (task Loss)"),
        (lambda: entries.Loss(1.0), "expected 3 arguments, received 1 (task Loss)"),
        (lambda: entries.Bump({"sensor": "s"}), "(task Bump)"),
        (lambda: entries.Raise(True), "position 0: expected entries::Level, received bool (task Raise)"),
        (lambda: entries.Loss(1.0, c=2.0), "unknown keyword argument 'c'; the parameters: Loss(x, a, b) (task Loss)"),
        (lambda: entries.Loss(1.0, 2.0, b=3.0, x=1.0),
         "argument 'x' (position 0) given by position and by keyword; the parameters: Loss(x, a, b) (task Loss)"),
        (lambda: entries.Loss(1.0, b=2.0), "missing argument 'a' (position 1); the parameters: Loss(x, a, b)"),
    ]:
        error = raises(call)
        expect(isinstance(error, goray.ArgumentError) and text in str(error),
               f"{type(error).__name__}: {error} (expected {text!r})")
    after = counters(entries)
    expect(codec_route() == codec and after["packed_arguments"] > before["packed_arguments"],
           f"refused values packed for the library, no codec path: {before} -> {after}")
    error = raises(lambda: entries.Throw("boom"))
    expect(isinstance(error, goray.NativeError) and
           (error.type, error.message, error.task) == ("std::invalid_argument", "boom", "Throw"),
           f"Throw: {type(error).__name__}: {error}")


def check_not_utf8(app: Any, entries: Any) -> None:
    """A std::string result whose bytes are not UTF-8: typed, the same NotUTF8Error as the
    codec path's, naming the task, the result's position and the element; the typed
    route goes on working after it."""
    codec = goray._local.codec_run_task
    for name, args, where in [
        ("Echo", (b"a\xffb",), (None, "", b"a\xffb", 1)),
        ("Pair", (1, b"\xfe"), (1, "", b"\xfe?", 0)),  # (Pair appends "?")
        ("Columns", ({b"k\xff": [1.0]},), (None, "[key b'k\\xff']", b"k\xff", 1)),
    ]:
        function = getattr(entries, name)
        typed = raises(lambda: typed_call(entries, lambda: function(*args)))
        through_codec = raises(lambda: codec(name, *args))
        for route, error in (("typed", typed), ("codec", through_codec)):
            expect(isinstance(error, goray.NotUTF8Error) and error.task == name and
                   (error.position, error.path, error.data, error.offset) == where,
                   f"{name}{args!r} {route}: {type(error).__name__}: {error}")
        expect(str(typed) == str(through_codec), f"{name}: typed {typed}; codec path {through_codec}")
    expect(typed_call(entries, lambda: entries.Echo("fine")) == "fine", "Echo after a NotUTF8Error")


def check_signatures_and_pickling(app: Any, entries: Any) -> None:
    expect(str(inspect.signature(entries.Loss)) == "(x, a, b)", str(inspect.signature(entries.Loss)))
    expect(str(inspect.signature(entries.Range)) == "(n, step=1)", str(inspect.signature(entries.Range)))
    expect(str(inspect.signature(entries.Meter)) == "(start)", str(inspect.signature(entries.Meter)))
    expect(pickle.loads(pickle.dumps(entries.Loss)) is entries.Loss, "a task pickles by reference")
    expect(pickle.loads(pickle.dumps(app.local.Loss)) is entries.Loss, "the stub's local task is the entry")
    expect(app.local is entries, "the stub's local is the typed entries' module")
    import ray.cloudpickle as cloudpickle  # what Ray pickles functions with

    def user_function(x: float) -> float:
        return app.local.Loss(x, 1.0, 2.0)

    restored = cloudpickle.loads(cloudpickle.dumps(user_function))
    expect(restored(2.0) == 2.0, "a function capturing an entry, pickled by Ray's cloudpickle")


def check_local_actors(app: Any, entries: Any) -> None:
    meter = typed_call(entries, lambda: entries.Meter(1.0))
    expect(isinstance(meter, goray.LocalActor), "a typed local actor is a goray.LocalActor")
    expect(repr(meter) == f"<goray.LocalActor Meter#{meter.index}>", repr(meter))
    expect(typed_call(entries, lambda: meter.Add(2.0)) == 3.0, "Add")
    expect(typed_call(entries, lambda: meter.AddShort(1.0)) == 4.0, "AddShort")
    expect(meter.call("Total") == 4.0, "call('Total')")
    before = counters(entries)
    stream = meter.Count(3)
    expect(next(stream) == 0 and list(stream) == [1, 2] and stream.closed, "a generator method, typed")
    with meter.Count(n=5) as early:
        expect(next(early) == 0, "a generator method by keyword")
    expect(early.closed, "a stream closed at the end of its with block")
    after = counters(entries)
    expect(after["typed"] == before["typed"] + 2,
           f"generator calls typed: {before} -> {counters(entries)}")
    expect(meter.type_name == "Meter" and not meter.closed, "type_name, closed")
    error = raises(lambda: meter.call("Nope", 1))
    expect(isinstance(error, goray.UnknownNameError) and (error.kind, error.name) == ("method", "Nope") and
           {"Add", "Count", "Total"} <= set(error.known), f"call('Nope'): {type(error).__name__}: {error}")
    made = goray.golang_local_new_actor("Meter", 5.0)
    expect(type(made) is entries.Meter and made.Total() == 5.0, "golang_local_new_actor makes the typed type")
    made.close()
    with entries.Meter(0.0) as scoped:
        scoped.Add(1.0)
    expect(scoped.closed, "closed at the end of a with block")
    error = raises(lambda: scoped.Add(1.0))
    expect(isinstance(error, goray.GorayError) and "is closed: cannot call Add" in str(error), str(error))
    meter.close()
    meter.close()  # a second close does nothing
    expect(repr(meter).endswith(" closed>"), repr(meter))
    # Collected: closed (its index is no live instance any more).
    ghost = entries.Meter(2.0)
    index = ghost.index
    del ghost
    gc.collect()
    error = raises(lambda: goray._local.codec_method_call(goray.load_library(), "Meter", index,
                                                          "Total", (), {}))
    expect(f"actor instance {index} is closed" in str(error), f"a collected local actor: {error}")


def check_the_gil(app: Any, entries: Any) -> None:
    """The default releases the GIL: other threads run during a long call, a body whose own
    threads call Python returns, a thread-safe actor's calls run at once. Calls into Python
    on the calling thread work with the GIL kept too."""
    ticks = [0]
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.05)
    before = ticks[0]
    entries.Sleep(0.5)
    during = ticks[0] - before
    stop.set()
    ticker.join()
    expect(during >= 20, f"another Python thread ran {during} times during a 0.5 s call")
    expect(typed_call(entries, lambda: entries.PythonFromThreads(4)) == 12,
           "a body waiting for its own threads calling Python")
    expect(typed_call(entries, lambda: entries.PythonHere(21)) == 42, "Python on the calling thread")
    expect(typed_call(entries, lambda: entries.PythonHereShort(21)) == 42,
           "Python on the calling thread, the GIL kept")
    meter = entries.Meter(0.0)
    threads = [threading.Thread(target=meter.Wait, args=(0.6,)) for _ in range(2)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    expect(elapsed < 1.1, f"two 0.6 s calls of a thread-safe actor took {elapsed:.2f} s together")
    meter.close()


def check_another_library(app: Any, entries: Any) -> None:
    """The loaded library is another application's: every call says so, and why."""
    for call in (lambda: entries.Loss(1.0, 2.0, 3.0), lambda: entries.Meter(1.0)):
        error = raises(call)
        expect(isinstance(error, goray.GorayError) and
               "is not the build of application 'entriesapp'" in str(error) and
               "it is another application's" in str(error), f"{type(error).__name__}: {error}")


def check_another_goray(app: Any, entries: Any) -> None:
    """A goray without something the module was built to use: the first call says to
    rebuild, and which."""
    del goray._entries.result_converter
    error = raises(lambda: entries.Loss(1.0, 2.0, 3.0))
    expect(isinstance(error, ImportError) and
           "application 'entriesapp' was built with another goray (goray._entries.result_converter "
           "is missing here): rebuild the application with this goray" in str(error),
           f"{type(error).__name__}: {error}")


def check_crash(app: Any, entries: Any) -> None:
    entries.Crash(1)  # the process dies here, its report on stderr


CHECKS = {name[len("check_"):]: function for name, function in globals().items()
          if name.startswith("check_")}


def main() -> None:
    check, library, stubs = sys.argv[1:4]
    sys.path.insert(0, stubs)
    if check == "first_call_loads":
        os.environ["GORAY_BIN_PATH"] = library  # (the first call loads it)
    elif check == "another_library":
        goray.load_library(os.path.join(os.path.dirname(library), "libonefile.so"))
    else:
        goray.load_library(library)
    import entriesapp
    import _entriesapp_entries
    CHECKS[check](entriesapp, _entriesapp_entries)
    report["failures"] = failures
    report["counters"] = counters(_entriesapp_entries)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
