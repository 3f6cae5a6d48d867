"""goray.data's UDFs: task_udf and actor_udf, a native task or actor method over a Ray
Data batch of NumPy and Arrow columns, in-process, its declared columns checked first.
A pyarrow batch stays Arrow: its string and binary columns go to C++ as they are (the
Arrow C Data Interface), its kept columns are passed through untouched, and the result is
a pyarrow Table.

Tests: tests/ray/test_ray_data.py, tests/python/test_data_types.py
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Type

from .. import _arrow, _ffi, _keywords, _process_setup, _traits
from . import _crash_reports
from .._arrays import DTYPE_NAMES
from .._local import LocalActor, golang_local_new_actor, golang_local_run_task
from ..errors import GorayError

__all__ = ["task_udf", "actor_udf", "TaskUDF", "ActorUDF", "ColumnError"]

_DTYPES = tuple(DTYPE_NAMES.values())
#: The column kinds of strings and bytes (goray::StringColumn / goray::BinaryColumn), and
#: what names them in a declaration: these names, str / bytes, or a pyarrow type.
_TEXT_KINDS = {"string": "string", "str": "string", "large_string": "string", "string_view": "string",
               "utf8": "string", "large_utf8": "string",
               "binary": "binary", "bytes": "binary", "large_binary": "binary", "binary_view": "binary"}
_KINDS = (*_DTYPES, "string", "binary")


class ColumnError(GorayError, TypeError):
    """A batch's column that the native task cannot take: missing, or of another dtype.
    ``task`` names the task (or ``Type.Method``), ``column`` the column, ``expected``
    the dtype the task declared, ``received`` what the batch held ("no such column"
    when missing)."""

    def __init__(self, task: str, column: str, expected: str, received: str,
                 columns: Sequence[str] = ()) -> None:
        self.task = task
        self.column = column
        self.expected = expected
        self.received = received
        self.columns = list(columns)
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.received == "no such column":
            listed = ", ".join(repr(name) for name in self.columns) or "none"
            return (f"the batch has no column {self.column!r} (expected {self.expected}; "
                    f"its columns: {listed}) (task {self.task})")
        return f"column {self.column!r}: expected {self.expected}, received {self.received} (task {self.task})"

    def __reduce__(self) -> Tuple[Any, ...]:  # keeps the parts through pickling (Ray ships errors)
        return (type(self), (self.task, self.column, self.expected, self.received, self.columns))


def _dtype_name(what: str, column: Any, dtype: Any) -> str:
    """The NumPy dtype name of one declared column, or "string" / "binary" for a column of
    strings or bytes, checked when the UDF is made."""
    if not isinstance(column, str):
        raise GorayError(f"{what}: a column name must be a str, got {type(column).__name__} {column!r}")
    name: Any = dtype
    if dtype is str or dtype is bytes:
        name = dtype.__name__
    elif isinstance(dtype, type):  # numpy.float64 and friends
        name = getattr(dtype, "__name__", None)
    elif not isinstance(dtype, str):  # a numpy.dtype, or a pyarrow DataType
        name = getattr(dtype, "name", None) if not type(dtype).__module__.startswith("pyarrow") else str(dtype)
    if isinstance(name, str) and name in _TEXT_KINDS:
        return _TEXT_KINDS[name]
    if not isinstance(name, str) or name not in _DTYPES:
        raise GorayError(f"{what}: column {column!r}: {dtype!r} is not a dtype goray carries "
                         f"(one of {', '.join(_KINDS)}; strings are \"string\", bytes \"binary\")")
    return name


def _checked_columns(what: str, columns: Any) -> Dict[str, str]:
    if not isinstance(columns, Mapping) or not columns:
        raise GorayError(f"{what}: columns must be a non-empty dict of column name to NumPy dtype, "
                         f"\"string\" or \"binary\" (the C++ struct's fields), got {type(columns).__name__}")
    return {column: _dtype_name(what, column, dtype) for column, dtype in columns.items()}


def _received(value: Any) -> str:
    if _arrow.is_column(value) or _is_arrow(value):
        return f"{value.type} ({len(value)},)"
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return type(value).__name__
    shape = getattr(value, "shape", None)
    return f"{dtype.name} {tuple(shape)!r}" if shape is not None else dtype.name


_COLUMNS_AS = ("struct", "parameters")


def _checked_columns_as(what: str, columns_as: Any) -> str:
    if columns_as not in _COLUMNS_AS:
        raise GorayError(f"{what}: columns_as must be \"struct\" (the native callable takes one "
                         f"struct of arrays) or \"parameters\" (one parameter per column, by name), "
                         f"got {columns_as!r}")
    return str(columns_as)


class _Column:
    """A column's place among a call's positional arguments."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _BatchCall:
    """What a task UDF and an actor UDF share: the declared columns, the check of a
    batch against them, how they are passed, and the merge of the result."""

    def __init__(self, callee: str, columns: Dict[str, str], columns_as: str, keep_columns: bool) -> None:
        self._callee = callee
        self._columns = columns
        self._by_name = columns_as == "parameters"
        self._keep_columns = keep_columns
        self._layout: Optional[Tuple[Any, ...]] = None  # by_name: the positions, once per process

    def __getstate__(self) -> Dict[str, Any]:  # the layout is this process's library's
        state = dict(self.__dict__)
        state["_layout"] = None
        return state

    def _params(self) -> Optional[_traits.Params]:  # overridden: a task's, a method's
        raise NotImplementedError

    def _text_columns(self) -> Dict[str, str]:
        return {column: kind for column, kind in self._columns.items() if kind in ("string", "binary")}

    def _numpy_columns(self, batch: object) -> Mapping[str, Any]:
        """`batch` as columns: a dict as it is; a pandas DataFrame read as NumPy columns by
        Ray Data's conversion, as for batch_format="numpy" (its declared columns only, all
        of them with keep_columns); a pyarrow Table's declared numeric columns likewise and
        its string and binary columns as they are (Arrow)."""
        if isinstance(batch, Mapping):
            return batch
        if type(batch).__module__.partition(".")[0] not in ("pandas", "pyarrow"):
            raise GorayError(f"expected a batch of columns (a dict of NumPy arrays, a pandas "
                             f"DataFrame or a pyarrow Table: map_batches(..., batch_format="
                             f"\"numpy\", \"pandas\" or \"pyarrow\")), received "
                             f"{type(batch).__name__} (task {self._callee})")
        from ray.data.block import BlockAccessor  # Ray Data is there: it made the batch

        block: Any = batch
        accessor: Any = BlockAccessor.for_block(block)  # a table accessor: column_names()
        names = list(accessor.column_names())
        for column, dtype in self._columns.items():
            if column not in names:
                raise ColumnError(self._callee, column, dtype, "no such column", names)
        if _is_table(batch):
            text = self._text_columns()
            numeric = [column for column in self._columns if column not in text]
            columns: Dict[str, Any] = dict(accessor.to_numpy(numeric)) if numeric else {}
            for column in text:
                columns[column] = batch.column(column)
            return columns
        wanted = names if self._keep_columns else list(self._columns)
        return dict(accessor.to_numpy(wanted))

    def _struct(self, batch: Mapping[str, Any]) -> Dict[str, Any]:
        """The declared columns of `batch`, as they are (no copy), after checking them."""
        struct = {}
        for column, dtype in self._columns.items():
            if column not in batch:
                raise ColumnError(self._callee, column, dtype, "no such column", list(batch))
            value = batch[column]
            if dtype in ("string", "binary"):
                value = _text_column(self._callee, column, dtype, value)
            elif getattr(getattr(value, "dtype", None), "name", None) != dtype:
                raise ColumnError(self._callee, column, dtype, _received(value))
            struct[column] = value
        return struct

    def _run(self, call: Any, given: object) -> Any:
        """`call` on the batch's declared columns (no copy here), its result as columns."""
        batch = self._numpy_columns(given)
        struct = self._struct(batch)
        if not self._by_name:
            return self._columns_out(given, batch, call(struct))
        if self._layout is None:
            # Each column to the parameter of its name, resolved once (calls by keyword
            # take the slow path), with the constant defaults of parameters in between.
            self._layout = _keywords.resolve(self._callee, self._params(), (),
                                             {column: _Column(column) for column in self._columns})
        args = [struct[x.name] if isinstance(x, _Column) else x for x in self._layout]
        return self._columns_out(given, batch, call(*args))

    def _columns_out(self, given: object, batch: Mapping[str, Any], result: Any) -> Any:
        """The output batch: a dict of columns, or a pyarrow Table when the batch was one or
        a result column is Arrow (a string or binary column), kept columns as they were."""
        if not isinstance(result, dict):
            raise GorayError(f"expected the native result to be a struct of arrays (a dict of "
                             f"columns), received {type(result).__name__} (task {self._callee})")
        arrow = _is_table(given) or any(_is_arrow(value) for value in result.values())
        if not arrow:
            if not self._keep_columns:
                return result
            merged = dict(batch)
            merged.update(result)
            return merged
        import pyarrow  # Ray Data's own dependency; the batch or a result is Arrow

        if _is_table(given) and self._keep_columns:  # the table's own columns, untouched
            table: Any = given
            for name, value in result.items():
                column = _as_arrow(pyarrow, value)
                at = table.schema.get_field_index(name)
                table = table.set_column(at, name, column) if at >= 0 else table.append_column(name, column)
            return table
        merged = dict(batch) if self._keep_columns else {}
        merged.update(result)
        return pyarrow.table({name: _as_arrow(pyarrow, value) for name, value in merged.items()})


def _is_table(value: Any) -> bool:
    kind = type(value)
    return kind.__name__ == "Table" and kind.__module__.startswith("pyarrow")


def _is_arrow(value: Any) -> bool:
    kind = type(value)
    return kind.__module__.startswith("pyarrow") and (hasattr(kind, "__arrow_c_array__")
                                                      or hasattr(kind, "__arrow_c_stream__"))


def _as_arrow(pyarrow: Any, value: Any) -> Any:
    """A column as Arrow: an Arrow array as it is, an ndarray wrapped (no copy for numbers)."""
    return value if _is_arrow(value) else pyarrow.array(value)


_TEXT_TYPES = {"string": ("string", "large_string", "string_view"),
               "binary": ("binary", "large_binary", "binary_view", "string", "large_string", "string_view")}


def _text_column(callee: str, column: str, kind: str, value: Any) -> Any:
    """A string or binary column as Arrow, its type checked: an Arrow array as it is, a NumPy
    array of objects (a numpy or pandas batch's strings) converted once by pyarrow."""
    if not _is_arrow(value):
        dtype = getattr(value, "dtype", None)
        if dtype is None or dtype.kind not in "OUS":
            raise ColumnError(callee, column, kind, _received(value))
        import pyarrow

        try:
            value = pyarrow.array(value, type=pyarrow.string() if kind == "string" else pyarrow.binary())
        except (TypeError, ValueError, pyarrow.ArrowException) as error:
            raise ColumnError(callee, column, kind, f"{_received(value)}: {error}") from None
        return value
    arrow_type = value.type
    values_type = getattr(arrow_type, "value_type", arrow_type)  # a dictionary's values
    if str(values_type) not in _TEXT_TYPES[kind]:
        raise ColumnError(callee, column, kind, _received(value))
    return value


_is_ready = False


def _ready() -> None:
    """The library (and py-defs) this process needs, from the job's environment."""
    global _is_ready
    if _is_ready:
        return
    if _process_setup.ensure_ready() is None and _ffi.loaded_library() is None:
        raise GorayError(f"no goray library in this process: start Ray with goray.init(library), "
                         f"which gives Ray Data's workers {_ffi.BIN_PATH_ENV}, or set it")
    _is_ready = True


class TaskUDF(_BatchCall):
    """A ``map_batches`` function calling one native task per batch (:func:`task_udf`)."""

    def __init__(self, task: str, columns: Dict[str, str], columns_as: str, keep_columns: bool) -> None:
        super().__init__(task, columns, columns_as, keep_columns)
        self._task = task

    def __call__(self, batch: object) -> Any:
        """The native task on `batch`: a dict of NumPy columns, a pandas DataFrame or a
        pyarrow Table (every batch_format of map_batches; `object` so that type checkers
        take it for each); its result is a dict of columns."""
        _ready()
        return self._run(self._native, batch)

    def _native(self, *args: Any) -> Any:
        return golang_local_run_task(self._task, *args)

    def _params(self) -> Optional[_traits.Params]:
        return _traits.task_params(_ffi.get_library(), self._task)

    def __repr__(self) -> str:
        passed = ", columns_as='parameters'" if self._by_name else ""
        return f"goray.data.task_udf({self._task!r}, columns={self._columns!r}{passed})"


def task_udf(task: str, columns: Mapping[str, Any], *, columns_as: str = "struct",
             keep_columns: bool = False) -> TaskUDF:
    """A function for ``Dataset.map_batches(fn, batch_format="numpy")`` that runs the
    native task `task` on each batch, in the worker holding it.

    The task takes one struct whose fields are arrays, `columns` its fields: column
    name to NumPy dtype (``"float64"``, ``numpy.float64`` or ``numpy.dtype(...)``), and
    returns a struct of arrays, the batch's new columns. With
    ``columns_as="parameters"`` the task takes one parameter per column instead,
    passed by name (the library must name its parameters: goray-gen's tables do).
    With `keep_columns`, the input batch's columns are kept beside the result's (a
    result column replaces one of the same name). Every other batch_format works too:
    a pandas DataFrame or a pyarrow Table is read as NumPy columns first."""
    if not isinstance(task, str) or not task:
        raise GorayError(f"goray.data.task_udf: the task name must be a non-empty str, got {task!r}")
    what = f"goray.data.task_udf({task!r})"
    _crash_reports.in_this_process()
    return TaskUDF(task, _checked_columns(what, columns), _checked_columns_as(what, columns_as),
                   bool(keep_columns))


class ActorUDF(_BatchCall):
    """Base of the classes :func:`actor_udf` makes: Ray Data builds one per actor of
    its pool, which creates the native actor in that process and calls its method
    on each batch."""

    _type_name = ""
    _method = ""
    _args: Tuple[Any, ...] = ()
    _declared: Dict[str, str] = {}
    _columns_as = "struct"
    _keep: bool = False

    def __init__(self) -> None:
        super().__init__(f"{self._type_name}.{self._method}", self._declared, self._columns_as, self._keep)
        _ready()
        self._actor: Optional[LocalActor] = golang_local_new_actor(self._type_name, *self._args)
        self._call = getattr(self._actor, self._method)

    def __call__(self, batch: object) -> Any:
        """The native method on `batch`, as TaskUDF's call."""
        return self._run(self._call, batch)

    def _params(self) -> Optional[_traits.Params]:
        return _traits.method_params(_ffi.get_library(), self._type_name, self._method)


def actor_udf(actor_type: str, method: str, columns: Mapping[str, Any], *,
              args: Sequence[Any] = (), columns_as: str = "struct", keep_columns: bool = False) -> Type[Any]:
    """A class for ``Dataset.map_batches(cls, batch_format="numpy",
    compute=ray.data.ActorPoolStrategy(size=N))``: each actor of Ray Data's pool
    creates the native actor `actor_type` with `args` in its own process and calls
    its `method` on each batch, with `columns`, `columns_as` and `keep_columns` as
    in :func:`task_udf`. For state kept across batches (a model, a table) that the
    native constructor builds once per actor."""
    what = f"goray.data.actor_udf({actor_type!r}, {method!r})"
    for name, value in (("actor type", actor_type), ("method", method)):
        if not isinstance(value, str) or not value:
            raise GorayError(f"{what}: the {name} must be a non-empty str, got {value!r}")
    if isinstance(args, (str, bytes)) or not isinstance(args, Sequence):
        raise GorayError(f"{what}: args must be a tuple or list of the constructor's arguments, "
                         f"got {type(args).__name__}")
    _crash_reports.in_this_process()
    attributes = {"_type_name": actor_type, "_method": method, "_args": tuple(args),
                  "_declared": _checked_columns(what, columns),
                  "_columns_as": _checked_columns_as(what, columns_as), "_keep": bool(keep_columns),
                  "__module__": __name__}
    return type(f"{actor_type}_{method}_UDF", (ActorUDF,), attributes)
