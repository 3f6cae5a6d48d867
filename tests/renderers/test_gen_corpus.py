"""The rule: if goray-gen exits 0, every output compiles. A corpus of tricky inputs
(tests/renderers/corpus/<case>/): the namespace equal to the outputs' name,
aliases (one declared only in a .cpp), nested and inline namespaces, structs declared
in .cpp files, templates instantiated in signatures, default arguments, enums in
namespaces, user names equal to the generator's own, two sources with same-named
internal helpers, every form of NumPy array. Each is generated, then every generated translation unit compiled
(-fsyntax-only, two at a time); one case is linked and called. A refusal must be a
clang-style error naming the declaration, with nothing written."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
from typing import Dict, List, Optional

import pytest

from conftest import HERE, PYTHON, ROOT, run

CORPUS = HERE / "corpus"
CXX = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") or "clang++-19"

# case -> (outputs' name, the error goray-gen must give, or None: it must succeed)
CASES: Dict[str, tuple] = {
    "same_namespace": ("corpus", "same_namespace/corpus.cpp:11:"),
    "shared_namespace": ("shop", None),
    "aliases": ("aliases", None),
    "nested": ("outer_app", None),
    "templates": ("templates", None),
    "two_sources": ("two", None),
    "enums": ("paint_app", None),
    "defaults": ("shop_app", None),
    "clash_names": ("clash", None),
    # Headers named .hpp are not inputs (sources() takes .h and .cpp): the scan finds them.
    "macro_header": ("macro_header", None),  # a found header needing its includer's macro
    "inherited_owner": ("inherited_owner", None),  # only inherited tasks in tasks.h
    "factory_class": ("factory_class", None),  # an actor class with inherited methods
    "optional_tuple": ("optional_tuple", "optional_tuple/optional_tuple.cpp:10:3: error: "
                                         "the result of task 'Nested'"),
    # Every array form (Array, ArrayView, span<const T>), every place an Array may be, and
    # a C++ caller passing Arrays, views, rvalues and Futures to the typed wrappers.
    "arrays": ("arrays_app", None),
    # Typed handles to an actor class and refs in a struct, all declared in a .cpp that
    # also calls the wrappers (the header names the generated handle, never the class).
    "refs_in_cpp": ("refs_app", None),
    # Generators with defaults and const-reference parameters, a thread-safe actor with a
    # group, and a C++ caller of the stream wrappers.
    "streams": ("streams", None),
}


def sources(case: str) -> List[str]:
    return sorted(str(path) for path in (CORPUS / case).iterdir()
                  if path.suffix in (".h", ".cpp"))


def generate_case(case: str, outdir: pathlib.Path) -> subprocess.CompletedProcess:
    name, _ = CASES[case]
    return run([PYTHON, "-m", "goray.gen", *sources(case), "-o", str(outdir), "--name", name,
                "--root", str(CORPUS)])


def compile_units(units: List[pathlib.Path], outdir: pathlib.Path) -> List[str]:
    failures = []
    running: List[tuple] = []
    for index, unit in enumerate(units):
        command = [CXX, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-DMSGPACK_NO_BOOST",
                   f"-I{CORPUS}", f"-I{outdir}", f"-I{ROOT / 'runtime' / 'include'}", str(unit)]
        running.append((unit, subprocess.Popen(command, stderr=subprocess.PIPE, text=True)))
        if len(running) == 2 or index == len(units) - 1:
            for path, process in running:
                _, errors = process.communicate()
                # Warnings in generated code or in goray's headers are ours (the
                # corpus's own code may warn).
                own = [line for line in errors.splitlines()
                       if (".goray." in line or "runtime/include/goray" in line)
                       and ("warning" in line or "error" in line)]
                if process.returncode != 0 or own:
                    failures.append(f"{path.name}:\n{errors[-4000:]}")
            running = []
    return failures


@pytest.mark.parametrize("case", sorted(CASES))
def test_goray_gen_succeeds_and_every_output_compiles_or_it_refuses(scanner, tmp_path, case):
    outdir = tmp_path / "gen"
    result = generate_case(case, outdir)
    _, error = CASES[case]
    if error is not None:
        assert result.returncode == 1, result.stderr
        assert error in result.stderr, result.stderr
        assert "error:" in result.stderr and "Traceback" not in result.stderr
        assert not outdir.exists() or not any(outdir.iterdir()), "an output was written"
        return
    assert result.returncode == 0, result.stderr
    units = sorted(outdir.glob("*.goray.cpp"))
    assert len(units) == 1 + sum(1 for s in sources(case) if s.endswith(".cpp"))
    failures = compile_units(units, outdir)
    assert not failures, "\n".join(failures)


def test_the_generated_header_includes_only_the_found_headers_it_needs(scanner, tmp_path):
    """impl.hpp compiles only after tasks.cpp's #define and declares nothing goray needs:
    the generated header leaves it out (it failed to compile while goray-gen exited 0);
    point.hpp declares a struct of a signature and stays."""
    outdir = tmp_path / "gen"
    result = generate_case("macro_header", outdir)
    assert result.returncode == 0, result.stderr
    header = (outdir / "macro_header.goray.h").read_text()
    assert '#include "macro_header/point.hpp"' in header
    assert '#include "macro_header/impl.hpp"' not in header


def runtime_archive() -> Optional[pathlib.Path]:
    for candidate in (ROOT / "build" / "runtime" / "libgoray_runtime.a",
                      pathlib.Path(os.sys.prefix) / "lib" / "libgoray_runtime.a"):
        if candidate.is_file():
            return candidate
    return None


def link_case(case: str, tmp_path: pathlib.Path) -> pathlib.Path:
    """The case generated and linked into an application library, as goray_add_app does."""
    archive = runtime_archive()
    assert archive is not None, "build goray first (cmake --build build)"
    outdir = tmp_path / "gen"
    assert generate_case(case, outdir).returncode == 0
    library = tmp_path / f"lib{case}.so"
    command = [CXX, "-std=c++20", "-shared", "-fPIC", "-fvisibility=hidden", "-DMSGPACK_NO_BOOST",
               f"-I{CORPUS}", f"-I{outdir}", f"-I{ROOT / 'runtime' / 'include'}",
               *map(str, sorted(outdir.glob("*.goray.cpp"))), str(archive), "-pthread", "-ldl",
               f"-Wl,--version-script={ROOT / 'runtime' / 'exports.map'}", "-Wl,--no-undefined",
               "-Wl,-u,Execute,-u,FreeMemory,-u,RegisterCallback,-u,GorayProtocolVersion",
               "-o", str(library)]
    linked = run(command)
    assert linked.returncode == 0, linked.stderr
    return library


def test_two_sources_link_and_run(scanner, tmp_path):
    """Same-named internal helpers in two sources and one unscanned struct with an adaptor
    in both units: the units link together, and each source's tasks are registered."""
    library = link_case("two_sources", tmp_path)
    check = ("import goray, sys; goray.load_library(sys.argv[1]); "
             "print(goray.golang_local_run_task('Double', {'x': 1.0, 'y': 2.0}), "
             "goray.golang_local_run_task('Triple', {'x': 1.0, 'y': 2.0}))")
    called = run([PYTHON, "-c", check, str(library)])
    assert called.returncode == 0, called.stderr
    assert called.stdout.split("\n")[0] == \
        "{'x': 2.0, 'y': 4.0} {'x': 3.0, 'y': 6.0}", called.stdout


def test_generators_with_defaults_keep_their_reference_arguments(scanner, tmp_path):
    """A generator taking `const std::string&` and called with fewer arguments (the
    registry's shorter form, a generated lambda) refers to the arguments the stream keeps,
    not to the lambda's own parameters, gone once it returned the generator: every item
    carries the whole argument (long strings, so a dangling one would be freed memory)."""
    library = link_case("streams", tmp_path)
    word, prefix = "w" * 64, "p" * 48
    check = ("import goray, sys; goray.load_library(sys.argv[1])\n"
             f"print(list(goray.golang_local_run_task('Repeat', {word!r})))\n"
             f"print(list(goray.golang_local_run_task('Repeat', {word!r}, 2)))\n"
             f"print(list(goray.golang_local_run_task('Repeat', {word!r}, 1, '?')))\n"
             "with goray.golang_local_new_actor('Tagger') as tagger:\n"
             f"    print(list(tagger.Tag({prefix!r})))\n")
    called = run([PYTHON, "-c", check, str(library)])
    assert called.returncode == 0, called.stderr
    assert called.stdout.splitlines()[:4] == [
        str([word + "!"] * 3), str([word + "!"] * 2), str([word + "?"]), str([prefix + "t"] * 2)
    ], called.stdout


def test_a_global_declaration_named_like_the_outputs_is_refused(scanner, tmp_path):
    """`namespace Point` for the wrappers would clash with the user's struct ::Point."""
    outdir = tmp_path / "gen"
    result = run([PYTHON, "-m", "goray.gen", *sources("templates"), "-o", str(outdir),
                  "--name", "Point", "--root", str(CORPUS)])
    assert result.returncode == 1, result.stderr
    assert "templates/templates.cpp:15:8: error: struct Point is declared, which is also the " \
           "namespace of the generated C++ wrappers" in result.stderr, result.stderr
    assert "--name Point_app" in result.stderr and "NAME Point_app" in result.stderr
    assert result.stderr.rstrip().endswith("or rename it")
    assert not outdir.exists() or not any(outdir.iterdir())


ARRAY_WRAPPERS = """\
#include "arrays_app.goray.h"

#include <string>
#include <type_traits>

template <class... A>
constexpr bool kSum = requires(A... a) { arrays_app::Sum(a...).Remote(); };
template <class... A>
constexpr bool kEcho = requires(A... a) { arrays_app::Echo(a...).Remote(); };
using goray::detail::Stored;

// A span<const double> parameter takes an Array, a view, or a Future of an Array...
static_assert(kSum<goray::Array<double>>);
static_assert(kSum<const goray::Array<double>&>);
static_assert(kSum<goray::ArrayView<double>>);
static_assert(kSum<goray::Future<goray::Array<double>>>);
static_assert(kEcho<goray::ArrayView<double>>);  // so does an Array parameter
// ...of its element type only.
static_assert(!kSum<goray::Array<float>>);
static_assert(!kSum<goray::ArrayView<int64_t>>);
static_assert(!kSum<goray::Future<goray::Array<float>>>);
static_assert(!kSum<std::string>);
static_assert(!kEcho<goray::Array<int32_t>>);
// An array is never copied into the call: an lvalue is kept as a view, an rvalue moved.
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::Array<double>&>,
                             goray::ArrayView<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, const goray::Array<double>&>,
                             goray::ArrayView<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::Array<double>>,
                             goray::Array<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::ArrayView<double>&>,
                             goray::ArrayView<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::Future<goray::Array<double>>&>,
                             goray::ObjectRef>);
// Results are owning arrays.
static_assert(std::is_same_v<decltype(arrays_app::Scale(goray::Array<double>()).Remote()),
                             goray::Future<goray::Array<double>>>);
"""


def test_array_wrappers_take_arrays_and_views_of_their_element_without_copies(scanner,
                                                                                tmp_path):
    """The typed C++ wrappers of array parameters (goray::Array, goray::ArrayView,
    std::span<const T> in the task): what they accept, and what a call keeps."""
    outdir = tmp_path / "gen"
    assert generate_case("arrays", outdir).returncode == 0
    check = tmp_path / "check.cpp"
    check.write_text(ARRAY_WRAPPERS)
    failures = compile_units([check], outdir)
    assert not failures, "\n".join(failures)
