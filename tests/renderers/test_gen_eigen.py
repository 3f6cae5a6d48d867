"""Eigen's dense types through goray-gen (IDL version 6's ndarray forms eigen, eigen_ref and
eigen_map): tests/scanner/inputs/eigen/accepted.h scanned with Eigen's headers, then
rendered. The generated C++ includes goray's Eigen support only where the signatures use
Eigen; the typed wrappers take the owning matrix for a Ref or Map parameter; the stubs
type every form as an NDArray of its dtype; and every spelling the invokers' checks write
names exactly the user's type (compiled against Eigen, without goray's Eigen codecs).
Skipped where Eigen's headers are not installed (libeigen3-dev)."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
from typing import Any, Dict

import pytest

from conftest import GOLDEN, INPUTS, ROOT, run

ACCEPTED = INPUTS / "eigen" / "accepted.h"
EIGEN_INCLUDE = next((pathlib.Path(d) for d in ("/usr/include/eigen3", "/usr/local/include/eigen3")
                      if (pathlib.Path(d) / "Eigen" / "Core").is_file()), None)
pytestmark = pytest.mark.skipif(EIGEN_INCLUDE is None, reason="Eigen's headers are not installed")

MATRIX_XD = "::Eigen::Matrix<double, -1, -1, 0, -1, -1>"
VECTOR_XD = "::Eigen::Matrix<double, -1, 1, 0, -1, 1>"
ARRAY_FLOAT64 = "_npt.NDArray[_numpy.float64] | _array[_float] | _memoryview | _list[_Any]"


@pytest.fixture(scope="module")
def idl(scanner, tmp_path_factory) -> Dict[str, Any]:
    out = tmp_path_factory.mktemp("eigen") / "eigenapp.idl.json"
    result = run([scanner, str(ACCEPTED), "-o", str(out), "--", "-isystem", str(EIGEN_INCLUDE)],
                 timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


def render(idl: Dict[str, Any], name: str) -> Dict[str, str]:
    from goray.gen.idl import parse_idl
    from goray.gen.model import build_model
    from goray.gen.render import render_all

    return render_all(build_model(parse_idl(json.dumps(idl)), name))


@pytest.fixture(scope="module")
def outputs(idl) -> Dict[str, str]:
    return render(idl, "eigenapp")


def test_the_idl_is_version_6_with_the_eigen_forms(idl):
    from goray.gen.idl import IDL_VERSION, READABLE_VERSIONS

    assert idl["idl_version"] == IDL_VERSION == 6 and 6 in READABLE_VERSIONS
    trace = next(task for task in idl["tasks"] if task["name"] == "Trace")
    assert trace["params"][0]["type"]["form"] == "eigen"
    assert trace["params"][0]["type"]["eigen"]["spelling"] == \
        "Eigen::Matrix<double, -1, -1, 0, -1, -1>"


def test_goray_eigen_is_included_after_the_annotated_headers_only_when_used(outputs):
    header = outputs["eigenapp.goray.h"]
    assert header.count("#include <goray/eigen.h>") == 1
    assert header.index('#include "accepted.h"') < header.index("#include <goray/eigen.h>")
    assert header.index("#include <goray/eigen.h>") < header.index("// ---- adaptors")
    entries = outputs["eigenapp.entries.goray.cpp"]
    assert entries.index("#include <goray/python/entries.h>") < \
        entries.index("#include <goray/python/eigen.h>")
    # The table and the units get it through the header, which they include first.
    assert '#include "eigenapp.goray.h"' in outputs["eigenapp.goray.cpp"]

    plain = render(json.loads((GOLDEN / "arrays" / "arrays.idl.json").read_text()), "arrays")
    for text in plain.values():
        assert "eigen" not in text.lower()


def test_an_eigen_app_only_in_a_struct_field_still_includes_it(idl):
    from goray.gen.eigen import uses_eigen

    assert uses_eigen(idl)
    stripped = json.loads(json.dumps(idl))
    stripped["tasks"] = [task for task in stripped["tasks"] if task["name"] == "Move"]
    assert uses_eigen(stripped)  # geo::Frame's fields
    stripped["structs"] = []
    stripped["tasks"] = []
    assert uses_eigen(stripped)  # Model's constructor and methods
    stripped["actors"] = []
    assert not uses_eigen(stripped)


def test_the_typed_wrappers_take_the_owning_matrix(outputs):
    header = outputs["eigenapp.goray.h"]
    # Eigen::MatrixXd: the type itself; Eigen::Ref<const MatrixXd>: the MatrixXd it reads.
    assert (f"template <class A0 = {MATRIX_XD}>\n  requires ::goray::detail::ArgFor<{MATRIX_XD}, "
            "A0>\n[[nodiscard]] auto Trace(A0&& m) {") in header
    sum_ref = header[header.index("auto SumRef("):]
    assert f"::goray::detail::Stored<{MATRIX_XD}, A0>" in sum_ref[:600]
    sum_map = header[header.index("auto SumMap("):]
    assert f"::goray::detail::Stored<{VECTOR_XD}, A0>" in sum_map[:600]
    assert f"::goray::Future<{VECTOR_XD}>" in header  # Scale's result
    assert "Eigen::Ref<const M> or Eigen::Map<const M> parameter takes an M" in header


def test_the_invoker_checks_spell_the_canonical_types(outputs):
    table = outputs["eigenapp.goray.cpp"]
    assert (f"::goray::detail::kParamsAre<decltype(&::EigenTasks::SumRef), "
            f"::Eigen::Ref<const {MATRIX_XD}, 0, ::Eigen::OuterStride<-1>>>") in table
    assert (f"::goray::detail::kParamsAre<decltype(&::EigenTasks::SumMap), "
            f"::Eigen::Map<const {VECTOR_XD}, 0, ::Eigen::Stride<0, 0>>>") in table
    assert "::goray::detail::kResultIs<decltype(&::EigenTasks::Row), " \
           "::Eigen::Matrix<double, 1, -1, 1, 1, -1>>" in table


def test_the_stubs_type_every_eigen_form_as_an_ndarray_of_its_dtype(outputs):
    stub = outputs["_eigenapp_types.pyi"]
    assert f"def Trace(self, m: {ARRAY_FLOAT64}) -> _float:" in stub
    assert f"def SumRef(self, m: {ARRAY_FLOAT64}) -> _float:" in stub
    assert f"def SumMap(self, v: {ARRAY_FLOAT64}) -> _float:" in stub
    assert (f"def Scale(self, v: {ARRAY_FLOAT64}, k: _float) -> "
            "_npt.NDArray[_numpy.float64]:") in stub
    assert ("def Ints(self, a: _npt.NDArray[_numpy.int32] | _array[_int] | _memoryview | "
            "_list[_Any]) -> _npt.NDArray[_numpy.int32]:") in stub
    assert "    pose: _npt.NDArray[_numpy.float32]\n" in stub
    assert "    points: _list[_npt.NDArray[_numpy.float64]]\n" in stub
    assert "_npt.NDArray[_numpy.complex128] | None" in stub  # Maybe's result


@pytest.mark.skipif(shutil.which("c++") is None, reason="no C++ compiler")
def test_every_spelling_names_the_users_type_exactly(outputs, idl, tmp_path):
    """The invokers' checks of the generated table (kParamsAre, kResultIs: the same type,
    not a convertible one) and each field's spelling, compiled with the user's header and
    Eigen: a typedef's default options (a row vector's RowMajor) spelled wrong fails."""
    from goray.gen.naming import qualify_std

    checks = re.findall(r"static_assert\(::goray::detail::kParamsAre<.*?\);",
                        outputs["eigenapp.goray.cpp"], re.S)
    assert len(checks) == len(idl["tasks"]) + len(idl["actors"][0]["methods"])
    fields = [f"static_assert(std::is_same_v<decltype({struct['name']}::{field['name']}), "
              f"{qualify_std(field['type']['spelling'])}>);"
              for struct in idl["structs"] for field in struct["fields"]]
    source = tmp_path / "spellings.cpp"
    source.write_text("\n".join([
        '#include "accepted.h"', "#include <type_traits>",
        "#include <goray/detail/typed_call.h>", *checks, *fields, ""]))
    compiler = os.environ.get("CXX", "c++")
    result = run([compiler, "-std=c++20", "-fsyntax-only", f"-I{ACCEPTED.parent}",
                  f"-I{ROOT / 'runtime' / 'include'}", "-isystem", str(EIGEN_INCLUDE),
                  str(source)], timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]


def test_serve_batches_a_dynamic_vector_only(outputs):
    """goray.serve's batch= gathers single elements into one call: meaningful for a
    dynamic vector (Model.Predict), not for a matrix or a vector of a fixed size."""
    stub = outputs["_eigenapp_types.pyi"]
    predict = stub[stub.index("class _ServeMethod_Model_Predict:"):]
    assert "def remote(self, x: _float) -> _ServeResponse[_numpy.float64]:" in \
        predict[:predict.index("def options")]
    for method in ("Gram", "Turn"):
        served = stub[stub.index(f"class _ServeMethod_Model_{method}:"):]
        assert "_overload" not in served[:served.index("def options")], method
