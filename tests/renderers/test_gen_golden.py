"""Golden files: each case's inputs (in tests/golden/<case>/) scan and render to exactly
its golden outputs beside them, byte for byte (tests/golden/<case>/<case>.{idl.json,
goray.h,goray.cpp,py,pyi}, and <case>.<source>.goray.cpp for each source file). The
scanner's golden test (tests/scanner/golden_test.cpp) checks the same <case>.idl.json.

GORAY_UPDATE_GOLDEN=1 rewrites them instead of comparing.
"""

from __future__ import annotations

import pathlib
from typing import Dict, List, Tuple

import pytest

from conftest import GOLDEN, PYTHON, run, update_golden

# case -> its inputs (files or directories), as a user passes them to goray-gen.
CASES: Dict[str, List[pathlib.Path]] = {
    "app": [GOLDEN / "app" / "app.cpp"],            # the README's one-file application
    "types": [GOLDEN / "types" / "types.h"],        # every type, structs, enums
    "actors": [GOLDEN / "actors" / "actors.h"],     # factories, GORAY_ACTOR, bases
    "docs": [GOLDEN / "docs" / "docs.h"],           # doc comments -> docstrings, ///
    "driver": [GOLDEN / "driver" / "driver.cpp"],   # a driver with args, init options
    "project": [GOLDEN / "project"],                # a directory: headers and a .cpp
    "shared": [GOLDEN / "shared"],                  # a header two sources include
    "alias": [GOLDEN / "alias" / "app.cpp"],        # aliases declared only in a .cpp
    "headers": [GOLDEN / "headers" / "tasks.cpp",   # project headers the inputs omit
                GOLDEN / "headers" / "driver.cpp"],
    "inherited": [GOLDEN / "inherited" / "skipped.h"],  # inherited tasks, skipped members
    "naming": [GOLDEN / "naming" / "naming.h"],  # keywords and collisions
    "defaults": [GOLDEN / "defaults" / "defaults.cpp"],  # default arguments
    "arrays": [GOLDEN / "arrays" / "arrays.h"],     # NumPy arrays: every form and dtype
    "refs": [GOLDEN / "refs" / "refs.h"],           # ObjectRefs, Futures, actor handles
    # Thread-safe actors, concurrency groups, generator tasks and methods.
    "concurrency": [GOLDEN / "concurrency" / "concurrency.h"],
}
SUFFIXES = [".idl.json", ".goray.h", ".goray.cpp", ".py", ".pyi"]


@pytest.fixture(scope="session")
def generated(scanner, tmp_path_factory) -> Dict[str, Dict[str, str]]:
    """Every case generated once: case -> output suffix -> text."""
    from goray.gen.generate import GenerateError, GenerateOptions, generate

    outputs: Dict[str, Dict[str, str]] = {}
    for case, inputs in CASES.items():
        outdir = tmp_path_factory.mktemp(f"golden-{case}")
        try:
            result = generate(GenerateOptions(sources=[str(p) for p in inputs],
                                              outdir=str(outdir), name=case, scanner=scanner))
        except GenerateError as error:
            pytest.fail(f"goray-gen failed on {case}:\n{error.message}", pytrace=False)
        outputs[case] = {suffix: (outdir / f"{case}{suffix}").read_text(encoding="utf-8")
                         for suffix in SUFFIXES}
        units = {path.name for path in result.files} - {f"{case}{s}" for s in SUFFIXES}
        assert all(name.startswith(f"{case}.") and name.endswith(".goray.cpp")
                   for name in units), units
        outputs[case].update({name[len(case):]: (outdir / name).read_text(encoding="utf-8")
                              for name in units})
    return outputs


PARAMS: List[Tuple[str, str]] = [(case, suffix) for case in CASES for suffix in SUFFIXES]


@pytest.mark.parametrize("case,suffix", PARAMS, ids=[f"{c}{s}" for c, s in PARAMS])
def test_output_matches_golden(generated, case, suffix):
    actual = generated[case][suffix]
    golden = GOLDEN / case / f"{case}{suffix}"
    if update_golden():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        pytest.skip(f"rewrote {golden}")
    assert golden.is_file(), f"no golden file {golden} (GORAY_UPDATE_GOLDEN=1 writes it)"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, (f"{case}{suffix} differs from {golden}; if the change is "
                                "intended, rerun with GORAY_UPDATE_GOLDEN=1")


def test_source_units_match_golden(generated):
    """Each source file's translation unit (NAME.<source>.goray.cpp) is golden too, and
    the golden directory holds no unit that is no longer generated."""
    for case, outputs in generated.items():
        units = {suffix: text for suffix, text in outputs.items() if suffix not in SUFFIXES}
        directory = GOLDEN / case
        if update_golden():
            for stale in directory.glob(f"{case}.*.goray.cpp"):
                stale.unlink()
            for suffix, text in units.items():
                (directory / f"{case}{suffix}").write_text(text, encoding="utf-8")
            continue
        on_disk = {path.name[len(case):] for path in directory.glob(f"{case}.*.goray.cpp")}
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
            assert (outdir / f"{case}{suffix}").read_text(encoding="utf-8") == \
                generated[case][suffix], f"{case}{suffix}"


# Cases whose golden C++ compiles against the real runtime ("types" declares a stand-in
# goray::Value of its own).
COMPILED = [case for case in CASES if case != "types"]


def test_golden_cpp_compiles_without_warnings_of_its_own():
    """Every golden NAME.goray.cpp and source unit (and so NAME.goray.h) is valid C++20
    with -Wall -Wextra: -fsyntax-only, two compilers at a time."""
    import os
    import shutil
    import subprocess

    from conftest import ROOT

    compiler = os.environ.get("CXX") or shutil.which("c++") or "g++"
    running = []
    failures = []
    jobs = [(case, unit) for case in COMPILED
            for unit in sorted((GOLDEN / case).glob(f"{case}*.goray.cpp"))]
    for index, (case, unit) in enumerate(jobs):
        # The case's folder holds its sources and its outputs: one -I for both.
        command = [compiler, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra",
                   "-DMSGPACK_NO_BOOST", f"-I{GOLDEN / case}",
                   f"-I{ROOT / 'runtime' / 'include'}", str(unit)]
        running.append((unit.name, subprocess.Popen(command, stderr=subprocess.PIPE, text=True)))
        if len(running) == 2 or index == len(jobs) - 1:
            for name, process in running:
                _, errors = process.communicate()
                own = [line for line in errors.splitlines()
                       if ".goray." in line and ("warning" in line or "error" in line)]
                if process.returncode != 0 or own:
                    failures.append(f"{name}:\n{errors}")
            running = []
    assert not failures, "\n".join(failures)


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
