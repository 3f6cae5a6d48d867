"""String and binary columns on Ray and in Ray Data (docs/data.md "String and binary
columns", docs/types.md): tests/apps/raytest/string_columns.cpp's StringHosts takes a URL
column (goray::StringColumn) and a user-agent column (goray::BinaryColumn) and returns a
host column (goray::StringColumnBuilder) and a hash per row; StringShout upper-cases a
column. In-process first (goray.data's UDFs called here: pyarrow batches stay Arrow, kept
columns untouched), then through Ray: a task, C++ to C++, an actor, goray.map, and Ray Data
datasets of a table and of Parquet files.
"""
import sys

import numpy as np
import pytest
import ray

import goray
import goray.data

pa = pytest.importorskip("pyarrow", reason="string columns are pyarrow arrays: bash scripts/setup.sh installs it")

LOGS = {"url": "string", "agent": "binary"}
BIG = "https://example.com/" + "p" * (70 * 1024)
URLS = ["https://WWW.Example.com:443/a?b", None, "", "http://user@Host.org/x", BIG, "no-scheme.net/path"]
HOSTS = ["example.com", None, None, "host.org", "example.com", "no-scheme.net"]
AGENTS = [b"Mozilla/5.0", b"\xff\xfe not utf-8", None, b"", b"curl", b"x" * 70000]


def fnv(url, agent):
    hash_ = 1469598103934665603
    for value in (url, agent):
        if value is None:
            hash_ = ((hash_ ^ 0xff) * 1099511628211) % 2**64
            continue
        for byte in value.encode() if isinstance(value, str) else value:
            hash_ = ((hash_ ^ byte) * 1099511628211) % 2**64
        hash_ = ((hash_ ^ 0xfe) * 1099511628211) % 2**64
    return hash_


def logs_table(urls=URLS, agents=AGENTS):
    return pa.table({"url": pa.array(urls, pa.string()), "agent": pa.array(agents, pa.binary()),
                     "n": np.arange(len(urls), dtype=np.int64)})


# In-process: goray.data's UDFs called in this process.


def test_a_pyarrow_batch_of_strings_stays_arrow_end_to_end(lib):
    table = logs_table()
    out = goray.data.task_udf("StringHosts", LOGS, columns_as="parameters")(table)
    assert isinstance(out, pa.Table)
    assert out.column_names == ["host", "hash"]
    assert out.column("host").to_pylist() == HOSTS
    assert out.column("hash").to_pylist() == [fnv(u, a) for u, a in zip(URLS, AGENTS)]


def test_kept_columns_pass_through_untouched(lib):
    table = logs_table()
    out = goray.data.task_udf("StringHosts", LOGS, columns_as="parameters", keep_columns=True)(table)
    assert out.column_names == ["url", "agent", "n", "host", "hash"]
    for name in ("url", "agent", "n"):  # the same Arrow buffers: no object array, no copy
        assert out.column(name).chunk(0).buffers()[-1].address == table.column(name).chunk(0).buffers()[-1].address
    Counter = goray.data.actor_udf("StringRowCounter", "Apply", LOGS, columns_as="parameters", keep_columns=True)
    assert Counter()(table).column("host").to_pylist() == HOSTS


def test_sliced_chunked_and_empty_batches(lib):
    table = pa.concat_tables([logs_table(), logs_table()]).slice(3, 6)  # two chunks, an offset
    out = goray.data.task_udf("StringHosts", LOGS, columns_as="parameters")(table)
    assert out.column("host").to_pylist() == (HOSTS + HOSTS)[3:9]
    empty = goray.data.task_udf("StringHosts", LOGS, columns_as="parameters")(logs_table().slice(0, 0))
    assert empty.num_rows == 0 and empty.column_names == ["host", "hash"]


def test_a_numpy_batch_of_strings_is_converted_once(lib):
    batch = {"url": np.array(URLS, dtype=object), "agent": np.array(AGENTS, dtype=object)}
    out = goray.data.task_udf("StringHosts", LOGS, columns_as="parameters")(batch)
    assert out.column("host").to_pylist() == HOSTS  # a result column is Arrow: a table


def test_string_declarations_and_their_errors(lib):
    for name in ("str", "string", str, pa.string(), pa.large_string()):
        assert goray.data.task_udf("StringHosts", {"url": name, "agent": "binary"})._columns["url"] == "string"
    assert goray.data.task_udf("StringHosts", {"url": "string", "agent": bytes})._columns["agent"] == "binary"
    with pytest.raises(goray.GorayError, match=r"column 'url': <class 'object'> is not a dtype goray carries "
                                               r"\(one of bool, .*, string, binary; strings are \"string\""):
        goray.data.task_udf("StringHosts", {"url": object})
    wrong = pa.table({"url": pa.array([1, 2]), "agent": pa.array([b"a", b"b"])})
    with pytest.raises(goray.data.ColumnError) as error:
        goray.data.task_udf("StringHosts", LOGS, columns_as="parameters")(wrong)
    assert str(error.value) == "column 'url': expected string, received int64 (2,) (task StringHosts)"


# Through Ray.


def test_a_ray_task_takes_and_returns_a_column(lib):
    column = pa.array(["ab", None, "", BIG], pa.string())
    shouted = ray.get(goray.golang_task("StringShout").remote(column))
    assert isinstance(shouted, pa.StringArray)
    assert shouted.to_pylist() == ["AB", None, "", BIG.upper()]
    chunked = pa.chunked_array([column.slice(1), pa.array(["z"])])
    assert ray.get(goray.golang_task("StringShout").remote(chunked)).to_pylist() == [None, "", BIG.upper(), "Z"]
    binary = pa.array([b"\xff", None, None], pa.binary())
    assert ray.get(goray.golang_task("StringNulls").remote(binary)) == 2


def test_cpp_passes_a_column_to_a_cpp_task_on_ray(lib):
    assert ray.get(goray.golang_task("StringShoutNulls").remote(pa.array(["a", None, "b", None]))) == 2


def test_an_actor_method_takes_columns(lib):
    counter = goray.golang_actor_class("StringRowCounter").remote()
    assert ray.get(counter.Add.remote(pa.array(["a", "b"]))) == 2
    assert ray.get(counter.Add.remote(pa.array(["c"]))) == 3


def test_goray_map_maps_a_task_over_columns(lib):
    items = [pa.array(["a", None]), pa.array([], pa.string()), pa.array(["xyz"], pa.large_string())]
    results = goray.map(goray.golang_task("StringShout"), items)
    assert [result.to_pylist() for result in results] == [["A", None], [], ["XYZ"]]


# Ray Data.


@pytest.fixture(scope="module")
def ray_data(lib):
    pytest.importorskip("pandas", reason="Ray Data needs pandas: bash scripts/setup.sh installs it")
    import ray.data
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.data.DataContext.get_current().enable_progress_bars = False
    return ray.data


def test_ray_data_runs_string_udfs_from_parquet_to_parquet(ray_data, tmp_path):
    import pyarrow.parquet as pq

    rows = 40
    urls = [URLS[i % len(URLS)] for i in range(rows)]
    agents = [AGENTS[i % len(AGENTS)] for i in range(rows)]
    pq.write_table(logs_table(urls, agents), tmp_path / "in.parquet")
    hosts = goray.data.task_udf("StringHosts", LOGS, columns_as="parameters", keep_columns=True)
    (ray_data.read_parquet(str(tmp_path / "in.parquet"))
     .map_batches(hosts, batch_format="pyarrow", batch_size=16)
     .write_parquet(str(tmp_path / "out")))
    out = pq.read_table(tmp_path / "out").sort_by("n")
    assert out.column("host").to_pylist() == [HOSTS[i % len(HOSTS)] for i in range(rows)]
    assert out.column("agent").to_pylist() == agents
    assert out.column("hash").to_pylist() == [fnv(u, a) for u, a in zip(urls, agents)]
    Counter = goray.data.actor_udf("StringRowCounter", "Apply", LOGS, columns_as="parameters")
    pooled = (ray_data.from_arrow(logs_table(urls, agents))
              .map_batches(Counter, batch_format="pyarrow", compute=ray_data.ActorPoolStrategy(size=1))
              .take_all())
    assert sorted(row["host"] or "" for row in pooled) == sorted(h or "" for h in (HOSTS[i % len(HOSTS)] for i in range(rows)))
