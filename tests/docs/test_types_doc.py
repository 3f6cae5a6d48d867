"""docs/types.md's table against the tools: every C++ type it lists works as a task's
parameter and result through goray-gen, a built application and Python, or, for the rows
the table marks "codec only", is covered by the C++ codec test named here. In-process,
each value, refusal and accepted edge runs through both routes that remain (ROUTES: the
application's typed entries, and the codec path a GoRay library and calls by name take),
with one expected answer for both. The Arrays
section's element table too: each element type's echo task returns an ndarray of the
dtype the row names, and the generated .pyi types it as the row says. The Eigen section's
table likewise (the application links Eigen3::Eigen, which scripts/setup.sh installs).

A row of the table with no entry in ROWS fails test_every_row_is_checked."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import REPO, run_shell, run_with_library

# Tasks of the application below, each a round trip of one type.
APP = r"""
#include <goray/goray.h>

#include <Eigen/Core>

#include <array>
#include <chrono>
#include <complex>
#include <filesystem>
#include <span>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace doc {
enum class Color : int32_t { kRed = 1, kBlue = 200 };
struct Point {
  int64_t x = 0;
  std::deque<std::string> tags;
};
struct Reading {
  std::map<std::string, uint8_t> counts;
  float value = 0;
};
struct Tile {  // array fields, one optional
  goray::Array<uint8_t> pixels;
  std::optional<goray::Array<float>> weights;
  std::string name;
};
}  // namespace doc

struct GORAY_TASKS Types {
  bool Bool(bool v) { return v; }
  int8_t I8(int8_t v) { return v; }
  int16_t I16(int16_t v) { return v; }
  int32_t I32(int32_t v) { return v; }
  int64_t I64(int64_t v) { return v; }
  uint8_t U8(uint8_t v) { return v; }
  uint16_t U16(uint16_t v) { return v; }
  uint32_t U32(uint32_t v) { return v; }
  uint64_t U64(uint64_t v) { return v; }
  char Char(char v) { return v; }
  float Float(float v) { return v; }
  double Double(double v) { return v; }
  std::string Str(std::string v) { return v; }
  std::vector<uint8_t> Bytes(std::vector<uint8_t> v) { return v; }
  std::vector<std::byte> RawBytes(std::vector<std::byte> v) { return v; }
  std::vector<int64_t> Vec(std::vector<int64_t> v) { return v; }
  std::list<std::string> List(std::list<std::string> v) { return v; }
  std::deque<int64_t> Deque(std::deque<int64_t> v) { return v; }
  std::set<int64_t> Set(std::set<int64_t> v) { return v; }
  std::unordered_set<std::string> USet(std::unordered_set<std::string> v) { return v; }
  std::array<double, 2> Arr(std::array<double, 2> v) { return v; }
  std::pair<std::string, int64_t> Pair(std::pair<std::string, int64_t> v) { return v; }
  std::map<std::string, int64_t> Map(std::map<std::string, int64_t> v) { return v; }
  std::unordered_map<int64_t, std::string> UMap(std::unordered_map<int64_t, std::string> v) {
    return v;
  }
  std::optional<int64_t> Opt(std::optional<int64_t> v) { return v; }
  doc::Color Enum(doc::Color v) { return v; }
  std::chrono::system_clock::time_point Time(std::chrono::system_clock::time_point v) {
    return v;
  }
  goray::Value Any(goray::Value v) { return v; }
  doc::Point Struct(doc::Point v) { return v; }
  std::tuple<int64_t, std::string> Results(int64_t a, std::string b) { return {a, b}; }
  float Reads(doc::Reading r) { return r.value; }
  goray::Array<double> NdArray(goray::Array<double> v) { return v; }
  goray::Array<double> Scale(goray::ArrayView<double> a, double factor) {
    auto result = goray::Array<double>::Zeros(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) result[i] = a[i] * factor;
    return result;
  }
  int64_t Count(const goray::ArrayView<bool>& mask) {
    int64_t count = 0;
    for (bool value : mask) count += value ? 1 : 0;
    return count;
  }
  std::tuple<goray::Array<int32_t>, goray::Array<uint64_t>> Split(const goray::Array<int64_t>& values) {
    std::vector<int32_t> low;
    std::vector<uint64_t> high;
    for (int64_t value : values) {
      low.push_back(static_cast<int32_t>(value));
      high.push_back(static_cast<uint64_t>(value) * 2);
    }
    return {goray::Array<int32_t>(std::move(low)), goray::Array<uint64_t>(std::move(high))};
  }
  doc::Tile Invert(doc::Tile tile) {
    for (auto& pixel : tile.pixels) pixel = static_cast<uint8_t>(255 - pixel);
    tile.name += "!";
    return tile;
  }
  double ViewSum(goray::ArrayView<double> v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum;
  }
  double SpanSum(std::span<const double> v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum;
  }
  std::string View(std::string_view v) { return std::string(v.substr(1)); }
  goray::StringColumnBuilder Strings(const goray::StringColumn& v) {
    goray::StringColumnBuilder out;
    for (auto row : v) out.Append(row);
    return out;
  }
  goray::BinaryColumnBuilder Binaries(const goray::BinaryColumn& v) {
    goray::BinaryColumnBuilder out;
    for (auto row : v) out.Append(row);
    return out;
  }
  int64_t ViewsTotal(std::vector<std::string_view> v) {
    int64_t total = 0;
    for (std::string_view row : v) total += static_cast<int64_t>(row.size());
    return total;
  }
  std::complex<double> Complex(std::complex<double> v) { return v * 2.0; }
  std::complex<float> ComplexF(std::complex<float> v) { return v; }
  std::filesystem::path Path(std::filesystem::path v) { return v / "x"; }
  std::chrono::microseconds Micros(std::chrono::microseconds v) { return v; }
  std::chrono::nanoseconds Nanos(std::chrono::nanoseconds v) { return v + std::chrono::nanoseconds(1); }
  std::variant<std::monostate, int64_t, std::string, doc::Point> Variant(
      std::variant<std::monostate, int64_t, std::string, doc::Point> v) {
    return v;
  }
};

struct GORAY_TASKS EigenTypes {
  Eigen::MatrixXd EigenMatrix(const Eigen::MatrixXd& m) { return 2.0 * m; }
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> EigenRowMajor(
      Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m) {
    return m.transpose();
  }
  Eigen::ArrayXXi EigenArray(const Eigen::ArrayXXi& a) { return a + 1; }
  Eigen::VectorXd EigenVector(const Eigen::VectorXd& v) { return v.reverse(); }
  Eigen::Array3i EigenFixed(const Eigen::Array3i& a) { return a * 2; }
  double EigenRef(Eigen::Ref<const Eigen::MatrixXd> m) { return m(0, 1); }
  double EigenMap(Eigen::Map<const Eigen::VectorXd> v) { return v.sum(); }
};
"""

# The element table of docs/types.md's Arrays section, as this test expects it:
# C++ element -> NumPy dtype. Each gets an echo task Echo_<dtype>.
ELEMENTS: Dict[str, str] = {
    "bool": "bool", "int8_t": "int8", "int16_t": "int16", "int32_t": "int32",
    "int64_t": "int64", "uint8_t": "uint8", "uint16_t": "uint16", "uint32_t": "uint32",
    "uint64_t": "uint64", "float": "float32", "double": "float64",
    "std::complex<float>": "complex64", "std::complex<double>": "complex128",
}
APP += "\nstruct GORAY_TASKS ArrayTypes {\n" + "".join(
    f"  goray::Array<{element}> Echo_{dtype}(goray::Array<{element}> v) {{ return v; }}\n"
    for element, dtype in ELEMENTS.items()) + "};\n"

CMAKE = """\
cmake_minimum_required(VERSION 3.25)
project(doctypes LANGUAGES CXX)
find_package(goray CONFIG REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
goray_add_app(doctypes SOURCES types.cpp)
target_link_libraries(doctypes PRIVATE Eigen3::Eigen)
"""

# Python code per task: (arguments, the expected result), as Python expressions; the
# result goes through json (so tuples are lists, bytes are compared by their hex).
CALLS: Dict[str, tuple] = {
    "Bool": ("True", "True"),
    "I8": ("-128", "-128"),
    "I16": ("-32768", "-32768"),
    "I32": ("2**31 - 1", "2**31 - 1"),
    "I64": ("-2**63", "-2**63"),
    "U8": ("255", "255"),
    "U16": ("65535", "65535"),
    "U32": ("2**32 - 1", "2**32 - 1"),
    "U64": ("2**64 - 1", "2**64 - 1"),
    "Char": ("65", "65"),
    "Float": ("1.5", "1.5"),
    "Double": ("0.1", "0.1"),
    "Str": ("'h\\u00e9llo'", "'h\\u00e9llo'"),
    "Bytes": ("b'\\x00\\xff'", "b'\\x00\\xff'"),
    "RawBytes": ("b'ab'", "b'ab'"),
    "Vec": ("[1, 2]", "[1, 2]"),
    "List": ("('a', 'b')", "['a', 'b']"),
    "Deque": ("[3, -1, 2]", "[3, -1, 2]"),
    "Set": ("[3, 1, 3, 2]", "[1, 2, 3]"),
    "USet": ("['b', 'a', 'b']", "['a', 'b']"),  # compared sorted: no order
    "Arr": ("[0.5, 2.0]", "[0.5, 2.0]"),
    "Pair": ("('k', 7)", "['k', 7]"),
    "Map": ("{'a': 1, 'b': 2}", "{'a': 1, 'b': 2}"),
    "UMap": ("{1: 'x'}", "{1: 'x'}"),
    "Opt": ("None", "None"),
    "Enum": ("200", "200"),
    "Time": ("_dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=_dt.timezone.utc)",
             "_dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=_dt.timezone.utc)"),
    "Any": ("{'k': [1, 'x', None, 2.5]}", "{'k': [1, 'x', None, 2.5]}"),
    "Struct": ("{'x': 3, 'tags': ['t']}", "{'x': 3, 'tags': ['t']}"),
    "Results": ("5, 'r'", "[5, 'r']"),
    "NdArray": ("_np.arange(6.0).reshape(2, 3)", "_np.arange(6.0).reshape(2, 3)"),
    "ViewSum": ("_np.arange(5.0)[::2]", "6.0"),              # non-contiguous: copied once
    "Scale": ("_np.arange(6.0).reshape(2, 3), 2.0", "_np.arange(6.0).reshape(2, 3) * 2"),
    "ScaleStrided": ("_np.arange(6.0).reshape(2, 3)[:, ::2], 10.0", "_np.array([[0.0, 20.0], [30.0, 50.0]])"),
    "Count": ("_np.array([True, False, True])", "2"),
    "Split": ("_np.array([-1, 7], dtype=_np.int64)",  # a tuple of arrays
              "[_np.array([-1, 7], dtype=_np.int32), _np.array([2**64 - 2, 14], dtype=_np.uint64)]"),
    "Invert": ("{'pixels': _np.array([[0, 10], [200, 255]], dtype=_np.uint8), "
               "'weights': _np.array([0.5], dtype=_np.float32), 'name': 't'}",
               "{'pixels': _np.array([[255, 245], [55, 0]], dtype=_np.uint8), "
               "'weights': _np.array([0.5], dtype=_np.float32), 'name': 't!'}"),
    "SpanSum": ("_array.array('d', [1.0, 2.5])", "3.5"),     # a buffer-protocol object
    "View": ("'abc'", "'bc'"),
    "Strings": ("_pa.array(['a', None, ''], _pa.large_string())", "_pa.array(['a', None, ''])"),
    "StringsFromList": ("['x', None]", "_pa.array(['x', None])"),
    "Binaries": ("_pa.array([b'\\xff', None], _pa.binary())", "_pa.array([b'\\xff', None], _pa.binary())"),
    "ViewsTotal": ("_pa.array(['ab', 'c']).dictionary_encode()", "3"),
    "ViewsTotalList": ("['ab', 'c']", "3"),
    "Complex": ("1 + 2j", "2 + 4j"),
    "ComplexF": ("0.5", "0.5 + 0j"),
    "Path": ("_pl.Path('/tmp/r\\udcff')", "_pl.Path('/tmp/r\\udcff/x')"),
    "PathFromStr": ("'rel'", "_pl.Path('rel/x')"),
    "Micros": ("_dt.timedelta(days=-1, microseconds=5)", "_dt.timedelta(days=-1, microseconds=5)"),
    "Variant": ("'s'", "'s'"),
    "VariantInt": ("5", "5"),
    "VariantNone": ("None", "None"),
    "VariantStruct": ("{'x': 1, 'tags': []}", "{'x': 1, 'tags': []}"),
    "VecFromArray": ("_np.array([4, -5], dtype=_np.int64)", "[4, -5]"),
    "ListToArray": ("[[1.0, 2.0], [3.0, 4.0]]", "_np.array([[1.0, 2.0], [3.0, 4.0]])"),
    "EigenMatrix": ("_np.asfortranarray(_np.arange(6.0).reshape(2, 3))",
                    "_np.arange(6.0).reshape(2, 3) * 2"),
    "EigenRowMajor": ("_np.arange(6, dtype=_np.float32).reshape(2, 3)",
                      "_np.arange(6, dtype=_np.float32).reshape(2, 3).T"),
    "EigenArray": ("_np.array([[1, 2], [3, 4]], dtype=_np.int32)",
                   "_np.array([[2, 3], [4, 5]], dtype=_np.int32)"),
    "EigenVector": ("_np.array([1.0, 2.0, 3.0])", "_np.array([3.0, 2.0, 1.0])"),
    "EigenVectorColumn": ("_np.array([[1.0], [2.0]])", "_np.array([2.0, 1.0])"),
    "EigenFixed": ("_np.array([1, 2, 3], dtype=_np.int32)", "_np.array([2, 4, 6], dtype=_np.int32)"),
    "EigenRef": ("_np.asfortranarray(_np.arange(6.0).reshape(2, 3))", "1.0"),
    "EigenMap": ("_np.arange(4.0)", "6.0"),
}
# Tasks called under another name (the same C++ task with other arguments).
TASK_OF = {"ScaleStrided": "Scale", "StringsFromList": "Strings", "ViewsTotalList": "ViewsTotal", "VecFromArray": "Vec", "ListToArray": "NdArray", "PathFromStr": "Path",
           "VariantInt": "Variant", "VariantNone": "Variant", "VariantStruct": "Variant",
           "EigenVectorColumn": "EigenVector"}
CALLS.update({f"Echo_{dtype}": (f"_np.array([1, 0, 1], dtype={dtype!r})",
                                f"_np.array([1, 0, 1], dtype={dtype!r})")
              for dtype in ELEMENTS.values()})

CODEC = "tests/cpp/codec_test.cpp"
# Each row of the table, by its first cell: the tasks above that carry it, or for a
# codec-only row the C++ test (file::TEST line) that covers it.
ROWS: Dict[str, List[str]] = {
    "`bool`": ["Bool"],
    "`int8_t` … `int64_t`, `uint8_t` … `uint64_t` (any integral type, `char` included)":
        ["I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64", "Char", "Enum"],
    "`float`, `double`": ["Float", "Double"],
    "`std::string`": ["Str"],
    "`std::string_view`": ["View"],
    "`const char*`, `char[N]` (codec only)":
        [f"{CODEC}::TEST(Codec, StringLikeArgumentsEncodeAsStr)"],
    "`std::vector<uint8_t>`, `std::vector<std::byte>`": ["Bytes", "RawBytes"],
    "`std::vector<T>`, `std::list<T>`, `std::deque<T>`, `std::set<T>`, `std::unordered_set<T>`":
        ["Vec", "List", "Deque", "Set", "USet", "Struct"],
    "`std::array<T, N>`": ["Arr"],
    "`std::pair<A, B>`; `std::tuple<...>` inside a value (codec only)":
        ["Pair", f"{CODEC}::TEST(Codec, PairsAndTuples)"],
    "`std::map<K, V>`, `std::unordered_map<K, V>` (K string or integer)": ["Map", "UMap"],
    "`std::optional<T>`": ["Opt"],
    "enums": ["Enum"],
    "`std::chrono::system_clock::time_point`": ["Time"],
    "`goray::Value`": ["Any"],
    "`std::complex<float>`, `std::complex<double>`": ["Complex", "ComplexF"],
    "`std::filesystem::path`": ["Path", "PathFromStr"],
    "`std::chrono::duration<Rep, Period>` (integral `Rep`: `std::chrono::nanoseconds` … `hours`)":
        ["Micros"],
    "`std::variant<...>`": ["Variant", "VariantInt", "VariantNone", "VariantStruct"],
    "user struct": ["Struct"],
    "`std::nullptr_t`, `std::nullopt_t`, `std::monostate` (codec only)":
        [f"{CODEC}::TEST(Codec, Optional)"],
    "`std::tuple<...>` as a result": ["Results"],
    "`goray::Array<T>` (T an [array element](#element-types))":
        ["NdArray", "ListToArray"] + [f"Echo_{dtype}" for dtype in ELEMENTS.values()],
    "`goray::ArrayView<T>`, `std::span<const T>` (parameters only)": ["ViewSum", "SpanSum"],
    "`goray::StringColumnBuilder`, `goray::BinaryColumnBuilder`": ["Strings", "StringsFromList", "Binaries"],
    "`goray::StringColumn`, `goray::BinaryColumn` (parameters only)": ["Strings", "Binaries"],
    "`std::vector<std::string_view>` (parameters only)": ["ViewsTotal", "ViewsTotalList"],
    # On Ray only (in-process calls refuse refs inside values): the Ray tests and
    # goray-gen's (scan, typed wrappers, stubs).
    "`goray::ObjectRef`, `goray::Future<T...>` (on Ray)": [
        "tests/ray/test_refs_in_values_cpp.py::def test_a_list_of_refs_reaches_a_cpp_task_unresolved",
        "tests/ray/test_refs_in_values_cpp.py::def test_a_dict_with_a_ref_field_is_a_struct_with_an_object_ref",
        "tests/renderers/test_gen_golden.py::def test_refs_wrappers_take_refs_and_handles",
        "tests/renderers/test_gen_typecheck.py::refs.Sum.remote(parts)"],
    "`goray::ActorHandle`, `goray::ActorHandleOf<Actor>` (on Ray)": [
        "tests/ray/test_refs_in_values_cpp.py::def test_a_python_actor_handle_is_called_by_a_cpp_task",
        "tests/ray/test_refs_in_values_cpp.py::def test_a_cpp_actor_handle_returned_to_python_and_passed_back",
        "tests/renderers/test_gen_golden.py::static_assert(!CanBump<goray::ActorHandle, goray::ActorHandle>)",
        "tests/renderers/test_gen_typecheck.py::refs.Bump.remote(spawned, refs.Counter.remote(0))"],
    # A result that streams: the generated wrappers and stubs, and the streams on Ray.
    "`goray::Generator<T>` (results only)": [
        "tests/renderers/test_gen_concurrency.py::def test_a_generator_task_wrapper_returns_a_stream_call",
        "tests/renderers/test_gen_concurrency.py::def test_the_stubs_type_a_stream_as_an_object_ref_generator",
        "tests/ray/test_streams.py::def test_count_up_streams_its_items_in_order"],
}
ROWS["`std::vector<T>`, `std::list<T>`, `std::deque<T>`, `std::set<T>`, "
     "`std::unordered_set<T>`"].append("VecFromArray")

# The Eigen section's table, by each row's first cell: the tasks that carry it.
EIGEN_ROWS: Dict[str, List[str]] = {
    "`Eigen::Matrix<S, R, C, ...>`, `Eigen::Array<S, R, C, ...>` (any size, either order: "
    "`MatrixXd`, `Matrix3f`, `ArrayXXi`, ...)": ["EigenMatrix", "EigenRowMajor", "EigenArray"],
    "vector types (`VectorXd`, `RowVectorXf`, `Array3i`, ...)":
        ["EigenVector", "EigenVectorColumn", "EigenFixed"],
    "`Eigen::Ref<const M>`, `Eigen::Map<const M>`": ["EigenRef", "EigenMap"],
}


def table_rows() -> List[str]:
    """The first cells of docs/types.md's type table."""
    text = (REPO / "docs" / "types.md").read_text(encoding="utf-8")
    table = re.search(r"^\| C\+\+ \|.*?\n\|[-| ]+\|\n((?:\|.*\n)+)", text, re.M)
    assert table, "docs/types.md's type table was not found"
    return [line.split(" | ")[0].lstrip("| ").strip() for line in table.group(1).splitlines()]


def eigen_rows() -> List[str]:
    """The first cells of the table in docs/types.md's "Eigen matrices" section."""
    text = (REPO / "docs" / "types.md").read_text(encoding="utf-8")
    section = text[text.index("### Eigen matrices"):]
    table = re.search(r"^\| C\+\+ \|.*?\n\|[-| ]+\|\n((?:\|.*\n)+)", section, re.M)
    assert table, "docs/types.md's Eigen table was not found"
    return [line.split(" | ")[0].lstrip("| ").strip() for line in table.group(1).splitlines()]


def test_every_eigen_row_is_checked():
    assert eigen_rows() == list(EIGEN_ROWS)
    for tasks in EIGEN_ROWS.values():
        for task in tasks:
            assert task in CALLS and f" {TASK_OF.get(task, task)}(" in APP, task


def test_every_row_is_checked():
    rows = table_rows()
    assert len(rows) > 10
    unchecked = [row for row in rows if row not in ROWS]
    assert not unchecked, ("rows of docs/types.md's table with no check in "
                           "tests/docs/test_types_doc.py:\n" + "\n".join(unchecked))
    stale = [row for row in ROWS if row not in rows]
    assert not stale, "checks for rows no longer in docs/types.md:\n" + "\n".join(stale)


def test_codec_only_rows_have_their_codec_test():
    for row, checks in ROWS.items():
        tests = [check for check in checks if "::" in check]
        assert ("(codec only)" in row) <= bool(tests), row
        for check in tests:
            path, _, needle = check.partition("::")
            assert needle in (REPO / path).read_text(encoding="utf-8"), check
        for task in (check for check in checks if "::" not in check):
            assert task in CALLS and f" {TASK_OF.get(task, task)}(" in APP, task


@pytest.fixture(scope="module")
def types_library(installed_package, tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("doctypes")
    (project / "CMakeLists.txt").write_text(CMAKE)
    (project / "types.cpp").write_text(APP)
    run_shell([f'cmake -S . -B build -G Ninja -Dgoray_DIR="{installed_package}/lib/cmake/goray"',
               "cmake --build build"], cwd=project)
    return project / "build" / "libdoctypes.so"


# The in-process routes a call may take, by the function that takes it.
ROUTES = {"typed": "goray.golang_local_run_task", "codec": "goray._local.codec_run_task"}


@pytest.mark.parametrize("route", ROUTES)
def test_every_type_round_trips_through_goray_gen_and_python(types_library, route):
    lines = ["import array as _array", "import datetime as _dt", "import numpy as _np",
             "import pathlib as _pl", "import pyarrow as _pa",
             "result = {}", "def _plain(v):",
             "    if isinstance(v, _pa.Array): return ['arrow', str(v.type), [_plain(x) for x in v.to_pylist()]]",
             "    if isinstance(v, _np.ndarray):",
             "        return ['ndarray', str(v.dtype), list(v.shape), [str(x) for x in v.ravel()]]",
             "    if isinstance(v, (bytes, bytearray)): return 'bytes:' + v.hex()",
             "    if isinstance(v, _dt.datetime): return 'time:' + v.isoformat()",
             "    if isinstance(v, complex): return 'complex:' + repr(v)",
             "    if isinstance(v, _pl.PurePath): return 'path:' + repr(bytes(v))",
             "    if isinstance(v, _dt.timedelta): return 'duration:' + repr(v)",
             "    if isinstance(v, (list, tuple)): return [_plain(x) for x in v]",
             "    if isinstance(v, dict): return {str(k): _plain(x) for k, x in v.items()}",
             "    return v"]
    # Each call's route: the typed entries (the module counts it), or the codec path.
    lines += ["from goray import _entries, _ffi",
              "_module = _entries.entries_module(_ffi.get_library())",
              "def _typed_calls(): return _module.__goray_counters__()['typed']"]
    for task, (args, expected) in CALLS.items():
        got = f"{ROUTES[route]}({TASK_OF.get(task, task)!r}, {args})"
        if task == "USet":
            got = f"sorted({got})"
        lines += ["_before = _typed_calls()",
                  f"result[{task!r}] = [_plain({got}), _plain({expected}), "
                  "'typed' if _typed_calls() == _before + 1 else 'codec']"]
    results = run_with_library(types_library, "\n".join(lines))
    wrong = {task: pair[:2] for task, pair in results.items() if pair[0] != pair[1]}
    assert not wrong, wrong
    assert set(results) == set(CALLS)
    # Every call of the typed route is typed (types declared in the .cpp file alone,
    # goray::Value and Eigen maps cross packed); the codec route's none.
    taken = {task for task, (_, _, taken) in results.items() if taken != route}
    assert not taken, f"the calls that did not take the {route} route: {sorted(taken)}"


# What types.md says about range checks, through the whole path: Python -> goray-gen's
# dispatch -> the C++ codec -> goray.ArgumentError.
REFUSED = {
    "Float(1e40)": "position 0: expected float, received float64 1e+40 (task Float)",
    "Float(-1e300)": "position 0: expected float, received float64 -1e+300 (task Float)",
    "Reads({'value': 1e40, 'counts': {}})": "position 0: expected doc::Reading, received map "
                              "(at .value: expected float, received float64 1e+40) (task Reads)",
    "Reads({'counts': {'a': 1, 'b': 300}, 'value': 0.0})":
        'position 0: expected doc::Reading, received map (at .counts["b"]: expected uint8_t, '
        "received int 300) (task Reads)",
    "U8(256)": "position 0: expected uint8_t, received int 256 (task U8)",
    "Scale(_np.zeros(3, dtype=_np.int32), 1.0)":
        "position 0: expected goray::ArrayView<double>, received ndarray of int32 (3,) (task Scale)",
    "Micros(1500)": "position 0: expected std::chrono::microseconds, received a duration of "
                    "1500 ns, which it cannot hold exactly (task Micros)",
    "Complex('1+2j')": "position 0: expected std::complex<double>, received str (task Complex)",
    "Variant(2.5)": "position 0: expected std::variant<std::monostate, int64_t, std::string, "
                    "doc::Point>, received float64 2.5 (task Variant)",
    "Reads({'counts': {'b': 2**64}, 'value': 0.0})":
        "position 0: expected an integer in [-2**63, 2**64), received dict holding int "
        '18446744073709551616 (at ["counts"]["b"]) (task Reads)',
}
ACCEPTED = {
    "Float(float('inf'))": "'inf'",
    "Float(float('-inf'))": "'-inf'",
    "Float(float('nan'))": "'nan'",
    "Float(3.4028234663852886e+38)": "'3.4028234663852886e+38'",  # FLT_MAX
    "Float(0.1)": "'0.10000000149011612'",  # rounded to the nearest float
    "Float(1e-50)": "'0.0'",
    "Reads({'value': 2.5, 'counts': {'b': 255}})": "'2.5'",
}


@pytest.mark.parametrize("route", ROUTES)
def test_out_of_range_values_are_refused_with_their_path(types_library, route):
    code = ["import numpy as _np", "result = {}"]
    for call in REFUSED:
        name, _, args = call.partition("(")
        code += ["try:",
                 f"    {ROUTES[route]}({name!r}, {args[:-1]})",
                 f"    result[{call!r}] = 'accepted'",
                 "except goray.ArgumentError as error:",
                 f"    result[{call!r}] = str(error)"]
    assert run_with_library(types_library, "\n".join(code)) == REFUSED


@pytest.mark.parametrize("route", ROUTES)
def test_floats_within_range_nan_and_inf_pass(types_library, route):
    code = ["result = {}"]
    for call in ACCEPTED:
        name, _, args = call.partition("(")
        code.append(f"result[{call!r}] = repr({ROUTES[route]}({name!r}, {args[:-1]}))")
    results = run_with_library(types_library, "\n".join(code))
    assert results == {call: eval(expected) for call, expected in ACCEPTED.items()}


def test_a_duration_a_timedelta_cannot_hold_is_refused_not_rounded(types_library):
    code = ["import datetime", "from goray._codec import CodecError",
            "try:",
            "    goray.golang_local_run_task('Nanos', datetime.timedelta(microseconds=1))",
            "    result = 'accepted'",
            "except CodecError as error:",
            "    result = str(error)"]
    assert run_with_library(types_library, "\n".join(code)) == (
        "a duration of 1001 ns: a datetime.timedelta holds microseconds, so it cannot hold "
        "this one exactly")


# The rows of goray's own exts (complex numbers, paths, durations), variants and Eigen's
# matrices, through Ray too: stored in Ray's object store by one process and read in another.
ON_RAY = ["Complex", "ComplexF", "Path", "Micros", "Variant", "VariantStruct", "View",
          "EigenMatrix", "EigenRowMajor", "EigenVector", "EigenRef"]


def test_the_new_rows_cross_ray(types_library):
    code = ["import pathlib as _pl, datetime as _dt, numpy as _np, ray",
            f"goray.init({str(types_library)!r}, num_cpus=1, include_dashboard=False)",
            "result = {}"]
    for task in ON_RAY:
        args, expected = CALLS[task]
        code.append(f"got = ray.get(goray.golang_task({TASK_OF.get(task, task)!r}).remote({args}))")
        code.append(f"result[{task!r}] = [repr(got), repr({expected})]")
    code.append("ray.shutdown()")
    results = run_with_library(types_library, "\n".join(code))
    wrong = {task: pair for task, pair in results.items() if pair[0] != pair[1]}
    assert not wrong, wrong


def element_rows() -> List[List[str]]:
    """The rows of the Arrays section's element table: [C++ element, dtype, stub type]."""
    text = (REPO / "docs" / "types.md").read_text(encoding="utf-8")
    table = re.search(r"^\| C\+\+ element `T` \|.*?\n\|[-| ]+\|\n((?:\|.*\n)+)", text, re.M)
    assert table, "docs/types.md's array element table was not found"
    return [[cell.strip().strip("`") for cell in line.strip("|\n").split("|")]
            for line in table.group(1).splitlines()]


def test_the_element_table_is_the_one_checked():
    assert {element: dtype for element, dtype, _ in element_rows()} == ELEMENTS


def test_the_stub_types_each_element_as_the_table_says(types_library):
    """Each row's stub type is what goray-gen writes for an Array of that element (the
    .pyi's ``_npt``/``_numpy`` are ``numpy.typing``/``numpy``), and the echo task of the
    row returned an ndarray of the row's dtype (test_every_type_round_trips_...)."""
    stub = (types_library.parent / "_doctypes_types.pyi").read_text(encoding="utf-8")
    for element, dtype, stub_type in element_rows():
        spelled = stub_type.replace("numpy.typing.", "_npt.").replace("numpy.", "_numpy.")
        assert f"def Echo_{dtype}(self, v: {spelled} | " in stub, (element, stub_type)
        assert f"_list[_Any]) -> {spelled}:" in stub.split(f"def Echo_{dtype}(")[-1].split("\n")[0]
    # Arrays among other parameters, in a tuple result and in a struct's fields.
    assert ("def Scale(self, a: _npt.NDArray[_numpy.float64] | _array[_float] | _memoryview | "
            "_list[_Any], factor: _float) -> _npt.NDArray[_numpy.float64]:") in stub
    assert ("def Split(self, values: _npt.NDArray[_numpy.int64] | _array[_int] | _memoryview | "
            "_list[_Any]) -> _list[_Any]:") in stub
    assert "    pixels: _npt.NDArray[_numpy.uint8]\n" in stub
    assert "    weights: _npt.NDArray[_numpy.float32] | None\n" in stub
