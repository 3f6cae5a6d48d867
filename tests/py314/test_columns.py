"""String and binary columns on CPython 3.14 with the pyarrow pip installs there
(docs/types.md "String and binary columns", docs/data.md): tests/py314/project's
columns.cpp, built against the cp314 wheel by forky's g++, takes goray::StringColumn /
goray::BinaryColumn and std::vector<std::string_view> parameters and returns column
builders. In this process: every Arrow layout in (string, large_string, string_view,
binary, large_binary, binary_view, dictionary, sliced, ChunkedArray), pyarrow arrays out,
the caller's memory read in place, and goray.data's UDFs on pyarrow batches. Through Ray
(columns_on_ray.py, on a local Ray on 127.0.0.1): a task, an actor, and task_udf /
actor_udf over a Ray Data dataset. Rows: nulls, empty values, bytes that are not UTF-8,
values over 64 KiB, 0 rows (column_values.py)."""
from __future__ import annotations

import pickle
from typing import Any, Dict

import numpy as np
import pyarrow as pa
import pytest

import goray
import goray.data

from column_values import (BINARY_LAYOUTS, COLUMNS, PAYLOAD, STRING_LAYOUTS, TEXT, cleaned,
                           reversed_bytes, upper)
from conftest import HERE, PYTHON, library, run

run_task = goray.golang_local_run_task


@pytest.fixture(scope="module")
def columns_library(project):
    loaded = goray.load_library(str(library(project, "py314app")))
    from goray import _arrow
    assert _arrow.enabled(), "py314app did not turn on columns (EnableFeatures bit 64)"
    return loaded


def table(text: pa.Array | pa.ChunkedArray, payload: pa.Array | pa.ChunkedArray) -> pa.Table:
    return pa.table({"text": text, "payload": payload, "n": np.arange(len(text), dtype=np.int64)})


def assert_cleaned(result: Any, texts: list, payloads: list) -> None:
    expected = cleaned(texts, payloads)
    assert isinstance(result["label"], pa.StringArray), type(result["label"])
    assert isinstance(result["reversed"], pa.BinaryArray), type(result["reversed"])
    got = {name: (value.to_pylist() if hasattr(value, "to_pylist") else value.tolist())
           for name, value in dict(result).items()}
    assert got == expected


# In this process.


@pytest.mark.parametrize("layout", sorted(STRING_LAYOUTS))
def test_every_string_layout_reaches_cpp_and_a_string_array_comes_back(columns_library, layout):
    result = run_task("UpperText", STRING_LAYOUTS[layout](TEXT))
    assert isinstance(result, pa.StringArray) and result.type == pa.string()
    assert result.to_pylist() == [upper(value) for value in TEXT]
    assert result.null_count == 1


@pytest.mark.parametrize("layout", sorted(BINARY_LAYOUTS))
def test_every_binary_layout_reaches_cpp_and_a_binary_array_comes_back(columns_library, layout):
    result = run_task("ReversedBytes", BINARY_LAYOUTS[layout](PAYLOAD))
    assert isinstance(result, pa.BinaryArray) and result.type == pa.binary()
    assert result.to_pylist() == [reversed_bytes(value) for value in PAYLOAD]
    assert result.null_count == 1


def test_a_task_takes_both_kinds_and_returns_a_struct_of_columns(columns_library):
    result = run_task("Clean", pa.array(TEXT, pa.large_string()), pa.array(PAYLOAD, pa.binary()))
    assert_cleaned(result, TEXT, PAYLOAD)
    assert_cleaned(run_task("Clean", text=TEXT, payload=PAYLOAD), TEXT, PAYLOAD)  # lists are columns too


def test_zero_rows(columns_library):
    assert run_task("UpperText", pa.array([], pa.string())).to_pylist() == []
    assert run_task("ReversedBytes", pa.chunked_array([], pa.large_binary())).to_pylist() == []
    assert_cleaned(run_task("Clean", pa.array([], pa.string()), pa.array([], pa.binary())), [], [])
    assert run_task("Joined", pa.array([], pa.string()), ",") == ""


def test_the_callers_memory_is_read_in_place(columns_library):
    column = pa.array(["abc", "de", "f"], pa.string())
    data = column.buffers()[2].address
    assert run_task("TextDataAddress", column) == data
    assert run_task("TextDataAddress", column.slice(1, 2)) == data  # an offset, no copy


def test_a_vector_of_string_views_reads_a_column(columns_library):
    assert run_task("Joined", pa.array(["a", "", "d\u00e9"], pa.string()), "+") == "a++d\u00e9"
    assert run_task("Joined", pa.array(["x", "y"], pa.large_string()).slice(1), "+") == "y"
    assert run_task("Joined", ["p", "q"], separator="/") == "p/q"
    with pytest.raises(goray.ArgumentError) as error:
        run_task("Joined", pa.array(["a", None]), "+")
    assert str(error.value) == (
        "position 0: expected std::vector<std::string_view>, received Arrow column by address (ext 79) "
        "holding a null at row 1 (take std::vector<std::optional<std::string_view>> or a column) "
        "(task Joined)")


def test_a_wrong_column_names_the_task_position_and_both_types(columns_library):
    with pytest.raises(goray.ArgumentError) as error:
        run_task("UpperText", pa.array([b"\xff"], pa.binary()))
    assert str(error.value) == ("position 0: expected goray::StringColumn, received Arrow binary array of 1 rows "
                                "(task UpperText)")


@pytest.mark.parametrize("layout", sorted(STRING_LAYOUTS))
def test_goray_data_task_udf_on_a_pyarrow_batch_keeps_its_columns(columns_library, layout):
    batch = table(STRING_LAYOUTS[layout](TEXT), pa.array(PAYLOAD, pa.binary()))
    out = goray.data.task_udf("Clean", COLUMNS, columns_as="parameters", keep_columns=True)(batch)
    assert isinstance(out, pa.Table)
    assert out.column_names == ["text", "payload", "n", "label", "reversed", "length"]
    assert {name: out.column(name).to_pylist() for name in ("label", "reversed", "length")} == cleaned(TEXT, PAYLOAD)
    for name in ("text", "payload", "n"):  # kept as they were: the same type and the same buffers
        kept, given = out.column(name), batch.column(name)
        assert kept.type == given.type
        assert [c.buffers()[-1].address for c in kept.chunks] == [c.buffers()[-1].address for c in given.chunks]


@pytest.mark.parametrize("layout", sorted(BINARY_LAYOUTS))
def test_goray_data_actor_udf_reads_every_binary_layout(columns_library, layout):
    Tally = goray.data.actor_udf("ColumnTally", "Clean", COLUMNS, columns_as="parameters")
    udf = Tally()
    out = udf(table(pa.array(TEXT, pa.string()), BINARY_LAYOUTS[layout](PAYLOAD)))
    assert out.column_names == ["label", "reversed", "length"]
    assert {name: out.column(name).to_pylist() for name in out.column_names} == cleaned(TEXT, PAYLOAD)
    udf(table(pa.array(["z"]), pa.array([None], pa.binary())))
    assert udf._actor.Nulls() == 2  # the one C++ actor saw both batches


def test_goray_data_on_empty_and_numpy_batches(columns_library):
    clean = goray.data.task_udf("Clean", COLUMNS, columns_as="parameters")
    empty = clean(table(pa.array(TEXT), pa.array(PAYLOAD, pa.binary())).slice(0, 0))
    assert empty.num_rows == 0 and empty.column_names == ["label", "reversed", "length"]
    numpy_batch = {"text": np.array(TEXT, dtype=object), "payload": np.array(PAYLOAD, dtype=object)}
    out = clean(numpy_batch)  # strings as NumPy objects, converted once: a table comes back
    assert {name: out.column(name).to_pylist() for name in out.column_names} == cleaned(TEXT, PAYLOAD)


# Through Ray: columns_on_ray.py's results, from one local Ray.


@pytest.fixture(scope="module")
def on_ray(project, tmp_path_factory) -> Dict[str, Any]:
    out = tmp_path_factory.mktemp("columns") / "results.pickle"
    result = run([PYTHON, HERE / "columns_on_ray.py", library(project, "py314app"), out], timeout=600)
    with open(out, "rb") as results:
        return {**pickle.load(results), "stderr": result.stderr}


def test_a_ray_task_takes_and_returns_columns_of_every_layout(on_ray):
    for layout, result in on_ray["task_upper"].items():
        assert isinstance(result, pa.StringArray), layout
        assert result.to_pylist() == [upper(value) for value in TEXT], layout
    assert sorted(on_ray["task_upper"]) == sorted(STRING_LAYOUTS)
    for layout, result in on_ray["task_reversed"].items():
        assert isinstance(result, pa.BinaryArray), layout
        assert result.to_pylist() == [reversed_bytes(value) for value in PAYLOAD], layout
    assert sorted(on_ray["task_reversed"]) == sorted(BINARY_LAYOUTS)
    assert_cleaned(on_ray["task_clean"], TEXT, PAYLOAD)
    assert on_ray["task_empty"].to_pylist() == []
    assert on_ray["task_joined"] == "a+b+"


def test_a_ray_actor_takes_columns_and_keeps_its_state(on_ray):
    assert on_ray["actor_rows"] == [len(PAYLOAD), len(PAYLOAD) + 2]
    assert on_ray["actor_nulls"] == 3  # a null in each of the three calls' payloads
    assert_cleaned(on_ray["actor_clean"], TEXT, PAYLOAD)


def test_ray_data_runs_task_and_actor_udfs_keeping_columns(on_ray):
    texts, payloads = on_ray["data_rows"]
    expected = cleaned(texts, payloads)
    for name in ("data_task", "data_actor"):
        out = on_ray[name].sort_by("n")
        assert out.column_names == ["text", "payload", "n", "label", "reversed", "length"], name
        assert out.column("n").to_pylist() == list(range(len(texts))), name
        assert out.column("text").to_pylist() == texts, name  # kept
        assert out.column("payload").to_pylist() == payloads, name  # kept
        assert {column: out.column(column).to_pylist() for column in expected} == expected, name
    kept_types = {name: [on_ray[name].schema.field(column).type for column in ("text", "payload", "label", "reversed")]
                  for name in ("data_task", "data_actor")}
    assert kept_types == {"data_task": [pa.string(), pa.binary(), pa.string(), pa.binary()],
                          "data_actor": [pa.large_string(), pa.large_binary(), pa.string(), pa.binary()]}
