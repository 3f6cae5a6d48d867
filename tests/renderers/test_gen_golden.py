"""Golden files: each case's inputs (in tests/golden/<case>/) scan and render to exactly
its golden outputs beside them (every view model: goray.gen.model_shared, model_cpp and
model_python), byte for byte (tests/golden/<case>/<case>.{idl.json,
goray.h,goray.cpp,py,pyi}, the stub's companion _<case>_types.pyi, and
<case>.<source>.goray.cpp for each source file). The
scanner's golden test (tests/scanner/golden_test.cpp) checks the same <case>.idl.json.

The cases and their inputs are tests/golden/cases.json. The tree's build generates each
(build/tests/renderers/golden/<case>/, as goray-gen's CLI: the inputs, --name <case>) and
compiles its C++ (tests/renderers/CMakeLists.txt); these tests compare what it wrote.

GORAY_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing: it generates every
case here, in-process (no build needed, nor used).
"""

from __future__ import annotations

import json
import pathlib
from typing import Dict, List, Tuple

import pytest

from conftest import GOLDEN, PYTHON, built, run, update_golden

# case -> {"inputs": files or directories under tests/golden/, as a user passes them to
# goray-gen; "compiled": false if its C++ is not compiled; "what": what it is about}
CASES: Dict[str, dict] = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))
SUFFIXES = [".idl.json", ".goray.h", ".goray.cpp", ".entries.goray.cpp", ".py", ".pyi"]
# The key of the stub's private companion, _<case>_types.pyi, among a case's outputs.
COMPANION = "_types.pyi"


def companion(case: str) -> str:
    return f"_{case}_types.pyi"


def output_file(case: str, key: str) -> str:
    """The file name of a case's output (a key of `generated`)."""
    return companion(case) if key == COMPANION else f"{case}{key}"
# Cases whose golden C++ compiles against the real runtime ("types" declares a stand-in
# goray::Value of its own).
COMPILED = [case for case in CASES if CASES[case].get("compiled", True)]


def inputs(case: str) -> List[str]:
    return [str(GOLDEN / path) for path in CASES[case]["inputs"]]


def unit_names(case: str, directory: pathlib.Path) -> List[str]:
    """The source units (<case>.<source>.goray.cpp) in `directory`: not the typed entries'
    <case>.entries.goray.cpp, an output of every case."""
    return sorted(path.name for path in directory.glob(f"{case}.*.goray.cpp")
                  if path.name != f"{case}.entries.goray.cpp")


def read_outputs(case: str, outdir: pathlib.Path, units: List[str]) -> Dict[str, str]:
    """suffix -> text of the case's outputs in `outdir` (the stub's companion
    _<case>_types.pyi under COMPANION); `units` its source units' names."""
    outputs = {suffix: (outdir / f"{case}{suffix}").read_text(encoding="utf-8")
               for suffix in SUFFIXES}
    outputs[COMPANION] = (outdir / companion(case)).read_text(encoding="utf-8")
    assert all(name.startswith(f"{case}.") and name.endswith(".goray.cpp")
               for name in units), units
    outputs.update({name[len(case):]: (outdir / name).read_text(encoding="utf-8")
                    for name in units})
    return outputs


@pytest.fixture(scope="session")
def generated(request, tmp_path_factory) -> Dict[str, Dict[str, str]]:
    """Every case's outputs: case -> output suffix -> text. The build's; with
    GORAY_UPDATE_GOLDEN=1, generated here."""
    if not update_golden():
        root = built(*(f"gen_golden_{case}" for case in CASES)) / "golden"
        return {case: read_outputs(case, root / case,
                                   unit_names(case, root / case)) for case in CASES}
    from goray.gen.generate import GenerateError, GenerateOptions, generate

    scanner = request.getfixturevalue("scanner")
    outputs: Dict[str, Dict[str, str]] = {}
    for case in CASES:
        outdir = tmp_path_factory.mktemp(f"golden-{case}")
        try:
            result = generate(GenerateOptions(sources=inputs(case), outdir=str(outdir),
                                              name=case, scanner=scanner))
        except GenerateError as error:
            pytest.fail(f"goray-gen failed on {case}:\n{error.message}", pytrace=False)
        units = {path.name for path in result.files} - \
            {f"{case}{s}" for s in SUFFIXES} - {companion(case)}
        outputs[case] = read_outputs(case, outdir, sorted(units))
    return outputs


def test_every_case_is_a_directory_of_goldens():
    assert sorted(CASES) == sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
    for case in CASES:
        assert all(pathlib.Path(path).exists() for path in inputs(case)), case


PARAMS: List[Tuple[str, str]] = [(case, suffix) for case in CASES
                                  for suffix in SUFFIXES + [COMPANION]]


@pytest.mark.parametrize("case,suffix", PARAMS, ids=[output_file(c, s) for c, s in PARAMS])
def test_output_matches_golden(generated, case, suffix):
    actual = generated[case][suffix]
    golden = GOLDEN / case / output_file(case, suffix)
    if update_golden():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        pytest.skip(f"rewrote {golden}")
    assert golden.is_file(), f"no golden file {golden} (GORAY_UPDATE_GOLDEN=1 writes it)"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, (f"{golden.name} differs from {golden}; if the change is "
                                "intended, rerun with GORAY_UPDATE_GOLDEN=1")


def test_source_units_match_golden(generated):
    """Each source file's translation unit (NAME.<source>.goray.cpp) is golden too, and
    the golden directory holds no unit that is no longer generated."""
    for case, outputs in generated.items():
        units = {suffix: text for suffix, text in outputs.items()
                 if suffix not in SUFFIXES + [COMPANION]}
        directory = GOLDEN / case
        if update_golden():
            for stale in unit_names(case, directory):
                (directory / stale).unlink()
            for suffix, text in units.items():
                (directory / f"{case}{suffix}").write_text(text, encoding="utf-8")
            continue
        on_disk = {name[len(case):] for name in unit_names(case, directory)}
        assert on_disk == set(units), (case, sorted(on_disk), sorted(units))
        for suffix, text in units.items():
            assert (directory / f"{case}{suffix}").read_text(encoding="utf-8") == text, \
                f"{case}{suffix} differs from its golden file (GORAY_UPDATE_GOLDEN=1)"


def test_rendering_is_a_pure_function_of_the_idl(generated, tmp_path):
    """Rendering the golden IDL alone (no scan) gives the same outputs."""
    from goray.gen.generate import GenerateOptions, generate

    for case in CASES:
        idl = tmp_path / f"{case}.idl.json"
        idl.write_text(generated[case][".idl.json"], encoding="utf-8")
        outdir = tmp_path / case
        generate(GenerateOptions(sources=[], idl=str(idl), outdir=str(outdir), name=case))
        for suffix in generated[case]:
            assert (outdir / output_file(case, suffix)).read_text(encoding="utf-8") == \
                generated[case][suffix], output_file(case, suffix)


def test_golden_cpp_compiles_without_warnings_of_its_own():
    """Every case's NAME.goray.cpp and source unit (and so NAME.goray.h), as generated, is
    valid C++20 with -Wall -Wextra: compiled by the build with -Werror (the case's own
    files a SYSTEM include), equal to the golden files by the tests above."""
    if update_golden():
        pytest.skip("GORAY_UPDATE_GOLDEN: the build compiles the new outputs")
    built(*(f"gen_golden_{case}" for case in COMPILED))


def test_messages_name_an_inherited_task_whole(generated):
    """An inherited task is registered through ::goray::detail::MemberOf<...>(...): the
    comment and the static_assert's message still name the whole function (they dropped
    its first character when they sliced off an assumed '&')."""
    header = generated["inherited"][".goray.h"]
    table = generated["inherited"][".goray.cpp"]
    assert "// Task Inherited: ::Tasks::Inherited." in header
    assert '"task Inherited (::Tasks::Inherited) changed since' in table
    assert "(:goray" not in table and ": :goray" not in header


def test_a_stub_with_arrays_imports_without_numpy():
    """NumPy is needed only by applications that pass arrays, and only when they do: the
    .py stub of an application with array tasks and array fields imports and builds its
    tasks, actor types and TypedDicts with NumPy unavailable (only its .pyi names it)."""
    code = ("import sys; sys.modules['numpy'] = None\n"  # import numpy raises ImportError
            f"sys.path.insert(0, {str(GOLDEN / 'arrays')!r})\n"
            "import arrays\n"
            "tile: arrays.Tile = {'source': 's'}\n"
            "print(arrays.Scale, arrays.Histogram, arrays.local.Scale.__doc__, tile)\n")
    result = run([PYTHON, "-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<goray native task Scale> <goray native actor type "
                                    "Histogram> 2 * a, in a new array."), result.stdout
    assert "import numpy" not in (GOLDEN / "arrays" / "arrays.py").read_text().split(
        "if _TYPE_CHECKING:")[0]


# Uses of the refs case's typed wrappers: what compiles, and (as requires-expressions that
# must be false) what must not.
REFS_USE = r"""
#include "refs.goray.h"

#include <type_traits>
#include <vector>

template <class... A>
concept CanBump = requires(A... a) { refs::Bump(a...); };
template <class A>
concept CanForward = requires(A a) { refs::Forward(a); };
template <class A>
concept CanLater = requires(A a) { refs::Later(a); };
template <class A>
concept CanSum = requires(A a) { refs::Sum(a); };

// A typed handle parameter takes the generated handle, not an untyped one; an untyped
// handle parameter takes any.
static_assert(CanBump<refs::CounterHandle, goray::ActorHandle>);
static_assert(CanBump<refs::CounterHandle, refs::CounterHandle>);
static_assert(!CanBump<goray::ActorHandle, goray::ActorHandle>);
static_assert(!CanBump<int, goray::ActorHandle>);
// The type C++ signatures name the actor by converts both ways (the header sees the class).
static_assert(CanBump<goray::ActorHandleOf<jobs::Counter>, goray::ActorHandle>);
static_assert(std::is_convertible_v<refs::CounterHandle, goray::ActorHandleOf<jobs::Counter>>);
// A ref parameter takes refs: any ObjectRef, or a Future of its type; never a value.
static_assert(CanForward<goray::ObjectRef> && CanForward<goray::Future<double>>);
static_assert(!CanForward<double>);
static_assert(CanLater<goray::Future<jobs::Point>> && CanLater<goray::ObjectRef>);
static_assert(!CanLater<goray::Future<double>> && !CanLater<jobs::Point>);
// A vector of futures takes a vector of futures of that type.
static_assert(CanSum<std::vector<goray::Future<double>>>);
static_assert(!CanSum<std::vector<goray::Future<int64_t>>> && !CanSum<std::vector<double>>);

// Results: futures of the generated handle, of refs.
using Spawned = decltype(refs::Spawn(1).Remote());
static_assert(std::is_same_v<Spawned, goray::Future<refs::CounterHandle>>);
static_assert(std::is_same_v<decltype(std::declval<Spawned>().Get()), refs::CounterHandle>);
static_assert(std::is_same_v<decltype(refs::Later(std::declval<goray::Future<jobs::Point>>())
                                          .Remote()
                                          .Get()),
                             goray::Future<jobs::Point>>);
static_assert(std::is_base_of_v<goray::ActorHandle, refs::CounterHandle>);

// Everything instantiated: the calls compile down to RemoteCall / NewActor / RemoteCall on
// the handle, with refs and handles encoded through goray's codec.
void Use(refs::CounterHandle counter, goray::ActorHandle any, goray::Future<double> part,
         goray::Future<jobs::Point> point, goray::ObjectRef ref) {
  refs::Sum(std::vector<goray::Future<double>>{part, part}).Remote();
  refs::Forward(ref).Remote(goray::Option("num_cpus", 1));
  refs::Forward(part).Remote();
  refs::Later(point).Remote();
  refs::Both(goray::Future<>(ref)).Remote();
  refs::Index({ref, 2}).Remote();
  jobs::Job job;
  job.input = ref;
  job.parts = {part};
  job.progress = counter;
  job.logger = any;
  refs::Plan(job).Remote();
  refs::Bump(counter, any).Remote();
  refs::Bump(counter, counter).Remote();
  refs::CounterHandle spawned = refs::Spawn(3).Remote().Get();
  std::vector<refs::CounterHandle> all = refs::Spawned(std::optional<goray::ActorHandle>(any))
                                             .Remote()
                                             .Get();
  spawned.Absorb(counter).Remote();
  refs::Counter(1).Remote().Absorb(all.front()).Remote();
}
"""


def test_refs_wrappers_take_refs_and_handles(tmp_path):
    """The refs case's wrappers, used: a typed-handle parameter takes the generated handle
    (not an untyped one), a ref parameter a ref of its type (never a value), a vector of
    futures a vector of futures; results are futures of the generated handle. Every call is
    instantiated (RemoteCall with goray::Unresolved, handles and refs in values), with
    -Wall -Wextra and no warnings."""
    import os
    import shutil
    import subprocess

    from conftest import ROOT

    compiler = os.environ.get("CXX") or shutil.which("c++") or "g++"
    use = tmp_path / "use.cpp"
    use.write_text(REFS_USE)
    result = subprocess.run(
        [compiler, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
         "-DMSGPACK_NO_BOOST", f"-I{GOLDEN / 'refs'}",
         f"-I{ROOT / 'runtime' / 'include'}", str(use)],
        stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
