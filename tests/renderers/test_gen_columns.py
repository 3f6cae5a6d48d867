"""String and binary columns through goray-gen (docs/types.md "String and binary
columns"): the scanner maps goray::StringColumn / BinaryColumn (parameters only), their
builders (values anywhere) and std::vector<std::string_view> parameters into the IDL; the
generated C++ compiles; the stubs type a column as pyarrow arrays (or a list) in and a
pyarrow StringArray / BinaryArray out, under mypy --strict; a column view anywhere but a
parameter is refused naming the builder to use."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import sysconfig

from conftest import gen_command, mypy_cache_args, run

ROOT = pathlib.Path(__file__).resolve().parents[2]
INCLUDE = ROOT / "runtime" / "include"

SOURCE = """
#include <goray/goray.h>
#include <optional>
#include <string_view>
#include <vector>

namespace logs {
struct Cleaned {
  goray::StringColumnBuilder host;
  goray::Array<uint64_t> hash;
};
}  // namespace logs

struct GORAY_TASKS Logs {
  logs::Cleaned Clean(const goray::StringColumn& url, const goray::BinaryColumn& agent) {
    logs::Cleaned out{{}, goray::Array<uint64_t>::Zeros({static_cast<int64_t>(url.size())})};
    for (auto row : url) out.host.Append(row);
    (void)agent;
    return out;
  }
  int64_t Total(std::vector<std::string_view> rows) { return static_cast<int64_t>(rows.size()); }
  int64_t Nulls(const std::vector<std::optional<std::string_view>>& rows) {
    return static_cast<int64_t>(rows.size());
  }
  goray::BinaryColumnBuilder Copy(goray::BinaryColumnBuilder rows) { return rows; }
};
"""

USER = """
import pyarrow as pa  # type: ignore[import-untyped]  # (pyarrow ships no type stubs)
import cols

cleaned: cols.Cleaned = cols.local.Clean(pa.array(["https://a.com"]), [b"agent", None])
host = cleaned["host"]
total: int = cols.local.Total(["a", "b"])
total = cols.local.Total(pa.array(["a"]))
copied = cols.local.Copy([b"x", None])
"""


def generate(scanner: str, tmp_path: pathlib.Path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "cols.cpp").write_text(source)
    return run(gen_command(str(tmp_path / "cols.cpp"), "-o", str(tmp_path / "out"), "--name", "cols",
                           "--", f"-I{INCLUDE}", "-DMSGPACK_NO_BOOST"), cwd=tmp_path)


def test_columns_are_scanned_compiled_and_typed(scanner, tmp_path):
    result = generate(scanner, tmp_path, SOURCE)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    idl = json.loads((out / "cols.idl.json").read_text())
    kinds = {task["name"]: ([(p["type"]["kind"], p["type"].get("form")) for p in task["params"]],
                            task["result"]["kind"]) for task in idl["tasks"]}
    assert kinds["Clean"] == ([("column", "view"), ("column", "view")], "struct")
    assert kinds["Total"] == ([("vector", None)], "int")
    assert kinds["Copy"] == ([("column", "builder")], "column")
    assert [p["type"]["values"] for p in idl["tasks"][0]["params"]] == ["string", "binary"]

    python_include = sysconfig.get_paths()["include"]
    for unit in ("cols.cols_cpp.goray.cpp", "cols.goray.cpp", "cols.entries.goray.cpp"):
        compiled = run(["c++", "-std=c++20", "-fsyntax-only", f"-I{out}", f"-I{tmp_path}", f"-I{INCLUDE}",
                        f"-I{python_include}", "-DMSGPACK_NO_BOOST", str(out / unit)], cwd=tmp_path)
        assert compiled.returncode == 0, unit + "\n" + compiled.stderr[-3000:]

    types = (out / "_cols_types.pyi").read_text()
    assert "import pyarrow as _pyarrow" in types
    assert "host: _pyarrow.StringArray" in types
    assert "url: _pyarrow.Array | _pyarrow.ChunkedArray | _list[_str | None]" in types
    assert "agent: _pyarrow.Array | _pyarrow.ChunkedArray | _list[_bytes | _str | None]" in types
    assert "rows: _list[_str] | _pyarrow.Array | _pyarrow.ChunkedArray" in types
    assert "-> _pyarrow.BinaryArray" in types
    stub = (out / "cols.py").read_text()  # importing the stub needs no pyarrow: type checkers' only
    assert "if _TYPE_CHECKING:  # for the TypedDicts: importing this module needs no NumPy or pyarrow" in stub
    assert "    import pyarrow as _pyarrow" in stub

    (out / "user.py").write_text(USER)
    checked = run([sys.executable, "-m", "mypy", "--strict", *mypy_cache_args("columns"),
                   "user.py"], cwd=out)  # (cols resolves to its .pyi)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_column_view_outside_a_parameter_is_refused(scanner, tmp_path):
    source = SOURCE.replace("goray::StringColumnBuilder host;", "goray::StringColumn host;")
    result = generate(scanner, tmp_path, source)
    assert result.returncode != 0
    assert ("'goray::StringColumn' reads the caller's memory for one call, so only a parameter may be "
            "one: use goray::StringColumnBuilder") in result.stderr
